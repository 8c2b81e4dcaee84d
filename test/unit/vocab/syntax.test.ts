/**
 * The grammar added for from-scratch code (docs/language.md): comparisons as expressions
 * (below arithmetic, chained as Python), `expect`'s first top-level `==`, `;`, tuple
 * assignment, `print`, and the diagnostics of the new statements and indexing.
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { parseProgram } from '../../../src/core/syntax/parser';
import type { Expr, Statement } from '../../../src/core/syntax/ast';

function show(e: Expr): string {
  switch (e.kind) {
    case 'Number':
      return String(e.value);
    case 'Name':
      return e.name;
    case 'Binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'Unary':
      return `(${e.op}${show(e.operand)})`;
    case 'Compare':
      return `{${e.operands.map((o, k) => (k === 0 ? show(o) : `${e.ops[k - 1]} ${show(o)}`)).join(' ')}}`;
    case 'Paren':
      return show(e.inner);
    case 'List':
      return `(${e.elements.map(show).join(', ')})`;
    case 'Call':
      return `${e.callee}(${e.args.map((a) => show(a.value)).join(', ')})`;
    case 'Index':
      return `${show(e.object)}[…]`;
    default:
      return e.kind;
  }
}

function statements(text: string): Statement[] {
  const r = parseProgram(text);
  expect(r.diagnostics).toEqual([]);
  return [...r.program.statements];
}

describe('comparisons parse as Python', () => {
  it.each([
    ['a + 1 > 2 * b', '{(a + 1) > (2 * b)}'],
    ['a < b < c', '{a < b < c}'],
    ['0 <= x - 1 != y', '{0 <= (x - 1) != y}'],
    ['-x >= 0', '{(-x) >= 0}'],
    ['(x > 0) * x', '({x > 0} * x)'],
    ['x == y', '{x == y}'],
    ['f(x > 0, y)', 'f({x > 0}, y)'],
    ['a > 0 & b', '{a > logical_and(0, b)}'],
    ['(a > 0) & (b < 1) | ~c', 'logical_or(logical_and({a > 0}, {b < 1}), logical_not(c))'],
    ['a | b & c', 'logical_or(a, logical_and(b, c))'],
  ])('%s', (src, tree) => {
    const [s] = statements(`v = ${src}`);
    expect(s.kind === 'Assign' && show(s.value)).toBe(tree);
  });

  it('expect: the first == outside brackets separates the sides; a comparison side is parenthesised', () => {
    const [a, b] = statements('expect x + 1 == 2\nexpect (x > 0) == 1 within 1e-9\n');
    expect(a.kind === 'Expect' && [show(a.left), show(a.right)]).toEqual(['(x + 1)', '2']);
    expect(b.kind === 'Expect' && [show(b.left), show(b.right)]).toEqual(['{x > 0}', '1']);
    const r = parseProgram('expect x > 0 == 1\nexpect a == b == c\n');
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'Expected `==` between the two sides of the expectation, found `>`.',
      'Expected `within` or the end of the line, found `==`.',
    ]);
  });
});

describe('Python statements in .nn', () => {
  it('`;` separates statements on one line', () => {
    const s = statements('a = 1; b = 2\nc = 3;\n;;\n');
    expect(s.map((x) => x.kind === 'Assign' && x.target.kind === 'Name' && x.target.name)).toEqual(['a', 'b', 'c']);
    expect(parseProgram('x = [1; 2]\n').diagnostics.map((d) => d.code)).toEqual(['lex.unexpected-character']);
  });

  it('tuple assignment: names, then one expression or a tuple', () => {
    const [a, b, c, d] = statements('w0, w1 = 0.3, -0.2\na, b = split(x, 2)\nparam u, v = 1, 2\nr, = x\n');
    expect(a.kind === 'Unpack' && [a.targets.map((t) => t.name), show(a.value), a.param]).toEqual([['w0', 'w1'], '(0.3, (-0.2))', false]);
    expect(b.kind === 'Unpack' && show(b.value)).toBe('split(x, 2)');
    expect(c.kind === 'Unpack' && c.param).toBe(true);
    expect(d.kind === 'Unpack' && d.targets.map((t) => t.name)).toEqual(['r']);
  });

  it('a broken tuple assignment counts both names as bound: no cascade', () => {
    const a = analyze('w0, w1 = 0.3 +\nz = w0 * w1\n');
    expect(a.diagnostics.map((d) => [d.code, d.span.start])).toEqual([['parse.expected-token', 14]]);
  });

  it('the right side is evaluated before any name is bound (a swap)', () => {
    const a = analyze('a, b = 1.5, 2.5\na, b = b, a\n');
    expect(a.values.slice(-2).map((v) => [v.name, v.data[0]])).toEqual([
      ['a', 2.5],
      ['b', 1.5],
    ]);
  });

  it.each([
    ['a, b = 1, 2, 3', 'unpack.count', 'Expected 2 values to unpack into `a`, `b`, found 3 elements.'],
    ['a, b = 1.0', 'unpack.scalar', 'Expected a tuple, a list or a tensor to unpack into 2 names, found a scalar.'],
    ['a, b = ones(3, 2)', 'unpack.count', 'Expected 2 values to unpack into `a`, `b`, found 3 rows (shape [3, 2]).'],
    ['a, b, c = split(ones(4), 2)', 'unpack.count', 'Expected 3 values to unpack into `a`, `b`, `c`, found 2 parts.'],
    ['a, a = 1, 2', 'name.duplicate', 'Expected distinct names to bind, found `a` twice.'],
    ['y = split(ones(4), 2)', 'call.unpack', 'Expected `split(…)` bound by unpacking (`a, b = split(…)`), found it inside an expression: it gives several tensors.'],
  ])('%s → %s', (src, code, message) => {
    const a = analyze(`${src}\n`);
    expect(a.diagnostics.map((d) => [d.code, d.message])).toEqual([[code, message]]);
  });
});

describe('indexing and shape diagnostics', () => {
  it.each([
    ['x = [1.0, 2.0, 3.0]\ny = x[[True, False]]', 'shape.index', 'Expected a boolean mask of shape [3] (the axes it indexes), found [2].'],
    ['x = [1.0, 2.0, 3.0]\ny = x[[0, 5]]', 'index.out-of-range', 'Expected indices in [-3, 3) for axis 0 of [3], found 5.'],
    ['x = [1.0, 2.0, 3.0]\ny = x[[0.5]]', 'type.expected-int', 'Expected integer indices, found 0.5.'],
    ['x = ones(2, 3)\ny = x[[0, 1], [0, 1, 2]]', 'shape.index', 'Expected index arrays that broadcast together, found shapes [2] and [3].'],
    ['x = ones(2, 3)\ny = gather(x, 1, [[0, -1]])', 'index.out-of-range', 'Expected indices for axis 1 of [2, 3] in [0, 3), found -1.'],
    ['x = ones(2, 3)\na, b = np.split(x, 2, axis=1)', 'call.bad-argument', 'Expected a number of equal parts that divides 3, found 2 (np.array_split allows unequal ones).'],
    ['x = ones(2, 3)\ny = F.pad(x, (1, 1), mode="reflect")', 'call.unsupported', "Expected mode 'constant', found 'reflect' (other padding modes are not supported)."],
    ['x = ones(2, 3)\ny = np.squeeze(x, 0)', 'shape.squeeze', 'Expected axis 0 of size 1 to squeeze, found size 2 in [2, 3] (numpy refuses it; torch.squeeze would leave it).'],
    ['x = ones(2, 3)\ny = x > ones(3, 2)', 'shape.mismatch', 'Expected shapes that broadcast for `>`, found [2, 3] and [3, 2] (numpy broadcasting needs equal sizes or 1).'],
    ['x = ones(2, 3)\ny = cat(x, 0)', 'type.expected-list', 'Expected a list or tuple of tensors for `tensors` (such as `[a, b]`), found `x`.'],
  ])('%s', (src, code, message) => {
    const a = analyze(`${src}\n`);
    expect(a.diagnostics.map((d) => [d.code, d.message])).toEqual([[code, message]]);
  });

  it('a comparison passes no gradient: its result does not depend on the parameter (requires_grad False)', () => {
    const a = analyze('param x = [1.0, -2.0]\nm = x > 0\nL = sum(m * x)\ngrad L wrt x\n');
    // PyTorch: ((x > 0) * x).sum().backward() gives x.grad = [1, 0].
    expect(a.gradients[0].data).toEqual([1, 0]);
  });
});

describe('masks stay masks through shape changes', () => {
  it('a transposed, reshaped, unsqueezed or indexed mask still selects (numpy keeps the bool dtype)', () => {
    const a = analyze('x = [[1.0, -2.0], [3.0, -4.0]]\nm = (x > 0).T\ny = x.T[m]\nz = x[unsqueeze(x[:, 0] > 0, 0)[0]]\n');
    expect(a.diagnostics).toEqual([]);
    // numpy: x.T[(x > 0).T] = [1., 3.]; x[(x[:, 0] > 0)[None][0]] = the two rows.
    expect(a.values.find((v) => v.name === 'y')?.data).toEqual([1, 3]);
    expect(a.values.find((v) => v.name === 'z')?.shape).toEqual([2, 2]);
  });
  it('arithmetic on a mask gives numbers: indexing with them reads positions', () => {
    const a = analyze('x = [5.0, 6.0, 7.0]\ny = x[(x > 5) * 1]\n');
    // numpy: x[(x > 5) * 1] = x[[0, 1, 1]] = [5., 6., 6.].
    expect(a.values.find((v) => v.name === 'y')?.data).toEqual([5, 6, 6]);
  });
});

describe('`;` keeps statements apart', () => {
  it('a lexer error in the second statement leaves the first one bound', () => {
    const a = analyze('a = 1; b = 2 $\nc = a + 1\n');
    expect(a.diagnostics.map((d) => d.code)).toEqual(['lex.unexpected-character']);
    expect(a.values.map((v) => [v.name, v.data[0]])).toEqual([
      ['a', 1],
      ['c', 2],
    ]);
  });
});

describe('booleans and training steps', () => {
  it('a boolean selection inside a training loss is re-read each step', () => {
    const a = analyze('param W = [0.5, -1.0, 2.0]\ntrain W\n  loss sum(W[W > 0] ** 2)\n  optimizer SGD(lr=0.1)\n  steps 2\n');
    // By hand (PyTorch's SGD): the gradient is 2W at the positive elements, so each step scales them by 0.8.
    expect(a.trainings?.[0].losses.map((l) => +l.toFixed(12))).toEqual([4.25, 2.72]);
    expect(a.values.at(-1)?.data.map((v) => +v.toFixed(12))).toEqual([0.32, -1, 1.28]);
  });
  it('a selection whose count changes between training steps follows it', () => {
    const a = analyze('param W = [0.05, -1.0, 2.0]\ntrain W\n  loss sum(W[W > 0])\n  optimizer SGD(lr=0.1)\n  steps 3\n');
    // By hand (torch.optim.SGD): the gradient is 1 at the positive elements; W[0] = 0.05 turns
    // negative after the first step, so the second and third select one element.
    expect(a.trainings?.[0].losses.map((l) => +l.toFixed(12))).toEqual([2.05, 1.9, 1.8]);
    expect(a.values.at(-1)?.data.map((v) => +v.toFixed(12))).toEqual([-0.05, -1, 1.7]);
  });
  it("a mask made inside a training step does not mark the node that later reuses its place on the tape", () => {
    const text = 'param W = [0.5, -1.0]\ntrain W\n  loss sum(W * (W > 0))\n  optimizer SGD(lr=0.1)\n  steps 2\nX = [10.0, 20.0, 30.0]\ny = X[[1, 0]]\n';
    const a = analyze(text);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // numpy: X[[1, 0]] = [20., 10.] (integer indices, not a mask).
    expect(a.values.find((v) => v.name === 'y')?.data).toEqual([20, 10]);
  });
});
