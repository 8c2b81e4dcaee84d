/**
 * Issue #15, "Work": every operation is charged before it runs; one that would pass the budget is
 * not started and gets `budget.exceeded` on its own range. The repros of the issue are inputs.
 * Counts are hand derivations (noted beside each).
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';

const EDITOR_BUDGET = 5e7; // package.json: gradlens.analysis.workBudget's default

function timed<T>(f: () => T): { r: T; ms: number } {
  const t0 = performance.now();
  const r = f();
  return { r, ms: performance.now() - t0 };
}

describe('charged before it runs', () => {
  it('ones(5000,5000) @ ones(5000,5000): the matmul (1.25e11 MACs) is not started; budget.exceeded on the product', () => {
    const text = 'a = ones(5000,5000) @ ones(5000,5000)\nb = 1\n';
    const { r: a } = timed(() => analyze(text, { budget: EDITOR_BUDGET }));
    const d = a.diagnostics.find((x) => x.code === 'budget.exceeded')!;
    expect(d).toBeDefined();
    expect(text.slice(d.span.start, d.span.end)).toBe('ones(5000,5000) @ ones(5000,5000)');
    // The two constructors (2 × 25,000,000 elements) fit the budget exactly; nothing beyond it was spent.
    expect(a.stats.work).toBe(5e7);
    expect(a.values).toEqual([]);
  });

  it('a constructor past the budget is refused before it allocates', () => {
    const text = 'x = 1\nbig = ones(5000, 5000)\n';
    const a = analyze(text, { budget: 1e6 });
    const d = a.diagnostics.find((x) => x.code === 'budget.exceeded')!;
    expect(text.slice(d.span.start, d.span.end)).toBe('ones(5000, 5000)');
    expect(a.values.map((v) => v.name)).toEqual(['x']);
    expect(a.stats.work).toBeLessThanOrEqual(1e6);
  });

  it('Linear(4, 99999999) then param n.0.bias = 1: no 400-million-value draw; budget.exceeded on the param line', () => {
    const text = 'network n\n  input [2, 4]\n  Linear(4, 99999999)\nparam n.0.bias = 1\n';
    const { r: a, ms } = timed(() => analyze(text, { budget: EDITOR_BUDGET }));
    expect(ms).toBeLessThan(10_000);
    // (4 + 1) × 99,999,999 = 499,999,995 parameters (PyTorch's count for nn.Linear(4, 99999999)).
    expect(a.networks[0].params).toBe(499_999_995);
    const d = a.diagnostics.find((x) => x.code === 'budget.exceeded')!;
    expect(text.slice(d.span.start, d.span.end)).toBe('param n.0.bias = 1');
    expect(a.stats.work).toBeLessThanOrEqual(EDITOR_BUDGET);
  });

  it('running that network is refused on its call (the initialisation is charged)', () => {
    const text = 'network n\n  input [2, 4]\n  Linear(4, 99999999)\ny = sum(n(ones(2, 4)))\n';
    const a = analyze(text, { budget: EDITOR_BUDGET });
    const d = a.diagnostics.find((x) => x.code === 'budget.exceeded')!;
    expect(text.slice(d.span.start, d.span.end)).toBe('n(ones(2, 4))');
  });

  it('param n.0.bias = 1 sets the bias without drawing it (values: PyTorch semantics, bias filled with 1)', () => {
    const a = analyze('network n\n  input [1, 2]\n  Linear(2, 3)\nparam n.0.bias = 1\nparam n.0.weight = [[1, 0], [0, 1], [1, 1]]\ny = n([[2, 5]])\n');
    expect(a.diagnostics).toEqual([]);
    // y = W x + b = [2, 5, 7] + 1 (hand derivation).
    expect(a.values.find((v) => v.name === 'y')!.data).toEqual([3, 6, 8]);
  });

  it('a backward pass is estimated and charged before it runs (grad refused; the values stay)', () => {
    // Forward: randn 90,000 + its leaf copy 90,000 + matmul 300³ = 27,000,000 + identity + sum;
    // the backward pass would be about twice the matmul: past a 40,000,000 budget.
    const text = 'x = randn(300, 300, seed=1)\ny = sum(x @ x)\ngrad y wrt x\n';
    const a = analyze(text, { budget: 4e7 });
    const d = a.diagnostics.find((x) => x.code === 'budget.exceeded')!;
    expect(text.slice(d.span.start, d.span.end)).toBe('grad y wrt x');
    expect(a.values.map((v) => v.name)).toEqual(['x', 'y']);
    expect(a.gradients).toEqual([]);
    expect(a.stats.work).toBeLessThanOrEqual(4e7);
    // With room for it, the same document differentiates.
    expect(analyze(text, { budget: 1e8 }).gradients).toHaveLength(1);
  });

  it('load_csv: parsing is charged before it runs (a character is a unit)', () => {
    const csv = '1,2,3\n'.repeat(200_000);
    const text = 'D = load_csv("big.csv")\n';
    const a = analyze(text, { budget: 1e6, readFile: () => csv });
    const d = a.diagnostics.find((x) => x.code === 'budget.exceeded')!;
    expect(text.slice(d.span.start, d.span.end)).toBe('load_csv("big.csv")');
    expect(a.stats.work).toBeLessThanOrEqual(1e6);
  });

  it('a deep recurrent layer (LSTM, 1,000 layers) is stopped by the budget, op by op, quickly', () => {
    const text = 'network n\n  input [50, 3]\n  LSTM(3, 64, num_layers=1000)\ny = sum(n(ones(50, 3)))\n';
    const { r: a, ms } = timed(() => analyze(text, { budget: EDITOR_BUDGET }));
    expect(ms).toBeLessThan(20_000);
    expect(a.diagnostics.map((d) => d.code)).toContain('budget.exceeded');
    expect(a.stats.work).toBeLessThanOrEqual(EDITOR_BUDGET);
  });

  it('a convolution with a large output is refused before it runs', () => {
    const text = 'network c\n  input [1, 3, 1000, 1000]\n  Conv2d(3, 512, 11, padding=5)\ny = sum(c(ones(1, 3, 1000, 1000)))\n';
    const { r: a, ms } = timed(() => analyze(text, { budget: EDITOR_BUDGET }));
    expect(ms).toBeLessThan(20_000);
    expect(a.diagnostics.map((d) => d.code)).toContain('budget.exceeded');
    expect(a.stats.work).toBeLessThanOrEqual(EDITOR_BUDGET);
  });

  it('max pooling is charged for its windows', () => {
    // zeros: 1,000,000; MaxPool1d(1000) on [1, 1, 1000000]: the input 1,000,000 + 1,000 outputs ×
    // 1,000-wide windows = 2,000,000; sum of its 1,000 outputs: 1,000. In all 3,001,000 (by hand).
    const text = 'network p\n  input [1, 1, 1000000]\n  MaxPool1d(1000)\ny = sum(p(zeros(1, 1, 1000000)))\n';
    const a = analyze(text, { budget: 1e8, valuesOnly: true });
    expect(a.diagnostics).toEqual([]);
    expect(a.stats.work).toBe(3_001_000);
  });
});
