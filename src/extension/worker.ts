/**
 * The analysis worker thread (bundled as dist/worker.js). It owns the core: mathjs, the evaluator
 * and the worked-solution writer are loaded here, never on the extension host's thread. One
 * request at a time; a stuck analysis is ended from outside with worker.terminate().
 */
import { parentPort } from 'node:worker_threads';
import { workedSolution } from '../core/explain/solution';
import { analyze, analyzeFull } from '../core/index';
import { policyReader, realFolder } from './fileAccessNode';
import { ProgressBatcher } from './progressModel';
import type { FileAccess, WorkerRequest, WorkerResponse } from './workerProtocol';

/**
 * `load_csv`'s reader for a document in `folder`: only regular files inside the allowed folders
 * (symlinks resolved), nothing in an untrusted workspace, at most 64 MB as read (fileAccess.ts).
 */
function readerFor(folder: string, files: FileAccess | undefined): (relativePath: string) => string | undefined {
  const roots = (files?.roots ?? [folder]).map(realFolder).filter((r): r is string => r !== undefined);
  // A request without `files` reads nothing (fails safe).
  return policyReader(folder, { roots, trusted: files?.trusted === true });
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
        readFile: request.folder ? readerFor(request.folder, request.files) : undefined,
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
