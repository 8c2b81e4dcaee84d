/**
 * "Did you mean" (issue #19, and #17 items 2–3): only plausible typos are offered, a built-in's
 * suggestion names its documentation section, and numpy/PyTorch functions GradLens lacks are
 * said to be unsupported. The quick fix (Diagnostic.fixes) is the same name as the message.
 * Expected texts are written by hand from the rules in src/core/suggest.ts.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { suggestName, typoDistance } from '../../../src/core/suggest';
import { builtinNames } from '../../../src/core/builtins/types';

const diag = (src: string, code?: string) => analyze(src).diagnostics.filter((d) => d.severity === 'error' && (!code || d.code === code));

describe('the rules', () => {
  const rows: [string, string[], string[], string | undefined][] = [
    // name, built-ins, defined names, expected
    ['w0', [], ['x0', 'x1'], undefined], // #17: a different defined variable of the same length
    ['σ', ['t', 'tanh'], [], undefined], // #17: one character is no typo of another
    ['len', ['ln', 'log'], [], undefined], // #17: 3 characters need a candidate of the same length
    ['w00', [], ['w0', 'x0'], 'w0'], // a doubled keystroke of a two-character name
    ['ww0', [], ['w0', 'x0'], 'w0'],
    ['x11', [], ['x1', 'w1'], 'x1'],
    ['w01', [], ['w0', 'w1'], undefined], // not a doubled keystroke: no two-character candidate
    ['sign', ['sin', 'cos'], [], undefined], // a numpy/torch name (a built-in now): not a typo of sin
    ['argmax', ['amax', 'max'], [], undefined],
    ['l1_loss', ['nll_loss', 'mse_loss'], [], undefined],
    ['sort', ['sqrt'], [], undefined], // numpy's sort: not supported, never sqrt
    ['loss2', [], ['loss1'], undefined], // a substitution between defined names
    ['sotfmax', ['softmax', 'log_softmax'], [], 'softmax'], // a swap is one edit
    ['rleu', ['relu', 'elu'], [], 'relu'],
    ['sigmiod', ['sigmoid'], [], 'sigmoid'],
    ['hdiden', [], ['hidden', 'hide'], 'hidden'],
    ['hiden', [], ['hidden'], 'hidden'], // a missing letter
    ['SofMtax', ['softmax'], [], 'softmax'], // case does not count
    ['crossentropy_loss', ['cross_entropy_loss'], [], 'cross_entropy_loss'],
    ['mena', ['mean', 'men'], [], 'mean'],
    ['totally_else', ['sum', 'mean'], ['x'], undefined],
  ];
  for (const [name, b, d, want] of rows) {
    it(`${name} → ${want ?? 'nothing'}`, () => expect(suggestName(name, b, d)?.name).toBe(want));
  }
  it('counts a swap of neighbours as one edit', () => {
    expect(typoDistance('sotfmax', 'softmax')).toBe(1);
    expect(typoDistance('sign', 'sin')).toBe(1);
  });
  it('with every built-in as a candidate: the cases of the issues', () => {
    const all = builtinNames();
    expect(suggestName('len', all, [])).toBeUndefined();
    expect(suggestName('σ', all, [])).toBeUndefined();
    expect(suggestName('sotfmax', all, [])?.name).toBe('softmax');
    expect(suggestName('crossentropylos', all, [])?.name).toBe('crossentropyloss');
    for (const real of ['sign', 'argmax', 'l1_loss', 'sum']) expect(suggestName(real, all, [])).toBeUndefined();
  });
});

describe('in a document', () => {
  it('an undefined w0 next to x0 gets no suggestion and no quick fix (#17)', () => {
    const [d] = diag('x0 = 1.0\nz = w0 * 2\n', 'name.undefined');
    expect(d.message).toBe('Expected a defined name, found `w0`.');
    expect(d.fixes).toBeUndefined();
  });
  it('σ(0.5) and len(x) are not offered t and ln', () => {
    for (const src of ['a = σ(0.5)\n', 'x = [1.0, 2.0]\nn = len(x)\n']) {
      const [d] = diag(src);
      expect(d.message).not.toContain('Did you mean');
      expect(d.fixes).toBeUndefined();
    }
  });
  it('a typo of a built-in names it, its signature and its documentation section, and the quick fix agrees', () => {
    const [d] = diag('x = [1.0, 2.0]\np = sotfmax(x)\n', 'name.unknown-function');
    expect(d.message).toBe(
      'Expected a built-in function or a network, found `sotfmax`. Did you mean `softmax` (the built-in `softmax(x, axis=-1)`, listed under probability in docs/language.md, "Built-ins and their aliases")?',
    );
    expect(d.fixes).toEqual([{ title: 'Change to `softmax`', span: d.span, text: 'softmax' }]);
  });
  it('a typo of a defined name is offered (a swap), with its quick fix', () => {
    const [d] = diag('hidden = 2.0\nz = hdiden * 3\n', 'name.undefined');
    expect(d.message).toBe('Expected a defined name, found `hdiden`. Did you mean `hidden`?');
    expect(d.fixes?.[0].text).toBe('hidden');
  });
  it('numpy and PyTorch functions GradLens does not have say exactly that', () => {
    const cases: [string, string][] = [
      ['np.linalg.svd(x)', '`np.linalg.svd` is not supported'],
      ['torch.linalg.inv(x)', '`torch.linalg.inv` is not supported'],
      ['torch.sort(x)', '`torch.sort` is not supported'],
      ['np.random.normal(0, 1)', '`np.random.normal` is not supported'],
      ['median(x)', '`median` is not supported'],
    ];
    for (const [call, text] of cases) {
      const [d] = diag(`x = [[1.0, 2.0], [3.0, 4.0]]\ny = ${call}\n`, 'name.unknown-function');
      expect(d.message, call).toContain(text);
      expect(d.message).not.toContain('Did you mean');
      expect(d.fixes).toBeUndefined();
    }
    const [m] = diag('x = [1.0, 2.0]\ny = x.argsort()\n', 'name.unknown-function');
    expect(m.message).toContain('`.argsort()` is not supported');
  });
  it('the functions of the issue are built-ins now: no error at all', () => {
    expect(diag('x = [[1.0, -2.0], [3.0, 4.0]]\na = argmax(x, axis=1)\nb = sign(x)\nc = l1_loss(x, x)\nd = std(x, axis=0)\n')).toEqual([]);
  });
});
