/**
 * The node build's analysis worker thread (bundled as dist/worker.js): workerCore.ts on a
 * worker_threads port, reading `load_csv` files from the document's folder. One request at a
 * time; a stuck analysis is ended from outside with worker.terminate().
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { handleRequest, readerOfFiles } from './workerCore';
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

const port = parentPort;
if (port) {
  port.on('message', (request: WorkerRequest) =>
    handleRequest(request, {
      post: (m: WorkerResponse) => port.postMessage(m),
      readerFor: (r) => (r.files ? readerOfFiles(r.files) : r.folder ? readerIn(r.folder) : undefined),
    }),
  );
}
