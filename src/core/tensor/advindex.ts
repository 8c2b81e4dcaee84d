/**
 * numpy's full indexing: integers, slices, `None` (newaxis) and integer arrays ("advanced
 * indexing"), as `x[idx]`, `x[rows, cols]`, `x[arange(N), y]`, `x[:, None]`, `x[0, :, [1, 2]]`.
 *
 * The rules (numpy's "Indexing on ndarrays"): when any array is present, integers count as
 * 0-d arrays; all advanced indices broadcast together to one shape B; B's axes replace the
 * advanced indices in the result where those are adjacent, else they go first (`x[0, :, [1, 2]]`
 * has shape [2, n1]). The plan maps each output element to its source offset, so the forward is
 * a gather and the backward a scatter-add (repeated indices accumulate).
 */
import { sliceIndices } from './layout';
import { broadcastIndex, broadcastShapes, formatShape, numel, strides, tensor, type Shape, type Tensor } from './tensor';

export type AdvItem =
  | { readonly kind: 'int'; readonly index: number }
  | { readonly kind: 'slice'; readonly start: number | null; readonly stop: number | null; readonly step: number | null }
  | { readonly kind: 'none' }
  /** An integer array: inputs[input] of the op (input 0 is the indexed tensor). */
  | { readonly kind: 'array'; readonly input: number };

type Dim =
  | { readonly t: 'pick'; readonly axis: number; readonly picks: ArrayLike<number> }
  | { readonly t: 'unit' }
  | { readonly t: 'adv'; readonly k: number };

interface Layout {
  readonly shape: number[];
  readonly dims: Dim[];
  /** Offset contributed by plain integers (no array present). */
  readonly base: number;
  /** The advanced items: axis and array shape (integers: shape [] and their value). */
  readonly adv: { readonly axis: number; readonly shape: Shape; readonly input?: number; readonly index?: number }[];
  readonly advShape: number[];
}

/** The result's layout from the shapes alone; an error message when the index does not fit. */
function layout(xShape: Shape, items: readonly AdvItem[], arrayShape: (input: number) => Shape): Layout | string {
  const consuming = items.filter((it) => it.kind !== 'none').length;
  if (consuming > xShape.length) {
    return `Expected at most ${xShape.length} indices for a tensor of shape ${formatShape(xShape)}, found ${consuming}.`;
  }
  const full: AdvItem[] = items.slice();
  for (let k = consuming; k < xShape.length; k++) full.push({ kind: 'slice', start: null, stop: null, step: null });
  const hasArray = full.some((it) => it.kind === 'array');
  const st = strides(xShape);
  const adv: { axis: number; shape: Shape; input?: number; index?: number }[] = [];
  const advItems: number[] = [];
  const dims: Dim[] = [];
  let base = 0;
  let axis = 0;
  let advPlaced = false;
  for (let k = 0; k < full.length; k++) {
    const it = full[k];
    if (it.kind === 'none') {
      dims.push({ t: 'unit' });
      continue;
    }
    const n = xShape[axis];
    if (it.kind === 'slice') {
      const picks = sliceIndices(n, it.start, it.stop, it.step);
      if (typeof picks === 'string') return picks;
      dims.push({ t: 'pick', axis, picks });
    } else if (it.kind === 'int' && !hasArray) {
      if (!Number.isInteger(it.index) || it.index < -n || it.index >= n) {
        return `Expected an index in [${-n}, ${n}), found ${it.index} on axis ${axis} of ${formatShape(xShape)}.`;
      }
      base += (it.index < 0 ? it.index + n : it.index) * st[axis];
    } else {
      if (it.kind === 'int') {
        if (!Number.isInteger(it.index) || it.index < -n || it.index >= n) {
          return `Expected an index in [${-n}, ${n}), found ${it.index} on axis ${axis} of ${formatShape(xShape)}.`;
        }
        adv.push({ axis, shape: [], index: it.index < 0 ? it.index + n : it.index });
      } else adv.push({ axis, shape: arrayShape(it.input), input: it.input });
      advItems.push(k);
      if (!advPlaced) {
        dims.push({ t: 'adv', k: 0 });
        advPlaced = true;
      }
    }
    axis++;
  }
  let advShape: number[] = [];
  for (const a of adv) {
    const b = broadcastShapes(advShape, a.shape);
    if (!b) {
      return `Expected index arrays that broadcast together, found shapes ${adv.map((x) => formatShape(x.shape)).join(' and ')}.`;
    }
    advShape = b;
  }
  // Advanced indices separated by a slice or None: their axes go first (numpy's rule).
  const adjacent = advItems.every((k, j) => j === 0 || k === advItems[j - 1] + 1);
  if (advPlaced && !adjacent) {
    const at = dims.findIndex((d) => d.t === 'adv');
    dims.splice(at, 1);
    dims.unshift({ t: 'adv', k: 0 });
  }
  const shape: number[] = [];
  for (const d of dims) {
    if (d.t === 'pick') shape.push(d.picks.length);
    else if (d.t === 'unit') shape.push(1);
    else shape.push(...advShape);
  }
  return { shape, dims, base, adv, advShape };
}

/** The result's shape, or an error message (index out of range, arrays that do not broadcast). */
export function advIndexShape(xShape: Shape, items: readonly AdvItem[], arrayShapes: readonly Shape[]): number[] | string {
  const l = layout(xShape, items, (i) => arrayShapes[i]);
  return typeof l === 'string' ? l : l.shape;
}

export interface AdvPlan {
  readonly shape: number[];
  /** Source offset in x of each output element, in output order. */
  readonly src: Int32Array;
}

/** The plan with the arrays' values: an error message for an array element out of range or not an integer. */
export function planAdvIndex(xShape: Shape, items: readonly AdvItem[], inputs: readonly Tensor[]): AdvPlan | string {
  const l = layout(xShape, items, (i) => inputs[i].shape);
  if (typeof l === 'string') return l;
  const st = strides(xShape);
  // Offsets of the advanced part, per element of the broadcast index shape.
  const nb = numel(l.advShape);
  const advOff = new Int32Array(nb);
  for (const a of l.adv) {
    if (a.input === undefined) {
      const c = a.index! * st[a.axis];
      for (let b = 0; b < nb; b++) advOff[b] += c;
      continue;
    }
    const arr = inputs[a.input];
    const n = xShape[a.axis];
    const bi = broadcastIndex(arr.shape, l.advShape);
    for (let b = 0; b < nb; b++) {
      const v = arr.data[bi[b]];
      if (!Number.isInteger(v) || v < -n || v >= n) {
        return Number.isInteger(v)
          ? `Expected indices in [${-n}, ${n}) for axis ${a.axis} of ${formatShape(xShape)}, found ${v}.`
          : `Expected integer indices, found ${v}.`;
      }
      advOff[b] += (v < 0 ? v + n : v) * st[a.axis];
    }
  }
  const total = numel(l.shape);
  const src = new Int32Array(total);
  if (total === 0) return { shape: l.shape, src };
  // Odometer over the output's axes; each output axis adds its own part of the offset.
  const nd = l.shape.length;
  const contrib: ((j: number) => number)[] = [];
  const advStr = strides(l.advShape);
  let advAxis0 = -1;
  for (const d of l.dims) {
    if (d.t === 'pick') {
      const s = st[d.axis];
      const p = d.picks;
      contrib.push((j) => p[j] * s);
    } else if (d.t === 'unit') contrib.push(() => 0);
    else {
      advAxis0 = contrib.length;
      for (let q = 0; q < l.advShape.length; q++) {
        const s = advStr[q];
        contrib.push((j) => j * s); // a position in the flat index of advShape
      }
    }
  }
  const counter = new Array<number>(nd).fill(0);
  const advEnd = advAxis0 + l.advShape.length;
  for (let o = 0; o < total; o++) {
    let off = l.base;
    let bflat = 0;
    for (let d = 0; d < nd; d++) {
      const v = contrib[d](counter[d]);
      if (d >= advAxis0 && d < advEnd && advAxis0 >= 0) bflat += v;
      else off += v;
    }
    if (advAxis0 >= 0) off += advOff[bflat];
    src[o] = off;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      if (counter[d] < l.shape[d]) break;
      counter[d] = 0;
    }
  }
  return { shape: l.shape, src };
}

export function gatherOffsets(x: Tensor, shape: Shape, src: Int32Array): Tensor {
  const out = tensor(shape);
  const od = out.data;
  const xd = x.data;
  for (let o = 0; o < src.length; o++) od[o] = xd[src[o]];
  return out;
}

/** The backward of a gather: g added at its source offsets (repeated offsets accumulate). */
export function scatterAddOffsets(g: Tensor, shape: Shape, src: Int32Array): Tensor {
  const r = tensor(shape);
  const rd = r.data;
  const gd = g.data;
  for (let o = 0; o < src.length; o++) rd[src[o]] += gd[o];
  return r;
}
