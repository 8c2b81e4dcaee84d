import type { Analysis } from '../core/analysis';
import type { ProgressBody } from './progressModel';
import type { DataRef, FullItem } from './valuePreview';
import type { Refusal } from './fileAccess';
import type { Diagnostic } from '../core/diagnostics';
import type { StudentKey } from '../core/assign/index';
import type { Roster } from './roster';

/** Messages between the extension host and the analysis worker (dist/worker.js). */
export interface AnalyzeRequest {
  readonly type: 'analyze';
  readonly id: number;
  readonly text: string;
  readonly languageId: 'nn' | 'markdown' | 'python';
  readonly budget: number;
  readonly checkTolerance: number;
  /** AnalyzeOptions.trainingBudget (the editor: Infinity) and trainingTimeLimit (ms). */
  readonly trainingBudget?: number;
  readonly trainingTimeLimit?: number;
  /** The document's folder on disk (file: documents only): `load_csv` reads relative to it. */
  readonly folder?: string;
  /** A notebook's program: each cell's end offset (its last expression is displayed, as Jupyter's Out). */
  readonly cellEnds?: readonly number[];
  /** Where `load_csv` may read (fileAccess.ts); without it, and without `folder`, nothing is read. */
  readonly files?: FileAccess;
  /**
   * The document (its URI): the worker keeps the full data of this request's analysis under it
   * (the latest per document) for `data` requests; the host gets previews (valuePreview.ts).
   */
  readonly key?: string;
  /**
   * Milliseconds from the end of evaluation after which the later stages (derivations, hovers,
   * graph) stop where they are (AnalyzeOptions.laterStagesMs): set below the host's time limit so the
   * worker usually finishes by itself, with an `analysis.time-limit` note on the statement.
   */
  readonly deadlineMs?: number;
  /**
   * The browser build: what the extension host read through `workspace.fs` for the paths the
   * document's `load_csv` calls name (web/files.ts), under the same policy (fileAccess.ts). The
   * worker reads nothing else; a path not here is not found.
   */
  readonly contents?: FileContents;
  /**
   * Stop Training without shared memory (the browser build): the analysis is run again and its
   * trainings stop, as "by the user", once this many steps (all trainings, in document order) ran.
   */
  readonly stopAfterSteps?: number;
  /**
   * Four shared bytes (an Int32 at 0): the extension host stores 1 there for "GradLens: Stop
   * Training", and the worker's training, which polls it before every step, stops where it is —
   * the message queue cannot reach a worker busy in a synchronous analysis. With eight bytes,
   * the worker stores the line it is evaluating + 1 at Int32 index 1 (0: none yet), which the
   * host reads when it has to end the worker (time or memory limit).
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
  readonly files?: FileAccess;
  readonly contents?: FileContents;
}

/**
 * "Preview Assignment as Student…" (issue #14): with `student`, that student's handout and variant
 * (with its key) of the source `text`; without, the roster (`roster.csv` in `folder`, read under
 * the file-access policy like `load_csv`). The assignment code stays in the worker.
 */
export interface AssignRequest {
  readonly type: 'assign';
  readonly id: number;
  readonly text: string;
  readonly kind: 'markdown' | 'nn';
  readonly student?: string;
  readonly folder?: string;
  readonly files?: FileAccess;
  readonly contents?: FileContents;
}

export type AssignResult =
  | { readonly roster: Roster | undefined }
  | { readonly handout: string; readonly variant: string; readonly key: StudentKey; readonly diagnostics: Diagnostic[] };

/** Path as the document wrote it → its text, or why it was refused. */
export type FileContents = Readonly<Record<string, { readonly text: string } | { readonly refusal: Refusal }>>;

/**
 * What the host allows a document to read: the folders (the document's workspace folder, or its
 * own folder) and whether the workspace is trusted. The worker resolves the folders' real paths.
 */
export interface FileAccess {
  readonly roots: readonly string[];
  readonly trusted: boolean;
}

/** The full data of one item of an analysis the worker kept (`analysis`: the `analyze` request's id). */
export interface DataRequest {
  readonly type: 'data';
  readonly id: number;
  readonly key: string;
  readonly analysis: number;
  readonly ref: DataRef;
}

export type WorkerRequest = AnalyzeRequest | SolutionRequest | DataRequest | AssignRequest;

/** Posted while an `analyze` request trains (issue #8): its epochs since the previous message. */
export interface ProgressMessage extends ProgressBody {
  readonly type: 'progress';
  readonly id: number;
}

/**
 * `progress` messages come before the request's one `result` (or `failure`); a `stage` (the
 * analysis so far, as previews: values and diagnostics once evaluation is done, then with the
 * derivations, then the hovers; `analysis.stage` says which) comes as each stage completes,
 * before the `result`: a time limit keeps the latest.
 */
export type WorkerResponse =
  /** Posted once, when the worker has loaded the core: a job's time limit counts from here (not the worker's start-up). */
  | { readonly type: 'ready' }
  | ProgressMessage
  | { readonly type: 'stage'; readonly id: number; readonly analysis: Analysis }
  | { readonly type: 'data'; readonly id: number; readonly item?: FullItem }
  | { readonly type: 'result'; readonly id: number; readonly analysis: Analysis; readonly ms: number }
  | { readonly type: 'solution'; readonly id: number; readonly markdown: string; readonly ms: number }
  | { readonly type: 'assigned'; readonly id: number; readonly result: AssignResult; readonly ms: number }
  | { readonly type: 'failure'; readonly id: number; readonly message: string };
