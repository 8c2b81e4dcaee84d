/**
 * `linear(x, W[, b])` = x·Wᵀ + b over the last axis of x (PyTorch's F.linear), with fused
 * kernels for the three products the forward and backward need:
 *   y  = x · Wᵀ   ([R, in] · [out, in]ᵀ)
 *   gx = g · W    ([R, out] · [out, in])
 *   gW = gᵀ · x   ([R, out]ᵀ · [R, in])
 */
import { defineOp, type Scratch } from '../../autodiff/op';
import { formatShape, tensor, type Tensor } from '../../tensor/tensor';
import { gemm, view, WASM_MIN_MACS } from '../../tensor/matmul';

/**
 * C[R, O] += A[R, I] · B[O, I]ᵀ through `gemm` (wasm SIMD for large products): the training
 * path's hot spot. With `accumulate` false, C = A·Bᵀ (C's old contents are ignored).
 */
export function matmulABt(a: Float64Array, b: Float64Array, R: number, I: number, O: number, out: Float64Array, accumulate = true): void {
  if (R * I * O >= WASM_MIN_MACS) return gemm(R, O, I, view(a, 0, R, I), view(b, 0, O, I, true), out, 0, accumulate);
  if (!accumulate) out.fill(0, 0, R * O);
  for (let r = 0; r < R; r++) {
    const ar = r * I;
    for (let o = 0; o < O; o++) {
      const bo = o * I;
      let s = 0;
      for (let i = 0; i < I; i++) s += a[ar + i] * b[bo + i];
      out[r * O + o] += s;
    }
  }
}

/** C[R, I] += A[R, O] · B[O, I] (C = A·B when not `accumulate`). */
export function matmulAB(a: Float64Array, b: Float64Array, R: number, O: number, I: number, out: Float64Array, accumulate = true): void {
  if (R * I * O >= WASM_MIN_MACS) return gemm(R, I, O, view(a, 0, R, O), view(b, 0, O, I), out, 0, accumulate);
  if (!accumulate) out.fill(0, 0, R * I);
  for (let r = 0; r < R; r++) {
    const cr = r * I;
    for (let o = 0; o < O; o++) {
      const v = a[r * O + o];
      if (v === 0) continue;
      const bo = o * I;
      for (let i = 0; i < I; i++) out[cr + i] += v * b[bo + i];
    }
  }
}

/** C[O, I] += A[R, O]ᵀ · B[R, I] (C = Aᵀ·B when not `accumulate`). */
export function matmulAtB(a: Float64Array, b: Float64Array, R: number, O: number, I: number, out: Float64Array, accumulate = true): void {
  if (R * I * O >= WASM_MIN_MACS) return gemm(O, I, R, view(a, 0, R, O, true), view(b, 0, R, I), out, 0, accumulate);
  if (!accumulate) out.fill(0, 0, O * I);
  for (let r = 0; r < R; r++) {
    const br = r * I;
    for (let o = 0; o < O; o++) {
      const v = a[r * O + o];
      if (v === 0) continue;
      const co = o * I;
      for (let i = 0; i < I; i++) out[co + i] += v * b[br + i];
    }
  }
}

/** y[r, o] += v[o] for every row r of y[R, O] (the bias add), row by row, unrolled by 4. */
function addBiasRows(y: Float64Array, v: Float64Array, R: number, O: number): void {
  const O4 = O & ~3;
  for (let r = 0; r < R; r++) {
    const e = r * O;
    let o = 0;
    for (; o < O4; o += 4) {
      y[e + o] += v[o];
      y[e + o + 1] += v[o + 1];
      y[e + o + 2] += v[o + 2];
      y[e + o + 3] += v[o + 3];
    }
    for (; o < O; o++) y[e + o] += v[o];
  }
}

/**
 * acc[o] += m[r, o] for r = 0, 1, … (the bias gradient's column sums), row by row, unrolled by
 * 4: each column's additions stay in row order, so the sums are those of the plain loop.
 */
function sumRowsInto(acc: Float64Array, m: Float64Array, R: number, O: number): void {
  const O4 = O & ~3;
  for (let r = 0; r < R; r++) {
    const e = r * O;
    let o = 0;
    for (; o < O4; o += 4) {
      acc[o] += m[e + o];
      acc[o + 1] += m[e + o + 1];
      acc[o + 2] += m[e + o + 2];
      acc[o + 3] += m[e + o + 3];
    }
    for (; o < O; o++) acc[o] += m[e + o];
  }
}

/** A tensor of `shape` (n elements) that the caller overwrites: from the scratch when given, else new. */
function out(shape: readonly number[], n: number, scratch: Scratch | undefined): Tensor {
  return scratch !== undefined ? { shape: shape.slice(), data: scratch.alloc(n) } : tensor(shape);
}

export const linearOp = defineOp({
  name: 'linear',
  display: 'Linear',
  inferShape(shapes) {
    const [x, w, b] = shapes;
    if (w.length !== 2) return { error: `Expected a weight of rank 2, found ${formatShape(w)}.`, input: 1 };
    if (x.length < 1 || x[x.length - 1] !== w[1])
      return { error: `Linear expects ${w[1]} input features but receives ${formatShape(x)}.`, input: 0 };
    if (b !== undefined && (b.length !== 1 || b[0] !== w[0]))
      return { error: `Expected a bias of shape [${w[0]}], found ${formatShape(b)}.`, input: 2 };
    return [...x.slice(0, -1), w[0]];
  },
  forward(inputs, _attrs, scratch) {
    const [x, w, b] = inputs;
    const O = w.shape[0];
    const I = w.shape[1];
    const R = I === 0 ? 0 : x.data.length / I;
    const yShape = [...x.shape.slice(0, -1), O];
    // Not accumulating, the product overwrites every element (R · O of them when I > 0): a scratch
    // array's old contents are never read.
    const y = scratch !== undefined && I > 0 ? { shape: yShape, data: scratch.alloc(R * O) } : tensor(yShape);
    const yd = y.data;
    matmulABt(x.data, w.data, R, I, O, yd, false);
    if (b) {
      addBiasRows(yd, b.data, R, O);
    }
    return y;
  },
  backward(g, inputs, _out, _attrs, needs, scratch) {
    const [x, w, b] = inputs;
    const O = w.shape[0];
    const I = w.shape[1];
    const R = I === 0 ? 0 : x.data.length / I;
    // The data's gradient (the first layer's x) is not computed when nobody reads it.
    let gx: Tensor | null = null;
    if (!needs || needs[0]) {
      gx = out(x.shape, R * I, scratch);
      matmulAB(g.data, w.data, R, O, I, gx.data, false);
    }
    let gw: Tensor | null = null;
    if (!needs || needs[1]) {
      gw = out(w.shape, O * I, scratch);
      matmulAtB(g.data, x.data, R, O, I, gw.data, false);
    }
    const res: (Tensor | null)[] = [gx, gw];
    if (b && (!needs || needs[2])) {
      const gb = out(b.shape, O, scratch);
      const gbd = gb.data;
      // Sums accumulate: a scratch array starts with the previous step's values.
      if (scratch !== undefined) gbd.fill(0);
      sumRowsInto(gbd, g.data, R, O);
      res.push(gb);
    } else if (b) res.push(null);
    return res;
  },
  freshGradients: true,
  rule: ([x, w, b]) => {
    const r = [`∂L/∂${x} = ∂L/∂Y · ${w}`, `∂L/∂${w} = (∂L/∂Y)ᵀ · ${x}`];
    if (b !== undefined) r.push(`∂L/∂${b} = Σ_rows ∂L/∂Y`);
    return r;
  },
  cost: (shapes, out) => (out.reduce((a, b) => a * b, 1) * (shapes[1][1] ?? 1)),
});
