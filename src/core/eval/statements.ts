/**
 * The evaluator's statements: `x = …` and `param` bindings, `grad`, `check` and `expect`
 * (and the backward pass they share with `grad(…)`).
 */
import { K, type Gradients } from '../autodiff/tape';
import { error, nearest, warning, type Diagnostic } from '../diagnostics';
import { formatNumber } from '../format';
import type { Span } from '../span';
import type { Assign, CheckStmt, ExpectStmt, Expr, GradStmt, NameRef, PathRef, PrintStmt, UnpackAssign, WrtTarget } from '../syntax/ast';
import { pythonText } from '../pyformat';
import { broadcastShapes, formatShape, numel, tensor, toNumbers, type Shape, type Tensor } from '../tensor/tensor';
import type { Binding } from './values';
import { checkGradient } from './gradcheck';
import type { Evaluator } from './evaluator';
import { expr, lookup, undefinedName } from './expressions';
import { callManyOf, constNumber } from './calls';
import { layerOutput } from './networks';
import { copy, refText } from './common';
import { diagnoseAnswer } from '../diagnose/diagnose';
import type { Quantity } from '../diagnose/types';
import type { ExpectationDiagnosis } from '../analysis';

const PROTECTED_NAMES = new Set(['param', 'grad', 'check', 'expect', 'network']);

export function assign(ev: Evaluator, stmt: Assign): void {
  if (stmt.target.kind === 'Path') return assignPath(ev, stmt, stmt.target);
  const name = stmt.target.name;
  if (PROTECTED_NAMES.has(name)) {
    ev.diagnostics.push(error('name.reserved', `Expected a name, found the keyword \`${name}\`.`, stmt.target.span));
    ev.poisoned.add(name);
    return;
  }
  ev.refs = [];
  const node = expr(ev, stmt.value);
  const refs = ev.refs;
  if (node === undefined) {
    ev.poisoned.add(name);
    ev.env.delete(name);
    return;
  }
  bindNode(ev, stmt as Assign & { target: NameRef }, node, refs);
}

/** Binds `stmt`'s name to the value of `node` (a leaf, a parameter, or a value that depends on `refs`). */
function bindNode(ev: Evaluator, stmt: Assign & { target: NameRef }, node: number, refs: Evaluator['refs']): void {
  const name = stmt.target.name;
  const tape = ev.tape;
  let bound: number;
  let kind: Binding['kind'];
  // A leaf refers to no other binding — and depends on no parameter: `L = sum(mlp(ones(1, 2)))`
  // names no binding but reaches the network's parameters through the call.
  if (stmt.param || (refs.length === 0 && tape.req[node] !== 1)) {
    kind = stmt.param ? 'param' : 'leaf';
    const k = stmt.param ? K.PARAM : K.LEAF;
    const sp = stmt.target.span;
    // A scalar is copied without a tensor (as `leaf(copy(value))` would store it); a tensor's copy is charged first.
    if (tape.isScalar[node] !== 1) ev.spend(numel(tape.shape(node)), stmt.span);
    bound = tape.isScalar[node] === 1 ? tape.scalarLeaf(tape.sv[node], k, sp.start, sp.end) : tape.leaf(copy(tape.value(node)), k, sp.start, sp.end);
  } else {
    bound = ev.apply('identity', [node], undefined, stmt.value.span)!;
    kind = 'value';
  }
  if (ev.boolNodes.has(node)) ev.boolNodes.add(bound);
  const b: Binding = {
    name,
    node: bound,
    kind,
    stmt,
    line: ev.currentLine,
    span: stmt.span,
    nameSpan: stmt.target.span,
    refs: stmt.param ? [] : refs,
  };
  bind(ev, b);
}

/**
 * `a, b = …`: the right side is evaluated in full, then each name bound as `name = part` would
 * be. A tuple or list literal gives its elements; `split`/`chunk`/`array_split`/`unbind` their
 * parts; any other tensor its rows (numpy's and Python's iteration over the first axis).
 */
export function unpack(ev: Evaluator, stmt: UnpackAssign): void {
  const names = stmt.targets.map((t) => t.name);
  const fail = (): void => {
    for (const n of names) {
      ev.poisoned.add(n);
      ev.env.delete(n);
    }
  };
  const reserved = stmt.targets.find((t) => PROTECTED_NAMES.has(t.name));
  if (reserved) {
    ev.diagnostics.push(error('name.reserved', `Expected a name, found the keyword \`${reserved.name}\`.`, reserved.span));
    return fail();
  }
  const dup = stmt.targets.find((t, k) => names.indexOf(t.name) !== k);
  if (dup) {
    ev.diagnostics.push(error('name.duplicate', `Expected distinct names to bind, found \`${dup.name}\` twice.`, dup.span));
    return fail();
  }
  const count = (found: number, what: string): boolean => {
    if (found === names.length) return true;
    ev.diagnostics.push(
      error('unpack.count', `Expected ${names.length} values to unpack into ${names.map((n) => `\`${n}\``).join(', ')}, found ${found} ${what}.`, stmt.value.span),
    );
    return false;
  };
  // Each part: its node, the names it read, and the expression that stands for it.
  const parts: { node: number; refs: Evaluator['refs']; value: Expr }[] = [];
  const v = stmt.value;
  if (v.kind === 'List') {
    if (!count(v.elements.length, v.elements.length === 1 ? 'element' : 'elements')) return fail();
    for (const el of v.elements) {
      ev.refs = [];
      const n = expr(ev, el);
      if (n === undefined) return fail();
      parts.push({ node: n, refs: ev.refs, value: el });
    }
  } else {
    ev.refs = [];
    const many = callManyOf(ev, v);
    if (many === undefined) return fail();
    const partOf = (k: number): Expr => ({ kind: 'Index', object: v, items: [{ kind: 'Number', value: k, raw: String(k), span: v.span }], span: v.span });
    if (many !== null) {
      if (!count(many.length, 'parts')) return fail();
      many.forEach((n, k) => parts.push({ node: n, refs: ev.refs, value: partOf(k) }));
    } else {
      const n = expr(ev, v);
      if (n === undefined) return fail();
      const shape = ev.tape.shape(n);
      if (shape.length === 0) {
        ev.diagnostics.push(error('unpack.scalar', `Expected a tuple, a list or a tensor to unpack into ${names.length} names, found a scalar.`, v.span));
        return fail();
      }
      if (!count(shape[0], `rows (shape ${formatShape(shape)})`)) return fail();
      for (let k = 0; k < shape[0]; k++) {
        const r = ev.apply('index', [n], { items: [{ kind: 'int', index: k }] as unknown as readonly number[] }, v.span);
        if (r === undefined) return fail();
        parts.push({ node: r, refs: ev.refs, value: partOf(k) });
      }
    }
  }
  stmt.targets.forEach((target, k) => {
    const one: Assign & { target: NameRef } = { kind: 'Assign', param: stmt.param, target, value: parts[k].value, span: stmt.span };
    bindNode(ev, one, parts[k].node, parts[k].refs);
  });
}

/**
 * `print(a, b, sep=' ', end='\n')`: the text Python would print, recorded for the line
 * (Analysis.prints). Numbers as Python prints a float, tensors as numpy prints an array.
 */
export function printStmt(ev: Evaluator, stmt: PrintStmt): void {
  let sep = ' ';
  let end = '';
  const pieces: string[] = [];
  for (const a of stmt.args) {
    if (a.name) {
      const k = a.name.name;
      if ((k === 'sep' || k === 'end') && a.value.kind === 'String') {
        if (k === 'sep') sep = a.value.value;
        else end = a.value.value === '\n' ? '' : a.value.value;
        continue;
      }
      // flush= changes when the text appears, not what it is; file= would send it elsewhere.
      if (k === 'flush') continue;
      if (k === 'file') {
        ev.diagnostics.push(error('call.unsupported', 'Expected `print` to the output, found `file=` (printing to a file is not supported).', a.name.span));
        return;
      }
      ev.diagnostics.push(error('call.unknown-keyword', `Expected \`sep=\` or \`end=\` (strings) in \`print\`, found \`${k}\`.`, a.name.span));
      return;
    }
    if (a.value.kind === 'String') {
      pieces.push(a.value.value);
      continue;
    }
    ev.refs = [];
    const n = expr(ev, a.value);
    if (n === undefined) return;
    pieces.push(pythonText(ev.tape.value(n), ev.boolNodes.has(n)));
  }
  ev.prints.push({ span: stmt.span, line: ev.currentLine, text: pieces.join(sep) + end });
}

export function bind(ev: Evaluator, b: Binding): void {
  ev.poisoned.delete(b.name);
  ev.env.set(b.name, b);
  let h = ev.history.get(b.name);
  if (!h) ev.history.set(b.name, (h = []));
  h.push(b);
  ev.bindings.push(b);
  const tape = ev.tape;
  const scalar = tape.isScalar[b.node] === 1;
  const t = scalar ? undefined : tape.value(b.node);
  ev.values.push({
    name: b.name,
    line: b.line,
    span: b.span,
    nameSpan: b.nameSpan,
    shape: t === undefined ? [] : t.shape.slice(),
    data: t === undefined ? [tape.sv[b.node]] : toNumbers(t.data),
    isParam: b.kind === 'param',
    isLeaf: b.kind !== 'value',
  });
}

/** `param mlp.A.weight = …`: sets a network parameter. */
function assignPath(ev: Evaluator, stmt: Assign, target: PathRef): void {
  const net = ev.networks.get(target.parts[0]);
  const full = target.parts.join('.');
  if (!net) {
    if (ev.poisoned.has(target.parts[0])) return;
    ev.diagnostics.push(
      error('name.undefined', `Expected a network parameter such as \`mlp.0.weight\`, found \`${full}\` (no network \`${target.parts[0]}\`).`, target.span),
    );
    return;
  }
  // The parameter's name and shape, without drawing its initial value (it is replaced here).
  const have = net.params.get(full);
  const spec = have ? undefined : net.specs.get(full);
  const p = have ?? (spec && { name: spec.param.name, aliases: spec.param.aliases, stateIndex: spec.index });
  if (!p) {
    const cands = [...net.specs.keys()];
    const near = nearest(full, cands);
    ev.diagnostics.push(
      error(
        'name.undefined',
        `Expected a parameter of \`${net.model.name}\`, found \`${full}\`.${near ? ` Did you mean \`${near}\`?` : ` It has: ${cands.slice(0, 8).join(', ')}${cands.length > 8 ? ', …' : ''}.`}`,
        target.span,
        near ? [{ title: `Change to ${near}`, span: target.span, text: near }] : undefined,
      ),
    );
    return;
  }
  ev.refs = [];
  const node = expr(ev, stmt.value);
  if (node === undefined) return;
  let value = ev.tape.value(node);
  const want = have ? ev.tape.shape(have.node) : spec!.param.shape;
  // The new leaf (a broadcast scalar, then its copy) is charged before it is made.
  ev.spend(2 * numel(want), stmt.span);
  if (numel(value.shape) === 1 && numel(want) !== 1) value = { shape: want.slice(), data: new Float64Array(numel(want)).fill(value.data[0]) };
  else if (formatShape(value.shape) !== formatShape(want)) {
    ev.diagnostics.push(
      error('shape.mismatch', `Expected a value of shape ${formatShape(want)} for \`${full}\`, found ${formatShape(value.shape)}.`, stmt.value.span),
    );
    return;
  }
  const leaf = ev.tape.leaf(copy(value), K.PARAM, target.span.start, target.span.end);
  const b: Binding = {
    name: p.name,
    node: leaf,
    kind: 'param',
    stmt,
    line: ev.currentLine,
    span: stmt.span,
    nameSpan: target.span,
    refs: [],
    network: net.model.name,
    aliases: p.aliases,
    stateIndex: p.stateIndex,
  };
  for (const n of [p.name, ...(p.aliases ?? [])]) net.params.set(n, b);
  bind(ev, b);
}

function resolveOut(ev: Evaluator, of: NameRef | PathRef, stmtKind: string): Binding | undefined {
  const b = lookup(ev, of);
  if (!b) return undefined;
  const shape = ev.tape.shape(b.node);
  if (numel(shape) !== 1) {
    ev.diagnostics.push(
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
export function resolveWrt(ev: Evaluator, out: Binding, grads: Gradients, targets: readonly WrtTarget[] | null): { b: Binding; text: string; span: Span; depends: boolean }[] {
  const res: { b: Binding; text: string; span: Span; depends: boolean }[] = [];
  if (!targets) {
    // Every param OUT depends on, in source order; else every leaf it depends on.
    const deps = ev.bindings.filter((b) => grads.dependsOn(b.node) && b.node !== out.node && isCurrent(ev, b));
    // Document params in source order; a network's parameters in state_dict order.
    const params = inStateDictOrder(
      deps.filter((b) => b.kind === 'param'),
      (n) => ev.networks.get(n)?.decl.span.start,
    );
    const chosen = params.length ? params : deps.filter((b) => b.kind === 'leaf');
    for (const b of chosen) res.push({ b, text: b.name, span: out.nameSpan, depends: true });
    return res;
  }
  for (const t of targets) {
    const text = refText(t);
    if (t.kind === 'Path') {
      // A layer's output (`mlp.A`): from the latest call of the network that OUT depends on.
      const layer = layerOutput(ev, t, (node) => grads.dependsOn(node));
      if (layer) {
        res.push({ b: layer, text, span: t.span, depends: grads.dependsOn(layer.node) });
        continue;
      }
      const b = lookup(ev, t);
      if (b) res.push({ b, text, span: t.span, depends: grads.dependsOn(b.node) });
      continue;
    }
    const hist = ev.history.get(t.name);
    if (!hist || hist.length === 0) {
      if (ev.poisoned.has(t.name)) continue;
      undefinedName(ev, t);
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
      ev.diagnostics.push(
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

function isCurrent(ev: Evaluator, b: Binding): boolean {
  if (b.network) return true;
  const h = ev.history.get(b.name);
  return !!h && h[h.length - 1] === b;
}

/**
 * A backward pass from `root`, shared by the `grad`, `check` and `grad(…)` requests on the
 * same output: it reads only nodes up to `root`, which later statements never change (the
 * tape's version counts the changes that do; network calls and training may change values
 * in place, and drop it).
 */
export function backward(ev: Evaluator, root: number, span?: Span): Gradients {
  const c = ev.lastBackward;
  const version = ev.tape.version;
  if (c !== undefined && c.root === root && c.version === version) return c.grads;
  ev.spend(backwardCost(ev, root), span);
  const grads = ev.tape.backward(root);
  ev.lastBackward = { root, version, grads };
  return grads;
}

/**
 * The estimated work of a backward pass from `root`, charged before it runs: twice the work
 * charged for the ops it reaches (each op's vector–Jacobian products cost about its forward
 * pass per input), plus one unit per tape node visited.
 */
export function backwardCost(ev: Evaluator, root: number): number {
  const tape = ev.tape;
  const reach = new Uint8Array(root + 1);
  reach[root] = 1;
  let ops = 0;
  for (let k = root; k >= 0; k--) {
    if (!reach[k]) continue;
    ops += ev.nodeCost[k] ?? 0;
    for (const i of tape.inputs(k)) if (i >= 0 && i <= root) reach[i] = 1;
  }
  return 2 * ops + root + 1;
}

export function grad(ev: Evaluator, stmt: GradStmt): void {
  const out = resolveOut(ev, stmt.of, 'grad');
  if (!out) return;
  const grads = backward(ev, out.node, stmt.span);
  const line = ev.currentLine;
  const targets = resolveWrt(ev, out, grads, stmt.wrt);
  if (!stmt.wrt && targets.length === 0) {
    ev.diagnostics.push(warning('grad.no-inputs', `Expected \`${out.name}\` to depend on a parameter or a leaf, found none: there is nothing to differentiate.`, stmt.of.span));
  }
  const ofText = refText(stmt.of);
  for (const t of targets) {
    const node = t.b.node;
    const g = ev.tape.isScalar[node] === 1 ? undefined : grads.of(node);
    if (!t.depends) {
      ev.diagnostics.push(independent(out.name, t.text, t.span));
    }
    ev.gradients.push({
      of: ofText,
      wrt: t.text,
      line,
      span: stmt.span,
      wrtSpan: t.span,
      shape: g === undefined ? [] : g.shape.slice(),
      data: g === undefined ? [grads.scalarOf(node)] : toNumbers(g.data),
    });
    ev.gradRequests.push({ stmt, of: out, wrt: t.b, wrtText: t.text, grads });
  }
}

export function check(ev: Evaluator, stmt: CheckStmt): void {
  const out = resolveOut(ev, stmt.of, 'check');
  if (!out) return;
  let tol = ev.tol;
  if (stmt.within) {
    const v = tolerance(ev, stmt.within);
    if (v === undefined) return;
    tol = v;
  }
  const grads = backward(ev, out.node, stmt.span);
  const targets = resolveWrt(ev, out, grads, stmt.wrt);
  // As `grad` says it: nothing to check is not a pass.
  if (!stmt.wrt && targets.length === 0) {
    ev.diagnostics.push(warning('grad.no-inputs', `Expected \`${out.name}\` to depend on a parameter or a leaf, found none: there is nothing to check.`, stmt.of.span));
  }
  for (const t of targets) {
    if (!t.depends) ev.diagnostics.push(independent(out.name, t.text, t.span));
    const node = t.b.node;
    const g = ev.tape.isScalar[node] === 1 ? grads.scalarOf(node) : grads.of(node);
    const size = typeof g === 'number' ? 1 : g.data.length;
    ev.spend(2 * size * Math.max(1, out.node - node));
    const r = checkGradient(ev.tape, out.node, node, g, tol, grads.reached);
    ev.checks.push({
      of: refText(stmt.of),
      wrt: t.text,
      line: ev.currentLine,
      span: stmt.span,
      maxRelError: r.maxRelError,
      passed: r.passed,
      kinks: r.kinks,
      tolerance: tol,
    });
    ev.gradRequests.push({ stmt, of: out, wrt: t.b, wrtText: t.text, grads });
    if (!r.passed) {
      ev.diagnostics.push(
        error(
          'check.failed',
          `Expected the analytic gradient ∂${out.name}/∂${t.text} to match central differences within ${formatNumber(tol)}, found a relative error of ${formatNumber(r.maxRelError, 3)} (element ${r.worstIndex}: analytic ${formatNumber(r.worstAnalytic, 6)}, numerical ${formatNumber(r.worstNumerical, 6)}).`,
          t.span.start === out.nameSpan.start ? stmt.span : t.span,
        ),
      );
    }
    if (r.kinks > 0) {
      ev.diagnostics.push({
        code: 'check.kink',
        severity: 'info',
        message: `${r.kinks} element${r.kinks > 1 ? 's' : ''} of ${t.text} sit${r.kinks > 1 ? '' : 's'} within h of a kink (ReLU/abs at 0, or a tie of max/min): not counted as failures.`,
        span: t.span.start === out.nameSpan.start ? stmt.span : t.span,
      });
    }
  }
}

/** A `within` tolerance: a constant ≥ 0 (a negative one could never pass). */
function tolerance(ev: Evaluator, e: Expr): number | undefined {
  const v = constNumber(ev, e, 'a tolerance');
  if (v === undefined) return undefined;
  if (!(v >= 0)) {
    ev.diagnostics.push(error('check.bad-tolerance', `Expected a tolerance of 0 or more after \`within\`, found ${formatNumber(v)}.`, e.span));
    return undefined;
  }
  return v;
}

export function expect(ev: Evaluator, stmt: ExpectStmt): void {
  ev.refs = [];
  const l = expr(ev, stmt.left);
  const r = expr(ev, stmt.right);
  if (l === undefined || r === undefined) return;
  let tol = 1e-6;
  if (stmt.within) {
    const v = tolerance(ev, stmt.within);
    if (v === undefined) return;
    tol = v;
  }
  // What the answer is an answer to (looked at only when the expectation fails).
  const asked: Asked = { left: stmt.left, l, right: stmt.right, r };
  if (ev.tape.isScalar[l] === 1 && ev.tape.isScalar[r] === 1) return expectScalars(ev, stmt, ev.tape.sv[l], ev.tape.sv[r], tol, asked);
  const L = ev.tape.value(l);
  const R = ev.tape.value(r);
  const bs = broadcastShapes(L.shape, R.shape);
  if (!bs || formatShape(bs) !== formatShape(L.shape)) {
    ev.diagnostics.push(
      error(
        'expect.shape',
        `Expected the right side to broadcast to the left side's shape ${formatShape(L.shape)}, found ${formatShape(R.shape)}.${transposedAnswer(L, R, tol) ? ` Your answer is ${ev.text.slice(stmt.left.span.start, stmt.left.span.end)} transposed (misconception: transposed).` : ''}`,
        stmt.right.span,
      ),
    );
    return;
  }
  const Rb = broadcastTo(R, L.shape);
  settleExpect(ev, stmt, tol, L.shape, L.data, R.shape, R.data, Rb.data, asked);
}

/** Is R (of L's shape reversed, 2-D) L transposed, within the expectation's test? */
function transposedAnswer(L: Tensor, R: Tensor, tol: number): boolean {
  if (L.shape.length !== 2 || R.shape.length !== 2 || R.shape[0] !== L.shape[1] || R.shape[1] !== L.shape[0]) return false;
  const [m, n] = L.shape;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const a = R.data[j * m + i];
      if (!(Math.abs(L.data[i * n + j] - a) <= tol * Math.max(1, Math.abs(a)))) return false;
    }
  return true;
}

/** `expect` of two scalars: no tensors on the hot path, the same test and record. */
function expectScalars(ev: Evaluator, stmt: ExpectStmt, a: number, b: number, tol: number, asked: Asked): void {
  settleExpect(ev, stmt, tol, [], [a], [], [b], [b], asked);
}

/** The two sides of an expect and their nodes. */
interface Asked {
  readonly left: Expr;
  readonly l: number;
  readonly right: Expr;
  readonly r: number;
}

/**
 * The quantity an expectation checks and the user's answer: the left side (a `grad(…)`,
 * `params(…)` or `size(…)` call, or any computed value) against the right; or the reverse when
 * only the right side computes something (`expect 0.6 == grad(z, w1)`).
 */
function askedQuantity(ev: Evaluator, a: Asked, leftText: string, rightText: string, rb: ArrayLike<number>, l: ArrayLike<number>): { quantity: Quantity; answer: ArrayLike<number> } | undefined {
  const of = (e: Expr, node: number, text: string): Quantity | undefined =>
    ev.quantities.get(e) ?? (ev.tape.kind[node] !== K.CONST ? { kind: 'value', node, text } : undefined);
  const left = of(a.left, a.l, leftText);
  if (left) return { quantity: left, answer: rb };
  const right = of(a.right, a.r, rightText);
  if (right && l.length === rb.length && ev.tape.value(a.r).data.length === l.length) return { quantity: right, answer: l };
  return undefined;
}

/** The misconceptions behind a failed expectation (src/core/diagnose); recorded for later lines. */
function diagnoseExpectation(ev: Evaluator, a: Asked, leftText: string, rightText: string, tol: number, l: ArrayLike<number>, rb: ArrayLike<number>): ExpectationDiagnosis[] {
  const asked = askedQuantity(ev, a, leftText, rightText, rb, l);
  if (!asked) return [];
  let found: ReturnType<typeof diagnoseAnswer>;
  try {
    found = diagnoseAnswer({ tape: ev.tape, text: ev.text, bindings: ev.bindings }, { quantity: asked.quantity, answer: asked.answer, tolerance: tol }, ev.wrongAnswers);
  } catch {
    // A fault in the engine must not cost the user the failed expectation itself.
    found = [];
  }
  const cause = found.length === 1 ? found[0].cause : undefined;
  ev.wrongAnswers.push({ quantity: asked.quantity, answer: Array.from(asked.answer), line: ev.currentLine, ...(cause !== undefined ? { cause } : {}) });
  return found.map(({ code, message, span, step }) => ({ code, message, ...(span ? { span } : {}), ...(step ? { step } : {}) }));
}

/**
 * Compares LEFT with RIGHT (already broadcast to LEFT's shape) element by element:
 * |L − R| ≤ tol·max(1, |R|), NaN never passes; records the expectation and, when it
 * fails, an error that shows both sides.
 */
function settleExpect(
  ev: Evaluator,
  stmt: ExpectStmt,
  tol: number,
  lShape: Shape,
  l: ArrayLike<number>,
  rShape: Shape,
  r: ArrayLike<number>,
  rb: ArrayLike<number>,
  asked: Asked,
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
  const leftText = ev.text.slice(stmt.left.span.start, stmt.left.span.end);
  const rightText = ev.text.slice(stmt.right.span.start, stmt.right.span.end);
  const diagnosis = passed ? [] : diagnoseExpectation(ev, asked, leftText, rightText, tol, l, rb);
  ev.expectations.push({
    line: ev.currentLine,
    span: stmt.span,
    passed,
    maxError,
    tolerance: tol,
    left: { text: leftText, shape: lShape.slice(), data: Array.from(l) },
    right: { text: rightText, shape: rShape.slice(), data: Array.from(r) },
    diagnosis,
  });
  if (!passed) {
    const scalars = l.length === 1 && r.length === 1;
    const [ls, rs] = scalars ? distinctTexts(l[0], r[0], 6) : [`${formatShape(lShape)} tensor`, `${formatShape(rShape)} tensor`];
    const at = l.length > 1 ? ` (largest difference at element ${worst}: ${distinctTexts(l[worst], rb[worst], 6).join(' vs ')})` : '';
    const [es, ts] = distinctTexts(maxError, tol, 3);
    const failed = `Expected ${leftText} == ${rightText}, found ${ls} ≠ ${rs}${at}; error ${es} > ${ts}.`;
    const related = diagnosis.filter((d) => d.span).map((d) => ({ message: d.message, span: d.span! }));
    // Right given the user's own earlier wrong answer: information, not a second error.
    if (diagnosis.length === 1 && diagnosis[0].code === 'carried-forward')
      ev.diagnostics.push({ code: 'expect.carried-forward', severity: 'info', message: `${diagnosis[0].message} (${failed})`, span: stmt.span });
    else
      ev.diagnostics.push({
        ...error('expect.failed', diagnosis.length ? `${failed} ${diagnosis.slice(0, 3).map((d) => d.message).join(' Or: ')}${diagnosis.length > 3 ? ` (and ${diagnosis.length - 3} more)` : ''}` : failed, stmt.span),
        ...(related.length ? { related } : {}),
      });
  }
}

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

/** `grad.independent`: OUT has no path to NAME, so ∂OUT/∂NAME is 0 (grad statements and `grad(…)`). */
export function independent(out: string, wrt: string, span: Span): Diagnostic {
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
