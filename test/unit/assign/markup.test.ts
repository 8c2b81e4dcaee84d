/**
 * The grading marks (docs/grading.md): parsed by the .nn parser, reported in
 * Analysis.assignment, and the handout/variant API. Expected keys are the homework's own
 * (/work/shared/homework4.md, T1: ∂z/∂w0 = −0.2, ∂z/∂w1 = 0.4; T3: 557,057) or derived by hand
 * in the comments.
 */
import { describe, expect, it } from 'vitest';
import { analyze, analyzePython } from '../../../src/core/index';
import { handoutFor, selfcheckPasses, selfcheckRecords, sha256Hex, variantFor, withinTolerance } from '../../../src/core/assign/index';
import { parseProgram } from '../../../src/core/syntax/parser';

const T1 = `assignment "hw4" seed 2026
question T1 points 4 carry 0.5
x0 = 1.0
param w0 = vary(0.3, 0.5, 0.7)
param w1 = -0.2
param b0 = 0.1
param b1 = -0.3
x1 = ReLU(x0 * w0 + b0)
y1 = x1 * w1 + b1
z  = ReLU(y1 + x0)
answer grad(z, w0) tolerance rel 1e-2
answer grad(z, w1) sigfig 2
expect grad(z, w0) == -0.2
`;

describe('parsing the marks', () => {
  it('reads each mark with its parts and leaves `answer = 3` an assignment', () => {
    const r = parseProgram(`assignment "hw4" seed 7\nhandout student "s001" released\nquestion T1 points 4 carry 0.5\nanswer x tolerance abs 0.1\nanswer x == ?\nanswer x == -0.2 decdig 2\nselfcheck T1.1 "ab" "1e-2:0123456789abcdef"\nquestion 4.1\nanswer = 3\n`);
    expect(r.diagnostics).toEqual([]);
    const kinds = r.program.statements.map((s) => s.kind);
    expect(kinds).toEqual(['Assignment', 'Handout', 'Question', 'Answer', 'Answer', 'Answer', 'Selfcheck', 'Question', 'Assign']);
    const [a, h, q, a1, a2, a3, sc, q2] = r.program.statements as any[];
    expect([a.name, a.seed.value]).toEqual(['hw4', 7]);
    expect([h.student, h.released]).toEqual(['s001', true]);
    expect([q.id, q.points.value, q.carry.value]).toEqual(['T1', 4, 0.5]);
    expect([a1.given, a1.tolerance.tol, a1.tolerance.value.value]).toEqual([null, 'abs', 0.1]);
    expect(a2.given).toBe('blank');
    expect([a3.given.kind, a3.tolerance.tol]).toEqual(['Unary', 'decdig']);
    expect([sc.answer, sc.salt, sc.records]).toEqual(['T1.1', 'ab', ['1e-2:0123456789abcdef']]);
    expect(q2.id).toBe('4.1');
  });

  it('a malformed mark is one diagnostic with a span', () => {
    const r = parseProgram('answer x tolerance big 2\n');
    expect(r.diagnostics.map((d) => [d.code, d.message])).toEqual([['parse.expected-token', 'Expected `rel` or `abs` after `tolerance`, found `big`.']]);
  });
});

describe('Analysis.assignment', () => {
  it('the source: keys computed by the source, vary at its first choice', () => {
    const a = analyze(T1).assignment!;
    expect(a).toMatchObject({ name: 'hw4', seed: 2026, handout: false, maxPoints: 4 });
    const ans = a.questions[0].answers;
    expect(ans.map((x) => x.id)).toEqual(['T1.1', 'T1.2']);
    expect(ans[0].key![0]).toBeCloseTo(-0.2, 12);
    expect(ans[1].key![0]).toBeCloseTo(0.4, 12);
    expect(ans.map((x) => x.status)).toEqual(['unchecked', 'unchecked']);
    expect(ans[1].tolerance).toEqual({ kind: 'sigfig', value: 2 });
  });

  it('an answer in the source with a value is checked against the key, and diagnosed when wrong', () => {
    // ∂z/∂x0 = 1 + w1·w0 = 1 − 0.06 = 0.94; −0.06 leaves out the residual path (docs/misconceptions.md).
    const a = analyze(T1.replace('answer grad(z, w1) sigfig 2', 'answer grad(z, x0) == -0.06\nanswer grad(z, w1) == 0.4')).assignment!;
    const [, wrong, right] = a.questions[0].answers;
    expect([wrong.status, wrong.checkedBy, right.status]).toEqual(['wrong', 'key', 'correct']);
    expect(wrong.diagnosis!.map((d) => d.code)).toContain('missing-path');
    expect(wrong.diagnosis![0].message).not.toContain('0.94');
  });

  it('an answer before any question is a warning and is not graded', () => {
    const r = analyze('x = 2\nanswer x\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['answer.no-question']);
    expect(r.assignment!.questions).toEqual([]);
  });

  it('vary in a layer size: the source uses the low end of randint', () => {
    const r = analyze('H = vary(randint(2, 6))\nnetwork mlp\n  input [4, 3]\n  A = Linear(3, H)\nquestion T3\nanswer params(mlp) tolerance abs 0\n');
    expect(r.diagnostics).toEqual([]);
    // Linear(3, 2): 3·2 weights + 2 biases = 8.
    expect(r.assignment!.questions[0].answers[0].key).toEqual([8]);
  });

  it('a bad vary is a diagnostic on its argument', () => {
    const r = analyze('param w = vary(x, 2)\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['vary.invalid']);
  });
});

describe('self-check', () => {
  it('SHA-256 matches the FIPS 180-2 test vector', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('every number the tolerance accepts passes; numbers far off do not', () => {
    const tol = { kind: 'rel' as const, value: 1e-2 };
    for (const k of [-0.2, 0.4, 557057, 1e-5, 3.14159]) {
      const rec = selfcheckRecords([k], tol, 'salt');
      for (let f = -1; f <= 1; f += 0.05) {
        const s = k + f * 1e-2 * Math.abs(k);
        expect(withinTolerance(s, k, tol)).toBe(true);
        expect(selfcheckPasses([s], 'salt', rec)).toBe(true);
      }
      expect(selfcheckPasses([k * 1.5], 'salt', rec)).toBe(false);
      expect(selfcheckPasses([-k], 'salt', rec)).toBe(false);
    }
  });

  it('a record for −0.2 at rel 1e-2 has step 1e-2 and does not contain the number', () => {
    const [r] = selfcheckRecords([-0.2], { kind: 'rel', value: 1e-2 }, 'x');
    expect(r.startsWith('1e-2:')).toBe(true);
    expect(r).not.toContain('0.2');
    // −0.17 is 3 steps from −0.2: ✗.
    expect(selfcheckPasses([-0.17], 'x', [r])).toBe(false);
  });
});

describe('variants and handouts', () => {
  it('a handout: the student line, blanks, no seed, no expect, no key, self-check records', () => {
    const h = handoutFor(T1, 'nn', 's001');
    expect(h.diagnostics).toEqual([]);
    expect(h.handout).toContain('assignment "hw4"\nhandout student "s001"\n');
    expect(h.handout).not.toContain('seed');
    expect(h.handout).not.toContain('expect');
    expect(h.handout).not.toContain('tolerance');
    expect(h.handout).toContain('answer grad(z, w0) == ?\nanswer grad(z, w1) == ?\n');
    expect(h.handout.match(/^selfcheck T1\.[12] "[0-9a-f]{12}" "1e-2:[0-9a-f]{16}"$/gm)).toHaveLength(2);
    const a = analyze(h.handout).assignment!;
    expect(a.handout).toBe(true);
    expect(a.questions[0].answers.every((x) => x.key === undefined && x.status === 'blank')).toBe(true);
  });

  it('the self-check in the handout marks the right answer ✓ and a wrong one ✗', () => {
    const h = handoutFor(T1, 'nn', 's002');
    const w0 = Number(h.key.draws[0]);
    // ∂z/∂w0 = 1·w1·x0 = −0.2 whatever w0 (the first ReLU is active for w0 ≥ 0.3); ∂z/∂w1 = x1 = w0 + 0.1.
    expect(h.key.answers[0].key[0]).toBeCloseTo(-0.2, 12);
    expect(h.key.answers[1].key[0]).toBeCloseTo(w0 + 0.1, 12);
    const filled = h.handout.replace('answer grad(z, w0) == ?', 'answer grad(z, w0) == -0.2').replace('answer grad(z, w1) == ?', `answer grad(z, w1) == ${w0 + 0.3}`);
    const ans = analyze(filled).assignment!.questions[0].answers;
    expect(ans.map((x) => [x.status, x.checkedBy])).toEqual([
      ['correct', 'selfcheck'],
      ['wrong', 'selfcheck'],
    ]);
  });

  it('the same student and seed give the same handout; students get different numbers', () => {
    expect(handoutFor(T1, 'nn', 's001').handout).toBe(handoutFor(T1, 'nn', 's001').handout);
    const draws = new Set(Array.from({ length: 12 }, (_, i) => variantFor(T1, 'nn', `s${i}`).key.draws[0]));
    expect([...draws].sort()).toEqual(['0.3', '0.5', '0.7']);
    expect(variantFor(T1, 'nn', 's001', 1).text).not.toBe(undefined);
  });

  it('a variant puts the number in place of vary and keeps the answers (the instructor preview)', () => {
    const v = variantFor(T1, 'nn', 's001');
    expect(v.text).toContain(`param w0 = ${v.key.draws[0]}\n`);
    expect(v.text).toContain('answer grad(z, w0) tolerance rel 1e-2');
  });

  it('redraws a ReLU at its kink and a key of 0 the source does not have', () => {
    // a = 1 puts relu(a − 1) at its kink; a = 0 makes the key 3a zero (the source's is 3).
    const src = 'assignment "k" seed 5\nparam a = vary(1, 0, 2, 3, 4)\ny = relu(a - 1) + 3 * a\nquestion Q\nanswer 3 * a\n';
    for (let i = 0; i < 30; i++) {
      const v = variantFor(src, 'nn', `s${i}`);
      expect(['2', '3', '4']).toContain(v.key.draws[0]);
      expect(v.diagnostics).toEqual([]);
    }
  });

  it('Markdown: a solution fence is left out, the self-check is a fence at the end', () => {
    const md = '# HW\n\n```nn\nassignment "m" seed 1\nquestion A points 2\nparam w = vary(2, 3)\nL = w * w\nanswer grad(L, w)\n```\n\n```nn solution\ng = 2 * w\n```\n\nThe end.\n';
    const h = handoutFor(md, 'markdown', 'ann');
    expect(h.handout).not.toContain('solution');
    expect(h.handout).toContain('The end.');
    expect(h.handout).toMatch(/## Self-check\n\n```nn\n#[^\n]*\n#[^\n]*\nselfcheck A\.1 "[0-9a-f]{12}" "1e-1:[0-9a-f]{16}"\n```\n$/);
    // ∂(w²)/∂w = 2w.
    expect(h.key.answers[0].key).toEqual([2 * Number(h.key.draws[0])]);
  });
});

describe('Python: the marks as comment directives', () => {
  it('`# question` and `# answer … == …` are read; an ordinary comment starting with "answer" is not', () => {
    const a = analyzePython('import torch\n# question T1 points 2\nw = torch.tensor(0.3, requires_grad=True)\nz = w * w\nz.backward()\n# answer is below\n# answer z == 0.09\n# answer w.grad == ?\n');
    expect(a.diagnostics).toEqual([]);
    const q = a.assignment!.questions[0];
    expect([q.id, q.points]).toEqual(['T1', 2]);
    // z = 0.3² = 0.09 (a source-mode document: checked against what the file computes).
    expect(q.answers.map((x) => [x.exprText, x.status])).toEqual([
      ['z', 'correct'],
      ['w.grad', 'blank'],
    ]);
  });
});

describe('ids that become paths', () => {
  it('a student id from a submission never names a folder outside --out', async () => {
    const { safeFolderName } = await import('../../../src/core/assign/index');
    expect(['..', '.', '../x', 'a/b', '', 's001'].map(safeFolderName)).toEqual(['_.', '_', '_._x', 'a_b', 'unnamed', 's001']);
  });
});

describe('the redraw limit and the release flag', () => {
  it('a source whose every variant is degenerate keeps the last draw with an assign.degenerate warning', () => {
    // a = 1 always puts relu(a − 1) at its kink.
    const v = variantFor('param a = vary(1, 1)\ny = relu(a - 1)\nquestion Q\nanswer a * 2\n', 'nn', 's1');
    expect(v.key.attempt).toBe(19);
    expect(v.diagnostics.map((d) => [d.code, d.severity])).toEqual([['assign.degenerate', 'warning']]);
    expect(v.diagnostics[0].message).toBe('Expected a variant for s1 whose answers are not degenerate, found none in 20 draws: a ReLU is evaluated exactly at its kink (0).');
  });

  it('released: the handout line says so and the analysis reports it', () => {
    const h = handoutFor(T1, 'nn', 's001', undefined, { released: true });
    expect(h.handout).toContain('handout student "s001" released\n');
    expect(analyze(h.handout).assignment).toMatchObject({ handout: true, released: true, student: 's001' });
  });

  it('malformed marks are diagnostics, never exceptions', () => {
    for (const line of ['question', 'question T1 points', 'question T1 points 2 points 3', 'answer x ==', 'answer == 3', 'answer x == ? tolerance', 'selfcheck T1.1', 'selfcheck T1.1 "s"', 'handout student', 'assignment "x" seed', 'answer x sigfig 1.5', 'question T1 carry 2', 'x = ?', 'param w = vary()', 'param w = vary(uniform(1, 0))', 'param w = vary(randint(1.5, 3))', 'param w = vary(1, round=2)']) {
      const a = analyze(`x = 1\nquestion Z\nanswer x\n${line}\n`);
      expect(a.diagnostics.filter((d) => d.severity === 'error').length, line).toBeGreaterThan(0);
    }
  });
});

describe('the misconception redraw', () => {
  it('a draw whose key a misconception also produces is redrawn: ∂(w·x)/∂x = w with w = 1 is what leaving w out gives', () => {
    const src = 'assignment "m" seed 9\nparam w = vary(2, 1, 3)\nparam x = 5\ny = w * x\nquestion Q\nanswer grad(y, x)\n';
    const draws = Array.from({ length: 30 }, (_, i) => variantFor(src, 'nn', `s${i}`));
    expect(draws.every((v) => v.diagnostics.length === 0)).toBe(true);
    expect(new Set(draws.map((v) => v.key.draws[0]))).toEqual(new Set(['2', '3']));
    // Some students' first draw was 1 and was redrawn.
    expect(draws.some((v) => v.key.attempt > 0)).toBe(true);
  });
});
