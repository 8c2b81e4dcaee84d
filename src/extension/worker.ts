/**
 * The analysis worker thread (bundled as dist/worker.js). It owns the core: mathjs, the evaluator
 * and the worked-solution writer are loaded here, never on the extension host's thread. One
 * request at a time; a stuck analysis is ended from outside with worker.terminate().
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { workedSolution } from '../core/explain/solution';
import { analyze, analyzeFull } from '../core/index';
import { ProgressBatcher } from './progressModel';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

/** Files next to the document (`load_csv`), at most 64 MB; anything unreadable is undefined (a diagnostic). */
function readerIn(folder: string): (relativePath: string) => string | undefined {
  return (relativePath) => {
    try {
      const path = resolve(folder, relativePath);
      if (statSync(path).size > 64 * 1024 * 1024) return undefined;
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
}

/** Why a training stopped when the user ran "GradLens: Stop Training" (the `train` CodeLens and diagnostic quote it). */
const STOPPED_BY_USER = 'by the user (GradLens: Stop Training)';

const port = parentPort;
if (port) {
  port.on('message', (request: WorkerRequest) => {
    const started = performance.now();
    let response: WorkerResponse;
    try {
      const options = {
        languageId: request.languageId,
        budget: request.budget,
        checkTolerance: request.checkTolerance,
        readFile: request.folder ? readerIn(request.folder) : undefined,
      };
      if (request.type === 'solution') {
        const full = analyzeFull(request.text, { ...options, digits: request.digits });
        const markdown = workedSolution(full, { format: 'md', title: request.title, digits: request.digits });
        response = { type: 'solution', id: request.id, markdown, ms: performance.now() - started };
      } else {
        // Training epochs go out as they finish (batched when they come faster than every 20 ms),
        // so the panel and the status bar can follow the training before the result.
        const id = request.id;
        const batcher = new ProgressBatcher((body) => port.postMessage({ type: 'progress', id, ...body } satisfies WorkerResponse));
        const stop = request.stop ? new Int32Array(request.stop) : undefined;
        const analysis = analyze(request.text, {
          ...options,
          trainingBudget: request.trainingBudget,
          trainingTimeLimit: request.trainingTimeLimit,
          shouldStop: stop ? () => (Atomics.load(stop, 0) !== 0 ? STOPPED_BY_USER : undefined) : undefined,
          onProgress: (_epoch, _loss, p) => batcher.add({ line: p.line, epoch: p.epoch, epochs: p.epochs, loss: p.loss, metric: p.metric, steps: p.steps }),
        });
        response = { type: 'result', id: request.id, analysis, ms: performance.now() - started };
      }
    } catch (e) {
      // The core promises not to throw on user input; if it does, the editor shows it as a diagnostic.
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      response = { type: 'failure', id: request.id, message };
    }
    port.postMessage(response);
  });
}
