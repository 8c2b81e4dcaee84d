/**
 * The evaluator's calls: built-ins and their arguments, `grad(…)`, and the constants arguments
 * must be (integers, numbers, booleans).
 */
import { error, nearest, warning } from '../diagnostics';
import { didYouMean, knownLibraryFunction, suggestName } from '../suggest';
import { findBuiltin, builtinNames, type BoundArgs, type BoundValue, type BuiltinDef, type CallContext, type ParamSpec } from '../builtins/types';
import { formatNumber } from '../format';
import type { Span } from '../span';
import type { Arg, Expr } from '../syntax/ast';
import { formatShape, numel } from '../tensor/tensor';
import { createRng } from '../tensor/rng';
import { TorchGenerator } from '../tensor/torchRng';
import type { Evaluator } from './evaluator';
import { resolveWrt, backward, independent } from './statements';
import { expr, lookup } from './expressions';
import { callNet, netQuery } from './networks';
import { refText } from './common';
import { readVary } from '../assign/vary';

export function call(ev: Evaluator, e: Extract<Expr, { kind: 'Call' }>): number | undefined {
  const callee = e.callee;
  // A network of that exact name first (also `mlp.A(x)` is not supported: whole networks only).
  const net = ev.networks.get(callee);
  if (net) return callNet(ev, net, e);
  if (ev.poisoned.has(callee) && !findBuiltin(callee)) return undefined;
  const lower = callee.toLowerCase();
  if (lower === 'grad') return gradCall(ev, e);
  if (lower === 'vary') return varyCall(ev, e);
  if (lower === 'params' || lower === 'parameters' || lower === 'count_params') return netQuery(ev, e, 'params');
  // `size(mlp.A)` (element count) and `shape(mlp.A)` (the shape) of a network's or a layer's output;
  // `shape(x)` of a value is its shape too (below).
  if (lower === 'size') return netQuery(ev, e, 'size');
  if (lower === 'shape' && isNetworkArg(ev, e)) return netQuery(ev, e, 'shape');
  if (lower === 'shape' && !findBuiltin(callee) && e.args.length === 1 && !e.args[0].name) {
    const n = expr(ev, e.args[0].value);
    return n === undefined ? undefined : shapeValue(ev, n, e.span);
  }
  const def = findBuiltin(callee);
  // `F.sum()` where the document bound `F` (or `np`, `nn`, …) to a value: with no positional
  // argument it cannot be the prefixed call the parser took it for (`F.relu(x)` still is one).
  const prefix = e.calleeSpan.start > e.span.start ? ev.text.slice(e.span.start, e.calleeSpan.start).replace(/\.$/, '') : '';
  if (def && /^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix) && ev.env.has(prefix) && e.args.every((a) => a.name)) {
    const object: Expr = { kind: 'Name', name: prefix, span: { start: e.span.start, end: e.span.start + prefix.length } };
    return callBuiltin(ev, def, [{ name: null, value: object, span: object.span }, ...e.args], e.span, e.calleeSpan);
  }
  if (!def) {
    if (ev.env.has(callee)) {
      ev.diagnostics.push(error('type.not-callable', `Expected a function or network, found the value \`${callee}\` (it cannot be called).`, e.calleeSpan));
      return undefined;
    }
    unknownFunction(ev, callee, ev.text.slice(e.span.start, e.calleeSpan.end), e.calleeSpan);
    return undefined;
  }
  // Spelled with a numpy/torch prefix (`np.max(x, 0)`), where two positional arguments reduce.
  if (e.calleeSpan.start > e.span.start && e.args.length === 2) warnElementwiseMax(ev, callee, e.args[1], e.span);
  return callBuiltin(ev, def, e.args, e.span, e.calleeSpan, libraryOf(prefix));
}

/** The library a call's prefix names: `np.`/`numpy.` → numpy; `torch.`, `F.`, `nn.`, `functional.` → torch. */
export function libraryOf(prefix: string): 'numpy' | 'torch' | undefined {
  const first = prefix.split('.')[0];
  if (first === 'np' || first === 'numpy') return 'numpy';
  if (first === 'torch' || first === 'F' || first === 'nn' || first === 'functional') return 'torch';
  return undefined;
}

/**
 * `split(x, 2)`, `x.chunk(3)` where the result is unpacked: the built-in's several tensors;
 * null when `e` is not a call of a built-in that gives several (the caller unpacks a tensor);
 * undefined after an error.
 */
export function callManyOf(ev: Evaluator, e: Expr): number[] | undefined | null {
  let def: BuiltinDef | undefined;
  let args: readonly Arg[];
  let nameSpan: Span;
  let library: 'numpy' | 'torch' | undefined;
  if (e.kind === 'Call') {
    if (ev.networks.has(e.callee) || ev.env.has(e.callee)) return null;
    def = findBuiltin(e.callee);
    args = e.args;
    nameSpan = e.calleeSpan;
    library = libraryOf(e.calleeSpan.start > e.span.start ? ev.text.slice(e.span.start, e.calleeSpan.start).replace(/\.$/, '') : '');
  } else if (e.kind === 'Method') {
    def = findBuiltin(e.method.name);
    args = [{ name: null, value: e.object, span: e.object.span }, ...e.args];
    nameSpan = e.method.span;
  } else return null;
  if (!def?.callMany) return null;
  const bound = bindArgs(ev, def, args, e.span);
  if (!bound) return undefined;
  return def.callMany(bound, callContext(ev, e.span, nameSpan, library));
}

/**
 * `x.max(1)`, `np.max(x, 0)`, `torch.min(x, 1)`: in numpy and PyTorch these reduce over an
 * axis, in this language (LANGUAGE.md §4) two positional arguments are element-wise. Said
 * where the spelling comes from numpy/PyTorch code and the second argument is an integer
 * literal; `max(x, 0)` (the ReLU idiom) is left alone.
 */
export function warnElementwiseMax(ev: Evaluator, name: string, second: Arg | undefined, span: Span): void {
  const f = name.toLowerCase();
  if ((f !== 'max' && f !== 'min') || !second || second.name || second.value.kind !== 'Number' || !Number.isInteger(second.value.value)) return;
  const k = second.value.value;
  ev.diagnostics.push(
    warning(
      'call.elementwise-max',
      `Expected \`${f}(x, axis=${k})\` for a reduction, found \`${ev.text.slice(span.start, span.end)}\`: with two positional arguments \`${f}\` is element-wise here (the ${f === 'max' ? 'larger' : 'smaller'} of x and ${k}), unlike numpy's and PyTorch's \`${f}(x, ${k})\`.`,
      span,
      [{ title: `Reduce over axis ${k} (\`axis=${k}\`)`, span: second.value.span, text: `axis=${k}` }],
    ),
  );
}

/** `shape(x)`, `x.shape`: a value's shape as a 1-D constant (numpy's `np.shape`). */
export function shapeValue(ev: Evaluator, node: number, span: Span): number {
  const shape = ev.tape.shape(node);
  return ev.constant({ shape: [shape.length], data: Float64Array.from(shape) }, span);
}

/** The call's one argument names a network or a path into one (`mlp`, `mlp.A`). */
function isNetworkArg(ev: Evaluator, e: Extract<Expr, { kind: 'Call' }>): boolean {
  const v = e.args.length === 1 && !e.args[0].name ? e.args[0].value : undefined;
  const head = v?.kind === 'Name' ? v.name : v?.kind === 'Path' ? v.parts[0] : undefined;
  return head !== undefined && ev.networks.has(head);
}

/** `grad(OUT, NAME)`: the gradient as a (detached) value. */
function gradCall(ev: Evaluator, e: Extract<Expr, { kind: 'Call' }>): number | undefined {
  if (e.args.length !== 2 || e.args.some((a) => a.name)) {
    ev.diagnostics.push(error('call.arity', `Expected \`grad(OUT, NAME)\` with two names, found ${e.args.length} argument${e.args.length === 1 ? '' : 's'}.`, e.span));
    return undefined;
  }
  const [o, w] = e.args.map((a) => a.value);
  if ((o.kind !== 'Name' && o.kind !== 'Path') || (w.kind !== 'Name' && w.kind !== 'Path')) {
    const bad = o.kind !== 'Name' && o.kind !== 'Path' ? o : w;
    ev.diagnostics.push(error('call.bad-argument', 'Expected a name in `grad(OUT, NAME)`, found an expression (bind it to a name first).', bad.span));
    return undefined;
  }
  const out = lookup(ev, o);
  if (!out) return undefined;
  if (numel(ev.tape.shape(out.node)) !== 1) {
    ev.diagnostics.push(
      error('grad.non-scalar', `Expected a scalar output in \`grad\`, found \`${refText(o)}\` with shape ${formatShape(ev.tape.shape(out.node))}.`, o.span),
    );
    return undefined;
  }
  const grads = backward(ev, out.node, e.span);
  const [t] = resolveWrt(ev, out, grads, [w]);
  if (!t) return undefined;
  if (!t.depends) ev.diagnostics.push(independent(refText(o), t.text, w.span));
  ev.refs.push({ ref: o, binding: out });
  const node = t.b.node;
  ev.quantities.set(e, { kind: 'grad', of: out.node, wrt: node, ofText: refText(o), wrtText: t.text });
  if (ev.tape.isScalar[node] === 1) return ev.tape.scalarConst(grads.scalarOf(node), e.span.start, e.span.end);
  // A copy: the backward pass may be shared with other requests (`backward`).
  const g = grads.of(node);
  return ev.constant({ shape: g.shape, data: g.data.slice() }, e.span);
}

/**
 * An unknown function (`callee` without prefix, `written` as in the text): a numpy or PyTorch
 * function GradLens lacks says so; otherwise a plausible typo of a built-in or a network is
 * offered, with the same text as the quick fix.
 */
export function unknownFunction(ev: Evaluator, callee: string, written: string, span: Span): void {
  if (knownLibraryFunction(callee)) {
    ev.diagnostics.push(
      error(
        'name.unknown-function',
        `\`${written}\` is not supported: numpy or PyTorch has it, GradLens does not (its functions are listed in docs/language.md, "Built-ins and their aliases").`,
        span,
      ),
    );
    return;
  }
  const s = suggestName(callee, builtinNames(), ev.networks.keys());
  ev.diagnostics.push(
    error(
      'name.unknown-function',
      `Expected a built-in function or a network, found \`${written}\`.${didYouMean(s, s?.kind === 'builtin' ? findBuiltin(s.name) : undefined)}`,
      span,
      s ? [{ title: `Change to \`${s.name}\``, span, text: s.name }] : undefined,
    ),
  );
}

export function callContext(ev: Evaluator, span: Span, nameSpan: Span, library?: 'numpy' | 'torch'): CallContext {
  return {
    span,
    nameSpan,
    library,
    apply: (op, inputs, attrs, sp) => ev.apply(op, inputs, attrs, sp ?? span),
    constant: (t) => ev.constant(t, span),
    charge: (units) => ev.spend(units, span),
    shape: (n) => ev.tape.shape(n),
    value: (n) => ev.tape.value(n),
    error: (code, message, sp) => {
      ev.diagnostics.push(error(code, message, sp ?? span));
      return undefined;
    },
    warn: (code, message, sp) => {
      ev.diagnostics.push(warning(code, message, sp ?? span));
    },
    rng: (seed) => {
      if (seed !== null) return createRng(seed);
      if (!ev.docRng) ev.docRng = createRng(0);
      return ev.docRng;
    },
    torchRng: (seed) => {
      if (seed !== null) {
        const g = new TorchGenerator();
        g.manualSeed(seed);
        return g;
      }
      if (!ev.docTorchRng) {
        ev.docTorchRng = new TorchGenerator();
        ev.docTorchRng.manualSeed(0);
      }
      return ev.docTorchRng;
    },
    readFile: ev.readFile,
  };
}

export function callBuiltin(ev: Evaluator, def: BuiltinDef, args: readonly Arg[], span: Span, nameSpan: Span, library?: 'numpy' | 'torch'): number | undefined {
  const bound = bindArgs(ev, def, args, span);
  if (!bound) return undefined;
  const mark = ev.diagnostics.length;
  const n = def.call(bound, callContext(ev, span, nameSpan, library));
  // An axis out of range is the axis argument's fault: point at it, not at the whole call.
  const axisSpan = bound.spans.axis ?? bound.spans.dim;
  if (n === undefined && axisSpan)
    for (let k = mark; k < ev.diagnostics.length; k++) {
      const d = ev.diagnostics[k];
      if (d.code === 'shape.axis') ev.diagnostics[k] = { ...d, span: axisSpan };
    }
  return n;
}

/** Matches arguments to a built-in's parameters and evaluates them by kind. */
function bindArgs(ev: Evaluator, def: BuiltinDef, args: readonly Arg[], span: Span): BoundArgs | undefined {
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
      ev.diagnostics.push(
        error('call.arity', `Expected at most ${positionalCount(specs)} positional argument${positionalCount(specs) === 1 ? '' : 's'} for \`${def.signature}\`, found ${positional.length}.`, a.span),
      );
      return undefined;
    }
    if (spec.kind === 'ints' && spec.rest) {
      const rest = positional.slice(k);
      const v = bindInts(ev, rest.map((r) => r.value));
      if (v === undefined) return undefined;
      values[spec.name] = v;
      spans[spec.name] = { start: rest[0].span.start, end: rest[rest.length - 1].span.end };
      given.add(spec.name);
      pi++;
      break;
    }
    const v = bindOne(ev, spec, a.value);
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
      ev.diagnostics.push(
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
      ev.diagnostics.push(error('call.duplicate-argument', `Expected \`${spec.name}\` once, found it given twice.`, a.span));
      return undefined;
    }
    const v = spec.kind === 'ints' ? bindInts(ev, [a.value]) : bindOne(ev, spec, a.value);
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
      ev.diagnostics.push(error('call.missing-argument', `Expected the argument \`${p.name}\` of \`${def.signature}\`, found none.`, span));
      return undefined;
    }
  }
  return { values, spans, positionalCount: positional.length };
}

function bindOne(ev: Evaluator, spec: ParamSpec, e: Expr): BoundValue {
  switch (spec.kind) {
    case 'tensor': {
      // `weight=None` as pasted from PyTorch: the parameter's default (absent), where it has one.
      if (e.kind === 'Name' && e.name === 'None' && spec.default === null && !ev.env.has('None')) return null;
      const n = expr(ev, e);
      return n === undefined ? undefined : { node: n, span: e.span };
    }
    case 'tensors': {
      // A list or tuple literal of tensors: `cat([a, b], dim=1)`.
      if (e.kind !== 'List') {
        ev.diagnostics.push(error('type.expected-list', `Expected a list or tuple of tensors for \`${spec.name}\` (such as \`[a, b]\`), found ${describeExpr(e)}.`, e.span));
        return undefined;
      }
      if (e.elements.length === 0) {
        ev.diagnostics.push(error('call.bad-argument', `Expected at least one tensor in \`${spec.name}\`, found an empty list.`, e.span));
        return undefined;
      }
      const out: { node: number; span: Span }[] = [];
      for (const el of e.elements) {
        const n = expr(ev, el);
        if (n === undefined) return undefined;
        out.push({ node: n, span: el.span });
      }
      return out;
    }
    case 'int':
      if (spec.orNone && e.kind === 'Name' && e.name === 'None' && !ev.env.has('None')) return null;
      return constInt(ev, e, `an integer for \`${spec.name}\``);
    case 'number':
      if (spec.orNone && e.kind === 'Name' && e.name === 'None' && !ev.env.has('None')) return null;
      return constNumber(ev, e, `a number for \`${spec.name}\``);
    case 'ord':
      // A norm's order: a string ('fro'), or a number, inf and −inf included (also np.inf).
      if (e.kind === 'String') return e.value;
      if (e.kind === 'Name' && e.name === 'None' && !ev.env.has('None')) return null;
      return constNumber(ev, e, `a number or a string for \`${spec.name}\``);
    case 'axis': {
      if (e.kind === 'Name' && e.name === 'None') return null;
      if (e.kind === 'List') return bindInts(ev, e.elements);
      return constInt(ev, e, `an integer axis for \`${spec.name}\``);
    }
    case 'bool':
      return constBool(ev, e);
    case 'string':
      if (e.kind === 'String') return e.value;
      ev.diagnostics.push(error('type.expected-string', `Expected a string for \`${spec.name}\` (such as 'mean'), found ${describeExpr(e)}.`, e.span));
      return undefined;
    case 'ints':
      return bindInts(ev, [e]);
  }
}

/** Integers given as several arguments or as one list/tuple. */
function bindInts(ev: Evaluator, es: readonly Expr[]): number[] | undefined {
  if (es.length === 1 && (es[0].kind === 'List')) return bindInts(ev, es[0].elements);
  if (es.length === 1) {
    // One value: a size, or a 1-D tensor of sizes (`reshape(x, shape(y))`, as numpy takes a shape).
    const n = exprOwnRefs(ev, es[0]);
    if (n === undefined) return undefined;
    const t = ev.tape.value(n);
    if (t.shape.length > 1 || (t.shape.length === 1 && t.data.length === 0)) {
      ev.diagnostics.push(error('type.expected-int', `Expected integer sizes, found a tensor of shape ${formatShape(t.shape)}.`, es[0].span));
      return undefined;
    }
    const bad = Array.from(t.data).find((v) => !Number.isInteger(v));
    if (bad !== undefined) {
      ev.diagnostics.push(error('type.expected-int', `Expected integer sizes, found ${formatNumber(bad)}.`, es[0].span));
      return undefined;
    }
    return Array.from(t.data);
  }
  const out: number[] = [];
  for (const e of es) {
    if (e.kind === 'List') {
      ev.diagnostics.push(error('type.expected-int', 'Expected an integer, found a list.', e.span));
      return undefined;
    }
    const v = constInt(ev, e, 'an integer size');
    if (v === undefined) return undefined;
    out.push(v);
  }
  return out;
}

/** Evaluates `e` without adding the names it reads to the current statement's refs (a constant, a size, a training step's loss). */
export function exprOwnRefs(ev: Evaluator, e: Expr): number | undefined {
  const saved = ev.refs;
  ev.refs = [];
  try {
    return expr(ev, e);
  } finally {
    ev.refs = saved;
  }
}

export function constNumber(ev: Evaluator, e: Expr, what: string): number | undefined {
  const n = exprOwnRefs(ev, e);
  if (n === undefined) return undefined;
  const t = ev.tape.value(n);
  if (t.data.length !== 1) {
    ev.diagnostics.push(error('type.expected-scalar', `Expected ${what}, found a tensor of shape ${formatShape(t.shape)}.`, e.span));
    return undefined;
  }
  return t.data[0];
}

export function constInt(ev: Evaluator, e: Expr, what: string): number | undefined {
  const v = constNumber(ev, e, what);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v)) {
    ev.diagnostics.push(error('type.expected-int', `Expected ${what}, found ${formatNumber(v)}.`, e.span));
    return undefined;
  }
  return v;
}

export function constBool(ev: Evaluator, e: Expr): boolean | undefined {
  if (e.kind === 'Bool') return e.value;
  const v = constNumber(ev, e, '`true` or `false`');
  if (v === undefined) return undefined;
  return v !== 0;
}

/** How many parameters of a built-in may be given by position. */
function positionalCount(specs: readonly { readonly keywordOnly?: boolean }[]): number {
  return specs.filter((s) => !s.keywordOnly).length;
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

/** `vary(…)` in the source is its first choice (assign/vary.ts); per student the handout has the number drawn. */
function varyCall(ev: Evaluator, e: Extract<Expr, { kind: 'Call' }>): number | undefined {
  const spec = readVary(e, ev.text);
  if ('error' in spec) {
    ev.diagnostics.push(spec.error);
    return undefined;
  }
  return ev.tape.scalarConst(spec.first, e.span.start, e.span.end);
}
