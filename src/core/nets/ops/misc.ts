/**
 * `embedding(indices, W)` {paddingIdx}: rows of W [num, dim] at integer indices (not
 * differentiated); the padding row gets no gradient.
 * `dropout(x, mask)`: x ⊙ mask, the mask already scaled by 1/(1 − p) (drawn by the runner).
 * `flatten(x)` {start, end}: merges axes start..end (PyTorch's flatten, start_dim=1 for the layer).
 */
import { defineOp, type ShapeError } from '../../autodiff/op';
import { formatShape, sameShape, tensor, type Shape } from '../../tensor/tensor';

defineOp({
  name: 'embedding',
  display: 'Embedding',
  inferShape([idx, w]): Shape | ShapeError {
    if (w.length !== 2) return { error: `Expected a weight of rank 2, found ${formatShape(w)}.`, input: 1 };
    return [...idx, w[1]];
  },
  forward([idx, w]) {
    const D = w.shape[1];
    const y = tensor([...idx.shape, D]);
    for (let i = 0; i < idx.data.length; i++) y.data.set(w.data.subarray(idx.data[i] * D, idx.data[i] * D + D), i * D);
    return y;
  },
  backward(g, [idx, w], _y, attrs) {
    const D = w.shape[1];
    const gw = tensor(w.shape);
    const pad = typeof attrs.paddingIdx === 'number' ? attrs.paddingIdx : -1;
    // scale_grad_by_freq: each row's gradient divided by how often its index occurs in the batch (PyTorch).
    let count: Float64Array | undefined;
    if (attrs.scaleGradByFreq === true) {
      count = new Float64Array(w.shape[0]);
      for (let i = 0; i < idx.data.length; i++) count[idx.data[i]]++;
    }
    for (let i = 0; i < idx.data.length; i++) {
      const r = idx.data[i];
      if (r === pad) continue;
      const c = count ? count[r] : 1;
      for (let k = 0; k < D; k++) gw.data[r * D + k] += g.data[i * D + k] / c;
    }
    return [null, gw];
  },
  nondiff: [0],
  rule: ([i, w], attrs) => [
    `${i}: indices, not differentiated`,
    attrs.scaleGradByFreq === true
      ? `∂L/∂${w}[${i}[k]] += ∂L/∂Y[k] / count(${i}[k]) (scatter-add, each row divided by its index's count in the batch: scale_grad_by_freq)`
      : `∂L/∂${w}[${i}[k]] += ∂L/∂Y[k] (scatter-add into the selected rows)`,
  ],
  cost: (_s, out) => out.reduce((a, b) => a * b, 1),
});

defineOp({
  name: 'dropout',
  display: 'Dropout',
  inferShape: ([x, m]): Shape | ShapeError =>
    sameShape(x, m) ? x : { error: `Expected a mask of shape ${formatShape(x)}, found ${formatShape(m)}.`, input: 1 },
  forward([x, m]) {
    const y = tensor(x.shape);
    for (let i = 0; i < y.data.length; i++) y.data[i] = x.data[i] * m.data[i];
    return y;
  },
  backward(g, [x, m]) {
    const gx = tensor(x.shape);
    for (let i = 0; i < gx.data.length; i++) gx.data[i] = g.data[i] * m.data[i];
    return [gx, null];
  },
  nondiff: [1],
  rule: ([x, m]) => [`∂L/∂${x} = ∂L/∂y ⊙ ${m} (the mask, 0 or 1/(1 − p))`, 'mask: not differentiated'],
  cost: (_s, out) => out.reduce((a, b) => a * b, 1),
});

/** PyTorch's flatten(start_dim, end_dim) shape; a string on a bad axis. */
export function flattenShape<T>(x: readonly T[], start: number, end: number, mul: (a: T, b: T) => T, one: T): T[] | string {
  const r = x.length;
  if (r === 0) return [one];
  const s = start < 0 ? start + r : start;
  const e = end < 0 ? end + r : end;
  if (s < 0 || s >= r || e < 0 || e >= r) return `Expected start_dim and end_dim in [−${r}, ${r - 1}] for an input of rank ${r}, found ${start} and ${end}.`;
  if (s > e) return `start_dim ${start} comes after end_dim ${end}.`;
  let m = one;
  for (let i = s; i <= e; i++) m = mul(m, x[i]);
  return [...x.slice(0, s), m, ...x.slice(e + 1)];
}

defineOp({
  name: 'flatten',
  display: 'Flatten',
  inferShape(shapes, attrs): Shape | ShapeError {
    const r = flattenShape(shapes[0], typeof attrs.start === 'number' ? attrs.start : 1, typeof attrs.end === 'number' ? attrs.end : -1, (a, b) => a * b, 1);
    return typeof r === 'string' ? { error: r, input: 0 } : r;
  },
  forward([x], attrs) {
    const r = flattenShape(x.shape, typeof attrs.start === 'number' ? attrs.start : 1, typeof attrs.end === 'number' ? attrs.end : -1, (a, b) => a * b, 1) as number[];
    return tensor(r, x.data.slice());
  },
  backward: (g, [x]) => [tensor(x.shape, g.data.slice())],
  rule: ([x]) => [`∂L/∂${x} = ∂L/∂y reshaped to ${x}'s shape`],
  // A copy of the input (forward) and of the gradient (backward).
  cost: (_s, out) => out.reduce((a, b) => a * b, 1),
});
