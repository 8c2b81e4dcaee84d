import { allOps, getOp, hasOp, type OpDef } from '../autodiff/op';
import { ELEMENTWISE, evalSym } from '../autodiff/ops/elementwise';
import * as y from '../autodiff/sym';
import type { Sym } from '../autodiff/sym';
import { findBuiltin } from '../builtins/types';
import { formatMinus, formatNumber } from '../format';
import type { Expr } from '../syntax/ast';
import { walkExpr } from '../syntax/walk';
import { broadcastIndex, broadcastShapes, formatShape, numel, toNumbers, type Tensor } from '../tensor/tensor';
import { describeTensor } from '../tensor/preview';
import type { Tape } from '../autodiff/tape';
import type { Gradients } from '../autodiff/tape';
import type { Binding } from '../eval/values';
import { printSym, simplify } from './print';
import { texNum, texPartial, texSymbolic } from './solution/tex';
import { clip, mdCell, mdCode, mdFence, mdText, texText } from './escape';

/** Built-in name → element-wise op name, for symbolic differentiation. */
const FN_TO_OP: Record<string, string> = {
  relu: 'relu',
  leaky_relu: 'leaky_relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  abs: 'abs',
  softplus: 'softplus',
  gelu: 'gelu',
  sin: 'sin',
  cos: 'cos',
  neg: 'neg',
  max: 'maximum',
  min: 'minimum',
  pow: 'pow',
  // The element-wise functions of #19 without options (elu, hardtanh and clamp have options:
  // their calls are derived by the op's rule on the tape).
  ...Object.fromEntries(
    ['square', 'sign', 'floor', 'ceil', 'round', 'log2', 'log10', 'log1p', 'expm1', 'tan', 'reciprocal', 'rsqrt', 'selu', 'silu', 'mish', 'relu6', 'softsign', 'logsigmoid', 'hardsigmoid', 'hardswish'].map((n) => [n, n]),
  ),
};

let byDisplay: Map<string, OpDef> | undefined;
function opByDisplay(f: string): OpDef | undefined {
  if (!byDisplay) {
    byDisplay = new Map();
    for (const op of allOps()) if (op.partials && !byDisplay.has(op.display)) byDisplay.set(op.display, op);
  }
  return byDisplay.get(f);
}

/** The op of that tape name, if there is one (a lookup, not a copy of the table per call). */
function opNamed(name: string): OpDef | undefined {
  return hasOp(name) ? getOp(name) : undefined;
}

/** The statement's expression as a symbolic expression; non-element-wise parts are opaque. */
/** Keywords that do not change which function is computed (see exprToSym). */
const STRUCTURAL_KEYWORDS = new Set(['axis', 'dim', 'keepdims', 'keepdim', 'slope', 'negative_slope', 'alpha']);

/**
 * ∂b/∂p of b's own statement as a number, read off the tape, where no symbolic rule applies
 * (an op with options): backward from b to p counts every path inside the statement, which is
 * the local partial when no other binding the statement reads depends on p.
 */
function localByTape(tape: Tape, b: Binding, p: Binding): number | undefined {
  if (!b.stmt) return undefined;
  // The statement's own nodes come after every binding it reads: stop the backward pass there.
  let floor = -1;
  for (const r of b.refs) floor = Math.max(floor, r.binding.node);
  const g = tape.backward(b.node, undefined, floor);
  return g.dependsOn(p.node) ? g.scalarOf(p.node) : 0;
}

export function exprToSym(e: Expr): Sym {
  switch (e.kind) {
    case 'Number':
      return y.num(e.value);
    case 'Bool':
      return y.num(e.value ? 1 : 0);
    case 'Name':
      return y.v(e.name);
    case 'Path':
      return y.v(e.parts.join('.'));
    case 'Paren':
      return exprToSym(e.inner);
    case 'Unary':
      return e.op === '-' ? { k: 'neg', a: exprToSym(e.operand) } : exprToSym(e.operand);
    case 'Binary': {
      const a = exprToSym(e.left);
      const b = exprToSym(e.right);
      if (e.op === '@') return y.call('@', a, b);
      return { k: 'bin', op: e.op === '^' ? '^' : e.op, a, b };
    }
    case 'Call':
    case 'Method': {
      const name = e.kind === 'Call' ? e.callee : e.method.name;
      const args = e.kind === 'Call' ? e.args : [{ name: null, value: e.object, span: e.object.span }, ...e.args];
      const def = findBuiltin(name);
      const opName = def ? FN_TO_OP[def.name] : undefined;
      const positional = args.filter((a) => !a.name).map((a) => exprToSym(a.value));
      // Keyword options that change the function (softplus(x, beta=3), cross_entropy(…, weight=w))
      // make the call opaque here: the op's own rule on the tape derives it, not the plain
      // function's symbolic rule. Axis and keepdims keywords, and leaky_relu's slope, do not.
      const options = args.filter((a) => a.name && !STRUCTURAL_KEYWORDS.has(a.name.name));
      if (options.length > 0) return y.call(def ? def.name : name, ...positional, ...options.map((a) => y.call(`${a.name!.name}=`, exprToSym(a.value))));
      if (opName) {
        const op = getOp(opName);
        if (opName === 'leaky_relu') {
          const slopeArg = args.find((a) => a.name && ['slope', 'negative_slope', 'alpha'].includes(a.name.name)) ?? args.filter((a) => !a.name)[1];
          const v = slopeArg?.value;
          const slope = !v ? 0.01 : v.kind === 'Number' ? v.value : v.kind === 'Unary' && v.op === '-' && v.operand.kind === 'Number' ? -v.operand.value : undefined;
          // A slope that is not a number as written (a name, an expression): the op's rule on the tape.
          if (slope === undefined) return y.call('leaky_relu', positional[0], y.call('slope=', exprToSym(v!)));
          return y.call(op.display, positional[0], y.num(slope));
        }
        if (opName === 'pow') return { k: 'bin', op: '^', a: positional[0], b: positional[1] };
        if ((opName === 'maximum' || opName === 'minimum') && positional.length === 2) return y.call(op.display, ...positional);
        if (opName !== 'maximum' && opName !== 'minimum') return y.call(op.display, ...positional);
      }
      return y.call(def ? def.name : name, ...positional);
    }
    default:
      // An opaque part (indexing, a literal list, a transpose, …) still mentions its names, so a
      // derivative with respect to one of them is not taken for 0: it is left to the op's rule.
      return y.call('⟨expr⟩', ...namesIn(e).map((n) => y.v(n)));
  }
}

/** The names and paths an expression mentions, once each. */
function namesIn(e: Expr): string[] {
  const out = new Set<string>();
  walkExpr(e, (x) => {
    if (x.kind === 'Name') out.add(x.name);
    else if (x.kind === 'Path') out.add(x.parts.join('.'));
  });
  return [...out];
}

/** Whether the variable `x` occurs in `s`. */
export function hasVar(s: Sym, x: string): boolean {
  switch (s.k) {
    case 'num':
      return false;
    case 'var':
      return s.name === x;
    case 'neg':
      return hasVar(s.a, x);
    case 'bin':
      return hasVar(s.a, x) || hasVar(s.b, x);
    case 'call':
      for (const a of s.args) if (hasVar(a, x)) return true;
      return false;
  }
}

/** d s / d x by the op table's partials and the chain rule; undefined where an op is opaque. */
export function diffSym(s: Sym, x: string): Sym | undefined {
  if (!hasVar(s, x)) return y.num(0);
  switch (s.k) {
    case 'num':
      return y.num(0);
    case 'var':
      return y.num(s.name === x ? 1 : 0);
    case 'neg': {
      const d = diffSym(s.a, x);
      return d && y.neg(d);
    }
    case 'bin': {
      const da = diffSym(s.a, x);
      const db = diffSym(s.b, x);
      if (!da || !db) return undefined;
      switch (s.op) {
        case '+':
          return y.add(da, db);
        case '-':
          return y.sub(da, db);
        case '*':
          return y.add(y.mul(da, s.b), y.mul(s.a, db));
        case '/':
          return y.add(y.div(da, s.b), y.neg(y.mul(db, y.div(s.a, y.pow(s.b, y.num(2))))));
        case '^': {
          // Power rule only when the exponent is constant in x (LANGUAGE.md §4).
          const pa = y.mul(s.b, y.pow(s.a, y.sub(s.b, y.num(1))));
          const pb = y.mul(y.pow(s.a, s.b), y.call('ln', s.a));
          return y.add(y.mul(pa, da), hasVar(s.b, x) ? y.mul(pb, db) : y.num(0));
        }
      }
      return undefined;
    }
    case 'call': {
      // Vector–Jacobian form for tensors: a full sum passes the gradient through unchanged,
      // a full mean divides it by the number of elements n.
      if ((s.f === 'sum' || s.f === 'mean') && s.args.length === 1) {
        const d = diffSym(s.args[0], x);
        if (!d) return undefined;
        return s.f === 'sum' ? d : y.div(d, y.v('n'));
      }
      const op = opByDisplay(s.f);
      if (!op || !op.partials) return undefined;
      const operands = s.f === "LeakyReLU'" || s.f === 'LeakyReLU' ? s.args.slice(0, 1) : s.args;
      // `max(x)` (a reduction) shares a display name with element-wise max(a, b): only the
      // element-wise form with its exact operand count is differentiated symbolically.
      const arity = ELEMENTWISE.find((d) => d.name === op.name)?.arity ?? 1;
      if (operands.length !== arity) return undefined;
      const slope = s.f === 'LeakyReLU' && s.args[1]?.k === 'num' ? s.args[1].v : 0.01;
      const partials = op.partials(operands, { slope });
      let out: Sym = y.num(0);
      for (let i = 0; i < operands.length; i++) {
        const d = diffSym(operands[i], x);
        if (!d) return undefined;
        out = y.add(out, y.mul(partials[i], d));
      }
      return out;
    }
  }
}

export interface Factor {
  /** The statement-level partial ∂to/∂from. */
  readonly to: string;
  readonly from: string;
  /** 0-based lines of the two bindings (a name bound twice has two factors named alike). */
  readonly toLine?: number;
  readonly fromLine?: number;
  readonly symbolic?: Sym;
  /** Text of the symbolic derivative, or the op's rule for tensors. */
  readonly text: string;
  readonly tex: string;
  /** Its value (scalars only). */
  readonly value?: number;
  /** Tensors: the factor evaluated element-wise, when small. */
  readonly tensorValue?: Tensor;
  /** Tensors: true when the factor is an element-wise partial (read with ⊙). */
  readonly elementwise?: boolean;
}

export interface Derivation {
  readonly of: string;
  readonly wrt: string;
  readonly mode: 'paths' | 'recurrence' | 'tensor' | 'direct';
  readonly paths: Factor[][];
  readonly result: { readonly shape: number[]; readonly data: number[] };
  /** For the recurrence: each node's adjoint in reverse order. */
  readonly recurrence: {
    readonly name: string;
    readonly terms: string[];
    readonly value?: number;
    readonly shape: number[];
    /** The adjoint ∂of/∂name, previewed (tensors). */
    readonly preview?: string;
    /**
     * An operation's entry (tensors): `terms` is the rule that passes this adjoint on to the
     * input below, not a sum equal to it.
     */
    readonly passesOn?: true;
    /** The source the operation came from, as written (shown as code before the rule). */
    readonly source?: string;
  }[];
  /**
   * Set when the recurrence is too long to list (more than MAX_RECURRENCE bindings): `count`
   * bindings were left out before entry `at` of `recurrence`.
   */
  readonly omitted?: { readonly at: number; readonly count: number };
  /** Softmax followed by cross-entropy: the homework's P − y identity with the user's numbers. */
  readonly shortcut?: { readonly logits: string; readonly probs: string; readonly target: string; readonly text: string };
  readonly conventions: string[];
  readonly notes: string[];
}

const MAX_PATHS = 12;

/** A factor whose LaTeX is written when first read (only the paths mode's derivationTex reads it). */
function withTex(f: Omit<Factor, 'tex'>, make: () => string): Factor {
  let tex: string | undefined;
  return Object.defineProperty(f, 'tex', { get: () => (tex ??= make()), enumerable: true }) as Factor;
}
/**
 * The longest recurrence listed: the first MAX_RECURRENCE_HEAD bindings from the output down
 * and the last MAX_RECURRENCE_TAIL before the variable (a 10,000-line chain is not a hover).
 */
const MAX_RECURRENCE_HEAD = 150;
const MAX_RECURRENCE_TAIL = 50;
/** The most uses listed in one recurrence entry (the rest are counted). */
const MAX_TERMS = 12;
/** The longest chain written out path by path (longer ones are a recurrence, which is capped). */
const MAX_PATH_BINDINGS = 64;

/** The bindings each binding refers to, deduplicated, in source order. */
function parents(b: Binding): Binding[] {
  const seen = new Set<Binding>();
  const out: Binding[] = [];
  for (const r of b.refs) {
    if (!seen.has(r.binding)) {
      seen.add(r.binding);
      out.push(r.binding);
    }
  }
  return out;
}

function isScalarBinding(tape: Tape, b: Binding): boolean {
  return numel(tape.shape(b.node)) === 1;
}

/** Variable name inside b's statement for the binding `p` (the name as written). */
function varFor(b: Binding, p: Binding): string {
  const r = b.refs.find((x) => x.binding === p)!;
  return r.ref.kind === 'Name' ? r.ref.name : r.ref.parts.join('.');
}

function valueEnv(tape: Tape, b: Binding): (name: string) => number {
  return (name) => {
    const r = b.refs.find((x) => (x.ref.kind === 'Name' ? x.ref.name : x.ref.parts.join('.')) === name);
    if (!r) return NaN;
    return tape.value(r.binding.node).data[0];
  };
}

/** The kink ops a partial's call stands for: the step H (max/min), sign (abs), ReLU′, LeakyReLU′. */
function kinkCalls(s: Sym): { call: Extract<Sym, { k: 'call' }>; op: OpDef }[] {
  const out: { call: Extract<Sym, { k: 'call' }>; op: OpDef }[] = [];
  const walk = (e: Sym): void => {
    if (e.k === 'call') {
      // The step H (max/min's partials) and sign (abs's) stand for the op that made them.
      const op = e.f === 'H' ? opNamed('maximum') : e.f === 'sign' ? opNamed('abs') : opByDisplay(e.f.replace(/'$/, ''));
      if (op?.convention && e.args[0]) out.push({ call: e, op });
      e.args.forEach(walk);
    } else if (e.k === 'bin') {
      walk(e.a);
      walk(e.b);
    } else if (e.k === 'neg') walk(e.a);
  };
  walk(s);
  return out;
}

/** A kink's convention, with where it matters. */
function conventionText(call: Extract<Sym, { k: 'call' }>, op: OpDef, where: string): string {
  return call.f === 'H' ? `H is the step function with H(0) = ½: at a tie of max/min each side gets ½ (as torch.maximum and torch.minimum). ${where}` : `${op.convention} ${where}`;
}

/** Conventions that matter at this point: ReLU'(0) and friends when an argument is exactly at a kink. */
function conventionsFor(s: Sym, env: (n: string) => number, out: Set<string>): void {
  for (const { call, op } of kinkCalls(s)) {
    const v = evalSym(call.args[0], env);
    // Stated where it matters: the argument at the kink (a tie of max/min, abs at 0, relu6 at 6).
    if (op.atKink && call.f !== 'H') {
      if (op.atKink(v)) out.add(conventionText(call, op, `It matters here: the argument is ${fmt(v)}.`));
    } else if (v === 0) out.add(conventionText(call, op, call.f === 'H' ? 'It matters here: the two sides are equal.' : 'It matters here: the argument is 0.'));
    else if (call.f === "ReLU'") out.add(`ReLU'(u) = 1 if u > 0, else 0 (ReLU'(0) = 0, as PyTorch); here ${printSym(call.args[0])} = ${fmt(v)}${v > 0 ? ' > 0' : ' < 0'}.`);
  }
}

/** As conventionsFor, element by element over a tensor statement's values: said when some element sits at the kink. */
function conventionsForTensor(s: Sym, b: Binding, tape: Tape, n: number, out: Set<string>): void {
  for (const { call, op } of kinkCalls(s)) {
    const v = evalSymTensor(call.args[0], b, tape, n);
    const zeros = v ? v.data.filter((x) => (op.atKink ? op.atKink(x) : x === 0)).length : 0;
    if (zeros > 0) out.add(conventionText(call, op, `It matters here: ${zeros} element${zeros === 1 ? ' is' : 's are'} at the kink.`));
  }
}

/** The chain-rule derivation of ∂of/∂wrt over the statement-level graph. */
export function deriveGradient(tape: Tape, of: Binding, wrt: Binding, wrtText: string, grads: Gradients, source = ''): Derivation {
  const g = grads.of(wrt.node);
  const result = { shape: g.shape.slice(), data: toNumbers(g.data) };
  const conventions = new Set<string>();
  const notes: string[] = [];
  if (of === wrt) {
    return { of: of.name, wrt: wrtText, mode: 'direct', paths: [], result, recurrence: [], conventions: [], notes: ['The output itself: ∂x/∂x = 1.'] };
  }
  // Each binding's parents, once (bindings are revisited on every path and in the recurrence).
  const parentsMemo = new Map<Binding, Binding[]>();
  const parentsOf = (b: Binding): Binding[] => {
    let ps = parentsMemo.get(b);
    if (!ps) parentsMemo.set(b, (ps = parents(b)));
    return ps;
  };
  // Count paths of the statement graph from `of` down to `wrt`: a memoised post-order walk with
  // an explicit stack (a 10,000-line chain is 10,000 levels deep). A binding in progress counts
  // 0, as a cycle guard.
  const count = new Map<Binding, number>();
  const countFrom = (root: Binding): number => {
    if (root === wrt) return 1;
    const known = count.get(root);
    if (known !== undefined) return known;
    count.set(root, 0);
    const stack: { b: Binding; ps: Binding[]; i: number; s: number }[] = [{ b: root, ps: parentsOf(root), i: 0, s: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i < top.ps.length) {
        const p = top.ps[top.i++];
        if (p === wrt) top.s += 1;
        else {
          const c = count.get(p);
          if (c !== undefined) top.s += c;
          else {
            count.set(p, 0);
            stack.push({ b: p, ps: parentsOf(p), i: 0, s: 0 });
          }
        }
        continue;
      }
      const n = Math.min(top.s, 1e9);
      count.set(top.b, n);
      stack.pop();
      if (stack.length) stack[stack.length - 1].s += n;
    }
    return count.get(root)!;
  };
  const pathsTo = (b: Binding): number => (b === wrt ? 1 : (count.get(b) ?? countFrom(b)));
  const total = pathsTo(of);
  if (total === 0) {
    // No chain of named statements: follow the tape's operations (a network call, a loss
    // built-in), each with its rule, shapes and the gradient that reaches it.
    const ops = grads.dependsOn(wrt.node) ? opChain(tape, grads, of, wrt, source) : [];
    if (ops.length === 0) notes.push(`\`${of.name}\` does not depend on \`${wrtText}\`: the gradient is 0.`);
    else notes.push(`∂${of.name}/∂${wrtText} flows through operations inside expressions or a network, listed from the output down.`);
    return { of: of.name, wrt: wrtText, mode: 'tensor', paths: [], result, recurrence: ops, conventions: [], notes };
  }
  // Scalars all along: symbolic factors with numbers.
  const onPaths: Binding[] = [];
  {
    // Depth-first, parents in order (an explicit stack: marking on pop keeps the recursive order).
    const seen = new Set<Binding>();
    const stack: Binding[] = [of];
    while (stack.length) {
      const b = stack.pop()!;
      if (seen.has(b)) continue;
      seen.add(b);
      onPaths.push(b);
      const ps = parentsOf(b);
      for (let i = ps.length - 1; i >= 0; i--) if (!seen.has(ps[i]) && pathsTo(ps[i]) > 0) stack.push(ps[i]);
    }
  }
  const allScalar = onPaths.every((b) => isScalarBinding(tape, b));
  const factorCache = new Map<string, Factor>();
  const factor = (b: Binding, p: Binding): Factor => {
    const key = `${b.node}:${p.node}`;
    const hit = factorCache.get(key);
    if (hit) return hit;
    let f: Factor;
    const sym = b.stmt ? exprToSym(b.stmt.value) : undefined;
    const d = sym ? diffSym(sym, varFor(b, p)) : undefined;
    if (d && allScalar) {
      const s = simplify(d);
      const env = valueEnv(tape, b);
      conventionsFor(s, env, conventions);
      const v = evalSym(s, env);
      // No number from the formula (an op with options, an opaque part, 0·∞): the tape's local partial.
      f = withTex({ to: b.name, from: p.name, toLine: b.line, fromLine: p.line, symbolic: s, text: printSym(s), value: Number.isNaN(v) ? (localByTape(tape, b, p) ?? v) : v }, () => texSymbolic(s, { digits: 4 }));
    } else if (d) {
      // Element-wise partial of a tensor statement (sum/mean pass the gradient through).
      const sd = simplify(d);
      const n = numel(tape.shape(p.node));
      const tv = n <= 64 ? evalSymTensor(sd, b, tape, n) : undefined;
      conventionsForTensor(sd, b, tape, n, conventions);
      f = withTex({ to: b.name, from: p.name, toLine: b.line, fromLine: p.line, symbolic: sd, text: printSym(sd), elementwise: true, tensorValue: tv }, () => texSymbolic(sd, { digits: 4 }));
    } else {
      // One op applied to the referenced values: the op table's vector–Jacobian rule.
      const text = opRuleFor(tape, b, p, source) ?? `∂${b.name}/∂${p.name} (through ${b.stmt ? 'the expression' : 'a network'})`;
      f = withTex({ to: b.name, from: p.name, toLine: b.line, fromLine: p.line, text, value: allScalar ? localByTape(tape, b, p) : undefined }, () => `\\text{${texText(text)}}`);
    }
    factorCache.set(key, f);
    return f;
  };

  if (allScalar && total <= MAX_PATHS && onPaths.length <= MAX_PATH_BINDINGS) {
    const paths: Factor[][] = [];
    // Every path from `of` down to `wrt` (at most MAX_PATHS), one factor per edge; an explicit
    // stack, and the path so far copied only when it reaches `wrt`.
    const acc: Factor[] = [];
    const stack: { b: Binding; ps: Binding[]; i: number }[] = [{ b: of, ps: parentsOf(of), i: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.i >= top.ps.length) {
        stack.pop();
        acc.pop();
        continue;
      }
      const p = top.ps[top.i++];
      if (pathsTo(p) === 0) continue;
      acc.push(factor(top.b, p));
      if (p === wrt) {
        paths.push(acc.slice());
        acc.pop();
      } else stack.push({ b: p, ps: parentsOf(p), i: 0 });
    }
    return { of: of.name, wrt: wrtText, mode: 'paths', paths, result, recurrence: [], conventions: [...conventions], notes };
  }

  // Too many paths, or tensors: the per-node backprop recurrence ∂of/∂v = Σ_children ∂of/∂c · ∂c/∂v.
  const order = onPaths.slice().sort((a, b) => b.node - a.node);
  // Each binding's children on the paths, in `order` (one pass over the edges, not a scan per binding).
  const childrenOf = new Map<Binding, Binding[]>();
  for (const c of order)
    for (const p of parentsOf(c)) {
      let list = childrenOf.get(p);
      if (!list) childrenOf.set(p, (list = []));
      list.push(c);
    }
  const long = order.length > MAX_RECURRENCE_HEAD + MAX_RECURRENCE_TAIL;
  const listed = long ? [...order.slice(0, MAX_RECURRENCE_HEAD), ...order.slice(order.length - MAX_RECURRENCE_TAIL)] : order;
  const omitted = long ? { at: MAX_RECURRENCE_HEAD, count: order.length - listed.length } : undefined;
  const recurrence = listed.map((b) => {
    const children = childrenOf.get(b) ?? [];
    const adj = grads.of(b.node);
    // A binding used many times (a weight on every line) lists its first MAX_TERMS uses.
    const terms = children.slice(0, MAX_TERMS).map((c) => {
      const f = factor(c, b);
      const tv = f.tensorValue ? ` = ${describeTensor(f.tensorValue, { digits: 4, maxElements: 12 })}` : '';
      const how = f.elementwise ? ' (element-wise)' : '';
      const local = f.symbolic ? `∂${c.name}/∂${b.name} = ${f.text}${how}${tv}` : `from ${c.name}: ${f.text}`;
      return `∂${of.name}/∂${c.name}${f.elementwise ? ' ⊙ ' : ' · '}∂${c.name}/∂${b.name}` + (f.text ? ` [${local}]` : '');
    });
    if (children.length > MAX_TERMS) terms.push(`… (${(children.length - MAX_TERMS).toLocaleString('en-US')} more uses of ${b.name})`);
    return {
      name: b.name,
      terms: b === of ? ['1'] : terms,
      value: adj.data.length === 1 ? adj.data[0] : undefined,
      shape: adj.shape.slice(),
      preview: adj.data.length > 1 ? describeTensor(adj, { digits: 4, maxElements: 12 }) : undefined,
    };
  });
  const shortcut = softmaxCrossEntropy(tape, of, wrt, onPaths);
  if (!allScalar) notes.push('Tensor values: each factor is a vector–Jacobian product; shapes are shown beside each adjoint.');
  else if (total > MAX_PATHS) notes.push(`${total} paths lead from ${of.name} to ${wrtText}: too many to list, so each node's gradient is built from its children's (backpropagation).`);
  else notes.push(`The chain from ${of.name} to ${wrtText} passes ${onPaths.length.toLocaleString('en-US')} bindings: too long to write out as one product, so each node's gradient is built from its children's (backpropagation).`);
  if (omitted) notes.push(`${omitted.count.toLocaleString('en-US')} of the ${order.length.toLocaleString('en-US')} bindings on the way are left out of the list above (the first ${MAX_RECURRENCE_HEAD} from ${of.name} and the last ${MAX_RECURRENCE_TAIL} before ${wrtText} are shown).`);
  return { of: of.name, wrt: wrtText, mode: allScalar ? 'recurrence' : 'tensor', paths: [], result, recurrence, conventions: [...conventions], notes, shortcut, ...(omitted ? { omitted } : {}) };
}

/**
 * The chain of op-table rules from the top of b's statement down to the value p, with the
 * user's own sub-expressions as operand names (`Y = X @ W + b`: through `+`, then
 * `∂L/∂W = Xᵀ · ∂L/∂(X @ W)`), each with its shapes.
 */
function opRuleFor(tape: Tape, b: Binding, p: Binding, source: string): string | undefined {
  const top = tape.inputs(b.node)[0];
  if (top === undefined) return undefined;
  const textOf = (k: number): string => {
    const ref = b.refs.find((r) => r.binding.node === k);
    if (ref) return ref.binding.name;
    const t = source.slice(tape.spanStart[k], tape.spanEnd[k]).trim();
    if (!t || t.length > 40) return '…';
    return /\s/.test(t) && !/^\(.*\)$/.test(t) ? `(${t})` : t;
  };
  // Depth-first search for the chain top → … → p inside this statement's nodes.
  const chain: number[] = [];
  const find = (k: number): boolean => {
    if (k === p.node) return true;
    const op = k < p.node ? undefined : tape.opOf(k);
    if (!op) return false;
    // No path runs through an input the op never differentiates (where's condition, an index).
    for (const [j, i] of tape.inputs(k).entries()) {
      if (op.nondiff?.includes(j)) continue;
      if (find(i)) {
        chain.push(k);
        return true;
      }
    }
    return false;
  };
  if (!find(top)) return undefined;
  // chain is bottom-up: the op that consumes p first.
  const steps: string[] = [];
  let below = p.node;
  for (const k of chain) {
    const op = tape.opOf(k)!;
    const ins = tape.inputs(k);
    const idx = ins.indexOf(below);
    const names = ins.map(textOf);
    const out = k === top ? b.name : textOf(k);
    const raw = op.rule(names, tape.attrs[k] ?? {})[idx];
    // Element-wise ops inside a tensor statement: the local partial, applied with ⊙; other ops'
    // rules name the output as this statement's sub-expression.
    const named = op.partials ? '' : (raw ?? '').replace(/∂L\/∂Y|∂L\/∂y/g, `∂L/∂${out}`);
    const rule = named || (raw ?? `∂${out}/∂${names[idx]}`);
    const shapes = ins.map((i, j) => `${names[j]} ${formatShape(tape.shape(i))}`).join(', ');
    steps.unshift(`${rule}   [${op.display}: ${shapes} → ${formatShape(tape.shape(k))}]`);
    below = k;
  }
  return steps.join(';  then ');
}

/**
 * The operations on one path from `of` down to `wrt` on the tape, from the output down: each
 * with the source it came from (a statement, a layer line), its rule for the input on the path,
 * and the gradient of the output with respect to its result.
 */
function opChain(tape: Tape, grads: Gradients, of: Binding, wrt: Binding, source: string): Derivation['recurrence'] {
  const path: number[] = [];
  const seen = new Set<number>();
  const find = (k: number): boolean => {
    if (k === wrt.node) return true;
    if (seen.has(k) || k < wrt.node || !tape.opOf(k) || !grads.dependsOn(k)) return false;
    seen.add(k);
    const ins = tape.inputs(k);
    const nondiff = tape.opOf(k)!.nondiff;
    // Prefer the latest input: the path through the computation rather than a side branch.
    for (let j = ins.length - 1; j >= 0; j--) {
      if (nondiff?.includes(j)) continue;
      if (find(ins[j])) {
        path.push(k);
        return true;
      }
    }
    return false;
  };
  if (!find(of.node) || path.length > 200) return [];
  const out: Derivation['recurrence'][number][] = [];
  let prevText = '';
  for (const k of path.reverse()) {
    const op = tape.opOf(k)!;
    if (op.name === 'identity') continue;
    const ins = tape.inputs(k);
    const below = ins.findIndex((i) => i === wrt.node || path.includes(i));
    const where = source.slice(tape.spanStart[k], tape.spanEnd[k]).replace(/\s+/g, ' ').trim();
    // Layers read (input X, weight W, bias b); other ops (x, t, …).
    const letters = /^(linear|conv|batch_norm|layer_norm|group_norm|embedding)/.test(op.name) ? ['X', 'W', 'b', 'c', 'd'] : ['x', 't', 'u', 'v', 'w'];
    const names = ins.map((i, j) => (i === wrt.node ? wrt.name : letters[j] ?? `x${j}`));
    const rule = below >= 0 ? op.rule(names, tape.attrs[k] ?? {})[below] ?? '' : '';
    const adj = grads.of(k);
    const shown = where && where !== prevText ? clip(where, 60) : '';
    prevText = where;
    out.push({
      name: op.display,
      passesOn: true,
      terms: [rule],
      ...(shown ? { source: shown } : {}),
      value: adj.data.length === 1 ? adj.data[0] : undefined,
      shape: adj.shape.slice(),
      preview: adj.data.length > 1 ? describeTensor(adj, { digits: 4, maxElements: 8 }) : undefined,
    });
  }
  return out;
}

/** Evaluates an element-wise partial over tensors, broadcasting like numpy. */
function evalSymTensor(s: Sym, b: Binding, tape: Tape, n: number): Tensor | undefined {
  const vars = new Map<string, Tensor>();
  for (const r of b.refs) vars.set(r.ref.kind === 'Name' ? r.ref.name : r.ref.parts.join('.'), tape.value(r.binding.node));
  let shape: number[] = [];
  for (const t of vars.values()) {
    const bs = broadcastShapes(shape, t.shape);
    if (!bs) return undefined;
    shape = bs;
  }
  const total = numel(shape);
  if (total > 64) return undefined;
  const idx = new Map<string, Int32Array>();
  for (const [k, t] of vars) idx.set(k, broadcastIndex(t.shape, shape));
  const out = new Float64Array(total);
  for (let e = 0; e < total; e++) {
    out[e] = evalSym(s, (name) => {
      if (name === 'n') return n;
      const t = vars.get(name);
      return t ? t.data[idx.get(name)![e]] : NaN;
    });
    // A part the element-wise formula cannot evaluate (a reduction such as sum(o), an opaque
    // call): no values rather than NaNs that the gradient does not have.
    if (Number.isNaN(out[e]) && !vars.size) return undefined;
  }
  if (out.some((v) => Number.isNaN(v)) && !Array.from(vars.values()).some((t) => t.data.some((v) => Number.isNaN(v)))) return undefined;
  return { shape, data: out };
}

/**
 * Softmax followed by cross-entropy on the way from `of` to `wrt`: the homework's identity
 * ∂L/∂h = P − y, with the user's numbers.
 */
function softmaxCrossEntropy(tape: Tape, of: Binding, wrt: Binding, onPaths: Binding[]): Derivation['shortcut'] {
  // Form 1: P = softmax(h); L = -sum(y * log(P)) (or its mean, or nll/log).
  for (const P of onPaths) {
    const e = P.stmt?.value;
    if (!e || (e.kind !== 'Call' && e.kind !== 'Method')) continue;
    const name = e.kind === 'Call' ? e.callee : e.method.name;
    if (findBuiltin(name)?.name !== 'softmax') continue;
    const h = parents(P)[0];
    if (!h || h !== wrt) continue;
    // The loss statement using P: look for y in `y * log(P)`.
    for (const L of onPaths) {
      if (!L.stmt || !parents(L).includes(P)) continue;
      const src = exprToSym(L.stmt.value);
      const txt = printSym(src);
      const m = /^−sum\((\w+)·ln\((\w+)\)\)$/.exec(txt) ?? /^−sum\(ln\((\w+)\)·(\w+)\)$/.exec(txt);
      if (!m) continue;
      const yName = m[1] === P.name ? m[2] : m[1];
      const yB = L.refs.find((r) => r.binding.name === yName)?.binding;
      if (!yB || L !== of) continue;
      const Pv = tape.value(P.node);
      const Yv = tape.value(yB.node);
      if (Pv.data.length !== Yv.data.length) continue;
      // The identity needs each row of y to sum to 1 (one-hot, or probabilities); in general the
      // gradient is P·Σy − y, row by row (softmax over the last axis).
      const C = Pv.shape.length ? Pv.shape[Pv.shape.length - 1] : 1;
      const rowSum = new Float64Array(Pv.data.length);
      let normalised = true;
      for (let r = 0; r < Pv.data.length; r += C) {
        let t = 0;
        for (let c = 0; c < C; c++) t += Yv.data[r + c];
        for (let c = 0; c < C; c++) rowSum[r + c] = t;
        if (Math.abs(t - 1) > 1e-12) normalised = false;
      }
      const formula = normalised ? `${P.name} − ${yName}` : `${P.name}·Σ${yName} − ${yName}`;
      const note = normalised ? '' : ` (each row of ${yName} sums to ${[...new Set(Array.from(rowSum, (v) => formatNumber(v)))].join(', ')}, not 1, so it is not ${P.name} − ${yName})`;
      if (Pv.data.length > 16) return { logits: h.name, probs: P.name, target: yName, text: `∂${of.name}/∂${h.name} = ${formula}${note}` };
      const parts = Array.from(Pv.data, (p, i) => (normalised ? `${formatNumber(p)} − ${formatNumber(Yv.data[i])}` : `${formatNumber(p)}·${formatNumber(rowSum[i])} − ${formatNumber(Yv.data[i])}`));
      const diff = { shape: Pv.shape, data: Pv.data.map((p, i) => p * (normalised ? 1 : rowSum[i]) - Yv.data[i]) };
      return {
        logits: h.name,
        probs: P.name,
        target: yName,
        text: `∂${of.name}/∂${h.name} = ${formula}${note} = [${parts.join(', ')}] = ${describeTensor(diff, { digits: 4 })}`,
      };
    }
  }
  return undefined;
}

const sub = (n: string): string => n;
const paren = (v: number): string => (v < 0 ? `(${formatMinus(v)})` : formatNumber(v));
const fmt = (v: number): string => formatMinus(v);

/** The derivation as Markdown with Unicode math (hovers, the CLI's `explain`). */
export function derivationMarkdown(d: Derivation): string {
  const lines: string[] = [];
  const head = `∂${d.of}/∂${d.wrt}`;
  const res =
    d.result.data.length === 1
      ? fmt(d.result.data[0])
      : describeTensor({ shape: d.result.shape, data: Float64Array.from(d.result.data) }, { digits: 4, maxElements: 16 });
  lines.push(`**${mdText(`${head} = ${res}`)}**`, '');
  if (d.mode === 'paths') {
    // A one-factor path straight from the output to the variable is the statement's own
    // partial derivative: mark it, so it is not read as the total derivative.
    const name = (f: Factor, p: Factor[]): string => `∂${sub(f.to)}/∂${sub(f.from)}${p.length === 1 && d.paths.length > 1 ? ' (direct)' : ''}`;
    const chain = (p: Factor[]): string => p.map((f) => name(f, p)).join(' · ');
    lines.push(`Chain rule over the statements${d.paths.length > 1 ? ` — ${d.paths.length} paths, summed` : ''}:`, '');
    lines.push(mdFence(`${head} = ${d.paths.map(chain).join('\n' + ' '.repeat(head.length) + ' + ')}`.split('\n')), '');
    // One row per factor; factors named alike (a name bound twice) get their lines.
    const seen = new Set<Factor>();
    const byName = new Map<string, Set<string>>();
    for (const p of d.paths)
      for (const f of p) {
        const k = `${f.to}/${f.from}`;
        if (!byName.has(k)) byName.set(k, new Set());
        byName.get(k)!.add(`${f.toLine}/${f.fromLine}`);
      }
    lines.push('| factor | local derivative | value |', '| --- | --- | --- |');
    for (const p of d.paths)
      for (const f of p) {
        if (seen.has(f)) continue;
        seen.add(f);
        const clash = (byName.get(`${f.to}/${f.from}`)?.size ?? 0) > 1 && f.toLine !== undefined && f.fromLine !== undefined;
        const label = `${name(f, p)}${clash ? ` (line ${f.toLine! + 1} → line ${f.fromLine! + 1})` : ''}`;
        lines.push(`| ${mdCell(label)} | ${mdCell(f.text)} | ${f.value !== undefined ? fmt(f.value) : '—'} |`);
      }
    lines.push('');
    const numeric = d.paths.map((p) => p.map((f) => paren(f.value ?? NaN)).join(' · '));
    const sums = d.paths.map((p) => p.reduce((m, f) => m * (f.value ?? NaN), 1));
    let eq = `${head} = ${numeric.join(' + ')}`;
    if (d.paths.length > 1) eq += ` = ${sums.map((s, i) => (i > 0 && s < 0 ? `(${fmt(s)})` : fmt(s))).join(' + ')}`;
    else if (d.paths[0].length > 1) void 0;
    eq += ` = ${res}`;
    lines.push(mdFence([eq]));
  } else if (d.mode === 'recurrence' || d.mode === 'tensor') {
    if (d.recurrence.length) {
      lines.push(
        d.mode === 'tensor'
          ? 'Backpropagation, from the output down: each gradient is a vector–Jacobian product, summed over its uses (⊙ is element-wise):'
          : 'Backpropagation, from the output down (each gradient sums its uses):',
        '',
      );
      d.recurrence.forEach((r, i) => {
        if (d.omitted && i === d.omitted.at) lines.push(`- … ${d.omitted.count.toLocaleString('en-US')} bindings left out …`);
        const v = r.value !== undefined ? fmt(r.value) : r.preview ?? formatShape(r.shape);
        const shape = r.shape.length ? ` ${formatShape(r.shape)}` : '';
        // An operation's adjoint first, then the rule that passes it down (the rule's result is the next line's adjoint).
        if (r.passesOn) lines.push(`- ${mdText(`∂${d.of}/∂${r.name}${shape} = ${v}; passed down by `)}${r.source ? `${mdCode(r.source)} — ` : ''}${mdText(r.terms.join(' + '))}`);
        else lines.push(`- ${mdText(`∂${d.of}/∂${r.name}${shape} = ${r.terms.join(' + ')} = ${v}`)}`);
      });
    }
    if (d.shortcut) {
      lines.push(
        '',
        mdText(`Softmax followed by cross-entropy (the homework's identity): ∂${d.of}/∂${d.shortcut.logits}_i = ${d.shortcut.probs}(y=i) − ${d.shortcut.target}_i, so`),
        '',
        mdFence([d.shortcut.text]),
      );
    }
  }
  for (const n of d.notes) lines.push('', n);
  if (d.conventions.length) {
    lines.push('');
    for (const c of d.conventions) lines.push(`- ${mdText(c)}`);
  }
  return lines.join('\n');
}

/** The same derivation as LaTeX (align* body), for the panel and worked solutions. */
export function derivationTex(d: Derivation): string {
  const head = texPartial(d.of, d.wrt);
  const res = d.result.data.length === 1 ? texNum(d.result.data[0]) : `\\text{tensor } ${formatShape(d.result.shape)}`;
  if (d.mode !== 'paths') return `${head} &= ${res}`;
  const rows: string[] = [];
  rows.push(`${head} &= ${d.paths.map((p) => p.map((f) => texPartial(f.to, f.from)).join(' \\cdot ')).join(' + ')}`);
  rows.push(`&= ${d.paths.map((p) => p.map((f) => `\\left(${f.tex}\\right)`).join(' \\cdot ')).join(' + ')}`);
  rows.push(`&= ${d.paths.map((p) => p.map((f) => (f.value !== undefined && f.value < 0 ? `(${texNum(f.value)})` : texNum(f.value ?? NaN))).join(' \\cdot ')).join(' + ')}`);
  rows.push(`&= ${res}`);
  return rows.join(' \\\\\n');
}
