import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { WorkerFactory } from './workerPort';
import type { WorkerResponse } from './workerProtocol';

/**
 * The analysis worker's memory limits (issue #15). Measured: the breast-cancer example trains
 * all 5 epochs with a 64 MB old generation; a 54 MB CSV (200,000 × 30) needs more than 256 MB
 * and passes at 512 MB. 768 MB leaves room for the 64 MB a `load_csv` may read, and keeps the
 * worker's JS heap under 1 GB. A worker that reaches the limit is ended by Node and reported.
 */
export const WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 768, maxYoungGenerationSizeMb: 64 };

/** The node build's analysis worker: dist/worker.js on a worker thread, with `limits`. */
export function nodeWorkerFactory(workerPath: string, limits: ResourceLimits = WORKER_LIMITS): WorkerFactory {
  return (events) => {
    const worker = new Worker(workerPath, { name: 'gradlens-analysis', resourceLimits: limits });
    let terminated = false;
    worker.on('message', (m: WorkerResponse) => events.message(m));
    worker.on('error', (e: Error & { code?: string }) => events.error(e, e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? (limits.maxOldGenerationSizeMb ?? 0) : undefined));
    worker.on('exit', (code) => {
      if (!terminated) events.exit(code);
    });
    return {
      post: (request) => worker.postMessage(request),
      terminate: () => {
        terminated = true;
        void worker.terminate();
      },
    };
  };
}
