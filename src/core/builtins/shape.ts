/** Shape built-ins: `transpose`, `permute`, `reshape`, `flatten`, `shape`, `numel`. */
import { normalizeAxis } from '../tensor/reduce';
import { tensor } from '../tensor/tensor';
import { defineBuiltin, type ParamSpec, type TensorArg } from './types';

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
