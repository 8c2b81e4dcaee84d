/**
 * Issue #17 (a student's first hour): the spellings students type, names a broken line meant to
 * bind, hints that say what was meant, shapes of layers, and Markdown files with ```python
 * blocks. Reference values: CPython / numpy for the arithmetic and shapes (noted per case), hand
 * derivations for the gradients.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { parseProgram } from '../../../src/core/syntax/parser';
import { main } from '../../../src/cli/main';

const run = (text: string) => analyze(text);
const value = (a: ReturnType<typeof run>, name: string) => a.values.find((v) => v.name === name)?.data;
const codes = (a: ReturnType<typeof run>) => a.diagnostics.map((d) => d.code);
const lines = (...l: string[]) => l.join('\n') + '\n';

describe('a broken line’s names count as bound', () => {
  it('after a refused tuple assignment, w0 and w1 are not “undefined” (and no “did you mean x0”)', () => {
    // The tuple line itself may be refused or accepted (branch vocab-index); either way no
    // name.undefined follows it.
    const a = run(lines('x0 = 1.0', 'w0, w1 = 0.3, -0.2, 7 +', 'z = x0 * w0 + w1', 'grad z wrt w0'));
    expect(codes(a).filter((c) => c === 'name.undefined')).toEqual([]);
    expect(a.diagnostics.some((d) => /Did you mean/.test(d.message))).toBe(false);
    expect(a.diagnostics.some((d) => d.fixes?.some((f) => f.text === 'x0'))).toBe(false);
  });

  it('reads every name of a broken tuple target: a, b = …; (a, b) = …; [a, b] = …; a, b, = …', () => {
    for (const src of ['a, b = 1 +', '(a, b) = 1 +', '[a, b] = 1 +', 'a, b, = 1 +']) {
      const p = parseProgram(src + '\n');
      expect(p.program.statements[0]).toMatchObject({ kind: 'Invalid', name: 'a', names: ['a', 'b'] });
    }
    expect(parseProgram('x = 1 +\n').program.statements[0]).toMatchObject({ kind: 'Invalid', name: 'x' });
    expect(parseProgram('x == 1 +\n').program.statements[0]).toMatchObject({ kind: 'Invalid', name: 'x' });
    // Not a target: an expression with commas and no `=`.
    expect(parseProgram('a, b +\n').program.statements[0]).toMatchObject({ kind: 'Invalid', name: null });
  });

  it('a quick fix is offered exactly where the message says “Did you mean” (name.undefined, name.unknown-function)', () => {
    const a = run(lines('x0 = 1.0', 'y = xo + 1', 'q = zzz_unrelated * 2', 'r = relu_(x0)', 's = qqqqqq(x0)'));
    const names = a.diagnostics.filter((d) => d.code === 'name.undefined' || d.code === 'name.unknown-function');
    expect(names.length).toBe(4);
    for (const d of names) expect(/Did you mean/.test(d.message)).toBe((d.fixes?.length ?? 0) > 0);
  });
});

describe('the spellings students type', () => {
  it('× · ⋅ ∗ multiply; x² x³ x⁻¹ are powers (CPython: 1.5*2 = 3.0, 3**2 = 9, 2**-1 = 0.5, 2**10 = 1024)', () => {
    const a = run(lines('x0 = 1.5', 'a = x0 × 2', 'b = x0 · 2', 'c = x0 ⋅ 2', 'd = x0 ∗ 2', 'e2 = 3²', 'f = x0³', 'g = 2⁻¹', 'h = 2¹⁰', 'k = x0² + 1'));
    expect(codes(a)).toEqual([]);
    for (const n of ['a', 'b', 'c', 'd']) expect(value(a, n)).toEqual([3]);
    expect(value(a, 'e2')).toEqual([9]);
    expect(value(a, 'f')).toEqual([3.375]);
    expect(value(a, 'g')).toEqual([0.5]);
    expect(value(a, 'h')).toEqual([1024]);
    expect(value(a, 'k')).toEqual([3.25]);
  });

  it('σ is sigmoid (PyTorch: torch.sigmoid(0.5) = 0.6224593312018546); Σ is not', () => {
    const a = run(lines('y = σ(0.5)', 'q = Σ(0.5)'));
    expect(value(a, 'y')?.[0]).toBeCloseTo(0.6224593312018546, 15);
    expect(codes(a)).toEqual(['name.unknown-function']);
  });

  it('grad z w.r.t. w0, with respect to, wrt w0 and w1, grad(z, w0) alone on a line (by hand: ∂z/∂w0 = x0 = 2, ∂z/∂w1 = 1)', () => {
    const a = run(lines('x0 = 2.0', 'w0 = 0.3', 'w1 = -0.2', 'z = x0 * w0 + w1', 'grad z w.r.t. w0', 'grad z w.r.t w0', 'grad z with respect to w0', 'grad z wrt w0 and w1', 'grad z wrt w0, and w1', 'grad(z, w0)', 'grad(z, w0, w1)', 'g = grad(z, w0) * 2'));
    expect(codes(a)).toEqual([]);
    expect(a.gradients.map((g) => `${g.line}:${g.wrt}=${g.data[0]}`)).toEqual([
      '4:w0=2', '5:w0=2', '6:w0=2', '7:w0=2', '7:w1=1', '8:w0=2', '8:w1=1', '9:w0=2', '10:w0=2', '10:w1=1',
    ]);
    expect(value(a, 'g')).toEqual([4]);
  });

  it('expect a = b is refused with a quick fix to ==', () => {
    const text = lines('y = 2', 'expect y = 2');
    const a = run(text);
    expect(codes(a)).toEqual(['parse.expect-assign']);
    const fix = a.diagnostics[0].fixes![0];
    expect(text.slice(fix.span.start, fix.span.end)).toBe('=');
    expect(fix.text).toBe('==');
    const fixed = text.slice(0, fix.span.start) + fix.text + text.slice(fix.span.end);
    expect(run(fixed).expectations[0]).toMatchObject({ passed: true });
  });

  it('dz/dw0 = … is the student’s answer for ∂z/∂w0: an expectation (by hand ∂z/∂w0 = x0 = 2)', () => {
    const text = lines('x0 = 2.0', 'w0 = 0.3', 'z = x0 * w0', 'dz/dw0 = 2', '∂z/∂w0 = 3');
    const a = run(text);
    expect(codes(a)).toEqual(['parse.leibniz', 'parse.leibniz', 'expect.failed']);
    expect(a.diagnostics[0].severity).toBe('info');
    expect(a.expectations.map((e) => e.passed)).toEqual([true, false]);
    expect(a.expectations[1].left.data).toEqual([2]);
    // The fix writes the expectation out; the result reads the same.
    const fix = a.diagnostics[0].fixes![0];
    const fixed = text.slice(0, fix.span.start) + fix.text + text.slice(fix.span.end);
    expect(fixed).toContain('expect grad(z, w0) == 2\n');
    expect(run(fixed).expectations[0]).toMatchObject({ passed: true });
    // Dividing two names is still division where it is not a binding.
    expect(value(run(lines('dz = 1.0', 'dw = 4.0', 'r = dz/dw')), 'r')).toEqual([0.25]);
  });
});

describe('hints that say what was meant', () => {
  const msg = (text: string) => run(text).diagnostics.find((d) => d.code === 'shape.mismatch')!;

  it('W * x with [3, 4] and [3] suggests W.T @ x (numpy: W.T @ x has shape (4,)), not keepdims', () => {
    const d = msg(lines('W = randn(3, 4)', 'x = randn(3)', 'h = W * x'));
    expect(d.message).toContain('`a.T @ b`: [4, 3] @ [3] → [4]');
    expect(d.message).not.toContain('keepdims');
    expect(d.fixes?.[0]).toMatchObject({ title: 'Use `W.T @ x`', text: 'W.T @ x' });
  });

  it('[2, 3] * [4, 3] suggests a @ b.T (numpy: (2, 4)); [4, 3] * [3] broadcasts (no error)', () => {
    const d = msg(lines('a = randn(2, 3)', 'b = randn(4, 3)', 'h = a * b'));
    expect(d.message).toContain('`a @ b.T`: [2, 3] @ [3, 4] → [2, 4]');
    expect(d.fixes?.[0]).toMatchObject({ text: 'a @ b.T' });
    expect(codes(run(lines('a = randn(4, 3)', 'b = randn(3)', 'h = a * b')))).toEqual([]);
  });

  it('keepdims=True is suggested after a reduction only', () => {
    const reduced = msg(lines('m = randn(2, 3)', 'p = m - m.sum(axis=1)'));
    expect(reduced.message).toContain('keepdims=True');
    const plain = msg(lines('m = randn(2, 3)', 'v = randn(2)', 'p = m - v'));
    expect(plain.message).not.toContain('keepdims');
  });
});

describe('shapes of networks and values', () => {
  const net = ['network mlp', '  input [32, 30]', '  A = Linear(30, 1024)', '  ReLU()', '  Linear(1024, 1)'];
  it('shape(mlp.A), mlp.A.shape, shape(mlp) and x.shape (PyTorch: mlp.A(x).shape = [32, 1024])', () => {
    const a = run(lines(...net, 'x = randn(2, 5)', 's1 = shape(mlp.A)', 's2 = mlp.A.shape', 's3 = shape(mlp)', 's4 = x.shape', 's5 = shape(x)', 'n = size(mlp.A)', 'w = mlp.0.weight.shape'));
    expect(codes(a)).toEqual([]);
    expect(value(a, 's1')).toEqual([32, 1024]);
    expect(value(a, 's2')).toEqual([32, 1024]);
    expect(value(a, 's3')).toEqual([32, 1]);
    expect(value(a, 's4')).toEqual([2, 5]);
    expect(value(a, 's5')).toEqual([2, 5]);
    expect(value(a, 'n')).toEqual([32768]);
    // nn.Linear(30, 1024).weight.shape = [1024, 30] (PyTorch).
    expect(value(a, 'w')).toEqual([1024, 30]);
  });
  it('expect shape(mlp.A) == [32, 1024] holds; an unknown layer is named', () => {
    const a = run(lines(...net, 'expect shape(mlp.A) == [32, 1024]', 'expect mlp.B.shape == [1]'));
    expect(a.expectations[0].passed).toBe(true);
    expect(a.diagnostics.map((d) => d.message)).toEqual(['Expected a layer of `mlp` (a label or an index), found `mlp.B`.']);
  });
});

describe('Markdown with ```python blocks', () => {
  const md = '# Homework\n\n```python\nx = 1.0\n```\n\nText between the blocks.\n\n~~~py\ny = x * 2\nprint(y, 7 // 2)\n~~~\n';
  it('reads them as one Python program, block after block, with results on the Markdown file\'s own lines', () => {
    const a = analyze(md, { languageId: 'markdown' });
    expect(codes(a)).toEqual([]);
    expect(value(a, 'x')).toEqual([1]);
    expect(value(a, 'y')).toEqual([2]);
    // CPython: print(2.0, 7 // 2)
    expect(a.prints?.map((p) => [p.line, p.text])).toEqual([[10, '2.0 3']]);
    expect(a.values.find((v) => v.name === 'y')!.line).toBe(9);
  });
  it('a Python error points into the Markdown file', () => {
    const text = '# HW\n\n```python\nimport numpy as np\nW = np.ones((2, 3))\nh = W @ np.ones(2)\n```\n';
    const a = analyze(text, { languageId: 'markdown' });
    const d = a.diagnostics.find((x) => x.severity === 'error')!;
    expect(text.slice(d.span.start, d.span.end)).toBe('@');
    expect(text.slice(text.lastIndexOf('\n', d.span.start) + 1, d.span.start)).toBe('h = W ');
    expect(d.code).toBe('shape.mismatch');
  });
  it('the ```nn blocks win when there are both; other languages are not read', () => {
    const both = analyze('```nn\nx = 1\n```\n```python\nx = 5\n```\n', { languageId: 'markdown' });
    expect(codes(both)).toEqual([]);
    expect(value(both, 'x')).toEqual([1]);
    expect(analyze('```js\nlet x = 1\n```\n', { languageId: 'markdown' }).values).toEqual([]);
  });
  it('a Python block indented in a list item is left out with a warning on its fence', () => {
    const a = analyze('- step one:\n  ```python\n  x = 1\n  ```\n', { languageId: 'markdown' });
    expect(codes(a)).toEqual(['markdown.python-indented']);
  });
  it('the CLI evaluates them (exit 0)', () => {
    const out: string[] = [];
    const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'gl-'));
    const file = require('node:path').join(dir, 'hw.md');
    require('node:fs').writeFileSync(file, md);
    const code = main(['eval', file], (s) => out.push(s), (s) => out.push(s));
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('2.0 3');
  });
});
