/**
 * What the analysis worker does with one request, for both builds: the node build's worker
 * thread (worker.ts) and the browser build's Web Worker (web/webWorker.ts) are thin shells
 * around this. It owns the core: mathjs, the evaluator and the worked-solution writer are loaded
 * in the worker, never on the extension host's thread. No Node API here.
 */
import { workedSolution } from '../core/explain/solution';
import { analyze, analyzeFull } from '../core/index';
import { ProgressBatcher } from './progressModel';
import type { WorkerRequest, WorkerResponse } from './workerProtocol';

/** Why a training stopped when the user ran "GradLens: Stop Training" (the `train` CodeLens and diagnostic quote it). */
export const STOPPED_BY_USER = 'by the user (GradLens: Stop Training)';

export interface WorkerSide {
  post(response: WorkerResponse): void;
  /** `load_csv`'s reader for this request (undefined: the document has no files to read). */
  readerFor(request: WorkerRequest): ((relativePath: string) => string | undefined) | undefined;
}

/** Files the host read for the request (the browser build: see web/files.ts). */
export function readerOfFiles(files: Readonly<Record<string, string>> | undefined): ((relativePath: string) => string | undefined) | undefined {
  if (!files) return undefined;
  return (relativePath) => (Object.prototype.hasOwnProperty.call(files, relativePath) ? files[relativePath] : undefined);
}

export function handleRequest(request: WorkerRequest, side: WorkerSide): void {
  const started = performance.now();
  let response: WorkerResponse;
  try {
    const options = {
      languageId: request.languageId,
      budget: request.budget,
      checkTolerance: request.checkTolerance,
      readFile: side.readerFor(request),
    };
    if (request.type === 'solution') {
      const full = analyzeFull(request.text, { ...options, digits: request.digits });
      const markdown = workedSolution(full, { format: 'md', title: request.title, digits: request.digits });
      response = { type: 'solution', id: request.id, markdown, ms: performance.now() - started };
    } else {
      // Training epochs go out as they finish (batched when they come faster than every 20 ms),
      // so the panel and the status bar can follow the training before the result.
      const id = request.id;
      const batcher = new ProgressBatcher((body) => side.post({ type: 'progress', id, ...body }));
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
  side.post(response);
}
