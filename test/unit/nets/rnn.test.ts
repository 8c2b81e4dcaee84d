/** RNN, LSTM and GRU: forward and backward against PyTorch (rnn.json from gen_rnn.py), and train-mode dropout. */
import { describe, expect, it } from 'vitest';
import { tensor } from '../../../src/core/tensor/tensor';
import { build, MiniTape, torchCases, torchMismatches } from './helpers';

const cases = torchCases('rnn.json');

describe('recurrent layers against PyTorch (float64, ≤ 1e-10 relative)', () => {
  it('has the fixtures', () => {
    expect(cases.length).toBeGreaterThanOrEqual(18);
    for (const k of ['RNN(', 'LSTM(', 'GRU(', 'proj_size', 'bidirectional=True', 'batch_first=True', "nonlinearity='relu'"])
      expect(cases.some((c) => c.text.includes(k)), k).toBe(true);
  });
  for (const c of cases) it(c.name, () => expect(torchMismatches(c)).toEqual({}));
});

function ramp(shape: number[]) {
  const t = tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = Math.sin(1.3 * i + 0.2);
  return t;
}

describe('recurrent layers: shapes, modes and state_dict', () => {
  it('passes on the output sequence in each layout', () => {
    for (const [line, input, out] of [
      ['LSTM(4, 5)', [6, 3, 4], [6, 3, 5]],
      ['LSTM(4, 5, batch_first=True, bidirectional=True)', [3, 6, 4], [3, 6, 10]],
      ['LSTM(4, 5, proj_size=2, bidirectional=True)', [6, 4], [6, 4]],
      ['GRU(4, 5, 3)', [7, 4], [7, 5]],
      ["RNN(4, 5, nonlinearity='relu', batch_first=True)", [2, 7, 4], [2, 7, 5]],
    ] as const) {
      const b = build(`network m\n  input [${input.join(', ')}]\n  ${line}\n`);
      expect(b.diagnostics).toEqual([]);
      const tape = new MiniTape(b.nets.get('m')!);
      const { y } = tape.run(ramp([...input]));
      expect(tape.errors, line).toEqual([]);
      expect([...tape.nodes[y!].value.shape], line).toEqual(out);
    }
  });

  it('binds a symbolic batch and length from the argument', () => {
    const b = build('network m\n  input [T, N, 3]\n  GRU(3, 2)\n');
    const tape = new MiniTape(b.nets.get('m')!);
    const { y } = tape.run(ramp([4, 5, 3]));
    expect([...tape.nodes[y!].value.shape]).toEqual([4, 5, 2]);
  });

  it('an unbatched sequence equals a batch of one', () => {
    const b = build('network m\n  input [5, 3]\n  LSTM(3, 4, num_layers=2, bidirectional=True)\n');
    const m = b.nets.get('m')!;
    const x = ramp([5, 3]);
    const t1 = new MiniTape(m);
    const y1 = t1.nodes[t1.run(x).y!].value;
    const t2 = new MiniTape(m);
    const y2 = t2.nodes[t2.run(tensor([5, 1, 3], x.data)).y!].value;
    expect([...y1.shape]).toEqual([5, 8]);
    expect([...y1.data]).toEqual([...y2.data]);
  });

  it('dropout between layers acts in training mode only, with the network generator', () => {
    const b = build('network m\n  input [5, 2, 3]\n  LSTM(3, 4, num_layers=2, dropout=0.5)\n');
    const m = b.nets.get('m')!;
    const x = ramp([5, 2, 3]);
    const run = (train: boolean, seed = 1) => {
      const t = new MiniTape(m, seed);
      const { y } = t.run(x, train);
      expect(t.errors).toEqual([]);
      return { tape: t, out: [...t.nodes[y!].value.data] };
    };
    const ev = run(false).out;
    const tr = run(true);
    expect(tr.out).not.toEqual(ev);
    expect(run(true).out).toEqual(tr.out); // same generator seed, same masks
    expect(run(true, 2).out).not.toEqual(tr.out);
    // One mask, over the first layer's output [5, 2, 4], scaled by 1/(1 − p).
    const masks = tr.tape.nodes.filter((n) => n.op === 'dropout');
    expect(masks).toHaveLength(1);
    const mask = tr.tape.nodes[masks[0].inputs[1]].value;
    expect([...mask.shape]).toEqual([5, 2, 4]);
    expect(new Set(mask.data)).toEqual(new Set([0, 2]));
    // Without a second layer nothing is dropped (as PyTorch).
    const one = build('network m\n  input [5, 2, 3]\n  GRU(3, 4, dropout=0.5)\n').nets.get('m')!;
    const a = new MiniTape(one);
    const b2 = new MiniTape(one);
    expect([...a.nodes[a.run(x, true).y!].value.data]).toEqual([...b2.nodes[b2.run(x, false).y!].value.data]);
  });

  it('refuses a bad dropout probability', () => {
    const b = build('network m\n  input [5, 2, 3]\n  RNN(3, 4, dropout=1.5)\n');
    expect(b.diagnostics.map((d) => d.code)).toEqual(['net.bad-argument']);
  });

  it('reports a wrong feature count at run time', () => {
    const b = build('network m\n  input [T, N, F]\n  LSTM(3, 4)\n');
    const tape = new MiniTape(b.nets.get('m')!);
    expect(tape.run(ramp([5, 2, 4])).y).toBeUndefined();
    expect(tape.errors[0]).toMatchObject({ code: 'net.shape-mismatch', message: 'LSTM(3, 4) expects 3 input features but receives [5, 2, 4].' });
  });

  it('gradients reach every parameter, reverse direction included', () => {
    const b = build('network m\n  input [4, 2, 3]\n  GRU(3, 2, num_layers=2, bidirectional=True)\n');
    const tape = new MiniTape(b.nets.get('m')!);
    const { y } = tape.run(ramp([4, 2, 3]));
    const grads = tape.backward(y!, ramp([4, 2, 4]));
    for (const [name, id] of tape.params) {
      const g = grads[id];
      expect(g, name).toBeDefined();
      expect(g!.data.some((v) => v !== 0), name).toBe(true);
    }
  });
});
