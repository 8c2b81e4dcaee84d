import type { Analysis } from '../core/analysis';

/** Messages between the extension host and the analysis worker (dist/worker.js). */
export interface AnalyzeRequest {
  readonly type: 'analyze';
  readonly id: number;
  readonly text: string;
  readonly languageId: 'nn' | 'markdown';
  readonly budget: number;
  readonly checkTolerance: number;
  /** The document's folder on disk (file: documents only): `load_csv` reads relative to it. */
  readonly folder?: string;
}

/** A worked solution (issue #7) of a text, as Markdown: the solution code stays in the worker. */
export interface SolutionRequest {
  readonly type: 'solution';
  readonly id: number;
  readonly text: string;
  readonly languageId: 'nn' | 'markdown';
  readonly budget: number;
  readonly checkTolerance: number;
  readonly title?: string;
  readonly digits: number;
  readonly folder?: string;
}

export type WorkerRequest = AnalyzeRequest | SolutionRequest;

export type WorkerResponse =
  | { readonly type: 'result'; readonly id: number; readonly analysis: Analysis; readonly ms: number }
  | { readonly type: 'solution'; readonly id: number; readonly markdown: string; readonly ms: number }
  | { readonly type: 'failure'; readonly id: number; readonly message: string };
