/**
 * The misconception engine through the Python front end: a failing `# expect` in a PyTorch file
 * carries the same diagnosis (codes, message, span) as the same `expect` in .nn. The program is
 * the homework's T1 residual block (examples/hw4-t1-residual.nn); the wrong numbers and their
 * codes are the ones in seeded.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';

/** x0 needs requires_grad=True for ∂z/∂x0 (as in PyTorch); the other cases leave it a plain value, as in .nn. */
const t1Py = (x0Grad: boolean): string => [
  'import torch',
  '',
  x0Grad ? 'x0 = torch.tensor(1.0, requires_grad=True)' : 'x0 = torch.tensor(1.0)',
  'w0 = torch.tensor(0.3, requires_grad=True)',
  'w1 = torch.tensor(-0.2, requires_grad=True)',
  'b0 = torch.tensor(0.1, requires_grad=True)',
  'b1 = torch.tensor(-0.3, requires_grad=True)',
  '',
  'x1 = torch.relu(x0 * w0 + b0)',
  'y1 = x1 * w1 + b1',
  'z = torch.relu(y1 + x0)',
  'z.backward()',
  '',
].join('\n');

/** [x0 requires grad, directive, codes expected (empty: it passes)] */
const CASES: [boolean, string, string[]][] = [
  [true, '# expect grad(z, x0) == -0.06', ['missing-path']],
  [true, '# expect grad(z, x0) == 1', ['missing-path']],
  [true, '# expect grad(z, x0) == 1.94', ['extra-path']],
  [true, '# expect grad(z, x0) == 0.94', []],
  [false, '# expect grad(z, w0) == 1', ['missing-factor']],
  [false, '# expect grad(z, w0) == 0.2', ['sign-flip']],
  [false, '# expect grad(z, w1) == 0.3', ['forgot-bias']],
  [false, '# expect grad(z, w1) == 1', ['missing-factor']],
  [false, '# expect z == 0', ['missing-path']],
  [false, '# expect grad(z, w1) == 0.4', []],
];

describe.each([true, false])('a failing # expect in Python names the misconception (x0 requires grad: %s)', (x0Grad) => {
  const T1_PY = t1Py(x0Grad);
  const cases = CASES.filter(([g]) => g === x0Grad).map(([, d, c]) => [d, c] as const);
  const text = T1_PY + cases.map(([d]) => d).join('\n') + '\n';
  const a = analyze(text, { languageId: 'python', valuesOnly: true });
  const failed = a.diagnostics.filter((d) => d.code === 'expect.failed');

  it('every directive gives one expectation, in order', () => {
    expect(a.expectations.map((e) => text.slice(e.span.start, e.span.end).trim())).toEqual(cases.map(([d]) => d.slice(2)));
  });

  for (const [i, [directive, codes]] of cases.entries()) {
    it(`${directive}: ${codes.length ? codes.join(', ') : 'passes, no diagnosis'}`, () => {
      const e = a.expectations[i];
      expect(e.passed).toBe(codes.length === 0);
      expect(e.diagnosis?.map((x) => x.code)).toEqual(codes);
      const line = text.slice(0, e.span.start).split('\n').length - 1;
      const d = failed.find((x) => text.slice(0, x.span.start).split('\n').length - 1 === line);
      if (!codes.length) {
        expect(d).toBeUndefined();
        return;
      }
      expect(d?.severity).toBe('error');
      for (const c of codes) expect(d!.message).toContain(`(misconception: ${c})`);
      // The span points into the student's Python, not into the directive.
      for (const x of e.diagnosis!) if (x.span) expect(x.span.end).toBeLessThanOrEqual(T1_PY.length);
    });
  }

  it.runIf(x0Grad)('the message and span read as in .nn: ∂z/∂x0 = −0.06 drops the skip y1 + x0', () => {
    const d = failed.find((x) => text.slice(x.span.start, x.span.end).includes('-0.06'))!;
    expect(d.message).toBe(
      'Expected grad(z, x0) == -0.06, found 0.94 ≠ -0.06; error 1 > 1e-6. Your −0.06 is ∂z/∂x0 without the path x0 → y1 + x0 (misconception: missing-path).',
    );
    const s = a.expectations[0].diagnosis![0].span!;
    expect(text.slice(s.start, s.end)).toBe('y1 + x0');
  });

  it('the full analysis (not only values) keeps the diagnosis and the hover', () => {
    const full = analyze(text, { languageId: 'python' });
    expect(full.expectations.map((e) => e.diagnosis?.map((x) => x.code))).toEqual(cases.map(([, c]) => c));
  });
});
