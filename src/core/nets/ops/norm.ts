/**
 * Normalisation ops.
 *  - `batch_norm(x, running_mean, running_var[, weight, bias])` {training, eps}: x is
 *    [N, C, …]; training uses the batch's mean and biased variance over N and the spatial axes
 *    (the running inputs are then unused), evaluation the running statistics.
 *  - `layer_norm(x[, weight, bias])` {dims, eps}: statistics over the last `dims` axes.
 *  - `group_norm(x[, weight, bias])` {groups, eps}: statistics over each group of channels.
 * The running-statistics update is not an op: the network runner computes it (batchStats).
 */
import { defineOp, type Attrs, type ShapeError } from '../../autodiff/op';
import { formatShape, numel, tensor, type Shape, type Tensor } from '../../tensor/tensor';

const eps = (a: Attrs): number => (typeof a.eps === 'number' ? a.eps : 1e-5);

function bnDims(x: Shape): { N: number; C: number; S: number } {
  const N = x[0];
  const C = x[1];
  let S = 1;
  for (let i = 2; i < x.length; i++) S *= x[i];
  return { N, C, S };
}

/** Per-channel batch mean and biased variance of x [N, C, …]. */
export function batchStats(x: Tensor): { mean: Float64Array; varBiased: Float64Array; count: number } {
  const { N, C, S } = bnDims(x.shape);
  const mean = new Float64Array(C);
  const v = new Float64Array(C);
  const M = N * S;
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * S;
      for (let k = 0; k < S; k++) s += x.data[o + k];
    }
    const m = s / M;
    let q = 0;
    for (let n = 0; n < N; n++) {
      const o = (n * C + c) * S;
      for (let k = 0; k < S; k++) {
        const d = x.data[o + k] - m;
        q += d * d;
      }
    }
    mean[c] = m;
    v[c] = q / M;
  }
  return { mean, varBiased: v, count: M };
}

function bnStats(inputs: readonly Tensor[], attrs: Attrs): { mean: Float64Array; invstd: Float64Array } {
  const [x, rm, rv] = inputs;
  const e = eps(attrs);
  if (attrs.training === true) {
    const s = batchStats(x);
    return { mean: s.mean, invstd: s.varBiased.map((v) => 1 / Math.sqrt(v + e)) };
  }
  return { mean: rm.data, invstd: rv.data.map((v) => 1 / Math.sqrt(v + e)) };
}

defineOp({
  name: 'batch_norm',
  display: 'BatchNorm',
  inferShape(shapes): Shape | ShapeError {
    const [x, m, v, w, b] = shapes;
    if (x.length < 2) return { error: `Expected an input [N, C, …] of rank 2 or more, found ${formatShape(x)}.`, input: 0 };
    const C = x[1];
    for (const [s, i] of [[m, 1], [v, 2], [w, 3], [b, 4]] as const)
      if (s !== undefined && (s.length !== 1 || s[0] !== C))
        return { error: `Expected ${C} channels (axis 1 of ${formatShape(x)}), found a statistic or parameter of shape ${formatShape(s)}.`, input: i };
    return x;
  },
  forward(inputs, attrs) {
    const [x, , , w, b] = inputs;
    const { N, C, S } = bnDims(x.shape);
    const { mean, invstd } = bnStats(inputs, attrs);
    const y = tensor(x.shape);
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++) {
        const o = (n * C + c) * S;
        const sc = invstd[c] * (w ? w.data[c] : 1);
        const sh = b ? b.data[c] : 0;
        for (let k = 0; k < S; k++) y.data[o + k] = (x.data[o + k] - mean[c]) * sc + sh;
      }
    return y;
  },
  backward(g, inputs, _out, attrs) {
    const [x, , , w, b] = inputs;
    const { N, C, S } = bnDims(x.shape);
    const { mean, invstd } = bnStats(inputs, attrs);
    const M = N * S;
    const gx = tensor(x.shape);
    const gw = w ? tensor(w.shape) : null;
    const gb = b ? tensor(b.shape) : null;
    const train = attrs.training === true;
    for (let c = 0; c < C; c++) {
      let sg = 0;
      let sgx = 0;
      for (let n = 0; n < N; n++) {
        const o = (n * C + c) * S;
        for (let k = 0; k < S; k++) {
          const gv = g.data[o + k];
          sg += gv;
          sgx += gv * (x.data[o + k] - mean[c]) * invstd[c];
        }
      }
      if (gw) gw.data[c] = sgx;
      if (gb) gb.data[c] = sg;
      const wc = w ? w.data[c] : 1;
      const is = invstd[c];
      for (let n = 0; n < N; n++) {
        const o = (n * C + c) * S;
        for (let k = 0; k < S; k++) {
          const gv = g.data[o + k];
          if (train) {
            const xh = (x.data[o + k] - mean[c]) * is;
            gx.data[o + k] = ((wc * is) / M) * (M * gv - sg - xh * sgx);
          } else gx.data[o + k] = gv * wc * is;
        }
      }
    }
    const r: (Tensor | null)[] = [gx, null, null];
    if (w) r.push(gw);
    if (b) r.push(gb);
    return r;
  },
  nondiff: [1, 2],
  rule: ([x, , , w, b]) => {
    const r = [
      `∂L/∂${x} = γ/(M·σ)·(M·∂L/∂y − Σ∂L/∂y − x̂·Σ(∂L/∂y·x̂)) in training; γ/σ·∂L/∂y in evaluation`,
      'running mean: not differentiated',
      'running variance: not differentiated',
    ];
    if (w !== undefined) r.push(`∂L/∂${w} = Σ ∂L/∂y · x̂`);
    if (b !== undefined) r.push(`∂L/∂${b} = Σ ∂L/∂y`);
    return r;
  },
  cost: (shapes) => 4 * numel(shapes[0]),
});

/**
 * Normalisation over contiguous segments of length `seg`, with per-element affine index
 * `aff(i)` (into weight/bias): the shared kernel of layer_norm and group_norm.
 */
/** Mean and 1/√(biased variance + ε) of x[o .. o + seg). */
function segmentStats(x: Float64Array, o: number, seg: number, e: number): [number, number] {
  let m = 0;
  for (let k = 0; k < seg; k++) m += x[o + k];
  m /= seg;
  let v = 0;
  for (let k = 0; k < seg; k++) v += (x[o + k] - m) ** 2;
  return [m, 1 / Math.sqrt(v / seg + e)];
}

function segNormForward(x: Tensor, w: Tensor | undefined, b: Tensor | undefined, seg: number, e: number, aff: (i: number) => number): Tensor {
  const y = tensor(x.shape);
  const nseg = seg === 0 ? 0 : x.data.length / seg;
  for (let s = 0; s < nseg; s++) {
    const o = s * seg;
    const [m, is] = segmentStats(x.data, o, seg, e);
    for (let k = 0; k < seg; k++) {
      const a = aff(o + k);
      y.data[o + k] = (x.data[o + k] - m) * is * (w ? w.data[a] : 1) + (b ? b.data[a] : 0);
    }
  }
  return y;
}

function segNormBackward(g: Tensor, x: Tensor, w: Tensor | undefined, b: Tensor | undefined, seg: number, e: number, aff: (i: number) => number): (Tensor | null)[] {
  const gx = tensor(x.shape);
  const gw = w ? tensor(w.shape) : null;
  const gb = b ? tensor(b.shape) : null;
  const nseg = seg === 0 ? 0 : x.data.length / seg;
  const xh = new Float64Array(seg);
  const gh = new Float64Array(seg);
  for (let s = 0; s < nseg; s++) {
    const o = s * seg;
    const [m, is] = segmentStats(x.data, o, seg, e);
    let sg = 0;
    let sgx = 0;
    for (let k = 0; k < seg; k++) {
      const a = aff(o + k);
      xh[k] = (x.data[o + k] - m) * is;
      const gv = g.data[o + k];
      gh[k] = gv * (w ? w.data[a] : 1);
      sg += gh[k];
      sgx += gh[k] * xh[k];
      if (gw) gw.data[a] += gv * xh[k];
      if (gb) gb.data[a] += gv;
    }
    for (let k = 0; k < seg; k++) gx.data[o + k] = (is / seg) * (seg * gh[k] - sg - xh[k] * sgx);
  }
  const r: (Tensor | null)[] = [gx];
  if (w) r.push(gw);
  if (b) r.push(gb);
  return r;
}

defineOp({
  name: 'layer_norm',
  display: 'LayerNorm',
  inferShape(shapes, attrs): Shape | ShapeError {
    const [x, w, b] = shapes;
    const d = typeof attrs.dims === 'number' ? attrs.dims : 1;
    if (x.length < d) return { error: `Expected an input of rank ${d} or more, found ${formatShape(x)}.`, input: 0 };
    const tail = x.slice(x.length - d);
    for (const [s, i] of [[w, 1], [b, 2]] as const)
      if (s !== undefined && formatShape(s) !== formatShape(tail)) return { error: `Expected a parameter of shape ${formatShape(tail)}, found ${formatShape(s)}.`, input: i };
    return x;
  },
  forward([x, w, b], attrs) {
    const seg = numel(x.shape.slice(x.shape.length - (attrs.dims as number)));
    return segNormForward(x, w, b, seg, eps(attrs), (i) => i % seg);
  },
  backward(g, [x, w, b], _y, attrs) {
    const seg = numel(x.shape.slice(x.shape.length - (attrs.dims as number)));
    return segNormBackward(g, x, w, b, seg, eps(attrs), (i) => i % seg);
  },
  rule: ([x, w, b]) => {
    const r = [`∂L/∂${x} = 1/(D·σ)·(D·ĝ − Σĝ − x̂·Σ(ĝ·x̂)), ĝ = γ·∂L/∂y`];
    if (w !== undefined) r.push(`∂L/∂${w} = Σ_rows ∂L/∂y · x̂`);
    if (b !== undefined) r.push(`∂L/∂${b} = Σ_rows ∂L/∂y`);
    return r;
  },
  cost: (shapes) => 4 * numel(shapes[0]),
});

defineOp({
  name: 'group_norm',
  display: 'GroupNorm',
  inferShape(shapes, attrs): Shape | ShapeError {
    const [x, w, b] = shapes;
    const G = typeof attrs.groups === 'number' ? attrs.groups : 1;
    if (x.length < 2) return { error: `Expected an input [N, C, …], found ${formatShape(x)}.`, input: 0 };
    if (x[1] % G !== 0) return { error: `${G} groups do not divide ${x[1]} channels.`, input: 0 };
    for (const [s, i] of [[w, 1], [b, 2]] as const)
      if (s !== undefined && (s.length !== 1 || s[0] !== x[1])) return { error: `Expected a parameter of shape [${x[1]}], found ${formatShape(s)}.`, input: i };
    return x;
  },
  forward([x, w, b], attrs) {
    const { C, S } = bnDims(x.shape);
    const seg = (C / (attrs.groups as number)) * S;
    return segNormForward(x, w, b, seg, eps(attrs), (i) => Math.floor(i / S) % C);
  },
  backward(g, [x, w, b], _y, attrs) {
    const { C, S } = bnDims(x.shape);
    const seg = (C / (attrs.groups as number)) * S;
    return segNormBackward(g, x, w, b, seg, eps(attrs), (i) => Math.floor(i / S) % C);
  },
  rule: ([x, w, b]) => {
    const r = [`∂L/∂${x} = 1/(D·σ)·(D·ĝ − Σĝ − x̂·Σ(ĝ·x̂)) per group, ĝ = γ_c·∂L/∂y`];
    if (w !== undefined) r.push(`∂L/∂${w} = Σ ∂L/∂y · x̂ per channel`);
    if (b !== undefined) r.push(`∂L/∂${b} = Σ ∂L/∂y per channel`);
    return r;
  },
  cost: (shapes) => 4 * numel(shapes[0]),
});
