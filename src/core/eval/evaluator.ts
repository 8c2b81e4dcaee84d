import { K, Tape, type Gradients, type OpHandle } from '../autodiff/tape';
import { getOp, hasOp, isShapeError, type Attrs, type OpDef } from '../autodiff/op';
import { error, warning, type Diagnostic, type Fix } from '../diagnostics';
import type { Rng } from '../builtins/types';
import type { TorchGenerator } from '../tensor/torchRng';
import { formatNumber } from '../format';
import type { Span } from '../span';
import { LineIndex } from '../span';
import type { AssignmentMark, CheckStmt, Expr, GradStmt, NameRef, PathRef, Program, Statement } from '../syntax/ast';
import { mark, type AnswerRecord } from './marks';
import { formatShape, numel, type Shape, type Tensor } from '../tensor/tensor';
import type { CheckInfo, ExpectationInfo, GradientInfo, NetworkInfo, PrintInfo, TrainingInfo, ValueInfo } from '../analysis';
import type { ProgressCallback } from '../train/index';
import type { Binding, EvalRecord } from './values';
import { BudgetExceeded } from './common';
import { assign, check, expect, grad, printStmt, unpack } from './statements';
import { network, type NetState } from './networks';
import { train } from './trainingGlue';
import type { EarlierAnswer, Quantity } from '../diagnose/types';

/** Tape ops that reduce over an axis (the `keepdims=True` hint is about their results only). */
const REDUCTIONS: ReadonlySet<string> = new Set(['sum', 'mean', 'amax', 'amin', 'var', 'std', 'prod', 'logsumexp', 'norm']);

export { refText } from './common';

export interface EvalOptions {
  /**
   * Python in notebook cells: the end offset of each cell. A cell whose last statement is an
   * expression displays its value as Jupyter's `Out[…]` does (a print record of its repr),
   * unless the value is None or the line ends with `;`.
   */
  readonly cellEnds?: readonly number[];
  /** Work units (elements + multiply-accumulates) before evaluation stops. */
  readonly budget?: number;
  readonly checkTolerance?: number;
  /** Reads a file relative to the document (`load_csv`); absent: no files. */
  readonly readFile?: (relativePath: string) => string | undefined;
  /** Called after each training epoch (`train` statements). */
  readonly onProgress?: ProgressCallback;
  /** Polled before every training step (AnalyzeOptions.shouldStop). */
  readonly shouldStop?: () => string | undefined;
  /** Work units each `train` statement may spend apart from `budget` (AnalyzeOptions.trainingBudget). */
  readonly trainingBudget?: number;
  /** Milliseconds each `train` statement may run (AnalyzeOptions.trainingTimeLimit). */
  readonly trainingTimeLimit?: number;
  /** Told the 0-based line of each top-level statement before it runs (AnalyzeOptions.onStatement). */
  readonly onStatement?: (line: number) => void;
  /**
   * Record the tape node of every evaluated operator, comparison and call in `record.exprNodes`
   * (the expressions that have a hover of their own; names and literals do not). Default true;
   * `analyze` with `valuesOnly` turns it off.
   */
  readonly recordExpressions?: boolean;
}

export interface GradRequest {
  readonly stmt: GradStmt | CheckStmt;
  readonly of: Binding;
  readonly wrt: Binding;
  readonly wrtText: string;
  readonly grads: Gradients;
}

export interface EvalResult {
  readonly tape: Tape;
  readonly record: EvalRecord;
  readonly diagnostics: Diagnostic[];
  readonly values: ValueInfo[];
  readonly gradients: GradientInfo[];
  readonly gradRequests: GradRequest[];
  readonly checks: CheckInfo[];
  readonly expectations: ExpectationInfo[];
  readonly networks: NetworkInfo[];
  readonly work: number;
  readonly skipped?: string;
  readonly lines: LineIndex;
  /** One record per `train` statement that ran. */
  readonly trainings: TrainingInfo[];
  /** The text of each `print(…)` that ran, in order. */
  readonly prints: PrintInfo[];
  /** The grading marks in order (docs/grading.md); absent in Python. */
  readonly marks?: AssignmentMark[];
  /** Each `answer` line as evaluated. */
  readonly answers?: AnswerRecord[];
}

/**
 * Evaluates a program statement by statement: values on a tape, gradients by reverse mode,
 * checks and expectations. User mistakes become diagnostics; errors do not cascade (a line
 * that uses a name whose binding failed is skipped silently).
 *
 * This class holds the evaluation state, runs the statements, and owns the work budget and
 * `apply`; the rest is split by concern into free functions over it: statements.ts,
 * expressions.ts, calls.ts, networks.ts and trainingGlue.ts. Its fields are read and written
 * by those modules only; `run` is the entry point.
 */
export class Evaluator {
  readonly tape = new Tape(64);
  readonly diagnostics: Diagnostic[] = [];
  readonly env = new Map<string, Binding>();
  /** Names whose latest binding failed: uses are skipped without a diagnostic. */
  readonly poisoned = new Set<string>();
  readonly history = new Map<string, Binding[]>();
  readonly bindings: Binding[] = [];
  readonly exprNodes = new Map<Expr, number>();
  readonly networks = new Map<string, NetState>();
  readonly values: ValueInfo[] = [];
  readonly gradients: GradientInfo[] = [];
  readonly gradRequests: GradRequest[] = [];
  readonly checks: CheckInfo[] = [];
  readonly expectations: ExpectationInfo[] = [];
  /** What each `grad(…)`, `params(…)` and `size(…)` call asks for, for the misconception engine (src/core/diagnose). */
  readonly quantities = new Map<Expr, Quantity>();
  /** The failed expectations so far, for carried-forward errors. */
  readonly wrongAnswers: EarlierAnswer[] = [];
  readonly networkInfos: NetworkInfo[] = [];
  docRng: Rng | undefined;
  /** The document's PyTorch stream (`torch_randn` without seed=), as after torch.manual_seed(0). */
  docTorchRng: TorchGenerator | undefined;
  readonly trainings: TrainingInfo[] = [];
  readonly prints: PrintInfo[] = [];
  readonly marks: AssignmentMark[] = [];
  readonly answers: AnswerRecord[] = [];
  /**
   * Nodes holding booleans (numpy's bool dtype, stored as 0/1): comparison and logical results
   * and masks reshaped or indexed (OpDef.boolean). Indexing with one selects (`x[x > 0]`).
   * The tape keeps the set, so that truncating a training step's nodes forgets theirs.
   */
  get boolNodes(): Set<number> {
    return this.tape.bools;
  }
  readonly readFile: EvalOptions['readFile'];
  readonly onProgress: EvalOptions['onProgress'];
  readonly shouldStop: EvalOptions['shouldStop'];
  private readonly onStatement: EvalOptions['onStatement'];
  readonly recordExpressions: boolean;
  /** While a training step runs: network calls by (network, input node, mode) → output node. */
  netMemo: Map<string, number> | undefined;
  /** Off only during a training step's later steps (TrainHost.checkFiniteOps): `apply` then skips the NaN/∞ scan. */
  checkFinite = true;
  work = 0;
  /** Raised while a `train` statement with its own training budget runs (trainingGlue.ts). */
  budget: number;
  readonly trainingBudget: number | undefined;
  readonly trainingTimeLimit: number | undefined;
  /** The work each op node was charged (by tape index; leaves 0): a backward pass is estimated from it before it runs. */
  readonly nodeCost: number[] = [];
  readonly tol: number;
  readonly lines: LineIndex;
  /** Set while evaluating an expression: did it refer to a binding? */
  refs: { ref: NameRef | PathRef; binding: Binding }[] = [];
  currentLine = 0;
  /** Op name → scalar handle (see `scalarHandle`). */
  readonly scalarHandles = new Map<string, OpHandle | null>();
  /** The last backward pass (see `backward`). */
  lastBackward: { readonly root: number; readonly version: number; readonly grads: Gradients } | undefined;

  constructor(
    readonly text: string,
    options: EvalOptions = {},
  ) {
    this.budget = options.budget ?? 2e9;
    this.tol = options.checkTolerance ?? 1e-6;
    this.lines = new LineIndex(text);
    this.readFile = options.readFile;
    this.onProgress = options.onProgress;
    this.shouldStop = options.shouldStop;
    this.trainingBudget = options.trainingBudget;
    this.trainingTimeLimit = options.trainingTimeLimit;
    this.onStatement = options.onStatement;
    this.recordExpressions = options.recordExpressions ?? true;
  }

  run(program: Program): EvalResult {
    let skipped: string | undefined;
    for (const stmt of program.statements) {
      this.currentLine = this.lines.lineOf(stmt.span.start);
      this.onStatement?.(this.currentLine);
      // Names a statement reads are its own: never appended to the previous binding's list.
      this.refs = [];
      try {
        this.statement(stmt);
      } catch (e) {
        if (e instanceof BudgetExceeded) {
          skipped = `Stopped at line ${this.currentLine + 1}: the work budget (${formatNumber(this.budget, 3)} element operations and multiply-accumulates) is used up; later lines were not evaluated.`;
          this.diagnostics.push({
            code: 'budget.exceeded',
            severity: 'info',
            message: skipped + ' Raise the work budget (gradlens.analysis.workBudget in the editor, --budget in the CLI) to evaluate them.',
            // The operation that would have passed the budget (it was not started), else the statement.
            span: e.span && e.span.start >= stmt.span.start && e.span.end <= stmt.span.end && e.span.end > e.span.start ? e.span : stmt.span,
          });
          break;
        }
        if (e instanceof RangeError && /call stack/i.test(e.message)) {
          this.diagnostics.push(error('eval.too-deep', 'Expected a smaller expression, found one nested too deeply to evaluate.', stmt.span));
          // Its name is broken like any failed line's: uses of it are skipped quietly.
          if (stmt.kind === 'Assign' && stmt.target.kind === 'Name') {
            this.poisoned.add(stmt.target.name);
            this.env.delete(stmt.target.name);
          }
          continue;
        }
        // A bug in GradLens must not lose the rest of the analysis: report it on the line.
        this.diagnostics.push(
          error('eval.internal', `Expected this line to evaluate, found an internal error (please report it): ${(e as Error)?.message ?? String(e)}`, stmt.span),
        );
        if ('name' in stmt && stmt.kind === 'Network') this.poisoned.add(stmt.name.name);
        if (stmt.kind === 'Assign' && stmt.target.kind === 'Name') {
          this.poisoned.add(stmt.target.name);
          this.env.delete(stmt.target.name);
        }
      }
    }
    return {
      tape: this.tape,
      record: { bindings: this.bindings, exprNodes: this.exprNodes },
      diagnostics: this.diagnostics,
      values: this.values,
      gradients: this.gradients,
      gradRequests: this.gradRequests,
      checks: this.checks,
      expectations: this.expectations,
      networks: this.networkInfos,
      work: this.work,
      skipped,
      lines: this.lines,
      trainings: this.trainings,
      prints: this.prints,
      marks: this.marks,
      answers: this.answers,
    };
  }

  private statement(stmt: Statement): void {
    switch (stmt.kind) {
      case 'Assign':
        return assign(this, stmt);
      case 'Unpack':
        return unpack(this, stmt);
      case 'Print':
        return printStmt(this, stmt);
      case 'Grad':
        return grad(this, stmt);
      case 'Check':
        return check(this, stmt);
      case 'Expect':
        return expect(this, stmt);
      case 'Network':
        return network(this, stmt);
      case 'Train':
        return train(this, stmt);
      case 'Assignment':
      case 'Question':
      case 'Answer':
      case 'Handout':
      case 'Selfcheck':
        return mark(this, stmt);
      case 'Invalid':
        for (const name of stmt.names ?? (stmt.name ? [stmt.name] : [])) {
          this.poisoned.add(name);
          this.env.delete(name);
        }
        return;
    }
  }

  constant(t: Tensor, span: Span): number {
    return t.shape.length === 0 ? this.tape.scalarConst(t.data[0], span.start, span.end) : this.tape.leaf(t, K.CONST, span.start, span.end);
  }

  /**
   * Adds an op after checking shapes (a mismatch is a diagnostic on `opSpan`), counting work
   * against the budget and reporting a new NaN/∞.
   */
  apply(
    op: string,
    inputs: readonly number[],
    attrs: Attrs | undefined,
    span: Span,
    opSpan: Span = span,
    fixesFor?: (hint: string | undefined) => Fix[],
  ): number | undefined {
    const tape = this.tape;
    if (attrs === undefined && inputs.length <= 2) {
      // Scalar element-wise ops: shape [] and cost 1 (as their inferShape and cost say), no tensors.
      const a = inputs[0];
      const b = inputs.length === 2 ? inputs[1] : -1;
      if (a !== undefined && tape.isScalar[a] === 1 && (b === -1 || tape.isScalar[b] === 1)) {
        const h = this.scalarHandle(op);
        if (h !== null) {
          this.spend(1, span);
          const n = tape.applyFast(h, a, b, span.start, span.end);
          this.nodeCost[n] = 1;
          if (!Number.isFinite(tape.sv[n])) this.nonFinite(getOp(op), inputs, n, opSpan);
          return n;
        }
      }
    }
    if (!hasOp(op)) {
      this.diagnostics.push(error('eval.unsupported', `Expected an operation GradLens can run, found \`${op}\`, which is not available yet.`, opSpan));
      return undefined;
    }
    const def = getOp(op);
    const shapes = inputs.map((i) => this.tape.shape(i));
    const a = attrs ?? {};
    let out: Shape;
    try {
      const r = def.inferShape(shapes, a);
      if (isShapeError(r)) {
        let msg = r.error;
        // `keepdims=True` only where an axis was reduced away (`x - x.sum(axis=1)`), not for any [3, 4] with [3].
        const kept = r.keptAxis;
        if (kept && !r.hint && REDUCTIONS.has(this.tape.opOf(inputs[kept.input])?.name ?? ''))
          msg += ` Did you mean to keep the reduced axis ${kept.axis} (\`keepdims=True\`, shape ${formatShape(kept.shape)})?`;
        this.diagnostics.push(error(r.code ?? 'shape.mismatch', msg, opSpan, fixesFor ? fixesFor(r.hint) : r.fixes ? [...r.fixes] : undefined));
        return undefined;
      }
      out = r;
    } catch (err) {
      this.diagnostics.push(error('eval.internal', `Expected to infer the shape of ${def.display}, found an internal error: ${(err as Error).message}`, opSpan));
      return undefined;
    }
    const cost = def.cost ? def.cost(shapes, out, a) : numel(out) + shapes.reduce((m, s) => m + numel(s), 0);
    this.spend(cost, span);
    let n: number;
    try {
      n = this.tape.apply(op, inputs, attrs, span.start, span.end);
    } catch (err) {
      this.diagnostics.push(error('eval.internal', `Expected ${def.display} to evaluate, found an internal error: ${(err as Error).message}`, opSpan));
      return undefined;
    }
    this.nodeCost[n] = cost;
    if (this.checkFinite && !this.tape.isFinite(n)) this.nonFinite(def, inputs, n, opSpan);
    if (def.boolean === 'always' || (def.boolean === 'preserve' && this.boolNodes.has(inputs[0]))) this.boolNodes.add(n);
    return n;
  }

  /** Node n holds a NaN or an infinity: a warning where the op made it (not where it was passed on). */
  private nonFinite(def: OpDef, inputs: readonly number[], n: number, opSpan: Span): void {
    let inputsFinite = true;
    for (const i of inputs) if (!this.tape.isFinite(i)) inputsFinite = false;
    if (inputsFinite) {
      const v = this.tape.value(n);
      let bad = 0;
      for (const x of v.data) if (!Number.isFinite(x)) bad = Number.isNaN(x) ? bad || NaN : bad || x;
      const what = Number.isNaN(bad) ? 'NaN' : bad > 0 ? 'infinity' : '−infinity';
      this.diagnostics.push(
        warning('value.non-finite', `Expected finite values, found ${what} produced by \`${def.display}\` on line ${this.currentLine + 1}.`, opSpan),
      );
    }
  }

  /** The tape handle of an op with a scalar kernel, or null (unknown op, or no scalar kernel). */
  private scalarHandle(op: string): OpHandle | null {
    let h = this.scalarHandles.get(op);
    if (h === undefined) {
      h = hasOp(op) ? this.tape.handle(op) : null;
      if (h !== null && h.code === 0) h = null;
      this.scalarHandles.set(op, h);
    }
    return h;
  }

  /**
   * Charges work BEFORE it is done: past the budget nothing is added and BudgetExceeded is
   * thrown (the caller has not started the work), reported on `span` (the op's own range) or,
   * without one, on the statement.
   */
  spend(units: number, span?: Span): void {
    if (!(units >= 0)) units = Infinity;
    if (this.work + units > this.budget) throw new BudgetExceeded(span);
    this.work += units;
  }
}
