/**
 * PyTorch's CPU generator against PyTorch 1.13 itself: every value of torchrng.json was printed by
 * torch (gen_torchrng.py, Debian's python3-torch on x86-64 with AVX2) and must be equal bit for bit,
 * except where noted (float64 Gaussians of 16+ elements: the double sin/cos of the JavaScript engine).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  TorchGenerator,
  float32Differs,
  fmaf,
  logf,
  sincosf,
  torchLayerInit,
  torchRand,
  torchRandint,
  torchRandn,
  torchRandperm,
} from '../../../src/core/tensor/torchRng';
import { analyze } from '../../../src/core/index';

type Call = [string, ...any[]];
interface Case {
  name: string;
  seed: number;
  calls: Call[];
  outputs: { dtype: string; data: number[] }[];
}
const file = fileURLToPath(new URL('../../fixtures/torch/torchrng/torchrng.json', import.meta.url));
const fixtures = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);
const params = (...ps: { weight: Float64Array; bias?: Float64Array }[]): number[] => ps.flatMap((p) => [...p.weight, ...(p.bias ?? [])]);

/** Runs one fixture call the way gen_torchrng.py ran it in PyTorch. */
function run(g: TorchGenerator, call: Call): number[] {
  const [kind, a, b, c] = call;
  switch (kind) {
    case 'rand':
      return [...torchRand(g, count(a), b ?? 'float32')];
    case 'randn':
      return [...torchRandn(g, count(a), b ?? 'float32')];
    case 'randint':
      return [...torchRandint(g, a, b, count(c))];
    case 'randperm':
      return [...torchRandperm(g, a)];
    case 'linear':
      return params(torchLayerInit(g, [b, a], c));
    case 'conv1d':
    case 'conv2d': {
      const [cin, cout, k] = a as [number, number, number | number[]];
      const groups = b.groups ?? 1;
      const kernel = Array.isArray(k) ? k : kind === 'conv1d' ? [k] : [k, k];
      return params(torchLayerInit(g, [cout, cin / groups, ...kernel], b.bias ?? true));
    }
    case 'sequential':
      return params(...(a as [number, number | null][]).filter(([, out]) => out !== null).map(([i, o]) => torchLayerInit(g, [o as number, i], true)));
  }
  throw new Error(`unknown call ${kind}`);
}

describe('torchRng against PyTorch 1.13 (torchrng.json)', () => {
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const g = new TorchGenerator();
      g.manualSeed(c.seed);
      c.calls.forEach((call, k) => {
        const got = run(g, call);
        const want = c.outputs[k].data;
        expect(got.length).toBe(want.length);
        if (call[0] === 'randn' && call[2] === 'float64' && want.length >= 16) {
          // Documented: glibc's double sin/cos vs the JS engine's, at most one ulp apart.
          got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -52));
        } else {
          expect(got).toEqual(want);
        }
      });
    });
  }

  it('covers both randn paths and every init', () => {
    const names = fixtures.cases.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['randn_15', 'randn_16', 'randn_1000', 'linear_30_16', 'conv2d_groups', 'conv1d']));
  });
});

describe('torch generator details', () => {
  it('the famous first numbers: torch.manual_seed(0); torch.rand(3), torch.randn(3) (PyTorch 1.13)', () => {
    const g = new TorchGenerator();
    g.manualSeed(0);
    expect([...torchRand(g, 3)]).toEqual([0.49625658988952637, 0.7682217955589294, 0.08847743272781372]);
    g.manualSeed(0);
    expect([...torchRandn(g, 3)]).toEqual([1.5409960746765137, -0.293428897857666, -2.1787893772125244]);
  });

  it('manual_seed clears the cached Gaussian and restarts the stream', () => {
    const g = new TorchGenerator();
    g.manualSeed(0);
    const first = torchRandn(g, 1)[0];
    g.manualSeed(0);
    expect(torchRandn(g, 1)[0]).toBe(first);
    expect(g.seeded).toBe(true);
    expect(new TorchGenerator().seeded).toBe(false);
  });

  it('keeps the low 32 bits of a large seed, as MT19937 does (2^32 + 5 ≡ 5)', () => {
    const a = new TorchGenerator();
    a.manualSeed(2 ** 32 + 5);
    const b = new TorchGenerator();
    b.manualSeed(5);
    expect([...torchRand(a, 4)]).toEqual([...torchRand(b, 4)]);
  });

  it('fmaf rounds once: (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly (hand derivation)', () => {
    const a = 1 + 2 ** -23;
    const b = 1 - 2 ** -23;
    expect(fmaf(a, b, -1)).toBe(-(2 ** -46));
    // Two roundings lose it: the product rounds to 1 in float32.
    expect(Math.fround(Math.fround(a * b) - 1)).toBe(0);
  });

  it('fmaf breaks a float32 tie by the part double arithmetic dropped (hand derivation)', () => {
    // (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24 lies exactly half-way between the floats 1 + 2^-11 and
    // 1 + 2^-11 + 2^-23; adding ±2^-80 vanishes in double but decides the single rounding.
    const a = 1 + 2 ** -12;
    expect(fmaf(a, a, 2 ** -80)).toBe(1 + 2 ** -11 + 2 ** -23);
    expect(fmaf(a, a, -(2 ** -80))).toBe(1 + 2 ** -11);
    expect(Math.fround(a * a + 2 ** -80)).toBe(1 + 2 ** -11); // double then float: ties to even
    expect(fmaf(-a, a, -(2 ** -80))).toBe(-(1 + 2 ** -11 + 2 ** -23));
  });

  it('logf and sincosf stay within a few float ulps of the true functions', () => {
    for (const x of [1e-7, 0.001, 0.3, 0.7071, 0.9, 1]) expect(Math.abs(logf(x) - Math.log(x))).toBeLessThan(4e-7 * Math.max(1, Math.abs(Math.log(x))));
    for (const t of [0, 0.1, 1, 2, 3, 4, 5, 6.28]) {
      const [s, c] = sincosf(Math.fround(t));
      expect(Math.abs(s - Math.sin(Math.fround(t)))).toBeLessThan(3e-7);
      expect(Math.abs(c - Math.cos(Math.fround(t)))).toBeLessThan(3e-7);
    }
  });

  it('float32Differs: 0.1 + 0.2 shows the same at 6 digits, differs at 10 (float32 0.3 = 0.300000011920929)', () => {
    expect(float32Differs(0.1 + 0.2, 6)).toBe(false);
    expect(float32Differs(0.1 + 0.2, 10)).toBe(true);
    expect(float32Differs(0.5, 17)).toBe(false);
    expect(float32Differs(1e39, 4)).toBe(true); // overflows float32
  });
});

describe('.nn: torch_randn / torch_rand (docs/language.md)', () => {
  const values = (text: string) => Object.fromEntries(analyze(text).values.map((v) => [v.name, v.data]));

  it('with seed= equal torch.manual_seed(S) then torch.randn / torch.rand (PyTorch 1.13)', () => {
    const v = values('a = torch_rand(3, seed=0)\nb = torch_randn(3, seed=0)\nc = torch_randn(2, 3, seed=42)\n');
    expect(v.a).toEqual([0.49625658988952637, 0.7682217955589294, 0.08847743272781372]);
    expect(v.b).toEqual([1.5409960746765137, -0.293428897857666, -2.1787893772125244]);
    // torch.manual_seed(42); torch.randn(5) begins 0.3367, 0.1288, 0.2345 (fixture randn_5_seed42).
    const five = fixtures.cases.find((c) => c.name === 'randn_5_seed42')!.outputs[0].data;
    expect(v.c.slice(0, 5)).toEqual(five);
  });

  it('without seed= draw in order from one stream, as after torch.manual_seed(0) at the top', () => {
    const v = values('a = torch_randn(1)\nb = torch_randn(1)\nc = torch_randn(1)\n');
    const want = fixtures.cases.find((c) => c.name === 'randn_1_then_1')!.outputs.map((o) => o.data[0]);
    expect([v.a[0], v.b[0], v.c[0]]).toEqual(want);
  });

  it('a negative seed is an error on the seed', () => {
    const a = analyze('a = torch_randn(2, seed=-1)\n');
    expect(a.diagnostics.map((d) => d.code)).toEqual(['call.bad-argument']);
  });
});
