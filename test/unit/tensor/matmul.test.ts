import { describe, expect, it } from 'vitest';
import { gemm, gemmJs, gemmReference, matmulNN, matmulNT, matmulTN, view, wasmGemm } from '../../../src/core/tensor/matmul';
import { getOp } from '../../../src/core/autodiff/op';
import { forward, seeded } from './opHarness';
import { tensor } from '../../../src/core/tensor/tensor';
import '../../../src/core/nets/ops/linear';

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('gemm kernels agree with the reference triple loop', () => {
  const sizes: [number, number, number][] = [
    [1, 1, 1], [2, 3, 4], [3, 5, 7], [5, 1, 3], [4, 8, 4], [7, 13, 9], [32, 30, 17], [33, 65, 31], [64, 70, 45], [0, 3, 2], [3, 0, 2],
    // Row strides of 4 KB multiples are padded in the wasm kernels: k = 1024 and n = 1024.
    [6, 1024, 9], [5, 33, 1024], [9, 1023, 7],
  ];
  for (const [m, k, n] of sizes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
      it(`${m}×${k}·${k}×${n} transA=${ta} transB=${tb}`, () => {
        const a = seeded([m * k], m * 31 + k).data;
        const b = seeded([k * n], n * 17 + k + 1).data;
        const av = view(a, 0, ta ? k : m, ta ? m : k, ta);
        const bv = view(b, 0, tb ? n : k, tb ? k : n, tb);
        const got = new Float64Array(m * n).fill(5);
        const want = new Float64Array(m * n).fill(5);
        gemmReference(m, n, k, av, bv, want, 0);
        const w = wasmGemm();
        expect(w, 'WebAssembly SIMD is available in Node 20').toBeDefined();
        for (const kernel of [gemm, gemmJs, w!.gemm]) {
          got.fill(5);
          kernel(m, n, k, av, bv, got, 0, false);
          expect(maxDiff(got, want)).toBeLessThan(1e-12);
        }
        const want2 = want.slice();
        gemmReference(m, n, k, av, bv, want2, 0, true);
        for (const kernel of [gemmJs, w!.gemm]) {
          const acc = want.slice();
          kernel(m, n, k, av, bv, acc, 0, true);
          expect(maxDiff(acc, want2)).toBeLessThan(1e-12);
        }
      });
    }
  }

  it('matmulNN, matmulTN, matmulNT', () => {
    const A = seeded([6 * 5], 1).data; // [6, 5]
    const B = seeded([5 * 3], 2).data; // [5, 3]
    const ref = new Float64Array(18);
    gemmReference(6, 3, 5, view(A, 0, 6, 5), view(B, 0, 5, 3), ref, 0);
    expect(maxDiff(matmulNN(A, B, 6, 5, 3), ref)).toBeLessThan(1e-12);
    // Aᵀ stored as [5, 6]: build it, then Aᵀᵀ·B = A·B.
    const At = new Float64Array(30);
    for (let i = 0; i < 6; i++) for (let j = 0; j < 5; j++) At[j * 6 + i] = A[i * 5 + j];
    expect(maxDiff(matmulTN(At, B, 6, 5, 3), ref)).toBeLessThan(1e-12);
    const Bt = new Float64Array(15);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) Bt[j * 5 + i] = B[i * 3 + j];
    expect(maxDiff(matmulNT(A, Bt, 6, 5, 3), ref)).toBeLessThan(1e-12);
  });
});

describe('matmul shape rules (numpy)', () => {
  const infer = (a: number[], b: number[]) => getOp('matmul').inferShape([a, b], {});
  it.each([
    [[2, 3], [3, 4], [2, 4]],
    [[3], [3, 4], [4]],
    [[2, 3], [3], [2]],
    [[3], [3], []],
    [[5, 2, 3], [3, 4], [5, 2, 4]],
    [[2, 1, 2, 3], [3, 3, 2], [2, 3, 2, 2]],
    [[3], [2, 3, 4], [2, 4]],
  ])('%j @ %j = %j', (a, b, out) => {
    expect(infer(a, b)).toEqual(out);
  });

  it('names both shapes and the rule, with a transpose hint', () => {
    expect(infer([2, 3], [2, 3])).toEqual({
      error: 'Expected the inner dimensions of @ to match, found [2, 3] @ [2, 3] (3 ≠ 2).',
      hint: 'transpose-right',
    });
    expect(infer([3, 2], [3, 4])).toMatchObject({ hint: 'transpose-left' });
    expect(infer([2, 3], [4, 5])).toEqual({ error: 'Expected the inner dimensions of @ to match, found [2, 3] @ [4, 5] (3 ≠ 4).' });
    expect(infer([2, 2, 3], [3, 3, 4])).toMatchObject({ error: expect.stringContaining('batch dimensions') });
    expect(infer([], [3])).toMatchObject({ hint: 'use-elementwise' });
  });

  it('computes a known product', () => {
    const y = forward('matmul', [tensor([2, 2], [1, 2, 3, 4]), tensor([2, 2], [5, 6, 7, 8])]);
    expect(Array.from(y.data)).toEqual([19, 22, 43, 50]);
  });
});

describe('backward with `needs`', () => {
  it('linear skips the gradient of an input nobody reads and computes the others as before', () => {
    const x = seeded([40, 30], 3);
    const w = seeded([50, 30], 4);
    const b = seeded([50], 5);
    const g = seeded([40, 50], 6);
    const lin = getOp('linear');
    const out = lin.forward([x, w, b], {});
    const all = lin.backward(g, [x, w, b], out, {});
    const some = lin.backward(g, [x, w, b], out, {}, [false, true, true]);
    expect(some[0]).toBeNull();
    expect(Array.from(some[1]!.data)).toEqual(Array.from(all[1]!.data));
    expect(Array.from(some[2]!.data)).toEqual(Array.from(all[2]!.data));
    expect(lin.freshGradients).toBe(true);
  });
});
