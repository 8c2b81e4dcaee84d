import type { Analysis } from '../core/analysis';

/** Messages between the extension host and the analysis worker (dist/worker.js). */
export interface AnalyzeRequest {
  readonly type: 'analyze';
  readonly id: number;
  readonly text: string;
  readonly languageId: 'nn' | 'markdown';
  readonly budget: number;
  readonly checkTolerance: number;
}

export type WorkerResponse =
  | { readonly type: 'result'; readonly id: number; readonly analysis: Analysis; readonly ms: number }
  | { readonly type: 'failure'; readonly id: number; readonly message: string };
