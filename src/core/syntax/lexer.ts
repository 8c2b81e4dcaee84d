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
  /** Operators: `opCode(text)` (0 for other tokens), so that the parser compares numbers. */
  readonly op: number;
}

/** An operator's code: the character code, or both codes for two-character operators (`**`, `==`). */
export function opCode(text: string): number {
  return text.length === 2 ? text.charCodeAt(0) * 256 + text.charCodeAt(1) : text.charCodeAt(0);
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

/**
 * ASCII first (the common case), Unicode letters (Greek names) by regular expression; `∂` may
 * start a name (`∂z/∂w0 = …`, a student's answer for a derivative: see the parser's leibnizStatement).
 * `c` is one character (a code unit, or a surrogate pair); a lone surrogate is neither start nor part.
 */
const isIdentStart = (c: string): boolean => {
  const k = c.charCodeAt(0);
  if ((k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95) return true;
  return k > 127 && (c === '∂' || /^[\p{L}_]$/u.test(c));
};
const isIdentPart = (c: string): boolean => {
  const k = c.charCodeAt(0);
  if ((k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || (k >= 48 && k <= 57)) return true;
  return k > 127 && /^[\p{L}\p{N}_]$/u.test(c);
};
/**
 * The length in code units of the character at i, not past `end`: 2 for a surrogate pair, 1 for
 * anything else — a lone surrogate (high without its low half, or a low one alone) is one unit.
 */
export function charLength(text: string, i: number, end = text.length): number {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c <= 0xdbff && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
}
/** A character for a message: itself, or U+XXXX when it is invisible or a lone surrogate. */
function showChar(ch: string): string {
  const k = ch.codePointAt(0) ?? 0;
  if ((k >= 0xd800 && k <= 0xdfff) || k < 32 || (k >= 0x7f && k <= 0x9f) || k === 0xfeff) return `U+${k.toString(16).toUpperCase().padStart(4, '0')}`;
  return `\`${ch}\``;
}
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** isIdentStart of the code unit at j (false past the end of the text), ASCII without a string. */
const identStartAt = (text: string, j: number): boolean => {
  const k = text.charCodeAt(j);
  if ((k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95) return true;
  return k > 127 && isIdentStart(text[j]);
};
/** isIdentPart of the code unit at j (false past the end of the text). */
const identPartAt = (text: string, j: number): boolean => {
  const k = text.charCodeAt(j);
  if ((k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || (k >= 48 && k <= 57)) return true;
  return k > 127 && isIdentPart(text[j]);
};

/** ASCII character classes for the lexer's dispatch. */
const enum Ch {
  OTHER = 0,
  IDENT,
  DIGIT,
  OP,
  DOT,
  QUOTE,
  BLANK,
  NEWLINE,
  HASH,
}
const CLASS = new Uint8Array(128);
for (let c = 97; c <= 122; c++) CLASS[c] = Ch.IDENT;
for (let c = 65; c <= 90; c++) CLASS[c] = Ch.IDENT;
CLASS[95] = Ch.IDENT;
for (let c = 48; c <= 57; c++) CLASS[c] = Ch.DIGIT;
for (const c of '+-*/@^=()[],:<>!&|~?') CLASS[c.charCodeAt(0)] = Ch.OP;
CLASS[46] = Ch.DOT;
CLASS[34] = Ch.QUOTE;
CLASS[39] = Ch.QUOTE;
CLASS[32] = CLASS[9] = CLASS[11] = CLASS[12] = Ch.BLANK;
CLASS[10] = CLASS[13] = Ch.NEWLINE;
CLASS[35] = Ch.HASH;
/** The one-character operators (`!` only starts `!=`). */
const ONE_CHAR_OP = new Uint8Array(128);
for (const c of '+-*/@^=()[],:.<>&|~?') ONE_CHAR_OP[c.charCodeAt(0)] = 1;
/** Exact powers of ten (10^0 … 10^15). */
const POW10: readonly number[] = Array.from({ length: 16 }, (_, k) => 10 ** k);
/** Single-character strings by code (no substring per operator token). */
const CHAR_TEXT: string[] = [];
for (let c = 0; c < 128; c++) CHAR_TEXT.push(String.fromCharCode(c));

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
  for (let si = 0; si < segments.length; si++) lexSegment(text, segments[si], si, lines, diagnostics, where);
  return lines;
}

/** The longest name (UTF-16 code units); a longer one is `lex.name-too-long` (docs/language.md, "Limits"). */
export const MAX_NAME_LENGTH = 256;

/**
 * A name token. A name longer than MAX_NAME_LENGTH is an error (its line is broken) and the
 * token keeps only its first MAX_NAME_LENGTH units, so a 10 MB identifier is never copied on.
 */
function identToken(text: string, s: number, i: number, diagnostics: Diagnostic[]): Token {
  if (i - s <= MAX_NAME_LENGTH) return makeToken('ident', text.slice(s, i), s, i, undefined, 0);
  let cut = s + MAX_NAME_LENGTH;
  if ((text.charCodeAt(cut) & 0xfc00) === 0xdc00) cut--;
  const head = text.slice(s, cut);
  diagnostics.push(
    error('lex.name-too-long', `Expected a name of at most ${MAX_NAME_LENGTH} characters, found one of ${(i - s).toLocaleString('en-US')} (\`${head.slice(0, 40)}…\`).`, { start: s, end: i }),
  );
  return makeToken('ident', head, s, i, undefined, 0);
}

function makeToken(type: TokenType, text: string, start: number, end: number, value: number | undefined, op: number): Token {
  // Every token has the same fields (one object shape for the parser).
  return { type, text, start, end, value, op };
}

/**
 * One pass over the segment by character codes: indentation at the start of each physical
 * line, then tokens; a logical line ends at a line break outside brackets.
 */
/**
 * Multiplication signs students type from their notes (`x0 × w0`, `x0 · w0`, `x0 ⋅ w0`, `x0 ∗ w0`):
 * read as `*` (docs/language.md).
 */
const TIMES_SIGNS = new Set([0xd7, 0xb7, 0x22c5, 0x2217]);
/** Superscript digits (`x²`, `x³`, `x⁻¹`): the exponent they write. */
const SUPERSCRIPT_DIGIT = new Map<number, number>([
  [0x2070, 0], [0xb9, 1], [0xb2, 2], [0xb3, 3], [0x2074, 4], [0x2075, 5], [0x2076, 6], [0x2077, 7], [0x2078, 8], [0x2079, 9],
]);
const SUPERSCRIPT_MINUS = 0x207b;
const isSuperscriptStart = (c: number): boolean => SUPERSCRIPT_DIGIT.has(c) || c === SUPERSCRIPT_MINUS;

/** The end of a name starting before `i`: ASCII by code, Unicode letters (Greek, surrogate pairs) by class. */
function identEnd(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) i++;
    else if (c < 128) break;
    // `x²` is x to the power 2, not a name (superscript digits are Unicode digits, \p{N}).
    else if (isSuperscriptStart(c)) break;
    else if (c >= 0xd800 && c <= 0xdbff) {
      if (charLength(text, i, end) === 2 && isIdentPart(text.slice(i, i + 2))) i += 2;
      else break;
    } else if (isIdentPart(text[i])) i++;
    else break;
  }
  return i;
}

/** After this many brackets left open in one segment the rest of it is not read (each one re-reads the rest). */
const MAX_UNCLOSED = 200;

/**
 * Lexes a segment. A bracket left open ends its statement at that bracket's line (see
 * lexPass); the lines after it are read again, as often as that happens (up to MAX_UNCLOSED).
 */
function lexSegment(
  text: string,
  seg: Segment,
  segIndex: number,
  out: LogicalLine[],
  diagnostics: Diagnostic[],
  where: 'file' | 'block',
): void {
  let start = seg.start;
  for (let pass = 0; ; pass++) {
    const mark = diagnostics.length;
    const next = lexPass(text, { start, end: seg.end, baseIndent: seg.baseIndent }, segIndex, out, diagnostics, where);
    if (next === undefined || next >= seg.end) return;
    // What this pass reported after `next` is reported again by the next pass.
    for (let k = diagnostics.length - 1; k >= mark; k--) if (diagnostics[k].span.start >= next) diagnostics.splice(k, 1);
    if (pass + 1 >= MAX_UNCLOSED) {
      diagnostics.push(
        error('parse.too-many-unclosed', `Expected at most ${MAX_UNCLOSED} brackets left open in one ${where}, found more: the rest of it is not read.`, { start: next, end: next }),
      );
      return;
    }
    start = next;
  }
}

/** One pass; returns where to read again after a bracket left open, else undefined. */
function lexPass(
  text: string,
  seg: Segment,
  segIndex: number,
  out: LogicalLine[],
  diagnostics: Diagnostic[],
  where: 'file' | 'block',
): number | undefined {
  let i = seg.start;
  const end = seg.end;
  const baseIndent = seg.baseIndent;
  let tokens: Token[] = [];
  let depth = 0;
  const openers: Token[] = [];
  let lineStart = -1;
  let indent = 0;
  let indentKind: LogicalLine['indentKind'] = 'none';
  let indentStart = seg.start;
  let indentEnd = seg.start;
  let atLineStart = true;
  const hasCR = text.indexOf('\r', seg.start) >= 0;

  while (i < end) {
    // Start of a physical line (outside brackets): measure indentation.
    if (atLineStart) {
      let col = 0;
      let sawTab = false;
      let sawSpace = false;
      const s = i;
      let removed = 0;
      while (i < end) {
        const c = text.charCodeAt(i);
        if (c === 32) {
          if (removed < baseIndent) removed++;
          else {
            sawSpace = true;
            col++;
          }
        } else if (c === 9) {
          sawTab = true;
          col = col + 8 - (col % 8);
        } else break;
        i++;
      }
      indent = col;
      indentKind = sawTab && sawSpace ? 'mixed' : sawTab ? 'tabs' : sawSpace ? 'spaces' : 'none';
      indentStart = s + removed;
      indentEnd = i;
      lineStart = i;
      atLineStart = false;
      continue;
    }
    const code = text.charCodeAt(i);
    const cls = code < 128 ? CLASS[code] : Ch.OTHER;
    if (cls === Ch.BLANK) {
      i++;
      continue;
    }
    if (cls === Ch.NEWLINE) {
      i += code === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      if (depth === 0) {
        if (tokens.length > 0) {
          pushLine(out, tokens, indent, indentKind, indentStart, indentEnd, lineStart, segIndex);
          tokens = [];
        }
        atLineStart = true;
      } else {
        // Inside brackets line breaks are ignored; skip the next line's indentation.
        for (let c = text.charCodeAt(i); i < end && (c === 32 || c === 9); c = text.charCodeAt(++i));
      }
      continue;
    }
    if (code === 0xfeff) {
      i++;
      continue;
    }
    if (cls === Ch.HASH) {
      // A comment runs to the end of the line: found by indexOf (memchr) when the text has no CR.
      if (!hasCR) {
        const j = text.indexOf('\n', i);
        i = j < 0 || j > end ? end : j;
        continue;
      }
      let c = code;
      while (i < end && c !== 10 && c !== 13) c = text.charCodeAt(++i);
      continue;
    }
    if (code === 59 && depth === 0) {
      // `;` ends a statement, as in Python: `a = 1; b = 2` is two logical lines with the
      // physical line's indentation (a trailing or doubled `;` adds nothing).
      i++;
      if (tokens.length > 0) {
        pushLine(out, tokens, indent, indentKind, indentStart, indentEnd, lineStart, segIndex);
        tokens = [];
      }
      lineStart = -1;
      continue;
    }
    if (tokens.length === 0 && lineStart < 0) lineStart = i;
    if (cls === Ch.IDENT) {
      const s = i;
      i = identEnd(text, i + 1, end);
      tokens.push(identToken(text, s, i, diagnostics));
      continue;
    }
    if (cls === Ch.OP) {
      // Operators: by character code, no substring allocation.
      const c2 = text.charCodeAt(i + 1);
      const twoChar =
        (code === 42 && c2 === 42) || // **
        (c2 === 61 && (code === 61 || code === 60 || code === 62 || code === 33)); // == <= >= !=
      if (twoChar) {
        tokens.push(makeToken('op', text.slice(i, i + 2), i, i + 2, undefined, code * 256 + c2));
        i += 2;
        continue;
      }
      if (ONE_CHAR_OP[code] === 1) {
        const tok = makeToken('op', CHAR_TEXT[code], i, i + 1, undefined, code);
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
      // `!` alone: an unexpected character (below).
    }
    // Numbers. A '.' right after a name, ')' or ']' is a path/method dot, not a decimal point;
    // so is one right after a path's digit segment (`net.0.0.bias`: the `0` after `net.`).
    if (cls === Ch.DIGIT || cls === Ch.DOT) {
      const prev = tokens.length > 0 ? tokens[tokens.length - 1] : undefined;
      const beforePrev = tokens.length > 1 ? tokens[tokens.length - 2] : undefined;
      const dotIsAccess =
        cls === Ch.DOT &&
        prev !== undefined &&
        prev.end === i &&
        (prev.type === 'ident' ||
          prev.text === ')' ||
          prev.text === ']' ||
          (prev.type === 'num' && beforePrev !== undefined && beforePrev.text === '.' && beforePrev.end === prev.start && /^\d+$/.test(prev.text)));
      if (cls === Ch.DIGIT || (!dotIsAccess && isDigit(text.charCodeAt(i + 1)))) {
        const s = i;
        const afterDot = prev !== undefined && prev.text === '.' && prev.end === i;
        // The digits' value as an integer (exact below 10^15) and the number of fraction digits.
        let mant = 0;
        let digits = 0;
        let frac = 0;
        for (let c = text.charCodeAt(i); i < end && c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
          mant = mant * 10 + (c - 48);
          digits++;
        }
        if (!afterDot && text.charCodeAt(i) === 46) {
          const n1 = text.charCodeAt(i + 1);
          if (!(identStartAt(text, i + 1) && n1 !== 101 && n1 !== 69)) {
            i++;
            for (let c = text.charCodeAt(i); i < end && c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
              mant = mant * 10 + (c - 48);
              digits++;
              frac++;
            }
          }
        }
        let exponent = false;
        const ce = text.charCodeAt(i);
        if (!afterDot && (ce === 101 || ce === 69)) {
          let j = i + 1;
          const cs = text.charCodeAt(j);
          if (cs === 43 || cs === 45) j++;
          if (isDigit(text.charCodeAt(j))) {
            exponent = true;
            i = j;
            while (i < end && isDigit(text.charCodeAt(i))) i++;
          }
        }
        const raw = text.slice(s, i);
        // At most 15 digits without an exponent: the integer and 10^frac are exact doubles, so one
        // division is correctly rounded and equals Number(raw) (Clinger's fast path).
        const value = !exponent && digits > 0 && digits <= 15 ? (frac === 0 ? mant : mant / POW10[frac]) : Number(raw);
        tokens.push(makeToken('num', raw, s, i, value, 0));
        if (i < end && identStartAt(text, i)) {
          let j = i;
          while (j < end && identPartAt(text, j)) j++;
          diagnostics.push(error('lex.bad-number', `Expected a number, found \`${text.slice(s, j)}\`.`, { start: s, end: j }));
          i = j;
        }
        continue;
      }
      // A '.' operator.
      const tok = makeToken('op', '.', i, i + 1, undefined, 46);
      tokens.push(tok);
      i++;
      continue;
    }
    if (cls === Ch.QUOTE) {
      const ch = text[i];
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
      tokens.push(makeToken('str', value, s, i, undefined, 0));
      continue;
    }
    if (code > 127 && TIMES_SIGNS.has(code)) {
      tokens.push(makeToken('op', '*', i, i + 1, undefined, 42));
      i++;
      continue;
    }
    if (code > 127 && isSuperscriptStart(code)) {
      // `x²` → `x ** 2`, `x⁻¹` → `x ** -1`: a power operator and the exponent, both spanning the superscript.
      const s = i;
      const negative = code === SUPERSCRIPT_MINUS;
      if (negative) i++;
      let n = 0;
      let digits = 0;
      for (let d = SUPERSCRIPT_DIGIT.get(text.charCodeAt(i)); i < end && d !== undefined; d = SUPERSCRIPT_DIGIT.get(text.charCodeAt(++i))) {
        n = n * 10 + d;
        digits++;
      }
      if (digits === 0) {
        diagnostics.push(error('lex.unexpected-character', 'Expected a superscript digit after `⁻`, found none.', { start: s, end: i }));
        continue;
      }
      tokens.push(makeToken('op', '**', s, i, undefined, 42 * 256 + 42));
      if (negative) tokens.push(makeToken('op', '-', s, s + 1, undefined, 45));
      tokens.push(makeToken('num', String(n), negative ? s + 1 : s, i, n, 0));
      continue;
    }
    if (code > 127) {
      // Unicode names (Greek letters, mathematical letters as surrogate pairs).
      if (isIdentStart(text.slice(i, i + charLength(text, i, end)))) {
        const s = i;
        // `∂` starts a name but is no letter (identEnd would stop at it).
        i = identEnd(text, code === 0x2202 ? i + 1 : i, end);
        tokens.push(identToken(text, s, i, diagnostics));
        continue;
      }
    }
    // Unexpected character (including surrogate pairs): one diagnostic, skip it.
    const len = charLength(text, i, end);
    diagnostics.push(
      error('lex.unexpected-character', `Expected an expression, found the character ${showChar(text.slice(i, i + len))}.`, {
        start: i,
        end: i + len,
      }),
    );
    i += len;
  }
  if (depth > 0 && openers.length > 0) {
    // The outermost bracket left open: where the statement went wrong (an inner one may be a
    // later line's own unclosed bracket, read again below).
    const open = openers[0];
    // The range runs from the bracket to the last token on its own line (in Markdown, to the
    // end of the block's code: the error is at the block's end, LANGUAGE.md §6).
    let lineEnd = open.end;
    while (lineEnd < end && text[lineEnd] !== '\n' && text[lineEnd] !== '\r') lineEnd++;
    let at = open.end;
    for (const t of tokens) if (t.start >= open.start && (t.end <= lineEnd || where === 'block')) at = Math.max(at, t.end);
    diagnostics.push(
      error(
        'parse.unclosed-bracket',
        `Expected \`${open.text === '(' ? ')' : ']'}\` to close the \`${open.text}\` opened here, found the end of the ${where}.`,
        { start: open.start, end: at },
      ),
    );
    // Keep the broken statement up to the bracket's line (the parser sees the diagnostic and
    // records it as invalid, so the name it meant to bind is known to be broken: no cascade),
    // and read the lines after that again, so one missing bracket does not swallow the rest.
    const kept = tokens.filter((t) => t.end <= lineEnd);
    if (kept.length > 0) pushLine(out, kept, indent, indentKind, indentStart, indentEnd, lineStart, segIndex);
    // Read again from the next line that is not more indented than the broken statement (more
    // indented lines, like blank ones, were its continuation: `x = [1,` then `  2,`).
    const own = indentEnd - indentStart;
    let next = lineEnd;
    while (next < end) {
      next += text[next] === '\r' && text[next + 1] === '\n' ? 2 : 1;
      let k = next;
      while (k < end && (text[k] === ' ' || text[k] === '\t')) k++;
      const blank = k >= end || text[k] === '\n' || text[k] === '\r' || text[k] === '#';
      if (!blank && k - next <= own) return next;
      next = k;
      while (next < end && text[next] !== '\n' && text[next] !== '\r') next++;
    }
    return undefined;
  }
  if (tokens.length > 0) pushLine(out, tokens, indent, indentKind, indentStart, indentEnd, lineStart, segIndex);
  return undefined;
}

function pushLine(
  out: LogicalLine[],
  tokens: Token[],
  indent: number,
  indentKind: LogicalLine['indentKind'],
  indentStart: number,
  indentEnd: number,
  lineStart: number,
  segment: number,
): void {
  out.push({
    tokens,
    indent,
    indentKind,
    indentSpan: { start: indentStart, end: indentEnd },
    span: { start: lineStart, end: tokens[tokens.length - 1].end },
    segment,
  });
}
