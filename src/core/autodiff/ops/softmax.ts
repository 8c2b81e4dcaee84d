/** `softmax` and `log_softmax` {axis}: max-subtracted, so logits like [1000, 0] stay finite. */
import { axisBlocks, normalizeAxis } from '../../tensor/reduce';
import { numel, tensor, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type Attrs } from '../op';
import { attrNumber, operand, shapeError } from './support';

/** Runs `f` on every line along `axis`: offsets base + j·inner for j < size. */
function forEachLine(shape: Shape, axis: number, f: (base: number, size: number, inner: number) => void): void {
  const { outer, size, inner } = axisBlocks(shape, axis);
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) f(o * size * inner + i, size, inner);
}

function axisOf(shape: Shape, attrs: Attrs): number {
  // A scalar is treated as a single-element line (torch allows dim -1/0 on a 0-d tensor).
  if (shape.length === 0) return 0;
  const a = normalizeAxis(attrNumber(attrs, 'axis', -1), shape.length);
  if (a === undefined) throw new Error('internal: bad softmax axis');
  return a;
}

function lineShape(shape: Shape): Shape {
  return shape.length === 0 ? [1] : shape;
}

/** log_softmax along `axis` (a ready-made kernel for the losses too). */
export function logSoftmax(x: Tensor, axis: number): Tensor {
  const out = tensor(x.shape);
  const xd = x.data;
  const od = out.data;
  forEachLine(lineShape(x.shape), axis, (b, n, s) => {
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, xd[b + j * s]);
    if (m === -Infinity || !Number.isFinite(m)) m = Number.isNaN(m) ? m : 0;
    let z = 0;
    for (let j = 0; j < n; j++) z += Math.exp(xd[b + j * s] - m);
    const lse = m + Math.log(z);
    for (let j = 0; j < n; j++) od[b + j * s] = xd[b + j * s] - lse;
  });
  return out;
}

export function softmax(x: Tensor, axis: number): Tensor {
  const out = tensor(x.shape);
  const xd = x.data;
  const od = out.data;
  forEachLine(lineShape(x.shape), axis, (b, n, s) => {
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, xd[b + j * s]);
    if (m === -Infinity) m = 0;
    let z = 0;
    for (let j = 0; j < n; j++) {
      const e = Math.exp(xd[b + j * s] - m);
      od[b + j * s] = e;
      z += e;
    }
    for (let j = 0; j < n; j++) od[b + j * s] /= z;
  });
  return out;
}

function inferAxis([s]: readonly Shape[], attrs: Attrs): Shape | ReturnType<typeof shapeError> {
  const rank = Math.max(1, s.length);
  const a = attrNumber(attrs, 'axis', -1);
  if (normalizeAxis(a, rank) === undefined) {
    return shapeError(`Expected an axis in [${-rank}, ${rank}), found ${a}.`, { code: 'shape.axis' });
  }
  return s;
}

defineOp({
  name: 'softmax',
  display: 'softmax',
  inferShape: inferAxis,
  forward: ([x], attrs) => softmax(x, axisOf(x.shape, attrs)),
  // ∂L/∂x = p ⊙ (g − Σ g·p) along the axis: the Jacobian diag(p) − ppᵀ applied to g.
  backward: (g, [x], p, attrs) => {
    const r = tensor(x.shape);
    const gd = g.data;
    const pd = p.data;
    forEachLine(lineShape(x.shape), axisOf(x.shape, attrs), (b, n, s) => {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += gd[b + j * s] * pd[b + j * s];
      for (let j = 0; j < n; j++) r.data[b + j * s] = pd[b + j * s] * (gd[b + j * s] - dot);
    });
    return [r];
  },
  rule: ([x]) => [`∂L/∂${operand(x)} = (diag(p) − ppᵀ) · ∂L/∂p = p ⊙ (∂L/∂p − Σ p ⊙ ∂L/∂p), p = softmax(${x})`],
  convention: 'computed as exp(x − max x) / Σ exp(x − max x), so large logits stay finite',
  cost: (shapes) => 3 * numel(shapes[0]),
});

defineOp({
  name: 'log_softmax',
  display: 'log_softmax',
  inferShape: inferAxis,
  forward: ([x], attrs) => logSoftmax(x, axisOf(x.shape, attrs)),
  // ∂L/∂x = g − softmax(x) · Σ g along the axis.
  backward: (g, [x], out, attrs) => {
    const r = tensor(x.shape);
    const gd = g.data;
    const od = out.data;
    forEachLine(lineShape(x.shape), axisOf(x.shape, attrs), (b, n, s) => {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += gd[b + j * s];
      for (let j = 0; j < n; j++) r.data[b + j * s] = gd[b + j * s] - Math.exp(od[b + j * s]) * sum;
    });
    return [r];
  },
  rule: ([x]) => [`∂L/∂${operand(x)} = ∂L/∂Y − softmax(${x}) · Σ ∂L/∂Y`],
  convention: 'computed as x − max x − log Σ exp(x − max x), so large logits stay finite',
  cost: (shapes) => 3 * numel(shapes[0]),
});
