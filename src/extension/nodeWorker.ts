import { Worker } from 'node:worker_threads';
import type { WorkerFactory } from './workerPort';
import type { WorkerResponse } from './workerProtocol';

/** The node build's analysis worker: dist/worker.js on a worker thread. */
export function nodeWorkerFactory(workerPath: string): WorkerFactory {
  return (events) => {
    const worker = new Worker(workerPath, { name: 'gradlens-analysis' });
    let terminated = false;
    worker.on('message', (m: WorkerResponse) => events.message(m));
    worker.on('error', (e) => events.error(e));
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
