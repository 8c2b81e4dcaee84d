/** Shape-changing kernels: permute, reshape, basic indexing, concatenation, stacking. */
import { formatShape, numel, strides, tensor, type Shape, type Tensor } from './tensor';

/** The permuted tensor: out.shape[i] = x.shape[perm[i]]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]);
  const out = tensor(shape);
  const n = out.data.length;
  const nd = shape.length;
  if (nd <= 1 || perm.every((p, i) => p === i)) {
    out.data.set(x.data);
    return out;
  }
  const inStr = strides(x.shape);
  const st = perm.map((p) => inStr[p]);
  const xd = x.data;
  const od = out.data;
  if (nd === 2) {
    const [r, c] = shape;
    const s0 = st[0];
    const s1 = st[1];
    let o = 0;
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) od[o++] = xd[i * s0 + j * s1];
    return out;
  }
  const counter = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    od[k] = xd[cur];
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      cur += st[d];
      if (counter[d] < shape[d]) break;
      cur -= st[d] * counter[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function inversePermutation(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return inv;
}

/** Checks a permutation of 0..rank-1 (negative axes allowed); returns it normalised or an error message. */
export function normalizePerm(perm: readonly number[], rank: number): number[] | string {
  if (perm.length !== rank) return `Expected ${rank} axes for a tensor of rank ${rank}, found ${perm.length}.`;
  const out = perm.map((p) => (p < 0 ? p + rank : p));
  const seen = new Set<number>();
  for (let i = 0; i < out.length; i++) {
    if (!Number.isInteger(out[i]) || out[i] < 0 || out[i] >= rank) return `Expected an axis in [${-rank}, ${rank}), found ${perm[i]}.`;
    if (seen.has(out[i])) return `Expected each axis once, found axis ${perm[i]} twice.`;
    seen.add(out[i]);
  }
  return out;
}

/** Resolves one -1 in a target shape; returns the shape or an error message. */
export function resolveReshape(from: Shape, to: readonly number[]): number[] | string {
  const n = numel(from);
  let unknown = -1;
  let known = 1;
  for (let i = 0; i < to.length; i++) {
    const d = to[i];
    if (d === -1) {
      if (unknown >= 0) return `Expected at most one -1 in the new shape, found ${formatShape(to)}.`;
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      return `Expected non-negative integer sizes in the new shape, found ${formatShape(to)}.`;
    } else known *= d;
  }
  const out = to.slice();
  if (unknown >= 0) {
    if (known === 0 || n % known !== 0) {
      return `Expected a shape with ${n} elements, found ${formatShape(to)} for a tensor of shape ${formatShape(from)}.`;
    }
    out[unknown] = n / known;
  } else if (known !== n) {
    return `Expected a shape with ${n} elements, found ${formatShape(to)} (${known} elements) for a tensor of shape ${formatShape(from)}.`;
  }
  return out;
}

export type IndexItem =
  | { readonly kind: 'int'; readonly index: number }
  | { readonly kind: 'slice'; readonly start: number | null; readonly stop: number | null; readonly step: number | null };

/** Per input axis: the selected positions, and whether the axis stays in the output. */
export interface IndexPlan {
  readonly picks: readonly Int32Array[];
  readonly keep: readonly boolean[];
  readonly shape: number[];
}

/** numpy's slice.indices(n). */
/** numpy's (and Python's) slice.indices(n) as the positions it selects, or what is wrong with the slice. */
export function sliceIndices(n: number, start: number | null, stop: number | null, step: number | null): Int32Array | string {
  const s = step ?? 1;
  if (s === 0 || !Number.isInteger(s)) return `Expected a non-zero integer slice step, found ${s}.`;
  if ((start !== null && !Number.isInteger(start)) || (stop !== null && !Number.isInteger(stop))) {
    return `Expected integer slice bounds, found ${start ?? ''}:${stop ?? ''}.`;
  }
  let lo: number;
  let hi: number;
  if (s > 0) {
    lo = start === null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
    hi = stop === null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
  } else {
    lo = start === null ? n - 1 : start < 0 ? Math.max(-1, start + n) : Math.min(start, n - 1);
    hi = stop === null ? -1 : stop < 0 ? Math.max(-1, stop + n) : Math.min(stop, n - 1);
  }
  const out: number[] = [];
  if (s > 0) for (let i = lo; i < hi; i += s) out.push(i);
  else for (let i = lo; i > hi; i += s) out.push(i);
  return Int32Array.from(out);
}

/** Plans numpy basic indexing; an error message for an index out of range or too many indices. */
export function planIndex(shape: Shape, items: readonly IndexItem[]): IndexPlan | string {
  if (items.length > shape.length) {
    return `Expected at most ${shape.length} indices for a tensor of shape ${formatShape(shape)}, found ${items.length}.`;
  }
  const picks: Int32Array[] = [];
  const keep: boolean[] = [];
  const out: number[] = [];
  for (let ax = 0; ax < shape.length; ax++) {
    const n = shape[ax];
    const it = items[ax];
    if (it === undefined) {
      picks.push(Int32Array.from({ length: n }, (_, i) => i));
      keep.push(true);
      out.push(n);
    } else if (it.kind === 'int') {
      const i = it.index;
      if (!Number.isInteger(i) || i < -n || i >= n) {
        return `Expected an index in [${-n}, ${n}), found ${i} on axis ${ax} of ${formatShape(shape)}.`;
      }
      picks.push(Int32Array.of(i < 0 ? i + n : i));
      keep.push(false);
    } else {
      const p = sliceIndices(n, it.start, it.stop, it.step);
      if (typeof p === 'string') return p;
      picks.push(p);
      keep.push(true);
      out.push(p.length);
    }
  }
  return { picks, keep, shape: out };
}

/** Visits (output offset, input offset) pairs of an index plan in output order. */
function forEachPick(shape: Shape, plan: IndexPlan, f: (o: number, i: number) => void): void {
  const nd = shape.length;
  const st = strides(shape);
  const lens = plan.picks.map((p) => p.length);
  const total = numel(lens);
  if (total === 0) return;
  const counter = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let d = 0; d < nd; d++) cur += plan.picks[d][0] * st[d];
  for (let o = 0; o < total; o++) {
    f(o, cur);
    for (let d = nd - 1; d >= 0; d--) {
      const p = plan.picks[d];
      cur -= p[counter[d]] * st[d];
      counter[d]++;
      if (counter[d] < lens[d]) {
        cur += p[counter[d]] * st[d];
        break;
      }
      counter[d] = 0;
      cur += p[0] * st[d];
    }
  }
}

export function gather(x: Tensor, plan: IndexPlan): Tensor {
  const out = tensor(plan.shape);
  const od = out.data;
  const xd = x.data;
  forEachPick(x.shape, plan, (o, i) => (od[o] = xd[i]));
  return out;
}

/** Backward of `gather`: scatter-add g into a zero tensor of the input's shape. */
export function scatter(g: Tensor, shape: Shape, plan: IndexPlan): Tensor {
  const r = tensor(shape);
  const rd = r.data;
  const gd = g.data;
  forEachPick(shape, plan, (o, i) => (rd[i] += gd[o]));
  return r;
}

/** Concatenation along `axis` (shapes already checked). */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const out = tensor(shape);
  const outer = numel(shape.slice(0, axis));
  const rowOut = numel(shape.slice(axis));
  let col = 0;
  for (const x of xs) {
    const row = numel(x.shape.slice(axis));
    for (let o = 0; o < outer; o++) out.data.set(x.data.subarray(o * row, (o + 1) * row), o * rowOut + col);
    col += row;
  }
  return out;
}

/** The pieces of `g` that went to each input of a concatenation. */
export function split(g: Tensor, shapes: readonly Shape[], axis: number): Tensor[] {
  const outer = numel(g.shape.slice(0, axis));
  const rowOut = numel(g.shape.slice(axis));
  let col = 0;
  return shapes.map((s) => {
    const r = tensor(s);
    const row = numel(s.slice(axis));
    for (let o = 0; o < outer; o++) r.data.set(g.data.subarray(o * rowOut + col, o * rowOut + col + row), o * row);
    col += row;
    return r;
  });
}
