/**
 * Integer dtypes, `requires_grad=True` on constructors, `a[i] op= v`, `X.dot(W)`, `np.round(x, d)`,
 * CPython's `random` module and micrograd, as student code meets them: each program of test/fixtures/torch/python/student.json (made by gen_student.py there with
 * CPython, numpy 1.24 and PyTorch 1.13) prints exactly what Python printed.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze, analyzeNotebookFull } from '../../../src/core/index';

const fx = JSON.parse(readFileSync(join(__dirname, '../../fixtures/torch/python/student.json'), 'utf8')) as {
  programs: Record<string, { source: string; stdout: string }>;
};

describe('student programs against CPython / numpy / PyTorch', () => {
  it.each(Object.keys(fx.programs))('%s prints what Python printed', (name) => {
    const p = fx.programs[name];
    const a = analyze(p.source, { languageId: 'python' });
    expect(a.diagnostics).toEqual([]);
    expect((a.prints ?? []).map((x) => x.text + '\n').join('')).toBe(p.stdout);
  });

  it('an integer tensor cannot require gradients, as in PyTorch', () => {
    const a = analyze('import torch\nr = torch.arange(3, requires_grad=True)\n', { languageId: 'python' });
    expect(a.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining('Only Tensors of floating point dtype can require gradients'));
  });

  it('a draw before random.seed says the numbers are GradLens\'s own (CPython seeds from the system)', () => {
    const a = analyze('import random\nx = random.random()\nrandom.seed(1)\ny = random.random()\n', { languageId: 'python' });
    const hints = a.diagnostics.filter((d) => d.message.includes("GradLens's own random numbers"));
    expect(hints.map((d) => d.span.start)).toEqual(['import random\nx = random.'.length]);
    // CPython 3.11: random.seed(1); random.random()
    expect(a.values.find((v) => v.name === 'y')!.data).toEqual([0.13436424411240122]);
  });

  it('# expect reads PyTorch spellings: h.grad after one backward() is grad(L, h), L.item() is L', () => {
    const src = [
      'import torch',
      'import torch.nn.functional as F',
      'h = torch.tensor([1.0, 2.0, 0.5], requires_grad=True)',
      'y = torch.tensor([0.0, 1.0, 0.0])',
      'p = F.softmax(h, dim=0)',
      'L = -(y * torch.log(p)).sum()',
      'L.backward()',
      '# expect h.grad == p - y',
      '# expect L.item() == 0.4643688 within 1e-6',
      '# expect h.grad == y - p',
      '',
    ].join('\n');
    const a = analyze(src, { languageId: 'python' });
    // ∂L/∂h = softmax(h) − y for cross-entropy with a one-hot y (homework 4's softmax question);
    // L = −ln softmax(h)₁ = ln(e + e² + e^0.5) − 2 = 0.46436879… (by hand).
    expect(a.expectations.map((e) => e.passed)).toEqual([true, true, false]);
    expect(a.expectations[2].diagnosis?.map((d) => d.code)).toContain('sign-flip');
    const first = a.expectations[0].span;
    expect(src.slice(first.start, first.end)).toContain('h.grad == p - y');
  });

  it('a skipped call that would change its object in place makes it unknown, never stale', () => {
    // `weird_op_` is not a PyTorch method GradLens knows, and `foo` is not a module it follows.
    const src = 'import torch\nimport foo\nx = torch.ones(3)\nx.weird_op_(2)\nprint(x)\nlosses = [1.0]\nlosses.append(foo.bar())\nprint(len(losses))\ny = torch.ones(2)\ny.zero_()\nprint(y)\n';
    const a = analyze(src, { languageId: 'python' });
    // Python would print x after weird_op_ and a list of 2: GradLens prints neither rather than a wrong value.
    expect((a.prints ?? []).map((p) => [p.line, p.text])).toEqual([[10, 'tensor([0., 0.])']]);
  });

  it("a notebook cell's last expression is displayed as Jupyter's Out, unless it is None or ends with ;", () => {
    const cells = ['import numpy as np\nx = np.arange(3)\nx.shape, 2.5', 'x * 2', 'y = 1\ny;', "print('hi')", 'x.sum()', 'None'];
    const json = JSON.stringify({ cells: cells.map((source) => ({ cell_type: 'code', metadata: {}, outputs: [], execution_count: null, source })), metadata: {}, nbformat: 4, nbformat_minor: 5 });
    const { full, program } = analyzeNotebookFull(json);
    const shown = (full.analysis.prints ?? []).map((p) => [program.cells.findIndex((c) => p.span.start >= c.start && p.span.start <= c.end), p.text]);
    // Jupyter with numpy 1.24: Out[1] ((3,), 2.5), Out[2] array([0, 2, 4]), nothing for `y;`, hi, Out[5] 3, nothing for None.
    expect(shown).toEqual([[0, '((3,), 2.5)'], [1, 'array([0, 2, 4])'], [3, 'hi'], [4, '3']]);
  });

  it('tqdm progress bars iterate what they wrap (a training loop under tqdm runs)', () => {
    const src = 'from tqdm import tqdm\nfrom tqdm.auto import trange\nimport tqdm as tq\ntotal = 0\nfor i in tqdm(range(5), desc="epochs"):\n    total += i\nfor j in trange(3):\n    total += 10 * j\nfor k in tq.tqdm([1, 2], leave=False):\n    total += 100 * k\nprint(total)\n';
    const a = analyze(src, { languageId: 'python' });
    expect(a.diagnostics).toEqual([]);
    // By hand: (0+1+2+3+4) + 10·(0+1+2) + 100·(1+2) = 10 + 30 + 300.
    expect(a.prints?.map((p) => p.text)).toEqual(['340']);
  });
});
