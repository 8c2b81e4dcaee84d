/**
 * Python source → GradLens's Python AST (ast.ts), through @lezer/python's error-tolerant
 * grammar: a half-typed line becomes one `Unsupported` statement and the rest of the file is
 * read as usual. Never throws on user input; syntax errors are not reported (Pylance does that).
 */
import { parser } from '@lezer/python';
import type { SyntaxNode } from '@lezer/common';
import type { Span } from '../span';
import { decodeString, unescape } from './strings';
import type { CompFor, Directive, FPart, ImportName, PyArg, PyExpr, PyModule, PyParam, PyStmt, SliceItem, SubItem } from './ast';

/** `# expect …`, `# check …`, `# grad …` and the grading marks (`# question T1 points 4`, `# answer dW1 == [..]`; docs/grading.md). */
export const DIRECTIVE = /^#\s*((?:expect|check|grad)\b.*|assignment\s+".*|handout\s+student\s+".*|selfcheck\s+\S+\s+".*|question\s+[\w."]+(?:\s+(?:points|carry)\s+\S+)*\s*|answer\s+(?:\S+\s*|.*(?:==|\().*))$/;

export function parsePython(text: string): PyModule {
  // A half-typed line (`W1 = np.random.randn(3,`) makes the grammar read the lines after it
  // as its continuation: those lines are blanked (offsets kept) and the text parsed again, so
  // only the broken statement is lost. Bounded: each round blanks at least one line.
  let masked = text;
  const broken: PyStmt[] = [];
  let tree = parser.parse(masked);
  for (let round = 0; round < 50; round++) {
    const cut = swallowing(tree.topNode, masked);
    if (!cut) break;
    broken.push({ kind: 'Unsupported', span: { start: cut.from, end: cut.to }, why: 'this line does not parse (yet)', binds: bindsOfLine(text, cut.from, cut.to) });
    masked = masked.slice(0, cut.from) + masked.slice(cut.from, cut.to).replace(/[^\n]/g, ' ') + masked.slice(cut.to);
    tree = parser.parse(masked);
  }
  const c = new Converter(masked);
  const top = tree.topNode;
  const body = mergeByStart(c.block(top), broken);
  const directives: Directive[] = [];
  const cur = tree.cursor();
  do {
    if (cur.type.name !== 'Comment') continue;
    const raw = text.slice(cur.from, cur.to);
    const m = DIRECTIVE.exec(raw);
    if (m) directives.push({ text: m[1], offset: cur.from + raw.indexOf(m[1]), span: { start: cur.from, end: cur.to } });
  } while (cur.next());
  return { body, directives };
}

/**
 * A statement with a syntax error that runs past its first line into a line indented no deeper
 * than itself (a new statement): the region from the statement to that line, to blank.
 */
function swallowing(top: SyntaxNode, text: string): { from: number; to: number } | undefined {
  const cur = top.cursor();
  do {
    if (!cur.type.isError) continue;
    let s: SyntaxNode | null = cur.node;
    while (s && !(STATEMENT_NAMES.has(s.name) && !COMPOUND.has(s.name))) s = s.parent;
    if (!s) continue;
    const lineStart = text.lastIndexOf('\n', s.from - 1) + 1;
    const indent = s.from - lineStart;
    let at = text.indexOf('\n', s.from);
    while (at >= 0 && at < s.to) {
      const next = at + 1;
      const m = /^[ \t]*/.exec(text.slice(next, next + 200))![0].length;
      const ch = text[next + m];
      if (ch !== undefined && ch !== '\n' && ch !== '\r' && ch !== '#' && m <= indent && !')]}'.includes(ch)) return { from: s.from, to: next };
      at = text.indexOf('\n', next);
    }
  } while (cur.next());
  return undefined;
}

/** `a, b = …` / `x = …` at the start of a broken line: the names it meant to bind. */
function bindsOfLine(text: string, from: number, to: number): { name: string; span: Span }[] {
  const line = text.slice(from, to);
  const m = /^\s*([A-Za-z_][\w]*(?:\s*,\s*[A-Za-z_][\w]*)*)\s*(?::[^=]*)?=(?!=)/.exec(line);
  if (!m) return [];
  const out: { name: string; span: Span }[] = [];
  const re = /[A-Za-z_]\w*/g;
  let k: RegExpExecArray | null;
  while ((k = re.exec(m[1]))) out.push({ name: k[0], span: { start: from + m.index + m[0].indexOf(m[1]) + k.index, end: from + m.index + m[0].indexOf(m[1]) + k.index + k[0].length } });
  return out;
}

function mergeByStart(a: PyStmt[], b: PyStmt[]): PyStmt[] {
  if (!b.length) return a;
  return [...a, ...b].sort((x, y) => x.span.start - y.span.start);
}

function span(n: SyntaxNode): Span {
  return { start: n.from, end: n.to };
}

/** The children of a node, comments left out. */
function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let k = n.firstChild; k; k = k.nextSibling) if (k.name !== 'Comment') out.push(k);
  return out;
}

function hasError(n: SyntaxNode): boolean {
  const cur = n.cursor();
  const end = n.to;
  do {
    if (cur.type.isError) return true;
  } while (cur.next() && cur.from < end);
  return false;
}

const COMPOUND = new Set(['IfStatement', 'WhileStatement', 'ForStatement', 'TryStatement', 'WithStatement', 'FunctionDefinition', 'ClassDefinition', 'DecoratedStatement', 'StatementGroup']);

const STATEMENT_NAMES = new Set([
  'AssignStatement', 'UpdateStatement', 'ExpressionStatement', 'DeleteStatement', 'PassStatement', 'BreakStatement', 'ContinueStatement',
  'ReturnStatement', 'YieldStatement', 'PrintStatement', 'RaiseStatement', 'ImportStatement', 'ScopeStatement', 'AssertStatement',
  'TypeDefinition', 'StatementGroup', 'IfStatement', 'WhileStatement', 'ForStatement', 'TryStatement', 'WithStatement',
  'FunctionDefinition', 'ClassDefinition', 'DecoratedStatement', 'MatchStatement',
]);

/** Punctuation and keywords that are children of expressions but not expressions. */
function isExprNode(n: SyntaxNode): boolean {
  const name = n.name;
  if (n.type.isError) return false;
  if (/^[A-Z]/.test(name)) return !['ArithOp', 'BitOp', 'CompareOp', 'AssignOp', 'UpdateOp', 'LogicOp', 'TypeDef', 'PropertyName', 'ArgList', 'ParamList', 'Body', 'FormatSpec', 'FormatConversion', 'FormatSelfDoc', 'At'].includes(name);
  return false;
}

class Converter {
  constructor(private readonly text: string) {}

  private src(n: SyntaxNode | Span): string {
    return 'start' in n ? this.text.slice(n.start, n.end) : this.text.slice(n.from, n.to);
  }

  /** The statements of a Script or Body. */
  block(n: SyntaxNode): PyStmt[] {
    const out: PyStmt[] = [];
    for (const k of kids(n)) {
      if (k.type.isError) {
        if (k.to > k.from) out.push(this.unsupported(k, 'this line does not parse (yet)'));
        continue;
      }
      if (!STATEMENT_NAMES.has(k.name)) continue;
      if (k.name === 'StatementGroup') {
        for (const s of kids(k)) if (STATEMENT_NAMES.has(s.name)) out.push(this.stmtSafe(s));
        continue;
      }
      out.push(this.stmtSafe(k));
    }
    return out;
  }

  private stmtSafe(n: SyntaxNode): PyStmt {
    // A compound statement keeps its (mostly good) body even when one line in it is broken.
    if (!COMPOUND.has(n.name) && hasError(n)) return this.unsupported(n, 'this line does not parse (yet)');
    try {
      return this.stmt(n);
    } catch (e) {
      if (e instanceof RangeError) throw e;
      return this.unsupported(n, (e as Error).message);
    }
  }

  /** An unreadable statement: the names it would bind (`x = …`, `def f`, `class C`) become unknown. */
  private unsupported(n: SyntaxNode, why: string): PyStmt {
    const binds: { name: string; span: Span }[] = [];
    const ks = kids(n);
    if (n.name === 'AssignStatement' || n.name === 'UpdateStatement' || n.type.isError) {
      for (const k of ks) {
        if (k.name === 'AssignOp' || k.name === 'UpdateOp') break;
        if (k.name === 'VariableName') binds.push({ name: this.src(k), span: span(k) });
      }
    } else if (n.name === 'FunctionDefinition' || n.name === 'ClassDefinition') {
      const v = ks.find((k) => k.name === 'VariableName');
      if (v) binds.push({ name: this.src(v), span: span(v) });
    } else if (n.name === 'ForStatement') {
      for (const k of ks) {
        if (k.name === 'in') break;
        if (k.name === 'VariableName') binds.push({ name: this.src(k), span: span(k) });
      }
    } else if (n.name === 'ImportStatement') {
      for (const k of ks) if (k.name === 'VariableName') binds.push({ name: this.src(k), span: span(k) });
    }
    return { kind: 'Unsupported', span: span(n), why, binds };
  }

  private body(n: SyntaxNode | undefined): PyStmt[] {
    return n ? this.block(n) : [];
  }

  private stmt(n: SyntaxNode): PyStmt {
    const sp = span(n);
    const ks = kids(n);
    switch (n.name) {
      case 'ExpressionStatement':
        // A bare tuple `a, b` (a notebook cell's last line displays it) is one expression.
        return { kind: 'Expr', span: sp, value: this.tupleOf(ks) };
      case 'AssignStatement': {
        // TARGET (AssignOp TARGET)* AssignOp VALUE; each side may be a bare tuple `a, b`.
        const groups: SyntaxNode[][] = [[]];
        for (const k of ks) {
          if (k.name === 'AssignOp') groups.push([]);
          else if (k.name !== 'TypeDef') groups[groups.length - 1].push(k);
        }
        if (groups.length === 1) {
          // `x: int` alone: an annotation, binds nothing.
          return { kind: 'Pass', span: sp };
        }
        const sides = groups.map((g) => this.tupleOf(g));
        return { kind: 'Assign', span: sp, targets: sides.slice(0, -1), value: sides[sides.length - 1] };
      }
      case 'UpdateStatement': {
        const i = ks.findIndex((k) => k.name === 'UpdateOp');
        const op = this.src(ks[i]).slice(0, -1);
        return { kind: 'AugAssign', span: sp, target: this.tupleOf(ks.slice(0, i)), op, value: this.tupleOf(ks.slice(i + 1)), opSpan: span(ks[i]) };
      }
      case 'PassStatement':
        return { kind: 'Pass', span: sp };
      case 'BreakStatement':
        return { kind: 'Break', span: sp };
      case 'ContinueStatement':
        return { kind: 'Continue', span: sp };
      case 'ReturnStatement': {
        const rest = ks.slice(1);
        return { kind: 'Return', span: sp, value: rest.length ? this.tupleOf(rest) : null };
      }
      case 'DeleteStatement':
        return { kind: 'Del', span: sp, targets: this.commaList(ks.slice(1)) };
      case 'ScopeStatement':
        return { kind: 'Global', span: sp, names: ks.filter((k) => k.name === 'VariableName').map((k) => this.src(k)), nonlocal: this.src(ks[0]) === 'nonlocal' };
      case 'AssertStatement': {
        const parts = this.splitComma(ks.slice(1));
        return { kind: 'Assert', span: sp, test: this.expr(parts[0][0]), msg: parts[1]?.[0] ? this.expr(parts[1][0]) : null };
      }
      case 'ImportStatement':
        return this.importStmt(n, ks);
      case 'IfStatement':
        return this.ifStmt(ks, 0, n);
      case 'WhileStatement': {
        const bodies = ks.filter((k) => k.name === 'Body');
        return { kind: 'While', span: sp, test: this.expr(ks[1]), body: this.body(bodies[0]), orelse: this.body(bodies[1]) };
      }
      case 'ForStatement': {
        const inAt = ks.findIndex((k) => k.name === 'in');
        const bodyAt = ks.findIndex((k) => k.name === 'Body');
        const bodies = ks.filter((k) => k.name === 'Body');
        return {
          kind: 'For',
          span: sp,
          target: this.tupleOf(ks.slice(1, inAt)),
          iter: this.tupleOf(ks.slice(inAt + 1, bodyAt)),
          body: this.body(bodies[0]),
          orelse: this.body(bodies[1]),
        };
      }
      case 'WithStatement': {
        const items: { expr: PyExpr; as: PyExpr | null }[] = [];
        const bodyAt = ks.findIndex((k) => k.name === 'Body');
        for (const part of this.splitComma(ks.slice(1, bodyAt))) {
          const asAt = part.findIndex((k) => k.name === 'as');
          if (asAt < 0) items.push({ expr: this.expr(part[0]), as: null });
          else items.push({ expr: this.expr(part[0]), as: this.expr(part[asAt + 1]) });
        }
        return { kind: 'With', span: sp, items, body: this.body(ks[bodyAt]) };
      }
      case 'TryStatement': {
        // The body runs as written; handlers are not entered (GradLens raises no exceptions), `finally` runs.
        const bodies = ks.filter((k) => k.name === 'Body');
        const finAt = ks.findIndex((k) => k.name === 'finally');
        return { kind: 'Try', span: sp, body: this.body(bodies[0]), final: finAt >= 0 ? this.body(ks[finAt + 1]) : [] };
      }
      case 'FunctionDefinition':
        return this.def(n, ks, []);
      case 'DecoratedStatement': {
        const decos = ks.filter((k) => k.name === 'Decorator').map((d) => this.decorator(d));
        const inner = ks[ks.length - 1];
        if (inner.name === 'FunctionDefinition') return this.def(n, kids(inner), decos);
        if (inner.name === 'ClassDefinition') return this.classDef(n, kids(inner));
        return this.unsupported(n, 'a decorated statement GradLens does not follow');
      }
      case 'ClassDefinition':
        return this.classDef(n, ks);
      case 'RaiseStatement':
        return this.unsupported(n, '`raise` is not followed (the code after it runs as if nothing was raised)');
      default:
        return this.unsupported(n, `\`${this.src(ks[0] ?? n).split(/\s/)[0]}\` statements are outside the subset GradLens follows`);
    }
  }

  private decorator(d: SyntaxNode): PyExpr {
    const ks = kids(d).filter((k) => k.name !== 'At');
    // `@a.b(…)`: names, dots and an ArgList as siblings.
    const names = ks.filter((k) => k.name === 'VariableName');
    const sp = span(d);
    let e: PyExpr = names.length ? { kind: 'Name', span: span(names[0]), id: this.src(names[0]) } : { kind: 'Unsupported', span: sp, why: 'decorator' };
    for (const nm of names.slice(1)) e = { kind: 'Attr', span: { start: sp.start + 1, end: nm.to }, obj: e, attr: this.src(nm), attrSpan: span(nm) };
    return e;
  }

  private importStmt(n: SyntaxNode, ks: SyntaxNode[]): PyStmt {
    const sp = span(n);
    if (ks[0].name === 'from') {
      const impAt = ks.findIndex((k) => k.name === 'import');
      const module = ks.slice(1, impAt).map((k) => this.src(k)).join('');
      const names: ImportName[] = [];
      for (const part of this.splitComma(ks.slice(impAt + 1).filter((k) => k.name !== '(' && k.name !== ')'))) {
        if (!part.length) continue;
        const asAt = part.findIndex((k) => k.name === 'as');
        const first = part[0];
        names.push({ name: this.src(first), as: asAt >= 0 && part[asAt + 1] ? this.src(part[asAt + 1]) : null, span: { start: first.from, end: part[part.length - 1].to } });
      }
      return { kind: 'ImportFrom', span: sp, module, names };
    }
    const names: ImportName[] = [];
    for (const part of this.splitComma(ks.slice(1))) {
      if (!part.length) continue;
      const asAt = part.findIndex((k) => k.name === 'as');
      const dotted = (asAt >= 0 ? part.slice(0, asAt) : part).map((k) => this.src(k)).join('');
      names.push({ name: dotted, as: asAt >= 0 && part[asAt + 1] ? this.src(part[asAt + 1]) : null, span: { start: part[0].from, end: part[part.length - 1].to } });
    }
    return { kind: 'Import', span: sp, names };
  }

  private ifStmt(ks: SyntaxNode[], from: number, n: SyntaxNode): PyStmt {
    // if TEST Body (elif TEST Body)* (else Body)?
    const test = this.expr(ks[from + 1]);
    const body = this.body(ks[from + 2]);
    const next = ks[from + 3];
    let orelse: PyStmt[] = [];
    if (next?.name === 'elif') orelse = [this.ifStmt(ks, from + 3, n)];
    else if (next?.name === 'else') orelse = this.body(ks[from + 4]);
    return { kind: 'If', span: { start: ks[from].from, end: n.to }, test, body, orelse };
  }

  private def(n: SyntaxNode, ks: SyntaxNode[], decorators: PyExpr[]): PyStmt {
    const nameNode = ks.find((k) => k.name === 'VariableName')!;
    const pl = ks.find((k) => k.name === 'ParamList');
    const body = ks.find((k) => k.name === 'Body');
    return { kind: 'Def', span: span(n), name: this.src(nameNode), nameSpan: span(nameNode), params: pl ? this.params(kids(pl)) : [], body: this.body(body), decorators };
  }

  private classDef(n: SyntaxNode, ks: SyntaxNode[]): PyStmt {
    const nameNode = ks.find((k) => k.name === 'VariableName')!;
    const al = ks.find((k) => k.name === 'ArgList');
    const bases = al ? this.args(al).filter((a) => !a.name && !a.star).map((a) => a.value) : [];
    return { kind: 'Class', span: span(n), name: this.src(nameNode), nameSpan: span(nameNode), bases, body: this.body(ks.find((k) => k.name === 'Body')) };
  }

  private params(ks: SyntaxNode[]): PyParam[] {
    const out: PyParam[] = [];
    let kwonly = false;
    for (const part of this.splitComma(ks.filter((k) => k.name !== '(' && k.name !== ')'))) {
      if (!part.length) continue;
      const first = part[0];
      const t = this.src(first);
      if (t === '/') continue;
      if (t === '*' || t === '**') {
        const v = part[1];
        if (!v) {
          kwonly = true;
          continue;
        }
        out.push({ span: { start: first.from, end: v.to }, name: this.src(v), kind: t === '*' ? 'varargs' : 'varkw', default: null });
        if (t === '*') kwonly = true;
        continue;
      }
      const eq = part.findIndex((k) => k.name === 'AssignOp');
      out.push({ span: { start: first.from, end: part[part.length - 1].to }, name: t, kind: kwonly ? 'kwonly' : 'normal', default: eq >= 0 && part[eq + 1] ? this.expr(part[eq + 1]) : null });
    }
    return out;
  }

  /** Splits a child list at top-level commas. */
  private splitComma(ks: SyntaxNode[]): SyntaxNode[][] {
    const out: SyntaxNode[][] = [[]];
    for (const k of ks) {
      if (k.name === ',') out.push([]);
      else out[out.length - 1].push(k);
    }
    if (out.length > 1 && out[out.length - 1].length === 0) out.pop();
    return out;
  }

  private commaList(ks: SyntaxNode[]): PyExpr[] {
    return this.splitComma(ks).filter((p) => p.length).map((p) => this.starredOrExpr(p));
  }

  private starredOrExpr(p: SyntaxNode[]): PyExpr {
    if (p[0].name === '*' && p[1]) return { kind: 'Starred', span: { start: p[0].from, end: p[1].to }, value: this.expr(p[1]) };
    return this.expr(p[p.length - 1]);
  }

  /** `a, b` written without parentheses (a target list or a value): a tuple; one expression: itself. */
  private tupleOf(ks: SyntaxNode[]): PyExpr {
    const hasComma = ks.some((k) => k.name === ',');
    if (!hasComma && ks.length === 1) return this.expr(ks[0]);
    if (!hasComma && ks.length === 2 && ks[0].name === '*') return this.starredOrExpr(ks);
    if (ks.length === 0) return { kind: 'Const', span: { start: 0, end: 0 }, value: null };
    return { kind: 'Seq', type: 'tuple', span: { start: ks[0].from, end: ks[ks.length - 1].to }, elts: this.commaList(ks) };
  }

  private args(al: SyntaxNode): PyArg[] {
    const ks = kids(al).filter((k) => k.name !== '(' && k.name !== ')');
    // A generator argument `sum(x for x in xs)`: the ArgList holds the comprehension's parts.
    if (ks.some((k) => k.name === 'for')) {
      const value = this.comprehension(al, ks, 'gen');
      return [{ span: value.span, name: null, nameSpan: null, star: '', value }];
    }
    const out: PyArg[] = [];
    for (const part of this.splitComma(ks)) {
      if (!part.length) continue;
      const first = part[0];
      const sp = { start: first.from, end: part[part.length - 1].to };
      if ((first.name === '*' || first.name === '**') && part[1]) {
        out.push({ span: sp, name: null, nameSpan: null, star: first.name, value: this.expr(part[1]) });
      } else if (part.length >= 3 && part[1].name === 'AssignOp') {
        out.push({ span: sp, name: this.src(first), nameSpan: span(first), star: '', value: this.expr(part[2]) });
      } else out.push({ span: sp, name: null, nameSpan: null, star: '', value: this.expr(part[part.length - 1]) });
    }
    return out;
  }

  expr(n: SyntaxNode | undefined): PyExpr {
    if (!n) return { kind: 'Unsupported', span: { start: 0, end: 0 }, why: 'a missing expression' };
    const sp = span(n);
    const ks = kids(n);
    switch (n.name) {
      case 'Number':
        return this.number(n);
      case 'String':
        return { kind: 'Str', span: sp, value: decodeString(this.src(n)) };
      case 'ContinuedString': {
        const parts = ks.map((k) => this.expr(k));
        if (parts.every((p) => p.kind === 'Str')) return { kind: 'Str', span: sp, value: parts.map((p) => (p as { value: string }).value).join('') };
        const fparts: FPart[] = [];
        for (const p of parts) {
          if (p.kind === 'Str') fparts.push(p.value);
          else if (p.kind === 'FStr') fparts.push(...p.parts);
        }
        return { kind: 'FStr', span: sp, parts: fparts };
      }
      case 'FormatString':
        return this.fstring(n, ks);
      case 'Boolean':
        return { kind: 'Const', span: sp, value: this.src(n) === 'True' };
      case 'None':
        return { kind: 'Const', span: sp, value: null };
      case 'Ellipsis':
        return { kind: 'Const', span: sp, value: 'ellipsis' };
      case 'VariableName':
        return { kind: 'Name', span: sp, id: this.src(n) };
      case 'ParenthesizedExpression':
        return { kind: 'Paren', span: sp, inner: this.expr(ks[1]) };
      case 'TupleExpression':
        return { kind: 'Seq', type: 'tuple', span: sp, elts: this.commaList(ks.slice(1, -1)) };
      case 'ArrayExpression':
        return { kind: 'Seq', type: 'list', span: sp, elts: this.commaList(ks.slice(1, -1)) };
      case 'SetExpression':
        return { kind: 'Seq', type: 'set', span: sp, elts: this.commaList(ks.slice(1, -1)) };
      case 'DictionaryExpression': {
        const entries: { key: PyExpr | null; value: PyExpr }[] = [];
        for (const part of this.splitComma(ks.slice(1, -1))) {
          if (!part.length) continue;
          if (part[0].name === '**') entries.push({ key: null, value: this.expr(part[1]) });
          else entries.push({ key: this.expr(part[0]), value: this.expr(part[2]) });
        }
        return { kind: 'Dict', span: sp, entries };
      }
      case 'ArrayComprehensionExpression':
        return this.comprehension(n, ks.slice(1, -1), 'list');
      case 'ComprehensionExpression':
        return this.comprehension(n, ks.slice(1, -1), 'gen');
      case 'SetComprehensionExpression':
        return this.comprehension(n, ks.slice(1, -1), 'set');
      case 'DictionaryComprehensionExpression':
        return this.comprehension(n, ks.slice(1, -1), 'dict');
      case 'MemberExpression': {
        const obj = this.expr(ks[0]);
        if (ks[1]?.name === '.') {
          const p = ks[2];
          return { kind: 'Attr', span: sp, obj, attr: p ? this.src(p) : '', attrSpan: p ? span(p) : { start: n.to, end: n.to } };
        }
        return this.subscript(sp, obj, ks.slice(2, -1));
      }
      case 'CallExpression': {
        const al = ks.find((k) => k.name === 'ArgList');
        return { kind: 'Call', span: sp, fn: this.expr(ks[0]), args: al ? this.args(al) : [] };
      }
      case 'UnaryExpression': {
        const op = this.src(ks[0]);
        return { kind: 'Unary', span: sp, op: op as '-' | '+' | '~' | 'not', operand: this.expr(ks[1]), opSpan: span(ks[0]) };
      }
      case 'BinaryExpression':
        return this.binary(n, ks);
      case 'ConditionalExpression':
        return { kind: 'IfExp', span: sp, body: this.expr(ks[0]), test: this.expr(ks[2]), orelse: this.expr(ks[4]) };
      case 'LambdaExpression': {
        const pl = ks.find((k) => k.name === 'ParamList');
        return { kind: 'Lambda', span: sp, params: pl ? this.params(kids(pl)) : [], body: this.expr(ks[ks.length - 1]) };
      }
      case 'NamedExpression':
        return { kind: 'Unsupported', span: sp, why: 'the walrus operator `:=`' };
      default:
        return { kind: 'Unsupported', span: sp, why: n.type.isError ? 'an expression that does not parse (yet)' : `\`${this.src(n).slice(0, 20)}\` (${n.name})` };
    }
  }

  private number(n: SyntaxNode): PyExpr {
    const raw = this.src(n);
    const clean = raw.replace(/_/g, '');
    const sp = span(n);
    if (/[jJ]$/.test(clean)) return { kind: 'Unsupported', span: sp, why: 'complex numbers' };
    let value: number;
    let isInt = true;
    if (/^0[xX]/.test(clean)) value = parseInt(clean.slice(2), 16);
    else if (/^0[oO]/.test(clean)) value = parseInt(clean.slice(2), 8);
    else if (/^0[bB]/.test(clean)) value = parseInt(clean.slice(2), 2);
    else {
      isInt = !/[.eE]/.test(clean);
      value = Number(clean);
    }
    return { kind: 'Num', span: sp, value, isInt, raw };
  }

  private binary(n: SyntaxNode, ks: SyntaxNode[]): PyExpr {
    const sp = span(n);
    const left = ks[0];
    const opNodes = ks.slice(1, -1);
    const right = ks[ks.length - 1];
    const opText = opNodes.map((o) => this.src(o)).join(' ');
    const opSpan = { start: opNodes[0].from, end: opNodes[opNodes.length - 1].to };
    if (opText === 'and' || opText === 'or') return { kind: 'BoolOp', span: sp, op: opText, left: this.expr(left), right: this.expr(right) };
    const isCompare = opNodes[0].name === 'CompareOp' || ['in', 'not in', 'is', 'is not'].includes(opText);
    if (isCompare) {
      // `a < b <= c` arrives as ((a < b) <= c): flatten an unparenthesised comparison on the left.
      const l = this.expr(left);
      const r = this.expr(right);
      if (l.kind === 'Compare') return { kind: 'Compare', span: sp, ops: [...l.ops, opText], operands: [...l.operands, r], opSpans: [...l.opSpans, opSpan] };
      return { kind: 'Compare', span: sp, ops: [opText], operands: [l, r], opSpans: [opSpan] };
    }
    return { kind: 'Bin', span: sp, op: opText, left: this.expr(left), right: this.expr(right), opSpan };
  }

  private subscript(sp: Span, obj: PyExpr, ks: SyntaxNode[]): PyExpr {
    const parts = this.splitComma(ks);
    const tuple = parts.length > 1 || ks.some((k) => k.name === ',');
    const items: SubItem[] = [];
    for (const part of parts) {
      if (!part.length) continue;
      if (!part.some((k) => k.name === ':')) {
        items.push(this.starredOrExpr(part));
        continue;
      }
      const slots: (PyExpr | null)[] = [null, null, null];
      let slot = 0;
      for (const k of part) {
        if (k.name === ':') slot++;
        else if (slot < 3) slots[slot] = this.expr(k);
      }
      const s: SliceItem = { kind: 'Slice', span: { start: part[0].from, end: part[part.length - 1].to }, lower: slots[0], upper: slots[1], step: slots[2] };
      items.push(s);
    }
    return { kind: 'Sub', span: sp, obj, items, tuple };
  }

  private comprehension(n: SyntaxNode, ks: SyntaxNode[], type: 'list' | 'gen' | 'set' | 'dict'): PyExpr {
    const sp = span(n);
    const forAt = ks.findIndex((k) => k.name === 'for');
    let elt: PyExpr;
    let key: PyExpr | null = null;
    if (type === 'dict') {
      key = this.expr(ks[0]);
      elt = this.expr(ks[2]);
    } else elt = this.expr(ks[0]);
    const gens: CompFor[] = [];
    let i = forAt;
    while (i < ks.length && ks[i].name === 'for') {
      const inAt = ks.findIndex((k, j) => j > i && k.name === 'in');
      let end = inAt + 1;
      while (end < ks.length && ks[end].name !== 'for' && ks[end].name !== 'if') end++;
      const target = this.tupleOf(ks.slice(i + 1, inAt));
      const iter = this.tupleOf(ks.slice(inAt + 1, end));
      const ifs: PyExpr[] = [];
      i = end;
      while (i < ks.length && ks[i].name === 'if') {
        ifs.push(this.expr(ks[i + 1]));
        i += 2;
      }
      gens.push({ target, iter, ifs });
    }
    return { kind: 'Comp', span: sp, type, elt, key, gens };
  }

  private fstring(n: SyntaxNode, ks: SyntaxNode[]): PyExpr {
    const sp = span(n);
    const raw = this.src(n);
    const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(raw)!;
    const prefixLen = m[1].length + m[2].length;
    const rawPrefix = /r/i.test(m[1]);
    const bodyStart = n.from + prefixLen;
    const bodyEnd = n.to - (raw.endsWith(m[2]) && raw.length >= prefixLen + m[2].length ? m[2].length : 0);
    const parts: FPart[] = [];
    let at = bodyStart;
    const lit = (from: number, to: number): void => {
      if (to <= from) return;
      const s = this.text.slice(from, to).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      parts.push(rawPrefix ? s : unescape(s));
    };
    for (const r of ks.filter((k) => k.name === 'FormatReplacement')) {
      lit(at, r.from);
      const rk = kids(r);
      const e = rk.find((k) => isExprNode(k));
      const conv = rk.find((k) => k.name === 'FormatConversion');
      const spec = rk.find((k) => k.name === 'FormatSpec');
      const selfDoc = rk.find((k) => k.name === 'FormatSelfDoc');
      parts.push({
        expr: this.expr(e),
        conv: conv ? this.src(conv).replace('!', '') : null,
        spec: spec ? this.src(spec).replace(/^:/, '') : '',
        selfDoc: selfDoc && e ? this.text.slice(r.from + 1, selfDoc.to) : null,
      });
      at = r.to;
    }
    lit(at, bodyEnd);
    return { kind: 'FStr', span: sp, parts };
  }
}

