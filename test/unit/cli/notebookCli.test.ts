/** `gradlens eval FILE.ipynb`: the notebook's code cells as one program, lines reported as cell + line (docs/notebooks.md). */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
