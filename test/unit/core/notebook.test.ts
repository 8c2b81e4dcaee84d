/** Notebooks as one program: reading .ipynb JSON, IPython magics, the cell map, and an analysis seen from one cell. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../../src/core/index';
import { analysisForCell } from '../../../src/core/notebookAnalysis';
import { cellAt, jsonErrorOffset, neutraliseMagics, notebookProgram, readNotebook, spanInCell } from '../../../src/core/syntax/notebook';

const nb = (cells: { cell_type: string; source: string | string[] }[], extra: object = {}): string => JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5, ...extra });

describe('readNotebook', () => {
  it('joins the code cells in order, sources as strings or lists of lines, each cell on its own lines', () => {
    const p = readNotebook(
      nb([
        { cell_type: 'markdown', source: '# Title' },
        { cell_type: 'code', source: ['a = 1\n', 'b = 2'] },
        { cell_type: 'raw', source: 'not code' },
        { cell_type: 'code', source: 'c = a + b\n' },
        { cell_type: 'code', source: '' },
        { cell_type: 'code', source: 'd = c' },
      ]),
    );
    expect(p.diagnostics).toEqual([]);
    expect(p.text).toBe('a = 1\nb = 2\nc = a + b\n\nd = c\n');
    expect(p.cells).toEqual([
      { cell: 1, start: 0, end: 11, line: 0 },
      { cell: 3, start: 12, end: 22, line: 2 },
      { cell: 4, start: 22, end: 22, line: 3 },
      { cell: 5, start: 23, end: 28, line: 4 },
    ]);
    // Every cell's text is at its range, unchanged.
    expect(p.text.slice(12, 22)).toBe('c = a + b\n');
    expect(p.language).toBe('python');
  });

  it('maps program offsets back to (cell, offset in cell)', () => {
    const p = readNotebook(nb([{ cell_type: 'code', source: 'x = 1' }, { cell_type: 'markdown', source: 'm' }, { cell_type: 'code', source: 'y = x\nz = y' }]));
    expect(p.text).toBe('x = 1\ny = x\nz = y\n');
    expect(cellAt(p, 0)?.cell).toBe(0);
    expect(cellAt(p, 5)?.cell).toBe(0); // the end of cell 0 (its added line break follows)
    expect(cellAt(p, 6)?.cell).toBe(2);
    expect(spanInCell(p, { start: 12, end: 17 })).toEqual({ cell: 2, span: { start: 6, end: 11 } });
    expect(cellAt(p, 100)).toBeUndefined();
  });

  it('reads the kernel language from the metadata', () => {
    expect(readNotebook(nb([], { metadata: { language_info: { name: 'Python' } } })).language).toBe('python');
    expect(readNotebook(nb([], { metadata: { kernelspec: { language: 'julia' } } })).language).toBe('julia');
  });

  it('malformed JSON is a diagnostic at the offending offset, never an exception', () => {
    const text = '{"cells": [ {"cell_type": "code", "source": "x = 1"} ';
    const p = readNotebook(text);
    expect(p.text).toBe('');
    expect(p.cells).toEqual([]);
    expect(p.diagnostics).toHaveLength(1);
    expect(p.diagnostics[0].code).toBe('notebook.json');
    expect(p.diagnostics[0].message).toMatch(/^Expected a Jupyter notebook \(JSON\), found malformed JSON/);
    expect(p.diagnostics[0].message).toBe('Expected a Jupyter notebook (JSON), found malformed JSON: it ends early (at the end of the file).');
    expect(p.diagnostics[0].span).toEqual({ start: text.length, end: text.length });
    const bad = readNotebook('{"cells": [1, 2,, 3]}');
    expect(bad.diagnostics[0].span).toEqual({ start: 16, end: 17 }); // the second comma
    expect(bad.diagnostics[0].message).toBe('Expected a Jupyter notebook (JSON), found malformed JSON: unexpected `,`.');
  });

  it('jsonErrorOffset agrees with JSON.parse on what is valid', () => {
    const valid = ['{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"]} ', '"s"', '0'];
    for (const v of valid) {
      JSON.parse(v);
      expect(jsonErrorOffset(v)).toBe(v.length);
    }
    const invalid: [string, number][] = [['{"a" 1}', 5], ['[1 2]', 3], ['{"a": tru}', 6], ['[01]', 2], ['"a\\x"', 3], ['{} x', 3], ['[', 1], ['{"a": "b\n"}', 8]];
    for (const [v, at] of invalid) {
      expect(() => JSON.parse(v)).toThrow();
      expect(jsonErrorOffset(v), v).toBe(at);
    }
  });

  it('JSON that is not a notebook, or nbformat 3, is a diagnostic; odd cells are skipped', () => {
    expect(readNotebook('[1, 2]').diagnostics[0].message).toBe('Expected a Jupyter notebook (nbformat 4: an object with "cells"), found an array.');
    expect(readNotebook('{"worksheets": []}').diagnostics[0].code).toBe('notebook.malformed');
    expect(readNotebook('{"cells": [], "nbformat": 3}').diagnostics[0].code).toBe('notebook.version');
    const odd = readNotebook('{"cells": [null, {"cell_type": "code", "source": 5}, {"cell_type": "code", "source": ["a = 1", 7]}]}');
    expect(odd.diagnostics).toEqual([]);
    expect(odd.text).toBe('\na = 1\n');
  });
});

describe('IPython magics', () => {
  it('line magics and shell escapes become comments, offsets unchanged', () => {
    const src = '%matplotlib inline\n!pip install torch\nx = 1\n  %time y = 2\n';
    const out = neutraliseMagics(src);
    expect(out).toBe('#matplotlib inline\n#pip install torch\nx = 1\n  #time y = 2\n');
    expect(out.length).toBe(src.length);
  });

  it('a non-Python cell magic blanks the cell; %%time keeps its Python', () => {
    expect(neutraliseMagics('%%bash\nls -l\n')).toBe('      \n     \n');
    expect(neutraliseMagics('%%time\nx = 1')).toBe('#%time\nx = 1');
    expect(notebookProgram([{ kind: 'code', source: '%%writefile a.py\nprint(1)' }]).text).toBe('                \n        \n');
  });

  it('cells of another language (VS Code cells carry their own) are left out', () => {
    const p = notebookProgram([
      { kind: 'code', source: 'x = 1', language: 'python' },
      { kind: 'code', source: 'SELECT 1', language: 'sql' },
      { kind: 'code', source: 'y = 2', language: 'python' },
    ]);
    expect(p.text).toBe('x = 1\ny = 2\n');
    expect(p.cells.map((c) => c.cell)).toEqual([0, 2]);
  });
});

describe('analysisForCell', () => {
  // The slicing is independent of the language: a program of .nn cells, analysed as .nn.
  const program = notebookProgram([
    { kind: 'code', source: 'a = 2\nb = a * 3' },
    { kind: 'markdown', source: 'text' },
    { kind: 'code', source: 'c = b + 1\nd = c * c\nq = nosuch + 1' },
  ]);
  const a = analyze(program.text);

  it('keeps each cell its own values, at its own offsets and lines (hand-computed: b = 6, c = 7, d = 49)', () => {
    const first = analysisForCell(a, program.text, program.cells[0]);
    const second = analysisForCell(a, program.text, program.cells[1]);
    expect(first.values.map((v) => [v.name, v.line, v.data[0]])).toEqual([
      ['a', 0, 2],
      ['b', 1, 6],
    ]);
    expect(second.values.map((v) => [v.name, v.line, v.data[0]])).toEqual([
      ['c', 0, 7],
      ['d', 1, 49],
    ]);
    const cellText = 'c = b + 1\nd = c * c\nq = nosuch + 1';
    const d = second.values[1];
    expect(cellText.slice(d.nameSpan.start, d.nameSpan.end)).toBe('d');
    expect(cellText.slice(d.span.start, d.span.end)).toBe('d = c * c');
  });

  it('puts each diagnostic in its own cell only', () => {
    const first = analysisForCell(a, program.text, program.cells[0]);
    const second = analysisForCell(a, program.text, program.cells[1]);
    expect(first.diagnostics).toEqual([]);
    expect(second.diagnostics.map((d) => d.code)).toContain('name.undefined');
    const undef = second.diagnostics.find((d) => d.code === 'name.undefined')!;
    expect('c = b + 1\nd = c * c\nq = nosuch + 1'.slice(undef.span.start, undef.span.end)).toBe('nosuch');
    // Hovers: symbols of the cell only, with spans inside it.
    for (const s of second.symbols) expect(s.span.end).toBeLessThanOrEqual(program.cells[1].end - program.cells[1].start);
    expect(second.symbols.some((s) => s.name === 'a')).toBe(false);
  });

  it('keeps graph edges only between nodes of the cell', () => {
    const second = analysisForCell(a, program.text, program.cells[1]);
    const ids = new Set(second.graph.nodes.map((n) => n.id));
    for (const e of second.graph.edges) expect(ids.has(e.from) && ids.has(e.to)).toBe(true);
  });
});

describe('the example notebook (examples/hw4-mlp.ipynb, written by gen_notebooks.py)', () => {
  const file = fileURLToPath(new URL('../../../examples/hw4-mlp.ipynb', import.meta.url));
  const program = readNotebook(readFileSync(file, 'utf8'));
  it('has five code cells among eight, and neutralises its %matplotlib line', () => {
    expect(program.diagnostics).toEqual([]);
    expect(program.cells.map((c) => c.cell)).toEqual([1, 3, 4, 6, 7]);
    expect(program.text).toContain('#matplotlib inline\nX = torch.randn(4, 30)');
  });
});
