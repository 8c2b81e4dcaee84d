import type { Segment } from './lexer';

/**
 * The ```nn (or ~~~nn) fenced blocks of a Markdown text, as segments of the same text, so
 * every offset the analysis reports is an offset in the Markdown file itself. CommonMark
 * fences: three or more backticks or tildes, closed by a fence of the same character at
 * least as long; the info string's first word selects the language. Fences indented inside
 * list items are accepted (their indentation is removed from the block's lines).
 */
export function markdownSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  const lineRe = /[^\r\n]*(\r\n|\r|\n|$)/g;
  let open: { char: string; len: number; indent: number; contentStart: number; nn: boolean } | null = null;
  let m: RegExpExecArray | null;
  while ((m = lineRe.exec(text)) !== null) {
    if (m[0] === '') break;
    const lineStart = m.index;
    const line = m[0].replace(/[\r\n]+$/, '');
    const next = lineStart + m[0].length;
    // Strip blockquote markers are not supported; plain indentation is.
    const fm = /^([ \t]*)(`{3,}|~{3,})(.*)$/.exec(line);
    if (open) {
      if (fm && fm[2][0] === open.char && fm[2].length >= open.len && fm[3].trim() === '') {
        if (open.nn) segments.push({ start: open.contentStart, end: lineStart, baseIndent: open.indent });
        open = null;
      }
    } else if (fm) {
      const info = fm[3].trim();
      // Backtick fences may not have backticks in their info string.
      if (!(fm[2][0] === '`' && info.includes('`'))) {
        const lang = info.split(/[\s{]/)[0].toLowerCase();
        open = { char: fm[2][0], len: fm[2].length, indent: fm[1].replace(/\t/g, '    ').length, contentStart: next, nn: lang === 'nn' };
      }
    }
    if (next >= text.length) break;
    lineRe.lastIndex = next;
  }
  // An unclosed fence runs to the end of the document (CommonMark).
  if (open && open.nn) segments.push({ start: open.contentStart, end: text.length, baseIndent: open.indent });
  return segments;
}
