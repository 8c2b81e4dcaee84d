import type { Analysis } from '../core/analysis';
import type { DataRef, FullItem } from './valuePreview';
import type { WorkerFactory, WorkerPort } from './workerPort';
import type { AnalyzeRequest, AssignRequest, AssignResult, DataRequest, ProgressMessage, SolutionRequest, WorkerRequest, WorkerResponse } from './workerProtocol';

/** What a worker may take to start (thread, core modules) on top of its first job's time limit, until it says `ready`. */
const STARTUP_MS = 10_000;

export type Outcome =
  | { readonly kind: 'done'; readonly analysis: Analysis; readonly ms: number }
  | { readonly kind: 'solved'; readonly markdown: string; readonly ms: number }
  | { readonly kind: 'assigned'; readonly result: AssignResult; readonly ms: number }
  | { readonly kind: 'failed'; readonly message: string }
  /**
   * `partial`: the values stage, when the time ran out after it (derivations, hovers, graph cut
   * off); `line`: the 0-based line the worker was evaluating, when it had not reached that stage.
   */
  | { readonly kind: 'timeout'; readonly ms: number; readonly partial?: Analysis; readonly line?: number }
  /** The worker reached its memory limit (nodeWorker.ts WORKER_LIMITS) and was ended; a fresh one serves the next job. */
  | { readonly kind: 'out-of-memory'; readonly ms: number; readonly limitMb: number; readonly partial?: Analysis; readonly line?: number }
  /** Ended by `stop()` ("GradLens: Stop Training") when the analysis did not stop by itself in time: the worker was terminated. */
  | { readonly kind: 'stopped'; readonly ms: number }
  /** A `data` request: the item with its full data, or none (the analysis is no longer kept). */
  | { readonly kind: 'data'; readonly item?: FullItem }
  | { readonly kind: 'cancelled' };

export interface Job {
  /** The request's id (`data` requests name the analysis by it). */
  readonly id: number;
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
  /** Replaced once by a replay that stops after the steps already made (see stop()). */
  request: WorkerRequest;
  readonly timeoutMs: number;
  readonly settle: (o: Outcome) => void;
  readonly onProgress?: (m: ProgressMessage) => void;
  /** Gets the values stage (values and diagnostics) as soon as the worker posts it. */
  readonly onValues?: (analysis: Analysis) => void;
  cancelled: boolean;
  settled: boolean;
  /** Asked to stop (the shared flag is set); its result is still awaited, for the grace period. */
  stopping?: boolean;
  /** The values stage, once posted. */
  partial?: Analysis;
  /** Training steps reported so far, by the `train` statement's line. */
  steps?: Map<number, number>;
  /** This is the replay of a stopped analysis (no shared memory): a second stop ends the worker. */
  replay?: boolean;
  started?: number;
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * Runs analyses one at a time on a worker (a thread in the node build, a Web Worker in the browser
 * build: `spawn` makes it). A job that runs past its timeout is ended by
 * terminating the worker (a synchronous analysis cannot be interrupted any other way); so is a
 * superseded job that has already run for `killSupersededAfterMs`. The worker is started on first
 * use and again after it was terminated.
 */
export class WorkerClient {
  private worker: WorkerPort | undefined;
  /** Whether the current worker has said `ready` (or answered anything): until then a job's limit includes STARTUP_MS. */
  private workerReady = false;
  private current: Pending | undefined;
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private disposed = false;

  constructor(
    private readonly spawn: WorkerFactory,
    private readonly log: (line: string) => void,
    private readonly killSupersededAfterMs = 300,
    private readonly stopGraceMs = 3000,
  ) {}

  /**
   * An analysis. `onProgress` gets the worker's training progress until the outcome settles.
   * While a training reports epochs the timeout counts from the last report: the work budget,
   * not the clock, limits training (a stuck analysis still ends after `timeoutMs`).
   * `onValues` gets the values stage (values and diagnostics, before the derivations, hovers and
   * graph) unless the job was cancelled by then: the squiggles need not wait for the rest.
   */
  run(request: Omit<AnalyzeRequest, 'type' | 'id'>, timeoutMs: number, onProgress?: (m: ProgressMessage) => void, onValues?: (analysis: Analysis) => void): Job {
    // The stop flag the worker polls (shared memory: a busy worker reads no messages).
    const stop = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(8) : undefined;
    return this.enqueue({ type: 'analyze', id: this.nextId++, ...request, ...(stop ? { stop } : {}) }, timeoutMs, onProgress, false, onValues);
  }

  /** Whether no job is running or queued (a new one would start at once). */
  get idle(): boolean {
    return this.current === undefined && this.queue.length === 0;
  }

  /** A worked solution as Markdown (outcome `solved`). */
  solve(request: Omit<SolutionRequest, 'type' | 'id'>, timeoutMs: number): Job {
    return this.enqueue({ type: 'solution', id: this.nextId++, ...request }, timeoutMs);
  }

  /** A student's handout and variant, or the roster (outcome `assigned`; AssignRequest). */
  assign(request: Omit<AssignRequest, 'type' | 'id'>, timeoutMs: number): Job {
    return this.enqueue({ type: 'assign', id: this.nextId++, ...request }, timeoutMs);
  }

  /**
   * The full data of an item of the analysis `analysis` (a Job id) of document `key`: goes before
   * queued analyses (it is quick), after the running one.
   */
  fetch(key: string, analysis: number, ref: DataRef, timeoutMs = 10_000): Job {
    const request: DataRequest = { type: 'data', id: this.nextId++, key, analysis, ref };
    return this.enqueue(request, timeoutMs, undefined, true);
  }

  private enqueue(request: WorkerRequest, timeoutMs: number, onProgress?: (m: ProgressMessage) => void, first = false, onValues?: (analysis: Analysis) => void): Job {
    let pending!: Pending;
    const outcome = new Promise<Outcome>((resolve) => {
      pending = {
        request,
        timeoutMs,
        onProgress,
        onValues,
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
    if (first) this.queue.unshift(pending);
    else this.queue.push(pending);
    this.pump();
    return {
      id: request.id,
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
    if (this.current === p && p.request.type === 'analyze' && !p.replay) {
      // No shared memory (a browser page that is not cross-origin isolated): the busy worker cannot
      // be told to stop. End it and analyse again, stopping the training after the steps it had
      // reported — the same parameters, deterministically — so the lines after it still run.
      const steps = [...(p.steps?.values() ?? [])].reduce((a, b) => a + b, 0);
      this.log(`analysis #${p.request.id} stopped by the user without shared memory: worker terminated, analysed again stopping after ${steps} training steps`);
      clearTimeout(p.timer);
      p.request = { ...p.request, stopAfterSteps: steps };
      p.replay = true;
      p.partial = undefined;
      this.current = undefined;
      this.stopWorker();
      this.queue.unshift(p);
      this.pump();
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
    // A worker still starting (a thread, the core's modules) gets STARTUP_MS more; `ready` re-arms without it.
    const ms = this.workerReady ? p.timeoutMs : p.timeoutMs + STARTUP_MS;
    p.timer = setTimeout(() => {
      if (this.current !== p) return;
      this.log(`analysis #${p.request.id} timed out after ${p.timeoutMs} ms${p.partial ? ' (after its values stage)' : ''}: worker terminated`);
      p.settle({ kind: 'timeout', ms: p.timeoutMs, ...cutAt(p) });
      this.restart();
    }, ms);
  }

  /** Starts the worker thread ahead of the first request (no-op once it runs). */
  warm(): void {
    if (!this.disposed) this.ensureWorker();
  }

  private ensureWorker(): WorkerPort {
    if (this.worker) return this.worker;
    const worker: WorkerPort = this.spawn({
      message: (m) => this.onMessage(worker, m),
      error: (e, outOfMemoryMb) => {
        this.log(`analysis worker error: ${e.stack ?? e.message}`);
        if (this.worker === worker) {
          const p = this.current;
          if (p && outOfMemoryMb !== undefined) {
            // The worker was ended at its memory limit: report it (keeping a values stage), go on with a fresh worker.
            const ms = p.started === undefined ? 0 : performance.now() - p.started;
            p.settle({ kind: 'out-of-memory', ms, limitMb: outOfMemoryMb, ...cutAt(p) });
          } else p?.settle({ kind: 'failed', message: e.message });
          this.restart();
        }
      },
      exit: (code) => {
        if (this.worker === worker) {
          this.log(`analysis worker exited with code ${code}`);
          this.current?.settle({ kind: 'failed', message: `The analysis worker exited (code ${code}).` });
          this.restart();
        }
      },
    });
    this.worker = worker;
    this.workerReady = false;
    return worker;
  }

  private onMessage(worker: WorkerPort, m: WorkerResponse): void {
    const p = this.current;
    if (worker === this.worker) this.workerReady = true;
    if (m.type === 'ready') {
      // A fresh worker's start-up (a thread, the core's modules: ~0.3–0.6 s on a loaded machine)
      // is not the analysis' time: its limit starts again now.
      if (worker === this.worker && p && !p.settled && !p.stopping && p.timer !== undefined) {
        p.started = performance.now();
        this.arm(p);
      }
      return;
    }
    if (worker !== this.worker || !p || p.request.id !== m.id) return;
    if (m.type === 'progress') {
      // A training is making progress: not stuck. A superseded job's progress is of no interest.
      if (p.settled) return;
      // A stopping job keeps its grace period.
      if (!p.stopping) this.arm(p);
      (p.steps ??= new Map()).set(m.trainingLine, Math.max(p.steps.get(m.trainingLine) ?? 0, m.steps));
      p.onProgress?.(m);
      return;
    }
    if (m.type === 'stage') {
      if (p.settled) return;
      p.partial = m.analysis;
      if (m.analysis.stage === 'values') p.onValues?.(m.analysis);
      return;
    }
    clearTimeout(p.timer);
    this.current = undefined;
    if (m.type === 'result') p.settle({ kind: 'done', analysis: m.analysis, ms: m.ms });
    else if (m.type === 'solution') p.settle({ kind: 'solved', markdown: m.markdown, ms: m.ms });
    else if (m.type === 'assigned') p.settle({ kind: 'assigned', result: m.result, ms: m.ms });
    else if (m.type === 'data') p.settle({ kind: 'data', ...(m.item ? { item: m.item } : {}) });
    else p.settle({ kind: 'failed', message: m.message });
    this.pump();
  }

  private pump(): void {
    if (this.disposed || this.current) return;
    const p = this.queue.shift();
    if (!p) return;
    this.current = p;
    p.started = performance.now();
    const worker = this.ensureWorker();
    this.arm(p);
    worker.post(p.request);
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
    this.workerReady = false;
    if (w) w.terminate();
  }
}

/** What a job ended from outside had delivered: its values stage, or else the line it was evaluating (shared slot 1). */
function cutAt(p: Pending): { partial?: Analysis; line?: number } {
  if (p.partial) return { partial: p.partial };
  const flag = p.request.type === 'analyze' ? p.request.stop : undefined;
  const slot = flag && flag.byteLength >= 8 ? Atomics.load(new Int32Array(flag), 1) : 0;
  return slot > 0 ? { line: slot - 1 } : {};
}
