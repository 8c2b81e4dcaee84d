/** Shape built-ins: `transpose`, `permute`, `reshape`, `flatten`, `shape`, `numel`, and the numpy/PyTorch shape functions (unsqueeze … pad). */
import { normalizeAxis } from '../tensor/reduce';
import type { Span } from '../span';
import { formatShape, tensor, type Shape } from '../tensor/tensor';
import { defineBuiltin, type CallContext, type NodeId, type ParamSpec, type TensorArg } from './types';

const X: ParamSpec = { name: 'x', aliases: ['input', 'a'], kind: 'tensor' };

defineBuiltin({
  name: 'transpose',
  aliases: ['swapaxes', 't'],
  group: 'shape',
  signature: 'transpose(x) or transpose(x, a, b)',
  doc: 'transpose(x) reverses the axes (numpy, the same as x.T); transpose(x, a, b) swaps axes a and b (PyTorch).',
  derivative: 'the gradient is transposed back the same way',
  libraries: "numpy's transpose(x) reverses all axes; PyTorch's transpose(x, a, b) swaps two (both spellings work here)",
  params: [X, { name: 'dim0', aliases: ['axis1'], kind: 'axis', default: null }, { name: 'dim1', aliases: ['axis2'], kind: 'axis', default: null }],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const rank = ctx.shape(x.node).length;
    const a = args.values.dim0;
    const b = args.values.dim1;
    if (Array.isArray(a) && b === null) {
      // numpy: transpose(x, (1, 0, 2)) is a permutation.
      return ctx.apply('permute', [x.node], { perm: (a as number[]).slice() });
    }
    if (typeof a !== 'number' && typeof b !== 'number') {
      return ctx.apply('permute', [x.node], { perm: Array.from({ length: rank }, (_, i) => rank - 1 - i) });
    }
    if (typeof a !== 'number' || typeof b !== 'number') {
      return ctx.error('call.bad-argument', 'Expected no axes (reverse all) or two axes to swap, found one.', ctx.span);
    }
    const na = normalizeAxis(a, rank);
    const nb = normalizeAxis(b, rank);
    if (na === undefined || nb === undefined) {
      const bad = na === undefined ? a : b;
      return ctx.error('shape.axis', `Expected an axis in [${-rank}, ${rank}), found ${bad}.`, (na === undefined ? args.spans.dim0 : args.spans.dim1) ?? ctx.span);
    }
    const perm = Array.from({ length: rank }, (_, i) => i);
    perm[na] = nb;
    perm[nb] = na;
    return ctx.apply('permute', [x.node], { perm });
  },
});

defineBuiltin({
  name: 'permute',
  group: 'shape',
  signature: 'permute(x, d0, d1, …)',
  doc: 'Reorders the axes: axis i of the result is axis dᵢ of x (torch.permute, numpy.transpose(x, axes)).',
  derivative: 'the gradient is permuted back with the inverse permutation',
  params: [X, { name: 'dims', aliases: ['axes'], kind: 'ints', rest: true }],
  call: (args, ctx) => ctx.apply('permute', [(args.values.x as TensorArg).node], { perm: (args.values.dims as number[]).slice() }),
});

defineBuiltin({
  name: 'reshape',
  aliases: ['view'],
  group: 'shape',
  signature: 'reshape(x, d1, d2, …) or reshape(x, [d1, …])',
  doc: 'The same elements in row-major order with a new shape; one size may be -1 and is inferred.',
  derivative: 'the gradient is reshaped back to the shape of x',
  params: [X, { name: 'shape', aliases: ['newshape'], kind: 'ints', rest: true }],
  call: (args, ctx) => ctx.apply('reshape', [(args.values.x as TensorArg).node], { shape: (args.values.shape as number[]).slice() }),
});

defineBuiltin({
  name: 'flatten',
  aliases: ['ravel'],
  group: 'shape',
  signature: 'flatten(x, start_dim=0, end_dim=-1)',
  doc: 'Merges axes start_dim..end_dim into one (all of them by default: a 1-D tensor), as torch.flatten.',
  derivative: 'the gradient is reshaped back to the shape of x',
  params: [X, { name: 'start_dim', kind: 'int', default: 0 }, { name: 'end_dim', kind: 'int', default: -1 }],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const shape = ctx.shape(x.node);
    const rank = Math.max(1, shape.length);
    const s = normalizeAxis(args.values.start_dim as number, rank);
    const e = normalizeAxis(args.values.end_dim as number, rank);
    if (s === undefined || e === undefined || s > e) {
      return ctx.error(
        'shape.axis',
        `Expected start_dim ≤ end_dim, both in [${-rank}, ${rank}), found ${String(args.values.start_dim)} and ${String(args.values.end_dim)}.`,
        ctx.span,
      );
    }
    if (shape.length === 0) return ctx.apply('reshape', [x.node], { shape: [1] });
    const merged = shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
    return ctx.apply('reshape', [x.node], { shape: [...shape.slice(0, s), merged, ...shape.slice(e + 1)] });
  },
});

defineBuiltin({
  name: 'shape',
  group: 'shape',
  signature: 'shape(x)',
  doc: 'The shape of x as a 1-D tensor of sizes (a constant).',
  params: [X],
  call: (args, ctx) => {
    const s = ctx.shape((args.values.x as TensorArg).node);
    return ctx.constant(tensor([s.length], s));
  },
});

defineBuiltin({
  name: 'numel',
  aliases: ['nelement'],
  group: 'shape',
  signature: 'numel(x)',
  doc: 'The number of elements of x (a constant).',
  params: [X],
  call: (args, ctx) => {
    const s = ctx.shape((args.values.x as TensorArg).node);
    return ctx.constant(tensor([], [s.reduce((a, b) => a * b, 1)]));
  },
});

// ---- unsqueeze, squeeze, expand, concatenate, stack, split, tile, flip, pad --------------------

const shapeOf = (ctx: CallContext, a: TensorArg): Shape => ctx.shape(a.node);

defineBuiltin({
  name: 'unsqueeze',
  aliases: ['expand_dims'],
  group: 'shape',
  signature: 'unsqueeze(x, dim)',
  doc: 'Inserts an axis of size 1 at dim (torch.unsqueeze; np.expand_dims, which also takes a list of axes). x[:, None] does the same.',
  derivative: 'the gradient is reshaped back to the shape of x',
  params: [X, { name: 'dim', aliases: ['axis'], kind: 'axis' }],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const s = shapeOf(ctx, x);
    const d = args.values.dim;
    const dims = Array.isArray(d) ? (d as number[]) : [d as number];
    const rank = s.length + dims.length;
    const at = dims.map((a) => normalizeAxis(a, rank));
    if (d === null || at.some((a) => a === undefined) || new Set(at).size !== at.length) {
      return ctx.error('shape.axis', `Expected distinct axes in [${-rank}, ${rank}), found ${Array.isArray(d) ? `[${d.join(', ')}]` : String(d)}.`, args.spans.dim);
    }
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(at.includes(i) ? 1 : s[k++]);
    return ctx.apply('reshape', [x.node], { shape: out });
  },
});

defineBuiltin({
  name: 'squeeze',
  group: 'shape',
  signature: 'squeeze(x, axis=None)',
  doc: 'Removes axes of size 1: all of them, or the given one(s). numpy refuses an axis whose size is not 1; torch.squeeze leaves it.',
  derivative: 'the gradient is reshaped back to the shape of x',
  params: [X, { name: 'axis', aliases: ['dim'], kind: 'axis', default: null }],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const s = shapeOf(ctx, x);
    const a = args.values.axis;
    let drop: number[];
    if (a === null || a === undefined) drop = s.flatMap((d, k) => (d === 1 ? [k] : []));
    else {
      const list = Array.isArray(a) ? (a as number[]) : [a as number];
      const rank = Math.max(1, s.length);
      drop = [];
      for (const v of list) {
        const k = normalizeAxis(v, rank);
        if (k === undefined) return ctx.error('shape.axis', `Expected an axis in [${-rank}, ${rank}), found ${v}.`, args.spans.axis);
        if (s.length === 0) continue;
        if (s[k] !== 1) {
          if (ctx.library === 'torch') continue;
          return ctx.error('shape.squeeze', `Expected axis ${v} of size 1 to squeeze, found size ${s[k]} in ${formatShape(s)} (numpy refuses it; torch.squeeze would leave it).`, args.spans.axis);
        }
        drop.push(k);
      }
    }
    return ctx.apply('reshape', [x.node], { shape: s.filter((_, k) => !drop.includes(k)) });
  },
});

defineBuiltin({
  name: 'broadcast_to',
  group: 'shape',
  signature: 'broadcast_to(x, shape)',
  doc: 'x repeated along axes of size 1 and new leading axes to the given shape (numpy broadcasting).',
  derivative: 'the gradient is summed over the broadcast axes back to the shape of x',
  params: [X, { name: 'shape', aliases: ['size'], kind: 'ints', rest: true }],
  call: (args, ctx) => ctx.apply('broadcast_to', [(args.values.x as TensorArg).node], { shape: (args.values.shape as number[]).slice() }),
});

defineBuiltin({
  name: 'expand',
  group: 'shape',
  signature: 'expand(x, d1, d2, …)',
  doc: 'torch.expand: broadcast_to where -1 keeps the size of x on that axis.',
  derivative: 'the gradient is summed over the broadcast axes back to the shape of x',
  params: [X, { name: 'shape', aliases: ['size', 'sizes'], kind: 'ints', rest: true }],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const s = shapeOf(ctx, x);
    const to = (args.values.shape as number[]).slice();
    const lead = to.length - s.length;
    for (let k = 0; k < to.length; k++) {
      if (to[k] !== -1) continue;
      if (k < lead) return ctx.error('call.bad-argument', `Expected a size for the new leading axis ${k}, found -1.`, args.spans.shape);
      to[k] = s[k - lead];
    }
    return ctx.apply('broadcast_to', [x.node], { shape: to });
  },
});

defineBuiltin({
  name: 'expand_as',
  group: 'shape',
  signature: 'expand_as(x, other)',
  doc: 'torch.expand_as: x broadcast to the shape of other.',
  derivative: 'the gradient is summed over the broadcast axes back to the shape of x',
  params: [X, { name: 'other', kind: 'tensor' }],
  call: (args, ctx) =>
    ctx.apply('broadcast_to', [(args.values.x as TensorArg).node], { shape: shapeOf(ctx, args.values.other as TensorArg).slice() }),
});

const TENSORS: ParamSpec = { name: 'tensors', aliases: ['arrays', 'seq', 'tup'], kind: 'tensors' };

defineBuiltin({
  name: 'concatenate',
  aliases: ['cat', 'concat'],
  group: 'shape',
  signature: 'concatenate([a, b, …], axis=0)',
  doc: 'Joins tensors along an existing axis (np.concatenate, torch.cat); axis=None joins them flattened (numpy).',
  derivative: 'each input gets the slice of the gradient where it was placed',
  params: [TENSORS, { name: 'axis', aliases: ['dim'], kind: 'axis', default: 0 }],
  call: (args, ctx) => {
    const ts = args.values.tensors as readonly TensorArg[];
    let nodes = ts.map((t) => t.node);
    const axis = args.values.axis;
    if (Array.isArray(axis)) return ctx.error('call.bad-argument', 'Expected one axis or None, found a list.', args.spans.axis);
    if (axis === null) {
      const flat: NodeId[] = [];
      for (const n of nodes) {
        const f = ctx.apply('reshape', [n], { shape: [-1] });
        if (f === undefined) return undefined;
        flat.push(f);
      }
      nodes = flat;
    }
    if (nodes.some((n) => ctx.shape(n).length === 0)) return ctx.error('shape.mismatch', 'Expected tensors with at least one axis to concatenate, found a scalar (use stack).', args.spans.tensors);
    return ctx.apply('concat', nodes, { axis: axis === null ? 0 : (axis as number) });
  },
});

defineBuiltin({
  name: 'stack',
  group: 'shape',
  signature: 'stack([a, b, …], axis=0)',
  doc: 'Joins tensors of one shape along a new axis (np.stack, torch.stack).',
  derivative: 'each input gets its slice of the gradient along the new axis',
  params: [TENSORS, { name: 'axis', aliases: ['dim'], kind: 'axis', default: 0 }],
  call: (args, ctx) => {
    const axis = args.values.axis;
    if (axis === null || Array.isArray(axis)) return ctx.error('call.bad-argument', 'Expected one integer axis.', args.spans.axis);
    return ctx.apply('stack', (args.values.tensors as readonly TensorArg[]).map((t) => t.node), { axis: axis as number });
  },
});

/** The pieces along `axis` as [start, stop) pairs, as an index op each. */
function pieces(ctx: CallContext, x: TensorArg, axis: number, bounds: readonly [number, number][]): NodeId[] | undefined {
  const out: NodeId[] = [];
  for (const [a, b] of bounds) {
    const items = [
      ...Array.from({ length: axis }, () => ({ kind: 'slice', start: null, stop: null, step: null })),
      { kind: 'slice', start: a, stop: b, step: null },
    ];
    const n = ctx.apply('index', [x.node], { items: items as unknown as readonly number[] });
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

function splitAxis(ctx: CallContext, x: TensorArg, v: unknown, span: Span | undefined): { axis: number; n: number } | undefined {
  const s = shapeOf(ctx, x);
  const axis = typeof v === 'number' ? normalizeAxis(v, s.length) : undefined;
  if (axis === undefined) {
    ctx.error('shape.axis', `Expected an axis in [${-s.length}, ${s.length}), found ${String(v)}.`, span);
    return undefined;
  }
  return { axis, n: s[axis] };
}

const MANY = (name: string) => (_args: unknown, ctx: CallContext) =>
  ctx.error('call.unpack', `Expected \`${name}(…)\` bound by unpacking (\`a, b = ${name}(…)\`), found it inside an expression: it gives several tensors.`);

defineBuiltin({
  name: 'split',
  group: 'shape',
  signature: 'split(x, sections, axis=0)',
  doc:
    'Several tensors along axis, bound by unpacking (a, b = split(x, 2)). numpy (bare or np.): an integer N gives N equal parts (it must divide the size), a list gives split points. torch.split: an integer is the size of each part (the last may be smaller), a list the sizes.',
  derivative: 'each part gets its slice of the gradient',
  params: [X, { name: 'sections', aliases: ['indices_or_sections', 'split_size_or_sections'], kind: 'tensor' }, { name: 'axis', aliases: ['dim'], kind: 'axis', default: 0 }],
  call: MANY('split'),
  callMany: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const ax = splitAxis(ctx, x, args.values.axis, args.spans.axis);
    if (!ax) return undefined;
    const sec = ctx.value((args.values.sections as TensorArg).node);
    const ints = Array.from(sec.data);
    const span = args.spans.sections;
    if (ints.some((v) => !Number.isInteger(v))) return ctx.error('type.expected-int', 'Expected integer sections, found a fraction.', span);
    const bounds: [number, number][] = [];
    const n = ax.n;
    if (ctx.library === 'torch') {
      if (sec.shape.length === 0) {
        const size = ints[0];
        if (size <= 0) return ctx.error('call.bad-argument', `Expected a positive part size, found ${size}.`, span);
        for (let a = 0; a < n; a += size) bounds.push([a, Math.min(n, a + size)]);
      } else {
        if (ints.reduce((p, q) => p + q, 0) !== n || ints.some((v) => v < 0))
          return ctx.error('call.bad-argument', `Expected part sizes that sum to ${n}, found [${ints.join(', ')}].`, span);
        let a = 0;
        for (const v of ints) bounds.push([a, (a += v)]);
      }
    } else if (sec.shape.length === 0) {
      const k = ints[0];
      if (k <= 0 || n % k !== 0) return ctx.error('call.bad-argument', `Expected a number of equal parts that divides ${n}, found ${k} (np.array_split allows unequal ones).`, span);
      for (let a = 0; a < n; a += n / k) bounds.push([a, a + n / k]);
    } else {
      let a = 0;
      for (const v of [...ints, n]) {
        const b = Math.max(a, v < 0 ? Math.max(0, v + n) : Math.min(v, n));
        bounds.push([a, b]);
        a = b;
      }
    }
    return pieces(ctx, x, ax.axis, bounds);
  },
});

defineBuiltin({
  name: 'array_split',
  group: 'shape',
  signature: 'array_split(x, n, axis=0)',
  doc: 'numpy: n parts along axis, the first size % n of them one longer; bound by unpacking.',
  derivative: 'each part gets its slice of the gradient',
  params: [X, { name: 'n', aliases: ['indices_or_sections'], kind: 'int' }, { name: 'axis', kind: 'axis', default: 0 }],
  call: MANY('array_split'),
  callMany: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const ax = splitAxis(ctx, x, args.values.axis, args.spans.axis);
    if (!ax) return undefined;
    const k = args.values.n as number;
    if (k <= 0) return ctx.error('call.bad-argument', `Expected a positive number of parts, found ${k}.`, args.spans.n);
    const bounds: [number, number][] = [];
    let a = 0;
    for (let i = 0; i < k; i++) {
      const len = Math.floor(ax.n / k) + (i < ax.n % k ? 1 : 0);
      bounds.push([a, (a += len)]);
    }
    return pieces(ctx, x, ax.axis, bounds);
  },
});

defineBuiltin({
  name: 'chunk',
  group: 'shape',
  signature: 'chunk(x, chunks, dim=0)',
  doc: 'torch.chunk: parts of ceil(size / chunks) along dim (the last may be smaller, and there may be fewer parts); bound by unpacking.',
  derivative: 'each part gets its slice of the gradient',
  params: [X, { name: 'chunks', kind: 'int' }, { name: 'dim', aliases: ['axis'], kind: 'axis', default: 0 }],
  call: MANY('chunk'),
  callMany: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const ax = splitAxis(ctx, x, args.values.dim, args.spans.dim);
    if (!ax) return undefined;
    const k = args.values.chunks as number;
    if (k <= 0) return ctx.error('call.bad-argument', `Expected a positive number of chunks, found ${k}.`, args.spans.chunks);
    const size = Math.ceil(ax.n / k);
    const bounds: [number, number][] = [];
    if (size === 0) bounds.push([0, 0]);
    for (let a = 0; a < ax.n; a += size) bounds.push([a, Math.min(ax.n, a + size)]);
    return pieces(ctx, x, ax.axis, bounds);
  },
});

defineBuiltin({
  name: 'unbind',
  group: 'shape',
  signature: 'unbind(x, dim=0)',
  doc: 'torch.unbind: the slices along dim, that axis removed; bound by unpacking (as `a, b = x` unpacks rows).',
  derivative: 'each slice gets its part of the gradient',
  params: [X, { name: 'dim', aliases: ['axis'], kind: 'axis', default: 0 }],
  call: MANY('unbind'),
  callMany: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const ax = splitAxis(ctx, x, args.values.dim, args.spans.dim);
    if (!ax) return undefined;
    const out: NodeId[] = [];
    for (let i = 0; i < ax.n; i++) {
      const items = [...Array.from({ length: ax.axis }, () => ({ kind: 'slice', start: null, stop: null, step: null })), { kind: 'int', index: i }];
      const n = ctx.apply('index', [x.node], { items: items as unknown as readonly number[] });
      if (n === undefined) return undefined;
      out.push(n);
    }
    return out;
  },
});

defineBuiltin({
  name: 'tile',
  group: 'shape',
  signature: 'tile(x, reps)',
  doc: 'numpy tile (torch: x.repeat): x repeated reps[k] times along axis k; fewer reps than axes apply to the last ones, more add leading axes.',
  derivative: 'the gradient of all the copies, summed',
  params: [X, { name: 'reps', aliases: ['dims', 'repeats'], kind: 'ints', rest: true }],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const s = shapeOf(ctx, x);
    const reps = args.values.reps as number[];
    if (reps.some((r) => r < 0)) return ctx.error('call.bad-argument', `Expected non-negative repetitions, found [${reps.join(', ')}].`, args.spans.reps);
    const rank = Math.max(s.length, reps.length);
    const xs = [...Array(rank - s.length).fill(1), ...s];
    const rs = [...Array(rank - reps.length).fill(1), ...reps];
    let node = x.node;
    if (xs.length !== s.length) {
      const r = ctx.apply('reshape', [node], { shape: xs });
      if (r === undefined) return undefined;
      node = r;
    }
    return ctx.apply('tile', [node], { reps: rs });
  },
});

defineBuiltin({
  name: 'flip',
  group: 'shape',
  signature: 'flip(x, axis=None)',
  doc: 'Reverses the order of elements along the given axes (all of them by default, numpy; torch.flip(x, dims) names them).',
  derivative: 'the gradient flipped back the same way',
  params: [X, { name: 'axis', aliases: ['dims'], kind: 'axis', default: null }],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const s = shapeOf(ctx, x);
    const a = args.values.axis;
    const axes = a === null ? s.map((_, k) => k) : Array.isArray(a) ? (a as number[]) : [a as number];
    for (const v of axes) if (normalizeAxis(v, s.length) === undefined) return ctx.error('shape.axis', `Expected an axis in [${-s.length}, ${s.length}), found ${v}.`, args.spans.axis);
    return ctx.apply('flip', [x.node], { axes: axes.slice() });
  },
});

defineBuiltin({
  name: 'pad',
  group: 'shape',
  signature: 'pad(x, pad, mode="constant", value=0)',
  doc:
    "Constant padding. F.pad / torch (and bare pad): pad = (left, right) for the last axis, then (left, right) for the one before, … (PyTorch's last-axis-first order; negative amounts crop). np.pad: pad_width per axis from the first, as N, (before, after) or ((b0, a0), (b1, a1), …), with constant_values=.",
  derivative: 'the gradient without the padded elements (they are constants)',
  params: [
    X,
    { name: 'pad', aliases: ['pad_width'], kind: 'tensor' },
    { name: 'mode', kind: 'string', default: 'constant' },
    { name: 'value', aliases: ['constant_values'], kind: 'number', default: 0 },
  ],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const s = shapeOf(ctx, x);
    if (args.values.mode !== 'constant') {
      return ctx.error('call.unsupported', `Expected mode 'constant', found '${String(args.values.mode)}' (other padding modes are not supported).`, args.spans.mode);
    }
    const p = ctx.value((args.values.pad as TensorArg).node);
    const v = Array.from(p.data);
    const span = args.spans.pad;
    if (v.some((q) => !Number.isInteger(q))) return ctx.error('type.expected-int', 'Expected integer padding amounts.', span);
    const pads = new Array<number>(2 * s.length).fill(0);
    if (ctx.library === 'numpy') {
      // numpy: first axis first; a scalar or one pair applies to every axis.
      if (p.shape.length === 0 || (p.shape.length === 1 && v.length === 1)) pads.fill(v[0]);
      else if (p.shape.length === 1 && v.length === 2) for (let k = 0; k < s.length; k++) [pads[2 * k], pads[2 * k + 1]] = v;
      else if (p.shape.length === 2 && p.shape[1] === 2 && (p.shape[0] === s.length || p.shape[0] === 1)) {
        for (let k = 0; k < s.length; k++) [pads[2 * k], pads[2 * k + 1]] = p.shape[0] === 1 ? v : [v[2 * k], v[2 * k + 1]];
      } else return ctx.error('call.bad-argument', `Expected pad_width as N, (before, after) or one pair per axis (${s.length}), found shape ${formatShape(p.shape)}.`, span);
      if (v.some((q) => q < 0)) return ctx.error('call.bad-argument', 'Expected non-negative pad widths (numpy).', span);
    } else {
      if (p.shape.length !== 1 || v.length % 2 !== 0 || v.length / 2 > s.length) {
        return ctx.error('call.bad-argument', `Expected an even number of padding amounts, at most two per axis (${2 * s.length}), found ${v.length}.`, span);
      }
      // PyTorch: the last axis first.
      for (let j = 0; j < v.length / 2; j++) {
        const k = s.length - 1 - j;
        pads[2 * k] = v[2 * j];
        pads[2 * k + 1] = v[2 * j + 1];
      }
    }
    return ctx.apply('pad', [x.node], { pads, value: args.values.value as number });
  },
});
