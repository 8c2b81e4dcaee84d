/**
 * The interpreter's rules (docs/python.md): what is unknown and said once, what keeps its
 * severity, the work budget and cancellation, and the parser's tolerance. Expected values are
 * CPython's (written out by hand from `python3`) unless a comment says otherwise.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { parsePython } from '../../../src/core/python/parse';
import type { Analysis } from '../../../src/core/analysis';

const py = (src: string, options: Parameters<typeof analyze>[1] = {}): Analysis => analyze(src, { ...options, languageId: 'python', valuesOnly: true });
const value = (a: Analysis, name: string): number[] | undefined => a.values.filter((v) => v.name === name).pop()?.data;
const out = (a: Analysis): string[] => (a.prints ?? []).map((p) => p.text);

describe('parsing (@lezer/python into GradLens’s AST)', () => {
  it.each([
    ['x, y = 1, 2.5; z = x // 2', ['Assign', 'Assign']],
    ['for i in range(3):\n    pass\nelse:\n    pass', ['For']],
    ['class A(B):\n    def f(self, *a, k=1, **kw):\n        return super().f()', ['Class']],
    ['with torch.no_grad():\n    w -= 0.1 * w.grad', ['With']],
    ['import torch.nn as nn\nfrom torch import nn, optim', ['Import', 'ImportFrom']],
    ['W1 = np.random.randn(3,\nz = 3', ['Unsupported', 'Assign']],
    ['raise ValueError("x")', ['Unsupported']],
  ])('%s', (src, kinds) => {
    expect(parsePython(src).body.map((s) => s.kind)).toEqual(kinds);
  });

  it('chained comparisons stay one comparison; slices and None in subscripts; f-string parts', () => {
    const m = parsePython('a < b <= c\nq = x[1:2, None, ::2]\nf"{v:.3f} {w!r} {{x}}"\n');
    const cmp = m.body[0] as Extract<(typeof m.body)[number], { kind: 'Expr' }>;
    expect(cmp.value.kind === 'Compare' && cmp.value.ops).toEqual(['<', '<=']);
    const sub = (m.body[1] as unknown as { value: { kind: string; items: { kind: string }[] } }).value;
    expect(sub.items.map((i) => i.kind)).toEqual(['Slice', 'Const', 'Slice']);
  });

  it('comment directives are collected with their offsets', () => {
    const text = 'x = 1\n# expect dW1 == grad(loss, W1)\n# a comment\n#check loss wrt W1\n';
    const d = parsePython(text).directives;
    expect(d.map((x) => x.text)).toEqual(['expect dW1 == grad(loss, W1)', 'check loss wrt W1']);
    expect(text.slice(d[0].offset, d[0].offset + 6)).toBe('expect');
  });
});

describe('unknowns are quiet and do not cascade', () => {
  it('an unknown module gives one hint; the lines that use it are skipped without diagnostics', () => {
    const a = py('import matplotlib.pyplot as plt\nfig = plt.figure()\nplt.plot([1, 2])\nax = fig.gca()\nx = 2\n');
    expect(a.diagnostics.map((d) => d.severity)).toEqual(['info']);
    expect(value(a, 'x')).toEqual([2]);
    expect(value(a, 'fig')).toBeUndefined();
  });

  it('an undefined name is not an error (Pylance reports it)', () => {
    const a = py('y = undefined_thing + 1\nz = y * 2\nw = 3\n');
    expect(a.diagnostics).toEqual([]);
    expect(value(a, 'w')).toEqual([3]);
  });

  it('a numpy function GradLens lacks is named in the hint, never another function', () => {
    const a = py('import numpy as np\nA = np.ones((2, 2))\nU, S, V = np.linalg.svd(A)\n');
    expect(a.diagnostics.length).toBe(1);
    expect(a.diagnostics[0].message).toMatch(/np|numpy/);
    expect(a.diagnostics[0].severity).toBe('info');
  });

  it('a skipped in-place change makes its array unknown instead of stale', () => {
    const a = py('import numpy as np\nY = np.zeros((2, 2))\nY[unknown_idx] = 1\ns = Y.sum()\n');
    expect(value(a, 's')).toBeUndefined();
    expect(a.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });

  it('its own findings keep error severity: a failing assert', () => {
    const a = py('x = 2\nassert x == 3, "x should be 3"\ny = 1\n');
    const e = a.diagnostics.filter((d) => d.severity === 'error');
    expect(e.map((d) => d.code)).toEqual(['python.assert']);
    expect(e[0].message).toContain('x should be 3');
    expect(value(a, 'y')).toEqual([1]);
  });

  it('an exception Python would raise is a warning on its line; the program goes on', () => {
    const a = py('a = 1 / 0\nb = [1, 2][5]\nc = 3\n');
    expect(a.diagnostics.map((d) => [d.severity, d.code])).toEqual([
      ['warning', 'python.exception'],
      ['warning', 'python.exception'],
    ]);
    expect(a.diagnostics[0].message).toContain('ZeroDivisionError');
    expect(value(a, 'c')).toEqual([3]);
  });
});

describe('budget and cancellation', () => {
  it('while True ends at the work budget with the budget note, not a hang', () => {
    const a = py('i = 0\nwhile True:\n    i += 1\nj = 1\n', { budget: 1e6 });
    expect(a.stats.skipped).toMatch(/work budget/);
    expect(value(a, 'j')).toBeUndefined();
  });

  it('shouldStop stops the interpretation with its reason', () => {
    let polls = 0;
    const a = py('i = 0\nwhile True:\n    i += 1\n', { shouldStop: () => (++polls > 3 ? 'by the user' : undefined) });
    expect(a.stats.skipped).toMatch(/by the user/);
  });
});

describe('Python numbers and values as CPython', () => {
  it('int vs float arithmetic', () => {
    const a = py('a = 7 // 2\nb = -7 // 2\nc = 7 % -3\nd = 2 ** -1\ne = 10 / 5\nf = 7.5 // 2\nprint(a, b, c, d, e, f, 2 ** 62)\n');
    expect(out(a)).toEqual(['3 -4 -2 0.5 2.0 3.0 4611686018427387904']);
  });

  it('tuple unpacking binds every name at module level; a loop variable once with its last value', () => {
    const a = py('w0, w1 = 0.3, -0.2\nfor k in range(4):\n    s = k * 2\n');
    expect(value(a, 'w0')).toEqual([0.3]);
    expect(value(a, 'w1')).toEqual([-0.2]);
    expect(a.values.filter((v) => v.name === 's').length).toBe(1);
    expect(value(a, 's')).toEqual([6]);
  });

  it('print output is attached to the module-level statement that printed', () => {
    const a = py('x = 1\nfor i in range(2):\n    print(i)\n');
    expect((a.prints ?? []).map((p) => [p.line, p.text])).toEqual([
      [1, '0'],
      [1, '1'],
    ]);
  });

  it('# check runs central differences on the numpy tape (a .nn statement after #)', () => {
    const a = py('import numpy as np\nnp.random.seed(0)\nW = np.random.randn(3, 2)\nX = np.random.randn(4, 3)\nL = np.tanh(X @ W).sum()\n# check L wrt W\n');
    expect(a.checks.length).toBe(1);
    expect(a.checks[0].passed).toBe(true);
  });
});

describe('hovers', () => {
  it('a binding shows its value; a .grad read shows the gradient', () => {
    const a = analyze('import torch\nw = torch.tensor(0.1, requires_grad=True)\ny = w * 3\ny.backward()\ng = w.grad\n', { languageId: 'python' });
    const y = a.symbols.find((s) => s.kind === 'binding' && s.name === 'y')!;
    // 0.1 · 3 = 0.30000000000000004 in float64 (CPython), 0.3 at 4 digits either way.
    expect(y.detail).toContain('y = 0.3');
    const g = a.symbols.find((s) => s.kind === 'reference' && s.name === 'w.grad')!;
    expect(g.detail).toContain('∂y/∂w');
    expect(g.detail).toContain('3');
  });
});
