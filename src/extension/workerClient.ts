import { Worker } from 'node:worker_threads';
import type { Analysis } from '../core/analysis';
import type { AnalyzeRequest, ProgressMessage, SolutionRequest, WorkerRequest, WorkerResponse } from './workerProtocol';

export type Outcome =
  | { readonly kind: 'done'; readonly analysis: Analysis; readonly ms: number }
  | { readonly kind: 'solved'; readonly markdown: string; readonly ms: number }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'timeout'; readonly ms: number }
  /** Ended by `stop()` ("GradLens: Stop Training") when the analysis did not stop by itself in time: the worker was terminated. */
  | { readonly kind: 'stopped'; readonly ms: number }
  | { readonly kind: 'cancelled' };

export interface Job {
  readonly outcome: Promise<Outcome>;
  /** The caller no longer wants the result (a newer version of the document exists). */
  cancel(): void;
  /**
   * "GradLens: Stop Training". A running analysis is asked to stop its training where it is (it
   * then finishes normally, outcome `done`, with the parameters trained so far and the lines
   * after the training); if it has not finished within the grace period, or the job is queued,
   * it ends with outcome `stopped` (the worker terminated). False if it had already ended or is
   * already stopping.
   */
  stop(): boolean;
  /** Whether the worker is running this job now (not queued, not ended). */
  isRunning(): boolean;
}

interface Pending {
  readonly request: WorkerRequest;
  readonly timeoutMs: number;
  readonly settle: (o: Outcome) => void;
  readonly onProgress?: (m: ProgressMessage) => void;
  cancelled: boolean;
  settled: boolean;
  /** Asked to stop (the shared flag is set); its result is still awaited, for the grace period. */
  stopping?: boolean;
  started?: number;
  timer?: NodeJS.Timeout;
}

/**
 * Runs analyses one at a time on a worker thread. A job that runs past its timeout is ended by
 * terminating the worker (a synchronous analysis cannot be interrupted any other way); so is a
 * superseded job that has already run for `killSupersededAfterMs`. The worker is started on first
 * use and again after it was terminated.
 */
export class WorkerClient {
  private worker: Worker | undefined;
  private current: Pending | undefined;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly workerPath: string,
    private readonly log: (line: string) => void,
    private readonly killSupersededAfterMs = 300,
    private readonly stopGraceMs = 3000,
  ) {}

  /**
   * An analysis. `onProgress` gets the worker's training progress until the outcome settles.
   * While a training reports epochs the timeout counts from the last report: the work budget,
   * not the clock, limits training (a stuck analysis still ends after `timeoutMs`).
   */
  run(request: Omit<AnalyzeRequest, 'type' | 'id'>, timeoutMs: number, onProgress?: (m: ProgressMessage) => void): Job {
    // The stop flag the worker polls (shared memory: a busy worker reads no messages).
    const stop = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(4) : undefined;
    return this.enqueue({ type: 'analyze', id: this.nextId++, ...request, ...(stop ? { stop } : {}) }, timeoutMs, onProgress);
  }

  /** A worked solution as Markdown (outcome `solved`). */
  solve(request: Omit<SolutionRequest, 'type' | 'id'>, timeoutMs: number): Job {
    return this.enqueue({ type: 'solution', id: this.nextId++, ...request }, timeoutMs);
  }

  private enqueue(request: WorkerRequest, timeoutMs: number, onProgress?: (m: ProgressMessage) => void): Job {
    let pending!: Pending;
    const outcome = new Promise<Outcome>((resolve) => {
      pending = {
        request,
        timeoutMs,
        onProgress,
        cancelled: false,
        settled: false,
        settle: (o) => {
          if (!pending.settled) {
            pending.settled = true;
            resolve(o);
          }
        },
      };
    });
    this.queue.push(pending);
    this.pump();
    return {
      outcome,
      cancel: () => this.cancel(pending),
      stop: () => this.stop(pending),
      isRunning: () => this.current === pending && !pending.settled,
    };
  }

  dispose(): void {
    this.disposed = true;
    for (const p of this.queue.splice(0)) p.settle({ kind: 'cancelled' });
    if (this.current) this.current.settle({ kind: 'cancelled' });
    this.stopWorker();
  }

  private cancel(p: Pending): void {
    if (p.cancelled) return;
    p.cancelled = true;
    p.settle({ kind: 'cancelled' });
    const i = this.queue.indexOf(p);
    if (i >= 0) {
      this.queue.splice(i, 1);
      return;
    }
    if (this.current === p && p.started !== undefined) {
      // A training in it stops at its next step (the result is dropped either way), so the
      // analysis often ends before the worker would be terminated below.
      if (p.request.type === 'analyze' && p.request.stop) Atomics.store(new Int32Array(p.request.stop), 0, 1);
      // Let a short analysis finish (restarting the worker costs more than it saves); end a long one.
      const ran = performance.now() - p.started;
      const wait = Math.max(0, this.killSupersededAfterMs - ran);
      clearTimeout(p.timer);
      p.timer = setTimeout(() => {
        if (this.current === p) {
          this.log(`analysis #${p.request.id} superseded after ${Math.round(performance.now() - p.started!)} ms: worker terminated`);
          this.restart();
        }
      }, wait);
    }
  }

  private stop(p: Pending): boolean {
    if (p.settled || p.stopping) return false;
    const flag = p.request.type === 'analyze' ? p.request.stop : undefined;
    if (this.current === p && flag) {
      p.stopping = true;
      Atomics.store(new Int32Array(flag), 0, 1);
      clearTimeout(p.timer);
      p.timer = setTimeout(() => {
        if (this.current !== p || p.settled) return;
        const ran = performance.now() - p.started!;
        this.log(`analysis #${p.request.id} did not stop within ${this.stopGraceMs} ms of the request: worker terminated`);
        p.settle({ kind: 'stopped', ms: ran });
        this.restart();
      }, this.stopGraceMs);
      return true;
    }
    const ran = p.started === undefined ? 0 : performance.now() - p.started;
    p.settle({ kind: 'stopped', ms: ran });
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    else if (this.current === p) {
      this.log(`analysis #${p.request.id} stopped by the user after ${Math.round(ran)} ms: worker terminated`);
      this.restart();
    }
    return true;
  }

  /** (Re)starts the current job's timeout. */
  private arm(p: Pending): void {
    clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.current !== p) return;
      this.log(`analysis #${p.request.id} timed out after ${p.timeoutMs} ms: worker terminated`);
      p.settle({ kind: 'timeout', ms: p.timeoutMs });
      this.restart();
    }, p.timeoutMs);
  }

  /** Starts the worker thread ahead of the first request (no-op once it runs). */
  warm(): void {
    if (!this.disposed) this.ensureWorker();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.workerPath, { name: 'gradlens-analysis' });
    worker.on('message', (m: WorkerResponse) => this.onMessage(worker, m));
    worker.on('error', (e) => {
      this.log(`analysis worker error: ${e.stack ?? e.message}`);
      if (this.worker === worker) {
        this.current?.settle({ kind: 'failed', message: e.message });
        this.restart();
      }
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) {
        this.log(`analysis worker exited with code ${code}`);
        this.current?.settle({ kind: 'failed', message: `The analysis worker exited (code ${code}).` });
        this.restart();
      }
    });
    this.worker = worker;
    return worker;
  }

  private onMessage(worker: Worker, m: WorkerResponse): void {
    const p = this.current;
    if (worker !== this.worker || !p || p.request.id !== m.id) return;
    if (m.type === 'progress') {
      // A training is making progress: not stuck. A superseded job's progress is of no interest.
      if (p.settled) return;
      // A stopping job keeps its grace period.
      if (!p.stopping) this.arm(p);
      p.onProgress?.(m);
      return;
    }
    clearTimeout(p.timer);
    this.current = undefined;
    if (m.type === 'result') p.settle({ kind: 'done', analysis: m.analysis, ms: m.ms });
    else if (m.type === 'solution') p.settle({ kind: 'solved', markdown: m.markdown, ms: m.ms });
    else p.settle({ kind: 'failed', message: m.message });
    this.pump();
  }

  private pump(): void {
    if (this.disposed || this.current) return;
    const p = this.queue.shift();
    if (!p) return;
    this.current = p;
    p.started = performance.now();
    this.arm(p);
    this.ensureWorker().postMessage(p.request);
  }

  /** Ends the current job's worker and carries on with the queue on a fresh one. */
  private restart(): void {
    const p = this.current;
    if (p) {
      clearTimeout(p.timer);
      p.settle({ kind: 'cancelled' });
    }
    this.current = undefined;
    this.stopWorker();
    this.pump();
  }

  private stopWorker(): void {
    const w = this.worker;
    this.worker = undefined;
    if (w) void w.terminate();
  }
}
