import { describe, expect, it } from 'vitest';
import { getOp } from '../../../src/core/autodiff/op';
import { tensor } from '../../../src/core/tensor/tensor';
import { backward, forward } from './opHarness';

describe('indexing', () => {
  const infer = (shape: number[], items: unknown[]) => getOp('index').inferShape([shape], { items } as never);
  it('reports an out-of-range index with the axis and shape', () => {
    expect(infer([3], [{ kind: 'int', index: 5 }])).toMatchObject({
      error: 'Expected an index in [-3, 3), found 5 on axis 0 of [3].',
      code: 'shape.index',
    });
    expect(infer([3], [{ kind: 'int', index: 0 }, { kind: 'int', index: 0 }])).toMatchObject({ error: expect.stringContaining('at most 1 indices') });
  });
  it('follows numpy slices', () => {
    const x = tensor([6], [0, 1, 2, 3, 4, 5]);
    const sl = (start: number | null, stop: number | null, step: number | null) =>
      Array.from(forward('index', [x], { items: [{ kind: 'slice', start, stop, step }] } as never).data);
    expect(sl(null, null, -1)).toEqual([5, 4, 3, 2, 1, 0]);
    expect(sl(-2, null, null)).toEqual([4, 5]);
    expect(sl(4, 1, -2)).toEqual([4, 2]);
    expect(sl(-100, 100, 2)).toEqual([0, 2, 4]);
    expect(sl(null, -7, -1)).toEqual([5, 4, 3, 2, 1, 0]);
  });
});

describe('softmax and friends', () => {
  it('stays finite for [1000, 0]', () => {
    const p = forward('softmax', [tensor([2], [1000, 0])], { axis: -1 });
    expect(Array.from(p.data)).toEqual([1, 0]);
    const lp = forward('log_softmax', [tensor([2], [1000, 0])], { axis: -1 });
    expect(Array.from(lp.data)).toEqual([0, -1000]);
  });
  it('states diag(p) − ppᵀ in its rule', () => {
    expect(getOp('softmax').rule(['h'], { axis: -1 })[0]).toContain('diag(p) − ppᵀ');
  });
  it('reports a bad axis', () => {
    expect(getOp('softmax').inferShape([[2, 3]], { axis: 2 })).toMatchObject({ error: 'Expected an axis in [-2, 2), found 2.' });
  });
});

describe('reductions', () => {
  it('share the gradient among ties (torch.amax)', () => {
    const x = tensor([4], [1, 3, 3, 0]);
    const [g] = backward('amax', tensor([], [1]), [x], { axis: null, keepdims: false });
    expect(Array.from(g!.data)).toEqual([0, 0.5, 0.5, 0]);
  });
  it('kinks: the winners and tie counts change when a perturbation crosses a tie', () => {
    const k = getOp('amax').kinks!;
    const a = Array.from(k([tensor([3], [1, 3, 3])], { axis: null, keepdims: false }));
    const b = Array.from(k([tensor([3], [1, 3 + 1e-6, 3])], { axis: null, keepdims: false }));
    expect(a).not.toEqual(b);
  });
  it('reports a bad or repeated axis', () => {
    expect(getOp('sum').inferShape([[2, 3]], { axis: 3, keepdims: false })).toMatchObject({ error: 'Expected an axis in [-2, 2), found 3.' });
    expect(getOp('sum').inferShape([[2, 3]], { axis: [1, -1], keepdims: false })).toMatchObject({ error: expect.stringContaining('twice') });
  });
});

describe('shapes', () => {
  it('reshape infers -1 and rejects a wrong count', () => {
    expect(getOp('reshape').inferShape([[2, 3, 4]], { shape: [-1, 4] })).toEqual([6, 4]);
    expect(getOp('reshape').inferShape([[2, 3]], { shape: [4, 2] })).toMatchObject({ error: expect.stringContaining('6 elements') });
    expect(getOp('reshape').inferShape([[2, 3]], { shape: [-1, -1] })).toMatchObject({ error: expect.stringContaining('one -1') });
  });
  it('concat checks the other axes', () => {
    expect(getOp('concat').inferShape([[2, 3], [2, 4]], { axis: 0 })).toMatchObject({ error: expect.stringContaining('[2, 3] and [2, 4]') });
  });
});

describe('losses', () => {
  it('cross_entropy target shapes', () => {
    const inf = (a: number[], b: number[]) => getOp('cross_entropy').inferShape([a, b], {});
    expect(inf([4, 5], [4])).toEqual([]);
    expect(inf([4, 5], [4, 5])).toEqual([]);
    expect(inf([5], [])).toEqual([]);
    expect(inf([4, 5], [5])).toMatchObject({ error: 'Expected a cross_entropy target of shape [4] (class indices) or [4, 5] (probabilities), found [5].' });
  });
  it('cross_entropy with class indices does not differentiate the target', () => {
    const grads = backward('cross_entropy', tensor([], [1]), [tensor([2, 3], [1, 2, 3, 1, 0, 0]), tensor([2], [2, 0])]);
    expect(grads[1]).toBeNull();
  });
  it('bce clamps log at −100 and bce_with_logits is stable', () => {
    expect(forward('bce', [tensor([1], [0]), tensor([1], [1])]).data[0]).toBe(100);
    expect(forward('bce_with_logits', [tensor([1], [1000]), tensor([1], [0])]).data[0]).toBe(1000);
  });
});
