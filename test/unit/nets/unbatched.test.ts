import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';

describe('unbatched inputs run as a batch of one (as PyTorch)', () => {
  it('Conv2d + MaxPool2d on [C, H, W] equals the batched [1, C, H, W] result without its first axis', () => {
    const net = 'network c\n  input [3, 8, 8]\n  Conv2d(3, 4, 3)\n  ReLU\n  MaxPool2d(2)\n';
    const a = analyze(`${net}X = randn(3, 8, 8, seed=0)\nY = c(X)\nXb = reshape(X, 1, 3, 8, 8)\nYb = c(Xb)\nL = sum(Y)\ngrad L wrt c.0.weight\n`);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const Y = a.values.find((v) => v.name === 'Y')!;
    const Yb = a.values.find((v) => v.name === 'Yb')!;
    expect(Y.shape).toEqual([4, 3, 3]);
    expect(Yb.shape).toEqual([1, 4, 3, 3]);
    expect(Y.data).toEqual(Yb.data);
    expect(a.gradients[0].shape).toEqual([4, 3, 3, 3]);
  });
  it('Conv1d on [C, L]', () => {
    const a = analyze('network c\n  input [2, 10]\n  Conv1d(2, 3, 3, padding=1)\nX = randn(2, 10, seed=1)\nY = c(X)\n');
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(a.values.find((v) => v.name === 'Y')!.shape).toEqual([3, 10]);
  });
});
