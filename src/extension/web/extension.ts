/**
 * The browser build's entry (package.json `browser`, bundled as dist/web/extension.js) for
 * vscode.dev, github.dev and Codespaces in a browser: the same extension as the node build
 * (activate.ts) with the analysis in a Web Worker (dist/web/worker.js) and `load_csv` reading
 * through `workspace.fs` (files.ts). No Node API is reachable from here (a test checks the bundle).
 */
import * as vscode from 'vscode';
import { activateWith, type GradLensApi } from '../activate';
import type { Platform } from '../platform';
import { WebFiles } from './files';
import { webWorkerFactory } from './webWorkerPort';

/** The browser build's Platform; `files` keeps the texts of the last files read (WebFiles). */
function webPlatform(files: WebFiles): Platform {
  return {
    kind: 'web',
    description: 'browser build: the analysis runs in a Web Worker',
    // What a web worker extension host is: no Node `process`, a worker global scope (importScripts).
    host: () =>
      typeof (globalThis as { process?: unknown }).process === 'undefined' && typeof (globalThis as { importScripts?: unknown }).importScripts === 'function'
        ? 'a web worker extension host'
        : 'an extension host that is not a web worker',
    workerFactory: (context, log) => webWorkerFactory(vscode.Uri.joinPath(context.extensionUri, 'dist', 'web', 'worker.js'), log),
    fileFields: (document, text) => files.fields(document, text),
  };
}

export function activate(context: vscode.ExtensionContext): GradLensApi {
  return activateWith(context, webPlatform(new WebFiles()));
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
