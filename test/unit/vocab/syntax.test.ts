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
