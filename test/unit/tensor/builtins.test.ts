import { describe, expect, it } from 'vitest';
import { allBuiltins, findBuiltin } from '../../../src/core/builtins/types';
import { createRng } from '../../../src/core/tensor/rng';
import { tensor } from '../../../src/core/tensor/tensor';
import { MockTape } from './builtinHarness';

describe('built-ins of LANGUAGE.md §4 (reductions, shape, linear algebra, probability, losses, constructors)', () => {
  it('are all defined, with the §2 aliases', () => {
    const names = [
      'sum', 'mean', 'max', 'min', 'pow', 'transpose', 'reshape', 'flatten', 'shape', 'numel', 'matmul', 'dot', 'outer',
      'softmax', 'log_softmax', 'cross_entropy', 'nll', 'mse', 'bce', 'bce_with_logits',
      'zeros', 'ones', 'eye', 'onehot', 'arange', 'randn', 'rand',
    ];
    for (const n of names) expect(findBuiltin(n), n).toBeDefined();
    const aliases: [string, string][] = [
      ['mse_loss', 'mse'], ['nll_loss', 'nll'], ['binary_cross_entropy', 'bce'], ['binary_cross_entropy_with_logits', 'bce_with_logits'],
      ['one_hot', 'onehot'], ['maximum', 'max'], ['minimum', 'min'], ['amax', 'max'], ['view', 'reshape'], ['mm', 'matmul'], ['logsoftmax', 'log_softmax'],
    ];
    for (const [a, n] of aliases) expect(findBuiltin(a)?.name, a).toBe(n);
    for (const b of allBuiltins()) {
      expect(b.doc.length, b.name).toBeGreaterThan(10);
      expect(b.signature, b.name).toContain('(');
    }
  });

  it('sum/mean take the axis as 2nd positional or dim=, and keepdims', () => {
    const t = new MockTape();
    const x = t.arg(tensor([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(Array.from(t.call('sum', { x, axis: 1 })!.data)).toEqual([6, 15]);
    expect(t.call('mean', { x, axis: null })!.data[0]).toBe(3.5);
    expect(t.call('sum', { x, axis: 0, keepdims: true })!.shape).toEqual([1, 3]);
    expect(t.call('sum', { x, axis: 2 })).toBeUndefined();
    expect(t.problems[0]).toMatchObject({ code: 'shape.axis', message: 'Expected an axis in [-2, 2), found 2.' });
  });

  it('axis lists reduce several axes; softmax rejects them', () => {
    const t = new MockTape();
    const x = t.arg(tensor([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(t.call('sum', { x, axis: [0, 1] })!.data[0]).toBe(21);
    expect(t.call('max', { x, axis: [0, 1] }, 1)!.data[0]).toBe(6);
    expect(t.call('softmax', { x, axis: [0, 1] })).toBeUndefined();
    expect(t.call('transpose', { x: t.arg(tensor([2, 3, 4])), dim0: [1, 0, 2] })!.shape).toEqual([3, 2, 4]);
  });

  it('max/min: two positional tensors are element-wise, else a reduction', () => {
    const t = new MockTape();
    const a = t.arg([1, 5]);
    const b = t.arg([3, 2]);
    t.call('max', { x: a, other: b }, 2);
    expect(t.ops.at(-1)).toMatchObject({ op: 'maximum' });
    t.call('min', { x: a, other: b }, 2);
    expect(t.ops.at(-1)).toMatchObject({ op: 'minimum' });
    expect(t.call('max', { x: a, axis: 0 }, 1)!.data[0]).toBe(5);
    expect(t.ops.at(-1)).toMatchObject({ op: 'amax', attrs: { axis: 0, keepdims: false } });
    t.call('pow', { x: a, p: b });
    expect(t.ops.at(-1)).toMatchObject({ op: 'pow' });
  });

  it('transpose reverses or swaps; reshape, flatten, shape, numel', () => {
    const t = new MockTape();
    const x = t.arg(tensor([2, 3, 4]));
    expect(t.call('transpose', { x })!.shape).toEqual([4, 3, 2]);
    expect(t.call('transpose', { x, dim0: 0, dim1: -1 })!.shape).toEqual([4, 3, 2]);
    expect(t.call('transpose', { x, dim0: 0, dim1: 1 })!.shape).toEqual([3, 2, 4]);
    expect(t.call('reshape', { x, shape: [6, -1] })!.shape).toEqual([6, 4]);
    expect(t.call('flatten', { x })!.shape).toEqual([24]);
    expect(t.call('flatten', { x, start_dim: 1 })!.shape).toEqual([2, 12]);
    expect(Array.from(t.call('shape', { x })!.data)).toEqual([2, 3, 4]);
    expect(t.call('numel', { x })!.data[0]).toBe(24);
  });

  it('softmax defaults to the last axis', () => {
    const t = new MockTape();
    const p = t.call('softmax', { x: t.arg(tensor([2, 2], [0, 0, 1, 1])) })!;
    expect(Array.from(p.data)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(t.ops.at(-1)!.attrs).toEqual({ axis: -1 });
  });

  it('losses check class indices', () => {
    const t = new MockTape();
    const z = t.arg(tensor([2, 3], [1, 2, 3, 4, 5, 6]));
    // Rows [1, 2, 3] and [4, 5, 6] share c = log(1 + e^-1 + e^-2) above their maximum:
    // −log p = (3 + c − 1) and (6 + c − 6), whose mean is 1 + c.
    expect(t.call('cross_entropy', { logits: z, target: t.arg([0, 2]) })!.data[0]).toBeCloseTo(1 + Math.log(1 + Math.exp(-1) + Math.exp(-2)), 14);
    expect(t.call('cross_entropy', { logits: z, target: t.arg([0, 1.5]) })).toBeUndefined();
    expect(t.problems.at(-1)).toMatchObject({ code: 'value.class-index', message: 'Expected integer class indices, found 1.5.' });
    expect(t.call('nll', { logp: z, target: t.arg([0, 3]) })).toBeUndefined();
    expect(t.problems.at(-1)!.message).toBe('Expected class indices in [0, 3), found 3.');
    expect(t.call('cross_entropy', { logits: z, target: t.arg([1, 2, 3]) })).toBeUndefined();
    expect(t.problems.at(-1)!.code).toBe('shape.mismatch');
    t.call('mse', { pred: t.arg(tensor([3, 1])), target: t.arg(tensor([3])) });
    expect(t.problems.at(-1)).toMatchObject({ severity: 'warning', code: 'shape.broadcast-loss' });
  });

  it('constructors', () => {
    const t = new MockTape();
    expect(t.call('zeros', { shape: [2, 3] })!.shape).toEqual([2, 3]);
    expect(Array.from(t.call('ones', { shape: [2] })!.data)).toEqual([1, 1]);
    expect(Array.from(t.call('eye', { n: 2 })!.data)).toEqual([1, 0, 0, 1]);
    expect(Array.from(t.call('onehot', { i: t.arg(2), n: 4 })!.data)).toEqual([0, 0, 1, 0]);
    const oh = t.call('onehot', { i: t.arg([0, 2]), n: 3 })!;
    expect(oh.shape).toEqual([2, 3]);
    expect(Array.from(oh.data)).toEqual([1, 0, 0, 0, 0, 1]);
    expect(t.call('onehot', { i: t.arg(3), n: 3 })).toBeUndefined();
    expect(t.problems.at(-1)).toMatchObject({ code: 'value.class-index', message: 'Expected integer indices in [0, 3), found 3.' });
    expect(Array.from(t.call('arange', { start: 4 })!.data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(t.call('arange', { start: 1, stop: 2, step: 0.25 })!.data)).toEqual([1, 1.25, 1.5, 1.75]);
    expect(t.call('zeros', { shape: [2, -1] })).toBeUndefined();
    expect(t.problems.at(-1)).toMatchObject({ code: 'call.bad-argument', message: 'Expected non-negative integer sizes, found -1.' });
    expect(t.call('arange', { start: 0, stop: 1, step: 0 })).toBeUndefined();
    expect(t.problems.at(-1)).toMatchObject({ code: 'call.bad-argument', message: 'Expected a non-zero step, found 0.' });
  });

  it('randn/rand: seed= has its own generator, otherwise the document stream', () => {
    const t = new MockTape();
    const seeded = t.call('randn', { shape: [2, 3], seed: 1 })!;
    expect(Array.from(seeded.data)).toEqual(Array.from(createRng(1).randn(6)));
    const ref = createRng(0);
    expect(Array.from(t.call('randn', { shape: [3] })!.data)).toEqual(Array.from(ref.randn(3)));
    t.call('rand', { shape: [2], seed: 5 }); // does not touch the stream
    expect(Array.from(t.call('rand', { shape: [2] })!.data)).toEqual(Array.from(ref.rand(2)));
    expect(t.call('randn', { shape: [] })!.shape).toEqual([]);
  });
});
