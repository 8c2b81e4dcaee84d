/**
 * `conv2d(x, W[, b])` and `conv1d(x, W[, b])` as PyTorch computes them (cross-correlation),
 * with stride, zero padding (before and after each spatial axis, so 'same' with an even
 * total works), dilation and groups. conv1d runs the 2-D kernel with a height of 1.
 *
 * attrs: stride [sh, sw], padding [ph, pw] (before), paddingEnd [ph', pw'] (after; defaults
 * to padding), dilation [dh, dw], groups. For conv1d each is a one-element list.
 */
import { defineOp, type Attrs, type ShapeError } from '../../autodiff/op';
import { formatShape, tensor, type Shape, type Tensor } from '../../tensor/tensor';

export interface Conv2dGeom {
  N: number;
  C: number;
  H: number;
  W: number;
  O: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  groups: number;
}

function list(a: unknown, n: number, def: number): number[] {
  if (Array.isArray(a)) return a.map(Number);
  if (typeof a === 'number') return new Array<number>(n).fill(a);
  return new Array<number>(n).fill(def);
}

/** Output length of one spatial axis: floor((L + p0 + p1 − d·(k − 1) − 1)/s) + 1. */
export function convOut(L: number, k: number, s: number, p0: number, p1: number, d: number): number {
  return Math.floor((L + p0 + p1 - d * (k - 1) - 1) / s) + 1;
}

function geom(x: Shape, w: Shape, attrs: Attrs, nd: 1 | 2): Conv2dGeom | string {
  if (x.length !== nd + 2) return `Expected an input of rank ${nd + 2} [N, C, ${nd === 2 ? 'H, W' : 'L'}], found ${formatShape(x)}.`;
  const stride = list(attrs.stride, nd, 1);
  const pad = list(attrs.padding, nd, 0);
  const padEnd = attrs.paddingEnd === undefined ? pad : list(attrs.paddingEnd, nd, 0);
  const dil = list(attrs.dilation, nd, 1);
  const groups = typeof attrs.groups === 'number' ? attrs.groups : 1;
  const [N, C] = x;
  const H = nd === 2 ? x[2] : 1;
  const W = nd === 2 ? x[3] : x[2];
  const O = w[0];
  const KH = nd === 2 ? w[2] : 1;
  const KW = nd === 2 ? w[3] : w[2];
  if (w[1] * groups !== C) return `Expected ${w[1] * groups} input channels, found ${C} in ${formatShape(x)}.`;
  const i = nd === 2 ? 0 : -1;
  const g: Conv2dGeom = {
    N,
    C,
    H,
    W,
    O,
    KH,
    KW,
    sh: i < 0 ? 1 : stride[0],
    sw: stride[i + 1],
    ph: i < 0 ? 0 : pad[0],
    pw: pad[i + 1],
    dh: i < 0 ? 1 : dil[0],
    dw: dil[i + 1],
    groups,
    OH: 0,
    OW: 0,
  };
  g.OH = convOut(H, KH, g.sh, g.ph, i < 0 ? 0 : padEnd[0], g.dh);
  g.OW = convOut(W, KW, g.sw, g.pw, padEnd[i + 1], g.dw);
  if (g.OH < 1 || g.OW < 1) return `The kernel is larger than the padded input ${formatShape(x)}.`;
  return g;
}

export function conv2dForward(x: Float64Array, w: Float64Array, b: Float64Array | null, g: Conv2dGeom, y: Float64Array): void {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, groups } = g;
  const Cg = C / groups;
  const Og = O / groups;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const yo = (n * O + o) * OH * OW;
      if (b) for (let k = 0; k < OH * OW; k++) y[yo + k] = b[o];
      const grp = Math.floor(o / Og);
      for (let ci = 0; ci < Cg; ci++) {
        const c = grp * Cg + ci;
        const xc = (n * C + c) * H * W;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const wv = w[((o * Cg + ci) * KH + kh) * KW + kw];
            // ow range with 0 ≤ ow·sw − pw + kw·dw < W
            const offW = kw * dw - pw;
            const owLo = Math.max(0, Math.ceil(-offW / sw));
            const owHi = Math.min(OW, Math.floor((W - 1 - offW) / sw) + 1);
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) continue;
              const xr = xc + ih * W + offW;
              const yr = yo + oh * OW;
              for (let ow = owLo; ow < owHi; ow++) y[yr + ow] += wv * x[xr + ow * sw];
            }
          }
        }
      }
    }
  }
}

export function conv2dBackward(
  gy: Float64Array,
  x: Float64Array,
  w: Float64Array,
  g: Conv2dGeom,
  gx: Float64Array,
  gw: Float64Array,
  gb: Float64Array | null,
): void {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, groups } = g;
  const Cg = C / groups;
  const Og = O / groups;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const yo = (n * O + o) * OH * OW;
      if (gb) {
        let s = 0;
        for (let k = 0; k < OH * OW; k++) s += gy[yo + k];
        gb[o] += s;
      }
      const grp = Math.floor(o / Og);
      for (let ci = 0; ci < Cg; ci++) {
        const c = grp * Cg + ci;
        const xc = (n * C + c) * H * W;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const wi = ((o * Cg + ci) * KH + kh) * KW + kw;
            const wv = w[wi];
            const offW = kw * dw - pw;
            const owLo = Math.max(0, Math.ceil(-offW / sw));
            const owHi = Math.min(OW, Math.floor((W - 1 - offW) / sw) + 1);
            let acc = 0;
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * sh - ph + kh * dh;
              if (ih < 0 || ih >= H) continue;
              const xr = xc + ih * W + offW;
              const yr = yo + oh * OW;
              for (let ow = owLo; ow < owHi; ow++) {
                const gv = gy[yr + ow];
                acc += gv * x[xr + ow * sw];
                gx[xr + ow * sw] += gv * wv;
              }
            }
            gw[wi] += acc;
          }
        }
      }
    }
  }
}

function defineConv(name: string, display: string, nd: 1 | 2): void {
  defineOp({
    name,
    display,
    inferShape(shapes, attrs): Shape | ShapeError {
      const [x, w, b] = shapes;
      if (w.length !== nd + 2) return { error: `Expected a weight of rank ${nd + 2}, found ${formatShape(w)}.`, input: 1 };
      const g = geom(x, w, attrs, nd);
      if (typeof g === 'string') return { error: g, input: 0 };
      if (b !== undefined && (b.length !== 1 || b[0] !== w[0])) return { error: `Expected a bias of shape [${w[0]}], found ${formatShape(b)}.`, input: 2 };
      return nd === 2 ? [g.N, g.O, g.OH, g.OW] : [g.N, g.O, g.OW];
    },
    forward([x, w, b], attrs) {
      const g = geom(x.shape, w.shape, attrs, nd) as Conv2dGeom;
      const y = tensor(nd === 2 ? [g.N, g.O, g.OH, g.OW] : [g.N, g.O, g.OW]);
      conv2dForward(x.data, w.data, b ? b.data : null, g, y.data);
      return y;
    },
    backward(gy, [x, w, b], _out, attrs) {
      const g = geom(x.shape, w.shape, attrs, nd) as Conv2dGeom;
      const gx = tensor(x.shape);
      const gw = tensor(w.shape);
      const gb = b ? tensor(b.shape) : null;
      conv2dBackward(gy.data, x.data, w.data, g, gx.data, gw.data, gb ? gb.data : null);
      const r: (Tensor | null)[] = [gx, gw];
      if (gb) r.push(gb);
      return r;
    },
    rule: ([x, w, b]) => {
      const r = [`∂L/∂${x} = conv_transpose(∂L/∂Y, ${w})`, `∂L/∂${w} = correlate(${x}, ∂L/∂Y)`];
      if (b !== undefined) r.push(`∂L/∂${b} = Σ_{n, positions} ∂L/∂Y`);
      return r;
    },
    cost: (shapes, out) => out.reduce((a, b) => a * b, 1) * shapes[1].slice(1).reduce((a, b) => a * b, 1),
  });
}

defineConv('conv2d', 'Conv2d', 2);
defineConv('conv1d', 'Conv1d', 1);
