import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyze, analyzeFull } from '../../../src/core/index';
import { derivationMarkdown } from '../../../src/core/explain/derive';

const T1 = readFileSync(new URL('../../../examples/hw4-t1-residual.nn', import.meta.url), 'utf8');
const val = (a: ReturnType<typeof analyze>, name: string): number[] => {
  const v = [...a.values].reverse().find((x) => x.name === name);
  if (!v) throw new Error(`no value ${name}`);
  return v.data;
};

describe('homework T1 (numbers from the homework answer, hw4-answers / homework4.md)', () => {
  const a = analyze(T1);
  it('forward: x1 = 0.4, y1 = -0.38, z = 0.62', () => {
    expect(val(a, 'x1')[0]).toBeCloseTo(0.4, 15);
    expect(val(a, 'y1')[0]).toBeCloseTo(-0.38, 15);
    expect(val(a, 'z')[0]).toBeCloseTo(0.62, 15);
  });
  it('backward: -0.2, 0.4, -0.2, 1', () => {
    expect(a.gradients.map((g) => [g.wrt, g.data[0]])).toEqual([
      ['w0', expect.closeTo(-0.2, 15)],
      ['w1', expect.closeTo(0.4, 15)],
      ['b0', expect.closeTo(-0.2, 15)],
      ['b1', expect.closeTo(1, 15)],
    ]);
  });
  it('checks and expectations pass, no diagnostics', () => {
    expect(a.diagnostics).toEqual([]);
    expect(a.checks.every((c) => c.passed && c.kinks === 0 && c.maxRelError < 1e-8)).toBe(true);
    expect(a.expectations.map((e) => e.passed)).toEqual([true, true, true, true]);
  });
});

describe('derivations (golden, hand-derived)', () => {
  it('T1 ∂z/∂w0 names each factor with its local derivative and number', () => {
    const md = analyze(T1).gradients[0].derivation!;
    expect(md).toContain('∂z/∂w0 = ∂z/∂y1 · ∂y1/∂x1 · ∂x1/∂w0');
    expect(md).toContain("| ∂z/∂y1 | ReLU'(y1 + x0) | 1 |");
    expect(md).toContain('| ∂y1/∂x1 | w1 | −0.2 |');
    expect(md).toContain("| ∂x1/∂w0 | ReLU'(x0·w0 + b0)·x0 | 1 |");
    expect(md).toContain('∂z/∂w0 = 1 · (−0.2) · 1 = −0.2');
  });
  it('the residual fork: ∂z/∂x0 = 1 + w1·w0 = 0.94 shows both paths', () => {
    const full = analyzeFull(T1 + '\ngrad z wrt x0\n');
    const d = full.derivations.find((x) => x.wrt === 'x0')!;
    expect(d.mode).toBe('paths');
    expect(d.paths).toHaveLength(2);
    expect(d.result.data[0]).toBeCloseTo(0.94, 14);
    const md = derivationMarkdown(d);
    expect(md).toContain('∂z/∂x0 = ∂z/∂y1 · ∂y1/∂x1 · ∂x1/∂x0\n       + ∂z/∂x0 (direct)');
    expect(md).toContain("| ∂x1/∂x0 | ReLU'(x0·w0 + b0)·w0 | 0.3 |");
    expect(md).toContain("| ∂z/∂x0 (direct) | ReLU'(y1 + x0) | 1 |");
    // w1·w0 = −0.06 along the long path, 1 along the direct one.
    expect(md).toContain('∂z/∂x0 = 1 · (−0.2) · 0.3 + 1 = −0.06 + 1 = 0.94');
  });
  it('a name used twice in one statement: b = a*a + a gives ∂b/∂a = 2·a + 1', () => {
    const full = analyzeFull('a = 3\nb = a*a + a\ngrad b wrt a\n');
    const md = derivationMarkdown(full.derivations[0]);
    expect(md).toContain('| ∂b/∂a | 2·a + 1 | 7 |');
    expect(full.analysis.gradients[0].data).toEqual([7]);
  });
  it('the ReLU\'(0) convention is stated where it matters', () => {
    const full = analyzeFull('param x = 0\ny = relu(x)\ngrad y wrt x\n');
    const md = derivationMarkdown(full.derivations[0]);
    expect(full.analysis.gradients[0].data).toEqual([0]);
    expect(md).toContain("ReLU'(0) = 0 (as PyTorch). It matters here: the argument is 0.");
  });
  it('falls back to the backprop recurrence when paths explode', () => {
    // Each level doubles the paths: 2^8 = 256 > the path limit.
    let src = 'param x = 0.5\na0 = x * 1\nb0 = x * 2\n';
    for (let i = 1; i <= 8; i++) src += `a${i} = a${i - 1} * 0.5 + sin(b${i - 1})\nb${i} = b${i - 1} * 0.5 + cos(a${i - 1})\n`;
    src += 'v8 = a8 + 0\ngrad v8 wrt x\n';
    const full = analyzeFull(src);
    const d = full.derivations[0];
    expect(d.mode).toBe('recurrence');
    const md = derivationMarkdown(d);
    expect(md).toContain('256 paths lead from v8 to x');
    expect(md).toContain('- ∂v8/∂a8 = ∂v8/∂v8 · ∂v8/∂a8 [∂v8/∂a8 = 1] = 1');
    expect(md).toContain('- ∂v8/∂a7 = ∂v8/∂a8 · ∂a8/∂a7 [∂a8/∂a7 = 0.5] = 0.5');
    expect(md).toContain('- ∂v8/∂b6 = ∂v8/∂b7 · ∂b7/∂b6 [∂b7/∂b6 = 0.5] + ∂v8/∂a7 · ∂a7/∂b6 [∂a7/∂b6 = cos(b6)]');
  });
});

describe('language semantics (LANGUAGE.md §3)', () => {
  it('grad without wrt: every param in source order; else every leaf', () => {
    expect(analyze('param b = 2\nparam a = 3\nc = 4\nz = a*b*c\ngrad z\n').gradients.map((g) => [g.wrt, g.data[0]])).toEqual([
      ['b', 12],
      ['a', 8],
    ]);
    expect(analyze('x = 2\ny = 5\nz = x*y\ngrad z\n').gradients.map((g) => g.wrt)).toEqual(['x', 'y']);
  });
  it('gradients with respect to intermediate names', () => {
    const a = analyze(T1 + '\ngrad z wrt x1, y1\n');
    expect(a.gradients.slice(-2).map((g) => g.data[0])).toEqual([-0.2, 1]);
  });
  it('a name OUT does not depend on: gradient 0 and a warning', () => {
    const src = 'param a = 1\nparam b = 2\nz = a * 3\ngrad z wrt b\n';
    const a = analyze(src);
    expect(a.gradients[0].data).toEqual([0]);
    expect(a.diagnostics.map((d) => [d.code, d.severity])).toEqual([['grad.independent', 'warning']]);
    expect(a.diagnostics[0].message).toBe('Expected `z` to depend on `b`, found no path from it: its gradient is 0.');
    const b = src.indexOf('wrt b') + 'wrt '.length; // the `b` after `wrt`
    expect(a.diagnostics[0].span).toEqual({ start: b, end: b + 1 });
  });
  it('rebinding: wrt means the latest binding OUT depends on, with a warning naming its line', () => {
    const a = analyze('param x = 2\ny = x * x\nx = 10\ngrad y wrt x\n');
    expect(a.gradients[0].data).toEqual([4]);
    expect(a.diagnostics[0].code).toBe('grad.earlier-binding');
    expect(a.diagnostics[0].message).toContain('line 1');
  });
  it('errors do not cascade: only the root cause is reported', () => {
    const a = analyze('a = 1\nb = undefined_name + 1\nc = b * 2\nd = c + a\ne = a + 1\n');
    expect(a.diagnostics.map((d) => d.code)).toEqual(['name.undefined']);
    expect(a.values.map((v) => v.name)).toEqual(['a', 'e']);
  });
  it('an undefined name suggests the nearest defined one, with a fix', () => {
    const a = analyze('weight = 1\ny = wieght * 2\n');
    expect(a.diagnostics[0].message).toBe('Expected a defined name, found `wieght`. Did you mean `weight`?');
    expect(a.diagnostics[0].span).toEqual({ start: 15, end: 21 });
    expect(a.diagnostics[0].fixes?.[0].text).toBe('weight');
  });
  it('a parse error leaves its name unbound without cascading', () => {
    const a = analyze('a = 1\nb = a +\nc = b * 2\nd = a * 2\n');
    expect(a.diagnostics.map((d) => d.code)).toEqual(['parse.expected-token']);
    expect(a.values.map((v) => v.name)).toEqual(['a', 'd']);
  });
  it('NaN or infinity is a warning naming the operation and line; no further warnings downstream', () => {
    const a = analyze('x = 0\ny = log(x)\nz = y * 2\n');
    expect(a.diagnostics).toHaveLength(1);
    expect(a.diagnostics[0]).toMatchObject({ code: 'value.non-finite', severity: 'warning' });
    expect(a.diagnostics[0].message).toBe('Expected finite values, found −infinity produced by `ln` on line 2.');
  });
  it('a non-scalar grad output is an error on the name', () => {
    const src = 'param w = [1, 2]\ny = w * 2\ngrad y wrt w\n';
    const a = analyze(src);
    expect(a.diagnostics[0].code).toBe('grad.non-scalar');
    expect(src.slice(a.diagnostics[0].span.start, a.diagnostics[0].span.end)).toBe('y');
    expect(a.diagnostics[0].span.start).toBe(src.indexOf('grad y') + 'grad '.length);
  });
  it('power rule for constant exponents; ln for variable ones', () => {
    const a = analyze('param x = 2\ny = (x - 3)^3\ngrad y wrt x\n');
    expect(a.gradients[0].data).toEqual([3]);
    const b = analyze('param x = 2\nparam c = 3\ny = x^c\ngrad y wrt x, c\n');
    expect(b.gradients.map((g) => g.data[0])).toEqual([12, expect.closeTo(8 * Math.log(2), 14)]);
  });
  it('precedence: -2^2 = -4, 2^-1 = 0.5', () => {
    const a = analyze('a = -2^2\nb = 2^-1\nc = 2^3^2\n');
    expect(a.values.map((v) => v.data[0])).toEqual([-4, 0.5, 512]);
  });
  it('max(0, x) at 0 has slope 0.5 while relu has 0', () => {
    const a = analyze('param x = 0\ny = max(0, x)\nz = relu(x)\ngrad y wrt x\ngrad z wrt x\n');
    expect(a.gradients.map((g) => g.data[0])).toEqual([0.5, 0]);
  });
  it('check counts elements at a kink as kinks, not failures', () => {
    const a = analyze('param x = 0\ny = relu(x) + abs(x)\ncheck y wrt x\n');
    expect(a.checks[0]).toMatchObject({ passed: true, kinks: 1 });
  });
  it('check fails loudly with a tolerance it cannot meet', () => {
    const a = analyze('param x = 3\ny = x^3\ncheck y wrt x within 1e-30\n');
    expect(a.checks[0].passed).toBe(false);
    expect(a.diagnostics.some((d) => d.code === 'check.failed')).toBe(true);
  });
  it('expect shows both sides when it fails', () => {
    const a = analyze('x = 2\nexpect x * 3 == 7\n');
    expect(a.expectations[0]).toMatchObject({ passed: false, maxError: 1 / 7 });
    expect(a.diagnostics[0].message).toContain('Expected x * 3 == 7, found 6 ≠ 7');
  });
  it('grad(OUT, NAME) is a detached value', () => {
    const a = analyze('param w = 3\nz = w * w\ng = grad(z, w)\nh = g * w\ngrad h wrt w\n');
    expect(a.values.find((v) => v.name === 'g')!.data).toEqual([6]);
    expect(a.gradients[0].data).toEqual([6]);
  });
  it('Markdown: ranges are on the Markdown file’s own lines', () => {
    const md = '# T1\n\n```nn\nx = 1\ny = x + zz\n```\n';
    const a = analyze(md, { languageId: 'markdown' });
    expect(a.diagnostics).toHaveLength(1);
    expect(md.slice(a.diagnostics[0].span.start, a.diagnostics[0].span.end)).toBe('zz');
  });
  it('a work budget stops evaluation and says what it skipped', () => {
    // x costs 2e6 (the 1e6 ones and the leaf's copy of them); x @ x would cost 1e9.
    const a = analyze('x = ones(1000, 1000)\ny = x @ x\nz = y + 1\n', { budget: 2e6 });
    expect(a.stats.skipped).toMatch(/Stopped at line 2/);
    expect(a.values.map((v) => v.name)).toEqual(['x']);
  });
});

describe('values carry their requested gradients (for CodeLens and hovers)', () => {
  it('T1: w0 has ∂z/∂w0 = -0.2', () => {
    const a = analyze(T1);
    expect(a.values.find((v) => v.name === 'w0')!.grads).toEqual([{ of: 'z', shape: [], data: [expect.closeTo(-0.2, 15)] }]);
    expect(a.values.find((v) => v.name === 'x1')!.grads).toBeUndefined();
  });
});
