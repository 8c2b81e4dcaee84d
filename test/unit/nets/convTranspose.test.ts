/** ConvTranspose2d: forward and backward against PyTorch (conv_transpose.json), and the fused op against central differences. */
import { describe, expect, it } from 'vitest';
import { getOp, type Attrs } from '../../../src/core/autodiff/op';
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';
import { torchCases, torchMismatches } from './helpers';

const cases = torchCases('conv_transpose.json');

describe('ConvTranspose2d against PyTorch (float64, ≤ 1e-10 relative)', () => {
  it('has the fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(7));
  for (const c of cases) it(c.name, () => expect(torchMismatches(c)).toEqual({}));
});

function rnd(shape: number[], seed: number): Tensor {
  const t = tensor(shape);
  let s = seed >>> 0;
  for (let i = 0; i < t.data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t.data[i] = -1 + (2 * s) / 2 ** 32;
  }
  return t;
}

/** Worst relative difference between backward and central differences of Σ(y ⊙ seed). */
function gradcheck(inputs: Tensor[], attrs: Attrs): number {
  const def = getOp('conv_transpose2d');
  const y = def.forward(inputs, attrs);
  const seed = rnd([...y.shape], 99);
  const f = () => def.forward(inputs, attrs).data.reduce((s, v, i) => s + v * seed.data[i], 0);
  const grads = def.backward(seed, inputs, y, attrs);
  let worst = 0;
  inputs.forEach((x, k) => {
    expect([...grads[k]!.shape]).toEqual([...x.shape]);
    for (let i = 0; i < x.data.length; i++) {
      const v = x.data[i];
      const h = 1e-6;
      x.data[i] = v + h;
      const a = f();
      x.data[i] = v - h;
      const b = f();
      x.data[i] = v;
      worst = Math.max(worst, Math.abs((a - b) / (2 * h) - grads[k]!.data[i]) / Math.max(1, Math.abs(grads[k]!.data[i])));
    }
  });
  return worst;
}

describe('conv_transpose2d op', () => {
  it('backward = central differences', () => {
    expect(gradcheck([rnd([2, 4, 3, 4], 1), rnd([4, 3, 3, 2], 2), rnd([6], 3)], { stride: [2, 1], padding: [1, 0], outputPadding: [1, 0], dilation: [1, 2], groups: 2 })).toBeLessThan(1e-7);
    expect(gradcheck([rnd([1, 2, 4, 3], 4), rnd([2, 1, 2, 3], 5)], { stride: [3, 2], padding: [0, 1], outputPadding: [2, 1], dilation: [1, 1], groups: 1 })).toBeLessThan(1e-7);
  });
  it('is the adjoint of conv2d: ⟨conv2d(y, W), x⟩ = ⟨y, conv_transpose2d(x, W)⟩', () => {
    const attrs = { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 };
    const w = rnd([3, 2, 3, 3], 7); // conv2d: 2 → 3 channels; transpose: 3 → 2
    const y = rnd([1, 2, 7, 7], 8);
    const cy = getOp('conv2d').forward([y, w], attrs); // [1, 3, 4, 4]
    const x = rnd([...cy.shape], 9);
    const tx = getOp('conv_transpose2d').forward([x, w], { ...attrs, outputPadding: [0, 0] }); // [1, 2, 7, 7]
    expect([...tx.shape]).toEqual([1, 2, 7, 7]);
    const lhs = cy.data.reduce((s, v, i) => s + v * x.data[i], 0);
    const rhs = tx.data.reduce((s, v, i) => s + v * y.data[i], 0);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12);
  });
  it('refuses a bias of the wrong length', () => {
    const r = getOp('conv_transpose2d').inferShape([[1, 2, 3, 3], [2, 3, 2, 2], [2]], {});
    expect(r).toMatchObject({ error: 'Expected a bias of shape [3], found [2].', input: 2 });
  });
});
