/**
 * Element-wise functions of issue #19 against PyTorch 1.13 / numpy fixtures (see funcsHarness.ts),
 * their printed rules evaluated at points (kinks included) against backward, and the built-in
 * table of docs/language.md listing every built-in.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../../src/core/index';
import { BOUNDED_ELEMENTWISE, ELEMENTWISE, evalSym } from '../../../src/core/autodiff/ops/elementwise';
import { getOp, type Attrs } from '../../../src/core/autodiff/op';
import { allBuiltins } from '../../../src/core/builtins/types';
import { tensor } from '../../../src/core/tensor/tensor';
import { describeGroup } from './funcsHarness';
import { analyze, analyzeFull } from '../../../src/core/index';
import { derivationMarkdown } from '../../../src/core/explain/derive';

describeGroup('elementwise');

/** Points on and around the kinks of the new ops (PyTorch's conventions are the backward's). */
const POINTS = [-7.25, -3.5, -3, -2.5, -1, -0.5, 0, 0.5, 1, 1.5, 2.5, 3, 3.5, 6, 7.25];
const NEW = ['square', 'sign', 'floor', 'ceil', 'round', 'selu', 'silu', 'mish', 'relu6', 'softsign', 'logsigmoid', 'hardsigmoid', 'hardswish'];
const POSITIVE = ['log2', 'log10', 'log1p', 'expm1', 'tan', 'reciprocal', 'rsqrt'];

describe('printed rules of the new ops, evaluated at points and kinks, equal backward', () => {
  const cases: [string, Attrs, number[]][] = [
    ...NEW.map((n): [string, Attrs, number[]] => [n, {}, POINTS]),
    ...POSITIVE.map((n): [string, Attrs, number[]] => [n, {}, [0.1, 0.5, 1, 1.3]]),
    ['elu', { alpha: 0.3 }, POINTS],
    ['hardtanh', { min: -2.5, max: 3 }, POINTS],
    ['clamp', { min: -1, max: 2.5 }, [...POINTS, 2.5]],
    ['clamp', { min: 0.5 }, POINTS],
  ];
  for (const [name, attrs, pts] of cases) {
    it(`${name} ${JSON.stringify(attrs)}`, () => {
      const def = ELEMENTWISE.find((d) => d.name === name) ?? BOUNDED_ELEMENTWISE.find((d) => d.name === name)!;
      const [sym] = def.partials([{ k: 'var', name: 'a' }], attrs);
      const op = getOp(name);
      for (const x of pts) {
        const ins = [tensor([], [x])];
        const out = op.forward(ins, attrs);
        const [g] = op.backward(tensor([], [1]), ins, out, attrs);
        expect(evalSym(sym, () => x), `${name}'(${x})`).toBeCloseTo(g!.data[0], 12);
      }
      expect(op.rule(['x'], attrs)[0]).toContain('x');
    });
  }
});

describe("docs/language.md's built-in table", () => {
  const doc = readFileSync(new URL('../../../docs/language.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('### Built-ins and their aliases'), doc.indexOf('### Loss and activation options'));
  const rows = section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| group') && !l.startsWith('| ---'));
  it('lists every built-in with its aliases and a derivative', () => {
    for (const b of allBuiltins()) {
      const row = rows.find((r) => r.split('|')[2]?.includes(`\`${b.signature.replace(/\|/g, '\\|')}\``));
      expect(row, `${b.name}: no row with \`${b.signature}\``).toBeDefined();
      for (const a of b.aliases ?? []) expect(row!.split('|')[3], `${b.name}: alias ${a}`).toContain(`\`${a}\``);
      expect(row!.split('|')[5]?.trim().length, `${b.name}: derivative`).toBeGreaterThan(3);
    }
  });
  it('states the library defaults where numpy and PyTorch differ', () => {
    for (const name of ['var', 'std', 'norm', 'linalg.norm', 'cumsum', 'clamp', 'dropout', 'max']) {
      const b = allBuiltins().find((x) => x.name === name)!;
      expect(b.libraries, name).toBeDefined();
      expect(rows.some((r) => r.includes(b.libraries!.slice(0, 30).replace(/\|/g, '\\|'))), name).toBe(true);
    }
  });
});

describe('derivations print the new rules with their numbers', () => {
  const explain = (text: string, of: string, wrt: string): string => {
    const full = analyzeFull(`${text}\ngrad ${of} wrt ${wrt}\n`);
    return derivationMarkdown(full.derivations.find((x) => x.of === of && x.wrt === wrt)!);
  };
  it('square, silu, log1p and relu6 at a kink, by their symbolic partials', () => {
    // ∂(3·x²)/∂x = 6x = 3 at x = 0.5 (by hand)
    expect(explain('param x = 0.5\nz = square(x) * 3', 'z', 'x')).toContain('= 3');
    // silu'(0) = σ(0)·(1 + 0) = 0.5 (by hand)
    expect(explain('param x = 0.0\nz = silu(x)', 'z', 'x')).toContain('0.5');
    // log1p'(1) = 1/2 (by hand)
    expect(explain('param x = 1.0\nz = log1p(x)', 'z', 'x')).toContain('0.5');
    // relu6'(6) = 0 (PyTorch's hardtanh_backward), and the convention is stated
    expect(explain('param x = 6.0\nz = relu6(x) * 2', 'z', 'x')).toContain("ReLU6'(0) = ReLU6'(6) = 0");
  });
});

describe('round(x, decimals)', () => {
  it('scales by 10^d, rounds half to even and scales back, as numpy 1.24 (np.round(x, 2), np.round(x, -2))', () => {
    const a = analyze('x = [0.125, 2.5, -1.2345, 1234.5678, 1.005, 2.675]\na = round(x, 2)\nb = round(x, -2)\ns = sum(a * x)\ng = grad(s, x)\n');
    expect(a.diagnostics).toEqual([]);
    const v = (n: string) => a.values.find((x) => x.name === n)!.data;
    // numpy: np.round([0.125, 2.5, -1.2345, 1234.5678, 1.005, 2.675], 2) and (…, -2)
    expect(v('a')).toEqual([0.12, 2.5, -1.23, 1234.57, 1, 2.68]);
    expect(v('b')).toEqual([0, 0, -0, 1200, 0, 0]);
    // round's derivative is 0, so the gradient of sum(a·x) is a itself.
    expect(v('g')).toEqual([0.12, 2.5, -1.23, 1234.57, 1, 2.68]);
  });
});
