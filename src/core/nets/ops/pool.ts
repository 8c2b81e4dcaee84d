/**
 * Pooling as PyTorch computes it. attrs: kernel, stride (default = kernel), padding,
 * dilation (max only), ceilMode, countIncludePad (avg, default true), divisor (avg,
 * divisor_override). 1-d ops run the 2-d kernels with a height of 1.
 *   max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool2d {output: [OH, OW]}
 */
import { defineOp, type Attrs, type ShapeError } from '../../autodiff/op';
import { formatShape, numel, tensor, type Shape } from '../../tensor/tensor';

interface PoolGeom {
  P: number; // N·C planes
  H: number;
  W: number;
  KH: number;
  KW: number;
  SH: number;
  SW: number;
  PH: number;
  PW: number;
  DH: number;
  DW: number;
  OH: number;
  OW: number;
}

function list(a: unknown, n: number): number[] | undefined {
  if (Array.isArray(a)) return a.map(Number);
  if (typeof a === 'number') return new Array<number>(n).fill(a);
  return undefined;
}

/** PyTorch's pooling_output_shape: floor or ceil((L + 2p − d(k − 1) − 1)/s) + 1, with the last window starting inside the input or left padding. */
export function poolOut(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const num = L + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  let out = Math.floor(num / s) + 1;
  if (ceil && (out - 1) * s >= L + p) out--;
  return out;
}

/** Work of a pooling window pass: every output element reads its window (and the input is read). */
function poolCost(x: Shape, out: Shape, attrs: Attrs, nd: 1 | 2): number {
  let area = 1;
  for (const k of list(attrs.kernel, nd) ?? [1]) area *= k;
  return numel(x) + numel(out) * area;
}

function geom(x: Shape, attrs: Attrs, nd: 1 | 2): PoolGeom | string {
  if (x.length !== nd + 1 && x.length !== nd + 2)
    return `Expected an input of rank ${nd + 1} or ${nd + 2}, found ${formatShape(x)}.`;
  const k = list(attrs.kernel, nd) ?? [1, 1];
  const s = list(attrs.stride, nd) ?? k;
  const p = list(attrs.padding, nd) ?? new Array<number>(nd).fill(0);
  const d = list(attrs.dilation, nd) ?? new Array<number>(nd).fill(1);
  const ceil = attrs.ceilMode === true;
  const r = x.length;
  const H = nd === 2 ? x[r - 2] : 1;
  const W = x[r - 1];
  let P = 1;
  for (let i = 0; i < r - nd; i++) P *= x[i];
  const two = nd === 2;
  const g: PoolGeom = {
    P,
    H,
    W,
    KH: two ? k[0] : 1,
    KW: k[nd - 1],
    SH: two ? s[0] : 1,
    SW: s[nd - 1],
    PH: two ? p[0] : 0,
    PW: p[nd - 1],
    DH: two ? d[0] : 1,
    DW: d[nd - 1],
    OH: 0,
    OW: 0,
  };
  for (let i = 0; i < nd; i++) if (p[i] * 2 > k[i]) return `Padding should be at most half of the kernel size, found padding ${p[i]} with kernel ${k[i]}.`;
  g.OH = two ? poolOut(H, g.KH, g.SH, g.PH, g.DH, ceil) : 1;
  g.OW = poolOut(W, g.KW, g.SW, g.PW, g.DW, ceil);
  if (g.OH < 1 || g.OW < 1) return `The kernel is larger than the padded input ${formatShape(x)}.`;
  return g;
}

function outShape(x: Shape, g: PoolGeom, nd: 1 | 2): number[] {
  return nd === 2 ? [...x.slice(0, -2), g.OH, g.OW] : [...x.slice(0, -1), g.OW];
}

/** For each output element, the flat input index of the (first) maximum, or −1. */
function maxIndices(x: Float64Array, g: PoolGeom): Int32Array {
  const { P, H, W, KH, KW, SH, SW, PH, PW, DH, DW, OH, OW } = g;
  const idx = new Int32Array(P * OH * OW);
  let o = 0;
  for (let p = 0; p < P; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity;
        let bi = -1;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * SH - PH + kh * DH;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * SW - PW + kw * DW;
            if (iw < 0 || iw >= W) continue;
            const v = x[base + ih * W + iw];
            if (v > best || Number.isNaN(v) || bi < 0) {
              best = v;
              bi = base + ih * W + iw;
              if (Number.isNaN(v)) break;
            }
          }
        }
        idx[o++] = bi;
      }
  }
  return idx;
}

function inferPoolShape(x: Shape, attrs: Attrs, nd: 1 | 2): Shape | ShapeError {
  const g = geom(x, attrs, nd);
  return typeof g === 'string' ? { error: g, input: 0 } : outShape(x, g, nd);
}

function defineMaxPool(name: string, display: string, nd: 1 | 2): void {
  defineOp({
    name,
    display,
    inferShape: (shapes, attrs) => inferPoolShape(shapes[0], attrs, nd),
    forward([x], attrs) {
      const g = geom(x.shape, attrs, nd) as PoolGeom;
      const y = tensor(outShape(x.shape, g, nd));
      const idx = maxIndices(x.data, g);
      for (let i = 0; i < idx.length; i++) y.data[i] = idx[i] < 0 ? -Infinity : x.data[idx[i]];
      return y;
    },
    backward(gy, [x], _y, attrs) {
      const g = geom(x.shape, attrs, nd) as PoolGeom;
      const gx = tensor(x.shape);
      const idx = maxIndices(x.data, g);
      for (let i = 0; i < idx.length; i++) if (idx[i] >= 0) gx.data[idx[i]] += gy.data[i];
      return [gx];
    },
    rule: ([x]) => [`∂L/∂${x} = ∂L/∂Y routed to the maximum of each window (the first on a tie)`],
    kinks: ([x], attrs) => {
      const g = geom(x.shape, attrs, nd);
      return typeof g === 'string' ? [] : maxIndices(x.data, g);
    },
    convention: 'A tie sends the gradient to the first maximum of the window (as PyTorch).',
    cost: (shapes, out, attrs) => poolCost(shapes[0], out, attrs, nd),
  });
}

/** Calls fn(outIndex, plane base, h0, h1, w0, w1, divisor) for each output element of an average pool. */
function avgWindows(g: PoolGeom, attrs: Attrs, fn: (o: number, base: number, h0: number, h1: number, w0: number, w1: number, div: number) => void): void {
  const { P, H, W, KH, KW, SH, SW, PH, PW, OH, OW } = g;
  const includePad = attrs.countIncludePad !== false;
  const divisor = typeof attrs.divisor === 'number' ? attrs.divisor : 0;
  let o = 0;
  for (let p = 0; p < P; p++) {
    const base = p * H * W;
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++) {
        let h0 = oh * SH - PH;
        let w0 = ow * SW - PW;
        let h1 = Math.min(h0 + KH, H + PH);
        let w1 = Math.min(w0 + KW, W + PW);
        const poolSize = (h1 - h0) * (w1 - w0);
        h0 = Math.max(h0, 0);
        w0 = Math.max(w0, 0);
        h1 = Math.min(h1, H);
        w1 = Math.min(w1, W);
        const div = divisor !== 0 ? divisor : includePad ? poolSize : (h1 - h0) * (w1 - w0);
        fn(o++, base, h0, h1, w0, w1, div);
      }
  }
}

function defineAvgPool(name: string, display: string, nd: 1 | 2): void {
  defineOp({
    name,
    display,
    inferShape: (shapes, attrs) => inferPoolShape(shapes[0], attrs, nd),
    forward([x], attrs) {
      const g = geom(x.shape, attrs, nd) as PoolGeom;
      const y = tensor(outShape(x.shape, g, nd));
      const W = g.W;
      avgWindows(g, attrs, (o, base, h0, h1, w0, w1, div) => {
        let s = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x.data[base + h * W + w];
        y.data[o] = s / div;
      });
      return y;
    },
    backward(gy, [x], _y, attrs) {
      const g = geom(x.shape, attrs, nd) as PoolGeom;
      const gx = tensor(x.shape);
      const W = g.W;
      avgWindows(g, attrs, (o, base, h0, h1, w0, w1, div) => {
        const v = gy.data[o] / div;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) gx.data[base + h * W + w] += v;
      });
      return [gx];
    },
    rule: ([x]) => [`∂L/∂${x} = ∂L/∂Y spread evenly over each window (÷ window size)`],
    cost: (shapes, out, attrs) => poolCost(shapes[0], out, attrs, nd),
  });
}

defineMaxPool('max_pool2d', 'MaxPool2d', 2);
defineMaxPool('max_pool1d', 'MaxPool1d', 1);
defineAvgPool('avg_pool2d', 'AvgPool2d', 2);
defineAvgPool('avg_pool1d', 'AvgPool1d', 1);

/** Adaptive window i of n over length L: [floor(i·L/n), ceil((i + 1)·L/n)). */
function adaptiveRange(i: number, n: number, L: number): [number, number] {
  return [Math.floor((i * L) / n), Math.ceil(((i + 1) * L) / n)];
}

function adaptiveOut(x: Shape, attrs: Attrs): number[] | string {
  if (x.length !== 3 && x.length !== 4) return `Expected an input of rank 3 or 4, found ${formatShape(x)}.`;
  const H = x[x.length - 2];
  const W = x[x.length - 1];
  // `None` in the output size (AdaptiveAvgPool2d((None, 7))) keeps that input size.
  const o = attrs.output;
  if (Array.isArray(o)) return [...x.slice(0, -2), o[0] === null || o[0] === undefined ? H : Number(o[0]), o[1] === null || o[1] === undefined ? W : Number(o[1])];
  return [...x.slice(0, -2), ...(list(o, 2) ?? [1, 1])];
}

defineOp({
  name: 'adaptive_avg_pool2d',
  display: 'AdaptiveAvgPool2d',
  inferShape(shapes, attrs): Shape | ShapeError {
    const s = adaptiveOut(shapes[0], attrs);
    return typeof s === 'string' ? { error: s, input: 0 } : s;
  },
  forward([x], attrs) {
    const os = adaptiveOut(x.shape, attrs) as number[];
    const y = tensor(os);
    adaptiveLoop(x.shape, os, (o, idxs) => {
      let s = 0;
      for (const i of idxs) s += x.data[i];
      y.data[o] = s / idxs.length;
    });
    return y;
  },
  backward(gy, [x], _y, attrs) {
    const os = adaptiveOut(x.shape, attrs) as number[];
    const gx = tensor(x.shape);
    adaptiveLoop(x.shape, os, (o, idxs) => {
      const v = gy.data[o] / idxs.length;
      for (const i of idxs) gx.data[i] += v;
    });
    return [gx];
  },
  rule: ([x]) => [`∂L/∂${x} = ∂L/∂Y spread evenly over each adaptive window`],
  cost: (shapes) => shapes[0].reduce((a, b) => a * b, 1),
});

function adaptiveLoop(x: Shape, os: readonly number[], fn: (o: number, idxs: number[]) => void): void {
  const H = x[x.length - 2];
  const W = x[x.length - 1];
  const OH = os[os.length - 2];
  const OW = os[os.length - 1];
  let P = 1;
  for (let i = 0; i < x.length - 2; i++) P *= x[i];
  let o = 0;
  for (let p = 0; p < P; p++)
    for (let oh = 0; oh < OH; oh++) {
      const [h0, h1] = adaptiveRange(oh, OH, H);
      for (let ow = 0; ow < OW; ow++) {
        const [w0, w1] = adaptiveRange(ow, OW, W);
        const idxs: number[] = [];
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) idxs.push(p * H * W + h * W + w);
        fn(o++, idxs);
      }
    }
}
