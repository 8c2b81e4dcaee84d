import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { tensor } from '../../../src/core/tensor/tensor';
import { formatSummary } from '../../../src/core/nets/index';
import * as D from '../../../src/core/nets/dims';
import { at, build, MiniTape } from './helpers';

const HW = readFileSync('/work/shared/examples/hw4-t2-t3-mlp.nn', 'utf8');

describe('homework T2/T3', () => {
  const b = build(HW);
  const info = b.infos.get('mlp')!;
  const m = b.nets.get('mlp')!;
  it('has no diagnostics', () => expect(b.diagnostics).toEqual([]));
  it('counts 557,057 parameters with formulas', () => {
    expect(info.params).toBe(557057);
    expect(m.paramsOf([])).toBe(557057);
    expect(m.paramsOf(['A'])).toBe(31744);
    expect(m.paramsOf(['0'])).toBe(31744);
    expect(m.paramsOf(['B', 'weight'])).toBe(524288);
    expect(info.layers[0].paramFormula).toBe('(30 + 1) × 1024');
    expect(info.paramFormula).toBe('(30 + 1) × 1024 + (1024 + 1) × 512 + (512 + 1) × 1');
  });
  it('sizes 32,768 / 16,384 / 32', () => {
    expect(m.outputSizeOf(['A'])).toBe(32768);
    expect(m.outputSizeOf(['B'])).toBe(16384);
    expect(m.outputSizeOf(['C'])).toBe(32);
    expect(m.outputSizeOf([])).toBe(32);
    expect(m.outputSizeOf(['Z'])).toBeUndefined();
  });
  it('reports the layer as §8 shows', () => {
    const l = info.layers[0];
    expect(l).toMatchObject({ index: 0, label: 'A', type: 'Linear', line: 7, inputShape: [32, 30], outputShape: [32, 1024], outputSize: 32768, params: 31744, macs: 983040, multAdds: 1015808 });
    expect(l.parameters).toEqual([
      { name: 'mlp.0.weight', shape: [1024, 30] },
      { name: 'mlp.0.bias', shape: [1024] },
    ]);
    expect(info.memory.float32.params).toBe(557057 * 4);
    expect(info.memory.float64.params).toBe(557057 * 8);
  });
  it('names parameters like state_dict with label aliases', () => {
    expect(m.parameters().map((p) => p.name)).toEqual(['mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias', 'mlp.4.weight', 'mlp.4.bias']);
    expect(m.parameters()[0].aliases).toEqual(['mlp.A.weight']);
  });
  it('formats a summary table', () => {
    const s = formatSummary(info);
    expect(s).toContain('Total params: 557,057');
    expect(s).toContain('├─Linear: 1-0 (A)');
    expect(s).toContain('[32, 1024]');
  });
  it('initialises from PyTorch distributions, deterministically per seed', () => {
    const w = m.parameters()[0].init;
    const bound = 1 / Math.sqrt(30);
    expect(Math.max(...w.data)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w.data)).toBeGreaterThanOrEqual(-bound);
    expect(Math.max(...w.data)).toBeGreaterThan(0.9 * bound);
    const again = build(HW).nets.get('mlp')!.parameters()[0].init;
    expect([...again.data.slice(0, 5)]).toEqual([...w.data.slice(0, 5)]);
    const seeded = build(HW.replace('network mlp', 'network mlp seed 7')).nets.get('mlp')!.parameters()[0].init;
    expect(seeded.data[0]).not.toBe(w.data[0]);
  });
});

describe('symbolic sizes', () => {
  it('carries N through an MLP', () => {
    const b = build('network mlp\n  input [N, 30]\n  A = Linear(30, 1024)\n  ReLU\n  Linear(1)\n');
    expect(b.diagnostics).toEqual([]);
    const info = b.infos.get('mlp')!;
    expect(info.layers[0].outputShape).toEqual(['N', 1024]);
    expect(info.layers[0].outputSize).toBe('1024·N');
    expect(info.layers[0].macs).toBe('30720·N');
    expect(info.params).toBe(31744 + 1025);
    expect(b.nets.get('mlp')!.outputSizeOf(['A'])).toBe('1024·N');
  });
  it('writes conv formulas with floor and folds constants', () => {
    const b = build('network c\n  input [N, 3, H, W]\n  Conv2d(3, 8, 3, stride=2, padding=1)\n  MaxPool2d(2)\n  Flatten()\n');
    expect(b.diagnostics).toEqual([]);
    const l = b.infos.get('c')!.layers;
    expect(l[0].outputShape).toEqual(['N', 8, 'floor((H − 1)/2) + 1', 'floor((W − 1)/2) + 1']);
    expect(l[1].outputShape[2]).toBe('floor((floor((H − 1)/2) − 1)/2) + 1');
    expect(l[0].paramFormula).toBe('(3·3·3 + 1) × 8');
    expect(typeof l[2].outputShape[1]).toBe('string');
  });
  it('binds symbols when run', () => {
    const b = build('network mlp\n  input [N, 3]\n  Linear(3, 2)\n');
    const tape = new MiniTape(b.nets.get('mlp')!);
    const { y } = tape.run(tensor([5, 3]));
    expect(tape.nodes[y!].value.shape).toEqual([5, 2]);
  });
  it('folds and evaluates', () => {
    const H = D.sym('H');
    const o = D.add(D.floorDiv(D.add(H, 2 * 1 - 3), 2), 1);
    expect(D.toText(o)).toBe('floor((H − 1)/2) + 1');
    expect(D.evaluate(o, new Map([['H', 28]]))).toBe(14);
    expect(D.toText(D.mul(D.sym('N'), 1024))).toBe('1024·N');
    expect(D.toText(D.floorDiv(D.scale(H, 4), 2))).toBe('2·H');
    expect(D.sub(H, H)).toBe(0);
  });
});

describe('diagnostics', () => {
  it('names both shapes and the argument to change', () => {
    const b = build('network m\n  input [32, 20]\n  Linear(30, 10)\n');
    expect(b.diagnostics).toHaveLength(1);
    expect(b.diagnostics[0]).toMatchObject({ code: 'net.shape-mismatch', message: 'Linear(30, 10) expects 30 input features but receives [32, 20].' });
    expect(at(b, b.diagnostics[0])).toBe('30');
    expect(b.nets.get('m')).toBeUndefined();
  });
  it('suggests the nearest layer name', () => {
    const b = build('network m\n  input [3, 4]\n  Linaer(4, 2)\n');
    expect(b.diagnostics[0].code).toBe('net.unknown-layer');
    expect(b.diagnostics[0].message).toContain('Did you mean `Linear`?');
    expect(at(b, b.diagnostics[0])).toBe('Linaer');
  });
  it('rejects wrong argument kinds and unknown keywords', () => {
    const b = build("network m\n  input [1, 3, 8, 8]\n  Conv2d(3, 8, kernel_size='x')\n");
    expect(b.diagnostics[0].code).toBe('net.bad-argument');
    expect(at(b, b.diagnostics[0])).toBe("'x'");
    const k = build('network m\n  input [1, 3, 8, 8]\n  Conv2d(3, 8, 3, strid=2)\n');
    expect(k.diagnostics[0].message).toContain("did you mean 'stride'");
    expect(at(k, k.diagnostics[0])).toBe('strid');
  });
  it('checks groups and kernel sizes', () => {
    const g = build('network m\n  input [1, 6, 8, 8]\n  Conv2d(6, 8, 3, groups=4)\n');
    expect(g.diagnostics[0]).toMatchObject({ code: 'net.bad-argument', message: 'groups = 4 does not divide in_channels = 6.' });
    expect(at(g, g.diagnostics[0])).toBe('4');
    const k = build('network m\n  input [1, 1, 4, 4]\n  Conv2d(1, 2, 5)\n');
    expect(k.diagnostics[0].code).toBe('net.shape-mismatch');
    expect(k.diagnostics[0].message).toContain('larger than the padded input [1, 1, 4, 4]');
    expect(at(k, k.diagnostics[0])).toBe('5');
    const gn = build('network m\n  input [1, 6, 4]\n  GroupNorm(4, 6)\n');
    expect(at(gn, gn.diagnostics[0])).toBe('4');
  });
  it('wants an input line first', () => {
    const b = build('network m\n  Linear(3, 2)\n');
    expect(b.diagnostics.some((d) => d.code === 'net.missing-input' || d.code.startsWith('parse'))).toBe(true);
  });
  it('reports a nested network mismatch on the line that uses it', () => {
    const b = build('network blk\n  input [N, 8]\n  Linear(8, 8)\nnetwork m\n  input [2, 4]\n  Residual(blk)\n');
    expect(b.diagnostics).toHaveLength(1);
    expect(b.diagnostics[0].message).toContain('in `blk` at its layer 0');
    expect(at(b, b.diagnostics[0])).toBe('Residual(blk)');
  });
  it('says which layer options are summary-only when run', () => {
    const b = build('network m\n  input [5, 2]\n  Embedding(8, 4, max_norm=1.0)\n');
    expect(b.diagnostics).toEqual([]);
    const tape = new MiniTape(b.nets.get('m')!);
    const { y } = tape.run(tensor([5, 2]));
    expect(y).toBeUndefined();
    expect(tape.errors[0]).toMatchObject({ code: 'net.not-runnable', message: 'Embedding(8, 4, max_norm=1) with max_norm can be summarised but not yet run.' });
  });
  it('reports a run-time shape mismatch at the layer', () => {
    const b = build('network m\n  input [N, 3]\n  Linear(3, 2)\n');
    const tape = new MiniTape(b.nets.get('m')!);
    tape.run(tensor([4, 5]));
    expect(tape.errors[0]).toMatchObject({ code: 'net.shape-mismatch', message: 'Linear(3, 2) expects 3 input features but receives [4, 5].' });
  });
});

describe('composition and buffers', () => {
  const text = 'network blk\n  input [N, 4, H, W]\n  Conv2d(4, 4, 3, padding=1)\n  BatchNorm2d(4)\nnetwork res\n  input [N, 4, 8, 8]\n  Residual(blk)\n  B = blk\n';
  it('nests names and counts buffers', () => {
    const b = build(text);
    expect(b.diagnostics).toEqual([]);
    const m = b.nets.get('res')!;
    expect(m.parameters().map((p) => p.name)).toEqual([
      'res.0.net.0.weight',
      'res.0.net.0.bias',
      'res.0.net.1.weight',
      'res.0.net.1.bias',
      'res.1.0.weight',
      'res.1.0.bias',
      'res.1.1.weight',
      'res.1.1.bias',
    ]);
    expect(m.buffers().map((p) => p.name)).toContain('res.1.1.num_batches_tracked');
    expect(m.parameters()[4].aliases).toEqual(['res.B.0.weight']);
    const info = b.infos.get('res')!;
    expect(info.buffers).toBe(2 * (4 + 4 + 1));
    expect(info.params).toBe(2 * (4 * 4 * 9 + 4 + 8));
    expect(info.layers[0].children).toHaveLength(2);
    expect(m.paramsOf(['B'])).toBe(4 * 4 * 9 + 4 + 8);
    expect(m.paramsOf(['0', 'net', '0'])).toBe(4 * 4 * 9 + 4);
    expect(m.outputSizeOf(['B'])).toBe('256·N');
  });
});

describe('dropout', () => {
  it('is the identity in eval and masks with 1/(1 − p) in train', () => {
    const b = build('network d\n  input [100, 50]\n  Dropout(0.2)\n');
    const tape = new MiniTape(b.nets.get('d')!);
    const x = tensor([100, 50]);
    x.data.fill(1);
    const ev = tape.run(x);
    expect(ev.y).toBe(ev.x);
    const tr = tape.run(x, true);
    const v = tape.nodes[tr.y!].value.data;
    const zeros = v.filter((t) => t === 0).length;
    expect(zeros / v.length).toBeGreaterThan(0.17);
    expect(zeros / v.length).toBeLessThan(0.23);
    expect(v.every((t) => t === 0 || Math.abs(t - 1.25) < 1e-15)).toBe(true);
    const seed = tensor([100, 50]);
    seed.data.fill(1);
    const g = tape.backward(tr.y!, seed)[tr.x]!;
    expect([...g.data]).toEqual([...v]);
  });
});
