import type { Analysis } from '../core/analysis';
import type { ProgressBody } from './progressModel';

/** Messages between the extension host and the analysis worker (dist/worker.js). */
export interface AnalyzeRequest {
  readonly type: 'analyze';
  readonly id: number;
  readonly text: string;
  readonly languageId: 'nn' | 'markdown' | 'python';
  readonly budget: number;
  readonly checkTolerance: number;
  /** The document's folder on disk (file: documents only): `load_csv` reads relative to it. */
  readonly folder?: string;
  /**
   * Four shared bytes (an Int32 at 0): the extension host stores 1 there for "GradLens: Stop
   * Training", and the worker's training, which polls it before every step, stops where it is —
   * the message queue cannot reach a worker busy in a synchronous analysis.
   */
  readonly stop?: SharedArrayBuffer;
}

/** A worked solution (issue #7) of a text, as Markdown: the solution code stays in the worker. */
export interface SolutionRequest {
  readonly type: 'solution';
  readonly id: number;
  readonly text: string;
  readonly languageId: 'nn' | 'markdown' | 'python';
  readonly budget: number;
  readonly checkTolerance: number;
  readonly title?: string;
  readonly digits: number;
  readonly folder?: string;
}

export type WorkerRequest = AnalyzeRequest | SolutionRequest;

/** Posted while an `analyze` request trains (issue #8): its epochs since the previous message. */
export interface ProgressMessage extends ProgressBody {
  readonly type: 'progress';
  readonly id: number;
}

/** `progress` messages come before the request's one `result` (or `failure`). */
export type WorkerResponse =
  | ProgressMessage
  | { readonly type: 'result'; readonly id: number; readonly analysis: Analysis; readonly ms: number }
  | { readonly type: 'solution'; readonly id: number; readonly markdown: string; readonly ms: number }
  | { readonly type: 'failure'; readonly id: number; readonly message: string };
