/** gradeSubmission never throws and never scores outside [0, max], whatever the submission's text. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildKey, gradeSubmission, variantFor } from '../../../src/core/assign/index';

const SOURCE = 'assignment "p" seed 3\nquestion Q points 3 carry 0.5\nparam w = vary(0.5, 2)\nx = w * 3\nanswer x\nanswer grad(x, w) tolerance abs 0.1\nanswer [w, x] decdig 2\n';
const key = buildKey(SOURCE, 'nn', 3, ['s1', 's2'].map((id) => variantFor(SOURCE, 'nn', id)));
const PIECES = ['handout student "s1"\n', 'question Q\n', 'answer x == ', 'answer grad(x, w) == ', 'answer [w, x] == ', '?', '1.5', '6', '[0.5, 1.5]', '3 * 0.5', '== ', '\n', '"', '(', ')', ',', 'x', 'nan', '1e400', '```nn\n', '```\n', '#', ' '];

describe('gradeSubmission on any text', () => {
  it('scores within [0, max] with a reason for every answer, never throwing', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), fc.constantFrom('nn' as const, 'markdown' as const, 'python' as const), (parts, kind) => {
        const g = gradeSubmission(key, { file: 'f', text: parts.join(''), kind, fallbackStudent: 's2' });
        expect(g.score).toBeGreaterThanOrEqual(0);
        expect(g.score).toBeLessThanOrEqual(3);
        for (const q of g.questions) for (const a of q.answers) expect(a.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 300, seed: 14 },
    );
  });

  it('the right answers of s1 score 3 of 3; written by hand from x = 3w, ∂x/∂w = 3', () => {
    const w = Number(key.students.s1.draws[0]);
    const g = gradeSubmission(key, { file: 'f', text: `handout student "s1"\nquestion Q\nanswer x == ${3 * w}\nanswer grad(x, w) == 3\nanswer [w, x] == [${w}, ${3 * w}]\n`, kind: 'nn', fallbackStudent: 'zz' });
    expect([g.student, g.score, g.error]).toEqual(['s1', 3, undefined]);
  });
});
