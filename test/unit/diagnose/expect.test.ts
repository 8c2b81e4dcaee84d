/**
 * The misconception engine inside `expect`: messages, spans, carried-forward errors, the JSON
 * field, hovers and the panel model. Numbers are the homework's (T1: x1 = 0.4, y1 = −0.38,
 * z = 0.62, ∂z/∂w0 = −0.2, ∂z/∂w1 = 0.4), the wrong ones derived by hand as in seeded.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import { analyze } from '../../../src/core/index';
import * as engine from '../../../src/core/diagnose/diagnose';
import { buildPanelState } from '../../../src/extension/panelModel';
import { renderJson } from '../../../src/cli/report';

vi.mock('../../../src/core/diagnose/diagnose', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/core/diagnose/diagnose')>();
  return { ...real, diagnoseAnswer: vi.fn(real.diagnoseAnswer) };
});

const T1 = ['x0 = 1.0', 'param w0 = 0.3', 'param w1 = -0.2', 'param b0 = 0.1', 'param b1 = -0.3', 'x1 = ReLU(x0 * w0 + b0)', 'y1 = x1 * w1 + b1', 'z  = ReLU(y1 + x0)'].join('\n') + '\n';
const doc = (...lines: string[]): string => T1 + lines.join('\n') + '\n';

describe('a failed expect names the misconception', () => {
  it('T1 ∂z/∂x0 = −0.06: missing-path, with the span of the sum the path is dropped from', () => {
    const text = doc('expect grad(z, x0) == -0.06');
    const a = analyze(text, { valuesOnly: true });
    const d = a.diagnostics.find((x) => x.code === 'expect.failed')!;
    expect(d.severity).toBe('error');
    expect(d.message).toBe(
      'Expected grad(z, x0) == -0.06, found 0.94 ≠ -0.06; error 1 > 1e-6. Your −0.06 is ∂z/∂x0 without the path x0 → y1 + x0 (misconception: missing-path).',
    );
    expect(d.related?.map((r) => text.slice(r.span.start, r.span.end))).toEqual(['y1 + x0']);
    const e = a.expectations[0];
    expect(e.diagnosis?.map((x) => x.code)).toEqual(['missing-path']);
    expect(text.slice(e.diagnosis![0].span!.start, e.diagnosis![0].span!.end)).toBe('y1 + x0');
    expect(e.diagnosis![0].step).toEqual({
      correct: '∂z/∂x0 = 0.94, with the gradient sums every path from x0, including x0 → y1 + x0',
      changed: '−0.06, with the path x0 → y1 + x0 left out',
    });
  });

  it('two matches are both listed, most specific first (∂z/∂b1 = 0 on T1: ReLU\' at y1)', () => {
    // ∂z/∂b1 = ReLU'(y1 + x0)·1 = 1; ReLU' evaluated at y1 = −0.38 gives 0.
    const a = analyze(doc('expect grad(z, b1) == 0'), { valuesOnly: true });
    expect(a.expectations[0].diagnosis?.map((x) => x.code)).toEqual(['relu-wrong-side']);
  });

  it('no match: the message is as before and the diagnosis is empty', () => {
    const a = analyze(doc('expect grad(z, w0) == 0.123'), { valuesOnly: true });
    expect(a.diagnostics.find((x) => x.code === 'expect.failed')!.message).toBe('Expected grad(z, w0) == 0.123, found -0.2 ≠ 0.123; error 0.323 > 1e-6.');
    expect(a.expectations[0].diagnosis).toEqual([]);
  });

  it("the expectation's tolerance is the match's: 0.301 within 1e-2 is x1 without b0 (0.3)", () => {
    const a = analyze(doc('expect x1 == 0.301 within 1e-2'), { valuesOnly: true });
    expect(a.expectations[0].diagnosis?.map((x) => x.code)).toEqual(['forgot-bias']);
    const strict = analyze(doc('expect x1 == 0.301'), { valuesOnly: true });
    expect(strict.expectations[0].diagnosis).toEqual([]);
  });

  it('the answer on the left works too: expect 0.2 == grad(z, w0) is a sign flip', () => {
    const a = analyze(doc('expect 0.2 == grad(z, w0)'), { valuesOnly: true });
    expect(a.expectations[0].diagnosis?.map((x) => x.code)).toEqual(['sign-flip']);
  });

  it('a formula as the answer: expect grad(L, h) == y - P is a sign flip (softmax-CE)', () => {
    const text = ['h = [2.0, 1.0, 0.1]', 'y = onehot(0, 3)', 'P = softmax(h)', 'L = -sum(y * log(P))', 'expect grad(L, h) == y - P'].join('\n');
    const a = analyze(text, { valuesOnly: true });
    expect(a.expectations[0].diagnosis?.map((x) => x.code)).toEqual(['sign-flip']);
  });

  it('T2/T3 counts: size(mlp.A) == 1024 and params(mlp) == 555520', () => {
    const text = ['network mlp', '  input [32, 30]', '  A = Linear(30, 1024)', '  ReLU()', '  B = Linear(1024, 512)', '  ReLU()', '  C = Linear(512, 1)', '  Sigmoid()', 'expect size(mlp.A) == 1024', 'expect params(mlp) == 555520'].join('\n');
    const a = analyze(text, { valuesOnly: true });
    expect(a.expectations.map((e) => e.diagnosis?.map((x) => x.code))).toEqual([['size-without-batch'], ['forgot-bias']]);
    expect(a.expectations[1].diagnosis![0].message).toBe('Your 555,520 is params(mlp) without the bias terms (1,024 + 512 + 1 = 1,537 of them) (misconception: forgot-bias).');
  });
});

describe('carried-forward errors', () => {
  it('x1 wrong, then y1, z and ∂z/∂w1 right given it: information on the later lines, not errors', () => {
    // x1 = 0.3 (b0 forgotten); y1 = 0.3·(−0.2) − 0.3 = −0.36; z = ReLU(−0.36 + 1) = 0.64; ∂z/∂w1 = x1 = 0.3.
    const text = doc('expect x1 == 0.3', 'expect y1 == -0.36', 'expect z == 0.64', 'expect grad(z, w1) == 0.3');
    const a = analyze(text, { valuesOnly: true });
    const ds = a.diagnostics.filter((d) => d.code.startsWith('expect.'));
    expect(ds.map((d) => [d.code, d.severity])).toEqual([
      ['expect.failed', 'error'],
      ['expect.carried-forward', 'info'],
      ['expect.carried-forward', 'info'],
      ['expect.carried-forward', 'info'],
    ]);
    expect(ds[1].message).toBe(
      'Your −0.36 is consistent with your x1 = 0.3 (line 9): y1 is right given that answer, so fix line 9 first. (Expected y1 == -0.36, found -0.38 ≠ -0.36; error 0.02 > 1e-6.)',
    );
    // z follows from the user's y1, which itself follows from x1: the first mistake is still line 9.
    expect(ds[2].message).toMatch(/^Your 0\.64 is consistent with your y1 = −0\.36 \(line 10\): z is right given that answer, so fix line 9 first\./);
    expect(ds[3].message).toMatch(/^Your 0\.3 is consistent with your x1 = 0\.3 \(line 9\): ∂z\/∂w1/);
    expect(a.expectations.map((e) => e.passed)).toEqual([false, false, false, false]);
    expect(a.expectations[1].diagnosis?.map((d) => d.code)).toEqual(['carried-forward']);
  });

  it('a gradient right given an earlier wrong gradient of the same output: ∂z/∂y1 = 0.5, then ∂z/∂w1 = 0.5·x1 = 0.2', () => {
    const a = analyze(doc('expect grad(z, y1) == 0.5', 'expect grad(z, w1) == 0.2'), { valuesOnly: true });
    const ds = a.diagnostics.filter((d) => d.code.startsWith('expect.'));
    expect(ds.map((d) => d.code)).toEqual(['expect.failed', 'expect.carried-forward']);
    expect(ds[1].message).toMatch(/^Your 0\.2 is consistent with your ∂z\/∂y1 = 0\.5 \(line 9\)/);
  });

  it('a later answer wrong on its own is diagnosed on its own', () => {
    // x1 wrong (0.3), then ∂z/∂w0 with the sign flipped (0.2): not consistent with x1 = 0.3 (∂z/∂w0 does not read x1's value).
    const a = analyze(doc('expect x1 == 0.3', 'expect grad(z, w0) == 0.2'), { valuesOnly: true });
    expect(a.expectations[1].diagnosis?.map((d) => d.code)).toEqual(['sign-flip']);
  });
});

describe('the diagnosis runs only for failing expectations', () => {
  it('passing expectations never call the engine, and carry an empty diagnosis', () => {
    const spy = vi.mocked(engine.diagnoseAnswer);
    spy.mockClear();
    const a = analyze(doc('expect x1 == 0.4', 'expect grad(z, w0) == -0.2', 'expect grad(z, w1) == 0.4'));
    expect(spy).not.toHaveBeenCalled();
    expect(a.expectations.map((e) => e.diagnosis)).toEqual([[], [], []]);
    analyze(doc('expect x1 == 0.3'));
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe('where the diagnosis shows', () => {
  const text = doc('grad z wrt x0', 'expect grad(z, x0) == -0.06');
  const a = analyze(text);

  it('the hover of the expect line: the message and the correct step beside the changed one', () => {
    const e = a.expectations[0];
    const s = a.symbols.find((x) => x.kind === 'keyword' && x.span.start === e.span.start)!;
    expect(s.detail).toContain('**Misconception: `missing-path`**');
    expect(s.detail).toContain('| correct | ∂z/∂x0 = 0.94, with the gradient sums every path from x0, including x0 → y1 + x0 |');
    expect(s.detail).toContain('| as the misconception has it | −0.06, with the path x0 → y1 + x0 left out |');
  });

  it('the panel: the expect row and the derivation of ∂z/∂x0 carry it', () => {
    const st = buildPanelState(a, { file: 't1.nn', uri: 'file:///t1.nn', version: 1, lineOf: (o) => text.slice(0, o).split('\n').length - 1 }, 4);
    const row = st.checks.find((c) => c.kind === 'expect')!;
    expect(row.misconceptions?.map((m) => m.code)).toEqual(['missing-path']);
    expect(row.misconceptions![0].changed).toBe('−0.06, with the path x0 → y1 + x0 left out');
    const g = st.gradients.find((x) => x.wrt === 'x0')!;
    expect(g.misconceptions?.map((m) => m.code)).toEqual(['missing-path']);
  });

  it('the JSON (LANGUAGE.md §8): expectations[].diagnosis with code, message and a range', () => {
    const j = renderJson('t1.nn', text, a) as { expectations: { diagnosis: { code: string; message: string; span?: unknown }[] }[] };
    expect(j.expectations[0].diagnosis).toEqual([
      {
        code: 'missing-path',
        message: 'Your −0.06 is ∂z/∂x0 without the path x0 → y1 + x0 (misconception: missing-path).',
        span: { start: { line: 7, character: 10 }, end: { line: 7, character: 17 } },
      },
    ]);
  });

  it('in a Markdown homework, a failed expect in a later ```nn block', () => {
    const md = ['# T1', '', '```nn', T1.trim(), '```', '', 'My answer:', '', '```nn', 'expect grad(z, w1) == 0', '```', ''].join('\n');
    const m = analyze(md, { languageId: 'markdown', valuesOnly: true });
    const d = m.diagnostics.find((x) => x.code === 'expect.failed')!;
    expect(d.message).toContain("Your 0 is ∂z/∂w1 with ReLU' evaluated at y1 = −0.38 instead of at y1 + x0 = 0.62 (misconception: relu-wrong-side).");
    expect(md.slice(d.related![0].span.start, d.related![0].span.end)).toBe('ReLU(y1 + x0)');
  });
});

describe('a gradient written transposed (shapes that do not broadcast)', () => {
  it('∂L/∂W of a [2, 3] weight written as [3, 2] is named transposed in the shape error', () => {
    // x = [1, 2, 3], W = ones(2, 3): h = W@x = [6, 6], L = Σh = 12, ∂L/∂W = [1, 1]ᵀ·xᵀ = [[1, 2, 3], [1, 2, 3]].
    const text = ['x = [1, 2, 3]', 'param W = ones(2, 3)', 'L = sum(W @ x)', 'expect grad(L, W) == [[1, 1], [2, 2], [3, 3]]'].join('\n');
    const d = analyze(text, { valuesOnly: true }).diagnostics.find((x) => x.code === 'expect.shape')!;
    expect(d.message).toBe("Expected the right side to broadcast to the left side's shape [2, 3], found [3, 2]. Your answer is grad(L, W) transposed (misconception: transposed).");
    const other = analyze(text.replace('[3, 3]]', '[3, 4]]'), { valuesOnly: true }).diagnostics.find((x) => x.code === 'expect.shape')!;
    expect(other.message).not.toContain('misconception');
  });
});
