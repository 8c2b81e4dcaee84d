import type * as vscode from 'vscode';
import type { WorkerFactory } from './workerPort';
import type { FileAccess, FileContents } from './workerProtocol';

/**
 * Where the request gets `load_csv`'s files: a folder the worker reads under `files`' policy
 * (node), or what the host read itself (web: `contents`).
 */
export interface FileFields {
  readonly folder?: string;
  readonly files?: FileAccess;
  readonly contents?: FileContents;
}

/**
 * What differs between the node build and the browser build. Everything else — the analysis
 * service, lenses, hovers, diagnostics, the panel, commands — is one piece of code.
 */
export interface Platform {
  readonly kind: 'node' | 'web';
  /** A line for the GradLens output channel at activation (the tests read it). */
  readonly description: string;
  /** The extension host found at run time ("a web worker extension host"), for the console line at activation. */
  host(): string;
  workerFactory(context: vscode.ExtensionContext, log: (line: string) => void): WorkerFactory;
  /** What an analysis request of this document carries so that `load_csv` can read. */
  fileFields(document: vscode.TextDocument, text: string): FileFields | Promise<FileFields>;
}
