/** Reductions over axes: sum, mean, max, min, with the index maps their backward passes need. */
import { broadcastIndex, numel, tensor, type Shape, type Tensor } from './tensor';

/** An axis in [-rank, rank) as a non-negative axis, or undefined when out of range. */
export function normalizeAxis(axis: number, rank: number): number | undefined {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) return undefined;
  return axis < 0 ? axis + rank : axis;
}

export type AxisSpec = number | readonly number[] | null | undefined;

/**
 * The axes to reduce, sorted and non-negative; all axes for null. Returns an error message
 * ("Expected an axis in [-2, 2), found 3.") for a bad or repeated axis.
 */
export function reductionAxes(axis: AxisSpec, rank: number): number[] | string {
  if (axis === null || axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const out: number[] = [];
  for (const a of list) {
    // numpy allows axis 0 / -1 on a scalar? No: it raises. We do the same.
    const n = normalizeAxis(a, rank);
    if (n === undefined) return `Expected an axis in [${-rank}, ${rank}), found ${a}.`;
    if (out.includes(n)) return `Expected distinct axes, found axis ${a} twice.`;
    out.push(n);
  }
  return out.sort((x, y) => x - y);
}

/** The reduced shape with the axes kept as 1. */
export function keepdimsShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  return keepdims ? keepdimsShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

/** For each input element, the offset of the output element it reduces into. */
export function reductionIndex(shape: Shape, axes: readonly number[]): Int32Array {
  return broadcastIndex(keepdimsShape(shape, axes), shape);
}

export function sumAxes(x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const out = tensor(reducedShape(x.shape, axes, keepdims));
  const od = out.data;
  const xd = x.data;
  if (axes.length === x.shape.length) {
    let s = 0;
    for (let i = 0; i < xd.length; i++) s += xd[i];
    if (od.length) od[0] = s;
    return out;
  }
  const idx = reductionIndex(x.shape, axes);
  for (let i = 0; i < xd.length; i++) od[idx[i]] += xd[i];
  return out;
}

export function countReduced(shape: Shape, axes: readonly number[]): number {
  let c = 1;
  for (const a of axes) c *= shape[a];
  return c;
}

export function meanAxes(x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const s = sumAxes(x, axes, keepdims);
  const c = countReduced(x.shape, axes);
  const d = s.data;
  for (let i = 0; i < d.length; i++) d[i] /= c;
  return s;
}

/** Largest (sign 1) or smallest (sign −1) element along the axes; NaN propagates as numpy does. */
export function extremumAxes(x: Tensor, axes: readonly number[], keepdims: boolean, sign: 1 | -1): Tensor {
  const out = tensor(reducedShape(x.shape, axes, keepdims));
  const od = out.data;
  od.fill(-Infinity * sign);
  const idx = reductionIndex(x.shape, axes);
  const xd = x.data;
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i];
    const o = idx[i];
    if (Number.isNaN(v) || (sign > 0 ? v > od[o] : v < od[o])) od[o] = v;
  }
  return out;
}

/**
 * Backward of amax/amin: the gradient is shared evenly among the tied extrema (torch.amax).
 * `out` is the forward result (any keepdims form: it has the reduced element count).
 */
export function extremumBackward(g: Tensor, x: Tensor, out: Tensor, axes: readonly number[]): Tensor {
  const idx = reductionIndex(x.shape, axes);
  const counts = new Float64Array(out.data.length);
  const xd = x.data;
  const od = out.data;
  for (let i = 0; i < xd.length; i++) if (xd[i] === od[idx[i]]) counts[idx[i]]++;
  const r = tensor(x.shape);
  const rd = r.data;
  const gd = g.data;
  for (let i = 0; i < xd.length; i++) {
    const o = idx[i];
    if (xd[i] === od[o]) rd[i] = gd[o] / counts[o];
  }
  return r;
}

/** Broadcast a reduced gradient back over the reduced axes (backward of sum), scaled. */
export function expandReduced(g: Tensor, shape: Shape, axes: readonly number[], scale = 1): Tensor {
  const r = tensor(shape);
  const rd = r.data;
  const gd = g.data;
  if (gd.length === 1) {
    rd.fill(gd[0] * scale);
    return r;
  }
  const idx = reductionIndex(shape, axes);
  for (let i = 0; i < rd.length; i++) rd[i] = gd[idx[i]] * scale;
  return r;
}

/** Split a shape at `axis` into (outer, size, inner) for kernels that run along one axis. */
export function axisBlocks(shape: Shape, axis: number): { outer: number; size: number; inner: number } {
  return { outer: numel(shape.slice(0, axis)), size: shape[axis], inner: numel(shape.slice(axis + 1)) };
}
