import { warning, type Diagnostic } from '../diagnostics';
import type { Span } from '../span';
import type { Segment } from './lexer';

/**
 * The ```nn (or ~~~nn) fenced blocks of a Markdown text, as segments of the same text, so
 * every offset the analysis reports is an offset in the Markdown file itself. CommonMark
 * fences: three or more backticks or tildes, closed by a fence of the same character at
 * least as long and indented at most 3 columns more than the opening fence (or less: that
 * ends the list item holding it); the info string's first word selects the language. Fences
 * indented inside list items, or on a list item's first line (`- ```nn`), are accepted (the
 * item's content indentation is removed from the block's lines). A byte-order mark before the
 * first line is ignored. Blockquotes (`> ```nn`) are not read.
 */
export function markdownSegments(text: string, otherFences?: { lang: string; span: Span }[]): Segment[] {
  return fencedSegments(text, (lang) => lang === 'nn', otherFences);
}

/** The fenced blocks whose language `accept` takes; the others' language words go to `otherFences`. */
function fencedSegments(text: string, accept: (lang: string) => boolean, otherFences?: { lang: string; span: Span }[]): Segment[] {
  const segments: Segment[] = [];
  const lineRe = /[^\r\n]*(\r\n|\r|\n|$)/g;
  let open: { char: string; len: number; indent: number; contentStart: number; nn: boolean } | null = null;
  let m: RegExpExecArray | null;
  while ((m = lineRe.exec(text)) !== null) {
    if (m[0] === '') break;
    const lineStart = m.index;
    const line = m[0].replace(/[\r\n]+$/, '');
    const next = lineStart + m[0].length;
    const width = (ws: string): number => ws.replace(/\t/g, '    ').length;
    if (open) {
      const fm = /^\uFEFF?([ \t]*)(`{3,}|~{3,})(.*)$/.exec(line);
      if (fm && fm[2][0] === open.char && fm[2].length >= open.len && fm[3].trim() === '' && width(fm[1]) <= open.indent + 3) {
        if (open.nn) segments.push({ start: open.contentStart, end: lineStart, baseIndent: open.indent });
        open = null;
      }
    } else {
      // Indentation, then optionally a list marker and its spaces (the item's content column).
      const fm = /^\uFEFF?([ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?)(`{3,}|~{3,})(.*)$/.exec(line);
      const info = fm ? fm[3].trim() : '';
      // Backtick fences may not have backticks in their info string.
      if (fm && !(fm[2][0] === '`' && info.includes('`'))) {
        const lang = info.split(/[\s{]/)[0].toLowerCase();
        if (otherFences && !accept(lang) && lang !== '') {
          // Where the language word is (for a quick fix that changes it).
          const at = lineStart + line.indexOf(fm[2]) + fm[2].length + (fm[3].length - fm[3].trimStart().length);
          otherFences.push({ lang, span: { start: at, end: at + info.split(/[\s{]/)[0].length } });
        }
        open = { char: fm[2][0], len: fm[2].length, indent: width(fm[1].replace(/[-*+]|\d{1,9}[.)]/, (mk) => ' '.repeat(mk.length))), contentStart: next, nn: accept(lang) };
      }
    }
    if (next >= text.length) break;
    lineRe.lastIndex = next;
  }
  // An unclosed fence runs to the end of the document (CommonMark).
  if (open && open.nn) segments.push({ start: open.contentStart, end: text.length, baseIndent: open.indent });
  return segments;
}

/** Fence languages that hold Python (the homework's numpy/PyTorch code). */
const PYTHON_FENCES: ReadonlySet<string> = new Set(['python', 'py', 'python3', 'ipython', 'ipython3', 'pytorch', 'numpy']);

/**
 * A Markdown file with no ```nn block but ```python ones (the homework's numpy/PyTorch code) is
 * read as one Python program, block after block as the cells of a notebook: the program is the
 * Markdown text with everything outside those blocks blanked (line breaks kept), so every
 * offset the analysis reports is an offset in the Markdown file itself. Undefined when the file
 * has an ```nn block (then that is the program) or no Python block. A Python block indented
 * inside a list item cannot keep its offsets with its indentation removed: it is left out, with
 * a warning on its fence.
 */
export function markdownPython(text: string): { program: string; diagnostics: Diagnostic[] } | undefined {
  const others: { lang: string; span: Span }[] = [];
  if (markdownSegments(text, others).length > 0 || !others.some((f) => PYTHON_FENCES.has(f.lang))) return undefined;
  const blocks = fencedSegments(text, (lang) => PYTHON_FENCES.has(lang));
  const diagnostics: Diagnostic[] = [];
  const chars = text.replace(/[^\r\n]/g, ' ').split('');
  for (const b of blocks) {
    if (b.baseIndent > 0) {
      diagnostics.push(warning('markdown.python-indented', 'Expected a ```python block at the start of its lines, found one indented inside a list: GradLens reads Python blocks that are not indented; this one is left out.', { start: b.start, end: Math.min(text.length, b.start + 1) }));
      continue;
    }
    for (let k = b.start; k < b.end; k++) chars[k] = text[k];
  }
  return { program: chars.join(''), diagnostics };
}
