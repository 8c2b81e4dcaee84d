/**
 * The analysis worker thread (bundled as dist/worker.js). It owns the core: mathjs, the evaluator
 * and the worked-solution writer are loaded here, never on the extension host's thread. One
 * request at a time; a stuck analysis is ended from outside with worker.terminate().
 */
import { parentPort } from 'node:worker_threads';
import { workedSolution } from '../core/explain/solution';
import type { Analysis } from '../core/analysis';
import { analyze, analyzeFull } from '../core/index';
import { policyReader, realFolder } from './fileAccessNode';
import { ProgressBatcher } from './progressModel';
import { fullItem, previewAnalysis } from './valuePreview';
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

/** The full analyses behind the previews the host has, the latest per document (at most KEEP documents). */
const kept = new Map<string, { readonly id: number; readonly analysis: Analysis }>();
const KEEP = 8;
function keep(key: string, id: number, analysis: Analysis): void {
  kept.delete(key);
  kept.set(key, { id, analysis });
  if (kept.size > KEEP) kept.delete(kept.keys().next().value!);
}

/** Why a training stopped when the user ran "GradLens: Stop Training" (the `train` CodeLens and diagnostic quote it). */
const STOPPED_BY_USER = 'by the user (GradLens: Stop Training)';

const port = parentPort;
if (port) {
  port.on('message', (request: WorkerRequest) => {
    const started = performance.now();
    let response: WorkerResponse;
    if (request.type === 'data') {
      // The full data of an item of a kept analysis; nothing when that analysis was replaced (or the worker restarted).
      const k = kept.get(request.key);
      const item = k && k.id === request.analysis ? fullItem(k.analysis, request.ref) : undefined;
      port.postMessage({ type: 'data', id: request.id, ...(item ? { item } : {}) } satisfies WorkerResponse);
      return;
    }
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
          // The line being evaluated, for the host to name if it must end this worker (slot 1: line + 1).
          onStatement: stop && stop.length > 1 ? (line) => Atomics.store(stop, 1, line + 1) : undefined,
          onProgress: (_epoch, _loss, p) => batcher.add({ line: p.line, epoch: p.epoch, epochs: p.epochs, loss: p.loss, metric: p.metric, steps: p.steps }),
          // Values and diagnostics go out first, then each later stage (derivations, hovers) as it
          // completes: a worker ended by the host's time limit loses only what came after.
          onStage: (_stage, partial) => port.postMessage({ type: 'stage', id, analysis: previewAnalysis(partial) } satisfies WorkerResponse),
          // The later stages stop by themselves before the host's limit (analysis.time-limit on the statement).
          ...(request.deadlineMs !== undefined ? { deadline: Date.now() + request.deadlineMs } : {}),
        });
        if (request.key !== undefined) keep(request.key, id, analysis);
        response = { type: 'result', id: request.id, analysis: previewAnalysis(analysis), ms: performance.now() - started };
      }
    } catch (e) {
      // The core promises not to throw on user input; if it does, the editor shows it as a diagnostic.
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      response = { type: 'failure', id: request.id, message };
    }
    port.postMessage(response);
  });
  // The core is loaded: the host starts the running job's time limit again from here.
  port.postMessage({ type: 'ready' } satisfies WorkerResponse);
}
