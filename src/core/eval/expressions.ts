/**
 * The evaluator's expressions: literals, names and paths, operators, list literals and indexing.
 */
import { error, nearest, warning, type Fix } from '../diagnostics';
import { findBuiltin, builtinNames } from '../builtins/types';
import { didYouMean, knownLibraryFunction, suggestName } from '../suggest';
import type { Span } from '../span';
import type { CompareOp, Expr, IndexItem, NameRef, PathRef } from '../syntax/ast';
import type { AdvItem } from '../tensor/advindex';
import { formatNumber } from '../format';
import { formatShape, numel, tensor } from '../tensor/tensor';
import type { Binding } from './values';
import type { Evaluator } from './evaluator';
import { call, warnElementwiseMax, callBuiltin, constInt, shapeValue } from './calls';
import { netParam, layerOutput, netShape } from './networks';

/** Operator chains longer than this keep only their whole value for hovers (see binary()). */
const MAX_RECORDED_CHAIN = 256;

/** Evaluates an expression to a node; undefined after an error (reported or inherited). */
export function expr(ev: Evaluator, e: Expr): number | undefined {
  const n = exprInner(ev, e);
  if (n !== undefined && ev.recordExpressions && HOVERED[e.kind]) ev.exprNodes.set(e, n);
  return n;
}

/** The expressions with a hover of their own (buildSymbols' exprSymbol): only these are recorded. */
const HOVERED: Partial<Record<Expr['kind'], true>> = { Binary: true, Compare: true, Call: true, Method: true };

function exprInner(ev: Evaluator, e: Expr): number | undefined {
  switch (e.kind) {
    case 'Number':
      if (!Number.isFinite(e.value))
        ev.diagnostics.push(warning('value.non-finite', `Expected a number within float64's range (up to about 1.8e308), found \`${e.raw.length > 24 ? `${e.raw.slice(0, 20)}…` : e.raw}\`: it is read as ∞.`, e.span));
      return ev.tape.scalarConst(e.value, e.span.start, e.span.end);
    case 'Bool': {
      const n = ev.tape.scalarConst(e.value ? 1 : 0, e.span.start, e.span.end);
      ev.boolNodes.add(n);
      return n;
    }
    case 'String':
      ev.diagnostics.push(error('type.string', 'Expected a number or tensor, found a string (strings are only layer and function arguments).', e.span));
      return undefined;
    case 'Paren':
      return expr(ev, e.inner);
    case 'Name':
    case 'Path': {
      if (e.kind === 'Name' && (e.name === 'pi' || e.name === 'π') && !ev.env.has(e.name)) return ev.tape.scalarConst(Math.PI, e.span.start, e.span.end);
      if (e.kind === 'Name' && e.name === 'e' && !ev.env.has('e')) return ev.tape.scalarConst(Math.E, e.span.start, e.span.end);
      if (e.kind === 'Name' && (e.name === 'inf' || e.name === 'Infinity') && !ev.env.has(e.name))
        return ev.tape.scalarConst(Infinity, e.span.start, e.span.end);
      // np.inf, math.inf, torch.inf, np.pi, math.pi, math.e (a library's constant, unless the document bound the prefix).
      if (e.kind === 'Path' && e.parts.length === 2 && ['np', 'numpy', 'math', 'torch'].includes(e.parts[0]) && !ev.env.has(e.parts[0])) {
        const c = ({ inf: Infinity, pi: Math.PI, e: Math.E } as Record<string, number>)[e.parts[1]];
        if (c !== undefined) return ev.tape.scalarConst(c, e.span.start, e.span.end);
      }
      if (e.kind === 'Path' && e.parts[e.parts.length - 1] === 'shape' && !ev.poisoned.has(e.parts[0])) {
        // `x.shape`, `mlp.A.shape` (numpy/PyTorch spelling): the shape as a 1-D value.
        const head = e.parts.slice(0, -1);
        const headSpan = { start: e.span.start, end: e.partSpans[e.partSpans.length - 2].end };
        // A network or a layer output; a parameter path (`mlp.0.weight.shape`) is a value (below).
        if (ev.networks.has(head[0]) && !ev.networks.get(head[0])!.specs.has(head.join('.'))) return netShape(ev, head, headSpan, e.span);
        if (ev.env.has(head[0]) || ev.networks.has(head[0])) {
          const ref: NameRef | PathRef = head.length === 1 ? { kind: 'Name', name: head[0], span: headSpan } : { kind: 'Path', parts: head, partSpans: e.partSpans.slice(0, -1), span: headSpan };
          const hb = lookup(ev, ref);
          if (!hb) return undefined;
          ev.refs.push({ ref, binding: hb });
          return shapeValue(ev, hb.node, e.span);
        }
      }
      const b = lookup(ev, e);
      if (!b) return undefined;
      ev.refs.push({ ref: e, binding: b });
      return b.node;
    }
    case 'Unary': {
      const a = expr(ev, e.operand);
      if (a === undefined) return undefined;
      if (e.op === '+') return a;
      return ev.apply('neg', [a], undefined, e.span, e.opSpan);
    }
    case 'Binary':
      return binary(ev, e);
    case 'Compare':
      return compare(ev, e);
    case 'List':
      return list(ev, e);
    case 'Call':
      return call(ev, e);
    case 'Method': {
      const def = findBuiltin(e.method.name);
      if (!def) {
        ev.diagnostics.push(
          error(
            'name.unknown-function',
            `Expected a method such as \`sum\`, \`mean\`, \`reshape\` or \`softmax\`, found \`${e.method.name}\`.${suggestFn(ev, e.method.name)}`,
            e.method.span,
          ),
        );
        return undefined;
      }
      warnElementwiseMax(ev, e.method.name, e.args.length === 1 ? e.args[0] : undefined, e.span);
      return callBuiltin(ev, def, [{ name: null, value: e.object, span: e.object.span }, ...e.args], e.span, e.method.span);
    }
    case 'Transpose': {
      const a = expr(ev, e.object);
      if (a === undefined) return undefined;
      const nd = ev.tape.shape(a).length;
      const perm = [...Array(nd).keys()].reverse();
      return ev.apply('permute', [a], { perm }, e.span, e.opSpan);
    }
    case 'Index':
      return index(ev, e.object, e.items, e.span);
  }
}

export function lookup(ev: Evaluator, e: NameRef | PathRef): Binding | undefined {
  if (e.kind === 'Name') {
    const b = ev.env.get(e.name);
    if (b) return b;
    if (ev.poisoned.has(e.name)) return undefined;
    if (ev.networks.has(e.name)) {
      ev.diagnostics.push(
        error('type.network', `Expected a value, found the network \`${e.name}\` (call it: \`${e.name}(X)\`, or use \`params(${e.name})\`).`, e.span),
      );
      return undefined;
    }
    undefinedName(ev, e);
    return undefined;
  }
  const full = e.parts.join('.');
  const net = ev.networks.get(e.parts[0]);
  if (!net) {
    if (ev.poisoned.has(e.parts[0])) return undefined;
    if (ev.env.has(e.parts[0])) {
      ev.diagnostics.push(
        error('name.bad-path', `Expected a network path such as \`mlp.0.weight\`, found \`${full}\` (\`${e.parts[0]}\` is a value, not a network).`, e.span),
      );
      return undefined;
    }
    undefinedName(ev, { kind: 'Name', name: e.parts[0], span: e.partSpans[0] });
    return undefined;
  }
  const p = netParam(ev, net, full, e.span);
  if (p) return p;
  const layer = layerOutput(ev, e, () => true);
  if (layer) return layer;
  if (net.model.outputSizeOf(e.parts.slice(1)) !== undefined) {
    ev.diagnostics.push(
      error(
        'name.undefined',
        `Expected a parameter or a layer output of \`${e.parts[0]}\`, found the layer \`${full}\` before any call of \`${e.parts[0]}\`: its output exists once a line runs \`${e.parts[0]}(X)\`.`,
        e.span,
      ),
    );
    return undefined;
  }
  const near = nearest(full, net.specs.keys());
  ev.diagnostics.push(
    error(
      'name.undefined',
      `Expected a parameter of \`${e.parts[0]}\`, found \`${full}\`.${near ? ` Did you mean \`${near}\`?` : ''}`,
      e.span,
      near ? [{ title: `Change to ${near}`, span: e.span, text: near }] : undefined,
    ),
  );
  return undefined;
}

export function undefinedName(ev: Evaluator, e: NameRef): void {
  // Only a plausible typo of a defined name, never another real variable (w0 is not x0).
  const s = suggestName(e.name, [], [...ev.env.keys(), ...ev.networks.keys()]);
  const near = s?.name;
  const fixes: Fix[] = near ? [{ title: `Change to \`${near}\``, span: e.span, text: near }] : [];
  ev.diagnostics.push(
    error('name.undefined', `Expected a defined name, found \`${e.name}\`.${near ? ` Did you mean \`${near}\`?` : ''}`, e.span, fixes),
  );
}

function suggestFn(_ev: Evaluator, name: string): string {
  if (knownLibraryFunction(name)) return ` \`.${name}()\` is not supported: numpy or PyTorch has it, GradLens does not.`;
  const s = suggestName(name, builtinNames(), []);
  return didYouMean(s, s ? findBuiltin(s.name) : undefined);
}

function binary(ev: Evaluator, e: Extract<Expr, { kind: 'Binary' }>): number | undefined {
  // A left-deep chain (`a + b + c + …`: the parser builds left-associative operators so) is
  // evaluated in a loop, so a sum of thousands of terms does not nest the recursion.
  const chain: Extract<Expr, { kind: 'Binary' }>[] = [e];
  let first: Expr = e.left;
  while (first.kind === 'Binary' && first.op !== '^') {
    chain.push(first);
    first = first.left;
  }
  let acc = expr(ev, first);
  for (let k = chain.length - 1; k >= 0; k--) {
    const c = chain[k];
    const b = expr(ev, c.right);
    acc = acc === undefined || b === undefined ? undefined : binaryOp(ev, c, acc, b);
    // Hovers read the partial sums of a short chain; a long one's would cost memory quadratic in its length.
    if (k > 0 && acc !== undefined && ev.recordExpressions && chain.length <= MAX_RECORDED_CHAIN) ev.exprNodes.set(c, acc);
  }
  return acc;
}

function binaryOp(ev: Evaluator, e: Extract<Expr, { kind: 'Binary' }>, a: number, b: number): number | undefined {
  const op = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow', '@': 'matmul' }[e.op];
  const fixes: Fix[] = [];
  return ev.apply(op, [a, b], undefined, e.span, e.opSpan, (hint) => {
    if (hint === 'use-matmul') fixes.push({ title: 'Use matrix multiplication `@`', span: e.opSpan, text: '@' });
    const src = (x: Expr): string => {
      const t = ev.text.slice(x.span.start, x.span.end);
      return x.kind === 'Name' || x.kind === 'Path' || x.kind === 'Paren' || x.kind === 'Call' || x.kind === 'Index' ? t : `(${t})`;
    };
    if (hint === 'matmul-transpose-left')
      fixes.push({ title: `Use \`${src(e.left)}.T @ ${src(e.right)}\``, span: e.span, text: `${src(e.left)}.T @ ${src(e.right)}` });
    if (hint === 'matmul-transpose-right')
      fixes.push({ title: `Use \`${src(e.left)} @ ${src(e.right)}.T\``, span: e.span, text: `${src(e.left)} @ ${src(e.right)}.T` });
    if (hint === 'transpose-right')
      fixes.push({ title: 'Transpose the right operand', span: e.right.span, text: `${ev.text.slice(e.right.span.start, e.right.span.end)}.T` });
    if (hint === 'transpose-left')
      fixes.push({ title: 'Transpose the left operand', span: e.left.span, text: `${ev.text.slice(e.left.span.start, e.left.span.end)}.T` });
    return fixes;
  });
}

const COMPARE_OP: Record<CompareOp, string> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

/** `a < b`, and the chain `a < b <= c` = `(a < b) and (b <= c)`, each operand evaluated once (Python). */
function compare(ev: Evaluator, e: Extract<Expr, { kind: 'Compare' }>): number | undefined {
  const nodes: number[] = [];
  for (const o of e.operands) {
    const n = expr(ev, o);
    if (n === undefined) return undefined;
    nodes.push(n);
  }
  let acc: number | undefined;
  for (let k = 0; k < e.ops.length; k++) {
    const span = { start: e.operands[k].span.start, end: e.operands[k + 1].span.end };
    const c = ev.apply(COMPARE_OP[e.ops[k]], [nodes[k], nodes[k + 1]], undefined, span, e.opSpans[k]);
    if (c === undefined) return undefined;
    acc = acc === undefined ? c : ev.apply('logical_and', [acc, c], undefined, e.span, e.opSpans[k]);
    if (acc === undefined) return undefined;
  }
  return acc;
}

function list(ev: Evaluator, e: Extract<Expr, { kind: 'List' }>): number | undefined {
  if (e.elements.length === 0) return ev.constant(tensor([0]), e.span);
  const nodes: number[] = [];
  let failed = false;
  for (const el of e.elements) {
    const n = expr(ev, el);
    if (n === undefined) failed = true;
    else nodes.push(n);
  }
  if (failed) return undefined;
  const shape0 = ev.tape.shape(nodes[0]);
  for (let k = 1; k < nodes.length; k++) {
    const s = ev.tape.shape(nodes[k]);
    if (formatShape(s) !== formatShape(shape0)) {
      ev.diagnostics.push(
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
  if (nodes.every((n) => !ev.tape.req[n])) {
    const size = numel(shape0);
    const out = tensor([nodes.length, ...shape0]);
    nodes.forEach((n, k) => out.data.set(ev.tape.value(n).data, k * size));
    const c = ev.constant(out, e.span);
    // `[True, False, True]` is a boolean mask, as numpy makes it.
    if (nodes.every((n) => ev.boolNodes.has(n))) ev.boolNodes.add(c);
    return c;
  }
  return ev.apply('stack', nodes, { axis: 0 }, e.span);
}

/**
 * `x[…]`: integers and slices (basic indexing, the `index` op), and with `None`, integer arrays
 * or boolean masks numpy's full indexing (`index_adv`, tensor/advindex.ts). A boolean mask
 * selects its true elements: it stands for its coordinates (`nonzero` ops), as numpy reads
 * `x[mask]` as `x[mask.nonzero()]`.
 */
function index(ev: Evaluator, object: Expr, items: readonly IndexItem[], span: Span): number | undefined {
  const a = expr(ev, object);
  if (a === undefined) return undefined;
  const xShape = ev.tape.shape(a);
  // First pass: evaluate the items; `...` waits until the axes the others take are known.
  type Pre = AdvItem | { kind: 'ellipsis'; span: Span } | { kind: 'value'; node: number; span: Span };
  const pre: Pre[] = [];
  let taken = 0;
  for (const it of items) {
    if (it.kind === 'Ellipsis') {
      if (pre.some((p) => p.kind === 'ellipsis')) {
        ev.diagnostics.push(error('shape.index', 'Expected at most one `...` in an index, found a second.', it.span));
        return undefined;
      }
      pre.push({ kind: 'ellipsis', span: it.span });
      continue;
    }
    if (it.kind === 'Slice') {
      const bound = (x: Expr | null): number | null | undefined => (x ? constInt(ev, x, 'an integer slice bound') : null);
      const start = bound(it.start);
      const stop = bound(it.stop);
      const step = bound(it.step);
      if (start === undefined || stop === undefined || step === undefined) return undefined;
      if (step === 0) {
        ev.diagnostics.push(error('index.zero-step', 'Expected a non-zero slice step, found 0.', it.step!.span));
        return undefined;
      }
      pre.push({ kind: 'slice', start, stop, step });
      taken++;
      continue;
    }
    const newaxis =
      (it.kind === 'Name' && (it.name === 'None' || it.name === 'newaxis') && !ev.env.has(it.name)) ||
      (it.kind === 'Path' && it.parts.length === 2 && (it.parts[0] === 'np' || it.parts[0] === 'numpy') && it.parts[1] === 'newaxis');
    if (newaxis) {
      pre.push({ kind: 'none' });
      continue;
    }
    // An integer index is a constant of the indexing (the names it reads are not the value's
    // inputs); an array or a mask is an input, and the names it reads count as read.
    const saved = ev.refs;
    ev.refs = [];
    const n = expr(ev, it);
    const own = ev.refs;
    ev.refs = saved;
    if (n === undefined) return undefined;
    if (ev.tape.shape(n).length > 0) saved.push(...own);
    pre.push({ kind: 'value', node: n, span: it.span });
    taken += ev.boolNodes.has(n) ? Math.max(1, ev.tape.shape(n).length) : 1;
  }
  // Second pass: `...` as full slices, then each value as an integer, an array or a mask.
  const spec: AdvItem[] = [];
  const inputs: number[] = [a];
  let basic = true;
  let axis = 0;
  for (const p of pre) {
    if (p.kind === 'ellipsis') {
      for (let k = taken; k < xShape.length; k++, axis++) spec.push({ kind: 'slice', start: null, stop: null, step: null });
      continue;
    }
    if (p.kind === 'slice' || p.kind === 'none' || p.kind === 'int' || p.kind === 'array') {
      spec.push(p);
      if (p.kind === 'none') basic = false;
      else axis++;
      continue;
    }
    const n = p.node;
    const t = ev.tape.value(n);
    if (ev.boolNodes.has(n)) {
      // A boolean mask over the next axes: their sizes must match (numpy's IndexError otherwise).
      const ms = t.shape;
      const at = xShape.slice(axis, axis + ms.length);
      if (ms.length === 0 || at.length !== ms.length || at.some((d, k) => d !== ms[k])) {
        ev.diagnostics.push(
          error(
            'shape.index',
            ms.length === 0
              ? 'Expected a boolean mask with at least one axis, found a single true/false value.'
              : `Expected a boolean mask of shape ${formatShape(at.length === ms.length ? at : xShape.slice(axis))} (the axes it indexes), found ${formatShape(ms)}.`,
            p.span,
          ),
        );
        return undefined;
      }
      let count = 0;
      for (const v of t.data) if (v !== 0) count++;
      for (let d = 0; d < ms.length; d++) {
        const c = ev.apply('nonzero', [n], { dim: d, count }, p.span);
        if (c === undefined) return undefined;
        spec.push({ kind: 'array', input: inputs.length });
        inputs.push(c);
      }
      basic = false;
      axis += ms.length;
      continue;
    }
    if (t.shape.length === 0) {
      const i = t.data[0];
      if (!Number.isInteger(i)) {
        ev.diagnostics.push(error('type.expected-int', `Expected an integer index, found ${formatNumber(i)}.`, p.span));
        return undefined;
      }
      spec.push({ kind: 'int', index: i });
      axis++;
      continue;
    }
    // An integer array (numpy's advanced indexing).
    const bad = t.data.find((v) => !Number.isInteger(v));
    if (bad !== undefined) {
      ev.diagnostics.push(error('type.expected-int', `Expected integer indices, found ${formatNumber(bad)}.`, p.span));
      return undefined;
    }
    const n0 = xShape[axis];
    if (n0 !== undefined) {
      const out = t.data.find((v) => v < -n0 || v >= n0);
      if (out !== undefined) {
        ev.diagnostics.push(error('index.out-of-range', `Expected indices in [${-n0}, ${n0}) for axis ${axis} of ${formatShape(xShape)}, found ${out}.`, p.span));
        return undefined;
      }
    }
    spec.push({ kind: 'array', input: inputs.length });
    inputs.push(n);
    basic = false;
    axis++;
  }
  if (basic) return ev.apply('index', [a], { items: spec as unknown as readonly number[] }, span);
  return ev.apply('index_adv', inputs, { items: spec as unknown as readonly number[] }, span);
}
