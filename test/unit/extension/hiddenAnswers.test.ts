import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { LineIndex } from '../../../src/core/span';
import { blankTemplate, hiddenMessage, hiddenModeOf, redactAnalysis, redactHover, solutionsRefusal } from '../../../src/extension/hiddenAnswers';
import { buildPanelState } from '../../../src/extension/panelModel';
import { answerLens, statusSummary } from '../../../src/extension/render';
import { formatNumber } from '../../../src/core/format';
import { handoutFor } from '../../../src/core/assign/index';

// A graph whose gradients have digits no other quantity of the file has. The numbers below are
// the core's own results for it, checked by hand: a = w·x + b = 0.85, h = tanh(0.85) = 0.69107,
// L = (h·v − 0.5)² = 0.15871; ∂L/∂h = 2(h·v − 0.5)·v = 1.0358, ∂h/∂a = 1 − h² = 0.52242,
// so ∂L/∂w = 1.0358 · 0.52242 · 1.5 = 0.8117, ∂L/∂b = 0.5411, ∂L/∂v = 2(h·v − 0.5)·h = 0.5506, ∂L/∂x = 0.3788.
const src = `x = 1.5
param w = 0.7
param b = -0.2
h = tanh(w * x + b)
param v = 1.3
L = (h * v - 0.5) ^ 2
g = grad(L, w)
twice = 2 * g
grad L wrt w, b, v
check L wrt w
expect grad(L, v) == 0.5
`;
const GRADIENT_DIGITS = ['0.8117', '0.811', '0.5411', '0.541', '0.5506', '0.550', '1.036', '0.7836', '0.5224', '0.3788', '1.623'];

describe('answers hidden: redactAnalysis', () => {
  const a = analyze(src, { languageId: 'nn' });
  const mode = hiddenModeOf(a, true)!;
  const r = redactAnalysis(a, src, mode);

  it('the fixture really has those gradients (so the checks below mean something)', () => {
    expect(a.gradients.map((g) => [g.wrt, +g.data[0].toFixed(4)])).toEqual([
      ['w', 0.8117],
      ['b', 0.5411],
      ['v', 0.5506],
    ]);
    expect(JSON.stringify(a)).toContain('0.8117');
  });

  it('without the mode the analysis is shown as it is', () => {
    expect(hiddenModeOf(a, false)).toBeUndefined();
    expect(redactAnalysis(a, src, undefined)).toBe(a);
  });

  it('no gradient digit is left anywhere in what the editor reads', () => {
    const json = JSON.stringify(r);
    for (const d of GRADIENT_DIGITS) expect(json, d).not.toContain(d);
  });

  it('the student\'s own lines keep their values; a gradient and what is computed from it go', () => {
    expect(r.values.map((v) => v.name)).toEqual(['x', 'w', 'b', 'h', 'v', 'L']);
    expect(r.values.find((v) => v.name === 'h')!.data[0]).toBeCloseTo(Math.tanh(0.85), 12);
    expect(r.values.every((v) => v.grads === undefined)).toBe(true);
    expect(r.gradients).toEqual([]);
    expect(r.hidden!.items.map((i) => i.title)).toEqual(['g = ▢', 'twice = ▢', '∂L/∂w = ▢', '∂L/∂b = ▢', '∂L/∂v = ▢']);
    expect(r.hidden!.items.map((i) => i.line)).toEqual([6, 7, 8, 8, 8]);
  });

  it('checks keep their verdict; an expectation only its ✓/✗, both sides emptied', () => {
    expect(r.checks.map((c) => c.passed)).toEqual([true]);
    expect(r.expectations[0]).toMatchObject({ passed: false, left: { text: 'grad(L, v)', data: [] }, right: { text: '?', data: [] } });
    expect(r.hidden!.answers).toEqual([
      { span: a.expectations[0].span, line: 10, status: 'wrong', title: '✗ grad(L, v)', tooltip: 'expect grad(L, v): does not hold.' },
    ]);
    const d = r.diagnostics.find((x) => x.code === 'expect.failed')!;
    expect(a.diagnostics.find((x) => x.code === 'expect.failed')!.message).toContain('0.550631');
    expect(d.message).toBe('This answer does not hold (answers hidden: the expected value is not shown).');
  });

  it('hovers keep the value, lose the gradients and the derivation; a hidden line\'s hover says why', () => {
    const w = r.symbols.find((s) => s.kind === 'binding' && s.name === 'w')!;
    expect(w.detail).toBe('**w** — parameter, shape [] (line 2)\n\n```\nw = 0.7\n```');
    const h = r.symbols.find((s) => s.kind === 'binding' && s.name === 'h')!;
    expect(h.detail).toBe('**h** — intermediate value, shape [] (line 4)\n\n```\nh = 0.6911\n```');
    expect(r.symbols.some((s) => s.kind === 'binding' && s.name === 'g')).toBe(false);
    const why = r.symbols.filter((s) => s.name === 'hidden').map((s) => s.detail);
    expect(why[0]).toBe(`**g = ▢**\n\n${hiddenMessage(mode)}`);
  });

  it('the panel gets no gradient on any node, no derivation, no local derivative value', () => {
    const lines = new LineIndex(src);
    const p = buildPanelState(r, { file: 'f.nn', uri: 'file:///f.nn', version: 1, lineOf: (o) => lines.lineOf(o) }, 4);
    expect(p.gradients).toEqual([]);
    expect(p.graph.nodes.every((n) => n.grad === undefined && n.grads === undefined)).toBe(true);
    expect(p.graph.edges.every((e) => e.localValue === undefined)).toBe(true);
    expect(p.graph.nodes.find((n) => n.name === 'g')?.value).toBe('▢');
  });

  it('released derivations stay for the panel only when asked', () => {
    expect(redactAnalysis(a, src, { ...mode, released: true }, { keepDerivations: true }).gradients).toHaveLength(3);
    expect(solutionsRefusal(mode)).toMatch(/gradlens\.answersHidden/);
    expect(solutionsRefusal({ ...mode, released: true })).toBeUndefined();
    expect(solutionsRefusal(undefined)).toBeUndefined();
  });

  it('operator hovers lose their local derivative values', () => {
    expect(redactHover({ span: { start: 0, end: 1 }, kind: 'operator', name: '*', detail: '**`*`** — mul: `w * x` = 1.05\n\n- ∂(w·x)/∂w = x = 1.5 here\n- ∂(w·x)/∂x = w' })).toBe(
      '**`*`** — mul: `w * x` = 1.05\n\n- ∂(w·x)/∂x = w',
    );
  });
});

describe('answers hidden: the homework\'s network questions', () => {
  const root = join(__dirname, '..', '..', '..');
  const text = readFileSync(join(root, 'examples', 'hw4-t2-t3-mlp.nn'), 'utf8');
  const a = analyze(text, { languageId: 'nn' });
  const r = redactAnalysis(a, text, { reason: 'setting', released: false });

  it('a params(…)/size(…) question hides the network\'s counts (557,057 from the homework)', () => {
    expect(a.networks[0].params).toBe(557057);
    expect(r.networks).toEqual([]);
    const json = JSON.stringify(r);
    expect(json).not.toContain('557057');
    expect(json).not.toContain('557,057');
    expect(r.hidden!.items[0].title).toBe('mlp: ▢ params');
    expect(r.hidden!.answers.map((m) => m.title)).toEqual(['✓ size(mlp.A)', '✓ size(mlp.B)', '✓ size(mlp.C)', '✓ params(mlp)']);
  });
});

describe('answers hidden: templates have blanks', () => {
  const root = join(__dirname, '..', '..', '..');
  const read = (f: string) => readFileSync(join(root, 'examples', f), 'utf8');

  it('T1: the expect lines become blank answer lines and the "Expected" comment loses its numbers', () => {
    const t = blankTemplate(read('hw4-t1-residual.nn'));
    expect(t.split('\n').filter((l) => l.startsWith('answer'))).toEqual(['answer grad(z, w0) == ?', 'answer grad(z, w1) == ?', 'answer grad(z, b0) == ?', 'answer grad(z, b1) == ?']);
    // The homework's answers (x1 = 0.4, y1 = −0.38, z = 0.62, dz/dw0 = −0.2, …) are nowhere (w1 = −0.2 is a given).
    for (const n of ['-0.38', '0.62', '0.4', 'dz/dw0', '== -0.2']) expect(t, n).not.toContain(n);
    expect(t).toContain('param w0 = 0.3');
    expect(t).toContain('# Your answers go on the `answer … == ?` lines (answers are hidden).');
  });

  it('T2/T3 and softmax: counts and the identity are blanks; the comment after an expect stays', () => {
    const t = blankTemplate(read('hw4-t2-t3-mlp.nn'));
    for (const n of ['32,768', '32768', '16,384', '557,057', '557057']) expect(t, n).not.toContain(n);
    expect(t).toContain('answer params(mlp) == ?');
    expect(blankTemplate(read('hw4-softmax-ce.nn'))).toContain('answer grad(L, h) == ?   # the identity proved in the homework');
    expect(blankTemplate(read('hw4-answers.md'))).toContain('```nn\nanswer grad(z, w0) == ?\n```');
  });
});

describe('answers hidden: a student\'s handout (src/core/assign) turns it on whatever the setting says', () => {
  // test/fixtures/assignment-t1.nn: T1 with x0 = 1.5 and w0 drawn per student. For s001 (seed 7)
  // the core draws w0 = 0.5 (its key below). By hand: x1 = ReLU(1.5·0.5 + 0.1) = 0.85,
  // y1 = 0.85·(−0.35) − 0.3 = −0.5975, z = ReLU(y1 + 1.5) = 0.9025; ∂z/∂w0 = w1·x0 = −0.525,
  // ∂z/∂w1 = x1 = 0.85. (No comment in the source: a handout keeps the source's comments.)
  const source = readFileSync(join(__dirname, '..', '..', 'fixtures', 'assignment-t1.nn'), 'utf8');
  const h = handoutFor(source, 'nn', 's001');
  const filled = h.handout.replace('answer x1 == ?', 'answer x1 == 0.85').replace('answer grad(z, w1) == ?', 'answer grad(z, w1) == -0.85');
  const a = analyze(filled, { languageId: 'nn' });
  const mode = hiddenModeOf(a, false)!;
  const r = redactAnalysis(a, filled, mode);

  it('the variant is the one computed by hand', () => {
    expect(h.key.draws).toEqual(['0.5']);
    expect(h.key.answers.map((k) => [k.id, +k.key[0].toFixed(6)])).toEqual([
      ['T1.1', 0.85],
      ['T1.2', -0.525],
      ['T1.3', 0.85],
    ]);
  });

  it('the status bar counts the answers right so far (1 of 3; one wrong, one blank)', () => {
    expect(statusSummary(a)).toEqual({ text: 'answers 1/3', tooltip: '1 of 3 answers right, 1 wrong, 1 blank or unchecked', failed: true });
  });

  it('a handout hides answers with the setting off, and says whose handout it is', () => {
    expect(mode).toEqual({ reason: 'handout', released: false, student: 's001' });
    expect(r.hidden!.message).toContain('this is a handout (student s001)');
  });

  it('✓/✗ per answer line from the self-check, a blank as ○, the sign flip named', () => {
    expect(r.hidden!.answers.map((m) => [m.line, m.title])).toEqual([
      [11, '✓ T1.1 x1'],
      [12, '○ T1.2 grad(z, w0)'],
      [13, '✗ T1.3 grad(z, w1) · sign-flip'],
    ]);
    // Hovering the answer line: the mark, the misconception in the student's own number, why hidden.
    const t13 = a.assignment!.questions[0].answers[2];
    const hover = r.symbols.find((x) => x.span.start === t13.span.start && x.name === 'hidden')!.detail;
    expect(hover).toContain('**✗ T1.3 grad(z, w1) · sign-flip**');
    expect(hover).toContain('Your −0.85 is ∂z/∂w1 with the sign flipped (misconception: sign-flip).');
    expect(hover).toContain('this is a handout (student s001)');
  });

  it('no key, no asked-for value and nothing computed from it is left in what the editor reads', () => {
    const json = JSON.stringify(r);
    for (const n of ['0.525', '0.5975', '0.9025']) expect(json, n).not.toContain(n);
    expect(r.values.map((v) => v.name)).toEqual(['x0', 'w0', 'w1', 'b0', 'b1']);
    expect(r.hidden!.items.map((i) => i.title)).toEqual(['x1 = ▢', 'y1 = ▢', 'z = ▢']);
  });

  it('the release flag lets worked solutions through; the lenses stay ✓/✗', () => {
    const released = analyze(filled.replace('handout student "s001"', 'handout student "s001" released'), { languageId: 'nn' });
    const m = hiddenModeOf(released, false)!;
    expect(m.released).toBe(true);
    expect(solutionsRefusal(m)).toBeUndefined();
    expect(solutionsRefusal(mode)).toMatch(/until your instructor releases them/);
  });
});

describe('the key beside each answer line in the instructor\'s source (answers not hidden)', () => {
  it('key, tolerance, and a given answer checked against it', () => {
    const src = `param w = 0.5\nz = 3 * w\nquestion T1\nanswer grad(z, w) tolerance abs 0.1\nanswer z == 1.4\nanswer z sigfig 2\n`;
    const a = analyze(src, { languageId: 'nn' });
    const lenses = a.assignment!.questions[0].answers.map((x) => answerLens(x, 4));
    // ∂z/∂w = 3, z = 1.5 (by hand); 1.4 is off by 0.1 > 1e-2·1.5.
    expect(lenses).toEqual(['key T1.1 = 3 · tolerance abs 0.1', '✗ T1.2 = 1.4, key 1.5', 'key T1.3 = 1.5 · sigfig 2']);
  });
});

describe('the panel\'s questions: the key beside each question for the instructor, never in a handout', () => {
  const src = `param w = 0.5\nz = 3 * w\nquestion T1 points 2\nanswer grad(z, w) tolerance abs 0.1\nanswer z == 1.4\n`;
  const lines = new LineIndex(src);
  const source = { file: 'a.nn', uri: 'file:///a.nn', version: 1, lineOf: (o: number) => lines.lineOf(o) };

  it('source: keys (∂z/∂w = 3, z = 1.5 by hand) and statuses', () => {
    const p = buildPanelState(analyze(src, { languageId: 'nn' }), source, 4);
    expect(p.questions).toEqual([
      {
        id: 'T1',
        points: 2,
        line: 2,
        answers: [
          { id: 'T1.1', line: 3, expr: 'grad(z, w)', status: 'unchecked', key: '3 · tolerance abs 0.1' },
          { id: 'T1.2', line: 4, expr: 'z', status: 'wrong', key: '1.5 · tolerance rel 0.01' },
        ],
      },
    ]);
    expect(p.hiddenNote).toBeUndefined();
  });

  it('answers hidden: the statuses stay, the keys go, the note says why', () => {
    const a = analyze(src, { languageId: 'nn' });
    const p = buildPanelState(redactAnalysis(a, src, { reason: 'setting', released: false }), source, 4);
    expect(p.questions![0].answers.map((x) => [x.status, x.key])).toEqual([
      ['unchecked', undefined],
      ['wrong', undefined],
    ]);
    expect(p.hiddenNote).toMatch(/^Answers hidden — the setting gradlens\.answersHidden is on/);
  });
});

describe('answers hidden: the example assignment (examples/assignment/hw4.md), as s007 gets it', () => {
  const root = join(__dirname, '..', '..', '..');
  const source = readFileSync(join(root, 'examples', 'assignment', 'hw4.md'), 'utf8');
  const h = handoutFor(source, 'markdown', 's007');
  const a = analyze(h.handout, { languageId: 'markdown' });
  const r = redactAnalysis(a, h.handout, hiddenModeOf(a, false));

  it('every key the handout\'s own text does not contain is nowhere in what the editor reads', () => {
    expect(h.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const json = JSON.stringify(r);
    // CE.1 asks for ∂L/∂h = P − y with y one-hot: its elements other than the true class's are P's
    // own, which the student's line `P = softmax(h)` shows (the forward pass the question gives).
    // Only P₀ − 1 is the answer's own number.
    const ce = h.key.answers.find((k) => k.id === 'CE.1')!;
    const keys = [...h.key.answers.filter((k) => k !== ce).flatMap((k) => k.key), ce.key[0]];
    const secret = keys.filter((x) => Number.isFinite(x) && !h.handout.includes(String(x)) && !h.handout.includes(formatNumber(x, 4)));
    // The homework's gradients, forward values, sizes and counts: most keys are not in the text.
    expect(secret.length).toBeGreaterThan(h.key.answers.length / 2);
    for (const x of secret) {
      expect(json, String(x)).not.toContain(JSON.stringify(x));
      expect(json, formatNumber(x, 4)).not.toMatch(new RegExp(`[^\\d.]${formatNumber(x, 4).replace(/[.\\-]/g, '\\$&')}(?![\\d])`));
    }
  });

  it('every answer line is blank (○) until the student writes a number', () => {
    const answers = a.assignment!.questions.flatMap((q) => q.answers);
    expect(r.hidden!.answers).toHaveLength(answers.length);
    expect(r.hidden!.answers.every((m) => m.status === 'blank' && m.title.startsWith('○ '))).toBe(true);
  });
});
