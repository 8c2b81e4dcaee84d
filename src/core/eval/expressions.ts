/**
 * The evaluator's expressions: literals, names and paths, operators, list literals and indexing.
 */
import { error, nearest, warning, type Fix } from '../diagnostics';
import { findBuiltin, builtinNames } from '../builtins/types';
import type { Span } from '../span';
import type { Expr, IndexItem, NameRef, PathRef } from '../syntax/ast';
import { formatShape, numel, tensor } from '../tensor/tensor';
import type { Binding } from './values';
import type { Evaluator } from './evaluator';
import { call, warnElementwiseMax, callBuiltin, constInt } from './calls';
import { netParam, layerOutput } from './networks';

/** Operator chains longer than this keep only their whole value for hovers (see binary()). */
const MAX_RECORDED_CHAIN = 256;

/** Evaluates an expression to a node; undefined after an error (reported or inherited). */
export function expr(ev: Evaluator, e: Expr): number | undefined {
  const n = exprInner(ev, e);
  if (n !== undefined && ev.recordExpressions) ev.exprNodes.set(e, n);
  return n;
}

function exprInner(ev: Evaluator, e: Expr): number | undefined {
  switch (e.kind) {
    case 'Number':
      if (!Number.isFinite(e.value))
        ev.diagnostics.push(warning('value.non-finite', `Expected a number within float64's range (up to about 1.8e308), found \`${e.raw.length > 24 ? `${e.raw.slice(0, 20)}…` : e.raw}\`: it is read as ∞.`, e.span));
      return ev.tape.scalarConst(e.value, e.span.start, e.span.end);
    case 'Bool':
      return ev.tape.scalarConst(e.value ? 1 : 0, e.span.start, e.span.end);
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
  const p = netParam(ev, net, full);
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
  const cands = [...ev.env.keys(), ...ev.networks.keys()];
  const near = nearest(e.name, cands);
  const fixes: Fix[] = near ? [{ title: `Change to \`${near}\``, span: e.span, text: near }] : [];
  ev.diagnostics.push(
    error('name.undefined', `Expected a defined name, found \`${e.name}\`.${near ? ` Did you mean \`${near}\`?` : ''}`, e.span, fixes),
  );
}

function suggestFn(ev: Evaluator, name: string): string {
  const near = nearest(name.toLowerCase(), builtinNames());
  return near ? ` Did you mean \`${near}\`?` : '';
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
    if (hint === 'transpose-right')
      fixes.push({ title: 'Transpose the right operand', span: e.right.span, text: `${ev.text.slice(e.right.span.start, e.right.span.end)}.T` });
    if (hint === 'transpose-left')
      fixes.push({ title: 'Transpose the left operand', span: e.left.span, text: `${ev.text.slice(e.left.span.start, e.left.span.end)}.T` });
    return fixes;
  });
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
    return ev.constant(out, e.span);
  }
  return ev.apply('stack', nodes, { axis: 0 }, e.span);
}

function index(ev: Evaluator, object: Expr, items: readonly IndexItem[], span: Span): number | undefined {
  const a = expr(ev, object);
  if (a === undefined) return undefined;
  const spec: ({ kind: 'int'; index: number } | { kind: 'slice'; start: number | null; stop: number | null; step: number | null })[] = [];
  for (const it of items) {
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
      spec.push({ kind: 'slice', start, stop, step });
    } else {
      const i = constInt(ev, it, 'an integer index');
      if (i === undefined) return undefined;
      spec.push({ kind: 'int', index: i });
    }
  }
  return ev.apply('index', [a], { items: spec as unknown as readonly number[] }, span);
}
