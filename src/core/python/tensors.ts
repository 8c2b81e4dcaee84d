/**
 * numpy arrays and torch tensors in the interpreter: every operation is an op on the
 * evaluator's tape (`ev.apply`, the built-in table through `callPyBuiltin`), so shapes are
 * checked with the same diagnostics, work is counted against the same budget and gradients
 * come from the same engine. Comparisons (masks) are constants: they have no gradient.
 */
import { K } from '../autodiff/tape';
import type { AdvItem } from '../tensor/advindex';
import { findBuiltin, type BoundValue, type BuiltinDef, type CallContext, type ParamSpec, type Rng } from '../builtins/types';
import { callContext } from '../eval/calls';
import type { Evaluator } from '../eval/evaluator';
import type { Span } from '../span';
import { broadcastShapes, formatShape, mapBinary, numel, tensor, type Tensor } from '../tensor/tensor';
import type { Interp, TensorBridge } from './interp';
import { formatArray } from './printing';
import { gradFnName } from './gradFn';
import { TorchGenerator } from '../tensor/torchRng';
import { TorchSize, PyError, PyInt, PyList, PyNative, PyOpaque, PySlice, PyTensor, PyTuple, Skip, ELLIPSIS, int, isIntLike, isNumber, num, typeName, type CallSite, type PyVal } from './values';

const BIN_OPS: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '**': 'pow', '@': 'matmul' };

export { TorchSize };

export class Tensors implements TensorBridge {
  /** numpy's global stream (`np.random.seed`). */
  npRng: Rng | undefined;
  /** PyTorch's CPU generator (torchRng.ts): its default seed until `torch.manual_seed`, as PyTorch's. */
  readonly torchGen = new TorchGenerator();
  /** torch tensors with requires_grad=True made by the user or a layer: `.backward()` fills their `.grad`. */
  readonly leaves: PyTensor[] = [];
  /** Gradients a backward pass left on the leaves (torch `.grad`), read by tensor attributes. */
  readonly methods = new Map<string, (t: PyTensor, args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal>();
  readonly attrs = new Map<string, (t: PyTensor, span: Span) => PyVal>();

  constructor(
    readonly ev: Evaluator,
    readonly ip: Interp,
  ) {}

  get tape() {
    return this.ev.tape;
  }

  /** A new tensor for an op result: requires grad when an input does (outside no_grad). */
  wrap(node: number | undefined, lib: 'np' | 'torch', inputs: readonly PyVal[], isInt = false): PyTensor {
    if (node === undefined) throw new Skip(null);
    const req = lib === 'torch' && this.ip.noGrad === 0 && inputs.some((x) => x instanceof PyTensor && x.requiresGrad);
    return new PyTensor(node, lib, req, !req, isInt);
  }

  libOf(...xs: PyVal[]): 'np' | 'torch' {
    return xs.some((x) => x instanceof PyTensor && x.lib === 'torch') ? 'torch' : 'np';
  }

  /** A value as a tape node: tensors as they are, numbers and (nested) lists as constants. */
  toNode(v: PyVal, span: Span): number {
    if (v instanceof PyTensor) return v.node;
    if (isNumber(v)) return this.tape.scalarConst(num(v), span.start, span.end);
    if (v instanceof PyList || v instanceof PyTuple) return this.ev.constant(this.fromNested(v, span), span);
    if (v instanceof Skip) throw v;
    throw new PyError('TypeError', `expected a number or an array, found ${typeName(v)}`, span);
  }

  /** An argument as an array of `lib`: a tensor as it is, numbers and (nested) lists as a constant (ints kept). */
  asArray(v: PyVal, lib: 'np' | 'torch', span: Span): PyTensor {
    return v instanceof PyTensor ? v : new PyTensor(this.toNode(v, span), lib, false, true, this.allInts(v));
  }

  /** Nested lists of numbers (or 0-d tensors) → a tensor; ragged lists are a ValueError, as numpy's. */
  fromNested(v: PyVal, span: Span): Tensor {
    const shape: number[] = [];
    let probe: PyVal = v;
    while (probe instanceof PyList || probe instanceof PyTuple) {
      shape.push(probe.items.length);
      if (!probe.items.length) break;
      probe = probe.items[0];
    }
    if (probe instanceof PyTensor) shape.push(...this.tape.shape(probe.node));
    const out = tensor(shape);
    let k = 0;
    const walk = (x: PyVal, d: number): void => {
      if (x instanceof PyList || x instanceof PyTuple) {
        if (x.items.length !== shape[d]) throw new PyError('ValueError', `setting an array element with a sequence: the lists are ragged (expected ${shape[d]} items, found ${x.items.length})`, span);
        for (const y of x.items) walk(y, d + 1);
        return;
      }
      if (x instanceof PyTensor) {
        const t = this.tape.value(x.node);
        out.data.set(t.data, k);
        k += t.data.length;
        return;
      }
      if (!isNumber(x)) throw new PyError('TypeError', `expected numbers in the array, found ${typeName(x)}`, span);
      out.data[k++] = num(x);
    };
    walk(v, 0);
    return out;
  }

  allInts(v: PyVal): boolean {
    if (v instanceof PyList || v instanceof PyTuple) return v.items.every((x) => this.allInts(x));
    if (v instanceof PyTensor) return v.isInt;
    return isIntLike(v);
  }

  value(t: PyTensor): Tensor {
    return this.tape.value(t.node);
  }

  shape(t: PyTensor): readonly number[] {
    return this.tape.shape(t.node);
  }

  // ---- operators -------------------------------------------------------------------------

  binop(op: string, a: PyVal, b: PyVal, span: Span, opSpan: Span): PyVal | undefined {
    if (!(a instanceof PyTensor) && !(b instanceof PyTensor)) return undefined;
    const lib = this.libOf(a, b);
    const na = this.toNode(a, span);
    const nb = this.toNode(b, span);
    const ints = this.allInts(a) && this.allInts(b);
    const opName = BIN_OPS[op];
    if (opName) {
      const n = this.ev.apply(opName, [na, nb], undefined, span, opSpan);
      // numpy and PyTorch keep integers under + - * @ and a non-negative integer power.
      const intPower = op === '**' && ints && this.tape.value(nb).data.every((x) => x >= 0);
      return this.wrap(n, lib, [a, b], ints && (op === '+' || op === '-' || op === '*' || op === '@' || intPower));
    }
    if (op === '//' || op === '%') {
      // No gradient (PyTorch's floor_divide has none; remainder's is 1 but rarely used): a constant.
      const A = this.tape.value(na);
      const B = this.tape.value(nb);
      const shape = broadcastShapes(A.shape, B.shape);
      if (!shape) return this.shapeError(op, A.shape, B.shape, opSpan);
      const t = mapBinary(A, B, shape, op === '//' ? (x, y) => Math.floor(x / y) : (x, y) => x - Math.floor(x / y) * y);
      this.ev.spend(numel(shape), span);
      return new PyTensor(this.ev.constant(t, span), lib, false, true, ints);
    }
    if (op === '&' || op === '|' || op === '^') return this.maskOp(op, na, nb, lib, span, opSpan);
    return undefined;
  }

  private shapeError(op: string, a: readonly number[], b: readonly number[], span: Span): never {
    this.ev.diagnostics.push({ code: 'shape.mismatch', severity: 'error', message: `Expected shapes that broadcast for \`${op}\`, found ${formatShape(a)} and ${formatShape(b)}.`, span });
    throw new Skip(null);
  }

  private maskOp(op: string, na: number, nb: number, lib: 'np' | 'torch', span: Span, opSpan: Span): PyTensor {
    const A = this.tape.value(na);
    const B = this.tape.value(nb);
    const shape = broadcastShapes(A.shape, B.shape);
    if (!shape) return this.shapeError(op, A.shape, B.shape, opSpan);
    const f = op === '&' ? (x: number, y: number) => (x && y ? 1 : 0) : op === '|' ? (x: number, y: number) => (x || y ? 1 : 0) : (x: number, y: number) => (!x !== !y ? 1 : 0);
    return new PyTensor(this.ev.constant(mapBinary(A, B, shape, f), span), lib, false, true, false);
  }

  /**
   * `t op= v` in place: a leaf (a numpy array bound at module level, a torch parameter under
   * no_grad, an optimiser's update) gets a new leaf holding the result, so later gradients are
   * with respect to its new value; an intermediate keeps the op on the tape.
   */
  inplace(t: PyTensor, r: PyTensor, span: Span): void {
    const kind = this.tape.kind[t.node];
    if (kind !== K.OP && (t.lib === 'np' || !t.requiresGrad || this.ip.noGrad > 0 || t.isLeaf)) {
      const v = this.value(r);
      const leafKind = kind === K.PARAM || t.requiresGrad ? K.PARAM : kind === K.CONST ? K.CONST : K.LEAF;
      t.node = this.tape.leaf({ shape: v.shape.slice(), data: Float64Array.from(v.data) }, leafKind, span.start, span.end);
      return;
    }
    t.node = r.node;
    if (t.lib === 'torch' && r.requiresGrad) {
      t.requiresGrad = true;
      t.isLeaf = false;
    }
  }

  unary(op: string, a: PyTensor, span: Span): PyVal {
    if (op === '+') return a;
    if (op === '-') return this.wrap(this.ev.apply('neg', [a.node], undefined, span), a.lib, [a], a.isInt);
    if (op === '~') {
      const t = this.value(a);
      return new PyTensor(this.ev.constant({ shape: t.shape.slice(), data: t.data.map((x) => (x ? 0 : 1)) }, span), a.lib, false, true, false);
    }
    throw new PyError('TypeError', `bad operand for unary ${op}`, span);
  }

  compare(op: string, a: PyVal, b: PyVal, span: Span): PyVal | undefined {
    if (!(a instanceof PyTensor) && !(b instanceof PyTensor)) return undefined;
    if ((a === null || b === null) && (op === '==' || op === '!=')) return op === '!=';
    const lib = this.libOf(a, b);
    const A = this.tape.value(this.toNode(a, span));
    const B = this.tape.value(this.toNode(b, span));
    const shape = broadcastShapes(A.shape, B.shape);
    if (!shape) return this.shapeError(op, A.shape, B.shape, span);
    const f: Record<string, (x: number, y: number) => number> = {
      '<': (x, y) => (x < y ? 1 : 0),
      '>': (x, y) => (x > y ? 1 : 0),
      '<=': (x, y) => (x <= y ? 1 : 0),
      '>=': (x, y) => (x >= y ? 1 : 0),
      '==': (x, y) => (x === y ? 1 : 0),
      '!=': (x, y) => (x !== y ? 1 : 0),
    };
    this.ev.spend(numel(shape), span);
    const t = mapBinary(A, B, shape, f[op]);
    const out = new PyTensor(this.ev.constant(t, span), lib, false, true, false);
    (out as PyTensor & { isBool?: boolean }).isBool = true;
    return out;
  }

  // ---- built-in functions ----------------------------------------------------------------

  /** The call context of a built-in; `lib` is the library whose defaults apply (x.std() on a torch tensor is torch's). */
  ctx(at: CallSite, lib?: 'np' | 'torch'): CallContext {
    const base = callContext(this.ev, at.span, at.nameSpan);
    return { ...base, rng: (seed) => (seed !== null ? base.rng(seed) : this.rng()), ...(lib ? { library: lib === 'np' ? ('numpy' as const) : ('torch' as const) } : {}) };
  }

  rng(): Rng {
    if (!this.npRng) {
      if (!this.ev.docRng) this.ev.docRng = base0(this.ev);
      this.npRng = this.ev.docRng;
    }
    return this.npRng;
  }

  /** Calls a built-in of the op table with Python arguments (`np.exp(x)`, `x.sum(axis=0)`). */
  callBuiltin(def: BuiltinDef, args: PyVal[], kw: Map<string, PyVal>, at: CallSite, lib: 'np' | 'torch'): PyTensor {
    const values: Record<string, BoundValue> = {};
    const spans: Record<string, Span> = {};
    const specs = def.params;
    /** The arguments bound to array and number parameters: their dtypes decide the result's. */
    const operands: PyVal[] = [];
    const operand = (spec: ParamSpec, v: PyVal): void => {
      if (spec.name === 'cond') return; // where's condition is a mask, not an operand
      if (spec.kind === 'tensor' || spec.kind === 'number') operands.push(v);
      else if (spec.kind === 'tensors' && (v instanceof PyList || v instanceof PyTuple)) operands.push(...v.items);
    };
    let pi = 0;
    const span = (k: number): Span => at.argSpans[k] ?? at.span;
    for (let k = 0; k < args.length; k++) {
      while (pi < specs.length && specs[pi].keywordOnly) pi++;
      const spec = specs[pi];
      if (!spec) throw new PyError('TypeError', `${def.name}() takes at most ${pi} positional arguments (GradLens's \`${def.signature}\`)`, at.span);
      if (spec.kind === 'ints' && spec.rest) {
        values[spec.name] = this.ints(args.slice(k), at.span);
        spans[spec.name] = span(k);
        pi++;
        k = args.length;
        break;
      }
      values[spec.name] = this.bindOne(spec, args[k], span(k));
      spans[spec.name] = span(k);
      operand(spec, args[k]);
      pi++;
    }
    const byName = new Map<string, ParamSpec>();
    for (const p of specs) for (const n of [p.name, ...(p.aliases ?? [])]) byName.set(n, p);
    for (const [name, v] of kw) {
      const spec = byName.get(name);
      if (!spec) {
        if (name === 'dtype' || name === 'device' || name === 'out' || name === 'layout') continue;
        if (name === 'requires_grad' && lib === 'torch') continue;
        const why = `the keyword \`${name}\` of \`${def.name}\` is not supported by GradLens`;
        this.ip.host.hint(`GradLens: ${why}; the line is skipped and the names it binds are unknown.`, at.kwSpans.get(name) ?? at.span);
        throw new Skip(why);
      }
      values[spec.name] = spec.kind === 'ints' ? this.ints([v], at.kwSpans.get(name) ?? at.span) : this.bindOne(spec, v, at.kwSpans.get(name) ?? at.span);
      spans[spec.name] = at.kwSpans.get(name) ?? at.span;
      operand(spec, v);
    }
    for (const p of specs) {
      if (p.name in values) continue;
      if (p.default !== undefined) values[p.name] = p.default;
      else if (p.kind === 'ints' && p.rest) values[p.name] = [];
      else throw new PyError('TypeError', `${def.name}() missing required argument: '${p.name}'`, at.span);
    }
    const inputs = [...args, ...kw.values()];
    const requiresGrad = lib === 'torch' && kw.has('requires_grad') && this.ip.truthOf(kw.get('requires_grad')!, at.kwSpans.get('requires_grad') ?? at.span);
    const dtype = kw.get('dtype');
    const ints = dtype !== undefined && dtype !== null ? dtypeIsInt(dtype) : intResult(def.name, args, operands);
    if (requiresGrad && ints) throw new PyError('RuntimeError', 'Only Tensors of floating point dtype can require gradients', at.span);
    const n = def.call({ values, spans, positionalCount: args.length }, this.ctx(at, lib));
    if (n === undefined) throw new Skip(null);
    const out = ints && dtype !== undefined ? this.truncated(n, at.span) : n;
    if (!requiresGrad) {
      // A list of tensors (cat, stack) requires grad when one of them does.
      const r = this.wrap(out, lib, [...inputs, ...operands], ints);
      // numpy's and PyTorch's boolean results print True/False.
      if (BOOL_RESULT.has(def.name)) (r as PyTensor & { isBool?: boolean }).isBool = true;
      const fn = GRAD_FN_OF_BUILTIN[def.name];
      if (fn) (r as PyTensor & { gradFn?: string }).gradFn = typeof fn === 'string' ? fn : fn(values);
      return r;
    }
    // `torch.zeros(3, requires_grad=True)`: a new leaf that `.backward()` fills, as `torch.tensor(…, requires_grad=True)`.
    const v = this.tape.value(out);
    const leaf = new PyTensor(this.tape.leaf({ shape: v.shape.slice(), data: Float64Array.from(v.data) }, K.PARAM, at.span.start, at.span.end), 'torch', true, true, false);
    this.leaves.push(leaf);
    return leaf;
  }

  /** An integer dtype's values: `np.zeros(3, dtype=int)` holds ints, `np.ones(2, dtype=np.int64) * 0.5` too once cast. */
  private truncated(n: number, span: Span): number {
    const v = this.tape.value(n);
    if (v.data.every((x) => Number.isInteger(x) || !Number.isFinite(x))) return n;
    return this.ev.constant({ shape: v.shape.slice(), data: v.data.map(Math.trunc) }, span);
  }

  private bindOne(spec: ParamSpec, v: PyVal, span: Span): BoundValue {
    // `None` where the parameter takes it (its default is None): absent.
    if (v === null && (spec.orNone || spec.default === null) && spec.kind !== 'axis') return null;
    switch (spec.kind) {
      case 'tensor':
        if (v === null && spec.default === null) return null;
        return { node: this.toNode(v, span), span };
      case 'int': {
        const x = num(this.ip.toNumber(v, span));
        if (!Number.isInteger(x)) throw new PyError('TypeError', `expected an integer for \`${spec.name}\`, found ${x}`, span);
        return x;
      }
      case 'number':
        return num(this.ip.toNumber(v, span));
      case 'axis':
        if (v === null) return null;
        if (v instanceof PyTuple || v instanceof PyList) return this.ints([v], span);
        return num(this.ip.toNumber(v, span));
      case 'bool':
        return !!num(this.ip.toNumber(v, span));
      case 'string':
        if (typeof v !== 'string') throw new PyError('TypeError', `expected a string for \`${spec.name}\`, found ${typeName(v)}`, span);
        return v;
      case 'ints':
        return this.ints([v], span);
      case 'tensors': {
        // cat([a, b]) / stack((a, b)): a list or tuple of values, each a node.
        if (!(v instanceof PyList || v instanceof PyTuple)) throw new PyError('TypeError', `expected a list or tuple of arrays for \`${spec.name}\`, found ${typeName(v)}`, span);
        return v.items.map((x) => ({ node: this.toNode(x, span), span }));
      }
      case 'ord':
        // A norm's order: a number (inf included) or a string ('fro', 'nuc').
        if (v === null) return null;
        if (typeof v === 'string') return v;
        return num(this.ip.toNumber(v, span));
    }
  }

  /** Sizes given as several ints or as one tuple/list/torch.Size. */
  ints(vs: PyVal[], span: Span): number[] {
    if (vs.length === 1 && (vs[0] instanceof PyTuple || vs[0] instanceof PyList)) return this.ints([...(vs[0] as PyTuple).items], span);
    return vs.map((v) => {
      const x = num(this.ip.toNumber(v, span));
      if (!Number.isInteger(x)) throw new PyError('TypeError', `expected integer sizes, found ${x}`, span);
      return x;
    });
  }

  /** A function of the op table under a module prefix (`np.exp`), or undefined. */
  builtinFn(name: string, lib: 'np' | 'torch', qualified: string): PyNative | undefined {
    const def = findBuiltin(name);
    if (!def) return undefined;
    return new PyNative(qualified, (args, kw, at) => this.callBuiltin(def, args, kw, at, args.some((a) => a instanceof PyTensor && a.lib === 'torch') ? 'torch' : lib));
  }

  // ---- attributes, items, printing --------------------------------------------------------

  getattr(t: PyTensor, name: string, span: Span): PyVal {
    const a = this.attrs.get(name);
    if (a) return a(t, span);
    const m = this.methods.get(name);
    if (m) return new PyNative(name, (args, kw, at) => m(t, args, kw, at));
    const def = findBuiltin(name);
    if (def) return new PyNative(name, (args, kw, at) => this.callBuiltin(def, [t, ...args], kw, { ...at, argSpans: [span, ...at.argSpans] }, t.lib));
    const why = `\`${t.lib === 'np' ? 'ndarray' : 'Tensor'}.${name}\` is not supported by GradLens`;
    this.ip.host.hint(`${why}; the line is skipped and the names it binds are unknown.`, span);
    throw new Skip(why);
  }

  getitem(t: PyTensor, index: PyVal, span: Span): PyVal {
    const items = index instanceof PyTuple ? [...index.items] : [index];
    if (items.some((it) => (it instanceof PyTensor && this.shape(it).length > 0) || it instanceof PyList)) return this.advanced(t, items, span);
    const spec: ({ kind: 'int'; index: number } | { kind: 'slice'; start: number | null; stop: number | null; step: number | null })[] = [];
    const newAxes: number[] = [];
    let outAxis = 0;
    const nd = this.shape(t).length;
    const explicit = items.filter((x) => x !== null && x !== ELLIPSIS).length;
    for (const it of items) {
      if (it === null) {
        newAxes.push(outAxis++);
        continue;
      }
      if (it === ELLIPSIS) {
        for (let k = 0; k < nd - explicit; k++) {
          spec.push({ kind: 'slice', start: null, stop: null, step: null });
          outAxis++;
        }
        continue;
      }
      if (it instanceof PySlice) {
        spec.push({ kind: 'slice', start: it.lower, stop: it.upper, step: it.step });
        outAxis++;
        continue;
      }
      if (isIntLike(it) || (it instanceof PyTensor && this.shape(it).length === 0 && it.isInt)) {
        spec.push({ kind: 'int', index: num(this.ip.toNumber(it, span)) });
        continue;
      }
      const why = it instanceof PyTensor || it instanceof PyList ? 'indexing with an array (a mask or integer indices) is not supported yet' : `indexing with ${typeName(it)} is not supported`;
      this.ip.host.hint(`GradLens: ${why}; the line is skipped.`, span);
      throw new Skip(why);
    }
    let n = this.ev.apply('index', [t.node], { items: spec as unknown as readonly number[] }, span);
    if (n !== undefined && newAxes.length) {
      const shape = [...this.tape.shape(n)];
      for (const ax of newAxes) shape.splice(ax, 0, 1);
      n = this.ev.apply('reshape', [n], { shape }, span);
    }
    return this.wrap(n, t.lib, [t], t.isInt);
  }

  /**
   * numpy's advanced indexing, as `.nn` reads it (one `index_adv` op, tensor/advindex.ts): integer
   * arrays and lists, one or more boolean masks (their coordinates, `nonzero` ops), mixed with
   * integers, slices, `None` and `...` (`P[np.arange(N), y]`, `X[idx]`, `x[x > 0]`, `W[:, idx]`).
   * The gradient flows back to the elements read (a position read twice gets both).
   */
  private advanced(t: PyTensor, items: PyVal[], span: Span): PyTensor {
    const xShape = this.shape(t);
    const isMask = (it: PyVal): it is PyTensor => it instanceof PyTensor && (it as PyTensor & { isBool?: boolean }).isBool === true;
    const axesOf = (it: PyVal): number => (it === null ? 0 : it === ELLIPSIS ? 0 : isMask(it) ? Math.max(1, this.shape(it).length) : 1);
    const taken = items.reduce((n: number, it) => n + axesOf(it), 0);
    if (taken > xShape.length) throw new PyError('IndexError', `too many indices for array: array is ${xShape.length}-dimensional, but ${taken} were indexed`, span);
    const spec: AdvItem[] = [];
    const inputs: number[] = [t.node];
    let axis = 0;
    for (const it of items) {
      if (it === null) {
        spec.push({ kind: 'none' });
        continue;
      }
      if (it === ELLIPSIS) {
        for (let k = taken; k < xShape.length; k++, axis++) spec.push({ kind: 'slice', start: null, stop: null, step: null });
        continue;
      }
      if (it instanceof PySlice) {
        if (it.step === 0) throw new PyError('ValueError', 'slice step cannot be zero', span);
        spec.push({ kind: 'slice', start: it.lower, stop: it.upper, step: it.step });
        axis++;
        continue;
      }
      if (isIntLike(it) || (it instanceof PyTensor && this.shape(it).length === 0 && !isMask(it))) {
        const i = num(it instanceof PyTensor ? this.value(it).data[0] : it);
        const n0 = xShape[axis];
        if (!Number.isInteger(i)) throw new PyError('IndexError', 'only integers, slices (`:`), ellipsis (`...`), numpy.newaxis (`None`) and integer or boolean arrays are valid indices', span);
        if (i < -n0 || i >= n0) throw new PyError('IndexError', `index ${i} is out of bounds for axis ${axis} with size ${n0}`, span);
        spec.push({ kind: 'int', index: i });
        axis++;
        continue;
      }
      if (isMask(it)) {
        const m = this.value(it);
        const at = xShape.slice(axis, axis + m.shape.length);
        if (!m.shape.length || at.length !== m.shape.length || at.some((d, k) => d !== m.shape[k])) {
          throw new PyError('IndexError', `boolean index did not match indexed array along axis ${axis}; size of axis is ${xShape[axis]} but size of corresponding boolean axis is ${m.shape[0] ?? 1}`, span);
        }
        let count = 0;
        for (const v of m.data) if (v !== 0) count++;
        for (let d = 0; d < m.shape.length; d++) {
          const c = this.ev.apply('nonzero', [it.node], { dim: d, count }, span);
          if (c === undefined) throw new Skip(null);
          spec.push({ kind: 'array', input: inputs.length });
          inputs.push(c);
        }
        axis += m.shape.length;
        continue;
      }
      if (it instanceof PyTensor || it instanceof PyList || it instanceof PyTuple) {
        const node = it instanceof PyTensor ? it.node : this.ev.constant(this.fromNested(it, span), span);
        const v = this.tape.value(node);
        const n0 = xShape[axis];
        for (const x of v.data) {
          if (!Number.isInteger(x)) throw new PyError('IndexError', 'arrays used as indices must be of integer (or boolean) type', span);
          if (x < -n0 || x >= n0) throw new PyError('IndexError', `index ${x} is out of bounds for axis ${axis} with size ${n0}`, span);
        }
        spec.push({ kind: 'array', input: inputs.length });
        inputs.push(node);
        axis++;
        continue;
      }
      throw new PyError('IndexError', `only integers, slices (\`:\`), ellipsis (\`...\`), numpy.newaxis (\`None\`) and integer or boolean arrays are valid indices, not ${typeName(it)}`, span);
    }
    const out = this.ev.apply('index_adv', inputs, { items: spec as unknown as readonly number[] }, span);
    return this.wrap(out, t.lib, [t], t.isInt);
  }

  /** `x[i] = v`, `x[:, 0] -= 1`: a new value for the whole tensor (no gradient through the write). */
  setitem(t: PyTensor, index: PyVal, value: PyVal, span: Span): void {
    const cur = this.value(t);
    const sel = this.getitem(new PyTensor(this.ev.constant(indexTensor(cur.shape), span), 'np'), index, span) as PyTensor;
    const positions = this.value(sel).data;
    const v = this.tape.value(this.toNode(value, span));
    const bs = broadcastShapes(this.tape.shape(sel.node), v.shape);
    if (!bs || formatShape(bs) !== formatShape(this.tape.shape(sel.node))) return this.shapeError('=', this.tape.shape(sel.node), v.shape, span);
    const out = { shape: cur.shape.slice(), data: Float64Array.from(cur.data) };
    const vb = mapBinary(tensor(this.tape.shape(sel.node)), v, bs, (_x, y) => y);
    for (let k = 0; k < positions.length; k++) out.data[positions[k]] = vb.data[k];
    t.node = this.tape.leaf(out, t.requiresGrad ? K.PARAM : K.LEAF, span.start, span.end);
  }

  repr(t: PyTensor): string {
    return formatArray(this.value(t), t, true, () => gradFnName(this.tape, t.node));
  }

  str(t: PyTensor): string {
    return formatArray(this.value(t), t, false, () => gradFnName(this.tape, t.node));
  }

  items(t: PyTensor, span: Span): PyVal[] {
    const shape = this.shape(t);
    if (!shape.length) throw new PyError('TypeError', 'iteration over a 0-d array', span);
    const out: PyVal[] = [];
    for (let k = 0; k < shape[0]; k++) out.push(this.getitem(t, int(k), span));
    return out;
  }

  truthy(t: PyTensor, span: Span): boolean {
    const v = this.value(t);
    if (v.data.length !== 1) throw new PyError('ValueError', 'The truth value of an array with more than one element is ambiguous. Use a.any() or a.all()', span);
    return v.data[0] !== 0;
  }

  len(t: PyTensor): number {
    const s = this.shape(t);
    if (!s.length) throw new PyError('TypeError', 'len() of a 0-d tensor');
    return s[0];
  }

  /**
   * `root.backward()`: reverse mode on the tape, gradients added into the `.grad` of every
   * requires-grad leaf the root depends on (PyTorch accumulates; `zero_grad()` clears).
   */
  backward(root: PyTensor, span: Span): void {
    let floor = root.node;
    for (const l of this.leaves) if (l.requiresGrad && l.node < floor) floor = l.node;
    this.ev.spend(root.node - floor + 1, span);
    const grads = this.tape.backward(root.node, undefined, floor - 1);
    for (const l of this.leaves) {
      if (!l.requiresGrad || !grads.dependsOn(l.node)) continue;
      const g = grads.of(l.node);
      const data = Float64Array.from(g.data);
      if (l.grad) {
        const cur = this.value(l.grad);
        for (let k = 0; k < data.length; k++) data[k] += cur.data[k];
        l.grad.node = this.ev.constant({ shape: g.shape.slice(), data }, span);
      } else l.grad = new PyTensor(this.ev.constant({ shape: g.shape.slice(), data }, span), 'torch');
    }
  }

  /**
   * `torch.autograd.grad(outputs, inputs)`: ∂root/∂input for each input, as new tensors with no
   * graph, leaving every `.grad` as it was. An input the root does not reach is PyTorch's error,
   * or None with `allow_unused=True`.
   */
  gradients(root: PyTensor, inputs: readonly PyTensor[], allowUnused: boolean, span: Span): PyVal[] {
    if (numel(this.shape(root)) !== 1) throw new PyError('RuntimeError', 'grad can be implicitly created only for scalar outputs', span);
    let floor = root.node;
    for (const x of inputs) floor = Math.min(floor, x.node);
    this.ev.spend(root.node - floor + 1, span);
    const grads = this.tape.backward(root.node, undefined, floor - 1);
    return inputs.map((x) => {
      if (!grads.dependsOn(x.node)) {
        if (allowUnused) return null;
        throw new PyError('RuntimeError', 'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.', span);
      }
      const g = grads.of(x.node);
      return new PyTensor(this.ev.constant({ shape: g.shape.slice(), data: Float64Array.from(g.data) }, span), 'torch');
    });
  }

  /** A Python number from a one-element tensor (`.item()`). */
  item(t: PyTensor, span: Span): number | PyInt | boolean {
    const v = this.value(t);
    if (v.data.length !== 1) throw new PyError('ValueError', `only one element tensors can be converted to Python scalars (shape ${formatShape(v.shape)})`, span);
    if ((t as PyTensor & { isBool?: boolean }).isBool) return v.data[0] !== 0;
    return t.isInt ? int(v.data[0]) : v.data[0];
  }
}

function base0(ev: Evaluator): Rng {
  return callContext(ev, { start: 0, end: 0 }, { start: 0, end: 0 }).rng(null);
}

/** A tensor holding each element's flat position (for `x[idx] = v`). */
function indexTensor(shape: readonly number[]): Tensor {
  const t = tensor(shape);
  for (let k = 0; k < t.data.length; k++) t.data[k] = k;
  return t;
}

export { PyTensor };

/** Built-ins whose result has an integer dtype whenever their operands have one (numpy's and PyTorch's type promotion). */
const INT_PRESERVING = new Set([
  'sum', 'prod', 'max', 'min', 'cumsum', 'cumprod', 'abs', 'neg', 'square', 'sign', 'reshape', 'flatten', 'transpose', 'permute',
  'squeeze', 'unsqueeze', 'expand', 'expand_as', 'broadcast_to', 'concatenate', 'stack', 'tile', 'flip', 'diag', 'trace', 'gather',
  'take_along_axis', 'where', 'clamp', 'matmul', 'dot', 'outer', 'round', 'pad', 'zeros_like', 'ones_like', 'full_like',
]);
/** Reductions that count: a sum of a boolean mask is an integer (`(pred == y).sum()`). */
const COUNTING = new Set(['sum', 'cumsum', 'prod', 'cumprod']);
/** Built-ins whose result is always an integer array. */
const ALWAYS_INT = new Set(['argmax', 'argmin', 'numel', 'shape', 'onehot']);

function intResult(name: string, args: readonly PyVal[], operands: readonly PyVal[]): boolean {
  if (ALWAYS_INT.has(name)) return true;
  if (name === 'arange' || name === 'range') return args.every((a) => isIntLike(a));
  if (name === 'full') return operands.length > 0 && operands.every((a) => isIntLike(a));
  if (!INT_PRESERVING.has(name) || operands.length === 0) return false;
  const ints = (a: PyVal): boolean =>
    a instanceof PyTensor ? a.isInt || (COUNTING.has(name) && (a as PyTensor & { isBool?: boolean }).isBool === true) : a instanceof PyList || a instanceof PyTuple ? a.items.length > 0 && a.items.every(ints) : isIntLike(a);
  return operands.every(ints);
}

/** `dtype=int`, `dtype=np.int64`, `dtype=torch.long`, `dtype='int32'`: an integer dtype. */
export function dtypeIsInt(d: PyVal): boolean {
  const label = d instanceof PyOpaque ? d.label : d instanceof PyNative ? d.name : typeof d === 'string' ? d : '';
  return /int|long/.test(label) && !/^bool/.test(label);
}

/** Built-ins computed by another op on the tape, named as PyTorch names their autograd node. */
const GRAD_FN_OF_BUILTIN: Record<string, string | ((v: Record<string, BoundValue>) => string)> = {
  unsqueeze: 'UnsqueezeBackward0',
  squeeze: (v) => (v.axis === null || v.axis === undefined ? 'SqueezeBackward0' : 'SqueezeBackward1'),
  flatten: 'ReshapeAliasBackward0',
};

/** Built-ins whose result is a boolean array (`np.any(a > 3)` prints True). */
const BOOL_RESULT = new Set(['all', 'any', 'equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal', 'logical_not']);
