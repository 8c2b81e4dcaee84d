/** Parameter counts, state_dict names and every layer's output shape against PyTorch (gen_shapes.py). */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from './helpers';

interface Case {
  name: string;
  text: string;
  outputShapes: number[][];
  layerParams: number[];
  params: number;
  stateDict: [string, number[]][];
}
const file = fileURLToPath(new URL('../../fixtures/torch/nets/shapes.json', import.meta.url));
const fixtures = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };

describe('networks against PyTorch', () => {
  for (const c of fixtures.cases) {
    it(`${c.name}: ${c.params.toLocaleString('en-US')} parameters`, () => {
      const b = build(c.text);
      expect(b.diagnostics).toEqual([]);
      const info = b.infos.get('net')!;
      const model = b.nets.get('net')!;
      expect(info.params).toBe(c.params);
      expect(info.trainableParams).toBe(c.params);
      expect(model.paramsOf([])).toBe(c.params);
      expect(info.layers.map((l) => l.outputShape)).toEqual(c.outputShapes);
      expect(info.layers.map((l) => l.params)).toEqual(c.layerParams);
      const mine = [...model.parameters(), ...model.buffers()].map((p) => [p.name, p.shape] as [string, number[]]);
      const sort = (a: [string, number[]][]) => [...a].sort((x, y) => (x[0] < y[0] ? -1 : 1));
      expect(sort(mine)).toEqual(sort(c.stateDict));
      // Parameters alone come in state_dict order.
      const ours = model.parameters().map((p) => p.name);
      const theirs = c.stateDict.map((s) => s[0]).filter((n) => ours.includes(n));
      expect(ours).toEqual(theirs);
    });
  }

  it('named cases: LeNet-5, VGG-16, ResNet-18, torchinfo LSTM', () => {
    const byName = new Map(fixtures.cases.map((c) => [c.name, c.params]));
    expect(byName.get('lenet5')).toBe(61706);
    expect(byName.get('vgg16')).toBe(138357544);
    expect(byName.get('resnet18')).toBe(11689512);
    expect(byName.get('lstm_torchinfo')).toBe(3784580);
  });
});
