/**
 * The Python front end against CPython with PyTorch 1.13 / numpy: every program in
 * test/fixtures/torch/python/python.json (made by gen_python.py there) is analysed and its
 * prints, values, gradients, expectations and training losses compared with what Python gave.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../src/core/index';
import type { Analysis } from '../../../src/core/analysis';

const fx = JSON.parse(readFileSync(join(__dirname, '../../fixtures/torch/python/python.json'), 'utf8')) as {
  programs: Record<string, { source: string; stdout?: string } & Record<string, unknown>>;
};
const P = fx.programs;

function run(name: string): Analysis {
  return analyze(P[name].source, { languageId: 'python' });
}
const stdout = (a: Analysis): string => (a.prints ?? []).map((p) => p.text + '\n').join('');
const value = (a: Analysis, name: string): number[] => {
  const vs = a.values.filter((v) => v.name === name);
  return vs[vs.length - 1].data;
};
const errors = (a: Analysis) => a.diagnostics.filter((d) => d.severity === 'error');

describe('Python programs against PyTorch 1.13 / numpy / CPython', () => {
  it('homework T1 with torch.tensor(requires_grad=True) and .backward(): values and gradients (PyTorch)', () => {
    const a = run('t1');
    expect(errors(a)).toEqual([]);
    expect(stdout(a)).toBe(P.t1.stdout);
    for (const k of ['L', 'a', 'z', 'gw0', 'gw1', 'gb']) expect(value(a, k)[0]).toBeCloseTo(P.t1[k] as number, 14);
    // The lines that read .grad carry the gradients.
    const g = a.gradients.find((x) => x.wrt === 'w0');
    expect(g?.of).toBe('L');
    expect(g?.data[0]).toBeCloseTo(P.t1.gw0 as number, 14);
  });

  it('the homework MLP as an nn.Module class and as nn.Sequential: 557,057 parameters and the layer table (PyTorch, homework T2/T3)', () => {
    const a = run('mlp');
    expect(errors(a)).toEqual([]);
    expect(P.mlp.n_module).toBe(557057);
    expect(value(a, 'n_module')).toEqual([557057]);
    expect(value(a, 'n_seq')).toEqual([557057]);
    expect(stdout(a)).toBe(P.mlp.stdout);
    const net = a.networks.find((n) => n.name === 'model')!;
    expect(net.params).toBe(557057);
    expect(net.paramFormula).toBe('(30 + 1) × 1024 + (1024 + 1) × 512 + (512 + 1) × 1');
    const seq = a.networks.find((n) => n.name === 'seq')!;
    expect(seq.layers.map((l) => l.params)).toEqual([31744, 0, 524800, 0, 513, 0]);
  });

  it('torchinfo.summary prints the table with the output sizes 32,768 / 16,384 / 32 (homework T2)', () => {
    const src = P.mlp.source + 'from torchinfo import summary\nsummary(seq, input_size=(32, 30))\n';
    const a = analyze(src, { languageId: 'python' });
    const table = (a.prints ?? []).map((p) => p.text).find((t) => t.includes('Total params'))!;
    expect(table).toContain('557,057');
    expect(table).toMatch(/\[32, 1024\]/);
    expect(table).toMatch(/\[32, 512\]/);
    expect(table).toMatch(/\[32, 1\]/);
    // The layer table's sizes per example batch N: 1024·N, 512·N and N, i.e. 32,768 / 16,384 / 32 at N = 32 (T2).
    const seq = a.networks.find((n) => n.name === 'seq')!;
    expect(seq.layers.filter((l) => l.type === 'Linear').map((l) => l.outputSize)).toEqual(['1024·N', '512·N', 'N']);
  });

  it('a numpy from-scratch MLP: the hand-written backward equals autodiff (# expect), values equal numpy', () => {
    const a = run('numpy_mlp');
    expect(errors(a)).toEqual([]);
    expect(a.expectations.map((e) => e.passed)).toEqual([true, true, true]);
    expect(value(a, 'loss')[0]).toBeCloseTo(P.numpy_mlp.loss as number, 12);
    expect(value(a, 'dW1')).toEqual((P.numpy_mlp.dW1 as number[][]).flat().map((x) => expect.closeTo(x, 12)));
    expect(stdout(a)).toBe(P.numpy_mlp.stdout);
  });

  it('a wrong hand-written backward fails its # expect and names the element that differs', () => {
    const src = (P.numpy_mlp.source as string).replace('dW1 = X.T @ dh_pre', 'dW1 = X.T @ dh');
    const a = analyze(src, { languageId: 'python' });
    expect(a.expectations[0].passed).toBe(false);
    const d = errors(a).find((x) => x.code === 'expect.failed')!;
    expect(d.message).toMatch(/element \d+/);
  });

  it('a training loop with torch.optim.SGD(momentum=0.9): the losses of every step equal PyTorch to 1e-9', () => {
    const a = analyze(P.sgd.source + 'W_final = W.detach()\n', { languageId: 'python' });
    expect(errors(a)).toEqual([]);
    const want = P.sgd.losses as number[];
    const t = a.trainings![0];
    expect(t.stepLosses.length).toBe(20);
    t.stepLosses.forEach((l, k) => expect(Math.abs(l - want[k])).toBeLessThan(1e-9));
    expect(value(a, 'W_final')).toEqual((P.sgd.W as number[][]).flat().map((x) => expect.closeTo(x, 9)));
  });

  it("a student's micrograd Value class runs with its operator methods (CPython's output)", () => {
    const a = run('micrograd');
    expect(errors(a)).toEqual([]);
    expect(stdout(a)).toBe(P.micrograd.stdout);
  });

  it("print and f-strings on ints and floats print what CPython prints", () => {
    const a = run('prints');
    expect(stdout(a)).toBe(P.prints.stdout);
  });

  it('ordinary Python outside the subset gives no error and no crash, only quiet hints', () => {
    const a = run('ordinary');
    expect(a.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(a.diagnostics.some((d) => /pandas/.test(d.message))).toBe(true);
    // The class with dunder magic runs: corner = 50.
    expect(value(a, 'corner')).toEqual([50]);
  });

  it('a half-typed line loses only itself: the lines after it are still read', () => {
    const a = analyze('import numpy as np\nW1 = np.random.randn(3,\nif True:\n    z = 2 + 3\nq = z * 2\n', { languageId: 'python' });
    expect(errors(a)).toEqual([]);
    expect(value(a, 'q')).toEqual([10]);
  });

  it('a shape mismatch keeps its error severity with both shapes', () => {
    const a = analyze('import numpy as np\nA = np.ones((2, 3))\nB = np.ones((2, 3))\nC = A @ B\nD = C + 1\n', { languageId: 'python' });
    const e = errors(a);
    expect(e.length).toBe(1);
    expect(e[0].message).toMatch(/\[2, 3\]/);
  });
});

describe("PyTorch's generator in Python files (torchRng.ts)", () => {
  it('torch.manual_seed + torch.randn/rand/randint/randperm and nn.Linear init equal PyTorch 1.13 (float32 draws)', () => {
    const a = run('seeded');
    expect(errors(a)).toEqual([]);
    expect(a.diagnostics.filter((d) => /own random/.test(d.message))).toEqual([]);
    for (const k of ['a', 'W', 'bias', 'perm', 'ints', 'r']) expect(value(a, k)).toEqual(P.seeded[k]);
    // Computed in float64 from the same float32 values: PyTorch's float32 forward agrees to ~1e-7.
    value(a, 'out').forEach((x, i) => expect(x).toBeCloseTo((P.seeded.out as number[])[i], 6));
    expect(value(a, 'gW')).toEqual((P.seeded.gW as number[]).map((x) => expect.closeTo(x, 6)));
  });

  it('an nn.Module subclass trained with Adam: the .grad of a layer and the final loss equal PyTorch (float64 training)', () => {
    const a = run('adam');
    expect(errors(a)).toEqual([]);
    expect(value(a, 'g_hidden')).toEqual((P.adam.g_hidden as number[]).map((x) => expect.closeTo(x, 12)));
    expect(value(a, 'final')[0]).toBeCloseTo(P.adam.final as number, 12);
    expect(a.trainings![0].steps).toBe(10);
    expect(a.networks.find((n) => n.name === 'net')?.params).toBe(13);
  });
});

describe('numpy from scratch and everyday Python (numpy / CPython)', () => {
  it('softmax cross-entropy: one-hot by Y[arange(N), y] = 1, -log(P[arange(N), y]) with its gradient, the hand-written backward (# expect)', () => {
    const a = run('softmax_numpy');
    expect(errors(a)).toEqual([]);
    expect(a.expectations.map((e) => e.passed)).toEqual([true, true, true, true]);
    expect(stdout(a)).toBe(P.softmax_numpy.stdout);
  });

  it("the numpy/PyTorch vocabulary (std/var with each library's default, clip, where, concatenate, None, squeeze): numpy's and PyTorch's output", () => {
    const a = run('vocab');
    expect(a.diagnostics).toEqual([]);
    expect(stdout(a)).toBe(P.vocab.stdout);
  });

  it('lists, dicts, sets, closures, classes, *args/**kwargs, while/break, backward with a gradient argument: the same output as CPython', () => {
    const a = run('semantics');
    expect(errors(a)).toEqual([]);
    expect(stdout(a)).toBe(P.semantics.stdout);
  });
});
