import { analyze } from '../../../src/core/index';
import { describe, expect, it } from 'vitest';
import { parseProgram } from '../../../src/core/syntax/parser';
import { markdownSegments } from '../../../src/core/syntax/markdown';
import type { Expr, Statement } from '../../../src/core/syntax/ast';

/** A compact, readable form of an expression tree for table-driven tests. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'Number':
      return String(e.value);
    case 'String':
      return JSON.stringify(e.value);
    case 'Bool':
      return String(e.value);
    case 'Name':
      return e.name;
    case 'Path':
      return e.parts.join('.');
    case 'Unary':
      return `(${e.op}${show(e.operand)})`;
    case 'Binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'Compare':
      return `(${e.operands.map((o, k) => (k === 0 ? show(o) : `${e.ops[k - 1]} ${show(o)}`)).join(' ')})`;
    case 'Call':
      return `${e.callee}(${e.args.map((a) => (a.name ? `${a.name.name}=` : '') + show(a.value)).join(', ')})`;
    case 'Method':
      return `${show(e.object)}.${e.method.name}(${e.args.map((a) => (a.name ? `${a.name.name}=` : '') + show(a.value)).join(', ')})`;
    case 'Transpose':
      return `${show(e.object)}.T`;
    case 'Index':
      return `${show(e.object)}[${e.items
        .map((i) => (i.kind === 'Ellipsis' ? '...' : i.kind === 'Slice' ? `${i.start ? show(i.start) : ''}:${i.stop ? show(i.stop) : ''}${i.step ? ':' + show(i.step) : ''}` : show(i)))
        .join(', ')}]`;
    case 'List':
      return `[${e.elements.map(show).join(', ')}]`;
    case 'Paren':
      return show(e.inner);
  }
}

function one(text: string): Statement {
  const r = parseProgram(text);
  expect(r.diagnostics).toEqual([]);
  expect(r.program.statements).toHaveLength(1);
  return r.program.statements[0];
}

function exprOf(text: string): string {
  const s = one(`v = ${text}`);
  if (s.kind !== 'Assign') throw new Error('not an assignment');
  return show(s.value);
}

describe('expressions: precedence and associativity (LANGUAGE.md §4)', () => {
  it.each([
    ['1 + 2 * 3', '(1 + (2 * 3))'],
    ['1 - 2 - 3', '((1 - 2) - 3)'],
    ['2 ^ 3 ^ 2', '(2 ^ (3 ^ 2))'],
    ['2 ** 3', '(2 ^ 3)'],
    ['-2^2', '(-(2 ^ 2))'],
    ['2^-1', '(2 ^ (-1))'],
    ['a @ b * c', '((a @ b) * c)'],
    ['-x.T', '(-x.T)'],
    ['x.sum(dim=1)', 'x.sum(dim=1)'],
    ['h.softmax(dim=-1)', 'h.softmax(dim=(-1))'],
    ['x[:, 0]', 'x[:, 0]'],
    ['x[1:-1:2, ::-1]', 'x[1:(-1):2, ::(-1)]'],
    ['[[1, 2], [3, 4],]', '[[1, 2], [3, 4]]'],
    ['nn.functional.relu(x)', 'relu(x)'],
    ['F.mse_loss(a, b)', 'mse_loss(a, b)'],
    ['torch.maximum(a, b)', 'maximum(a, b)'],
    ['mlp.0.weight', 'mlp.0.weight'],
    ['mlp.A.weight @ x', '(mlp.A.weight @ x)'],
    ['.5 + 1e-3 + 2.5E+4', '((0.5 + 0.001) + 25000)'],
    ["f(x, padding='same', bias=False)", 'f(x, padding="same", bias=false)'],
    ['(1 +\n 2)', '(1 + 2)'],
    ['α * η', '(α * η)'],
  ])('%s', (src, tree) => {
    expect(exprOf(src)).toBe(tree);
  });
});

describe('statements', () => {
  it('param, grad, check and expect', () => {
    const p = parseProgram('param w = 0.3\ngrad z wrt w, b\ncheck z within 1e-4\nexpect grad(z, w) == -0.2 within 1e-9\n');
    expect(p.diagnostics).toEqual([]);
    expect(p.program.statements.map((s) => s.kind)).toEqual(['Assign', 'Grad', 'Check', 'Expect']);
    const g = p.program.statements[1];
    expect(g.kind === 'Grad' && g.wrt?.map((w) => (w.kind === 'Name' ? w.name : '')).join()).toBe('w,b');
  });
  it('a variable may be called input or grad(', () => {
    const p = parseProgram('input = 3\ny = grad(z, w)\n');
    expect(p.diagnostics).toEqual([]);
  });
  it('CRLF line ends', () => {
    const p = parseProgram('a = 1\r\nb = a + 1\r\n');
    expect(p.diagnostics).toEqual([]);
    expect(p.program.statements).toHaveLength(2);
  });
});

describe('diagnostics: exact codes, messages and ranges; one per broken line', () => {
  it.each([
    ['x = 1 +\ny = 2', 'parse.expected-token', 'Expected an expression, found the end of the line.', 7, 7],
    ['x = (1 + 2\ny = 3', 'parse.unclosed-bracket', 'Expected `)` to close the `(` opened here, found the end of the file.', 4, 10],
    ['x + 1', 'stmt.unbound-expression', 'Expected a statement, found an expression: nothing is bound (write `name = …`).', 0, 5],
    ['x = 1 $ 2', 'lex.unexpected-character', 'Expected an expression, found the character `$`.', 6, 7],
    ['x = 3abc', 'lex.bad-number', 'Expected a number, found `3abc`.', 4, 8],
    ['grad', 'parse.expected-token', 'Expected the output to differentiate (a name), found the end of the line.', 4, 4],
    ['x == 2', 'parse.expected-token', 'Expected `=` to bind a name, found `==` (write `expect a == b` to check an answer).', 2, 4],
    ['f(a=1, 2)', 'parse.positional-after-keyword', 'Expected a keyword argument (`name=value`), found a positional argument after a keyword argument.', 7, 8],
  ])('%j', (src, code, message, start, end) => {
    const r = parseProgram(src);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ code, message, severity: 'error', span: { start, end } });
  });

  it('recovers at the next line: the rest of the file still parses', () => {
    const r = parseProgram('a = 1\nb = (a +\nc = a * 2\nd = c + 1\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['parse.unclosed-bracket']);
    // The broken line stays as an Invalid statement naming `b`, so uses of `b` are not reported again.
    expect(r.program.statements.map((s) => (s.kind === 'Assign' && s.target.kind === 'Name' ? s.target.name : s.kind === 'Invalid' ? `invalid ${s.name}` : ''))).toEqual([
      'a',
      'invalid b',
      'c',
      'd',
    ]);
  });

  it('a bracket left open does not cascade: a line using the broken name gets no diagnostic of its own', () => {
    for (const text of ['param w = 1.0\na = w * (2 +\nb = a + 1\nc = w + 1\n', 'a = [1, 2\nb = a + 1\nc = 3\n']) {
      const r = analyze(text, { valuesOnly: true });
      expect(r.diagnostics.map((d) => d.code)).toEqual(['parse.unclosed-bracket']);
      expect(r.values.map((v) => v.name)).not.toContain('b');
      expect(r.values.map((v) => v.name)).toContain('c');
    }
  });

  it('a network with a broken layer line is not run without that layer: uses of it are skipped quietly', () => {
    const text = 'network mlp\n  input [N, 3]\n  Linear(3, 2\n  ReLU()\nx = ones(2, 3)\ny = mlp(x)\nnetwork m2\n  input [N, 3]\n  Linear(3, 2]\nz = m2(x)\nq = 1\n';
    const r = analyze(text, { valuesOnly: true });
    expect(r.diagnostics.map((d) => d.code).sort()).toEqual(['parse.expected-token', 'parse.unclosed-bracket']);
    expect(r.values.map((v) => v.name)).toEqual(['x', 'q']);
  });
});

describe('network blocks (LANGUAGE.md §5 structure)', () => {
  it('collects the indented block; blank and comment lines do not end it', () => {
    const r = parseProgram('network mlp seed 7\n  input [N, 30]\n\n  # hidden\n  A = Linear(30, 64)\n  ReLU\nz = 1\n');
    expect(r.diagnostics).toEqual([]);
    const [n, z] = r.program.statements;
    expect(n.kind).toBe('Network');
    if (n.kind !== 'Network') return;
    expect(n.name.name).toBe('mlp');
    expect(n.input?.dims.map(show)).toEqual(['N', '30']);
    expect(n.layers.map((l) => `${l.label?.name ?? ''}=${l.layer.name}${l.args ? `(${l.args.length})` : ''}`)).toEqual(['A=Linear(2)', '=ReLU']);
    expect(z.kind).toBe('Assign');
  });
  it('mixing tabs and spaces in one block is an error', () => {
    const r = parseProgram('network m\n  input [1, 2]\n\tLinear(2, 3)\n');
    expect(r.diagnostics.map((d) => d.code)).toContain('parse.mixed-indentation');
  });
});

describe('Markdown: ```nn blocks are one program, offsets are the file’s own', () => {
  const md = '# Title\n\n```nn\nx = 1\n```\n\ntext\n\n- item\n  ~~~nn\n  y = x + (1\n  ~~~\n```python\nz = 3\n```\n```nn\nw = x * 2\n```\n';
  it('finds nn fences (also indented in a list) and skips other languages', () => {
    const segs = markdownSegments(md);
    expect(segs.map((s) => md.slice(s.start, s.end))).toEqual(['x = 1\n', '  y = x + (1\n', 'w = x * 2\n']);
    expect(segs[1].baseIndent).toBe(2);
  });
  it('a bracket left open is an error at its block; the next block still parses', () => {
    const r = parseProgram(md, markdownSegments(md), 'block');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0].message).toContain('found the end of the block');
    expect(md.slice(r.diagnostics[0].span.start, r.diagnostics[0].span.start + 1)).toBe('(');
    // The broken statement (kept as Invalid) and the next block's.
    expect(r.program.statements.map((s) => s.kind)).toEqual(['Assign', 'Invalid', 'Assign']);
  });
});
