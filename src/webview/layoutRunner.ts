/**
 * Runs the graph layout off the panel's main thread: a dedicated Web Worker (dist/layoutWorker.js)
 * when one can be created, otherwise on the main thread as before. Latest wins: one layout is in
 * flight at a time, newer requests replace the queued one, and a result whose signature is no
 * longer wanted (a later edit changed the structure) is dropped. Messages carry sequence numbers.
 * No DOM here: the worker is made by the factory it is given (unit-tested with a fake).
 */
import { layoutItems, type GraphLayout, type LayoutRequest } from './layout';

/** The part of Worker this uses. */
export interface WorkerLike {
  postMessage(message: LayoutJob): void;
  terminate(): void;
  onmessage: ((e: { data: LayoutAnswer }) => void) | null;
  onerror: ((e: unknown) => void) | null;
}

export interface LayoutJob {
  readonly seq: number;
  readonly request: LayoutRequest;
  readonly signature: string;
}

export type LayoutAnswer = { readonly seq: number; readonly layout: GraphLayout; readonly ms: number } | { readonly seq: number; readonly error: string };

export interface LayoutResult {
  readonly layout: GraphLayout;
  /** Time dagre took. */
  readonly ms: number;
  /** Request → result (queueing, messaging and layout). */
  readonly waitMs: number;
  readonly where: 'worker' | 'main';
}

export class LayoutRunner {
  private worker: WorkerLike | undefined;
  /** True while an asynchronous worker factory has not answered yet (requests wait for it). */
  private starting = false;
  private seq = 0;
  private inFlight: { job: LayoutJob; at: number } | undefined;
  private queued: { job: LayoutJob; at: number } | undefined;
  private wanted = '';
  /** Results dropped because a later request superseded them (tests, logs). */
  dropped = 0;

  constructor(
    createWorker: () => WorkerLike | undefined | Promise<WorkerLike | undefined>,
    private readonly onResult: (r: LayoutResult) => void,
    private readonly log: (message: string) => void = () => {},
    private readonly compute: (r: LayoutRequest) => GraphLayout = layoutItems,
  ) {
    let made: WorkerLike | undefined | Promise<WorkerLike | undefined>;
    try {
      made = createWorker();
    } catch (e) {
      this.log(`layout worker unavailable (${(e as Error).message}); laying out on the main thread`);
    }
    if (made instanceof Promise) {
      this.starting = true;
      made.then(
        (w) => this.started(w),
        (e: Error) => {
          this.log(`layout worker unavailable (${e.message}); laying out on the main thread`);
          this.started(undefined);
        },
      );
    } else this.started(made);
  }

  private started(w: WorkerLike | undefined): void {
    this.starting = false;
    this.worker = w;
    if (w) {
      w.onmessage = (e) => this.answer(e.data);
      w.onerror = (e) => this.fail(String((e as { message?: string })?.message ?? e));
      this.pump();
    } else if (this.queued) {
      const job = this.queued;
      this.queued = undefined;
      if (job.job.signature === this.wanted) this.runHere(job);
    }
  }

  /** True while the worker is in use (false after a failure: main-thread layout). */
  get usesWorker(): boolean {
    return this.worker !== undefined;
  }

  /** True while a layout is being computed or waits. */
  get pending(): boolean {
    return this.inFlight !== undefined || this.queued !== undefined || this.starting;
  }

  /** Asks for a layout; the result comes through onResult (synchronously without a worker). */
  request(request: LayoutRequest, signature: string): void {
    this.wanted = signature;
    const job = { job: { seq: ++this.seq, request, signature }, at: performance.now() };
    if (!this.worker && !this.starting) {
      this.runHere(job);
      return;
    }
    if (this.inFlight?.job.signature === signature) {
      this.queued = undefined;
      return;
    }
    this.queued = job;
    this.pump();
  }

  /** The layout with this signature is already on hand: a result for another one is no longer wanted. */
  settle(signature: string): void {
    this.wanted = signature;
    this.queued = undefined;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = undefined;
  }

  private pump(): void {
    if (this.inFlight || !this.queued || !this.worker) return;
    this.inFlight = this.queued;
    this.queued = undefined;
    this.worker.postMessage(this.inFlight.job);
  }

  private answer(a: LayoutAnswer): void {
    const f = this.inFlight;
    if (!f || a.seq !== f.job.seq) return;
    this.inFlight = undefined;
    if ('error' in a) {
      this.fail(a.error);
      return;
    }
    if (f.job.signature === this.wanted) this.onResult({ layout: a.layout, ms: a.ms, waitMs: performance.now() - f.at, where: 'worker' });
    else this.dropped++;
    if (this.queued?.job.signature === f.job.signature && f.job.signature === this.wanted) this.queued = undefined;
    this.pump();
  }

  /** The worker failed (could not load, or threw): lay out here from now on. */
  private fail(why: string): void {
    this.log(`layout worker failed (${why}); laying out on the main thread`);
    this.worker?.terminate();
    this.worker = undefined;
    const job = this.queued ?? this.inFlight;
    this.inFlight = this.queued = undefined;
    if (job && job.job.signature === this.wanted) this.runHere(job);
  }

  private runHere(job: { job: LayoutJob; at: number }): void {
    const t = performance.now();
    const layout = this.compute(job.job.request);
    const ms = performance.now() - t;
    this.onResult({ layout, ms, waitMs: performance.now() - job.at, where: 'main' });
  }
}
