/** Indexing functions: `gather(x, dim, index)` (PyTorch) and `take_along_axis(x, indices, axis)` (numpy). */
import { normalizeAxis } from '../tensor/reduce';
import { broadcastShapes, formatShape, sameShape } from '../tensor/tensor';
import { defineBuiltin, type CallContext, type NodeId, type TensorArg } from './types';

/** Checks that every element of an index is an integer in range; negative ones count from the end when allowed. */
export function checkIndices(ctx: CallContext, index: TensorArg, n: number, negative: boolean, what: string): boolean {
  const v = ctx.value(index.node).data;
  for (let k = 0; k < v.length; k++) {
    const i = v[k];
    const lo = negative ? -n : 0;
    if (!Number.isInteger(i) || i < lo || i >= n) {
      ctx.error('index.out-of-range', Number.isInteger(i) ? `Expected ${what} in [${lo}, ${n}), found ${i}.` : `Expected integer ${what}, found ${i}.`, index.span);
      return false;
    }
  }
  return true;
}

defineBuiltin({
  name: 'gather',
  group: 'shape',
  signature: 'gather(x, dim, index)',
  doc: 'out[…, i, …] = x[…, index[…, i, …], …] along dim (torch.gather): index has the rank of x, is no larger off dim, and gives the result its shape.',
  derivative: '∂L/∂x: ∂L/∂out added back at the gathered positions (scatter-add; repeated positions accumulate); index gets none',
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'dim', aliases: ['axis'], kind: 'int' },
    { name: 'index', kind: 'tensor' },
  ],
  call: (args, ctx) => {
    const x = args.values.x as TensorArg;
    const index = args.values.index as TensorArg;
    const shape = ctx.shape(x.node);
    const dim = normalizeAxis(args.values.dim as number, Math.max(1, shape.length));
    if (dim === undefined) return ctx.error('shape.axis', `Expected an axis in [${-shape.length}, ${shape.length}), found ${String(args.values.dim)}.`, args.spans.dim);
    const ishape = ctx.shape(index.node);
    if (ishape.length !== shape.length) {
      return ctx.error('shape.mismatch', `Expected an index of the same rank as the input (${shape.length}), found shape ${formatShape(ishape)} for ${formatShape(shape)}.`, index.span);
    }
    // torch.gather takes no negative indices.
    if (!checkIndices(ctx, index, shape[dim], false, `indices for axis ${dim} of ${formatShape(shape)}`)) return undefined;
    return ctx.apply('gather', [x.node, index.node], { dim });
  },
});

defineBuiltin({
  name: 'take_along_axis',
  group: 'shape',
  signature: 'take_along_axis(x, indices, axis)',
  doc: "numpy's take_along_axis: picks along axis the positions indices gives (negative ones count from the end); the other axes broadcast; axis=None reads x flattened.",
  derivative: '∂L/∂x: ∂L/∂out added back at the positions taken (repeated positions accumulate); indices get none',
  params: [
    { name: 'x', aliases: ['arr', 'input'], kind: 'tensor' },
    { name: 'indices', aliases: ['index'], kind: 'tensor' },
    { name: 'axis', aliases: ['dim'], kind: 'axis' },
  ],
  call: (args, ctx) => {
    const x0 = args.values.x as TensorArg;
    let x: NodeId = x0.node;
    const index = args.values.indices as TensorArg;
    let idx: NodeId = index.node;
    let shape = ctx.shape(x);
    const ax = args.values.axis;
    if (Array.isArray(ax)) return ctx.error('call.bad-argument', 'Expected one axis or None, found a list.', args.spans.axis);
    if (ax === null) {
      const flat = ctx.apply('reshape', [x], { shape: [-1] });
      if (flat === undefined) return undefined;
      x = flat;
      shape = ctx.shape(x);
    }
    const ishape = ctx.shape(idx);
    if (ishape.length !== shape.length) {
      return ctx.error('shape.mismatch', `Expected indices of the same rank as the input (${shape.length}), found shape ${formatShape(ishape)} for ${formatShape(shape)}.`, index.span);
    }
    const axis = normalizeAxis(ax === null ? 0 : (ax as number), shape.length);
    if (axis === undefined) return ctx.error('shape.axis', `Expected an axis in [${-shape.length}, ${shape.length}), found ${String(ax)}.`, args.spans.axis);
    if (!checkIndices(ctx, index, shape[axis], true, `indices for axis ${axis} of ${formatShape(shape)}`)) return undefined;
    // The other axes broadcast (numpy): x keeps its size on `axis`, the indices theirs.
    const xs = shape.map((d, k) => (k === axis ? 1 : d));
    const is = ishape.map((d, k) => (k === axis ? 1 : d));
    const b = broadcastShapes(xs, is);
    if (!b) return ctx.error('shape.mismatch', `Expected indices whose shape broadcasts with the input off axis ${axis}, found ${formatShape(ishape)} for ${formatShape(shape)}.`, index.span);
    const xTarget = b.map((d, k) => (k === axis ? shape[k] : d));
    const iTarget = b.map((d, k) => (k === axis ? ishape[k] : d));
    if (!sameShape(xTarget, shape)) {
      const e = ctx.apply('broadcast_to', [x], { shape: xTarget });
      if (e === undefined) return undefined;
      x = e;
    }
    if (!sameShape(iTarget, ishape)) {
      const e = ctx.apply('broadcast_to', [idx], { shape: iTarget });
      if (e === undefined) return undefined;
      idx = e;
    }
    return ctx.apply('gather', [x, idx], { dim: axis });
  },
});
