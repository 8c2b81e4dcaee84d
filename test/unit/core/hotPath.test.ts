import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { K, Tape } from '../../../src/core/autodiff/tape';
import '../../../src/core/autodiff/ops/index';
import { parseProgram } from '../../../src/core/syntax/parser';

/** The fast paths of a scalar document (bench T1) give the general paths' results. */

const last = (a: ReturnType<typeof analyze>, name: string): number[] => {
  const v = [...a.values].reverse().find((x) => x.name === name);
  if (!v) throw new Error(`no value ${name}`);
  return v.data;
};

describe('check leaves the tape as it found it', () => {
  it('a value that depends on the checked leaf but not on the output keeps its value', () => {
    const src = 'param w = 2\na = w * 3\nz = w * w\ncheck z wrt w\nb = a + 0\n';
    const a = analyze(src);
    expect(a.checks[0].passed).toBe(true);
    expect(last(a, 'b')).toEqual([6]);
    // The graph (read after evaluation) shows the unperturbed value too.
    const node = a.graph.nodes.find((n) => n.name === 'a');
    expect(node?.value).toEqual([6]);
  });

  it('scalar and tensor leaves: the same outcome, kinks counted at ReLU(0) and at a max tie', () => {
    const a = analyze('param w = 0\nparam v = 1\nz = relu(w) + maximum(v, 1)\ncheck z wrt w, v\n');
    expect(a.checks.map((c) => c.kinks)).toEqual([1, 1]);
    const t = analyze('param w = [0, 2]\nz = sum(relu(w))\ncheck z wrt w\n');
    expect(t.checks[0].kinks).toBe(1);
    expect(t.checks[0].passed).toBe(true);
  });

  it('T1-style check: passes with a tiny error and no kinks', () => {
    const a = analyze('x0 = 1.0\nparam w0 = 0.3\nparam b0 = 0.1\nx1 = relu(x0 * w0 + b0)\nz = tanh(x1 * x1 + x0)\ncheck z wrt w0, b0\n');
    for (const c of a.checks) {
      expect(c.passed).toBe(true);
      expect(c.kinks).toBe(0);
      expect(c.maxRelError).toBeLessThan(1e-8);
    }
  });
});

describe('grad(…) shares one backward pass per output', () => {
  it('after grad and check on the same output, and after the output is rebound', () => {
    const a = analyze(
      'param w = 2\nz = w * w\ngrad z\ncheck z wrt w\nexpect grad(z, w) == 4\nz = w * w * w\nexpect grad(z, w) == 12\ng = grad(z, w)\n',
    );
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(a.expectations.map((e) => e.passed)).toEqual([true, true]);
    expect(last(a, 'g')).toEqual([12]);
    expect(a.gradients[0].data).toEqual([4]);
  });

  it('tensor gradients from grad(…) are values of their own', () => {
    const a = analyze('param W = [[1, 2], [3, 4]]\nL = sum(W * W)\nG = grad(L, W)\nH = grad(L, W)\nexpect G == H\n');
    expect(last(a, 'G')).toEqual([2, 4, 6, 8]);
    expect(last(a, 'H')).toEqual([2, 4, 6, 8]);
  });
});

describe('tape', () => {
  it('grows past its first capacity on the scalar fast path', () => {
    const tape = new Tape(8);
    const mul = tape.handle('mul');
    const add = tape.handle('add');
    let x = tape.leaf({ shape: [], data: Float64Array.of(1) }, K.PARAM);
    const c = tape.scalarConst(1.5);
    for (let k = 0; k < 100; k++) x = k % 2 ? tape.applyFast(mul, x, c) : tape.applyFast(add, x, c);
    expect(tape.n).toBe(102);
    expect(tape.isScalar[x]).toBe(1);
    let want = 1;
    for (let k = 0; k < 100; k++) want = k % 2 ? want * 1.5 : want + 1.5;
    expect(tape.value(x).data[0]).toBe(want);
    expect(tape.backward(x).of(0).data[0]).toBeGreaterThan(0);
  });

  it('a long scalar document evaluates every line', () => {
    const lines = ['param p = 1', 'a = p * 1'];
    for (let k = 0; k < 300; k++) lines.push('a = a * 1.01 + 0.1');
    lines.push('grad a');
    const r = analyze(lines.join('\n'));
    expect(r.diagnostics).toEqual([]);
    let want = 1;
    for (let k = 0; k < 300; k++) want = want * 1.01 + 0.1;
    expect(last(r, 'a')).toEqual([want]);
    expect(r.gradients[0].data[0]).toBeCloseTo(1.01 ** 300, 9);
  });
});

describe('lexer numbers', () => {
  it('every literal reads as Number(text)', () => {
    const raws = ['0', '007', '0.1', '0.2', '3.', '.5', '1e-3', '2E+4', '1.5e3', '123456789012345', '1234567890123456', '0.30000000000000004', '123456789012345.6', '9007199254740993', '1.7976931348623157'];
    const src = raws.map((r, k) => `x${k} = ${r}`).join('\n');
    const p = parseProgram(src);
    expect(p.diagnostics).toEqual([]);
    p.program.statements.forEach((s, k) => {
      if (s.kind !== 'Assign' || s.value.kind !== 'Number') throw new Error('expected a number');
      expect(s.value.raw).toBe(raws[k]);
      expect(Object.is(s.value.value, Number(raws[k]))).toBe(true);
    });
  });
});
