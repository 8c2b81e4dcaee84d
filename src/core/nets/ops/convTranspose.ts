/**
 * `conv_transpose2d(x, W[, b])` as PyTorch's ConvTranspose2d: the gradient of conv2d with
 * respect to its input, used as a layer. x [N, C_in, H, W], W [C_in, C_out/groups, KH, KW],
 * b [C_out]; every input position scatters its kernel into the output:
 *   y[n, o, ih·sh − ph + kh·dh, iw·sw − pw + kw·dw] += x[n, c, ih, iw] · W[c, o mod (C_out/groups), kh, kw]
 * for the input channels c of o's group, positions outside the output dropped.
 * OH = (H − 1)·sh − 2·ph + dh·(KH − 1) + oph + 1 (likewise OW).
 *
 * attrs: stride [sh, sw], padding [ph, pw], outputPadding [oph, opw], dilation [dh, dw], groups.
 */
import { defineOp, type Attrs, type ShapeError } from '../../autodiff/op';
import { formatShape, tensor, type Shape, type Tensor } from '../../tensor/tensor';
import type { Conv2dGeom } from './conv';

/** The geometry of conv2d's kernel, with C = C_in and O = C_out. */
type Geom = Conv2dGeom;

function pair(a: unknown, def: number): [number, number] {
  if (Array.isArray(a)) return [Number(a[0]), Number(a[a.length > 1 ? 1 : 0])];
  if (typeof a === 'number') return [a, a];
  return [def, def];
}

function geom(x: Shape, w: Shape, attrs: Attrs): Geom | ShapeError {
  if (x.length !== 4) return { error: `Expected an input of rank 4 [N, C, H, W], found ${formatShape(x)}.`, input: 0 };
  if (w.length !== 4) return { error: `Expected a weight of rank 4, found ${formatShape(w)}.`, input: 1 };
  const [sh, sw] = pair(attrs.stride, 1);
  const [ph, pw] = pair(attrs.padding, 0);
  const [oph, opw] = pair(attrs.outputPadding, 0);
  const [dh, dw] = pair(attrs.dilation, 1);
  const groups = typeof attrs.groups === 'number' ? attrs.groups : 1;
  const [N, C, H, W] = x;
  if (w[0] !== C) return { error: `Expected ${w[0]} input channels, found ${C} in ${formatShape(x)}.`, input: 0 };
  if (C % groups !== 0) return { error: `groups = ${groups} does not divide ${C} input channels.`, input: 1 };
  const KH = w[2];
  const KW = w[3];
  const O = w[1] * groups;
  const OH = (H - 1) * sh - 2 * ph + dh * (KH - 1) + oph + 1;
  const OW = (W - 1) * sw - 2 * pw + dw * (KW - 1) + opw + 1;
  if (OH < 1 || OW < 1) return { error: `The output of ConvTranspose2d on ${formatShape(x)} would be empty (${OH}×${OW}).`, input: 0 };
  return { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, groups };
}

/**
 * Visits every (input row, kernel tap) pair that reaches the output: row(xr, wi, yr, lo, hi,
 * sw) covers the input positions xr + iw for iw in [lo, hi), which land on yr + iw·sw.
 */
function forEachTap(g: Geom, row: (xr: number, wi: number, yr: number, iwLo: number, iwHi: number, sw: number) => void): void {
  const { N, C, H, W, O, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw, groups } = g;
  const Cg = C / groups;
  const Og = O / groups;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const grp = Math.floor(c / Cg);
      const xc = (n * C + c) * H * W;
      for (let oj = 0; oj < Og; oj++) {
        const o = grp * Og + oj;
        const yo = (n * O + o) * OH * OW;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const wi = ((c * Og + oj) * KH + kh) * KW + kw;
            // iw range with 0 ≤ iw·sw − pw + kw·dw < OW
            const offW = kw * dw - pw;
            const iwLo = Math.max(0, Math.ceil(-offW / sw));
            const iwHi = Math.min(W, Math.floor((OW - 1 - offW) / sw) + 1);
            if (iwLo >= iwHi) continue;
            for (let ih = 0; ih < H; ih++) {
              const oh = ih * sh - ph + kh * dh;
              if (oh < 0 || oh >= OH) continue;
              row(xc + ih * W, wi, yo + oh * OW + offW, iwLo, iwHi, sw);
            }
          }
        }
      }
    }
  }
}

export function convTranspose2dForward(x: Float64Array, w: Float64Array, b: Float64Array | null, g: Geom, y: Float64Array): void {
  if (b) for (let n = 0; n < g.N; n++) for (let o = 0; o < g.O; o++) y.fill(b[o], (n * g.O + o) * g.OH * g.OW, (n * g.O + o + 1) * g.OH * g.OW);
  forEachTap(g, (xr, wi, yr, lo, hi, sw) => {
    const wv = w[wi];
    for (let iw = lo; iw < hi; iw++) y[yr + iw * sw] += wv * x[xr + iw];
  });
}

defineOp({
  name: 'conv_transpose2d',
  display: 'ConvTranspose2d',
  inferShape(shapes, attrs): Shape | ShapeError {
    const [x, w, b] = shapes;
    const g = geom(x, w, attrs);
    if ('error' in g) return g;
    if (b !== undefined && (b.length !== 1 || b[0] !== g.O)) return { error: `Expected a bias of shape [${g.O}], found ${formatShape(b)}.`, input: 2 };
    return [g.N, g.O, g.OH, g.OW];
  },
  forward([x, w, b], attrs) {
    const g = geom(x.shape, w.shape, attrs) as Geom;
    const y = tensor([g.N, g.O, g.OH, g.OW]);
    convTranspose2dForward(x.data, w.data, b ? b.data : null, g, y.data);
    return y;
  },
  backward(gy, [x, w, b], _out, attrs, needs) {
    const g = geom(x.shape, w.shape, attrs) as Geom;
    const gyd = gy.data;
    const xd = x.data;
    const wd = w.data;
    const gx = !needs || needs[0] ? tensor(x.shape) : null;
    const gw = !needs || needs[1] ? tensor(w.shape) : null;
    if (gx || gw) {
      const gxd = gx ? gx.data : null;
      const gwd = gw ? gw.data : null;
      forEachTap(g, (xr, wi, yr, lo, hi, sw) => {
        const wv = wd[wi];
        let acc = 0;
        for (let iw = lo; iw < hi; iw++) {
          const gv = gyd[yr + iw * sw];
          acc += gv * xd[xr + iw];
          if (gxd) gxd[xr + iw] += gv * wv;
        }
        if (gwd) gwd[wi] += acc;
      });
    }
    const r: (Tensor | null)[] = [gx, gw];
    if (b) {
      if (!needs || needs[2]) {
        const gb = tensor(b.shape);
        const P = g.OH * g.OW;
        for (let n = 0; n < g.N; n++)
          for (let o = 0; o < g.O; o++) {
            let s = 0;
            for (let k = (n * g.O + o) * P, e = k + P; k < e; k++) s += gyd[k];
            gb.data[o] += s;
          }
        r.push(gb);
      } else r.push(null);
    }
    return r;
  },
  freshGradients: true,
  rule: ([x, w, b]) => {
    const r = [`∂L/∂${x} = conv2d(∂L/∂Y, ${w}) (the same stride, padding and dilation)`, `∂L/∂${w} = correlate(∂L/∂Y, ${x})`];
    if (b !== undefined) r.push(`∂L/∂${b} = Σ_{n, positions} ∂L/∂Y`);
    return r;
  },
  cost: (shapes) => shapes[0].reduce((a, b) => a * b, 1) * shapes[1].slice(1).reduce((a, b) => a * b, 1),
});

