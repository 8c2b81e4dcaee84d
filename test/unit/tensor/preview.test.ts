import { describe, expect, it } from 'vitest';
import { describeTensor, previewTensor } from '../../../src/core/tensor/preview';
import { scalar, tensor } from '../../../src/core/tensor/tensor';

describe('previewTensor', () => {
  it('prints like numpy, rounded', () => {
    expect(previewTensor(tensor([2, 2], [0.1, 0.2, 0.30000000000000004, 0.4]))).toBe('[[0.1, 0.2], [0.3, 0.4]]');
    expect(previewTensor(tensor([3], [1, -0.38, 1e-9]))).toBe('[1, -0.38, 1e-9]');
    expect(previewTensor(tensor([0]))).toBe('[]');
    expect(previewTensor(tensor([2, 0]))).toBe('[[], []]');
  });
  it('prints a scalar as its number', () => {
    expect(previewTensor(scalar(0.62))).toBe('0.62');
    expect(describeTensor(scalar(-0.2))).toBe('-0.2');
  });
  it('elides the middle of large tensors', () => {
    const t = tensor([100], Array.from({ length: 100 }, (_, i) => i));
    expect(previewTensor(t)).toBe('[0, 1, 2, …, 97, 98, 99]');
    const m = tensor([10, 10], Array.from({ length: 100 }, (_, i) => i));
    expect(previewTensor(m, { edgeItems: 1 })).toBe('[[0, …, 9], …, [90, …, 99]]');
    expect(previewTensor(tensor([4], [1, 2, 3, 4]), { maxElements: 2, edgeItems: 1 })).toBe('[1, …, 4]');
  });
  it('respects digits and shows the shape', () => {
    expect(previewTensor(tensor([1], [Math.PI]), { digits: 2 })).toBe('[3.1]');
    expect(describeTensor(tensor([2, 3], [1, 2, 3, 4, 5, 6]))).toBe('[2, 3] [[1, 2, 3], [4, 5, 6]]');
    expect(previewTensor(tensor([2], [NaN, Infinity]))).toBe('[NaN, ∞]');
  });
});
