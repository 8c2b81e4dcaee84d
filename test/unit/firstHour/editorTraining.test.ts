/**
 * Issue #17 points 1 and 5: in the editor training is limited by time and by Stop Training, not
 * by the work budget (trainingBudget: Infinity, trainingTimeLimit); a stopped training offers
 * "Train fully"; literal bindings get no value lens. The losses compared are GradLens's own
 * (the same document trained under the CLI's budget and under the editor's options).
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { isLiteralBinding, trainFullyOffered, valueLens } from '../../../src/extension/render';

const doc = [
  'X = randn(64, 4)',
  'y = randn(64, 1)',
  'network net seed 1',
  '  input [N, 4]',
  '  Linear(4, 8)',
  '  ReLU()',
  '  Linear(8, 1)',
  'train net on X, y',
  '  loss mse(net(X), y)',
  '  optimizer SGD(lr=0.05)',
  '  epochs 20',
  '  batch 16',
  'after = mse(net(X), y)',
  '',
].join('\n');

describe('training in the editor', () => {
  it('a small work budget no longer stops training: it runs all epochs, as under the CLI’s budget', () => {
    const cli = analyze(doc, { budget: 2e10 });
    const editor = analyze(doc, { budget: 5e4, trainingBudget: Infinity, trainingTimeLimit: 60_000 });
    const t = editor.trainings![0];
    expect(t.stopped).toBeUndefined();
    expect(t.epochs).toBe(20);
    expect(t.losses).toEqual(cli.trainings![0].losses);
    // The lines after it still run under the budget, with the trained parameters.
    expect(editor.values.find((v) => v.name === 'after')?.data).toEqual(cli.values.find((v) => v.name === 'after')?.data);
    // The same budget without trainingBudget stops it (the old behaviour, still the CLI's with --budget).
    expect(analyze(doc, { budget: 5e4 }).trainings![0].stopped).toMatch(/work budget/);
  });

  it('the time limit stops training where it is, says so, and offers Train fully', () => {
    const a = analyze(doc, { trainingBudget: Infinity, trainingTimeLimit: 0.001 });
    const t = a.trainings![0];
    expect(t.stopped).toMatch(/^the time limit \(0\.0 s\) ran out after \d+ epochs? \(\d+ steps?\) of 20 epochs$/);
    expect(t.epochs).toBeLessThan(20);
    const d = a.diagnostics.find((x) => x.code === 'train.stopped')!;
    expect(d.message).toContain('“Train fully” (on the train line) runs it to the end');
    expect(trainFullyOffered(t)).toBe(true);
    expect(trainFullyOffered({ ...t, stopped: 'by the user (GradLens: Stop Training) after 1 epoch' })).toBe(true);
    expect(trainFullyOffered({ ...t, stopped: 'the loss became non-finite at step 3' })).toBe(false);
    expect(trainFullyOffered({ ...t, stopped: undefined })).toBe(false);
  });
});

describe('lenses do not repeat what the line says', () => {
  it('isLiteralBinding: a number literal (with sign, exponent, comment) is; anything else is not', () => {
    for (const s of ['x0 = 1.0', 'param w0 = -0.3', 'b = .5', 'lr = 1e-3  # step', 'n = 3']) expect(isLiteralBinding(s)).toBe(true);
    for (const s of ['x1 = x0 * 2', 'v = [1, 2]', 'y = -x0', 'e = exp(1)', 'z = 1 + 2']) expect(isLiteralBinding(s)).toBe(false);
  });
  it('a literal’s lens shows only the gradients asked of it', () => {
    const v = { name: 'w0', line: 0, span: { start: 0, end: 0 }, nameSpan: { start: 0, end: 0 }, shape: [], data: [0.3], isParam: true, isLeaf: true };
    expect(valueLens(v, 4, [{ of: 'z', shape: [], data: [-0.2] }], true)).toBe('∂z/∂w0 = -0.2');
    expect(valueLens(v, 4, [{ of: 'z', shape: [], data: [-0.2] }])).toBe('param w0 = 0.3   ∂z/∂w0 = -0.2');
  });
});

describe('derivations for the homework, worked solutions inserted once', () => {
  it('Copy Derivation copies display-math LaTeX; Explain Gradient’s document carries $$ math for the preview’s KaTeX', async () => {
    const { derivationLatex, gradientMarkdown } = await import('../../../src/extension/render');
    const { readFileSync } = await import('node:fs');
    const a = analyze(readFileSync('examples/hw4-t1-residual.nn', 'utf8'));
    const g = a.gradients.find((x) => x.wrt === 'w0')!;
    const tex = derivationLatex(g)!;
    expect(tex.startsWith('\\[\n\\begin{aligned}\n')).toBe(true);
    expect(tex.endsWith('\n\\end{aligned}\n\\]\n')).toBe(true);
    expect(tex).toContain('\\frac{\\partial z}{\\partial w_{0}}');
    const md = gradientMarkdown(g, 4);
    expect(md).toMatch(/^# ∂z\/∂w0\n\n\$\$\n\\begin\{aligned\}\n/);
    expect(md).toContain('## As text');
    expect(derivationLatex({ ...g, derivationTex: undefined })).toBeUndefined();
  });

  it('Insert Worked Solution finds the one it inserted before (between markers) and replaces it', async () => {
    const { previousSolution, solutionBlock, SOLUTION_BEGIN, SOLUTION_END } = await import('../../../src/extension/fences');
    const lines = ['# HW', '```nn', 'x = 1', '```', '', ...solutionBlock('# Worked solution\n\nx = 1').split('\n'), '', '```nn', 'y = 2', '```', '', SOLUTION_BEGIN, 'second'];
    expect(lines[5]).toBe(SOLUTION_BEGIN);
    expect(previousSolution(lines, 3)).toEqual({ start: 5, end: 11 });
    expect(lines[11]).toBe(SOLUTION_END);
    // After the second block: a begin marker without its end (edited away) is not replaced.
    expect(previousSolution(lines, 15)).toBeUndefined();
    // Nothing inserted yet.
    expect(previousSolution(['```nn', 'x = 1', '```'], 2)).toBeUndefined();
  });
});
