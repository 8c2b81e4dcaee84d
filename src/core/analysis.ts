import type { Diagnostic } from './diagnostics';
import type { Span } from './span';

/**
 * The result of analysing one document: everything the CLI, the editor and the panel show.
 * Plain data (structured-clone safe: no functions, no class instances) so it can cross from
 * the analysis worker to the extension host. Spans are offsets into the analysed text; the
 * editor converts them to positions in one place.
 */
export interface Analysis {
  readonly version: 1;
  readonly diagnostics: Diagnostic[];
  readonly values: ValueInfo[];
  readonly gradients: GradientInfo[];
  readonly checks: CheckInfo[];
  readonly expectations: ExpectationInfo[];
  readonly networks: NetworkInfo[];
  /** Hover material: every name, operator, built-in and layer with what to say about it. */
  readonly symbols: SymbolInfo[];
  /** The statement-level graph, for the panel. */
  readonly graph: GraphInfo;
  readonly stats: AnalysisStats;
  /** One record per `train` statement that ran (docs/training.md); in Python, per optimiser that stepped (docs/python.md). */
  readonly trainings?: TrainingInfo[];
  /** The output of each `print(…)` that ran, in order (absent when none did); in Python, at the module-level statement that printed (docs/python.md). */
  readonly prints?: PrintInfo[];
  /** Set when the document has grading marks (`assignment`, `question`, `answer`…; docs/grading.md). */
  readonly assignment?: AssignmentInfo;
  /**
   * Set on a partial analysis delivered by AnalyzeOptions.onStage: the last stage it contains
   * ('values': values and every diagnostic of evaluation, but no derivations, hovers or graph
   * yet). Absent on the complete analysis.
   */
  readonly stage?: AnalysisStage;
}

/** What one `print(expr, …)` printed: its text (one or more lines, Python's layout) and where. */
export interface PrintInfo {
  /** The `print(…)` statement. */
  readonly span: Span;
  /** 0-based line of the statement. */
  readonly line: number;
  readonly text: string;
}

/**
 * The stages of an analysis, in the order they are computed and delivered: values and
 * diagnostics first, so that a time limit or an expression too deep to write out costs only
 * the later ones (docs/security.md).
 */
export const ANALYSIS_STAGES = ['values', 'derivations', 'hovers', 'graph'] as const;
export type AnalysisStage = (typeof ANALYSIS_STAGES)[number];

/** What a `train` statement did: the loss and metric curves and how far it got. */
export interface TrainingInfo {
  /** 0-based line of the `train` keyword. */
  readonly line: number;
  readonly span: Span;
  /** Networks and `param` names trained, as written. */
  readonly targets: string[];
  /** The optimiser with every setting, PyTorch-style: `SGD(lr=0.1, momentum=0.9, …)`. */
  readonly optimizer: string;
  /** Per epoch: the mean of the minibatch losses weighted by batch size (the last entry may be a partial epoch). */
  readonly losses: number[];
  /** Per epoch, like `losses`, for the `metric` clause (empty without one). */
  readonly metrics: number[];
  /** The loss of every optimiser step, before its update. */
  readonly stepLosses: number[];
  /** Completed epochs. */
  readonly epochs: number;
  /** Optimiser steps taken. */
  readonly steps: number;
  /** Examples per epoch and per minibatch (0 and 0 without data). */
  readonly examples: number;
  readonly batch: number;
  /** Wall time of the training in milliseconds. */
  readonly ms: number;
  /** Set when training stopped before the requested epochs/steps (budget, NaN, error): why. */
  readonly stopped?: string;
}

export interface AnalysisStats {
  /** Tape nodes created. */
  readonly nodes: number;
  /** Work units spent (elements + multiply-accumulates). */
  readonly work: number;
  /** Set when the work budget stopped evaluation: what was skipped and why. */
  readonly skipped?: string;
}

/**
 * Set beside a `data` array that holds only its first elements (the editor's worker posts
 * previews to the extension host, issue #15): statistics of the whole tensor. The full data is
 * fetched on demand. Absent when `data` is complete.
 */
export interface DataSummary {
  /** Elements of the whole tensor (`data` holds the first few). */
  readonly count: number;
  /** Over the finite elements (NaN when there are none). */
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** NaN and ±Infinity elements. */
  readonly nonFinite: number;
}

export interface ValueInfo {
  readonly name: string;
  /** 0-based line of the statement. */
  readonly line: number;
  /** The statement's span and the bound name's span. */
  readonly span: Span;
  readonly nameSpan: Span;
  readonly shape: number[];
  readonly data: number[];
  readonly isParam: boolean;
  readonly isLeaf: boolean;
  /** Gradients requested of this binding (by grad statements), rendered. */
  readonly grads?: { readonly of: string; readonly shape: number[]; readonly data: number[]; readonly summary?: DataSummary }[];
  /** Set when `data` is a preview (DataSummary). */
  readonly summary?: DataSummary;
  /** `float32` for a PyTorch tensor (PyTorch keeps float32; GradLens computes in float64). */
  readonly dtype?: 'float32';
}

export interface GradientInfo {
  readonly of: string;
  /** As the user wrote it. */
  readonly wrt: string;
  readonly line: number;
  readonly span: Span;
  readonly wrtSpan: Span;
  readonly shape: number[];
  readonly data: number[];
  /** The chain-rule derivation, Markdown with Unicode math (hovers cannot render LaTeX). */
  readonly derivation?: string;
  /** The same derivation as LaTeX (an `aligned` body), for the panel's KaTeX. */
  readonly derivationTex?: string;
  /** Set when `data` is a preview (DataSummary). */
  readonly summary?: DataSummary;
}

export interface CheckInfo {
  readonly of: string;
  readonly wrt: string;
  readonly line: number;
  readonly span: Span;
  readonly maxRelError: number;
  readonly passed: boolean;
  readonly kinks: number;
  readonly tolerance: number;
}

export interface ExpectationInfo {
  readonly line: number;
  readonly span: Span;
  readonly passed: boolean;
  readonly maxError: number;
  readonly tolerance: number;
  readonly left: { readonly text: string; readonly shape: number[]; readonly data: number[]; readonly summary?: DataSummary };
  readonly right: { readonly text: string; readonly shape: number[]; readonly data: number[]; readonly summary?: DataSummary };
  /**
   * When the expectation fails: the misconceptions that reproduce the answer, most specific
   * first, or one `carried-forward` entry (docs/misconceptions.md). Empty when none match.
   */
  readonly diagnosis?: ExpectationDiagnosis[];
}

/** One named misconception (or carried-forward error) behind a failed expectation. */
export interface ExpectationDiagnosis {
  /** A catalogue code (`missing-path`, `forgot-bias`, …) or `carried-forward`. */
  readonly code: string;
  readonly message: string;
  /** Where in the graph or network the misconception changes something. */
  readonly span?: Span;
  /** The step the misconception changes: as it should be, and as the misconception has it. */
  readonly step?: { readonly correct: string; readonly changed: string };
}

/** A size that may be symbolic: a number, or a string such as `"N"` or `"1024·N"`. */
export type SizeValue = number | string;

export interface LayerInfo {
  readonly index: number;
  readonly label: string | null;
  readonly type: string;
  readonly line: number;
  readonly span: Span;
  readonly inputShape: SizeValue[];
  readonly outputShape: SizeValue[];
  readonly outputSize: SizeValue;
  readonly params: number;
  readonly paramFormula: string;
  readonly macs: SizeValue;
  readonly multAdds: SizeValue;
  /** Nested network (composition, Residual). */
  readonly children?: LayerInfo[];
  /** state_dict names of this layer's parameters with their shapes. */
  readonly parameters?: { readonly name: string; readonly shape: number[] }[];
  readonly buffers?: { readonly name: string; readonly shape: number[] }[];
}

export interface NetworkInfo {
  readonly name: string;
  readonly line: number;
  readonly span: Span;
  readonly params: number;
  readonly trainableParams: number;
  readonly buffers: number;
  readonly inputShape: SizeValue[];
  readonly outputShape: SizeValue[];
  readonly totalMacs: SizeValue;
  readonly totalMultAdds: SizeValue;
  /** Bytes of parameters (+ buffers) and of activations (forward outputs), per dtype. */
  readonly memory: {
    readonly float32: { readonly params: number; readonly activations: SizeValue };
    readonly float64: { readonly params: number; readonly activations: SizeValue };
  };
  readonly layers: LayerInfo[];
  /** The parameter-count formula for the whole network ("(30 + 1) × 1024 + …"). */
  readonly paramFormula: string;
}

export type SymbolKind = 'binding' | 'reference' | 'operator' | 'builtin' | 'layer' | 'network' | 'keyword';

export interface SymbolInfo {
  readonly span: Span;
  readonly kind: SymbolKind;
  readonly name: string;
  /** Hover text: Markdown with Unicode math. */
  readonly detail: string;
}

export interface GraphNode {
  readonly id: number;
  readonly name: string;
  readonly op: string;
  readonly line: number;
  readonly span: Span;
  readonly shape: number[];
  readonly value: number[];
  readonly grad?: number[];
  /**
   * ∂OUT/∂(this binding) for every output OUT of a `grad` line whose backward pass reached it
   * (it lies on a path to OUT), OUT in source order: micrograd's draw_dot shows grad on every node.
   */
  readonly grads?: { readonly of: string; readonly data: number[] }[];
  readonly isParam: boolean;
  /**
   * The tape operations inside this statement (the panel expands the node into them), in
   * creation order (inputs first; the last entry is the statement's value). Absent when the
   * statement has no operation or more than GRAPH_OPS_PER_STATEMENT, or past GRAPH_OPS_TOTAL.
   */
  readonly ops?: GraphOp[];
}
/** An input of a GraphOp: another entry of the same `ops` list, or another binding's node. */
export type GraphOpInput = { readonly op: number } | { readonly node: number };
/** One tape node inside a statement: an operation, or a constant / leaf it reads. */
export interface GraphOp {
  /** The op's display name (`·`, `ReLU`, `@`); for leaves `const`, `param`, `leaf`. */
  readonly op: string;
  /** The op's tape name (`mul`, `relu`, `matmul`); absent for leaves. */
  readonly name?: string;
  readonly kind: 'op' | 'const' | 'param' | 'leaf';
  readonly shape: number[];
  /** The value, for tensors of at most 16 elements. */
  readonly value?: number[];
  /** The adjoint from the first `grad` request whose backward pass reached this node (≤ 16 elements). */
  readonly grad?: number[];
  readonly inputs: GraphOpInput[];
}
export const GRAPH_OPS_PER_STATEMENT = 40;
export const GRAPH_OPS_TOTAL = 2000;
export interface GraphEdge {
  readonly from: number;
  readonly to: number;
  /** The local derivative ∂to/∂from, as text and (for scalars) as a number. */
  readonly local?: string;
  readonly localValue?: number;
}
export interface GraphInfo {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
}

/** A document's assignment: its questions and answers (docs/grading.md). */
export interface AssignmentInfo {
  /** From `assignment "NAME"`. */
  readonly name?: string;
  /** From `assignment … seed N` (the instructor's source only; handouts do not carry it). */
  readonly seed?: number;
  /** A `handout student "ID"` line: this is a student's handout or submission (answers hidden). */
  readonly handout: boolean;
  /** `handout … released`: worked solutions may be shown. */
  readonly released: boolean;
  readonly student?: string;
  readonly questions: QuestionInfo[];
  /** Points of all questions. */
  readonly maxPoints: number;
}

export interface QuestionInfo {
  readonly id: string;
  readonly points: number;
  /** The share of the points an answer carried forward from the student's own earlier mistake earns (0 to 1). */
  readonly carry: number;
  /** 0-based line of the `question` statement. */
  readonly line: number;
  readonly span: Span;
  readonly answers: AnswerInfo[];
}

/** `correct`/`wrong`: checked against the key (source) or the self-check (handout); `unchecked`: no key nor self-check here. */
export type AnswerStatus = 'correct' | 'wrong' | 'blank' | 'unchecked';

export interface AnswerInfo {
  /** QUESTION.N, N counting the question's answers from 1 (`T1.2`). */
  readonly id: string;
  readonly line: number;
  readonly span: Span;
  /** The quantity asked for, as written (`grad(z, w0)`). */
  readonly exprText: string;
  readonly exprSpan: Span;
  /** `== …` as written (absent in the source). */
  readonly givenSpan?: Span;
  /** The key, row-major (the instructor's source only: never in a handout). */
  readonly key?: number[];
  readonly keyShape?: number[];
  readonly tolerance: { readonly kind: 'rel' | 'abs' | 'sigfig' | 'decdig'; readonly value: number };
  /** The student's number(s), or 'blank' for `== ?`. */
  readonly student?: number[] | 'blank';
  readonly status: AnswerStatus;
  /** What settled the status. */
  readonly checkedBy?: 'key' | 'selfcheck';
  /** When wrong: the misconceptions that reproduce the student's answer, or one `carried-forward` entry. */
  readonly diagnosis?: ExpectationDiagnosis[];
}
