/**
 * The compute core's facade: `analyze(text, options) → Analysis`. Pure (no vscode, DOM or
 * node:* imports); used by the CLI, the editor's analysis worker and the tests.
 */
import './autodiff/ops/index';
import './builtins/index';
import { ANALYSIS_STAGES, type Analysis, type AnalysisStage, type GradientInfo, type GraphInfo, type SymbolInfo, type ValueInfo } from './analysis';
import { boundDiagnostic, error, type Diagnostic } from './diagnostics';
import { Evaluator, type EvalResult } from './eval/evaluator';
import type { Binding } from './eval/values';
import { deriveGradient, derivationMarkdown, derivationTex, type Derivation } from './explain/derive';
import { buildGraph, buildSymbols, isTooDeep, type StageControl } from './explain/symbols';
import type { Span } from './span';
import { markdownPython, markdownSegments } from './syntax/markdown';
import { toNumbers } from './tensor/tensor';
import { parseProgram } from './syntax/parser';
import { readNotebook, type NotebookProgram } from './syntax/notebook';
import { pythonSymbols, runPython, type PythonResult } from './python/run';
import { diagnosisMarkdown } from './diagnose/markdown';
import { clip, mdCode } from './explain/escape';
import { assignmentOf } from './assign/info';

export type { Analysis, AnalysisStage } from './analysis';
export { ANALYSIS_STAGES } from './analysis';
export { LineIndex } from './span';
export { readNotebook, notebookProgram, cellAt, type NotebookProgram, type CellRange, type NotebookCellSource } from './syntax/notebook';
export { analysisForCell } from './notebookAnalysis';
import type { ProgressCallback } from './train/index';
export type { TrainingInfo } from './analysis';
export type { PrintInfo } from './analysis';
export type { ProgressCallback, TrainProgress } from './train/index';
export { sparkline } from './train/index';
/** The misconception engine (docs/misconceptions.md): why a wrong answer is wrong. */
export { contextOf, diagnoseAnswer, quantityOf, type Diagnosis, type Quantity } from './diagnose/index';

export interface AnalyzeOptions {
  /**
   * `markdown` reads the ```nn blocks of a Markdown text as one program; `python` reads the
   * text as a Python file (docs/python.md; the same Analysis, plus `prints`).
   */
  readonly languageId?: 'nn' | 'markdown' | 'python' | string;
  /** Work units (elements + multiply-accumulates) before evaluation stops. Default 2e9. */
  readonly budget?: number;
  /** Default tolerance of `check`. */
  readonly checkTolerance?: number;
  /** Significant digits in hover and derivation text. */
  readonly digits?: number;
  /**
   * Skip hovers, graph and derivations (benchmarks, the CLI's --json); `analyzeFull` then
   * leaves `eval.record.exprNodes` empty. The same as `stages: ['values']`.
   */
  readonly valuesOnly?: boolean;
  /**
   * The stages to compute, of ANALYSIS_STAGES (default all). 'values' — evaluation, values,
   * gradients, checks, expectations, networks and every diagnostic of them — is always computed;
   * 'derivations' fills GradientInfo.derivation; 'hovers' the symbols; 'graph' the graph.
   */
  readonly stages?: readonly AnalysisStage[];
  /**
   * Called after each stage but the last with the analysis so far (`stage` set to the stage it
   * completes): values and diagnostics first, then derivations, hovers and the graph. The editor's
   * worker posts each one, so a time limit that stops the worker costs only the later stages.
   */
  readonly onStage?: (stage: AnalysisStage, analysis: Analysis) => void;
  /**
   * A time (Date.now() milliseconds) after which the later stages stop where they are: what they
   * have is kept, and an `analysis.time-limit` info diagnostic sits on the statement where they
   * stopped. Evaluation itself is bounded by the work budget, not by this.
   */
  readonly deadline?: number;
  /**
   * The same limit counted from the end of evaluation (milliseconds): the later stages get this
   * long however long evaluation — a training limited by its own time — took. `deadline` wins.
   */
  readonly laterStagesMs?: number;
  /**
   * Reads a file relative to the document's folder (`load_csv("data.csv")`); undefined when it
   * does not exist. The core never touches the file system itself.
   */
  readonly readFile?: (relativePath: string) => string | undefined;
  /** Called after every training epoch, e.g. for the editor worker's progress (docs/training.md). */
  readonly onProgress?: ProgressCallback;
  /**
   * Polled before every training step: a reason (`by the user (GradLens: Stop Training)`) stops
   * that training — and any later one — where it is, as the work budget does; the trained
   * parameters so far are kept and the lines after it still run.
   */
  readonly shouldStop?: () => string | undefined;
  /**
   * Work units each `train` statement may spend apart from `budget`, whose count it then leaves
   * as it found it. Default: training shares `budget` (half of what is left when it starts; the
   * CLI). The editor passes Infinity: there training is limited by `trainingTimeLimit` and by
   * Stop Training, not by the work budget.
   */
  readonly trainingBudget?: number;
  /** Milliseconds each `train` statement may run before it stops where it is (`train.stopped`); default none. */
  readonly trainingTimeLimit?: number;
  /**
   * Told the 0-based line of each top-level statement before it runs: a host that must end a
   * slow analysis from outside (the editor's worker, through shared memory) then knows on which
   * line it was cut off.
   */
  readonly onStatement?: (line: number) => void;
  /** Python in notebook cells: each cell's end offset (its last expression is displayed, as Jupyter's Out). */
  readonly cellEnds?: readonly number[];
}

export interface FullAnalysis {
  readonly analysis: Analysis;
  readonly eval: EvalResult;
  readonly derivations: Derivation[];
}

/** Analyses a document and keeps the evaluator's internals (CLI `explain`, worked solutions). */
export function analyzeFull(text: string, options: AnalyzeOptions = {}): FullAnalysis {
  const markdown = options.languageId === 'markdown';
  // A Markdown file with ```python blocks and no ```nn one is read as Python (markdownPython).
  const mdPython = markdown ? markdownPython(text) : undefined;
  const python = options.languageId === 'python' || mdPython !== undefined;
  const wanted = new Set<AnalysisStage>(options.valuesOnly ? ['values'] : (options.stages ?? ANALYSIS_STAGES));
  const evalOptions = {
    budget: options.budget,
    checkTolerance: options.checkTolerance,
    readFile: options.readFile,
    onProgress: options.onProgress,
    shouldStop: options.shouldStop,
    trainingBudget: options.trainingBudget,
    trainingTimeLimit: options.trainingTimeLimit,
    onStatement: options.onStatement,
    cellEnds: options.cellEnds,
    // Only hovers read the node of every expression.
    recordExpressions: wanted.has('hovers'),
  };
  let r: EvalResult;
  let parseDiagnostics: Diagnostic[] = [];
  if (python) {
    r = runPython(mdPython ? mdPython.program : text, evalOptions);
    parseDiagnostics = mdPython ? mdPython.diagnostics : [];
  } else {
    const parsed = markdown ? parseProgram(text, markdownSegments(text), 'block') : parseProgram(text);
    parseDiagnostics = parsed.diagnostics;
    r = new Evaluator(text, evalOptions).run(parsed.program);
  }
  const graded = assignmentOf(text, r);
  // Messages quote at most 80 characters of the user's text, in the values stage too.
  const diagnostics = [...parseDiagnostics, ...r.diagnostics, ...graded.diagnostics, ].sort((a, b) => a.span.start - b.span.start).map(boundDiagnostic);
  const derivations: Derivation[] = [];
  const byBinding = new Map<Binding, string[]>();
  // Copies only when derivations are added to them below.
  const gradients: GradientInfo[] = wanted.has('derivations') ? r.gradients.map((g) => ({ ...g })) : r.gradients.slice();
  const values = attachGradients(r);
  let symbols: SymbolInfo[] = [];
  let graph: GraphInfo = { nodes: [], edges: [] };
  const deadline = options.deadline ?? (options.laterStagesMs !== undefined ? Date.now() + options.laterStagesMs : undefined);
  const expired = deadline === undefined ? () => false : () => Date.now() > deadline;
  /** The analysis so far; `stage` is set while later stages are still to come. */
  const snapshot = (stage: AnalysisStage | undefined): Analysis => ({
    version: 1,
    diagnostics: diagnostics.slice(),
    values,
    gradients: gradients.slice(),
    checks: r.checks,
    expectations: r.expectations,
    networks: r.networks,
    symbols,
    graph,
    stats: { nodes: r.tape.n, work: r.work, skipped: r.skipped },
    ...(r.trainings.length ? { trainings: r.trainings } : {}),
    ...(r.prints?.length ? { prints: r.prints } : {}),
    ...(graded.info ? { assignment: graded.info } : {}),
    ...(stage ? { stage } : {}),
  });
  // Stage 1, values and diagnostics: complete here, whatever the later stages do.
  const later = ANALYSIS_STAGES.filter((st) => st !== 'values' && wanted.has(st));
  if (options.onStage && later.length) options.onStage('values', snapshot('values'));
  /** Diagnostics of the later stages: on the statement they concern, never at 0:0. */
  const note = (d: Diagnostic): void => {
    diagnostics.push(boundDiagnostic(d));
  };
  const STAGE_TEXT: Record<AnalysisStage, string> = { values: 'values', derivations: 'derivations', hovers: 'hovers', graph: 'the statement graph' };
  /** The time limit stopped `stage` at `span`: it and the stages after it are cut from there on. */
  const cutNote = (stage: AnalysisStage) => (span: Span): void => {
    const left = later.slice(later.indexOf(stage)).map((st) => STAGE_TEXT[st]);
    const list = left.length === 1 ? left[0] : `${left.slice(0, -1).join(', ')} and ${left[left.length - 1]}`;
    note({
      code: 'analysis.time-limit',
      severity: 'info',
      message: `The analysis reached its time limit here: ${list} from this line on ${left.length === 1 && !list.endsWith('s') ? 'is' : 'are'} left out (values, diagnostics and gradients are complete).`,
      span,
    });
  };
  const tooDeepNote = (what: string) => {
    const seen = new Set<number>();
    return (span: Span): void => {
      if (seen.has(span.start)) return;
      seen.add(span.start);
      note({ code: 'explain.too-deep', severity: 'info', message: `Expected an expression GradLens can write out, found one nested too deeply: ${what} is left out (its value is computed).`, span });
    };
  };
  let timedOut = false;
  for (const stage of later) {
    if (timedOut) break;
    if (stage === 'derivations') {
      // One derivation per grad request (bounded work: statement-level, at most 200).
      let gradIndex = 0;
      const reqs = r.gradRequests;
      for (let k = 0; k < reqs.length; k++) {
        const req = reqs[k];
        const gi = req.stmt.kind === 'Grad' ? gradIndex++ : -1;
        if (k >= 200) continue;
        if (expired()) {
          cutNote('derivations')(req.stmt.span);
          timedOut = true;
          break;
        }
        let d: Derivation;
        try {
          d = deriveGradient(r.tape, req.of, req.wrt, req.wrtText, req.grads, text);
        } catch (e) {
          note(
            isTooDeep(e)
              ? { code: 'explain.too-deep', severity: 'info', message: `Expected an expression GradLens can write out, found one nested too deeply: the derivation of ∂${req.of.name}/∂${req.wrtText} is left out (the gradient is computed).`, span: req.stmt.span }
              : error('explain.internal', `Expected a derivation of ∂${req.of.name}/∂${req.wrtText}, found an internal error (please report it): ${(e as Error).message}`, req.stmt.span),
          );
          continue;
        }
        derivations.push(d);
        const md = derivationMarkdown(d);
        let list = byBinding.get(req.wrt);
        if (!list) byBinding.set(req.wrt, (list = []));
        list.push(md);
        if (gi >= 0 && gradients[gi]) gradients[gi] = { ...gradients[gi], derivation: md, derivationTex: derivationTex(d) };
      }
    } else if (stage === 'hovers') {
      const ctl: StageControl = { expired, cut: (sp) => ((timedOut = true), cutNote('hovers')(sp)), tooDeep: tooDeepNote('its hover') };
      symbols = guarded('hover information', () => (python ? pythonSymbols(r as PythonResult, options.digits ?? 4) : buildSymbols(text, r, byBinding, options.digits ?? 4, ctl)), [], r, note);
      // A failed expect's misconceptions show on its line (names inside it keep their own, smaller, hovers).
      for (const e of r.expectations)
        if (e.diagnosis?.length) symbols.push({ span: e.span, kind: 'keyword', name: 'expect', detail: `**expect** ${mdCode(clip(`${e.left.text} == ${e.right.text}`))} does not hold\n\n${diagnosisMarkdown(e.diagnosis)}` });
    } else if (stage === 'graph') {
      const ctl: StageControl = { expired, cut: (sp) => ((timedOut = true), cutNote('graph')(sp)), tooDeep: tooDeepNote('its edges in the statement graph') };
      graph = guarded('the statement graph', () => buildGraph(r, options.digits ?? 4, ctl), { nodes: [], edges: [] }, r, note);
    }
    if (options.onStage && stage !== later[later.length - 1] && !timedOut) options.onStage(stage, snapshot(stage));
  }
  return { analysis: snapshot(undefined), eval: r, derivations };
}

/**
 * Runs a later stage; an error that escapes its own per-statement guards (a bug) costs only that
 * stage and is reported on the first statement, not at 0:0.
 */
function guarded<T>(what: string, f: () => T, fallback: T, r: EvalResult, note: (d: Diagnostic) => void): T {
  try {
    return f();
  } catch (e) {
    const first = r.record.bindings.find((b) => b.stmt)?.span ?? r.record.bindings[0]?.span ?? { start: 0, end: 0 };
    note(
      isTooDeep(e)
        ? { code: 'explain.too-deep', severity: 'info', message: `Expected expressions GradLens can write out, found one nested too deeply: ${what} is left out (values and gradients are computed).`, span: first }
        : error('explain.internal', `Expected ${what}, found an internal error (please report it): ${(e as Error).message}`, first),
    );
    return fallback;
  }
}

export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  return analyzeFull(text, options).analysis;
}

/**
 * A Jupyter notebook (.ipynb JSON): its code cells read in order as one Python program
 * (syntax/notebook.ts). The analysis' spans and lines are in the program's coordinates;
 * `program.cells` maps them to cells (analysisForCell, the CLI's cell + line). A notebook that
 * cannot be read gives its diagnostic, with a span in the .ipynb text, and nothing else.
 */
export function analyzeNotebookFull(json: string, options: AnalyzeOptions = {}): { full: FullAnalysis; program: NotebookProgram } {
  const program = readNotebook(json);
  const full = analyzeFull(program.text, { ...options, languageId: 'python', cellEnds: program.cells.map((c) => c.end) });
  if (!program.diagnostics.length) return { full, program };
  return { full: { ...full, analysis: { ...full.analysis, diagnostics: program.diagnostics } }, program };
}

/** A Python file (docs/python.md): `analyze(text, { ...options, languageId: 'python' })`. */
export function analyzePython(text: string, options: AnalyzeOptions = {}): Analysis {
  return analyzeFull(text, { ...options, languageId: 'python' }).analysis;
}

/** Each binding's value carries the gradients that `grad` lines asked for with respect to it. */
function attachGradients(r: EvalResult): ValueInfo[] {
  const reqs = r.gradRequests;
  let anyGrad = false;
  for (let k = 0; k < reqs.length && !anyGrad; k++) anyGrad = reqs[k].stmt.kind === 'Grad';
  if (!anyGrad) return r.values;
  // The last value bound at each requested name span (only those spans are keys).
  const byNameSpan = new Map<unknown, number>();
  for (const req of reqs) if (req.stmt.kind === 'Grad') byNameSpan.set(req.wrt.nameSpan, -1);
  r.values.forEach((v, i) => {
    if (byNameSpan.has(v.nameSpan)) byNameSpan.set(v.nameSpan, i);
  });
  const grads = new Map<number, { of: string; shape: number[]; data: number[] }[]>();
  const tape = r.tape;
  for (const req of reqs) {
    if (req.stmt.kind !== 'Grad') continue;
    const i = byNameSpan.get(req.wrt.nameSpan);
    if (i === undefined || i < 0 || r.values[i].name !== req.wrt.name) continue;
    let list = grads.get(i);
    if (!list) grads.set(i, (list = []));
    if (list.some((x) => x.of === req.of.name)) continue;
    const node = req.wrt.node;
    if (tape.isScalar[node] === 1) list.push({ of: req.of.name, shape: [], data: [req.grads.scalarOf(node)] });
    else {
      const g = req.grads.of(node);
      list.push({ of: req.of.name, shape: g.shape.slice(), data: toNumbers(g.data) });
    }
  }
  if (grads.size === 0) return r.values;
  const values = r.values.slice();
  for (const [i, list] of grads) values[i] = withGrads(values[i], list);
  return values;
}

/** The value with its gradients (the fields of `{ ...v, grads }`, in the same order). */
function withGrads(v: ValueInfo, grads: NonNullable<ValueInfo['grads']>): ValueInfo {
  return { name: v.name, line: v.line, span: v.span, nameSpan: v.nameSpan, shape: v.shape, data: v.data, isParam: v.isParam, isLeaf: v.isLeaf, grads };
}
