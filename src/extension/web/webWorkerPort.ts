/**
 * The browser build's analysis worker: dist/web/worker.js in a Web Worker. A web extension host
 * cannot start a worker from an extension's `vscode-remote:` URL (code-server, Codespaces), so
 * the script is read through `workspace.fs` once and started from a blob URL, which works in
 * every web host (vscode.dev, github.dev, code-server). Requests posted before the worker exists
 * wait in order.
 */
import * as vscode from 'vscode';
import type { WorkerFactory, WorkerPort } from '../workerPort';
import type { WorkerRequest, WorkerResponse } from '../workerProtocol';

/** The few Web Worker APIs used here (the project type-checks without the DOM library). */
interface WebWorker {
  onmessage: ((e: { readonly data: WorkerResponse }) => void) | null;
  onerror: ((e: { readonly message?: string; preventDefault(): void }) => void) | null;
  postMessage(m: WorkerRequest): void;
  terminate(): void;
}
interface WebGlobals {
  Worker: new (url: string, options?: { name?: string }) => WebWorker;
  Blob: new (parts: readonly Uint8Array[], options?: { type?: string }) => object;
  URL: { createObjectURL(blob: object): string };
}
const web = globalThis as unknown as WebGlobals;

export function webWorkerFactory(script: vscode.Uri, log: (line: string) => void): WorkerFactory {
  let blobUrl: Promise<string> | undefined;
  const url = () =>
    (blobUrl ??= Promise.resolve(vscode.workspace.fs.readFile(script)).then((bytes) => web.URL.createObjectURL(new web.Blob([bytes], { type: 'text/javascript' }))));
  return (events) => {
    let worker: WebWorker | undefined;
    let terminated = false;
    const waiting: WorkerRequest[] = [];
    url().then(
      (u) => {
        if (terminated) return;
        const w = new web.Worker(u, { name: 'gradlens-analysis' });
        w.onmessage = (e) => events.message(e.data);
        w.onerror = (e) => {
          e.preventDefault();
          events.error(new Error(e.message || 'the analysis worker failed'));
        };
        for (const r of waiting.splice(0)) w.postMessage(r);
        worker = w;
      },
      (e: unknown) => {
        blobUrl = undefined;
        log(`could not start the analysis worker from ${script.toString(true)}: ${e instanceof Error ? e.message : String(e)}`);
        if (!terminated) events.error(e instanceof Error ? e : new Error(String(e)));
      },
    );
    const port: WorkerPort = {
      post: (request) => {
        if (worker) worker.postMessage(request);
        else waiting.push(request);
      },
      terminate: () => {
        terminated = true;
        worker?.terminate();
      },
    };
    return port;
  };
}
