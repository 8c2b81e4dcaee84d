/** `gradlens eval FILE.ipynb`: the notebook's code cells as one program, lines reported as cell + line (docs/notebooks.md). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}
const dir = mkdtempSync(join(tmpdir(), 'gradlens-nb-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const notebook = (...cells: [string, string][]): string =>
  JSON.stringify({ cells: cells.map(([cell_type, source]) => ({ cell_type, metadata: {}, source: source.split(/(?<=\n)/) })), metadata: {}, nbformat: 4, nbformat_minor: 5 });

describe('gradlens eval FILE.ipynb', () => {
  // Plain assignments read the same in Python and .nn: a = 2, b = a·3 = 6, c = b + 1 = 7 (by hand).
  const nb = file('three.ipynb', notebook(['markdown', '# Title'], ['code', 'a = 2\nb = a * 3'], ['markdown', 'More'], ['code', '%matplotlib inline\nc = b + 1']));

  it('reports every value with the cell index (markdown cells counted) and the line in that cell', () => {
    const r = run(['eval', nb, '--json']);
    const j = JSON.parse(r.out);
    expect(j.file).toBe(nb);
    expect(j.values.map((v: { name: string; cell: number; line: number; data: number[] }) => [v.name, v.cell, v.line, v.data[0]])).toEqual([
      ['a', 1, 0, 2],
      ['b', 1, 1, 6],
      ['c', 3, 1, 7],
    ]);
  });

  it('the readable report names cells too', () => {
    const r = run(['eval', nb]);
    expect(r.out).toContain('cell 3   line 2    c = 7');
  });

  it('malformed JSON: exit 1 and one diagnostic, placed in the .ipynb text itself', () => {
    const bad = file('bad.ipynb', '{\n  "cells": [\n    {"cell_type": "code" "source": "x = 1"}\n  ]\n}\n');
    const r = run(['eval', bad, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.values).toEqual([]);
    expect(j.diagnostics).toEqual([
      {
        severity: 'error',
        code: 'notebook.json',
        message: 'Expected a Jupyter notebook (JSON), found malformed JSON: unexpected `"`.',
        range: { start: { line: 2, character: 25 }, end: { line: 2, character: 26 } },
      },
    ]);
  });

  it('explain is not offered for notebooks (exit 2 with the reason)', () => {
    const r = run(['explain', nb, '--of', 'b', '--wrt', 'a']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not available for notebooks');
  });
});

describe('examples/hw4-mlp.ipynb against PyTorch (notebooks.json, gen_notebooks.py)', () => {
  const ref = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/torch/notebooks/notebooks.json', import.meta.url)), 'utf8')) as {
    values: { name: string; cell: number; line: number; shape: number[]; data: number[] }[];
    printed: { cell: number; text: string }[];
  };
  const r = run(['eval', 'examples/hw4-mlp.ipynb', '--json']);
  const j = JSON.parse(r.out);
  const byName = new Map<string, { cell: number; line: number; shape: number[]; data: number[] }>(j.values.map((v: { name: string }) => [v.name, v]));

  it('no problems, exit 0', () => {
    expect(j.diagnostics).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('every value PyTorch bound, at its cell and line; float32 arithmetic within 1e-7 relative, the seeded draws exact', () => {
    for (const want of ref.values) {
      const got = byName.get(want.name);
      expect(got, want.name).toBeDefined();
      expect([got!.cell, got!.line], want.name).toEqual([want.cell, want.line]);
      expect(got!.shape, want.name).toEqual(want.shape);
      // GradLens computes in float64, PyTorch in float32 (w0 = 0.3 is 0.30000001192092896 there).
      got!.data.forEach((x, i) => expect(Math.abs(x - want.data[i]), `${want.name}[${i}]`).toBeLessThanOrEqual(1e-7 * Math.max(1, Math.abs(want.data[i]))));
    }
    // After torch.manual_seed(0) and the MLP's 557,057 initial parameters, torch.randn(4, 30) is PyTorch's own, bit for bit.
    expect(byName.get('X')!.data).toEqual(ref.values.find((v) => v.name === 'X')!.data);
    expect(byName.get('total')!.data).toEqual([557057]);
  });

  it("prints what PyTorch printed, in the cell that printed it", () => {
    expect(j.prints.map((p: { cell: number; text: string }) => [p.cell, p.text])).toEqual(ref.printed.map((p) => [p.cell, p.text]));
  });

  it('summary of a notebook prints its model (557,057 parameters)', () => {
    const s = run(['summary', 'examples/hw4-mlp.ipynb']);
    expect(s.code).toBe(0);
    expect(s.out).toContain('Total params: 557,057');
  });
});
