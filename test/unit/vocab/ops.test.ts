/**
 * The op-table entries added for #19 part 1: each prints a rule for every input; the mask ops'
 * printed partials (0) evaluated at a point equal their backward there (as the element-wise
 * rule-evaluation test does for ELEMENTWISE); the differentiable ones' backward agrees with
 * central differences in float64.
 */
import { describe, expect, it } from 'vitest';
import '../../../src/core/autodiff/ops/index';
import { getOp, type Attrs } from '../../../src/core/autodiff/op';
import { MASK_OPS } from '../../../src/core/autodiff/ops/compare';
import { evalSym } from '../../../src/core/autodiff/ops/elementwise';
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';

const NEW_OPS = [...MASK_OPS.map((d) => d.name), 'where', 'all', 'any', 'index_adv', 'nonzero', 'gather', 'broadcast_to', 'tile', 'flip', 'pad'];

describe('every new op prints a rule for each input and says how results read', () => {
  it.each(NEW_OPS)('%s', (name) => {
    const op = getOp(name);
    const n = name === 'where' ? 3 : name === 'index_adv' || name === 'gather' || MASK_OPS.find((d) => d.name === name)?.arity === 2 ? 2 : 1;
    const attrs: Attrs = name === 'index_adv' ? { items: [{ kind: 'array', input: 1 }] as unknown as readonly number[] } : {};
    const rules = op.rule(['a', 'b', 'c'].slice(0, n), attrs);
    expect(rules).toHaveLength(n);
    for (const r of rules) expect(r).toMatch(/∂|no gradient/);
  });
});

describe('mask ops: the printed partial (0) equals backward at a point', () => {
  for (const def of MASK_OPS) {
    it(def.name, () => {
      const op = getOp(def.name);
      const syms = op.partials!(([{ k: 'var', name: 'a' }, { k: 'var', name: 'b' }] as const).slice(0, def.arity), {});
      for (const [a, b] of [
        [0.5, -1],
        [2, 2],
        [0, 3],
      ]) {
        const ins = def.arity === 2 ? [tensor([], [a]), tensor([], [b])] : [tensor([], [a])];
        const out = op.forward(ins, {});
        const grads = op.backward(tensor([], [1]), ins, out, {});
        for (let k = 0; k < def.arity; k++) expect(evalSym(syms[k], (v) => (v === 'a' ? a : b))).toBe(grads[k]?.data[0] ?? 0);
      }
    });
  }
});

function numeric(f: (x: Tensor) => Tensor, x: Tensor, g: Tensor): Float64Array {
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const xp = Float64Array.from(x.data);
    const xm = Float64Array.from(x.data);
    xp[i] += 1e-6;
    xm[i] -= 1e-6;
    const fp = f({ shape: x.shape, data: xp });
    const fm = f({ shape: x.shape, data: xm });
    let s = 0;
    for (let k = 0; k < g.data.length; k++) s += g.data[k] * (fp.data[k] - fm.data[k]);
    out[i] = s / 2e-6;
  }
  return out;
}

const X = tensor([2, 3], [0.3, -1.2, 2.5, 0.7, -0.4, 1.1]);
const CASES: [string, Tensor[], Attrs][] = [
  ['where', [tensor([2, 1], [1, 0]), X, tensor([3], [0.5, -0.5, 2])], {}],
  ['index_adv', [X, tensor([4], [1, 0, 1, 1]), tensor([4], [2, 2, -1, 0])], { items: [{ kind: 'array', input: 1 }, { kind: 'array', input: 2 }] as unknown as readonly number[] }],
  ['index_adv', [X, tensor([2], [2, 0])], { items: [{ kind: 'none' }, { kind: 'slice', start: null, stop: null, step: -1 }, { kind: 'array', input: 1 }] as unknown as readonly number[] }],
  ['gather', [X, tensor([2, 2], [2, 2, 0, 1])], { dim: 1 }],
  ['broadcast_to', [tensor([3], [1, 2, 3])], { shape: [2, 2, 3] }],
  ['tile', [X], { reps: [2, 3] }],
  ['flip', [X], { axes: [0, -1] }],
  ['pad', [X], { pads: [1, 0, -1, 2], value: 0.25 }],
];

describe('backward against central differences (float64)', () => {
  it.each(CASES.map((c) => [c[0], c] as const))('%s', (_n, [name, ins, attrs]) => {
    const op = getOp(name);
    const out = op.forward(ins, attrs);
    const g = tensor(out.shape, Array.from({ length: out.data.length }, (_, k) => Math.sin(k + 1)));
    const grads = op.backward(g, ins, out, attrs);
    ins.forEach((x, k) => {
      if (op.nondiff?.includes(k)) return expect(grads[k]).toBeNull();
      const num = numeric((t) => op.forward(ins.map((u, j) => (j === k ? t : u)), attrs), x, g);
      for (let i = 0; i < num.length; i++) expect(grads[k]!.data[i]).toBeCloseTo(num[i], 7);
    });
  });
});
