import { describe, expect, it } from 'vitest';
import { adamStep, axpy, createArena, gemm, gemmReference, view, wasmGemm, type MatrixView } from '../../../src/core/tensor/matmul';
import { createRng } from '../../../src/core/tensor/rng';
import { createWasmArena, type WasmGemm } from '../../../src/core/tensor/wasmGemm';

/**
 * A training's arena (createArena): arrays that live in the kernels' WebAssembly memory are read
 * and written where they are instead of being copied in and out. The arithmetic must not change:
 * every placement of A, B and C (in the arena or an ordinary array) gives bit for bit what the
 * copying kernel gives, at the homework MLP's sizes and at odd ones, with offsets into arrays,
 * accumulation, C overlapping B, a scratch space too small (the shared kernel takes over), and
 * arrays from `alloc` stay usable (the memory never grows under them).
 */
const rng = createRng(11);
const has = wasmGemm() !== undefined;

type Arena = NonNullable<ReturnType<typeof createArena>>;

/** A copy of `src` in the arena (or an ordinary copy with `inArena` false). */
function place(arena: Arena, src: Float64Array, inArena: boolean): Float64Array {
  if (!inArena) return Float64Array.from(src);
  const d = arena.alloc(src.length)!;
  expect(d).toBeDefined();
  d.set(src);
  return d;
}

function operands(m: number, n: number, k: number, ta: boolean, tb: boolean) {
  return { a: rng.randn(m * k), b: rng.randn(k * n), c: rng.randn(m * n), ta, tb };
}

/** The first index where x and y differ in any bit (−1: none); toEqual is slow on 10⁵-element arrays. */
function firstDifference(x: Float64Array, y: Float64Array): number {
  if (x.length !== y.length) return 0;
  const xb = new BigInt64Array(x.buffer, x.byteOffset, x.length);
  const yb = new BigInt64Array(y.buffer, y.byteOffset, y.length);
  for (let i = 0; i < xb.length; i++) if (xb[i] !== yb[i]) return i;
  return -1;
}

const viewOf = (d: Float64Array, rows: number, cols: number, t: boolean): MatrixView => view(d, 0, rows, cols, t);

describe.skipIf(!has)('gemm with operands in an arena', () => {
  const shapes: [number, number, number][] = [
    [32, 1024, 30], // X·W1ᵀ
    [32, 512, 1024], // H1·W2ᵀ (W2 read in place)
    [512, 1024, 32], // dW2 written in place
    [32, 1024, 512], // dH1 = dY2·W2
    [1024, 30, 32], // dW1: 30 columns, not whole strips
    [33, 1025, 513], // odd: partial panels, strips and pairs
    [25, 512, 1024], // the last, short minibatch
    [8, 16, 4097], // long k, blocks
  ];
  for (const [m, n, k] of shapes)
    for (const ta of [false, true])
      for (const tb of [false, true])
        it(`${m}×${k} · ${k}×${n}${ta ? ' (Aᵀ)' : ''}${tb ? ' (Bᵀ)' : ''}: every placement equals the copying kernel bit for bit`, () => {
          const arena = createArena(1 << 21, 8 * (m * k + k * n + m * n) + 4096)!;
          const o = operands(m, n, k, ta, tb);
          const av = (d: Float64Array) => (ta ? viewOf(d, k, m, true) : viewOf(d, m, k, false));
          const bv = (d: Float64Array) => (tb ? viewOf(d, n, k, true) : viewOf(d, k, n, false));
          for (const accumulate of [false, true]) {
            const want = Float64Array.from(o.c);
            wasmGemm()!.gemm(m, n, k, av(o.a), bv(o.b), want, 0, accumulate);
            for (let mask = 1; mask < 8; mask++) {
              const a = place(arena, o.a, (mask & 1) !== 0);
              const b = place(arena, o.b, (mask & 2) !== 0);
              const c = place(arena, o.c, (mask & 4) !== 0);
              gemm(m, n, k, av(a), bv(b), c, 0, accumulate);
              expect(firstDifference(c, want), `mask ${mask}, accumulate ${accumulate}`).toBe(-1);
            }
          }
          // (gemmLarge.test.ts checks the copying kernel against the textbook loop.)
        });

  it('the training products run in place: packing space for A alone suffices (no copy of B or C, no fallback)', () => {
    // A fallback that fails the test: with the scratch sized for A's packing only (plus the 8 KB
    // strip buffer of the gather), any copy of B or C into scratch would need the fallback.
    const refuse: WasmGemm = {
      gemm: () => expect.fail('fell back to the copying kernel'),
      axpy: () => expect.fail('fell back to the copying kernel'),
      adam: () => false,
    };
    const cases: [string, number, number, number, boolean, number][] = [
      // [what, m, n, k, B transposed (dot form), scratch doubles]
      ['H1·W2ᵀ (forward)', 32, 512, 1024, true, 4 * 8 * 1024],
      ['dZ2·W2 (dH1, W2 gathered by strips)', 32, 1024, 512, false, 4 * 8 * 512 + 8 * 128],
      ['dZ2ᵀ·H1 (dW2 written in place)', 512, 1024, 32, false, 4 * 128 * 32 + 8 * 128],
    ];
    for (const [what, m, n, k, tb, scratch] of cases) {
      const arena = createWasmArena(scratch, 2 * (m * k + k * n + m * n) + 64, refuse)!;
      const o = operands(m, n, k, false, tb);
      const want = Float64Array.from(o.c);
      const bv = (d: Float64Array) => (tb ? view(d, 0, n, k, true) : view(d, 0, k, n));
      wasmGemm()!.gemm(m, n, k, view(o.a, 0, m, k), bv(o.b), want, 0, false);
      const [a, b, c] = [o.a, o.b, o.c].map((x) => place(arena as unknown as Arena, x, true));
      arena.kernel.gemm(m, n, k, view(a, 0, m, k), bv(b), c, 0, false);
      expect(firstDifference(c, want), what).toBe(-1);
    }
    // The SGD step on two arena arrays needs no scratch at all.
    const arena = createWasmArena(8, 20_000, refuse)!;
    const p0 = rng.randn(8192);
    const g0 = rng.randn(8192);
    const [p, g] = [p0, g0].map((x) => place(arena as unknown as Arena, x, true));
    arena.kernel.axpy(p, g, -0.1);
    const want = Float64Array.from(p0, (x, i) => x + -0.1 * g0[i]);
    expect(firstDifference(p, want)).toBe(-1);
  });

  it('reads operands at an offset inside an arena array and writes C at an offset', () => {
    const [m, n, k] = [16, 64, 48];
    const arena = createArena(1 << 16, 1 << 16)!;
    const big = arena.alloc(3 * k * n + 5)!;
    const b = rng.randn(k * n);
    big.set(b, 7); // not at the array's start, and not 64-byte aligned
    const a = rng.randn(m * k);
    const cBig = arena.alloc(m * n + 3)!;
    const want = new Float64Array(m * n);
    wasmGemm()!.gemm(m, n, k, view(a, 0, m, k), view(b, 0, k, n), want, 0, false);
    gemm(m, n, k, view(a, 0, m, k), { data: big, offset: 7, rowStride: n, colStride: 1 }, cBig, 3, false);
    expect(cBig.subarray(3)).toEqual(want);
    // op(B) = Bᵀ at an offset (the dot form reads it in place)
    const bt = new Float64Array(n * k);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[j * k + p] = b[p * n + j];
    big.set(bt, 8);
    cBig.fill(0);
    const wantT = new Float64Array(m * n);
    wasmGemm()!.gemm(m, n, k, view(a, 0, m, k), view(bt, 0, n, k, true), wantT, 0, false);
    gemm(m, n, k, view(a, 0, m, k), { data: big, offset: 8, rowStride: 1, colStride: k }, cBig, 3, false);
    expect(cBig.subarray(3)).toEqual(wantT);
  });

  it('C sharing memory with B in the arena is not written over B while B is read', () => {
    const [m, n, k] = [32, 64, 32]; // B is k × n and C is m × n: the same size
    const arena = createArena(1 << 16, 1 << 16)!;
    const shared = arena.alloc(k * n)!;
    shared.set(rng.randn(k * n));
    const b = Float64Array.from(shared);
    const a = rng.randn(m * k);
    const want = new Float64Array(m * n);
    wasmGemm()!.gemm(m, n, k, view(a, 0, m, k), view(b, 0, k, n), want, 0, false);
    gemm(m, n, k, view(a, 0, m, k), view(shared, 0, k, n), shared, 0, false);
    expect(shared).toEqual(want);
  });

  it('a product whose packing does not fit the scratch space runs on the shared kernel, same bits', () => {
    const [m, n, k] = [32, 1024, 512];
    const arena = createArena(1024, 2 * (m * k + k * n + m * n))!; // 8 KB of scratch
    const o = operands(m, n, k, false, false);
    const want = Float64Array.from(o.c);
    wasmGemm()!.gemm(m, n, k, view(o.a, 0, m, k), view(o.b, 0, k, n), want, 0, false);
    const a = place(arena, o.a, true);
    const b = place(arena, o.b, true);
    const c = place(arena, o.c, true);
    gemm(m, n, k, view(a, 0, m, k), view(b, 0, k, n), c, 0, false);
    expect(firstDifference(c, want)).toBe(-1);
    const p = place(arena, o.b, true);
    const g = place(arena, o.a.subarray(0, 5000), false);
    const q = Float64Array.from(o.b);
    for (let i = 0; i < g.length; i++) q[i] += -0.5 * g[i];
    axpy(p.subarray(0, g.length), g, -0.5);
    expect(firstDifference(p, q)).toBe(-1);
  });

  it('axpy in the arena (the SGD step in place) equals the JS loop bit for bit', () => {
    const arena = createArena(1 << 14, 1 << 20)!;
    for (const n of [4096, 4099, 8192 * 3 + 5, 100_003]) {
      const p0 = rng.randn(n);
      const g0 = rng.randn(n);
      const want = Float64Array.from(p0);
      for (let i = 0; i < n; i++) want[i] += -0.01 * g0[i];
      const p = place(arena, p0, true);
      const g = place(arena, g0, true);
      axpy(p, g, -0.01);
      expect(firstDifference(p, want)).toBe(-1);
      expect(firstDifference(g, g0)).toBe(-1);
    }
  });

  it('the Adam step in the arena equals the JS loop bit for bit (odd lengths, both signs), and declines ordinary arrays', () => {
    const arena = createArena(1 << 10, 1 << 20)!;
    for (const n of [1, 2, 7, 4096, 10_001]) {
      for (const sign of [1, -1]) {
        const t = 3;
        const [beta1, beta2, lr, eps] = [0.9, 0.999, 1e-3, 1e-8];
        const k = { sign, beta1, c1: 1 - beta1, beta2, c2: 1 - beta2, stepSize: lr / (1 - beta1 ** t), bc2Sqrt: Math.sqrt(1 - beta2 ** t), eps };
        const p0 = rng.randn(n);
        const g0 = rng.randn(n);
        const m0 = rng.randn(n).map((x) => 0.1 * x);
        const v0 = rng.randn(n).map((x) => 0.01 * x * x);
        const [p, m, v] = [Float64Array.from(p0), Float64Array.from(m0), Float64Array.from(v0)];
        // The optimiser's loop (src/core/train/optim.ts), written out.
        for (let i = 0; i < n; i++) {
          const gi = sign * g0[i];
          const mi = m[i] * beta1 + gi * k.c1;
          const vi = v[i] * beta2 + gi * gi * k.c2;
          m[i] = mi;
          v[i] = vi;
          p[i] -= k.stepSize * (mi / (Math.sqrt(vi) / k.bc2Sqrt + eps));
        }
        const [pa, ga, ma, va] = [p0, g0, m0, v0].map((x) => place(arena, x, true));
        expect(adamStep(pa, ga, ma, va, k)).toBe(true);
        expect(firstDifference(pa, p)).toBe(-1);
        expect(firstDifference(ma, m)).toBe(-1);
        expect(firstDifference(va, v)).toBe(-1);
        expect(firstDifference(ga, g0)).toBe(-1);
        // One ordinary array: nothing is done, the caller runs its loop.
        const ordinary = Float64Array.from(m0);
        expect(adamStep(place(arena, p0, true), ga, ordinary, place(arena, v0, true), k)).toBe(false);
        expect(firstDifference(ordinary, m0)).toBe(-1);
      }
    }
  });

  it('alloc hands out zeroed, aligned, disjoint arrays until it is full, and they outlive any number of products', () => {
    const arena = createArena(1 << 13, 20_000)!;
    const c = arena.alloc(64 * 64)!;
    const xs: Float64Array[] = [];
    for (let n = 1; ; n += 97) {
      const x = arena.alloc(n);
      if (!x) break;
      expect(x.buffer).toBe(arena.buffer);
      expect(x.byteOffset % 64).toBe(0);
      expect(x.every((v) => v === 0)).toBe(true);
      x.fill(xs.length + 1);
      xs.push(x);
    }
    expect(xs.length).toBeGreaterThan(5);
    expect(arena.alloc(1e6)).toBeUndefined();
    for (let i = 0; i < xs.length; i++) expect(xs[i].every((v) => v === i + 1)).toBe(true); // disjoint
    // Many products through the arena's kernel, some falling back: its memory never grows, so
    // the arrays are still attached and hold what was written.
    const a = rng.randn(64 * 64);
    const want = new Float64Array(64 * 64);
    gemmReference(64, 64, 64, view(a, 0, 64, 64), view(a, 0, 64, 64), want, 0, false);
    for (let r = 0; r < 20; r++) {
      const size = r % 2 === 0 ? 64 : 16; // 64³ needs more packing space than the 8 K doubles: it falls back
      gemm(size, 64, size, view(a, 0, size, size), view(a, 0, size, 64), c, 0, false);
    }
    gemm(64, 64, 64, view(a, 0, 64, 64), view(a, 0, 64, 64), c, 0, false);
    for (let i = 0; i < c.length; i++) expect(Math.abs(c[i] - want[i])).toBeLessThan(1e-12);
    expect(c.byteLength).toBe(64 * 64 * 8);
    for (let i = 1; i < xs.length; i++) expect(xs[i].every((v) => v === i + 1)).toBe(true);
  });
});
