/**
 * The browser build's analysis worker (bundled as dist/web/worker.js): workerCore.ts in a Web
 * Worker. It has no file system: `load_csv` reads what the extension host read for the request
 * through `workspace.fs` (web/files.ts), under the same trust and confinement rules.
 */
import { WorkerCore, readerOfContents } from '../workerCore';
import type { WorkerRequest, WorkerResponse } from '../workerProtocol';

interface WorkerScope {
  onmessage: ((e: { data: WorkerRequest }) => void) | null;
  postMessage(m: WorkerResponse): void;
}

const scope = globalThis as unknown as WorkerScope;
const core = new WorkerCore({ post: (m) => scope.postMessage(m), readerFor: (r) => readerOfContents(r.contents) });
scope.onmessage = (e) => core.handle(e.data);
// The core is loaded: the host starts the running job's time limit again from here.
scope.postMessage({ type: 'ready' });
