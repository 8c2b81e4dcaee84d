/** MultiheadAttention (self-attention): forward and backward against PyTorch (attention.json from gen_attention.py). */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../../src/core/tensor/tensor';
import { build, MiniTape, torchCases, torchMismatches } from './helpers';

const cases = torchCases('attention.json');

describe('MultiheadAttention against PyTorch (float64, ≤ 1e-10 relative)', () => {
  it('has the fixtures', () => expect(cases.length).toBeGreaterThanOrEqual(9));
  for (const c of cases) it(c.name, () => expect(torchMismatches(c)).toEqual({}));
});

function ramp(shape: number[]) {
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.cos(0.7 * i + 0.1);
  return t;
}

describe('MultiheadAttention: modes', () => {
  it('keeps the shape in each layout', () => {
    for (const [line, input] of [
      ['MultiheadAttention(8, 2)', [5, 3, 8]],
      ['MultiheadAttention(8, 4, batch_first=True)', [3, 5, 8]],
      ['MultiheadAttention(8, 8)', [5, 8]],
    ] as const) {
      const b = build(`network m\n  input [${input.join(', ')}]\n  ${line}\n`);
      const tape = new MiniTape(b.nets.get('m')!);
      const { y } = tape.run(ramp([...input]));
      expect(tape.errors, line).toEqual([]);
      expect([...tape.nodes[y!].value.shape], line).toEqual([...input]);
    }
  });

  it('attention dropout acts in training mode only', () => {
    const m = build('network m\n  input [4, 2, 6]\n  MultiheadAttention(6, 2, dropout=0.4)\n').nets.get('m')!;
    const x = ramp([4, 2, 6]);
    const out = (train: boolean) => {
      const t = new MiniTape(m);
      const { y } = t.run(x, train);
      expect(t.errors).toEqual([]);
      return { t, data: [...t.nodes[y!].value.data] };
    };
    const tr = out(true);
    expect(tr.data).not.toEqual(out(false).data);
    const d = tr.t.nodes.filter((n) => n.op === 'dropout');
    expect(d).toHaveLength(1);
    expect([...tr.t.nodes[d[0].inputs[1]].value.shape]).toEqual([2, 2, 4, 4]); // [N, heads, L, L]
  });
});
