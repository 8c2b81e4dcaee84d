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
  torchModuleInit,
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

/** torchModuleInit over parameters given as [name, shape], flattened in order. */
const init = (g: TorchGenerator, type: string, ps: [string, number[]][]): number[] => torchModuleInit(g, type, ps.map(([name, shape]) => ({ name, shape })))!.flatMap((d) => [...d]);

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
    case 'convtranspose2d': {
      // weight [in, out/groups, k, k], bias [out] (PyTorch's layout and state_dict order).
      const [cin, cout, k] = a as [number, number, number];
      const groups = b.groups ?? 1;
      return init(g, 'ConvTranspose2d', [['weight', [cin, cout / groups, k, k]], ['bias', [cout]]]);
    }
    case 'embedding':
      return init(g, 'Embedding', [['weight', [a, b]]]);
    case 'lstm':
    case 'gru': {
      const [input, hidden] = a as [number, number];
      const gates = kind === 'lstm' ? 4 : 3;
      const layers: [string, number[]][] = [];
      for (let l = 0; l < (b.num_layers ?? 1); l++) {
        const inSize = l === 0 ? input : hidden;
        layers.push([`weight_ih_l${l}`, [gates * hidden, inSize]], [`weight_hh_l${l}`, [gates * hidden, hidden]], [`bias_ih_l${l}`, [gates * hidden]], [`bias_hh_l${l}`, [gates * hidden]]);
      }
      return init(g, kind === 'lstm' ? 'LSTM' : 'GRU', layers);
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

describe('Python: torch.manual_seed, torch.* draws and layer initialisation are PyTorch’s (torchrng.json)', () => {
  const out = (name: string, k = 0) => fixtures.cases.find((c) => c.name === name)!.outputs[k].data;
  const a = analyze(
    [
      'import torch',
      'import torch.nn as nn',
      'torch.manual_seed(0)',
      'm = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))',
      'w0 = m[0].weight',
      'b0 = m[0].bias',
      'w2 = m[2].weight',
      'b2 = m[2].bias',
      'x = torch.randn(2, 4)',
      'torch.manual_seed(0)',
      'ri = torch.randint(0, 10, (12,))',
      'torch.manual_seed(0)',
      'rp = torch.randperm(10)',
      'torch.manual_seed(2)',
      'conv = nn.Conv2d(4, 6, (3, 2), groups=2)',
      'cw = conv.weight',
      'cb = conv.bias',
      'torch.manual_seed(7)',
      'r64 = torch.rand(6, dtype=torch.float64)',
      'torch.manual_seed(2024)',
      'big = torch.randn(1000)',
      '',
    ].join('\n'),
    { languageId: 'python' },
  );
  const v = Object.fromEntries(a.values.map((x) => [x.name, x.data]));

  it('no diagnostics, not even the "own random numbers" note', () => {
    expect(a.diagnostics).toEqual([]);
  });
  it('nn.Sequential(Linear(4, 8), ReLU(), Linear(8, 3)) then torch.randn(2, 4)', () => {
    expect([...v.w0, ...v.b0, ...v.w2, ...v.b2]).toEqual(out('mlp_then_randn', 0));
    expect(v.x).toEqual(out('mlp_then_randn', 1));
  });
  it('randint, randperm, Conv2d with groups, float64 rand, randn(1000)', () => {
    expect(v.ri).toEqual(out('randint_0_10'));
    expect(v.rp).toEqual(out('randperm_10'));
    expect([...v.cw, ...v.cb]).toEqual(out('conv2d_groups'));
    expect(v.r64).toEqual(out('rand_float64'));
    expect(v.big).toEqual(out('randn_1000'));
  });
  it('LSTM, Embedding and ConvTranspose2d with groups are initialised as PyTorch does', () => {
    const b = analyze(
      'import torch\nimport torch.nn as nn\ntorch.manual_seed(6)\nlstm = nn.LSTM(4, 3)\nw = lstm.weight_ih_l0\ntorch.manual_seed(5)\nemb = nn.Embedding(10, 3)\ne = emb.weight\ntorch.manual_seed(4)\nct = nn.ConvTranspose2d(4, 6, 3, groups=2)\ncw = ct.weight\ncb = ct.bias\n',
      { languageId: 'python' },
    );
    const w = Object.fromEntries(b.values.map((x) => [x.name, x.data]));
    expect(b.diagnostics).toEqual([]);
    expect(w.w).toEqual(out('lstm_4_3').slice(0, 48)); // weight_ih_l0 is the first 12 × 4
    expect(w.e).toEqual(out('embedding_10_3'));
    expect([...w.cw, ...w.cb]).toEqual(out('convtranspose2d_groups'));
  });

  it('draws before any torch.manual_seed are marked as GradLens’s own numbers', () => {
    const b = analyze('import torch\nx = torch.randn(3)\n', { languageId: 'python' });
    expect(b.diagnostics.map((d) => d.severity)).toEqual(['info']);
    expect(b.diagnostics[0].message).toMatch(/^GradLens's own random numbers: no torch\.manual_seed/);
  });
});
