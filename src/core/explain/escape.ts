/**
 * User text on its way into Markdown, HTML or LaTeX: one function per target, used by every
 * place that writes user text (hovers, derivations, detail documents, worked solutions), and
 * `clip`, which bounds how much of it a message quotes (docs/security.md).
 *
 * A document from someone else's repository is untrusted: a backtick in a comment must not end
 * an inline code span, `![x](y)` must not become an image, `<img>` must not become HTML, `$(icon)`
 * must not become a VS Code codicon and `\input` must not reach pdflatex as a command.
 */

/** The most characters of the user's text a message or a hover quotes. */
export const MAX_QUOTE = 80;

/**
 * At most `max` characters (code points: a surrogate pair is never split) of `s`, with `…` when
 * it was longer. Line breaks and tabs become spaces, so a quote stays on its line.
 */
export function clip(s: string, max = MAX_QUOTE): string {
  // Only the first max + 1 code points are looked at: a 10 MB identifier costs nothing here.
  let units = 0;
  let points = 0;
  while (units < s.length && points <= max) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length && (s.charCodeAt(units + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    points++;
  }
  let head = points > max ? s.slice(0, cutAt(s, max)) : s;
  if (LINE_BREAK_OR_TAB.test(head)) head = head.replace(/[\r\n\t\u2028\u2029]+/g, ' ');
  return points > max ? `${head}…` : head;
}

const LINE_BREAK_OR_TAB = /[\r\n\t\u2028\u2029]/;
const LINE_BREAK = /[\r\n\u2028\u2029]/;

/** The UTF-16 offset just after the first `n` code points of s. */
function cutAt(s: string, n: number): number {
  let units = 0;
  for (let k = 0; k < n && units < s.length; k++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length && (s.charCodeAt(units + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return units;
}

// ---- Markdown (CommonMark + GFM, as VS Code's hovers and Markdown preview read it) ----------

/**
 * Text as Markdown prose on one line, shown as written: nothing in it becomes markup. Escaped
 * (CommonMark lets any ASCII punctuation be backslash-escaped): `\`, code spans (`), emphasis
 * (`*`, `~`, and `_` unless inside a word, where it cannot emphasise), raw HTML and autolinks
 * (`<`), entities (`&` before `name;`), table cells (`|`), math and VS Code codicons (`$`), links
 * and images (`(` or `[` right after `]`: without it `[x](y)`, `![x](y)` and `[x][y]` are plain
 * text) and a heading's `#` at the start. It is for text inside a line (callers never start a
 * line with user text, so list and quote markers cannot arise). Brackets elsewhere stay
 * as they are, so shapes and tensors (`[2, 3] [[1, 2]]`) read unchanged. Line breaks become
 * spaces.
 */
export function mdText(s: string): string {
  // Most text (numbers, shapes, rules in Unicode) has nothing to escape: one cheap scan first.
  if (!MD_SPECIAL.test(s)) return s;
  const t = s.replace(/[\r\n\u2028\u2029]+/g, ' ');
  // One pass over the characters, not a Unicode regex with lookbehinds (which costs ten times
  // as much on a derivation's recurrence, thousands of characters). Escaped: \ ` * ~ < | $
  // always; _ unless a letter or digit (Unicode) is on both sides; & before #?\w+; ; ( and [
  // right after ]; a # after nothing but white space at the start.
  let out = '';
  let from = 0;
  let i = 0;
  const head = /^\s*#/.exec(t);
  if (head) {
    out = `${head[0].slice(0, -1)}\\#`;
    from = i = head[0].length;
  }
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c > 0x7e || !MD_ASCII[c]) continue;
    let escape: boolean;
    if (c === 0x5f /* _ */) escape = !wordBefore(t, i) || !wordAfter(t, i + 1);
    else if (c === 0x26 /* & */) {
      ENTITY.lastIndex = i + 1;
      escape = ENTITY.test(t);
    }
    else if (c === 0x28 /* ( */ || c === 0x5b /* [ */) escape = i > 0 && t.charCodeAt(i - 1) === 0x5d;
    else escape = true;
    if (!escape) continue;
    out += t.slice(from, i) + '\\';
    from = i;
  }
  return out + t.slice(from);
}

/** Could anything in a string need mdText's escaping? (A superset of what it escapes.) */
const MD_SPECIAL = /[\\`*~<|$_&#\r\n\u2028\u2029]|\][([]/;
/** Characters mdText escapes wherever they are. */
const MD_ALWAYS = new Set([...'\\`*~<|$'].map((ch) => ch.charCodeAt(0)));
/** ASCII characters mdText may escape (a table by code, for its scan). */
const MD_ASCII: boolean[] = Array.from({ length: 0x7f }, (_, k) => MD_ALWAYS.has(k) || '_&(['.includes(String.fromCharCode(k)));
/** What makes `&` an entity reference (`&amp;`, `&#60;`), read from just after the `&`. */
const ENTITY = /#?\w+;/y;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
/** A letter or digit (Unicode) just before offset i: the code point ending there. */
function wordBefore(t: string, i: number): boolean {
  if (i === 0) return false;
  const c = t.charCodeAt(i - 1);
  if (c < 0x80) return isAsciiWord(c);
  const lowHalf = (c & 0xfc00) === 0xdc00 && i >= 2 && (t.charCodeAt(i - 2) & 0xfc00) === 0xd800;
  return LETTER_OR_DIGIT.test(lowHalf ? t.slice(i - 2, i) : t[i - 1]);
}
/** A letter or digit (Unicode) starting at offset i. */
function wordAfter(t: string, i: number): boolean {
  if (i >= t.length) return false;
  const c = t.charCodeAt(i);
  if (c < 0x80) return isAsciiWord(c);
  const pair = (c & 0xfc00) === 0xd800 && i + 1 < t.length && (t.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
  return LETTER_OR_DIGIT.test(pair ? t.slice(i, i + 2) : t[i]);
}
function isAsciiWord(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * Text as an inline code span: the fence is one backtick longer than the longest run of
 * backticks inside, with a space each side when the text starts or ends with a backtick or a
 * space (CommonMark strips one), so nothing inside ends it. Line breaks become spaces (a code
 * span in a heading or a table cell cannot cross a line). Inside a code span nothing else is
 * markup (HTML, links and `$(icon)` are shown as written).
 */
export function mdCode(s: string): string {
  const t = LINE_BREAK.test(s) ? s.replace(/[\r\n\u2028\u2029]+/g, ' ') : s;
  const longest = longestBackticks(t);
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(t) && t.trim() !== '' ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

/**
 * Lines as a fenced code block: the fence is longer than any run of backticks in the lines, so
 * no line closes it; nothing inside is markup.
 */
export function mdFence(lines: readonly string[], info = ''): string {
  let longest = 0;
  for (const l of lines) longest = Math.max(longest, longestBackticks(l));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  let out = `${fence}${info}\n`;
  for (const l of lines) out += `${FENCE_BREAK.test(l) ? l.replace(/[\r\u2028\u2029]/g, ' ') : l}\n`;
  return out + fence;
}
const FENCE_BREAK = /[\r\u2028\u2029]/;

/** The longest run of backticks in s (0 without one; most text has none). */
function longestBackticks(s: string): number {
  let longest = 0;
  for (let i = s.indexOf('`'); i >= 0; i = s.indexOf('`', i)) {
    let j = i + 1;
    while (j < s.length && s.charCodeAt(j) === 0x60) j++;
    longest = Math.max(longest, j - i);
    i = j;
  }
  return longest;
}

/** A table cell: prose escaped as mdText (which escapes `|` too). */
export const mdCell = mdText;

// ---- HTML -----------------------------------------------------------------------------------

/** Text as HTML character data or a quoted attribute value. */
export function htmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

// ---- LaTeX ----------------------------------------------------------------------------------

/** Unicode that appears in prose and messages, as pdflatex-safe LaTeX (without inputenc tricks). */
const TEXT_UNICODE: Record<string, string> = {
  '∂': '$\\partial$',
  '−': '-',
  '·': '$\\cdot$',
  '×': '$\\times$',
  '≠': '$\\neq$',
  '≤': '$\\leq$',
  '≥': '$\\geq$',
  '→': '$\\to$',
  '←': '$\\leftarrow$',
  '✓': '$\\checkmark$',
  '✗': '$\\times$',
  '…': '\\ldots{}',
  '—': '---',
  '–': '--',
  '‖': '$\\|$',
  '⊙': '$\\odot$',
  'ᵀ': '$^{\\top}$',
  '²': '$^{2}$',
  '³': '$^{3}$',
  '½': '$\\frac{1}{2}$',
  '∑': '$\\sum$',
  'Σ': '$\\Sigma$',
  '𝟙': '$\\mathbf{1}$',
  '√': '$\\surd$',
  '∞': '$\\infty$',
  '’': "'",
  '‘': '`',
  '“': '``',
  '”': "''",
  'α': '$\\alpha$',
  'β': '$\\beta$',
  'γ': '$\\gamma$',
  'δ': '$\\delta$',
  'ε': '$\\epsilon$',
  'η': '$\\eta$',
  'θ': '$\\theta$',
  'λ': '$\\lambda$',
  'μ': '$\\mu$',
  'π': '$\\pi$',
  'σ': '$\\sigma$',
  'τ': '$\\tau$',
  'φ': '$\\phi$',
  'Φ': '$\\Phi$',
  'ω': '$\\omega$',
};

/**
 * Plain text as LaTeX text (pdflatex, and KaTeX's `\text{…}`): the ten specials
 * (# $ % & _ { } ~ ^ \) escaped, < > | as math, known Unicode mapped, other non-ASCII replaced by
 * `?`, line breaks as spaces.
 */
export function texText(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\':
        out += '\\textbackslash{}';
        continue;
      case '{':
      case '}':
      case '#':
      case '$':
      case '%':
      case '&':
      case '_':
        out += `\\${ch}`;
        continue;
      case '~':
        out += '\\textasciitilde{}';
        continue;
      case '^':
        out += '\\textasciicircum{}';
        continue;
      case '<':
        out += '$<$';
        continue;
      case '>':
        out += '$>$';
        continue;
      case '|':
        out += '$|$';
        continue;
      case '\n':
      case '\r':
      case '\t':
        out += ' ';
        continue;
    }
    const code = ch.codePointAt(0)!;
    if (code < 128) out += code < 32 || code === 127 ? ' ' : ch;
    else out += TEXT_UNICODE[ch] ?? '?';
  }
  return out;
}
