/**
 * RNN/LSTM/GRU, MultiheadAttention and ConvTranspose2d through the whole evaluator: weights
 * set with `param net.… = …`, the network called in a document, `grad L wrt net.…` — against
 * the PyTorch fixtures (the same cases the layer tests use).
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { torchCases, worstRelError, type FixtureTensor, type TorchCase } from './helpers';

function nested(t: FixtureTensor): string {
  const rec = (axis: number, off: number): string => {
    if (axis === t.shape.length) return String(t.data[off]);
    const stride = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const parts: string[] = [];
    for (let i = 0; i < t.shape[axis]; i++) parts.push(rec(axis + 1, off + i * stride));
    return `[${parts.join(', ')}]`;
  };
  return rec(0, 0);
}

function documentFor(c: TorchCase): string {
  const params = Object.keys(c.gradParams);
  return [
    c.text.trimEnd(),
    ...params.map((p) => `param ${p} = ${nested(c.state[p])}`),
    `X = ${nested(c.input)}`,
    `S = ${nested(c.seed)}`,
    'Y = net(X)',
    'L = sum(Y * S)',
    `grad L wrt ${params.join(', ')}`,
  ].join('\n') + '\n';
}

const picks: [string, string][] = [
  ['rnn.json', 'rnn_relu_bidirectional_3layers'],
  ['rnn.json', 'lstm_proj_2layers_bidirectional_batch_first'],
  ['rnn.json', 'gru_bidirectional_unbatched_2layers'],
  ['attention.json', 'mha_bias_kv'],
  ['attention.json', 'mha_unbatched'],
  ['conv_transpose.json', 'convt_decoder'],
];

describe('sequence layers and ConvTranspose2d in a document', () => {
  for (const [file, name] of picks) {
    it(`${name}: Y and every parameter gradient equal PyTorch's`, () => {
      const c = torchCases(file).find((x) => x.name === name)!;
      const a = analyze(documentFor(c), { valuesOnly: true });
      expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const y = a.values.find((v) => v.name === 'Y')!;
      expect(worstRelError({ shape: [...y.shape], data: Float64Array.from(y.data) }, c.output)).toBeLessThan(1e-10);
      for (const [p, g] of Object.entries(c.gradParams)) {
        const got = a.gradients.find((x) => x.wrt === p);
        expect(got, p).toBeDefined();
        expect(worstRelError({ shape: [...got!.shape], data: Float64Array.from(got!.data) }, g), p).toBeLessThan(1e-10);
      }
    });
  }
});
