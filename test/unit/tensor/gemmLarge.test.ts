import { describe, expect, it } from 'vitest';
import { axpy, gemm, gemmReference, view, WASM_MIN_AXPY } from '../../../src/core/tensor/matmul';
import { createWasmGemm } from '../../../src/core/tensor/wasmGemm';
import { createRng } from '../../../src/core/tensor/rng';

/**
 * The dispatching kernel (WebAssembly SIMD above a size threshold, JS below) against the
 * textbook triple loop at the sizes training really uses (the homework MLP: 32×30 → 1024 →
 * 512 → 1, and its transposed products in backward), odd sizes that do not fill blocks, and
 * in-place updates of an operand between calls (a kernel must never reuse stale packing).
 */
const rng = createRng(7);
const rand = (n: number): Float64Array => rng.randn(n);

function check(m: number, n: number, k: number, ta: boolean, tb: boolean, accumulate: boolean): void {
  const a = rand(m * k);
  const b = rand(k * n);
  const av = ta ? view(a, 0, k, m, true) : view(a, 0, m, k);
  const bv = tb ? view(b, 0, n, k, true) : view(b, 0, k, n);
  const c0 = rand(m * n);
  const got = Float64Array.from(c0);
  const want = Float64Array.from(c0);
  gemm(m, n, k, av, bv, got, 0, accumulate);
  gemmReference(m, n, k, av, bv, want, 0, accumulate);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst).toBeLessThan(1e-12);
}

describe('gemm at training sizes equals the reference loop', () => {
  const shapes: [number, number, number][] = [
    [32, 1024, 30], // X·W1ᵀ
    [32, 512, 1024], // H1·W2ᵀ
    [1024, 30, 32], // dW1 = dYᵀ·X
    [512, 1024, 32], // dW2
    [32, 1024, 512], // dH1 = dY2·W2
    [33, 1025, 513], // odd: partial panels everywhere
    [7, 3, 4099], // long k
    [129, 1, 257], // a single column
  ];
  for (const [m, n, k] of shapes)
    for (const ta of [false, true])
      for (const tb of [false, true])
        it(`${m}×${k} · ${k}×${n}${ta ? ' (Aᵀ)' : ''}${tb ? ' (Bᵀ)' : ''}`, () => {
          check(m, n, k, ta, tb, false);
          check(m, n, k, ta, tb, true);
        });

  it('sees an operand changed in place between calls (no stale packing)', () => {
    const [m, n, k] = [32, 512, 1024];
    const a = rand(m * k);
    const b = rand(k * n);
    const c = new Float64Array(m * n);
    gemm(m, n, k, view(a, 0, m, k), view(b, 0, k, n), c, 0);
    for (let i = 0; i < b.length; i += 3) b[i] *= -0.5; // an SGD-like in-place update
    a[5] += 1;
    gemm(m, n, k, view(a, 0, m, k), view(b, 0, k, n), c, 0);
    const want = new Float64Array(m * n);
    gemmReference(m, n, k, view(a, 0, m, k), view(b, 0, k, n), want, 0);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(c[i] - want[i]) / Math.max(1, Math.abs(want[i])));
    expect(worst).toBeLessThan(1e-12);
  });
});

describe('the wasm kernels at their edges', () => {
  it('splits a long k into blocks without changing the sums (k around the block size)', () => {
    for (const k of [127, 128, 129, 256, 385]) {
      check(12, 40, k, false, false, false);
      check(12, 40, k, true, false, true);
    }
  });

  it('writes zeros for k = 0 (or leaves C when accumulating)', () => {
    const w = createWasmGemm();
    if (!w) return;
    const c = Float64Array.from({ length: 6 }, (_, i) => i + 1);
    w.gemm(2, 3, 0, view(new Float64Array(0), 0, 2, 0), view(new Float64Array(0), 0, 0, 3), c, 0, true);
    expect(Array.from(c)).toEqual([1, 2, 3, 4, 5, 6]);
    w.gemm(2, 3, 0, view(new Float64Array(0), 0, 2, 0), view(new Float64Array(0), 0, 0, 3), c, 0, false);
    expect(Array.from(c)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('axpy (the SGD step) equals the JS loop bit for bit, tails and chunks included', () => {
    for (const n of [0, 1, 3, WASM_MIN_AXPY - 1, WASM_MIN_AXPY, WASM_MIN_AXPY + 3, 3 * 8192 + 6, 40_001]) {
      const p = rand(n);
      const g = rand(n);
      const want = Float64Array.from(p);
      for (let i = 0; i < n; i++) want[i] += -0.01 * g[i];
      axpy(p, g, -0.01);
      expect(p).toEqual(want);
    }
  });
});
