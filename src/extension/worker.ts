/**
 * The analysis worker thread (bundled as dist/worker.js). It owns the core: mathjs and the
 * evaluator are loaded here, never on the extension host's thread. One request at a time;
 * a stuck analysis is ended from outside with worker.terminate().
 */
import { parentPort } from 'node:worker_threads';
import { analyze } from '../core/index';
import type { AnalyzeRequest, WorkerResponse } from './workerProtocol';

const port = parentPort;
if (port) {
  port.on('message', (request: AnalyzeRequest) => {
    const started = performance.now();
    let response: WorkerResponse;
    try {
      const analysis = analyze(request.text, {
        languageId: request.languageId,
        budget: request.budget,
        checkTolerance: request.checkTolerance,
      });
      response = { type: 'result', id: request.id, analysis, ms: performance.now() - started };
    } catch (e) {
      // The core promises not to throw on user input; if it does, the editor shows it as a diagnostic.
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      response = { type: 'failure', id: request.id, message };
    }
    port.postMessage(response);
  });
}
