/** Every network op's backward against central differences in float64. */
import { describe, expect, it } from 'vitest';
import { getOp, type Attrs } from '../../../src/core/autodiff/op';
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';
import '../../../src/core/nets/index';

function rnd(shape: number[], seed: number, lo = -1, hi = 1): Tensor {
  const t = tensor(shape);
  let s = seed >>> 0;
  for (let i = 0; i < t.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t.data[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return t;
}

function check(op: string, inputs: Tensor[], attrs: Attrs, skip: number[] = []): void {
  const def = getOp(op);
  const y = def.forward(inputs, attrs);
  const seed = rnd([...y.shape], 99);
  const f = () => {
    const o = def.forward(inputs, attrs);
    let s = 0;
    for (let i = 0; i < o.data.length; i++) s += o.data[i] * seed.data[i];
    return s;
  };
  const grads = def.backward(seed, inputs, y, attrs);
  inputs.forEach((x, k) => {
    if (skip.includes(k)) return;
    const g = grads[k]!;
    expect([...g.shape]).toEqual([...x.shape]);
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i];
      const h = 1e-6 * Math.max(1, Math.abs(v));
      x.data[i] = v + h;
      const a = f();
      x.data[i] = v - h;
      const b = f();
      x.data[i] = v;
      const num = (a - b) / (2 * h);
      expect(Math.abs(num - g.data[i]) / Math.max(1, Math.abs(num)), `${op} input ${k}[${i}]`).toBeLessThan(1e-6);
    }
  });
}

describe('network ops: backward = central differences', () => {
  it('linear', () => check('linear', [rnd([2, 3, 4], 1), rnd([5, 4], 2), rnd([5], 3)], {}));
  it('conv2d', () =>
    check('conv2d', [rnd([2, 4, 6, 5], 1), rnd([6, 2, 3, 2], 2), rnd([6], 3)], { stride: [2, 1], padding: [1, 0], paddingEnd: [1, 1], dilation: [1, 2], groups: 2 }));
  it('conv1d', () => check('conv1d', [rnd([2, 3, 9], 4), rnd([2, 3, 3], 5)], { stride: [2], padding: [1], dilation: [2], groups: 1 }));
  it('max_pool2d', () => check('max_pool2d', [rnd([2, 2, 5, 6], 6)], { kernel: [3, 2], stride: [2, 2], padding: [1, 1], dilation: [1, 1], ceilMode: true }));
  it('max_pool1d', () => check('max_pool1d', [rnd([2, 7], 7)], { kernel: [2], stride: [2], padding: [0], dilation: [2], ceilMode: false }));
  it('avg_pool2d', () => check('avg_pool2d', [rnd([1, 2, 5, 6], 8)], { kernel: [3, 3], stride: [2, 2], padding: [1, 1], ceilMode: true, countIncludePad: false, divisor: null }));
  it('avg_pool1d', () => check('avg_pool1d', [rnd([1, 2, 8], 9)], { kernel: [3], stride: [2], padding: [1], ceilMode: false, countIncludePad: true, divisor: null }));
  it('adaptive_avg_pool2d', () => check('adaptive_avg_pool2d', [rnd([1, 2, 7, 5], 10)], { output: [3, 2] }));
  it('batch_norm (train)', () => check('batch_norm', [rnd([4, 3, 2], 11), rnd([3], 12), rnd([3], 13, 0.5, 2), rnd([3], 14), rnd([3], 15)], { training: true, eps: 1e-5 }, [1, 2]));
  it('batch_norm (eval)', () => check('batch_norm', [rnd([4, 3], 16), rnd([3], 17), rnd([3], 18, 0.5, 2), rnd([3], 19), rnd([3], 20)], { training: false, eps: 1e-5 }, [1, 2]));
  it('layer_norm', () => check('layer_norm', [rnd([3, 2, 4], 21), rnd([2, 4], 22), rnd([2, 4], 23)], { dims: 2, eps: 1e-5 }));
  it('group_norm', () => check('group_norm', [rnd([2, 4, 3], 24), rnd([4], 25), rnd([4], 26)], { groups: 2, eps: 1e-5 }));
  // With padding_idx the padding row gets no gradient by design (PyTorch), so it is checked against torch fixtures only.
  it('embedding (weight)', () => check('embedding', [tensor([2, 3], [0, 2, 1, 2, 3, 0]), rnd([4, 3], 27)], { paddingIdx: null }, [0]));
  it('flatten', () => check('flatten', [rnd([2, 3, 4], 28)], { start: 1, end: -1 }));
  it('dropout', () => check('dropout', [rnd([3, 4], 29), tensor([3, 4], [0, 2, 2, 0, 2, 2, 0, 0, 2, 2, 2, 0])], {}, [1]));
  for (const [op, attrs] of [
    ['nn_relu', {}],
    ['nn_leaky_relu', { slope: 0.2 }],
    ['nn_sigmoid', {}],
    ['nn_tanh', {}],
    ['nn_gelu', {}],
    ['nn_gelu', { approximate: 'tanh' }],
    ['nn_softmax', { axis: 0 }],
    ['nn_log_softmax', { axis: -1 }],
  ] as const)
    it(`${op} ${JSON.stringify(attrs)}`, () => check(op, [rnd([3, 5], 30, -3, 3)], attrs));
  it('nn_add', () => check('nn_add', [rnd([2, 3], 31), rnd([2, 3], 32)], {}));
});
