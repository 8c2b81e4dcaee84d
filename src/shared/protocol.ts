/**
 * Messages between the extension and the GradLens panel (webview). Discriminated on `type`
 * (as microsoft/vscode-hexeditor's shared/protocol.ts). The webview sends `ready` once its script
 * runs and then receives its state as a message; state is never pasted into the HTML.
 *
 * The panel's state is a view model: numbers are already formatted (at `gradlens.precision`),
 * derivations already LaTeX. The webview never imports core.
 */

/** One binding of the statement graph. */
export interface PanelNode {
  readonly id: number;
  /** Stable across edits: the name and which binding of that name it is (`x1#0`). */
  readonly key: string;
  readonly name: string;
  readonly op: string;
  /** 0-based line in the document. */
  readonly line: number;
  readonly shape: readonly number[];
  /** `0.4`, `[3] [2, 1, 0.1]`. */
  readonly value: string;
  /** The gradient a `grad` line asked for with respect to this binding, formatted. */
  readonly grad?: string;
  /** ∂OUT/∂(this binding), formatted, for every `grad` output OUT whose paths run through it. */
  readonly grads?: readonly { readonly of: string; readonly value: string }[];
  readonly kind: 'param' | 'leaf' | 'op';
  /** The operations inside the statement (the node's expand control shows them), inputs first. */
  readonly ops?: readonly PanelOp[];
}

/** An input of a PanelOp: an entry of the same `ops` list, or another binding's node (its id). */
export type PanelOpInput = { readonly op: number } | { readonly node: number };

/** One tape operation (or a constant / leaf it reads) inside a statement. */
export interface PanelOp {
  /** Display name: `·`, `+`, `ReLU`, `@`; `const` for a literal. */
  readonly op: string;
  readonly kind: 'op' | 'const' | 'param' | 'leaf';
  /** The formatted value (`0.4`, `[3] [2, 1, 0.1]`), or the shape alone for a large tensor (`[32, 1024]`). */
  readonly value: string;
  readonly grad?: string;
  readonly inputs: readonly PanelOpInput[];
}

export interface PanelEdge {
  readonly from: number;
  readonly to: number;
  /** The local derivative ∂to/∂from, as text (`ReLU'(u)·w0`) and its value here (scalars). */
  readonly local?: string;
  readonly localValue?: string;
}

export interface PanelGradient {
  readonly of: string;
  readonly wrt: string;
  readonly line: number;
  readonly value: string;
  /** derivationTex from the core (an `aligned` body), rendered by KaTeX in the webview. */
  readonly tex?: string;
  /** The derivation as the CLI's `explain` prints it (Markdown with Unicode math). */
  readonly markdown?: string;
  /** Misconceptions named by failed `expect grad(of, wrt) == …` lines for this gradient. */
  readonly misconceptions?: PanelMisconception[];
}

export interface PanelCheck {
  readonly kind: 'check' | 'expect';
  readonly line: number;
  readonly passed: boolean;
  /** `check ∂z/∂w0`, `expect grad(z, w0) == -0.2`. */
  readonly label: string;
  /** `rel. error 2.9e-11 (tolerance 1e-6)`, or both sides when an expectation fails. */
  readonly detail: string;
  /** A failed expectation's named misconceptions (or carried-forward error), with the step they change. */
  readonly misconceptions?: PanelMisconception[];
}

/** A misconception behind a wrong answer: the correct step beside the one it changes. */
export interface PanelMisconception {
  readonly code: string;
  readonly message: string;
  readonly correct?: string;
  readonly changed?: string;
}

export interface PanelProblem {
  readonly line: number;
  readonly severity: 'error' | 'warning' | 'info';
  readonly code: string;
  readonly message: string;
}

export interface PanelLayerRow {
  readonly depth: number;
  readonly index: number;
  readonly label: string | null;
  readonly type: string;
  readonly line: number;
  readonly input: string;
  readonly output: string;
  readonly params: string;
  readonly formula: string;
  readonly macs: string;
}

export interface PanelNetwork {
  readonly name: string;
  readonly line: number;
  readonly input: string;
  readonly output: string;
  readonly rows: readonly PanelLayerRow[];
  readonly totals: {
    readonly params: string;
    readonly trainable: string;
    readonly formula: string;
    readonly buffers: string;
    readonly macs: string;
    readonly multAdds: string;
    readonly memory32: string;
    readonly memory64: string;
  };
}

export interface PanelTraining {
  readonly line: number;
  readonly targets: readonly string[];
  readonly optimizer: string;
  readonly losses: readonly number[];
  readonly metrics: readonly number[];
  readonly epochs: number;
  readonly steps: number;
  readonly ms: number;
  readonly stopped?: string;
}

/**
 * A training while it runs (issue #8): its curves so far. Replaces the training of the same line
 * in the state until the state of this version (or a newer one) arrives.
 */
export interface PanelLiveTraining {
  readonly line: number;
  /** `mlp`, `w, b`: as written on the `train` line. */
  readonly targets: string;
  /** The last finished epoch (1-based) of `epochs` (null when only `steps` bounds it). */
  readonly epoch: number;
  readonly epochs: number | null;
  readonly steps: number;
  /** Per epoch so far; a missing epoch is not a finite number (null after JSON). */
  readonly losses: readonly (number | null)[];
  readonly metrics: readonly (number | null)[];
  /** Still reporting (false for the trainings of the job that finished before it). */
  readonly running: boolean;
}

/** What the panel shows about the active document. */
export interface PanelState {
  /** Workspace-relative path; null when no .nn/Markdown document has been active yet. */
  readonly file: string | null;
  /** The document's URI and version this state was computed from. */
  readonly uri: string | null;
  readonly version: number;
  readonly graph: { readonly nodes: readonly PanelNode[]; readonly edges: readonly PanelEdge[] };
  readonly gradients: readonly PanelGradient[];
  readonly checks: readonly PanelCheck[];
  readonly problems: readonly PanelProblem[];
  readonly networks: readonly PanelNetwork[];
  readonly trainings: readonly PanelTraining[];
  /** An assignment's questions (issue #14; absent without `question` lines). */
  readonly questions?: readonly PanelQuestion[];
  /** Set when answers are hidden (a handout, or gradlens.answersHidden): why. */
  readonly hiddenNote?: string;
}

/** A question of an assignment with its answer lines. */
export interface PanelQuestion {
  readonly id: string;
  readonly points: number;
  readonly line: number;
  readonly answers: readonly PanelAnswer[];
}

export interface PanelAnswer {
  readonly id: string;
  readonly line: number;
  /** `grad(z, w0)`. */
  readonly expr: string;
  readonly status: 'correct' | 'wrong' | 'blank' | 'unchecked';
  /** The key, formatted, with its tolerance: the instructor's source or a variant only (never while answers are hidden). */
  readonly key?: string;
  /** The named misconceptions of a wrong answer (`sign-flip`). */
  readonly misconceptions?: readonly string[];
}

export type ExportFormat = 'svg' | 'png' | 'md' | 'csv';

export type ToPanel =
  /** A new analysis (or a newly active document). `seq` is echoed in `rendered`. */
  | { readonly type: 'state'; readonly state: PanelState; readonly seq: number }
  /** The editor's cursor moved: highlight what sits on this line (-1: nothing). */
  | { readonly type: 'cursor'; readonly uri: string; readonly line: number }
  /** Tests and commands: select a gradient as if it had been clicked. */
  | { readonly type: 'select'; readonly of: string; readonly wrt: string }
  /**
   * Training progress of the document `uri` at `version` (at most ten a second). The webview
   * draws the partial curves until a `state` of that version or a newer one arrives; it answers
   * `progressRendered` with the same `seq`.
   */
  | { readonly type: 'progress'; readonly uri: string; readonly version: number; readonly seq: number; readonly trainings: readonly PanelLiveTraining[] };

export type FromPanel =
  | { readonly type: 'ready' }
  /** The `progress` message `seq` is drawn; `epoch` is the highest epoch on screen. */
  | { readonly type: 'progressRendered'; readonly seq: number; readonly epoch: number }
  /** Reveal this line of the panel's document in its editor. */
  | { readonly type: 'reveal'; readonly uri: string; readonly line: number }
  /** Save (or copy) an export: text for svg/md/csv, base64 for png. */
  | { readonly type: 'export'; readonly format: ExportFormat; readonly name: string; readonly content: string; readonly copy?: boolean }
  /** The state `seq` is on screen; how long layout and rendering took. */
  | {
      readonly type: 'rendered';
      readonly seq: number;
      readonly nodes: number;
      /** Dagre's time (0 when the layout was reused). */
      readonly layoutMs: number;
      /** Main-thread time spent on this state (DOM, KaTeX; dagre too when it ran on the main thread). */
      readonly renderMs: number;
      readonly relayout: boolean;
      /** Where dagre ran: the layout worker or, when none could be created, the main thread. */
      readonly layoutIn?: 'worker' | 'main';
      /** Layout requested → layout received (queue, messages, dagre). */
      readonly layoutWaitMs?: number;
      /** State received → the graph of this state drawn. */
      readonly toScreenMs?: number;
    };
