import { K, Tape, type Gradients, type OpHandle } from '../autodiff/tape';
import { getOp, hasOp, isShapeError, type Attrs, type OpDef } from '../autodiff/op';
import { error, nearest, warning, type Diagnostic, type Fix } from '../diagnostics';
import { findBuiltin, builtinNames, type BoundArgs, type BoundValue, type BuiltinDef, type CallContext, type ParamSpec, type Rng } from '../builtins/types';
import { formatNumber } from '../format';
import type { Span } from '../span';
import { LineIndex } from '../span';
import type {
  Arg,
  Assign,
  CheckStmt,
  ExpectStmt,
  Expr,
  GradStmt,
  IndexItem,
  NameRef,
  NetworkDecl,
  PathRef,
  Program,
  Statement,
  WrtTarget,
} from '../syntax/ast';
import { broadcastShapes, formatShape, numel, tensor, type Shape, type Tensor } from '../tensor/tensor';
import { createRng } from '../tensor/rng';
import { buildNetwork, callNetwork, type NetParam, type NetworkModel } from '../nets/index';
import type { CheckInfo, ExpectationInfo, GradientInfo, NetworkInfo, ValueInfo } from '../analysis';
import type { Binding, EvalRecord } from './values';
import { checkGradient } from './gradcheck';
import type { TrainingInfo } from '../analysis';
import type { TrainStmt } from '../syntax/ast';
import { runTraining, type ProgressCallback, type TrainHost } from '../train/index';

export interface EvalOptions {
  /** Work units (elements + multiply-accumulates) before evaluation stops. */
  readonly budget?: number;
  readonly checkTolerance?: number;
  /** Reads a file relative to the document (`load_csv`); absent: no files. */
  readonly readFile?: (relativePath: string) => string | undefined;
  /** Called after each training epoch (`train` statements). */
  readonly onProgress?: ProgressCallback;
  /** Polled before every training step (AnalyzeOptions.shouldStop). */
  readonly shouldStop?: () => string | undefined;
  /**
   * Record the tape node of every evaluated expression in `record.exprNodes` (hovers read
   * it). Default true; `analyze` with `valuesOnly` turns it off.
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
}

/** Thrown (internally only) when the work budget runs out. */
class BudgetExceeded {
  constructor(readonly span: Span) {}
}

interface NetState {
  readonly model: NetworkModel;
  readonly info: NetworkInfo | undefined;
  readonly decl: NetworkDecl;
  /** state_dict name → binding of the current leaf (created on first use: VGG-16's 138M values are not drawn until needed). */
  readonly params: Map<string, Binding>;
  /** Every spelling of every parameter → its spec and state_dict position. */
  readonly specs: Map<string, { readonly param: NetParam; readonly index: number }>;
  readonly buffers: Map<string, Tensor>;
  rng: Rng | undefined;
  readonly seed: number;
  /**
   * The layer outputs of the network's calls outside training, oldest first (at most
   * MAX_LAYER_CALLS): path (`mlp.A`, `mlp.1`) → tape node, for `grad L wrt mlp.A` and `h = mlp.A`.
   */
  readonly calls: Map<string, number>[];
}

/** How many calls of a network keep their layer outputs (a loop-free document calls a network a few times). */
const MAX_LAYER_CALLS = 64;

/** How many parameters of a built-in may be given by position. */
function positionalCount(specs: readonly { readonly keywordOnly?: boolean }[]): number {
  return specs.filter((s) => !s.keywordOnly).length;
}

/** Operator chains longer than this keep only their whole value for hovers (see binary()). */
const MAX_RECORDED_CHAIN = 256;

const PROTECTED_NAMES = new Set(['param', 'grad', 'check', 'expect', 'network']);

/**
 * Evaluates a program statement by statement: values on a tape, gradients by reverse mode,
 * checks and expectations. User mistakes become diagnostics; errors do not cascade (a line
 * that uses a name whose binding failed is skipped silently).
 */
export class Evaluator {
  readonly tape = new Tape(64);
  readonly diagnostics: Diagnostic[] = [];
  private readonly env = new Map<string, Binding>();
  /** Names whose latest binding failed: uses are skipped without a diagnostic. */
  private readonly poisoned = new Set<string>();
  private readonly history = new Map<string, Binding[]>();
  private readonly bindings: Binding[] = [];
  private readonly exprNodes = new Map<Expr, number>();
  private readonly networks = new Map<string, NetState>();
  private readonly values: ValueInfo[] = [];
  private readonly gradients: GradientInfo[] = [];
  private readonly gradRequests: GradRequest[] = [];
  private readonly checks: CheckInfo[] = [];
  private readonly expectations: ExpectationInfo[] = [];
  private readonly networkInfos: NetworkInfo[] = [];
  private docRng: Rng | undefined;
  private readonly trainings: TrainingInfo[] = [];
  private readonly readFile: EvalOptions['readFile'];
  private readonly onProgress: EvalOptions['onProgress'];
  private readonly shouldStop: EvalOptions['shouldStop'];
  private readonly recordExpressions: boolean;
  /** While a training step runs: network calls by (network, input node, mode) → output node. */
  private netMemo: Map<string, number> | undefined;
  /** Off only during a training step's later steps (TrainHost.checkFiniteOps): `apply` then skips the NaN/∞ scan. */
  private checkFinite = true;
  private work = 0;
  private readonly budget: number;
  private readonly tol: number;
  private readonly lines: LineIndex;
  /** Set while evaluating an expression: did it refer to a binding? */
  private refs: { ref: NameRef | PathRef; binding: Binding }[] = [];
  private currentLine = 0;
  /** Op name → scalar handle (see `scalarHandle`). */
  private readonly scalarHandles = new Map<string, OpHandle | null>();
  /** The last backward pass (see `backward`). */
  private lastBackward: { readonly root: number; readonly version: number; readonly grads: Gradients } | undefined;

  constructor(
    private readonly text: string,
    options: EvalOptions = {},
  ) {
    this.budget = options.budget ?? 2e9;
    this.tol = options.checkTolerance ?? 1e-6;
    this.lines = new LineIndex(text);
    this.readFile = options.readFile;
    this.onProgress = options.onProgress;
    this.shouldStop = options.shouldStop;
    this.recordExpressions = options.recordExpressions ?? true;
  }

  run(program: Program): EvalResult {
    let skipped: string | undefined;
    for (const stmt of program.statements) {
      this.currentLine = this.lines.lineOf(stmt.span.start);
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
            span: stmt.span,
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
    };
  }

  // ---- statements ------------------------------------------------------------------------

  private statement(stmt: Statement): void {
    switch (stmt.kind) {
      case 'Assign':
        return this.assign(stmt);
      case 'Grad':
        return this.grad(stmt);
      case 'Check':
        return this.check(stmt);
      case 'Expect':
        return this.expect(stmt);
      case 'Network':
        return this.network(stmt);
      case 'Train':
        return this.train(stmt);
      case 'Invalid':
        if (stmt.name) {
          this.poisoned.add(stmt.name);
          this.env.delete(stmt.name);
        }
        return;
    }
  }

  private assign(stmt: Assign): void {
    if (stmt.target.kind === 'Path') return this.assignPath(stmt, stmt.target);
    const name = stmt.target.name;
    if (PROTECTED_NAMES.has(name)) {
      this.diagnostics.push(error('name.reserved', `Expected a name, found the keyword \`${name}\`.`, stmt.target.span));
      this.poisoned.add(name);
      return;
    }
    this.refs = [];
    const node = this.expr(stmt.value);
    const refs = this.refs;
    if (node === undefined) {
      this.poisoned.add(name);
      this.env.delete(name);
      return;
    }
    const tape = this.tape;
    let bound: number;
    let kind: Binding['kind'];
    // A leaf refers to no other binding — and depends on no parameter: `L = sum(mlp(ones(1, 2)))`
    // names no binding but reaches the network's parameters through the call.
    if (stmt.param || (refs.length === 0 && tape.req[node] !== 1)) {
      kind = stmt.param ? 'param' : 'leaf';
      const k = stmt.param ? K.PARAM : K.LEAF;
      const sp = stmt.target.span;
      // A scalar is copied without a tensor (as `leaf(copy(value))` would store it).
      bound = tape.isScalar[node] === 1 ? tape.scalarLeaf(tape.sv[node], k, sp.start, sp.end) : tape.leaf(copy(tape.value(node)), k, sp.start, sp.end);
    } else {
      bound = this.apply('identity', [node], undefined, stmt.value.span)!;
      kind = 'value';
    }
    const b: Binding = {
      name,
      node: bound,
      kind,
      stmt,
      line: this.currentLine,
      span: stmt.span,
      nameSpan: stmt.target.span,
      refs: stmt.param ? [] : refs,
    };
    this.bind(b);
  }

  private bind(b: Binding): void {
    this.poisoned.delete(b.name);
    this.env.set(b.name, b);
    let h = this.history.get(b.name);
    if (!h) this.history.set(b.name, (h = []));
    h.push(b);
    this.bindings.push(b);
    const tape = this.tape;
    const scalar = tape.isScalar[b.node] === 1;
    const t = scalar ? undefined : tape.value(b.node);
    this.values.push({
      name: b.name,
      line: b.line,
      span: b.span,
      nameSpan: b.nameSpan,
      shape: t === undefined ? [] : t.shape.slice(),
      data: t === undefined ? [tape.sv[b.node]] : Array.from(t.data),
      isParam: b.kind === 'param',
      isLeaf: b.kind !== 'value',
    });
  }

  /** `param mlp.A.weight = …`: sets a network parameter. */
  private assignPath(stmt: Assign, target: PathRef): void {
    const net = this.networks.get(target.parts[0]);
    const full = target.parts.join('.');
    if (!net) {
      if (this.poisoned.has(target.parts[0])) return;
      this.diagnostics.push(
        error('name.undefined', `Expected a network parameter such as \`mlp.0.weight\`, found \`${full}\` (no network \`${target.parts[0]}\`).`, target.span),
      );
      return;
    }
    const p = this.netParam(net, full);
    if (!p) {
      const cands = [...net.specs.keys()];
      const near = nearest(full, cands);
      this.diagnostics.push(
        error(
          'name.undefined',
          `Expected a parameter of \`${net.model.name}\`, found \`${full}\`.${near ? ` Did you mean \`${near}\`?` : ` It has: ${cands.slice(0, 8).join(', ')}${cands.length > 8 ? ', …' : ''}.`}`,
          target.span,
          near ? [{ title: `Change to ${near}`, span: target.span, text: near }] : undefined,
        ),
      );
      return;
    }
    this.refs = [];
    const node = this.expr(stmt.value);
    if (node === undefined) return;
    let value = this.tape.value(node);
    const want = this.tape.shape(p.node);
    if (numel(value.shape) === 1 && numel(want) !== 1) value = { shape: want.slice(), data: new Float64Array(numel(want)).fill(value.data[0]) };
    else if (formatShape(value.shape) !== formatShape(want)) {
      this.diagnostics.push(
        error('shape.mismatch', `Expected a value of shape ${formatShape(want)} for \`${full}\`, found ${formatShape(value.shape)}.`, stmt.value.span),
      );
      return;
    }
    const leaf = this.tape.leaf(copy(value), K.PARAM, target.span.start, target.span.end);
    const b: Binding = {
      name: p.name,
      node: leaf,
      kind: 'param',
      stmt,
      line: this.currentLine,
      span: stmt.span,
      nameSpan: target.span,
      refs: [],
      network: net.model.name,
      aliases: p.aliases,
      stateIndex: p.stateIndex,
    };
    for (const n of [p.name, ...(p.aliases ?? [])]) net.params.set(n, b);
    this.bind(b);
  }

  private resolveOut(of: NameRef | PathRef, stmtKind: string): Binding | undefined {
    const b = this.lookup(of);
    if (!b) return undefined;
    const shape = this.tape.shape(b.node);
    if (numel(shape) !== 1) {
      this.diagnostics.push(
        error(
          'grad.non-scalar',
          `Expected a scalar output for \`${stmtKind}\`, found \`${refText(of)}\` with shape ${formatShape(shape)} (reduce it first, e.g. \`L = sum(${refText(of)})\` or \`mean(…)\`).`,
          of.span,
        ),
      );
      return undefined;
    }
    return b;
  }

  /** Resolves `wrt` names: the latest binding that OUT depends on (with a warning if not current). */
  private resolveWrt(out: Binding, grads: Gradients, targets: readonly WrtTarget[] | null): { b: Binding; text: string; span: Span; depends: boolean }[] {
    const res: { b: Binding; text: string; span: Span; depends: boolean }[] = [];
    if (!targets) {
      // Every param OUT depends on, in source order; else every leaf it depends on.
      const deps = this.bindings.filter((b) => grads.dependsOn(b.node) && b.node !== out.node && this.isCurrent(b));
      // Document params in source order; a network's parameters in state_dict order.
      const params = inStateDictOrder(
        deps.filter((b) => b.kind === 'param'),
        (n) => this.networks.get(n)?.decl.span.start,
      );
      const chosen = params.length ? params : deps.filter((b) => b.kind === 'leaf');
      for (const b of chosen) res.push({ b, text: b.name, span: out.nameSpan, depends: true });
      return res;
    }
    for (const t of targets) {
      const text = refText(t);
      if (t.kind === 'Path') {
        // A layer's output (`mlp.A`): from the latest call of the network that OUT depends on.
        const layer = this.layerOutput(t, (node) => grads.dependsOn(node));
        if (layer) {
          res.push({ b: layer, text, span: t.span, depends: grads.dependsOn(layer.node) });
          continue;
        }
        const b = this.lookup(t);
        if (b) res.push({ b, text, span: t.span, depends: grads.dependsOn(b.node) });
        continue;
      }
      const hist = this.history.get(t.name);
      if (!hist || hist.length === 0) {
        if (this.poisoned.has(t.name)) continue;
        this.undefinedName(t);
        continue;
      }
      let chosen: Binding | undefined;
      for (let k = hist.length - 1; k >= 0; k--) {
        if (grads.dependsOn(hist[k].node)) {
          chosen = hist[k];
          break;
        }
      }
      const current = hist[hist.length - 1];
      if (!chosen) {
        res.push({ b: current, text, span: t.span, depends: false });
        continue;
      }
      if (chosen !== current) {
        this.diagnostics.push(
          warning(
            'grad.earlier-binding',
            `\`${out.name}\` depends on the binding of \`${t.name}\` on line ${chosen.line + 1}, not its current one on line ${current.line + 1}; the gradient is with respect to line ${chosen.line + 1}.`,
            t.span,
          ),
        );
      }
      res.push({ b: chosen, text, span: t.span, depends: true });
    }
    return res;
  }

  private isCurrent(b: Binding): boolean {
    if (b.network) return true;
    const h = this.history.get(b.name);
    return !!h && h[h.length - 1] === b;
  }

  /**
   * A backward pass from `root`, shared by the `grad`, `check` and `grad(…)` requests on the
   * same output: it reads only nodes up to `root`, which later statements never change (the
   * tape's version counts the changes that do; network calls and training may change values
   * in place, and drop it).
   */
  private backward(root: number): Gradients {
    const c = this.lastBackward;
    const version = this.tape.version;
    if (c !== undefined && c.root === root && c.version === version) return c.grads;
    const grads = this.tape.backward(root);
    this.lastBackward = { root, version, grads };
    return grads;
  }

  private grad(stmt: GradStmt): void {
    const out = this.resolveOut(stmt.of, 'grad');
    if (!out) return;
    this.spend(this.tape.n);
    const grads = this.backward(out.node);
    const line = this.currentLine;
    const targets = this.resolveWrt(out, grads, stmt.wrt);
    if (!stmt.wrt && targets.length === 0) {
      this.diagnostics.push(warning('grad.no-inputs', `Expected \`${out.name}\` to depend on a parameter or a leaf, found none: there is nothing to differentiate.`, stmt.of.span));
    }
    const ofText = refText(stmt.of);
    for (const t of targets) {
      const node = t.b.node;
      const g = this.tape.isScalar[node] === 1 ? undefined : grads.of(node);
      if (!t.depends) {
        this.diagnostics.push(independent(out.name, t.text, t.span));
      }
      this.gradients.push({
        of: ofText,
        wrt: t.text,
        line,
        span: stmt.span,
        wrtSpan: t.span,
        shape: g === undefined ? [] : g.shape.slice(),
        data: g === undefined ? [grads.scalarOf(node)] : Array.from(g.data),
      });
      this.gradRequests.push({ stmt, of: out, wrt: t.b, wrtText: t.text, grads });
    }
  }

  private check(stmt: CheckStmt): void {
    const out = this.resolveOut(stmt.of, 'check');
    if (!out) return;
    let tol = this.tol;
    if (stmt.within) {
      const v = this.tolerance(stmt.within);
      if (v === undefined) return;
      tol = v;
    }
    const grads = this.backward(out.node);
    const targets = this.resolveWrt(out, grads, stmt.wrt);
    // As `grad` says it: nothing to check is not a pass.
    if (!stmt.wrt && targets.length === 0) {
      this.diagnostics.push(warning('grad.no-inputs', `Expected \`${out.name}\` to depend on a parameter or a leaf, found none: there is nothing to check.`, stmt.of.span));
    }
    for (const t of targets) {
      if (!t.depends) this.diagnostics.push(independent(out.name, t.text, t.span));
      const node = t.b.node;
      const g = this.tape.isScalar[node] === 1 ? grads.scalarOf(node) : grads.of(node);
      const size = typeof g === 'number' ? 1 : g.data.length;
      this.spend(2 * size * Math.max(1, out.node - node));
      const r = checkGradient(this.tape, out.node, node, g, tol, grads.reached);
      this.checks.push({
        of: refText(stmt.of),
        wrt: t.text,
        line: this.currentLine,
        span: stmt.span,
        maxRelError: r.maxRelError,
        passed: r.passed,
        kinks: r.kinks,
        tolerance: tol,
      });
      this.gradRequests.push({ stmt, of: out, wrt: t.b, wrtText: t.text, grads });
      if (!r.passed) {
        this.diagnostics.push(
          error(
            'check.failed',
            `Expected the analytic gradient ∂${out.name}/∂${t.text} to match central differences within ${formatNumber(tol)}, found a relative error of ${formatNumber(r.maxRelError, 3)} (element ${r.worstIndex}: analytic ${formatNumber(r.worstAnalytic, 6)}, numerical ${formatNumber(r.worstNumerical, 6)}).`,
            t.span.start === out.nameSpan.start ? stmt.span : t.span,
          ),
        );
      }
      if (r.kinks > 0) {
        this.diagnostics.push({
          code: 'check.kink',
          severity: 'info',
          message: `${r.kinks} element${r.kinks > 1 ? 's' : ''} of ${t.text} sit${r.kinks > 1 ? '' : 's'} within h of a kink (ReLU/abs at 0, or a tie of max/min): not counted as failures.`,
          span: t.span.start === out.nameSpan.start ? stmt.span : t.span,
        });
      }
    }
  }

  /** A `within` tolerance: a constant ≥ 0 (a negative one could never pass). */
  private tolerance(e: Expr): number | undefined {
    const v = this.constNumber(e, 'a tolerance');
    if (v === undefined) return undefined;
    if (!(v >= 0)) {
      this.diagnostics.push(error('check.bad-tolerance', `Expected a tolerance of 0 or more after \`within\`, found ${formatNumber(v)}.`, e.span));
      return undefined;
    }
    return v;
  }

  private expect(stmt: ExpectStmt): void {
    this.refs = [];
    const l = this.expr(stmt.left);
    const r = this.expr(stmt.right);
    if (l === undefined || r === undefined) return;
    let tol = 1e-6;
    if (stmt.within) {
      const v = this.tolerance(stmt.within);
      if (v === undefined) return;
      tol = v;
    }
    if (this.tape.isScalar[l] === 1 && this.tape.isScalar[r] === 1) return this.expectScalars(stmt, this.tape.sv[l], this.tape.sv[r], tol);
    const L = this.tape.value(l);
    const R = this.tape.value(r);
    const bs = broadcastShapes(L.shape, R.shape);
    if (!bs || formatShape(bs) !== formatShape(L.shape)) {
      this.diagnostics.push(
        error('expect.shape', `Expected the right side to broadcast to the left side's shape ${formatShape(L.shape)}, found ${formatShape(R.shape)}.`, stmt.right.span),
      );
      return;
    }
    const Rb = broadcastTo(R, L.shape);
    this.settleExpect(stmt, tol, L.shape, L.data, R.shape, R.data, Rb.data);
  }

  /** `expect` of two scalars: no tensors on the hot path, the same test and record. */
  private expectScalars(stmt: ExpectStmt, a: number, b: number, tol: number): void {
    this.settleExpect(stmt, tol, [], [a], [], [b], [b]);
  }

  /**
   * Compares LEFT with RIGHT (already broadcast to LEFT's shape) element by element:
   * |L − R| ≤ tol·max(1, |R|), NaN never passes; records the expectation and, when it
   * fails, an error that shows both sides.
   */
  private settleExpect(
    stmt: ExpectStmt,
    tol: number,
    lShape: Shape,
    l: ArrayLike<number>,
    rShape: Shape,
    r: ArrayLike<number>,
    rb: ArrayLike<number>,
  ): void {
    let maxError = 0;
    let passed = true;
    let worst = 0;
    for (let i = 0; i < l.length; i++) {
      const a = l[i];
      const b = rb[i];
      // An infinity equals only itself (the formula would give ∞ ≤ ∞ for 2 vs ∞, and NaN for ∞ vs ∞).
      const infinite = (a === Infinity || a === -Infinity || b === Infinity || b === -Infinity) && !Number.isNaN(a) && !Number.isNaN(b);
      const err = infinite ? (a === b ? 0 : Infinity) : Math.abs(a - b) / Math.max(1, Math.abs(b));
      if (infinite ? a !== b : !(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)))) passed = false;
      if (Number.isNaN(err) || err > maxError) {
        maxError = Number.isNaN(err) ? NaN : err;
        worst = i;
      }
      if (Number.isNaN(a) || Number.isNaN(b)) passed = false;
    }
    const leftText = this.text.slice(stmt.left.span.start, stmt.left.span.end);
    const rightText = this.text.slice(stmt.right.span.start, stmt.right.span.end);
    this.expectations.push({
      line: this.currentLine,
      span: stmt.span,
      passed,
      maxError,
      tolerance: tol,
      left: { text: leftText, shape: lShape.slice(), data: Array.from(l) },
      right: { text: rightText, shape: rShape.slice(), data: Array.from(r) },
    });
    if (!passed) {
      const scalars = l.length === 1 && r.length === 1;
      const [ls, rs] = scalars ? distinctTexts(l[0], r[0], 6) : [`${formatShape(lShape)} tensor`, `${formatShape(rShape)} tensor`];
      const at = l.length > 1 ? ` (largest difference at element ${worst}: ${distinctTexts(l[worst], rb[worst], 6).join(' vs ')})` : '';
      const [es, ts] = distinctTexts(maxError, tol, 3);
      this.diagnostics.push(
        error(
          'expect.failed',
          `Expected ${leftText} == ${rightText}, found ${ls} ≠ ${rs}${at}; error ${es} > ${ts}.`,
          stmt.span,
        ),
      );
    }
  }

  private network(decl: NetworkDecl): void {
    const name = decl.name.name;
    const seedV = decl.seed ? this.constNumber(decl.seed, 'an integer seed') : 0;
    const { model, info, diagnostics } = buildNetwork(decl, {
      constant: (n) => {
        const b = this.env.get(n);
        if (!b) return undefined;
        const t = this.tape.value(b.node);
        return t.data.length === 1 ? t.data[0] : undefined;
      },
      network: (n) => this.networks.get(n)?.model,
      lineOf: (offset: number) => this.lines.lineOf(offset),
      broken: (n) => this.poisoned.has(n),
    });
    this.diagnostics.push(...diagnostics);
    if (info) this.networkInfos.push(info);
    if (!model) {
      this.poisoned.add(name);
      this.env.delete(name);
      return;
    }
    const state: NetState = {
      model,
      info,
      decl,
      params: new Map(),
      specs: new Map(),
      buffers: new Map(),
      rng: undefined,
      seed: seedV ?? 0,
      calls: [],
    };
    this.networks.set(name, state);
    this.poisoned.delete(name);
    this.env.delete(name);
    model.parameters().forEach((p, index) => {
      for (const n of [p.name, ...p.aliases]) state.specs.set(n, { param: p, index });
    });
    for (const buf of model.buffers()) {
      state.buffers.set(buf.name, copy(buf.init));
      for (const a of buf.aliases ?? []) state.buffers.set(a, state.buffers.get(buf.name)!);
    }
  }

  /** The current binding of a network parameter, creating its leaf (from the default initialisation) on first use. */
  private netParam(net: NetState, fullName: string): Binding | undefined {
    const have = net.params.get(fullName);
    if (have) return have;
    const spec = net.specs.get(fullName);
    if (!spec) return undefined;
    const p = spec.param;
    const decl = net.decl;
    const leaf = this.tape.leaf(copy(p.init), K.PARAM, decl.name.span.start, decl.name.span.end);
    const b: Binding = {
      name: p.name,
      node: leaf,
      kind: 'param',
      stmt: null,
      line: this.lines.lineOf(decl.span.start),
      span: decl.headerSpan,
      nameSpan: decl.name.span,
      refs: [],
      network: net.model.name,
      aliases: p.aliases,
      stateIndex: spec.index,
    };
    this.bindings.push(b);
    for (const n of [p.name, ...p.aliases]) net.params.set(n, b);
    return b;
  }

  /** `train …` (docs/training.md): runs in src/core/train over this evaluator's state. */
  private train(stmt: TrainStmt): void {
    this.lastBackward = undefined;
    const info = runTraining(stmt, this.trainHost());
    this.lastBackward = undefined;
    if (info) this.trainings.push(info);
  }

  /** What training may do to the evaluator's state (src/core/train/host.ts). */
  private trainHost(): TrainHost {
    const self = this;
    return {
      tape: this.tape,
      text: this.text,
      diagnostics: this.diagnostics,
      budget: this.budget,
      onProgress: this.onProgress as ProgressCallback | undefined,
      shouldStop: this.shouldStop,
      lineOf: (offset) => this.lines.lineOf(offset),
      work: () => this.work,
      addWork: (units) => {
        this.work += units;
      },
      guardBudget<T>(f: () => T): T | 'budget' {
        try {
          return f();
        } catch (e) {
          if (e instanceof BudgetExceeded) return 'budget';
          throw e;
        }
      },
      // Each training step's loss and metric record their reads afresh (no growth over the steps).
      expr: (e) => this.exprOwnRefs(e),
      constNumber: (e, what) => this.constNumber(e, what),
      binding: (name) => this.env.get(name),
      isPoisoned: (name) => this.poisoned.has(name),
      undefinedName: (ref) => this.undefinedName(ref),
      isNetwork: (name) => this.networks.has(name),
      networkParams: (name) => {
        const net = this.networks.get(name);
        if (!net) return undefined;
        return net.model.parameters().map((p) => self.netParam(net, p.name)!);
      },
      setNetworkParam: (b) => {
        const net = b.network !== undefined ? this.networks.get(b.network) : undefined;
        if (net) for (const n of [b.name, ...(b.aliases ?? [])]) net.params.set(n, b);
      },
      setEnv: (name, b) => {
        if (b) this.env.set(name, b);
        else this.env.delete(name);
      },
      bind: (b) => this.bind(b),
      recordBinding: (b) => {
        this.bindings.push(b);
      },
      docRng: () => {
        if (!this.docRng) this.docRng = createRng(0);
        return this.docRng;
      },
      memoNetworkCalls: (on) => {
        this.netMemo = on ? new Map() : undefined;
      },
      checkFiniteOps: (on) => {
        this.checkFinite = on;
      },
      saveRecord: () => {
        const saved = new Map(this.exprNodes);
        return () => {
          this.exprNodes.clear();
          for (const [k, v] of saved) this.exprNodes.set(k, v);
        };
      },
    };
  }

  // ---- expressions -----------------------------------------------------------------------

  /** Evaluates an expression to a node; undefined after an error (reported or inherited). */
  expr(e: Expr): number | undefined {
    const n = this.exprInner(e);
    if (n !== undefined && this.recordExpressions) this.exprNodes.set(e, n);
    return n;
  }

  private exprInner(e: Expr): number | undefined {
    switch (e.kind) {
      case 'Number':
        if (!Number.isFinite(e.value))
          this.diagnostics.push(warning('value.non-finite', `Expected a number within float64's range (up to about 1.8e308), found \`${e.raw.length > 24 ? `${e.raw.slice(0, 20)}…` : e.raw}\`: it is read as ∞.`, e.span));
        return this.tape.scalarConst(e.value, e.span.start, e.span.end);
      case 'Bool':
        return this.tape.scalarConst(e.value ? 1 : 0, e.span.start, e.span.end);
      case 'String':
        this.diagnostics.push(error('type.string', 'Expected a number or tensor, found a string (strings are only layer and function arguments).', e.span));
        return undefined;
      case 'Paren':
        return this.expr(e.inner);
      case 'Name':
      case 'Path': {
        if (e.kind === 'Name' && (e.name === 'pi' || e.name === 'π') && !this.env.has(e.name)) return this.tape.scalarConst(Math.PI, e.span.start, e.span.end);
        if (e.kind === 'Name' && e.name === 'e' && !this.env.has('e')) return this.tape.scalarConst(Math.E, e.span.start, e.span.end);
        if (e.kind === 'Name' && (e.name === 'inf' || e.name === 'Infinity') && !this.env.has(e.name))
          return this.tape.scalarConst(Infinity, e.span.start, e.span.end);
        // np.inf, math.inf, torch.inf, np.pi, math.pi, math.e (a library's constant, unless the document bound the prefix).
        if (e.kind === 'Path' && e.parts.length === 2 && ['np', 'numpy', 'math', 'torch'].includes(e.parts[0]) && !this.env.has(e.parts[0])) {
          const c = ({ inf: Infinity, pi: Math.PI, e: Math.E } as Record<string, number>)[e.parts[1]];
          if (c !== undefined) return this.tape.scalarConst(c, e.span.start, e.span.end);
        }
        const b = this.lookup(e);
        if (!b) return undefined;
        this.refs.push({ ref: e, binding: b });
        return b.node;
      }
      case 'Unary': {
        const a = this.expr(e.operand);
        if (a === undefined) return undefined;
        if (e.op === '+') return a;
        return this.apply('neg', [a], undefined, e.span, e.opSpan);
      }
      case 'Binary':
        return this.binary(e);
      case 'List':
        return this.list(e);
      case 'Call':
        return this.call(e);
      case 'Method': {
        const def = findBuiltin(e.method.name);
        if (!def) {
          this.diagnostics.push(
            error(
              'name.unknown-function',
              `Expected a method such as \`sum\`, \`mean\`, \`reshape\` or \`softmax\`, found \`${e.method.name}\`.${this.suggestFn(e.method.name)}`,
              e.method.span,
            ),
          );
          return undefined;
        }
        this.warnElementwiseMax(e.method.name, e.args.length === 1 ? e.args[0] : undefined, e.span);
        return this.callBuiltin(def, [{ name: null, value: e.object, span: e.object.span }, ...e.args], e.span, e.method.span);
      }
      case 'Transpose': {
        const a = this.expr(e.object);
        if (a === undefined) return undefined;
        const nd = this.tape.shape(a).length;
        const perm = [...Array(nd).keys()].reverse();
        return this.apply('permute', [a], { perm }, e.span, e.opSpan);
      }
      case 'Index':
        return this.index(e.object, e.items, e.span);
    }
  }

  private lookup(e: NameRef | PathRef): Binding | undefined {
    if (e.kind === 'Name') {
      const b = this.env.get(e.name);
      if (b) return b;
      if (this.poisoned.has(e.name)) return undefined;
      if (this.networks.has(e.name)) {
        this.diagnostics.push(
          error('type.network', `Expected a value, found the network \`${e.name}\` (call it: \`${e.name}(X)\`, or use \`params(${e.name})\`).`, e.span),
        );
        return undefined;
      }
      this.undefinedName(e);
      return undefined;
    }
    const full = e.parts.join('.');
    const net = this.networks.get(e.parts[0]);
    if (!net) {
      if (this.poisoned.has(e.parts[0])) return undefined;
      if (this.env.has(e.parts[0])) {
        this.diagnostics.push(
          error('name.bad-path', `Expected a network path such as \`mlp.0.weight\`, found \`${full}\` (\`${e.parts[0]}\` is a value, not a network).`, e.span),
        );
        return undefined;
      }
      this.undefinedName({ kind: 'Name', name: e.parts[0], span: e.partSpans[0] });
      return undefined;
    }
    const p = this.netParam(net, full);
    if (p) return p;
    const layer = this.layerOutput(e, () => true);
    if (layer) return layer;
    if (net.model.outputSizeOf(e.parts.slice(1)) !== undefined) {
      this.diagnostics.push(
        error(
          'name.undefined',
          `Expected a parameter or a layer output of \`${e.parts[0]}\`, found the layer \`${full}\` before any call of \`${e.parts[0]}\`: its output exists once a line runs \`${e.parts[0]}(X)\`.`,
          e.span,
        ),
      );
      return undefined;
    }
    const near = nearest(full, net.specs.keys());
    this.diagnostics.push(
      error(
        'name.undefined',
        `Expected a parameter of \`${e.parts[0]}\`, found \`${full}\`.${near ? ` Did you mean \`${near}\`?` : ''}`,
        e.span,
        near ? [{ title: `Change to ${near}`, span: e.span, text: near }] : undefined,
      ),
    );
    return undefined;
  }

  /**
   * The output of the layer a path names (`mlp.A`, `mlp.1`, `net.B.0`) in the latest recorded
   * call of its network for which `wanted` holds (else the latest call), as a binding; undefined
   * when the path names a parameter or no call recorded that layer.
   */
  private layerOutput(e: PathRef, wanted: (node: number) => boolean): Binding | undefined {
    const net = this.networks.get(e.parts[0]);
    if (!net) return undefined;
    const full = e.parts.join('.');
    if (net.specs.has(full)) return undefined;
    let node: number | undefined;
    for (let k = net.calls.length - 1; k >= 0; k--) {
      const n = net.calls[k].get(full);
      if (n === undefined) continue;
      node ??= n;
      if (wanted(n)) {
        node = n;
        break;
      }
    }
    if (node === undefined) return undefined;
    return { name: full, node, kind: 'value', stmt: null, line: this.tape.spanStart[node] > 0 ? this.lines.lineOf(this.tape.spanStart[node]) : this.currentLine, span: e.span, nameSpan: e.span, refs: [], network: net.model.name };
  }

  private undefinedName(e: NameRef): void {
    const cands = [...this.env.keys(), ...this.networks.keys()];
    const near = nearest(e.name, cands);
    const fixes: Fix[] = near ? [{ title: `Change to \`${near}\``, span: e.span, text: near }] : [];
    this.diagnostics.push(
      error('name.undefined', `Expected a defined name, found \`${e.name}\`.${near ? ` Did you mean \`${near}\`?` : ''}`, e.span, fixes),
    );
  }

  private suggestFn(name: string): string {
    const near = nearest(name.toLowerCase(), builtinNames());
    return near ? ` Did you mean \`${near}\`?` : '';
  }

  private binary(e: Extract<Expr, { kind: 'Binary' }>): number | undefined {
    // A left-deep chain (`a + b + c + …`: the parser builds left-associative operators so) is
    // evaluated in a loop, so a sum of thousands of terms does not nest the recursion.
    const chain: Extract<Expr, { kind: 'Binary' }>[] = [e];
    let first: Expr = e.left;
    while (first.kind === 'Binary' && first.op !== '^') {
      chain.push(first);
      first = first.left;
    }
    let acc = this.expr(first);
    for (let k = chain.length - 1; k >= 0; k--) {
      const c = chain[k];
      const b = this.expr(c.right);
      acc = acc === undefined || b === undefined ? undefined : this.binaryOp(c, acc, b);
      // Hovers read the partial sums of a short chain; a long one's would cost memory quadratic in its length.
      if (k > 0 && acc !== undefined && this.recordExpressions && chain.length <= MAX_RECORDED_CHAIN) this.exprNodes.set(c, acc);
    }
    return acc;
  }

  private binaryOp(e: Extract<Expr, { kind: 'Binary' }>, a: number, b: number): number | undefined {
    const op = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow', '@': 'matmul' }[e.op];
    const fixes: Fix[] = [];
    return this.apply(op, [a, b], undefined, e.span, e.opSpan, (hint) => {
      if (hint === 'use-matmul') fixes.push({ title: 'Use matrix multiplication `@`', span: e.opSpan, text: '@' });
      if (hint === 'transpose-right')
        fixes.push({ title: 'Transpose the right operand', span: e.right.span, text: `${this.text.slice(e.right.span.start, e.right.span.end)}.T` });
      if (hint === 'transpose-left')
        fixes.push({ title: 'Transpose the left operand', span: e.left.span, text: `${this.text.slice(e.left.span.start, e.left.span.end)}.T` });
      return fixes;
    });
  }

  private list(e: Extract<Expr, { kind: 'List' }>): number | undefined {
    if (e.elements.length === 0) return this.constant(tensor([0]), e.span);
    const nodes: number[] = [];
    let failed = false;
    for (const el of e.elements) {
      const n = this.expr(el);
      if (n === undefined) failed = true;
      else nodes.push(n);
    }
    if (failed) return undefined;
    const shape0 = this.tape.shape(nodes[0]);
    for (let k = 1; k < nodes.length; k++) {
      const s = this.tape.shape(nodes[k]);
      if (formatShape(s) !== formatShape(shape0)) {
        this.diagnostics.push(
          error(
            'shape.ragged',
            `Expected every row of the literal to have shape ${formatShape(shape0)}, found ${formatShape(s)} (rows must be rectangular).`,
            e.elements[k].span,
          ),
        );
        return undefined;
      }
    }
    // A literal of constants is a constant; one that mentions leaves is a stack (differentiable).
    if (nodes.every((n) => !this.tape.req[n])) {
      const size = numel(shape0);
      const out = tensor([nodes.length, ...shape0]);
      nodes.forEach((n, k) => out.data.set(this.tape.value(n).data, k * size));
      return this.constant(out, e.span);
    }
    return this.apply('stack', nodes, { axis: 0 }, e.span);
  }

  private index(object: Expr, items: readonly IndexItem[], span: Span): number | undefined {
    const a = this.expr(object);
    if (a === undefined) return undefined;
    const spec: ({ kind: 'int'; index: number } | { kind: 'slice'; start: number | null; stop: number | null; step: number | null })[] = [];
    for (const it of items) {
      if (it.kind === 'Slice') {
        const bound = (x: Expr | null): number | null | undefined => (x ? this.constInt(x, 'an integer slice bound') : null);
        const start = bound(it.start);
        const stop = bound(it.stop);
        const step = bound(it.step);
        if (start === undefined || stop === undefined || step === undefined) return undefined;
        if (step === 0) {
          this.diagnostics.push(error('index.zero-step', 'Expected a non-zero slice step, found 0.', it.step!.span));
          return undefined;
        }
        spec.push({ kind: 'slice', start, stop, step });
      } else {
        const i = this.constInt(it, 'an integer index');
        if (i === undefined) return undefined;
        spec.push({ kind: 'int', index: i });
      }
    }
    return this.apply('index', [a], { items: spec as unknown as readonly number[] }, span);
  }

  // ---- calls -----------------------------------------------------------------------------

  private call(e: Extract<Expr, { kind: 'Call' }>): number | undefined {
    const callee = e.callee;
    // A network of that exact name first (also `mlp.A(x)` is not supported: whole networks only).
    const net = this.networks.get(callee);
    if (net) return this.callNet(net, e);
    if (this.poisoned.has(callee) && !findBuiltin(callee)) return undefined;
    const lower = callee.toLowerCase();
    if (lower === 'grad') return this.gradCall(e);
    if (lower === 'params' || lower === 'size' || lower === 'parameters' || lower === 'count_params') return this.netQuery(e, lower === 'size' ? 'size' : 'params');
    const def = findBuiltin(callee);
    // `F.sum()` where the document bound `F` (or `np`, `nn`, …) to a value: with no positional
    // argument it cannot be the prefixed call the parser took it for (`F.relu(x)` still is one).
    const prefix = e.calleeSpan.start > e.span.start ? this.text.slice(e.span.start, e.calleeSpan.start).replace(/\.$/, '') : '';
    if (def && /^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix) && this.env.has(prefix) && e.args.every((a) => a.name)) {
      const object: Expr = { kind: 'Name', name: prefix, span: { start: e.span.start, end: e.span.start + prefix.length } };
      return this.callBuiltin(def, [{ name: null, value: object, span: object.span }, ...e.args], e.span, e.calleeSpan);
    }
    if (!def) {
      if (this.env.has(callee)) {
        this.diagnostics.push(error('type.not-callable', `Expected a function or network, found the value \`${callee}\` (it cannot be called).`, e.calleeSpan));
        return undefined;
      }
      const near = nearest(lower, [...builtinNames(), ...this.networks.keys()]);
      this.diagnostics.push(
        error(
          'name.unknown-function',
          `Expected a built-in function or a network, found \`${callee}\`.${near ? ` Did you mean \`${near}\`?` : ''}`,
          e.calleeSpan,
          near ? [{ title: `Change to \`${near}\``, span: e.calleeSpan, text: near }] : undefined,
        ),
      );
      return undefined;
    }
    // Spelled with a numpy/torch prefix (`np.max(x, 0)`), where two positional arguments reduce.
    if (e.calleeSpan.start > e.span.start && e.args.length === 2) this.warnElementwiseMax(callee, e.args[1], e.span);
    return this.callBuiltin(def, e.args, e.span, e.calleeSpan);
  }

  /**
   * `x.max(1)`, `np.max(x, 0)`, `torch.min(x, 1)`: in numpy and PyTorch these reduce over an
   * axis, in this language (LANGUAGE.md §4) two positional arguments are element-wise. Said
   * where the spelling comes from numpy/PyTorch code and the second argument is an integer
   * literal; `max(x, 0)` (the ReLU idiom) is left alone.
   */
  private warnElementwiseMax(name: string, second: Arg | undefined, span: Span): void {
    const f = name.toLowerCase();
    if ((f !== 'max' && f !== 'min') || !second || second.name || second.value.kind !== 'Number' || !Number.isInteger(second.value.value)) return;
    const k = second.value.value;
    this.diagnostics.push(
      warning(
        'call.elementwise-max',
        `Expected \`${f}(x, axis=${k})\` for a reduction, found \`${this.text.slice(span.start, span.end)}\`: with two positional arguments \`${f}\` is element-wise here (the ${f === 'max' ? 'larger' : 'smaller'} of x and ${k}), unlike numpy's and PyTorch's \`${f}(x, ${k})\`.`,
        span,
        [{ title: `Reduce over axis ${k} (\`axis=${k}\`)`, span: second.value.span, text: `axis=${k}` }],
      ),
    );
  }

  private callNet(net: NetState, e: Extract<Expr, { kind: 'Call' }>): number | undefined {
    // A call may update buffers (batch norm statistics) in place.
    this.lastBackward = undefined;
    const pos = e.args.filter((a) => !a.name);
    if (pos.length !== 1) {
      this.diagnostics.push(error('call.arity', `Expected one input for the network \`${e.callee}\`, found ${pos.length}.`, e.span));
      return undefined;
    }
    // Inside a `train` statement's steps (loss, metric and the lines they replay) a network runs
    // in training mode unless told otherwise, as after `model.train()` in a PyTorch loop.
    let train = this.netMemo !== undefined;
    for (const a of e.args) {
      if (!a.name) continue;
      if (a.name.name === 'train' || a.name.name === 'training') {
        const v = this.constBool(a.value);
        if (v === undefined) return undefined;
        train = v;
      } else {
        this.diagnostics.push(error('call.unknown-keyword', `Expected \`train=\`, found the keyword \`${a.name.name}\`.`, a.name.span));
        return undefined;
      }
    }
    const x = this.expr(pos[0].value);
    if (x === undefined) return undefined;
    // Parameters are referred to by the call, for derivations and dependency.
    const ctx = this.callContext(e.span, e.calleeSpan);
    const self = this;
    const netCtx = Object.assign(ctx, {
      param(fullName: string): number {
        return self.netParam(net, fullName)!.node;
      },
      buffer(fullName: string): Tensor {
        return net.buffers.get(fullName)!;
      },
      setBuffer(fullName: string, value: Tensor): void {
        const cur = net.buffers.get(fullName);
        if (cur && cur.data.length === value.data.length) cur.data.set(value.data);
        else net.buffers.set(fullName, value);
      },
      netRng(): Rng {
        if (!net.rng) net.rng = createRng(net.seed + 1_000_003);
        return net.rng;
      },
      // Outside training steps (whose nodes are dropped after each step), remember what each layer passed on.
      ...(this.netMemo
        ? {}
        : {
            layerOutput(paths: readonly string[], node: number): void {
              for (const p of paths) layers.set(p, node);
            },
          }),
    });
    const layers = new Map<string, number>();
    if (!this.netMemo) {
      net.calls.push(layers);
      if (net.calls.length > MAX_LAYER_CALLS) net.calls.shift();
    }
    if (!this.netMemo) return callNetwork(net.model, x, train, netCtx);
    // During a training step, `loss bce(mlp(X), y)` and `metric accuracy(mlp(X), y)` share one forward pass.
    const key = `${e.callee}\u0000${x}\u0000${train}`;
    const hit = this.netMemo.get(key);
    if (hit !== undefined) return hit;
    const out = callNetwork(net.model, x, train, netCtx);
    if (out !== undefined) this.netMemo.set(key, out);
    return out;
  }

  private netQuery(e: Extract<Expr, { kind: 'Call' }>, what: 'params' | 'size'): number | undefined {
    const arg = e.args[0];
    if (e.args.length !== 1 || !arg || arg.name || (arg.value.kind !== 'Name' && arg.value.kind !== 'Path')) {
      this.diagnostics.push(
        error('call.bad-argument', `Expected one network or layer path, as in \`${what}(mlp${what === 'size' ? '.A' : ''})\`, found ${e.args.length === 1 ? 'another expression' : `${e.args.length} arguments`}.`, e.span),
      );
      return undefined;
    }
    const parts = arg.value.kind === 'Name' ? [arg.value.name] : arg.value.parts;
    const net = this.networks.get(parts[0]);
    if (!net) {
      if (this.poisoned.has(parts[0])) return undefined;
      const near = nearest(parts[0], this.networks.keys());
      this.diagnostics.push(
        error('name.undefined', `Expected a network name, found \`${parts[0]}\`.${near ? ` Did you mean \`${near}\`?` : ''}`, arg.value.span),
      );
      return undefined;
    }
    const v = what === 'params' ? net.model.paramsOf(parts.slice(1)) : net.model.outputSizeOf(parts.slice(1));
    if (v === undefined) {
      this.diagnostics.push(
        error('name.undefined', `Expected a layer of \`${parts[0]}\` (a label or an index), found \`${parts.join('.')}\`.`, arg.value.span),
      );
      return undefined;
    }
    if (typeof v !== 'number') {
      this.diagnostics.push(
        error('net.symbolic-size', `Expected a numeric size, found the symbolic size ${v} (give the input a concrete shape to compare it).`, e.span),
      );
      return undefined;
    }
    return this.tape.scalarConst(v, e.span.start, e.span.end);
  }

  /** `grad(OUT, NAME)`: the gradient as a (detached) value. */
  private gradCall(e: Extract<Expr, { kind: 'Call' }>): number | undefined {
    if (e.args.length !== 2 || e.args.some((a) => a.name)) {
      this.diagnostics.push(error('call.arity', `Expected \`grad(OUT, NAME)\` with two names, found ${e.args.length} argument${e.args.length === 1 ? '' : 's'}.`, e.span));
      return undefined;
    }
    const [o, w] = e.args.map((a) => a.value);
    if ((o.kind !== 'Name' && o.kind !== 'Path') || (w.kind !== 'Name' && w.kind !== 'Path')) {
      const bad = o.kind !== 'Name' && o.kind !== 'Path' ? o : w;
      this.diagnostics.push(error('call.bad-argument', 'Expected a name in `grad(OUT, NAME)`, found an expression (bind it to a name first).', bad.span));
      return undefined;
    }
    const out = this.lookup(o);
    if (!out) return undefined;
    if (numel(this.tape.shape(out.node)) !== 1) {
      this.diagnostics.push(
        error('grad.non-scalar', `Expected a scalar output in \`grad\`, found \`${refText(o)}\` with shape ${formatShape(this.tape.shape(out.node))}.`, o.span),
      );
      return undefined;
    }
    this.spend(this.tape.n);
    const grads = this.backward(out.node);
    const [t] = this.resolveWrt(out, grads, [w]);
    if (!t) return undefined;
    if (!t.depends) this.diagnostics.push(independent(refText(o), t.text, w.span));
    this.refs.push({ ref: o, binding: out });
    const node = t.b.node;
    if (this.tape.isScalar[node] === 1) return this.tape.scalarConst(grads.scalarOf(node), e.span.start, e.span.end);
    // A copy: the backward pass may be shared with other requests (`backward`).
    const g = grads.of(node);
    return this.constant({ shape: g.shape, data: g.data.slice() }, e.span);
  }

  callContext(span: Span, nameSpan: Span): CallContext {
    // The spelling's library (`torch.var`, `F.normalize`: PyTorch's defaults; `np.var`, `var`: numpy's).
    const prefix = nameSpan.start > span.start ? this.text.slice(span.start, nameSpan.start) : '';
    const library = /^(torch|F|nn)(\.[A-Za-z_]\w*)*\.$/.test(prefix) ? 'torch' : 'numpy';
    return {
      span,
      nameSpan,
      library,
      apply: (op, inputs, attrs, sp) => this.apply(op, inputs, attrs, sp ?? span),
      constant: (t) => this.constant(t, span),
      shape: (n) => this.tape.shape(n),
      value: (n) => this.tape.value(n),
      error: (code, message, sp) => {
        this.diagnostics.push(error(code, message, sp ?? span));
        return undefined;
      },
      warn: (code, message, sp) => {
        this.diagnostics.push(warning(code, message, sp ?? span));
      },
      rng: (seed) => {
        if (seed !== null) return createRng(seed);
        if (!this.docRng) this.docRng = createRng(0);
        return this.docRng;
      },
      readFile: this.readFile,
    };
  }

  private callBuiltin(def: BuiltinDef, args: readonly Arg[], span: Span, nameSpan: Span): number | undefined {
    const bound = this.bindArgs(def, args, span);
    if (!bound) return undefined;
    const mark = this.diagnostics.length;
    const n = def.call(bound, this.callContext(span, nameSpan));
    // An axis out of range is the axis argument's fault: point at it, not at the whole call.
    const axisSpan = bound.spans.axis ?? bound.spans.dim;
    if (n === undefined && axisSpan)
      for (let k = mark; k < this.diagnostics.length; k++) {
        const d = this.diagnostics[k];
        if (d.code === 'shape.axis') this.diagnostics[k] = { ...d, span: axisSpan };
      }
    return n;
  }

  /** Matches arguments to a built-in's parameters and evaluates them by kind. */
  private bindArgs(def: BuiltinDef, args: readonly Arg[], span: Span): BoundArgs | undefined {
    const values: Record<string, BoundValue> = {};
    const spans: Record<string, Span> = {};
    const specs = def.params;
    let positional: readonly Arg[] = args;
    let keyword: readonly Arg[] = NO_ARGS;
    for (const a of args) {
      if (a.name) {
        positional = args.filter((x) => !x.name);
        keyword = args.filter((x) => x.name);
        break;
      }
    }
    let pi = 0;
    let ok = true;
    const given = new Set<string>();
    for (let k = 0; k < positional.length; k++) {
      const a = positional[k];
      while (pi < specs.length && specs[pi].keywordOnly) pi++;
      const spec = specs[pi];
      if (!spec) {
        // After an argument that failed (its own diagnostic), the count may be off by it: say nothing more.
        if (!ok) return undefined;
        this.diagnostics.push(
          error('call.arity', `Expected at most ${positionalCount(specs)} positional argument${positionalCount(specs) === 1 ? '' : 's'} for \`${def.signature}\`, found ${positional.length}.`, a.span),
        );
        return undefined;
      }
      if (spec.kind === 'ints' && spec.rest) {
        const rest = positional.slice(k);
        const v = this.bindInts(rest.map((r) => r.value));
        if (v === undefined) return undefined;
        values[spec.name] = v;
        spans[spec.name] = { start: rest[0].span.start, end: rest[rest.length - 1].span.end };
        given.add(spec.name);
        pi++;
        break;
      }
      const v = this.bindOne(spec, a.value);
      if (v === undefined && spec.kind !== 'axis') ok = false;
      if (v === undefined && spec.kind === 'axis') return undefined;
      values[spec.name] = v;
      spans[spec.name] = a.value.span;
      given.add(spec.name);
      pi++;
    }
    const byName = keyword.length > 0 ? paramsByName(def) : undefined;
    for (const a of keyword) {
      if (!byName) break;
      const kname = a.name!.name;
      const spec = byName.get(kname);
      if (!spec) {
        const near = nearest(kname, [...byName.keys()]);
        this.diagnostics.push(
          error(
            'call.unknown-keyword',
            `Expected a keyword of \`${def.signature}\`, found \`${kname}\`.${near ? ` Did you mean \`${near}\`?` : ''}`,
            a.name!.span,
            near ? [{ title: `Change to \`${near}\``, span: a.name!.span, text: near }] : undefined,
          ),
        );
        return undefined;
      }
      if (given.has(spec.name)) {
        this.diagnostics.push(error('call.duplicate-argument', `Expected \`${spec.name}\` once, found it given twice.`, a.span));
        return undefined;
      }
      const v = spec.kind === 'ints' ? this.bindInts([a.value]) : this.bindOne(spec, a.value);
      if (v === undefined && spec.kind !== 'axis') ok = false;
      if (v === undefined && spec.kind === 'axis') return undefined;
      values[spec.name] = v;
      spans[spec.name] = a.value.span;
      given.add(spec.name);
    }
    if (!ok) return undefined;
    for (const p of specs) {
      if (given.has(p.name)) continue;
      if (p.default !== undefined) values[p.name] = p.default;
      else if (p.kind === 'ints' && p.rest) values[p.name] = [];
      else {
        this.diagnostics.push(error('call.missing-argument', `Expected the argument \`${p.name}\` of \`${def.signature}\`, found none.`, span));
        return undefined;
      }
    }
    return { values, spans, positionalCount: positional.length };
  }

  private bindOne(spec: ParamSpec, e: Expr): BoundValue {
    switch (spec.kind) {
      case 'tensor': {
        // `weight=None` as pasted from PyTorch: the parameter's default (absent), where it has one.
        if (e.kind === 'Name' && e.name === 'None' && spec.default === null && !this.env.has('None')) return null;
        const n = this.expr(e);
        return n === undefined ? undefined : { node: n, span: e.span };
      }
      case 'int':
        if (spec.orNone && e.kind === 'Name' && e.name === 'None' && !this.env.has('None')) return null;
        return this.constInt(e, `an integer for \`${spec.name}\``);
      case 'number':
        if (spec.orNone && e.kind === 'Name' && e.name === 'None' && !this.env.has('None')) return null;
        return this.constNumber(e, `a number for \`${spec.name}\``);
      case 'ord':
        // A norm's order: a string ('fro'), or a number, inf and −inf included (also np.inf).
        if (e.kind === 'String') return e.value;
        if (e.kind === 'Name' && e.name === 'None' && !this.env.has('None')) return null;
        return this.constNumber(e, `a number or a string for \`${spec.name}\``);
      case 'axis': {
        if (e.kind === 'Name' && e.name === 'None') return null;
        if (e.kind === 'List') return this.bindInts(e.elements);
        return this.constInt(e, `an integer axis for \`${spec.name}\``);
      }
      case 'bool':
        return this.constBool(e);
      case 'string':
        if (e.kind === 'String') return e.value;
        this.diagnostics.push(error('type.expected-string', `Expected a string for \`${spec.name}\` (such as 'mean'), found ${describeExpr(e)}.`, e.span));
        return undefined;
      case 'ints':
        return this.bindInts([e]);
    }
  }

  /** Integers given as several arguments or as one list/tuple. */
  private bindInts(es: readonly Expr[]): number[] | undefined {
    if (es.length === 1 && (es[0].kind === 'List')) return this.bindInts(es[0].elements);
    if (es.length === 1) {
      // One value: a size, or a 1-D tensor of sizes (`reshape(x, shape(y))`, as numpy takes a shape).
      const n = this.exprOwnRefs(es[0]);
      if (n === undefined) return undefined;
      const t = this.tape.value(n);
      if (t.shape.length > 1 || (t.shape.length === 1 && t.data.length === 0)) {
        this.diagnostics.push(error('type.expected-int', `Expected integer sizes, found a tensor of shape ${formatShape(t.shape)}.`, es[0].span));
        return undefined;
      }
      const bad = Array.from(t.data).find((v) => !Number.isInteger(v));
      if (bad !== undefined) {
        this.diagnostics.push(error('type.expected-int', `Expected integer sizes, found ${formatNumber(bad)}.`, es[0].span));
        return undefined;
      }
      return Array.from(t.data);
    }
    const out: number[] = [];
    for (const e of es) {
      if (e.kind === 'List') {
        this.diagnostics.push(error('type.expected-int', 'Expected an integer, found a list.', e.span));
        return undefined;
      }
      const v = this.constInt(e, 'an integer size');
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  /** Evaluates `e` without adding the names it reads to the current statement's refs (a constant, a size, a training step's loss). */
  private exprOwnRefs(e: Expr): number | undefined {
    const saved = this.refs;
    this.refs = [];
    try {
      return this.expr(e);
    } finally {
      this.refs = saved;
    }
  }

  constNumber(e: Expr, what: string): number | undefined {
    const n = this.exprOwnRefs(e);
    if (n === undefined) return undefined;
    const t = this.tape.value(n);
    if (t.data.length !== 1) {
      this.diagnostics.push(error('type.expected-scalar', `Expected ${what}, found a tensor of shape ${formatShape(t.shape)}.`, e.span));
      return undefined;
    }
    return t.data[0];
  }

  private constInt(e: Expr, what: string): number | undefined {
    const v = this.constNumber(e, what);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v)) {
      this.diagnostics.push(error('type.expected-int', `Expected ${what}, found ${formatNumber(v)}.`, e.span));
      return undefined;
    }
    return v;
  }

  private constBool(e: Expr): boolean | undefined {
    if (e.kind === 'Bool') return e.value;
    const v = this.constNumber(e, '`true` or `false`');
    if (v === undefined) return undefined;
    return v !== 0;
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
        this.diagnostics.push(error(r.code ?? 'shape.mismatch', r.error, opSpan, fixesFor ? fixesFor(r.hint) : r.fixes ? [...r.fixes] : undefined));
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
    if (this.checkFinite && !this.tape.isFinite(n)) this.nonFinite(def, inputs, n, opSpan);
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

  private spend(units: number, span?: Span): void {
    this.work += units;
    if (this.work > this.budget) throw new BudgetExceeded(span ?? { start: 0, end: 0 });
  }

}

const NO_ARGS: readonly Arg[] = [];
const PARAMS_BY_NAME = new WeakMap<BuiltinDef, Map<string, ParamSpec>>();

/** A built-in's parameters by name and alias (built once per built-in). */
function paramsByName(def: BuiltinDef): Map<string, ParamSpec> {
  let byName = PARAMS_BY_NAME.get(def);
  if (!byName) {
    byName = new Map<string, ParamSpec>();
    for (const p of def.params) for (const n of [p.name, ...(p.aliases ?? [])]) byName.set(n, p);
    PARAMS_BY_NAME.set(def, byName);
  }
  return byName;
}

/** `grad.independent`: OUT has no path to NAME, so ∂OUT/∂NAME is 0 (grad statements and `grad(…)`). */
/**
 * Two numbers printed with at least `digits` significant digits and as many more as it takes to
 * tell them apart (1000 vs 1000.002 is not "1000 ≠ 1000").
 */
function distinctTexts(a: number, b: number, digits: number): [string, string] {
  let d = digits;
  let x = formatNumber(a, d);
  let y = formatNumber(b, d);
  while (x === y && a !== b && d < 17) {
    d++;
    x = formatNumber(a, d);
    y = formatNumber(b, d);
  }
  return [x, y];
}

function independent(out: string, wrt: string, span: Span): Diagnostic {
  return warning('grad.independent', `Expected \`${out}\` to depend on \`${wrt}\`, found no path from it: its gradient is 0.`, span);
}

/** Keeps source order, but lists each network's parameters in state_dict order where the first of them appears. */
function inStateDictOrder(bs: Binding[], netStart: (network: string) => number | undefined): Binding[] {
  // Groups in source order: a document param at its statement, a network's parameters together
  // (state_dict order) where the network is declared — not where they were first used.
  const groups: { at: number; items: Binding[] }[] = [];
  const done = new Set<string>();
  for (const b of bs) {
    if (!b.network) groups.push({ at: b.span.start, items: [b] });
    else if (!done.has(b.network)) {
      done.add(b.network);
      groups.push({ at: netStart(b.network) ?? b.span.start, items: bs.filter((x) => x.network === b.network).sort((x, y) => (x.stateIndex ?? 0) - (y.stateIndex ?? 0)) });
    }
  }
  return groups.sort((x, y) => x.at - y.at).flatMap((g) => g.items);
}

function copy(t: Tensor): Tensor {
  return { shape: t.shape.slice(), data: Float64Array.from(t.data) };
}

function broadcastTo(t: Tensor, shape: Shape): Tensor {
  if (formatShape(t.shape) === formatShape(shape)) return t;
  const out = tensor(shape);
  const n = numel(shape);
  if (t.data.length === 1) {
    out.data.fill(t.data[0]);
    return out;
  }
  // General broadcast via index mapping.
  const nd = shape.length;
  const off = nd - t.shape.length;
  const st: number[] = new Array(nd).fill(0);
  let acc = 1;
  for (let i = t.shape.length - 1; i >= 0; i--) {
    st[i + off] = t.shape[i] === 1 ? 0 : acc;
    acc *= t.shape[i];
  }
  const idx = new Array<number>(nd).fill(0);
  for (let k = 0; k < n; k++) {
    let src = 0;
    for (let d = 0; d < nd; d++) src += idx[d] * st[d];
    out.data[k] = t.data[src];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export function refText(e: NameRef | PathRef): string {
  return e.kind === 'Name' ? e.name : e.parts.join('.');
}

function describeExpr(e: Expr): string {
  switch (e.kind) {
    case 'Number':
      return `the number ${e.raw}`;
    case 'String':
      return 'a string';
    case 'Bool':
      return `\`${e.value}\``;
    case 'Name':
      return `\`${e.name}\``;
    default:
      return 'an expression';
  }
}

