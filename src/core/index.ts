/**
 * The compute core's facade: `analyze(text, options) → Analysis`. Pure (no vscode, DOM or
 * node:* imports); used by the CLI, the editor's analysis worker and the tests.
 */
import './autodiff/ops/index';
import './builtins/index';
import type { Analysis, GradientInfo, ValueInfo } from './analysis';
import { boundDiagnostic, error, type Diagnostic } from './diagnostics';
import { Evaluator, type EvalResult } from './eval/evaluator';
import type { Binding } from './eval/values';
import { deriveGradient, derivationMarkdown, derivationTex, type Derivation } from './explain/derive';
import { buildGraph, buildSymbols } from './explain/symbols';
import { markdownSegments } from './syntax/markdown';
import { readNotebook, type NotebookProgram } from './syntax/notebook';
import { toNumbers } from './tensor/tensor';
import { parseProgram } from './syntax/parser';
import { pythonSymbols, runPython, type PythonResult } from './python/run';

export type { Analysis } from './analysis';
export { LineIndex } from './span';
export { readNotebook, notebookProgram, cellAt, type NotebookProgram, type CellRange, type NotebookCellSource } from './syntax/notebook';
export { analysisForCell } from './notebookAnalysis';
import type { ProgressCallback } from './train/index';
export type { TrainingInfo } from './analysis';
export type { PrintInfo } from './analysis';
export type { ProgressCallback, TrainProgress } from './train/index';
export { sparkline } from './train/index';

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
   * leaves `eval.record.exprNodes` empty.
   */
  readonly valuesOnly?: boolean;
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
   * Told the 0-based line of each top-level statement before it runs: a host that must end a
   * slow analysis from outside (the editor's worker, through shared memory) then knows on which
   * line it was cut off.
   */
  readonly onStatement?: (line: number) => void;
  /**
   * Results in stages (issue #15): called once evaluation is done, with the values, gradients,
   * checks, expectations, networks, trainings and diagnostics — before derivations, hovers and
   * the graph are written — so a host that runs out of time later still has them. `symbols`
   * and the graph are empty in it.
   */
  readonly onValues?: (values: Analysis) => void;
}

export interface FullAnalysis {
  readonly analysis: Analysis;
  readonly eval: EvalResult;
  readonly derivations: Derivation[];
}

/** Analyses a document and keeps the evaluator's internals (CLI `explain`, worked solutions). */
/** A stack overflow (an expression nested deeper than the writers' recursion): not a bug to report. */
function tooDeep(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

export function analyzeFull(text: string, options: AnalyzeOptions = {}): FullAnalysis {
  const markdown = options.languageId === 'markdown';
  const python = options.languageId === 'python';
  const evalOptions = {
    budget: options.budget,
    checkTolerance: options.checkTolerance,
    readFile: options.readFile,
    onProgress: options.onProgress,
    shouldStop: options.shouldStop,
    onStatement: options.onStatement,
    // Only hovers read the node of every expression.
    recordExpressions: !options.valuesOnly,
  };
  let r: EvalResult;
  let parseDiagnostics: Diagnostic[] = [];
  if (python) {
    r = runPython(text, evalOptions);
  } else {
    const parsed = markdown ? parseProgram(text, markdownSegments(text), 'block') : parseProgram(text);
    parseDiagnostics = parsed.diagnostics;
    r = new Evaluator(text, evalOptions).run(parsed.program);
  }
  // Messages quote at most 80 characters of the user's text, in the values stage too.
  const diagnostics = [...parseDiagnostics, ...r.diagnostics].sort((a, b) => a.span.start - b.span.start).map(boundDiagnostic);
  const values = attachGradients(r);
  options.onValues?.({
    version: 1,
    diagnostics: diagnostics.slice(),
    values,
    gradients: r.gradients,
    checks: r.checks,
    expectations: r.expectations,
    networks: r.networks,
    symbols: [],
    graph: { nodes: [], edges: [] },
    stats: { nodes: r.tape.n, work: r.work, skipped: r.skipped },
    ...(r.trainings.length ? { trainings: r.trainings } : {}),
    ...(r.prints?.length ? { prints: r.prints } : {}),
  });
  const derivations: Derivation[] = [];
  const internal: Diagnostic[] = [];
  const byBinding = new Map<Binding, string[]>();
  // Copies only when derivations are added to them below.
  const gradients: GradientInfo[] = options.valuesOnly ? r.gradients.slice() : r.gradients.map((g) => ({ ...g }));
  if (!options.valuesOnly) {
    // One derivation per grad request (bounded work: statement-level, at most a few hundred).
    let gradIndex = 0;
    r.gradRequests.forEach((req, k) => {
      const gi = req.stmt.kind === 'Grad' ? gradIndex++ : -1;
      if (k >= 200) return;
      let d: Derivation;
      try {
        d = deriveGradient(r.tape, req.of, req.wrt, req.wrtText, req.grads, text);
      } catch (e) {
        internal.push(
          tooDeep(e)
            ? { code: 'explain.too-deep', severity: 'info', message: `Expected an expression GradLens can write out, found one nested too deeply: the derivation of ∂${req.of.name}/∂${req.wrtText} is left out (the gradient is computed).`, span: req.stmt.span }
            : error('explain.internal', `Expected a derivation of ∂${req.of.name}/∂${req.wrtText}, found an internal error (please report it): ${(e as Error).message}`, req.stmt.span),
        );
        return;
      }
      derivations.push(d);
      const md = derivationMarkdown(d);
      let list = byBinding.get(req.wrt);
      if (!list) byBinding.set(req.wrt, (list = []));
      list.push(md);
      if (gi >= 0 && gradients[gi]) gradients[gi] = { ...gradients[gi], derivation: md, derivationTex: derivationTex(d) };
    });
  }
  const guard = <T>(what: string, f: () => T, fallback: T): T => {
    try {
      return f();
    } catch (e) {
      internal.push(
        tooDeep(e)
          ? { code: 'explain.too-deep', severity: 'info', message: `Expected expressions GradLens can write out, found one nested too deeply: ${what} is left out (values and gradients are computed).`, span: { start: 0, end: 0 } }
          : error('explain.internal', `Expected ${what}, found an internal error (please report it): ${(e as Error).message}`, { start: 0, end: 0 }),
      );
      return fallback;
    }
  };
  const symbols = options.valuesOnly
    ? []
    : guard('hover information', () => (python ? pythonSymbols(r as PythonResult, options.digits ?? 4) : buildSymbols(text, r, byBinding, options.digits ?? 4)), []);
  const graph = options.valuesOnly ? { nodes: [], edges: [] } : guard('the statement graph', () => buildGraph(r, options.digits ?? 4), { nodes: [], edges: [] });
  diagnostics.push(...internal);
  for (let i = 0; i < diagnostics.length; i++) diagnostics[i] = boundDiagnostic(diagnostics[i]);
  const analysis: Analysis = {
    version: 1,
    diagnostics,
    values,
    gradients,
    checks: r.checks,
    expectations: r.expectations,
    networks: r.networks,
    symbols,
    graph,
    stats: { nodes: r.tape.n, work: r.work, skipped: r.skipped },
    ...(r.trainings.length ? { trainings: r.trainings } : {}),
    ...(r.prints?.length ? { prints: r.prints } : {}),
  };
  return { analysis, eval: r, derivations };
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
  const full = analyzeFull(program.text, { ...options, languageId: 'python' });
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
