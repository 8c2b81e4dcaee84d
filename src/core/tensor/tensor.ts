/**
 * Float64 tensors: a shape and row-major data. Plain objects (no methods) so an analysis can
 * cross a worker boundary by structured clone.
 */
export type Shape = readonly number[];

export interface Tensor {
  readonly shape: Shape;
  readonly data: Float64Array;
}

/**
 * The elements as a plain array (for Analysis, which is plain data): a preallocated loop, several
 * times faster than Array.from on a typed array and without its growing copies.
 */
export function toNumbers(data: ArrayLike<number>): number[] {
  const n = data.length;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = data[i];
  return out;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function tensor(shape: Shape, data?: Float64Array | ArrayLike<number>): Tensor {
  const n = numel(shape);
  if (data === undefined) return { shape: shape.slice(), data: new Float64Array(n) };
  const d = data instanceof Float64Array ? data : Float64Array.from(data);
  if (d.length !== n) throw new Error(`internal: data length ${d.length} does not match shape [${shape.join(', ')}]`);
  return { shape: shape.slice(), data: d };
}

export function scalar(v: number): Tensor {
  const d = new Float64Array(1);
  d[0] = v;
  return { shape: [], data: d };
}

export function full(shape: Shape, v: number): Tensor {
  const t = tensor(shape);
  t.data.fill(v);
  return t;
}

export function isScalarShape(shape: Shape): boolean {
  return numel(shape) === 1 && shape.length === 0;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function strides(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** numpy broadcasting of two shapes; undefined when they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else return undefined;
  }
  return out;
}

/**
 * Index map from an output of shape `out` to a broadcast input of shape `inp`:
 * returns per-output-element input offsets. Used by element-wise kernels.
 */
export function broadcastIndex(inp: Shape, out: Shape): Int32Array {
  const n = numel(out);
  const idx = new Int32Array(n);
  const nd = out.length;
  const off = nd - inp.length;
  const inStrides = strides(inp);
  const bstr = new Array<number>(nd).fill(0);
  for (let i = 0; i < inp.length; i++) bstr[i + off] = inp[i] === 1 ? 0 : inStrides[i];
  const counter = new Array<number>(nd).fill(0);
  let cur = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = cur;
    for (let d = nd - 1; d >= 0; d--) {
      counter[d]++;
      cur += bstr[d];
      if (counter[d] < out[d]) break;
      cur -= bstr[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** Sum `g` (shape `out`) down to `inp` — the backward of broadcasting. */
export function unbroadcast(g: Tensor, inp: Shape): Tensor {
  if (sameShape(g.shape, inp)) return g;
  const r = tensor(inp);
  const idx = broadcastIndex(inp, g.shape);
  const gd = g.data;
  const rd = r.data;
  for (let k = 0; k < gd.length; k++) rd[idx[k]] += gd[k];
  return r;
}

/** Element-wise binary map with broadcasting. */
export function mapBinary(a: Tensor, b: Tensor, outShape: Shape, f: (x: number, y: number) => number): Tensor {
  const out = tensor(outShape);
  const od = out.data;
  const ad = a.data;
  const bd = b.data;
  const n = od.length;
  if (ad.length === n && bd.length === n) {
    for (let i = 0; i < n; i++) od[i] = f(ad[i], bd[i]);
  } else if (ad.length === n && bd.length === 1) {
    const y = bd[0];
    for (let i = 0; i < n; i++) od[i] = f(ad[i], y);
  } else if (ad.length === 1 && bd.length === n) {
    const x = ad[0];
    for (let i = 0; i < n; i++) od[i] = f(x, bd[i]);
  } else {
    const ia = broadcastIndex(a.shape, outShape);
    const ib = broadcastIndex(b.shape, outShape);
    for (let i = 0; i < n; i++) od[i] = f(ad[ia[i]], bd[ib[i]]);
  }
  return out;
}

export function mapUnary(a: Tensor, f: (x: number) => number): Tensor {
  const out = tensor(a.shape);
  const ad = a.data;
  const od = out.data;
  for (let i = 0; i < ad.length; i++) od[i] = f(ad[i]);
  return out;
}

export function allFinite(t: Tensor): boolean {
  const d = t.data;
  // x − x is 0 for a finite x and NaN for NaN and ±∞; NaN stays NaN in the sum. No branch per element.
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] - d[i];
  return s === 0;
}
