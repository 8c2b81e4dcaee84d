import type { WorkerRequest, WorkerResponse } from './workerProtocol';

/**
 * The analysis worker as the extension sees it, whichever build runs: a `worker_threads` Worker
 * in the node build (nodeWorker.ts), a Web Worker in the browser build (web/webWorkerPort.ts).
 * WorkerClient only talks to this, so queueing, timeouts, cancellation and Stop Training are
 * one piece of code for both.
 */
export interface WorkerPort {
  post(request: WorkerRequest): void;
  /** Ends the worker now (a synchronous analysis cannot be interrupted any other way). */
  terminate(): void;
}

export interface WorkerEvents {
  message(m: WorkerResponse): void;
  /**
   * The worker failed (an uncaught error, a script that did not load); `outOfMemoryMb` when it
   * was ended at its memory limit (that many MB of heap).
   */
  error(e: Error, outOfMemoryMb?: number): void;
  /** The worker ended by itself (not through terminate()). */
  exit(code: number): void;
}

/** Starts a worker whose events go to `events`. */
export type WorkerFactory = (events: WorkerEvents) => WorkerPort;
