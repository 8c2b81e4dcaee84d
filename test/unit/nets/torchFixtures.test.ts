/** Forward and backward of every runnable layer against PyTorch (float64), fixtures from gen_nets.py. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';
import { build, MiniTape } from './helpers';

interface T {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  text: string;
  train: boolean;
  input: T;
  state: Record<string, T>;
  seed: T;
  output: T;
  gradInput: T | null;
  gradParams: Record<string, T>;
  buffersAfter: Record<string, T>;
}

const file = fileURLToPath(new URL('../../fixtures/torch/nets/nets.json', import.meta.url));
const fixtures = JSON.parse(readFileSync(file, 'utf8')) as { cases: Case[] };

function close(actual: Tensor | undefined, expected: T, what: string): void {
  expect(actual, what).toBeDefined();
  expect([...actual!.shape], `${what} shape`).toEqual(expected.shape);
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    worst = Math.max(worst, Math.abs(actual!.data[i] - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst, `${what}: max relative error`).toBeLessThan(1e-10);
}

describe('layers against PyTorch', () => {
  it('has the fixtures', () => expect(fixtures.cases.length).toBeGreaterThan(40));
  for (const c of fixtures.cases) {
    it(c.name, () => {
      const b = build(c.text);
      expect(b.diagnostics).toEqual([]);
      const model = b.nets.get('net')!;
      const tape = new MiniTape(model);
      const names = new Set(model.parameters().map((p) => p.name));
      for (const [k, v] of Object.entries(c.state)) {
        if (names.has(k)) tape.setParam(k, v.data);
        else {
          expect(tape.buffers.has(k), `buffer ${k}`).toBe(true);
          tape.buffers.set(k, tensor(v.shape, v.data));
        }
      }
      expect(names.size).toBe(Object.keys(c.gradParams).length);
      const { x, y } = tape.run(tensor(c.input.shape, c.input.data), c.train);
      expect(tape.errors).toEqual([]);
      close(tape.nodes[y!].value, c.output, 'output');
      const grads = tape.backward(y!, tensor(c.seed.shape, c.seed.data));
      if (c.gradInput) close(grads[x], c.gradInput, 'grad input');
      for (const [k, g] of Object.entries(c.gradParams)) close(grads[tape.params.get(k)!] ?? tensor(g.shape), g, `grad ${k}`);
      for (const [k, v] of Object.entries(c.buffersAfter)) close(tape.buffers.get(k), v, `buffer ${k}`);
    });
  }
});
