import { describe, expect, it } from 'vitest';
import type { Analysis, CheckInfo, ExpectationInfo, GradientInfo, LayerInfo, NetworkInfo, ValueInfo } from '../../../src/core/analysis';
import { checkLens, expectationLens, formatValue, gradientsOf, layerLens, networkLens, float32Note, printLens, statusSummary, valueLens } from '../../../src/extension/render';
import { analyze } from '../../../src/core/index';

const span = { start: 0, end: 1 };

describe('CodeLens text', () => {
  it('shows scalars rounded, tensors as shape plus a preview', () => {
    expect(formatValue([], [0.6200000000000001], 4)).toBe('0.62');
    expect(formatValue([3], [2, 1, 0.1], 4)).toBe('[3] [2, 1, 0.1]');
    expect(formatValue([2, 4], [1, 2, 3, 4, 5, 6, 7, 8], 4)).toBe('[2, 4] [1, 2, 3, 4, 5, 6, …]');
  });

  it('puts requested gradients beside a binding', () => {
    const v: ValueInfo = { name: 'w0', line: 1, span, nameSpan: span, shape: [], data: [0.3], isParam: true, isLeaf: true, grads: [{ of: 'z', shape: [], data: [-0.2] }] };
    expect(valueLens(v, 4)).toBe('param w0 = 0.3   ∂z/∂w0 = -0.2');
    expect(valueLens(v, 4, [])).toBe('param w0 = 0.3');
  });

  it('finds the gradients of a binding from grad lines, for the binding the grad line sees', () => {
    const value = (name: string, line: number): ValueInfo => ({ name, line, span, nameSpan: span, shape: [], data: [line], isParam: false, isLeaf: true });
    const grad = (wrt: string, line: number, d: number): GradientInfo => ({ of: 'z', wrt, line, span, wrtSpan: span, shape: [], data: [d] });
    const a = { values: [value('w', 0), value('z', 1), value('w', 5)], gradients: [grad('w', 3, 1), grad('w', 7, 2)] } as unknown as Analysis;
    expect(gradientsOf(a, 0).map((g) => g.data[0])).toEqual([1]);
    expect(gradientsOf(a, 2).map((g) => g.data[0])).toEqual([2]);
    expect(gradientsOf(a, 1)).toEqual([]);
  });

  it('marks checks and expectations ✓ or ✗ with the error', () => {
    const c: CheckInfo = { of: 'z', wrt: 'w0', line: 3, span, maxRelError: 2.9e-11, passed: true, kinks: 0, tolerance: 1e-6 };
    expect(checkLens(c)).toBe('✓ check ∂z/∂w0: rel. error 2.9e-11');
    expect(checkLens({ ...c, passed: false, maxRelError: 0.5, kinks: 1 })).toBe('✗ check ∂z/∂w0: rel. error 0.5 > 1e-6, 1 at a kink');
    const e: ExpectationInfo = { line: 4, span, passed: false, maxError: 0.1, tolerance: 1e-6, left: { text: 'grad(z, w0)', shape: [], data: [-0.2] }, right: { text: '-0.1', shape: [], data: [-0.1] } };
    expect(expectationLens(e, 4)).toBe('✗ grad(z, w0) = -0.2, expected -0.1 (error 0.1)');
    expect(expectationLens({ ...e, passed: true, maxError: 0 }, 4)).toBe('✓ holds (error 0)');
  });

  it('gives layers their output shape, size and parameter formula; networks their totals', () => {
    const l: LayerInfo = { index: 0, label: 'A', type: 'Linear', line: 3, span, inputShape: [32, 30], outputShape: [32, 1024], outputSize: 32768, params: 31744, paramFormula: '(30 + 1) × 1024', macs: 983040, multAdds: 1015808 };
    expect(layerLens(l)).toBe('A: Linear → [32, 1024] · 32,768 values · 31,744 params = (30 + 1) × 1024');
    expect(layerLens({ ...l, label: null, type: 'ReLU', params: 0, paramFormula: '0', inputShape: ['N', 30], outputShape: ['N', 30], outputSize: '30·N' })).toBe('ReLU → [N, 30] · 30·N values · no params');
    const n = { name: 'mlp', params: 557057, inputShape: [32, 30], outputShape: [32, 1], totalMacs: 556032 } as unknown as NetworkInfo;
    expect(networkLens(n)).toBe('mlp: 557,057 params · [32, 30] → [32, 1] · 556,032 MACs');
  });
});

describe('status bar', () => {
  const empty: Analysis = { version: 1, diagnostics: [], values: [], gradients: [], checks: [], expectations: [], networks: [], symbols: [], graph: { nodes: [], edges: [] }, stats: { nodes: 0, work: 0 } };

  it('is empty for a file with nothing to summarise', () => {
    expect(statusSummary(empty)).toBeUndefined();
  });

  it('shows the parameter total and how many checks and expectations hold', () => {
    const s = statusSummary({
      ...empty,
      networks: [{ name: 'mlp', params: 557057 } as unknown as NetworkInfo],
      checks: [{ passed: true } as CheckInfo],
      expectations: [{ passed: false } as ExpectationInfo],
    });
    expect(s?.text).toBe('557,057 params · ✗ 1/2');
    expect(s?.failed).toBe(true);
  });
});

describe('float32Note (the hover note on PyTorch tensors)', () => {
  // torch.tensor(0.1) * 3 is 0.30000000000000004 in float64; PyTorch's float32 gives 0.3000000119.
  const a = analyze('import torch\nimport numpy as np\nx = torch.tensor(0.1) * 3\nn = np.array(0.1) * 3\nk = torch.tensor(2.0)\n', { languageId: 'python' });
  const at = (name: string) => a.values.find((v) => v.name === name)!.nameSpan;

  it('says what PyTorch would show when float32 changes the shown digits (10 digits: 0.3000000119 vs 0.3)', () => {
    expect(float32Note(a, at('x'), 10)).toBe('_PyTorch keeps this tensor in float32 and would show 0.3000000119 (here 0.3): GradLens computes in float64._');
  });
  it('is silent at 4 digits, for numpy arrays and for exact float32 values', () => {
    expect(float32Note(a, at('x'), 4)).toBeUndefined();
    expect(float32Note(a, at('n'), 10)).toBeUndefined();
    expect(float32Note(a, at('k'), 17)).toBeUndefined();
  });
});

describe('printLens', () => {
  it('puts a print on one line: lines joined by ⏎, cut at 120 characters', () => {
    expect(printLens('[[ 1.  -2. ]\n [ 0.5  3. ]]')).toBe('▸ [[ 1.  -2. ] ⏎ [ 0.5  3. ]]');
    expect(printLens('x'.repeat(200))).toHaveLength(120);
  });
});
