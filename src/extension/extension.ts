/**
 * The node build's entry (package.json `main`, bundled as dist/extension.js): the analysis runs
 * on a worker thread (dist/worker.js) and `load_csv` reads next to the document on disk. The
 * browser build's entry is web/extension.ts; both activate through activate.ts.
 */
import * as vscode from 'vscode';
import { activateWith, type GradLensApi } from './activate';
import { nodeWorkerFactory } from './nodeWorker';
import type { Platform } from './platform';

export type { GradLensApi, GradLensReport } from './activate';

const nodePlatform: Platform = {
  kind: 'node',
  description: 'node build: the analysis runs on a worker thread',
  host: () => `the Node extension host (Node ${process.versions.node})`,
  workerFactory: (context) => nodeWorkerFactory(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath),
  fileFields: (document) => {
    // The folder of a document on disk, where `load_csv` looks; none for untitled or virtual documents.
    if (document.uri.scheme !== 'file') return {};
    const folder = vscode.Uri.joinPath(document.uri, '..').fsPath;
    // What it may read (docs/security.md): files inside its workspace folder (without one, inside
    // its own folder), and nothing while the workspace is not trusted. The worker applies it.
    const ws = vscode.workspace.getWorkspaceFolder(document.uri);
    const root = ws && ws.uri.scheme === 'file' ? ws.uri.fsPath : folder;
    return { folder, files: { roots: [root], trusted: vscode.workspace.isTrusted } };
  },
};

export function activate(context: vscode.ExtensionContext): GradLensApi {
  return activateWith(context, nodePlatform);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
