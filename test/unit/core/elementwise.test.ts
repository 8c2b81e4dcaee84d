import { describe, expect, it } from 'vitest';
import '../../../src/core/autodiff/ops/index';
import { ELEMENTWISE, evalSym } from '../../../src/core/autodiff/ops/elementwise';
import { getOp, type Attrs } from '../../../src/core/autodiff/op';
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';

/** Points away from kinks and inside every domain (log, sqrt need x > 0). */
const A = [0.37, 1.9, 2.6, 0.81];
const B = [1.3, 0.45, 1.7, 2.2];

function numeric(f: (x: Tensor) => Tensor, x: Tensor, g: Tensor): Float64Array {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const h = 1e-6 * Math.max(1, Math.abs(x.data[i]));
    const xp = Float64Array.from(x.data);
    const xm = Float64Array.from(x.data);
    xp[i] += h;
    xm[i] -= h;
    const fp = f({ shape: x.shape, data: xp });
    const fm = f({ shape: x.shape, data: xm });
    let s = 0;
    for (let k = 0; k < g.data.length; k++) s += g.data[k] * (fp.data[k] - fm.data[k]);
    out[i] = s / (2 * h);
  }
  return out;
}

describe('element-wise ops: backward against central differences (float64)', () => {
  for (const def of ELEMENTWISE) {
    it(def.name, () => {
      const op = getOp(def.name);
      const attrs: Attrs = def.name === 'leaky_relu' ? { slope: 0.1 } : {};
      const a = tensor([2, 2], A);
      const b = tensor([2, 2], B);
      const ins = def.arity === 2 ? [a, b] : [a];
      const out = op.forward(ins, attrs);
      const g = tensor([2, 2], [0.3, -1.1, 0.7, 2.0]);
      const grads = op.backward(g, ins, out, attrs);
      for (let k = 0; k < ins.length; k++) {
        const num = numeric((x) => op.forward(ins.map((t, j) => (j === k ? x : t)), attrs), ins[k], g);
        for (let i = 0; i < num.length; i++) expect(grads[k]!.data[i]).toBeCloseTo(num[i], 7);
      }
    });
  }
});

describe('every printed derivative rule, evaluated at a point, equals backward there', () => {
  for (const def of ELEMENTWISE) {
    it(def.name, () => {
      const op = getOp(def.name);
      const attrs: Attrs = def.name === 'leaky_relu' ? { slope: 0.1 } : {};
      const syms = def.partials(([{ k: 'var', name: 'a' }, { k: 'var', name: 'b' }] as const).slice(0, def.arity), attrs);
      for (let i = 0; i < A.length; i++) {
        const ins = def.arity === 2 ? [tensor([], [A[i]]), tensor([], [B[i]])] : [tensor([], [A[i]])];
        const out = op.forward(ins, attrs);
        const grads = op.backward(tensor([], [1]), ins, out, attrs);
        for (let k = 0; k < def.arity; k++) {
          const v = evalSym(syms[k], (n) => (n === 'a' ? A[i] : B[i]));
          expect(v).toBeCloseTo(grads[k]!.data[0], 12);
        }
      }
    });
  }
});

describe('broadcasting un-broadcasts by summation', () => {
  it('[3,1] + [1,4] → grads summed back to [3,1] and [1,4]', () => {
    const op = getOp('mul');
    const a = tensor([3, 1], [1, 2, 3]);
    const b = tensor([1, 4], [10, 20, 30, 40]);
    const out = op.forward([a, b], {});
    expect(out.shape).toEqual([3, 4]);
    const g = tensor([3, 4], new Array(12).fill(1));
    const [ga, gb] = op.backward(g, [a, b], out, {});
    expect(Array.from(ga!.data)).toEqual([100, 100, 100]);
    expect(Array.from(gb!.data)).toEqual([6, 6, 6, 6]);
  });
  it('a shape mismatch names both shapes, the axis and suggests @ when it fits', () => {
    const r = getOp('mul').inferShape([[2, 3], [3, 4]], {});
    expect(r).toEqual({
      error: 'Expected shapes that broadcast for `*`, found [2, 3] and [3, 4] (axis -1: 3 ≠ 4; numpy broadcasting needs equal sizes or 1). Did you mean matrix multiplication `@` ([2, 3] @ [3, 4] → [2, 4])?',
      code: 'shape.mismatch',
      hint: 'use-matmul',
    });
  });
});

describe('shape errors suggest the obvious fix', () => {
  it('an axis that may have been reduced away is reported for the evaluator (which says keepdims only after a reduction)', () => {
    const r = getOp('sub').inferShape([[3, 4], [3]], {}) as { error: string; keptAxis: unknown };
    expect(r.error).toBe('Expected shapes that broadcast for `-`, found [3, 4] and [3] (axis -1: 4 ≠ 3; numpy broadcasting needs equal sizes or 1).');
    expect(r.keptAxis).toEqual({ input: 1, axis: 1, shape: [3, 1] });
  });
  it('[2, 3] * [2, 3]ᵀ-shaped operand suggests @ with a transpose', () => {
    const r = getOp('mul').inferShape([[2, 3], [4, 3]], {}) as { error: string; hint: string };
    expect(r.error).toContain('Did you mean matrix multiplication with the right operand transposed (`a @ b.T`: [2, 3] @ [3, 4] → [2, 4])?');
    expect(r.hint).toBe('matmul-transpose-right');
  });
});
