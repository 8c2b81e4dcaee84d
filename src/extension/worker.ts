/**
 * The node build's analysis worker thread (bundled as dist/worker.js): workerCore.ts on a
 * worker_threads port, reading `load_csv` files on disk under the policy of fileAccess.ts. One
 * request at a time; a stuck analysis is ended from outside with worker.terminate().
 */
import { parentPort } from 'node:worker_threads';
import { policyReader, realFolder } from './fileAccessNode';
import { WorkerCore, readerOfContents } from './workerCore';
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

const port = parentPort;
if (port) {
  const core = new WorkerCore({
    post: (m: WorkerResponse) => port.postMessage(m),
    readerFor: (r) => (r.contents ? readerOfContents(r.contents) : r.folder ? readerFor(r.folder, r.files) : undefined),
  });
  port.on('message', (request: WorkerRequest) => core.handle(request));
  // The core is loaded: the host starts the running job's time limit again from here.
  port.postMessage({ type: 'ready' } satisfies WorkerResponse);
}
