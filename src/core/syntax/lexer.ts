import { error, type Diagnostic } from '../diagnostics';
import type { Span } from '../span';

export type TokenType = 'num' | 'str' | 'ident' | 'op' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** Identifier/operator text, string contents, or the number's source. */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  readonly value?: number;
}

/** One statement's tokens: a physical line, or several joined inside ( ) and [ ]. */
export interface LogicalLine {
  readonly tokens: Token[];
  /** Indentation width of the first physical line, relative to the segment's base indent. */
  readonly indent: number;
  /** Whether the indentation used tabs, spaces or both. */
  readonly indentKind: 'none' | 'spaces' | 'tabs' | 'mixed';
  readonly indentSpan: Span;
  readonly span: Span;
  /** Index of the segment (Markdown block) the line belongs to. */
  readonly segment: number;
}

/** A region of the text read as code: the whole file, or one ```nn block of a Markdown file. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  /** Columns of indentation removed from every line (the fence's own indentation). */
  readonly baseIndent: number;
}

/** ASCII first (the common case), Unicode letters (Greek names) by regular expression. */
const isIdentStart = (c: string): boolean => {
  const k = c.charCodeAt(0);
  if ((k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95) return true;
  return k > 127 && /[\p{L}_]/u.test(c);
};
const isIdentPart = (c: string): boolean => {
  const k = c.charCodeAt(0);
  if ((k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || (k >= 48 && k <= 57)) return true;
  return k > 127 && /[\p{L}\p{N}_]/u.test(c);
};
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

const ONE_CHAR_OPS = new Set(['+', '-', '*', '/', '@', '^', '=', '(', ')', '[', ']', ',', ':', '.', '<', '>']);

/**
 * Splits segments into logical lines. Never throws: an unexpected character or an
 * unterminated string or bracket becomes a diagnostic.
 */
export function lexSegments(
  text: string,
  segments: readonly Segment[],
  diagnostics: Diagnostic[],
  where: 'file' | 'block' = 'file',
): LogicalLine[] {
  const lines: LogicalLine[] = [];
  segments.forEach((seg, si) => lexSegment(text, seg, si, lines, diagnostics, where));
  return lines;
}

function lexSegment(
  text: string,
  seg: Segment,
  segIndex: number,
  out: LogicalLine[],
  diagnostics: Diagnostic[],
  where: 'file' | 'block',
): void {
  let i = seg.start;
  const end = seg.end;
  let tokens: Token[] = [];
  let depth = 0;
  const openers: Token[] = [];
  let lineStart = -1;
  let indent = 0;
  let indentKind: LogicalLine['indentKind'] = 'none';
  let indentSpan: Span = { start: seg.start, end: seg.start };
  let atLineStart = true;

  const flush = (): void => {
    if (tokens.length > 0) {
      out.push({
        tokens,
        indent,
        indentKind,
        indentSpan,
        span: { start: lineStart, end: tokens[tokens.length - 1].end },
        segment: segIndex,
      });
    }
    tokens = [];
    atLineStart = true;
  };

  while (i < end) {
    // Start of a physical line (outside brackets): measure indentation.
    if (atLineStart) {
      let col = 0;
      let sawTab = false;
      let sawSpace = false;
      const s = i;
      let removed = 0;
      while (i < end && (text[i] === ' ' || text[i] === '\t')) {
        if (removed < seg.baseIndent && text[i] === ' ') {
          removed++;
          i++;
          continue;
        }
        if (text[i] === '\t') {
          sawTab = true;
          col = col + 8 - (col % 8);
        } else {
          sawSpace = true;
          col++;
        }
        i++;
      }
      indent = col;
      indentKind = sawTab && sawSpace ? 'mixed' : sawTab ? 'tabs' : sawSpace ? 'spaces' : 'none';
      indentSpan = { start: s + removed, end: i };
      lineStart = i;
      atLineStart = false;
      continue;
    }
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9) {
      i++;
      continue;
    }
    const ch = text[i];
    if (ch === '\n' || ch === '\r') {
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      if (depth === 0) flush();
      else {
        // Inside brackets line breaks are ignored; skip the next line's indentation.
        while (i < end && (text[i] === ' ' || text[i] === '\t')) i++;
      }
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\f' || ch === '\v' || code === 0xfeff) {
      i++;
      continue;
    }
    if (code === 35) {
      // A comment runs to the end of the line.
      let c = code;
      while (i < end && c !== 10 && c !== 13) c = text.charCodeAt(++i);
      continue;
    }
    if (tokens.length === 0 && lineStart < 0) lineStart = i;
    // Numbers. A '.' right after a name, ')' or ']' is a path/method dot, not a decimal point.
    const prev = tokens[tokens.length - 1];
    const dotIsAccess =
      ch === '.' && prev !== undefined && prev.end === i && (prev.type === 'ident' || prev.text === ')' || prev.text === ']');
    if (isDigit(code) || (ch === '.' && !dotIsAccess && isDigit(text.charCodeAt(i + 1)))) {
      const s = i;
      const afterDot = prev !== undefined && prev.text === '.' && prev.end === i;
      while (i < end && isDigit(text.charCodeAt(i))) i++;
      if (!afterDot && text[i] === '.' && !(isIdentStart(text[i + 1] ?? '') && text[i + 1] !== 'e' && text[i + 1] !== 'E')) {
        i++;
        while (i < end && isDigit(text.charCodeAt(i))) i++;
      }
      if (!afterDot && (text[i] === 'e' || text[i] === 'E')) {
        let j = i + 1;
        if (text[j] === '+' || text[j] === '-') j++;
        if (isDigit(text.charCodeAt(j))) {
          i = j;
          while (i < end && isDigit(text.charCodeAt(i))) i++;
        }
      }
      const raw = text.slice(s, i);
      tokens.push({ type: 'num', text: raw, start: s, end: i, value: Number(raw) });
      if (i < end && isIdentStart(text[i])) {
        let j = i;
        while (j < end && isIdentPart(text[j])) j++;
        diagnostics.push(
          error('lex.bad-number', `Expected a number, found \`${text.slice(s, j)}\`.`, { start: s, end: j }),
        );
        i = j;
      }
      continue;
    }
    if (isIdentStart(ch) || (code >= 0xd800 && code <= 0xdbff && isIdentStart(text.slice(i, i + 2)))) {
      const s = i;
      while (i < end) {
        const c = text.charCodeAt(i);
        if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) i++;
        else if (c < 128) break;
        else if (c >= 0xd800 && c <= 0xdbff) {
          if (isIdentPart(text.slice(i, i + 2))) i += 2;
          else break;
        } else if (isIdentPart(text[i])) i++;
        else break;
      }
      tokens.push({ type: 'ident', text: text.slice(s, i), start: s, end: i });
      continue;
    }
    if (ch === '"' || ch === "'") {
      const s = i;
      i++;
      let value = '';
      let closed = false;
      while (i < end && text[i] !== '\n' && text[i] !== '\r') {
        if (text[i] === '\\' && i + 1 < end) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (text[i] === ch) {
          closed = true;
          i++;
          break;
        }
        value += text[i++];
      }
      if (!closed)
        diagnostics.push(error('lex.unterminated-string', `Expected a closing ${ch}, found the end of the line.`, { start: s, end: i }));
      tokens.push({ type: 'str', text: value, start: s, end: i });
      continue;
    }
    // Operators: by character code, no substring allocation.
    const c2 = text.charCodeAt(i + 1);
    const twoChar =
      (code === 42 && c2 === 42) || // **
      (c2 === 61 && (code === 61 || code === 60 || code === 62 || code === 33)); // == <= >= !=
    if (twoChar) {
      tokens.push({ type: 'op', text: text.slice(i, i + 2), start: i, end: i + 2 });
      i += 2;
      continue;
    }
    if (ONE_CHAR_OPS.has(ch)) {
      const tok: Token = { type: 'op', text: ch, start: i, end: i + 1 };
      if (code === 40 || code === 91) {
        depth++;
        openers.push(tok);
      } else if (code === 41 || code === 93) {
        if (depth > 0) {
          depth--;
          openers.pop();
        }
      }
      tokens.push(tok);
      i++;
      continue;
    }
    // Unexpected character (including surrogate pairs): one diagnostic, skip it.
    const len = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    diagnostics.push(
      error('lex.unexpected-character', `Expected an expression, found the character \`${text.slice(i, i + len)}\`.`, {
        start: i,
        end: i + len,
      }),
    );
    i += len;
  }
  if (depth > 0 && openers.length > 0) {
    const open = openers[openers.length - 1];
    // The range runs from the bracket to the last token on its own line.
    let lineEnd = open.end;
    while (lineEnd < end && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    let at = open.end;
    for (const t of tokens) if (t.start >= open.start && t.end <= lineEnd) at = Math.max(at, t.end);
    diagnostics.push(
      error(
        'parse.unclosed-bracket',
        `Expected \`${open.text === '(' ? ')' : ']'}\` to close the \`${open.text}\` opened here, found the end of the ${where}.`,
        { start: open.start, end: at },
      ),
    );
    // Drop the broken statement, and read the lines after the one that opened the bracket
    // again, so one missing bracket does not swallow the rest of the file.
    tokens = [];
    let next = open.end;
    while (next < end && text[next] !== '\n' && text[next] !== '\r') next++;
    if (next < end) {
      next += text[next] === '\r' && text[next + 1] === '\n' ? 2 : 1;
      lexSegment(text, { start: next, end, baseIndent: seg.baseIndent }, segIndex, out, diagnostics, where);
    }
    return;
  }
  flush();
}
