/**
 * Matrix-multiplication kernels on row-major Float64Array data.
 *
 * `gemm` computes C (+)= op(A)·op(B) where op(X) is X or Xᵀ, read through strides, so the
 * backward pass (g·Bᵀ, Aᵀ·g) never materialises a transposed copy. It packs a 4-column panel
 * of op(B) (k × 4, contiguous) and runs a 2 × 4 register-blocked micro-kernel over it:
 * eight accumulators stay in registers, every load is sequential.
 * Large products go to a WebAssembly SIMD kernel (wasmGemm.ts) when the runtime has one,
 * about 3× faster than the JS kernel; `gemmJs` is the portable kernel, `gemmReference` the
 * plain triple loop the tests compare both against. `axpy` (the plain SGD step) uses the same
 * module for long arrays.
 */
import { createWasmArena, createWasmGemm, type AdamConstants, type WasmArena, type WasmGemm } from './wasmGemm';

/** Layout of one operand: element (r, c) is at `data[offset + r·rowStride + c·colStride]`. */
export interface MatrixView {
  readonly data: Float64Array;
  readonly offset: number;
  readonly rowStride: number;
  readonly colStride: number;
}

/** A row-major m × n matrix at `offset`, optionally read as its transpose. */
export function view(data: Float64Array, offset: number, rows: number, cols: number, transpose = false): MatrixView {
  return transpose
    ? { data, offset, rowStride: 1, colStride: cols }
    : { data, offset, rowStride: cols, colStride: 1 };
}

/** Below this many multiply-accumulates the JS kernel wins (no packing into wasm memory). */
export const WASM_MIN_MACS = 1 << 15;

/**
 * The compiled kernel, made on first use: a cache, not state — every call packs its own
 * operands into the kernel's scratch memory, and JS never re-enters it.
 */
let wasmKernel: WasmGemm | undefined | null = null;

export function wasmGemm(): WasmGemm | undefined {
  if (wasmKernel === null) wasmKernel = createWasmGemm();
  return wasmKernel;
}

/**
 * The kernels of each live arena, by the buffer its arrays view, so `gemm` and `axpy` find
 * them from the operands alone. Weak: an arena is gone once nothing views its memory.
 */
const arenaKernels = new WeakMap<ArrayBufferLike, WasmGemm>();

/**
 * Memory where a long computation's large arrays can live beside the kernels (see WasmArena):
 * `scratchDoubles` for the kernels' packing, `heapDoubles` for `alloc`. Undefined without
 * WebAssembly SIMD or when the memory cannot be had; callers then use ordinary arrays.
 */
export function createArena(scratchDoubles: number, heapDoubles: number): WasmArena | undefined {
  const g = wasmGemm();
  const arena = g ? createWasmArena(scratchDoubles, heapDoubles, g) : undefined;
  if (arena) arenaKernels.set(arena.buffer, arena.kernel);
  return arena;
}

/** The kernel for these operands: an arena's when one of them lives in it, else the shared one. */
function kernelFor(a: MatrixView, b: MatrixView, c: Float64Array): WasmGemm | undefined {
  return arenaKernels.get(c.buffer) ?? arenaKernels.get(b.data.buffer) ?? arenaKernels.get(a.data.buffer) ?? wasmGemm();
}

/**
 * C[m×n] = A[m×k] · B[k×n] (or += when `accumulate`). C is row-major, contiguous rows of
 * length n starting at `cOffset`.
 */
export function gemm(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float64Array,
  cOffset: number,
  accumulate = false,
): void {
  if (m * n * k >= WASM_MIN_MACS) {
    const w = kernelFor(a, b, c);
    if (w) {
      w.gemm(m, n, k, a, b, c, cOffset, accumulate);
      return;
    }
  }
  gemmJs(m, n, k, a, b, c, cOffset, accumulate);
}

/** Below this many elements `axpy` stays in JS (the copies into wasm memory do not pay). */
export const WASM_MIN_AXPY = 4096;

/**
 * p[i] = p[i] + alpha·g[i] in place (the plain SGD step, alpha = −lr): in wasm SIMD for long
 * arrays (V8's scalar loop runs at about a third of the copy speed), bit for bit the same sums.
 */
export function axpy(p: Float64Array, g: Float64Array, alpha: number): void {
  const n = p.length;
  if (n >= WASM_MIN_AXPY) {
    const w = (g.buffer === p.buffer ? arenaKernels.get(p.buffer) : undefined) ?? wasmGemm();
    if (w) {
      w.axpy(p, g, alpha);
      return;
    }
  }
  for (let i = 0; i < n; i++) p[i] += alpha * g[i];
}

/**
 * One Adam step (no L2 term, no amsgrad) in the arena's SIMD kernel when p, g, m and v all live
 * in one arena: bit for bit the optimiser's JS loop. False (nothing done) otherwise.
 */
export function adamStep(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, k: AdamConstants): boolean {
  const w = arenaKernels.get(p.buffer);
  return w !== undefined && w.adam(p, g, m, v, k);
}

/** The portable kernel: 4-column panels of op(B), a 2 × 4 register block. */
export function gemmJs(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float64Array,
  cOffset: number,
  accumulate = false,
): void {
  if (m === 0 || n === 0) return;
  if (k === 0) {
    if (!accumulate) c.fill(0, cOffset, cOffset + m * n);
    return;
  }
  const ad = a.data;
  const ars = a.rowStride;
  const acs = a.colStride;
  const bd = b.data;
  const brs = b.rowStride;
  const bcs = b.colStride;
  const panel = new Float64Array(4 * k);
  for (let j = 0; j < n; j += 4) {
    const w = Math.min(4, n - j);
    // Pack columns j..j+w of op(B): panel[4p + t] = B(p, j + t); missing columns are zero.
    if (w < 4) panel.fill(0);
    for (let p = 0; p < k; p++) {
      const src = b.offset + p * brs + j * bcs;
      for (let t = 0; t < w; t++) panel[4 * p + t] = bd[src + t * bcs];
    }
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      let r0 = a.offset + i * ars;
      let r1 = r0 + ars;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      if (acs === 1) {
        // Rows of A are contiguous: index by p (one induction variable, as V8 likes it).
        for (let p = 0, q = 0; p < k; p++, q += 4) {
          const b0 = panel[q], b1 = panel[q + 1], b2 = panel[q + 2], b3 = panel[q + 3];
          const a0 = ad[r0 + p];
          const a1 = ad[r1 + p];
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        }
      } else {
        for (let q = 0, e = 4 * k; q < e; q += 4) {
          const b0 = panel[q], b1 = panel[q + 1], b2 = panel[q + 2], b3 = panel[q + 3];
          const a0 = ad[r0];
          const a1 = ad[r1];
          r0 += acs;
          r1 += acs;
          c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
          c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        }
      }
      const o0 = cOffset + i * n + j;
      const o1 = o0 + n;
      if (w === 4 && !accumulate) {
        c[o0] = c00; c[o0 + 1] = c01; c[o0 + 2] = c02; c[o0 + 3] = c03;
        c[o1] = c10; c[o1 + 1] = c11; c[o1 + 2] = c12; c[o1 + 3] = c13;
      } else {
        store(c, o0, w, c00, c01, c02, c03, accumulate);
        store(c, o1, w, c10, c11, c12, c13, accumulate);
      }
    }
    if (i < m) {
      let r0 = a.offset + i * ars;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      for (let q = 0, e = 4 * k; q < e; q += 4) {
        const a0 = ad[r0];
        r0 += acs;
        c00 += a0 * panel[q]; c01 += a0 * panel[q + 1]; c02 += a0 * panel[q + 2]; c03 += a0 * panel[q + 3];
      }
      store(c, cOffset + i * n + j, w, c00, c01, c02, c03, accumulate);
    }
  }
}

function store(c: Float64Array, o: number, w: number, x0: number, x1: number, x2: number, x3: number, acc: boolean): void {
  if (acc) {
    c[o] += x0;
    if (w > 1) c[o + 1] += x1;
    if (w > 2) c[o + 2] += x2;
    if (w > 3) c[o + 3] += x3;
  } else {
    c[o] = x0;
    if (w > 1) c[o + 1] = x1;
    if (w > 2) c[o + 2] = x2;
    if (w > 3) c[o + 3] = x3;
  }
}

/** The textbook triple loop, same contract as `gemm`. */
export function gemmReference(
  m: number,
  n: number,
  k: number,
  a: MatrixView,
  b: MatrixView,
  c: Float64Array,
  cOffset: number,
  accumulate = false,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s += a.data[a.offset + i * a.rowStride + p * a.colStride] * b.data[b.offset + p * b.rowStride + j * b.colStride];
      }
      const o = cOffset + i * n + j;
      c[o] = accumulate ? c[o] + s : s;
    }
  }
}

/** A·B for row-major A [m×k], B [k×n]. */
export function matmulNN(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out = new Float64Array(m * n)): Float64Array {
  gemm(m, n, k, view(a, 0, m, k), view(b, 0, k, n), out, 0);
  return out;
}

/** Aᵀ·B for row-major A [k×m], B [k×n]. */
export function matmulTN(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out = new Float64Array(m * n)): Float64Array {
  gemm(m, n, k, view(a, 0, k, m, true), view(b, 0, k, n), out, 0);
  return out;
}

/** A·Bᵀ for row-major A [m×k], B [n×k]. */
export function matmulNT(a: Float64Array, b: Float64Array, m: number, k: number, n: number, out = new Float64Array(m * n)): Float64Array {
  gemm(m, n, k, view(a, 0, m, k), view(b, 0, n, k, true), out, 0);
  return out;
}
