import { error, warning, type Diagnostic } from '../diagnostics';
import type { Span } from '../span';
import type {
  AnswerStmt,
  Arg,
  Assign,
  AssignmentMark,
  CheckStmt,
  CompareOp,
  ExpectStmt,
  Expr,
  GradStmt,
  Ident,
  IndexItem,
  InputDecl,
  LayerLine,
  NameRef,
  NetworkDecl,
  PathRef,
  PrintStmt,
  Program,
  Statement,
  TrainClause,
  TrainClauseKeyword,
  TrainStmt,
  UnpackAssign,
  WrtTarget,
} from './ast';
import { nearest } from '../diagnostics';
import { lexSegments, opCode, type LogicalLine, type Segment, type Token } from './lexer';

export interface ParseResult {
  readonly program: Program;
  readonly diagnostics: Diagnostic[];
}

/** Operator codes (`opCode` of the operator's text). */
const enum O {
  LPAREN = 40, // (
  RPAREN = 41, // )
  STAR = 42, // *
  PLUS = 43, // +
  COMMA = 44, // ,
  MINUS = 45, // -
  DOT = 46, // .
  SLASH = 47, // /
  COLON = 58, // :
  EQ = 61, // =
  AT = 64, // @
  LBRACK = 91, // [
  RBRACK = 93, // ]
  CARET = 94, // ^
  POW = 10794, // **
  EQEQ = 15677, // ==
  LT = 60, // <
  GT = 62, // >
  LE = 15421, // <=
  GE = 15933, // >=
  NE = 8509, // !=
  QUESTION = 63, // ?
  AMP = 38, // &
  BAR = 124, // |
  TILDE = 126, // ~
}

/** The comparison operators by code. */
const COMPARE_OPS = new Map<number, CompareOp>([
  [O.EQEQ, '=='],
  [O.NE, '!='],
  [O.LT, '<'],
  [O.LE, '<='],
  [O.GT, '>'],
  [O.GE, '>='],
]);

/** Prefixes accepted and ignored before a built-in or layer name. */
const CALL_PREFIXES = new Set(['nn', 'F', 'torch', 'np', 'functional', 'numpy', 'optim']);

/**
 * `random` and `special` are prefixes too, but only after another (`np.random.randn`,
 * `torch.special.expit`): alone they may be a user's name.
 */
function isPrefixAt(parts: readonly string[], k: number): boolean {
  return CALL_PREFIXES.has(parts[k]) || (k > 0 && (parts[k] === 'random' || parts[k] === 'special') && CALL_PREFIXES.has(parts[k - 1]));
}

/** Sub-modules whose name stays part of the function's (`np.linalg.norm` is the built-in `linalg.norm`). */
const SUBMODULES = new Set(['linalg']);

/** Parses a `.nn` text (one segment) or the given segments (Markdown blocks). Never throws. */
export function parseProgram(text: string, segments?: readonly Segment[], where: 'file' | 'block' = 'file'): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const segs = segments ?? [{ start: 0, end: text.length, baseIndent: 0 }];
  const lines = lexSegments(text, segs, diagnostics, where);
  // Lines where the lexer already reported a problem are not parsed again: one typo, one diagnostic.
  const lexErrors = diagnostics.map((d) => d.span.start);
  // Up to the end of the line's last physical line: a stray character after the last token counts.
  const physicalEnd = (o: number): number => {
    while (o < text.length && text[o] !== '\n' && text[o] !== '\r') o++;
    return o;
  };
  // A statement followed by another on the same physical line (after `;`) ends where that one starts.
  const nextStart = new Map<LogicalLine, number>();
  for (let k = 0; k + 1 < lines.length; k++) nextStart.set(lines[k], lines[k + 1].span.start);
  const hasLexError = (l: LogicalLine): boolean => {
    const last = Math.min(physicalEnd(l.span.end), (nextStart.get(l) ?? Infinity) - 1);
    return lexErrors.some((o) => o >= l.span.start && o <= last);
  };
  const statements: Statement[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const first = line.tokens[0];
    if (line.indent > 0 && !(first.type === 'ident' && first.text === 'network')) {
      // An indented line outside a network block: accept it as a statement, but say so.
      diagnostics.push(
        warning('parse.unexpected-indent', 'Expected a statement at the start of the line, found indentation outside a `network` block (the line is read as if it were not indented).', line.indentSpan),
      );
    }
    if (first.type === 'ident' && first.text === 'network' && line.tokens[1]?.type === 'ident') {
      // Collect the block: following lines indented more than the header, in the same segment.
      let j = i + 1;
      while (j < lines.length && lines[j].segment === line.segment && lines[j].indent > line.indent) j++;
      const decl = parseNetwork(line, lines.slice(i + 1, j), diagnostics, hasLexError);
      if (decl) statements.push(decl);
      i = j;
      continue;
    }
    if (first.type === 'ident' && first.text === 'train' && line.tokens[1]?.type === 'ident' && !hasLexError(line)) {
      // `train TARGETS [on DATA] [clauses]`, with more clauses on the lines indented under it.
      let j = i + 1;
      while (j < lines.length && lines[j].segment === line.segment && lines[j].indent > line.indent) j++;
      statements.push(parseTrain(line, lines.slice(i + 1, j), diagnostics, hasLexError));
      i = j;
      continue;
    }
    if (hasLexError(line)) {
      statements.push(invalid(line));
      i++;
      continue;
    }
    const p = new LineParser(line, diagnostics);
    const stmt = p.statement();
    statements.push(stmt ?? invalid(line));
    i++;
  }
  return { program: { kind: 'Program', statements, span: { start: 0, end: text.length } }, diagnostics };
}

/**
 * The names a broken line meant to bind: `x = …`, `param x = …`, or every name of a tuple
 * target (`w0, w1 = …`, `(w0, w1) = …`), so that later lines using them are not told they are
 * undefined (one broken line, one diagnostic).
 */
function invalid(line: LogicalLine): Statement {
  const t = line.tokens;
  const k = t[0]?.type === 'ident' && t[0].text === 'param' && t[1]?.type === 'ident' ? 1 : 0;
  if (t[0]?.type === 'ident' && t[0].text === 'network' && t[1]?.type === 'ident') return { kind: 'Invalid', name: t[1].text, span: line.span };
  const isOp = (j: number, text: string): boolean => t[j]?.type === 'op' && t[j].text === text;
  const names: string[] = [];
  let j = k;
  const open = isOp(j, '(') || isOp(j, '[');
  if (open) j++;
  for (;;) {
    if (t[j]?.type !== 'ident') {
      names.length = 0;
      break;
    }
    names.push(t[j].text);
    j++;
    if (isOp(j, ',')) {
      j++;
      // `a, b, = …` (a trailing comma) still names a and b.
      if (isOp(j, '=') || isOp(j, ')') || isOp(j, ']')) break;
      continue;
    }
    break;
  }
  if (open && names.length > 0) {
    if (isOp(j, ')') || isOp(j, ']')) j++;
    else names.length = 0;
  }
  if (names.length === 0 || !(isOp(j, '=') || (names.length === 1 && !open && isOp(j, '==')))) return { kind: 'Invalid', name: null, span: line.span };
  return names.length === 1 ? { kind: 'Invalid', name: names[0], span: line.span } : { kind: 'Invalid', name: names[0], names, span: line.span };
}

class ParseError {
  constructor(readonly diagnostic: Diagnostic) {}
}

function describe(tok: Token | undefined): string {
  if (!tok || tok.type === 'eof') return 'the end of the line';
  if (tok.type === 'num') return `the number \`${tok.text}\``;
  if (tok.type === 'str') return 'a string';
  if (tok.type === 'ident') return `\`${tok.text}\``;
  return `\`${tok.text}\``;
}

class LineParser {
  private pos = 0;
  private readonly toks: Token[];
  private readonly eof: Token;
  constructor(
    private readonly line: LogicalLine,
    private readonly diagnostics: Diagnostic[],
  ) {
    this.toks = line.tokens;
    const last = this.toks[this.toks.length - 1];
    const at = last ? last.end : line.span.end;
    // The same fields as the lexer's tokens (one object shape).
    this.eof = { type: 'eof', text: '', start: at, end: at, value: undefined, op: 0 };
  }

  private peek(k = 0): Token {
    return this.toks[this.pos + k] ?? this.eof;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length) this.pos++;
    return t;
  }
  private isOp(text: string, k = 0): boolean {
    return this.is(opCode(text), k);
  }
  /** Is token k ahead the operator with this code? Past the last token is the end of the line. */
  private is(op: O, k = 0): boolean {
    const t = this.toks[this.pos + k];
    return t !== undefined && t.op === op;
  }
  private isIdent(text?: string, k = 0): boolean {
    const t = this.toks[this.pos + k];
    return t !== undefined && t.type === 'ident' && (text === undefined || t.text === text);
  }
  private fail(expected: string, tok: Token = this.peek(), code = 'parse.expected-token'): never {
    const spanOf = tok.type === 'eof' ? { start: tok.start, end: tok.end } : { start: tok.start, end: tok.end };
    throw new ParseError(error(code, `Expected ${expected}, found ${describe(tok)}.`, spanOf));
  }
  private expectOp(text: string, what = `\`${text}\``): Token {
    if (!this.isOp(text)) this.fail(what);
    return this.next();
  }
  private expectEnd(what = 'the end of the line'): void {
    if (this.peek().type !== 'eof') this.fail(what);
  }

  /** Parses the line as one statement; on error reports one diagnostic and returns undefined. */
  statement(): Statement | undefined {
    try {
      return this.parseStatement();
    } catch (e) {
      if (e instanceof ParseError) {
        this.diagnostics.push(e.diagnostic);
        return undefined;
      }
      if (e instanceof RangeError) {
        // Nesting so deep the stack ran out: say so instead of crashing.
        this.diagnostics.push(error('parse.too-deep', 'Expected an expression nested less deeply, found nesting deeper than the parser allows.', this.line.span));
        return undefined;
      }
      throw e;
    }
  }

  private parseStatement(): Statement {
    const t = this.peek();
    const start = t.start;
    if (t.type === 'ident') {
      if (t.text === 'param' && this.peek(1).type === 'ident' && this.is(O.COMMA, 2)) {
        this.next();
        return this.parseUnpack(start, true);
      }
      if (t.text === 'param' && (this.peek(1).type === 'ident')) {
        this.next();
        const target = this.parseTarget();
        this.expectOp('=', '`=` after the parameter name');
        const value = this.parseExpr();
        this.expectEnd();
        return { kind: 'Assign', param: true, target, value, span: this.spanFrom(start) } satisfies Assign;
      }
      if (t.text === 'grad' && this.is(O.LPAREN, 1)) {
        const g = this.gradCallStatement();
        if (g) return g;
      }
      if (t.text === 'grad' && !this.is(O.LPAREN, 1)) {
        this.next();
        const of = this.parseOutName('the output to differentiate (a name)');
        const wrt = this.parseWrt();
        this.expectEnd('`wrt` or the end of the line');
        return { kind: 'Grad', of, wrt, span: this.spanFrom(start) } satisfies GradStmt;
      }
      if (t.text === 'check' && !this.is(O.LPAREN, 1) && !this.is(O.EQ, 1)) {
        this.next();
        const of = this.parseOutName('the output to check (a name)');
        const wrt = this.parseWrt();
        let within: Expr | null = null;
        if (this.isIdent('within')) {
          this.next();
          within = this.parseExpr();
        }
        this.expectEnd('`wrt`, `within` or the end of the line');
        return { kind: 'Check', of, wrt, within, span: this.spanFrom(start) } satisfies CheckStmt;
      }
      if (t.text === 'expect' && !this.is(O.EQ, 1)) {
        this.next();
        // The sides are read without a comparison at their top level: the first `==` outside
        // brackets separates them (a comparison as a side is written in parentheses).
        const left = this.parseBitOr();
        if (this.is(O.EQ)) {
          // `expect a = b`: the comparison was meant.
          const tok = this.peek();
          const sp = { start: tok.start, end: tok.end };
          throw new ParseError(
            error('parse.expect-assign', 'Expected `==` between the two sides of the expectation, found `=` (which binds a name).', sp, [{ title: 'Change `=` to `==`', span: sp, text: '==' }]),
          );
        }
        if (!this.is(O.EQEQ)) this.fail('`==` between the two sides of the expectation');
        const opTok = this.next();
        const right = this.parseBitOr();
        let within: Expr | null = null;
        if (this.isIdent('within')) {
          this.next();
          within = this.parseExpr();
        }
        this.expectEnd('`within` or the end of the line');
        return {
          kind: 'Expect',
          left,
          right,
          within,
          opSpan: { start: opTok.start, end: opTok.end },
          span: this.spanFrom(start),
        } satisfies ExpectStmt;
      }
      const mark = this.assignmentMark();
      if (mark) return mark;
      if (t.text === 'print' && this.is(O.LPAREN, 1)) {
        this.next();
        const args = this.parseArgs();
        this.expectEnd('the end of the line after `print(…)`');
        return { kind: 'Print', args, span: this.spanFrom(start) } satisfies PrintStmt;
      }
      if (this.is(O.COMMA, 1)) return this.parseUnpack(start, false);
      if (t.text === 'network' && this.peek(1).type !== 'ident' && !this.is(O.EQ, 1)) {
        this.next();
        this.fail('a network name after `network`');
      }
    }
    const leibniz = this.leibnizStatement();
    if (leibniz) return leibniz;
    // NAME = EXPR, or a bare expression (an error).
    const save = this.pos;
    if (t.type === 'ident') {
      const target = this.parseTarget();
      if (this.is(O.EQ)) {
        this.next();
        if (this.peek().type === 'eof') this.fail('an expression after `=`');
        const value = this.parseExpr();
        this.expectEnd('an operator or the end of the line');
        return { kind: 'Assign', param: false, target, value, span: this.spanFrom(start) } satisfies Assign;
      }
      if (this.is(O.EQEQ)) {
        const tok = this.peek();
        throw new ParseError(
          error('parse.expected-token', 'Expected `=` to bind a name, found `==` (write `expect a == b` to check an answer).', {
            start: tok.start,
            end: tok.end,
          }),
        );
      }
      this.pos = save;
    }
    const expr = this.parseExpr();
    this.expectEnd('an operator or the end of the line');
    throw new ParseError(
      error('stmt.unbound-expression', 'Expected a statement, found an expression: nothing is bound (write `name = …`).', expr.span),
    );
  }

  /**
   * The grading marks (docs/grading.md): `assignment "NAME" [seed N]`, `question ID [points N]
   * [carry F]`, `answer EXPR [== VALUE | == ?] [tolerance rel X | tolerance abs X | sigfig N |
   * decdig N]`, `handout student "ID" [released]`, `selfcheck ID "SALT" "STEP:HASH" …`. Each
   * keyword is one only where no other statement could start (`answer = 3` still binds a name).
   */
  private assignmentMark(): AssignmentMark | undefined {
    const t = this.peek();
    const nxt = this.peek(1);
    const start = t.start;
    if (t.text === 'assignment' && nxt.type === 'str') {
      this.next();
      const name = this.next().text;
      let seed: Expr | null = null;
      if (this.isIdent('seed')) {
        this.next();
        seed = this.parseExpr();
      }
      this.expectEnd('`seed N` or the end of the line');
      return { kind: 'Assignment', name, seed, span: this.spanFrom(start) };
    }
    if (t.text === 'question' && (nxt.type === 'ident' || nxt.type === 'num' || nxt.type === 'str')) {
      this.next();
      const { id, idSpan } = this.markId('a question id such as `T1`');
      let points: Expr | null = null;
      let carry: Expr | null = null;
      while (this.isIdent('points') || this.isIdent('carry')) {
        const kw = this.next();
        const value = this.parseExpr();
        if (kw.text === 'points') {
          if (points) this.fail('`points` once', kw);
          points = value;
        } else {
          if (carry) this.fail('`carry` once', kw);
          carry = value;
        }
      }
      this.expectEnd('`points N`, `carry F` or the end of the line');
      return { kind: 'Question', id, idSpan, points, carry, span: this.spanFrom(start) };
    }
    if (t.text === 'answer' && nxt.type !== 'eof' && !this.is(O.EQ, 1) && !this.is(O.COMMA, 1) && !(nxt.type === 'op' && nxt.start === t.end && this.is(O.DOT, 1))) {
      this.next();
      const expr = this.parseBitOr();
      let given: AnswerStmt['given'] = null;
      let givenSpan: Span | null = null;
      if (this.is(O.EQ)) this.fail('`==` before your answer');
      if (this.is(O.EQEQ)) {
        const eq = this.next();
        if (this.is(O.QUESTION)) {
          this.next();
          given = 'blank';
        } else {
          if (this.peek().type === 'eof') this.fail('your answer (a number, a list, or `?`) after `==`');
          given = this.parseBitOr();
        }
        givenSpan = this.spanFrom(eq.start);
      }
      let tolerance: AnswerStmt['tolerance'] = null;
      const kw = this.peek();
      if (kw.type === 'ident' && (kw.text === 'tolerance' || kw.text === 'sigfig' || kw.text === 'decdig')) {
        this.next();
        let tol: 'rel' | 'abs' | 'sigfig' | 'decdig' = kw.text as 'sigfig' | 'decdig';
        if (kw.text === 'tolerance') {
          const k = this.peek();
          if (k.type !== 'ident' || (k.text !== 'rel' && k.text !== 'abs')) this.fail('`rel` or `abs` after `tolerance`');
          this.next();
          tol = k.text as 'rel' | 'abs';
        }
        const value = this.parseExpr();
        tolerance = { tol, value, span: this.spanFrom(kw.start) };
      }
      this.expectEnd(given === null ? '`==`, `tolerance rel X`, `tolerance abs X`, `sigfig N`, `decdig N` or the end of the line' : '`tolerance …`, `sigfig N`, `decdig N` or the end of the line');
      return { kind: 'Answer', expr, given, givenSpan, tolerance, span: this.spanFrom(start) };
    }
    if (t.text === 'handout' && this.isIdent('student', 1) && this.peek(2).type === 'str') {
      this.next();
      this.next();
      const student = this.next().text;
      let released = false;
      if (this.isIdent('released')) {
        this.next();
        released = true;
      }
      this.expectEnd('`released` or the end of the line');
      return { kind: 'Handout', student, released, span: this.spanFrom(start) };
    }
    if (t.text === 'selfcheck' && (nxt.type === 'ident' || nxt.type === 'num' || nxt.type === 'str')) {
      this.next();
      const { id } = this.markId('the answer id (`T1.1`)');
      if (this.peek().type !== 'str') this.fail('the salt, a string, after the answer id');
      const salt = this.next().text;
      const records: string[] = [];
      while (this.peek().type === 'str') records.push(this.next().text);
      if (!records.length) this.fail('one `"STEP:HASH"` string per element of the answer');
      this.expectEnd('a `"STEP:HASH"` string or the end of the line');
      return { kind: 'Selfcheck', answer: id, salt, records, span: this.spanFrom(start) };
    }
    return undefined;
  }

  /** An id after `question` or `selfcheck`: `T1`, `T1.1`, `OT2`, `3`, or a string. */
  private markId(what: string): { id: string; idSpan: Span } {
    const t = this.peek();
    if (t.type === 'str' || t.type === 'num') {
      this.next();
      let end = t.end;
      let id = t.text;
      // `4.1` lexes as one number.
      if (t.type === 'num') while (this.is(O.DOT) && this.peek().start === end && this.peek(1).type === 'num') (this.next(), (id += '.' + this.next().text), (end = this.toks[this.pos - 1].end));
      return { id, idSpan: { start: t.start, end } };
    }
    if (t.type !== 'ident') this.fail(what);
    const target = this.parseTarget();
    return { id: target.kind === 'Name' ? target.name : target.parts.join('.'), idSpan: target.span };
  }

  /**
   * `grad(z, w0)` (or `grad(z, w0, w1)`) alone on a line: the `grad` statement
   * `grad z wrt w0` (a REPL would print the value; the statement shows it, with its
   * derivation). Anything more on the line (`grad(z, w0) * 2`) is an expression, as before.
   */
  private gradCallStatement(): GradStmt | undefined {
    const save = this.pos;
    const kw = this.next();
    this.next(); // (
    const names: (NameRef | PathRef)[] = [];
    while (this.isIdent() && names.length < 64) {
      names.push(this.parseTarget());
      if (this.is(O.COMMA)) {
        this.next();
        continue;
      }
      break;
    }
    if (names.length >= 2 && this.is(O.RPAREN) && this.peek(1).type === 'eof') {
      this.next();
      return { kind: 'Grad', of: names[0], wrt: names.slice(1), span: this.spanFrom(kw.start) } satisfies GradStmt;
    }
    this.pos = save;
    return undefined;
  }

  /**
   * `dz/dw0 = EXPR` (or `∂z/∂w0 = EXPR`): a student's answer for ∂z/∂w0, read as
   * `expect grad(z, w0) == EXPR` with an information diagnostic and a quick fix that writes it so.
   * Only the exact shape `dNAME/dNAME = …` (no spaces inside the fraction, one `=`): dividing
   * two names can never be bound, so no valid line is read differently.
   */
  private leibnizStatement(): ExpectStmt | undefined {
    const [a, slash, b, eq] = [this.peek(), this.peek(1), this.peek(2), this.peek(3)];
    if (a.type !== 'ident' || slash.op !== O.SLASH || b.type !== 'ident' || eq.op !== O.EQ) return undefined;
    if (slash.start !== a.end || b.start !== slash.end) return undefined;
    const strip = (x: string): string | undefined => (x.length > 1 && (x[0] === 'd' || x[0] === '∂') ? x.slice(1) : undefined);
    const of = strip(a.text);
    const wrt = strip(b.text);
    if (!of || !wrt || !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(of) || !/^[\p{L}_][\p{L}\p{N}_]*$/u.test(wrt)) return undefined;
    const start = a.start;
    for (let k = 0; k < 4; k++) this.next();
    if (this.peek().type === 'eof') this.fail('your answer for the derivative after `=`');
    const right = this.parseExpr();
    this.expectEnd('an operator or the end of the line');
    const lhs = { start: a.start, end: b.end };
    const ofName = { start: a.start + a.text.length - of.length, end: a.end };
    const wrtName = { start: b.start + b.text.length - wrt.length, end: b.end };
    const left: Expr = {
      kind: 'Call',
      callee: 'grad',
      calleeSpan: lhs,
      calleePath: undefined,
      args: [
        { name: null, value: { kind: 'Name', name: of, span: ofName }, span: ofName },
        { name: null, value: { kind: 'Name', name: wrt, span: wrtName }, span: wrtName },
      ],
      span: lhs,
    };
    const written = `expect grad(${of}, ${wrt}) == `;
    this.diagnostics.push({
      code: 'parse.leibniz',
      severity: 'info',
      message: `Read \`${a.text}/${b.text} = …\` as your answer for ∂${of}/∂${wrt}: \`${written}…\` (GradLens computes ∂${of}/∂${wrt} and compares; \`grad ${of} wrt ${wrt}\` only shows it).`,
      span: { start: a.start, end: eq.end },
      fixes: [
        { title: `Write it as \`${written}…\``, span: { start: a.start, end: right.span.start }, text: written },
        { title: `Show it instead: \`grad ${of} wrt ${wrt}\``, span: this.spanFrom(start), text: `grad ${of} wrt ${wrt}` },
      ],
    });
    return { kind: 'Expect', left, right, within: null, opSpan: { start: eq.start, end: eq.end }, span: this.spanFrom(start) } satisfies ExpectStmt;
  }

  /** `a, b = …` (the names, `=`, then one expression or several separated by commas: a tuple). */
  private parseUnpack(start: number, param: boolean): UnpackAssign {
    const targets: NameRef[] = [];
    for (;;) {
      const n = this.peek();
      if (n.type !== 'ident') this.fail('a name to bind', n);
      this.next();
      targets.push({ kind: 'Name', name: n.text, span: { start: n.start, end: n.end } });
      if (!this.is(O.COMMA)) break;
      this.next();
      if (this.is(O.EQ)) break; // `a, = x`: a trailing comma
    }
    this.expectOp('=', '`,` or `=` after the names to bind');
    if (this.peek().type === 'eof') this.fail('an expression after `=`');
    const first = this.parseExpr();
    let value: Expr = first;
    if (this.is(O.COMMA)) {
      const elements = [first];
      while (this.is(O.COMMA)) {
        this.next();
        if (this.peek().type === 'eof') break;
        elements.push(this.parseExpr());
      }
      value = { kind: 'List', elements, tuple: true, span: { start: first.span.start, end: elements[elements.length - 1].span.end } };
    }
    this.expectEnd('`,`, an operator or the end of the line');
    return { kind: 'Unpack', param, targets, value, span: this.spanFrom(start) };
  }

  private spanFrom(start: number): Span {
    const prev = this.toks[this.pos - 1];
    return { start, end: prev ? prev.end : start };
  }

  private parseTarget(): NameRef | PathRef {
    const t = this.next();
    if (t.type !== 'ident') this.fail('a name', t);
    return this.parsePathRest(t);
  }

  /** After a name token: `.NAME`/`.DIGITS` parts written without spaces make a path. */
  private parsePathRest(t: Token): NameRef | PathRef {
    const parts = [t.text];
    const partSpans: Span[] = [{ start: t.start, end: t.end }];
    let end = t.end;
    while (this.is(O.DOT) && this.peek().start === end) {
      const nxt = this.peek(1);
      if (nxt.start !== this.peek().end) break;
      if (nxt.type === 'ident' || (nxt.type === 'num' && /^\d+$/.test(nxt.text))) {
        // `.T` and `.name(` are postfix operations, not path parts.
        if (nxt.type === 'ident' && (nxt.text === 'T' || this.is(O.LPAREN, 2))) break;
        this.next();
        this.next();
        parts.push(nxt.text);
        partSpans.push({ start: nxt.start, end: nxt.end });
        end = nxt.end;
      } else break;
    }
    if (parts.length === 1) return { kind: 'Name', name: t.text, span: { start: t.start, end: t.end } };
    return { kind: 'Path', parts, partSpans, span: { start: t.start, end } };
  }

  private parseOutName(what: string): NameRef | PathRef {
    if (!this.isIdent()) this.fail(what);
    return this.parseTarget();
  }

  /**
   * `wrt` as students write it: `wrt`, `w.r.t.` (or `w.r.t`), `with respect to`; how many
   * tokens it takes here, 0 when there is none.
   */
  private wrtWord(): number {
    if (this.isIdent('wrt')) return 1;
    if (this.isIdent('with') && this.isIdent('respect', 1) && this.isIdent('to', 2)) return 3;
    if (this.isIdent('w') && this.is(O.DOT, 1) && this.isIdent('r', 2) && this.is(O.DOT, 3) && this.isIdent('t', 4)) return this.is(O.DOT, 5) ? 6 : 5;
    // `w.r.t.` right after a name is read by the lexer as part of a path: `z.w.r.t`.
    return 0;
  }

  private parseWrt(): WrtTarget[] | null {
    const n = this.wrtWord();
    if (n === 0) return null;
    const word = this.peek();
    for (let k = 0; k < n; k++) this.next();
    const wordText = word.text === 'wrt' ? '`wrt`' : word.text === 'with' ? '`with respect to`' : '`w.r.t.`';
    const out: WrtTarget[] = [];
    for (;;) {
      if (!this.isIdent()) this.fail(`a name after ${wordText}`);
      out.push(this.parseTarget());
      // `wrt w0, w1`, `wrt w0 and w1`, `wrt w0, w1, and b`.
      if (this.is(O.COMMA)) {
        this.next();
        if (this.isIdent('and') && this.isIdent(undefined, 1)) this.next();
        continue;
      }
      if (this.isIdent('and') && this.isIdent(undefined, 1)) {
        this.next();
        continue;
      }
      break;
    }
    return out;
  }

  // ---- expressions -------------------------------------------------------------------

  parseExpr(): Expr {
    return this.parseCompare();
  }

  /** Comparisons, below arithmetic (Python's precedence); `a < b < c` is one chained node. */
  private parseCompare(): Expr {
    const left = this.parseBitOr();
    let op = COMPARE_OPS.get(this.peek().op);
    if (op === undefined || this.peek().type !== 'op') return left;
    const operands: Expr[] = [left];
    const ops: CompareOp[] = [];
    const opSpans: Span[] = [];
    while (op !== undefined && this.peek().type === 'op') {
      const tok = this.next();
      ops.push(op);
      opSpans.push({ start: tok.start, end: tok.end });
      operands.push(this.parseBitOr());
      op = COMPARE_OPS.get(this.peek().op);
    }
    return { kind: 'Compare', operands, ops, opSpans, span: { start: left.span.start, end: operands[operands.length - 1].span.end } };
  }

  /**
   * numpy's operators on masks, between comparisons and arithmetic as in Python: `a | b`,
   * `a & b` (and `~a` below) read as `logical_or`, `logical_and` (`logical_not`) calls.
   */
  private parseBitOr(): Expr {
    let left = this.parseBitAnd();
    while (this.is(O.BAR)) {
      const op = this.next();
      left = this.logicalCall('logical_or', op, [left, this.parseBitAnd()]);
    }
    return left;
  }

  private parseBitAnd(): Expr {
    let left = this.parseAdditive();
    while (this.is(O.AMP)) {
      const op = this.next();
      left = this.logicalCall('logical_and', op, [left, this.parseAdditive()]);
    }
    return left;
  }

  private logicalCall(callee: string, op: Token, operands: Expr[]): Expr {
    const start = Math.min(op.start, operands[0].span.start);
    const end = operands[operands.length - 1].span.end;
    return {
      kind: 'Call',
      callee,
      calleeSpan: { start: op.start, end: op.end },
      args: operands.map((value) => ({ name: null, value, span: value.span })),
      span: { start, end },
    };
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    while (this.is(O.PLUS) || this.is(O.MINUS)) {
      const op = this.next();
      const right = this.parseMultiplicative();
      left = {
        kind: 'Binary',
        op: op.text as '+' | '-',
        left,
        right,
        opSpan: { start: op.start, end: op.end },
        span: { start: left.span.start, end: right.span.end },
      };
    }
    return left;
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    while (this.is(O.STAR) || this.is(O.SLASH) || this.is(O.AT)) {
      const op = this.next();
      const right = this.parseUnary();
      left = {
        kind: 'Binary',
        op: op.text as '*' | '/' | '@',
        left,
        right,
        opSpan: { start: op.start, end: op.end },
        span: { start: left.span.start, end: right.span.end },
      };
    }
    return left;
  }

  private parseUnary(): Expr {
    if (this.is(O.TILDE)) {
      const op = this.next();
      return this.logicalCall('logical_not', op, [this.parseUnary()]);
    }
    if (this.is(O.MINUS) || this.is(O.PLUS)) {
      const op = this.next();
      const operand = this.parseUnary();
      return {
        kind: 'Unary',
        op: op.text as '-' | '+',
        operand,
        opSpan: { start: op.start, end: op.end },
        span: { start: op.start, end: operand.span.end },
      };
    }
    return this.parsePower();
  }

  private parsePower(): Expr {
    const base = this.parsePostfix();
    if (this.is(O.CARET) || this.is(O.POW)) {
      const op = this.next();
      // Right-associative; the exponent may carry a sign (2^-1).
      const exponent = this.is(O.MINUS) || this.is(O.PLUS) ? this.parseUnary() : this.parsePower();
      return {
        kind: 'Binary',
        op: '^',
        left: base,
        right: exponent,
        opSpan: { start: op.start, end: op.end },
        span: { start: base.span.start, end: exponent.span.end },
      };
    }
    return base;
  }

  private parsePostfix(): Expr {
    let e = this.parsePrimary();
    for (;;) {
      if (this.is(O.LPAREN) && e.kind === 'Name') {
        const args = this.parseArgs();
        const end = this.toks[this.pos - 1].end;
        e = { kind: 'Call', callee: e.name, calleeSpan: e.span, calleePath: undefined, args, span: { start: e.span.start, end } };
        continue;
      }
      if (this.is(O.LPAREN) && e.kind === 'Path') {
        const args = this.parseArgs();
        const parts = e.parts;
        const end = this.toks[this.pos - 1].end;
        // Strip nn./F./torch./np. prefixes: `nn.Linear`, `torch.nn.functional.relu`.
        let k = 0;
        while (k < parts.length - 1 && isPrefixAt(parts, k)) k++;
        const calleeParts = parts.slice(k);
        const calleeSpan = { start: e.partSpans[k].start, end: e.partSpans[e.partSpans.length - 1].end };
        e = {
          kind: 'Call',
          callee: calleeParts.join('.'),
          calleeSpan,
          calleePath: calleeParts.length > 1 ? calleeParts : undefined,
          args,
          span: { start: e.span.start, end },
        };
        continue;
      }
      if (this.is(O.LBRACK) && this.peek().start === e.span.end) {
        e = this.parseIndex(e);
        continue;
      }
      if (this.is(O.LBRACK)) {
        // `x [0]` with a space: still indexing, numpy-style.
        e = this.parseIndex(e);
        continue;
      }
      if (this.is(O.DOT)) {
        const dot = this.next();
        const name = this.peek();
        if (name.type !== 'ident') this.fail('a method name or `T` after `.`', name);
        this.next();
        if (name.text === 'T' && !this.is(O.LPAREN)) {
          e = { kind: 'Transpose', object: e, opSpan: { start: dot.start, end: name.end }, span: { start: e.span.start, end: name.end } };
          continue;
        }
        if (!this.is(O.LPAREN)) this.fail('`(` to call the method', this.peek());
        const args = this.parseArgs();
        // `F.relu(x)`, `torch.nn.functional.relu(x)`: a prefix, not a method of a value.
        const prefixParts = e.kind === 'Name' ? [e.name] : e.kind === 'Path' ? e.parts : null;
        // `np.linalg.norm(x)`, `torch.linalg.norm(x)`: the built-in `linalg.norm`.
        if (prefixParts && e.kind === 'Path' && prefixParts.length >= 2 && SUBMODULES.has(prefixParts[prefixParts.length - 1]) && prefixParts.slice(0, -1).every((_, k) => isPrefixAt(prefixParts, k))) {
          const sub = e.partSpans[prefixParts.length - 1];
          e = {
            kind: 'Call',
            callee: `${prefixParts[prefixParts.length - 1]}.${name.text}`,
            calleeSpan: { start: sub.start, end: name.end },
            args,
            span: { start: e.span.start, end: this.toks[this.pos - 1].end },
          };
          continue;
        }
        if (prefixParts && prefixParts.every((_, k) => isPrefixAt(prefixParts, k))) {
          e = {
            kind: 'Call',
            callee: name.text,
            calleeSpan: { start: name.start, end: name.end },
            args,
            span: { start: e.span.start, end: this.toks[this.pos - 1].end },
          };
          continue;
        }
        const method: Ident = { kind: 'Ident', name: name.text, span: { start: name.start, end: name.end } };
        e = { kind: 'Method', object: e, method, args, span: { start: e.span.start, end: this.toks[this.pos - 1].end } };
        continue;
      }
      return e;
    }
  }

  private parseIndex(object: Expr): Expr {
    this.expectOp('[');
    const items: IndexItem[] = [];
    if (this.is(O.RBRACK)) this.fail('an index or a slice');
    for (;;) {
      items.push(this.parseIndexItem());
      if (this.is(O.COMMA)) {
        this.next();
        if (this.is(O.RBRACK)) break;
        continue;
      }
      break;
    }
    const close = this.expectOp(']', '`,` or `]` in the index');
    return { kind: 'Index', object, items, span: { start: object.span.start, end: close.end } };
  }

  private parseIndexItem(): IndexItem {
    const start = this.peek().start;
    // `...`: three dots written together.
    if (this.is(O.DOT) && this.is(O.DOT, 1) && this.is(O.DOT, 2) && this.peek(1).start === start + 1 && this.peek(2).start === start + 2) {
      this.next();
      this.next();
      this.next();
      return { kind: 'Ellipsis', span: { start, end: start + 3 } };
    }
    const bound = (): Expr | null => (this.is(O.COLON) || this.is(O.COMMA) || this.is(O.RBRACK) ? null : this.parseExpr());
    const first = bound();
    if (!this.is(O.COLON)) {
      if (!first) this.fail('an index or a slice');
      return first;
    }
    this.next();
    const stop = bound();
    let step: Expr | null = null;
    if (this.is(O.COLON)) {
      this.next();
      step = bound();
    }
    const end = this.toks[this.pos - 1].end;
    return { kind: 'Slice', start: first, stop, step, span: { start, end } };
  }

  private parseArgs(): Arg[] {
    this.expectOp('(');
    const args: Arg[] = [];
    let sawKeyword = false;
    while (!this.is(O.RPAREN)) {
      const t = this.peek();
      if (t.type === 'eof') this.fail('`)` to close the argument list');
      let name: Ident | null = null;
      if (t.type === 'ident' && this.is(O.EQ, 1)) {
        this.next();
        this.next();
        name = { kind: 'Ident', name: t.text, span: { start: t.start, end: t.end } };
        sawKeyword = true;
      } else if (sawKeyword) {
        throw new ParseError(
          error('parse.positional-after-keyword', 'Expected a keyword argument (`name=value`), found a positional argument after a keyword argument.', {
            start: t.start,
            end: t.end,
          }),
        );
      }
      if (this.is(O.COMMA) || this.is(O.RPAREN)) this.fail('an argument value');
      const value = this.parseExpr();
      args.push({ name, value, span: { start: t.start, end: value.span.end } });
      if (this.is(O.COMMA)) {
        this.next();
        continue;
      }
      if (!this.is(O.RPAREN)) this.fail('`,` or `)` in the argument list');
    }
    this.next();
    return args;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    const sp = { start: t.start, end: t.end };
    if (t.type === 'num') {
      this.next();
      return { kind: 'Number', value: t.value ?? Number(t.text), raw: t.text, span: sp };
    }
    if (t.type === 'str') {
      this.next();
      return { kind: 'String', value: t.text, span: sp };
    }
    if (t.type === 'ident') {
      this.next();
      if (t.text === 'true' || t.text === 'True') return { kind: 'Bool', value: true, span: sp };
      if (t.text === 'false' || t.text === 'False') return { kind: 'Bool', value: false, span: sp };
      return this.parsePathRest(t);
    }
    if (t.type === 'op' && t.text === '(') {
      this.next();
      if (this.is(O.RPAREN)) {
        const close = this.next();
        return { kind: 'List', elements: [], tuple: true, span: { start: t.start, end: close.end } };
      }
      const first = this.parseExpr();
      if (this.is(O.COMMA)) {
        const elements = [first];
        while (this.is(O.COMMA)) {
          this.next();
          if (this.is(O.RPAREN)) break;
          elements.push(this.parseExpr());
        }
        const close = this.expectOp(')', '`,` or `)` in the tuple');
        return { kind: 'List', elements, tuple: true, span: { start: t.start, end: close.end } };
      }
      const close = this.expectOp(')', '`)` to close the parenthesis');
      return { kind: 'Paren', inner: first, span: { start: t.start, end: close.end } };
    }
    if (t.type === 'op' && t.text === '[') {
      this.next();
      const elements: Expr[] = [];
      while (!this.is(O.RBRACK)) {
        elements.push(this.parseExpr());
        if (this.is(O.COMMA)) {
          this.next();
          continue;
        }
        if (!this.is(O.RBRACK)) this.fail('`,` or `]` in the list');
      }
      const close = this.next();
      return { kind: 'List', elements, tuple: false, span: { start: t.start, end: close.end } };
    }
    this.fail('an expression', t);
  }

  // ---- network block lines -------------------------------------------------------------

  parseInput(): InputDecl {
    const kw = this.next(); // `input`
    const e = this.parseExpr();
    this.expectEnd();
    if (e.kind !== 'List') this.fail('a shape such as `[32, 30]` after `input`', this.toks[1]);
    return { kind: 'Input', dims: e.elements, span: { start: kw.start, end: e.span.end } };
  }

  parseLayer(): LayerLine {
    const start = this.peek().start;
    let label: Ident | null = null;
    if (this.isIdent() && this.is(O.EQ, 1)) {
      const t = this.next();
      this.next();
      label = { kind: 'Ident', name: t.text, span: { start: t.start, end: t.end } };
    }
    if (!this.isIdent()) this.fail('a layer such as `Linear(30, 10)`');
    // Accept `nn.Linear` and other prefixes.
    let t = this.next();
    while (CALL_PREFIXES.has(t.text) && this.is(O.DOT) && this.peek(1).type === 'ident') {
      this.next();
      t = this.next();
    }
    const layer: Ident = { kind: 'Ident', name: t.text, span: { start: t.start, end: t.end } };
    let args: Arg[] | null = null;
    if (this.is(O.LPAREN)) args = this.parseArgs();
    this.expectEnd('`(` or the end of the line after the layer');
    return { kind: 'Layer', label, layer, args, span: this.spanFrom(start) };
  }

  parseNetworkHeader(): { name: Ident; seed: Expr | null } {
    this.next(); // network
    const n = this.next();
    const name: Ident = { kind: 'Ident', name: n.text, span: { start: n.start, end: n.end } };
    let seed: Expr | null = null;
    if (this.isIdent('seed')) {
      this.next();
      if (this.is(O.EQ)) this.next();
      seed = this.parseExpr();
    }
    this.expectEnd('`seed N` or the end of the line after the network name');
    return { name, seed };
  }

  // ---- train statements (docs/training.md) -------------------------------------------------

  /** `train TARGET[, TARGET…] [on DATA[, DATA…]]`, then clauses to the end of the line. */
  parseTrainHeader(clauses: TrainClause[]): { keywordSpan: Span; targets: NameRef[]; data: NameRef[] } {
    const kw = this.next(); // train
    const names = (what: string, paths = false): NameRef[] => {
      const out: NameRef[] = [];
      for (;;) {
        const t = this.peek();
        if (t.type !== 'ident' || TRAIN_CLAUSES.has(t.text)) this.fail(what);
        this.next();
        // A target may be a path into a network (`mlp.C`, `mlp.0.weight`): kept as its dotted text.
        let name = t.text;
        let end = t.end;
        while (paths && this.is(O.DOT) && this.peek().start === end && (this.peek(1).type === 'ident' || this.peek(1).type === 'num') && this.peek(1).start === end + 1) {
          this.next();
          const part = this.next();
          name += `.${part.text}`;
          end = part.end;
        }
        out.push({ kind: 'Name', name, span: { start: t.start, end } });
        if (!this.is(O.COMMA)) return out;
        this.next();
      }
    };
    const targets = names('a network or `param` name to train', true);
    let data: NameRef[] = [];
    if (this.isIdent('on')) {
      this.next();
      data = names('a data name after `on` (such as `X, y`)');
    }
    this.parseTrainClauses(clauses);
    return { keywordSpan: { start: kw.start, end: kw.end }, targets, data };
  }

  /** Clauses (`loss EXPR`, `epochs N`, `shuffle`, …) to the end of the line. */
  parseTrainClauses(clauses: TrainClause[]): void {
    while (this.peek().type !== 'eof') {
      const t = this.peek();
      if (t.type !== 'ident' || !TRAIN_CLAUSES.has(t.text)) {
        const near = t.type === 'ident' ? nearest(t.text, TRAIN_CLAUSES) : undefined;
        throw new ParseError(
          error(
            'parse.train-clause',
            `Expected a training clause (${[...TRAIN_CLAUSES].map((c) => `\`${c}\``).join(', ')}), found ${describe(t)}.${near ? ` Did you mean \`${near}\`?` : ''}`,
            { start: t.start, end: t.end },
            near ? [{ title: `Change to \`${near}\``, span: { start: t.start, end: t.end }, text: near }] : undefined,
          ),
        );
      }
      this.next();
      const keyword = t.text as TrainClauseKeyword;
      const keywordSpan = { start: t.start, end: t.end };
      const dup = clauses.find((c) => c.keyword === keyword);
      if (dup) throw new ParseError(error('parse.train-duplicate', `Expected \`${keyword}\` once in the training statement, found it again.`, keywordSpan));
      let value: Expr | null = null;
      if (keyword !== 'shuffle') {
        if (this.is(O.EQ)) this.next(); // `epochs = 10` reads as well
        if (this.peek().type === 'eof') this.fail(`a value after \`${keyword}\``);
        value = this.parseExpr();
      }
      clauses.push({ keyword, keywordSpan, value, span: this.spanFrom(t.start) });
    }
  }
}

const TRAIN_CLAUSES: ReadonlySet<string> = new Set<TrainClauseKeyword>(['loss', 'optimizer', 'epochs', 'batch', 'shuffle', 'steps', 'metric', 'seed']);

/** A `train` statement: its header line and the clause lines indented under it. A broken line makes the whole statement invalid (it is not run half-configured). */
function parseTrain(header: LogicalLine, body: LogicalLine[], diagnostics: Diagnostic[], hasLexError: (l: LogicalLine) => boolean): Statement {
  const clauses: TrainClause[] = [];
  const h = guard(diagnostics, header, () => new LineParser(header, diagnostics).parseTrainHeader(clauses));
  let ok = h !== undefined;
  for (const line of body) {
    if (hasLexError(line)) {
      ok = false;
      continue;
    }
    const r = guard(diagnostics, line, () => {
      new LineParser(line, diagnostics).parseTrainClauses(clauses);
      return true;
    });
    if (!r) ok = false;
  }
  const end = body.length ? body[body.length - 1].span.end : header.span.end;
  const span = { start: header.span.start, end };
  if (!ok || !h) return { kind: 'Invalid', name: null, span };
  return { kind: 'Train', keywordSpan: h.keywordSpan, targets: h.targets, data: h.data, clauses, headerSpan: header.span, span } satisfies TrainStmt;
}

function guard<T>(diagnostics: Diagnostic[], line: LogicalLine, f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof ParseError) {
      diagnostics.push(e.diagnostic);
      return undefined;
    }
    if (e instanceof RangeError) {
      diagnostics.push(error('parse.too-deep', 'Expected an expression nested less deeply, found nesting deeper than the parser allows.', line.span));
      return undefined;
    }
    throw e;
  }
}

/**
 * A `network` block. A block with a broken line (a parse or lexer error, an indentation error)
 * becomes an Invalid statement naming the network: its error is shown once, and lines that use
 * the network are not evaluated (LANGUAGE.md §3), rather than running it without that layer.
 */
function parseNetwork(header: LogicalLine, body: LogicalLine[], diagnostics: Diagnostic[], hasLexError: (l: LogicalLine) => boolean): NetworkDecl | Statement | undefined {
  const h = guard(diagnostics, header, () => new LineParser(header, diagnostics).parseNetworkHeader());
  if (!h) return undefined;
  let broken = false;
  let input: InputDecl | null = null;
  const layers: LayerLine[] = [];
  // Mixing tabs and spaces in one block is an error (Python's rule).
  const kinds = new Set(body.map((l) => l.indentKind));
  if (kinds.has('mixed') || (kinds.has('tabs') && kinds.has('spaces'))) {
    const bad = body.find((l) => l.indentKind === 'mixed') ?? body.find((l) => l.indentKind !== body[0].indentKind)!;
    diagnostics.push(error('parse.mixed-indentation', 'Expected the same indentation characters throughout the block, found tabs mixed with spaces.', bad.indentSpan));
    broken = true;
  }
  const blockIndent = body.length ? body[0].indent : 0;
  body.forEach((line, k) => {
    if (line.indent !== blockIndent) {
      diagnostics.push(
        error('parse.inconsistent-indent', `Expected this line indented like the block's first line (${blockIndent} columns), found ${line.indent}.`, line.indentSpan),
      );
      broken = true;
      return;
    }
    if (hasLexError(line)) {
      broken = true; // reported by the lexer
      return;
    }
    const p = new LineParser(line, diagnostics);
    const first = line.tokens[0];
    if (k === 0 && first.type === 'ident' && first.text === 'input' && !(line.tokens[1]?.type === 'op' && line.tokens[1].text === '=')) {
      const inp = guard(diagnostics, line, () => p.parseInput());
      if (inp) input = inp;
      else broken = true;
      return;
    }
    if (first.type === 'ident' && first.text === 'input' && line.tokens[1]?.type === 'op' && line.tokens[1].text === '[') {
      diagnostics.push(error('net.input-position', 'Expected `input SHAPE` as the first line of the block, found it later.', line.span));
      broken = true;
      return;
    }
    const layer = guard(diagnostics, line, () => p.parseLayer());
    if (layer) layers.push(layer);
    else broken = true;
  });
  const end = body.length ? body[body.length - 1].span.end : header.span.end;
  if (broken) return { kind: 'Invalid', name: h.name.name, span: { start: header.span.start, end } };
  if (body.length === 0)
    diagnostics.push(error('net.empty', 'Expected an indented block with `input SHAPE` and layers, found nothing under the header.', header.span));
  return {
    kind: 'Network',
    name: h.name,
    seed: h.seed,
    headerSpan: header.span,
    input,
    layers,
    span: { start: header.span.start, end },
  };
}
