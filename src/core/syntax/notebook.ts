import type { Diagnostic } from '../diagnostics';
import type { Span } from '../span';

/**
 * Jupyter notebooks as one Python program. The code cells, in document order, are joined into
 * one text (each cell starting on a new line), the way `markdownSegments` reads the ```nn blocks
 * of a Markdown file as one program; `cells` maps every offset of that program back to its cell.
 *
 * IPython syntax that is not Python is neutralised without moving any offset: a line magic or
 * shell escape (`%matplotlib inline`, `!pip install torch`, `%time x = f()`) becomes a comment
 * (its first non-blank character is replaced by `#`), and a cell magic other than `%%time`,
 * `%%timeit` and `%%capture` (`%%bash`, `%%writefile f.py`, `%%html`) turns the whole cell into
 * blanks, since its body is not Python. Pure: no vscode, no node:*.
 */

/** One cell as the notebook holds it. */
export interface NotebookCellSource {
  /** `code`, `markdown` or `raw` (nbformat's `cell_type`). */
  readonly kind: string;
  readonly source: string;
  /** The cell's language when it has its own (VS Code cells); absent: the notebook's. */
  readonly language?: string;
}

/** Where one code cell sits in the program. */
export interface CellRange {
  /** Index of the cell in the notebook (markdown and raw cells counted, as nbformat and VS Code count). */
  readonly cell: number;
  /** Its text in the program: [start, end), `end - start` = the cell's own length. */
  readonly start: number;
  readonly end: number;
  /** 0-based program line of the cell's first line. */
  readonly line: number;
}

export interface NotebookProgram {
  /** The code cells' Python, joined; offsets inside a cell equal the cell's own offsets. */
  readonly text: string;
  readonly cells: readonly CellRange[];
  /** The kernel's language (`python` when the notebook does not say). */
  readonly language: string;
  /** Problems reading the notebook (malformed JSON, not nbformat 4); spans are in the .ipynb text. */
  readonly diagnostics: Diagnostic[];
}

/** Cell magics whose body is still Python. */
const PYTHON_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun']);

/** The cell's text with IPython-only lines neutralised, offsets unchanged. */
export function neutraliseMagics(source: string): string {
  const cellMagic = /^\s*%%(\w+)/.exec(source);
  if (cellMagic) {
    const first = source.indexOf('%%');
    if (!PYTHON_CELL_MAGICS.has(cellMagic[1])) return source.replace(/[^\r\n]/g, ' ');
    source = source.slice(0, first) + '#' + source.slice(first + 1);
  }
  // `%…` and `!…` at the start of a logical line (after indentation) are IPython, not Python.
  return source.replace(/^([ \t]*)([%!])/gm, (_m, indent: string) => `${indent}#`);
}

/** The program of a notebook's cells (the editor's cells, or the cells read from .ipynb JSON). */
export function notebookProgram(cells: readonly NotebookCellSource[], language = 'python'): NotebookProgram {
  const parts: string[] = [];
  const ranges: CellRange[] = [];
  let offset = 0;
  let line = 0;
  cells.forEach((c, index) => {
    if (c.kind !== 'code') return;
    if (c.language !== undefined && c.language !== language) return;
    const text = neutraliseMagics(c.source);
    ranges.push({ cell: index, start: offset, end: offset + text.length, line });
    parts.push(text);
    offset += text.length;
    line += countLines(text);
    // Each cell starts on a line of its own.
    if (text.length > 0 && !/[\r\n]$/.test(text)) {
      parts.push('\n');
      offset += 1;
    } else if (text.length === 0) {
      parts.push('\n');
      offset += 1;
      line += 1;
    }
  });
  return { text: parts.join(''), cells: ranges, language, diagnostics: [] };
}

/** Line breaks in a text, counting \r\n as one. */
function countLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      n++;
    }
  }
  // A cell without a final newline gets one in the program: its last line still ends there.
  return text.length > 0 && !/[\r\n]$/.test(text) ? n + 1 : n;
}

/**
 * Reads an .ipynb file (nbformat 4 JSON). Each cell's `source` is a string or a list of strings
 * (joined as they are: the lines keep their own "\n"). Malformed JSON, or JSON that is not a
 * notebook, gives a diagnostic and an empty program, never an exception.
 */
export function readNotebook(json: string): NotebookProgram {
  let doc: unknown;
  try {
    doc = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch (e) {
    return empty(jsonProblem(json, (e as Error).message));
  }
  if (!isObject(doc) || !Array.isArray(doc.cells)) {
    return empty({ code: 'notebook.malformed', severity: 'error', message: `Expected a Jupyter notebook (nbformat 4: an object with "cells"), found ${describe(doc)}.`, span: { start: 0, end: Math.min(json.length, 1) } });
  }
  if (typeof doc.nbformat === 'number' && doc.nbformat < 4) {
    return empty({ code: 'notebook.version', severity: 'error', message: `Expected nbformat 4, found nbformat ${doc.nbformat}; re-save the notebook with a current Jupyter.`, span: { start: 0, end: Math.min(json.length, 1) } });
  }
  const cells: NotebookCellSource[] = doc.cells.map((c) => {
    if (!isObject(c)) return { kind: 'raw', source: '' };
    const src = c.source;
    const source = typeof src === 'string' ? src : Array.isArray(src) ? src.filter((s): s is string => typeof s === 'string').join('') : '';
    return { kind: typeof c.cell_type === 'string' ? c.cell_type : 'raw', source };
  });
  return notebookProgram(cells, kernelLanguage(doc));
}

function kernelLanguage(doc: Record<string, unknown>): string {
  const meta = isObject(doc.metadata) ? doc.metadata : {};
  const info = isObject(meta.language_info) ? meta.language_info : {};
  const spec = isObject(meta.kernelspec) ? meta.kernelspec : {};
  const lang = typeof info.name === 'string' ? info.name : typeof spec.language === 'string' ? spec.language : 'python';
  return lang.toLowerCase();
}

function empty(d: Diagnostic): NotebookProgram {
  return { text: '', cells: [], language: 'python', diagnostics: [d] };
}

/** A JSON.parse error, placed at the first offset where the text stops being JSON. */
function jsonProblem(json: string, message: string): Diagnostic {
  const at = Math.max(0, Math.min(jsonErrorOffset(json.replace(/^\uFEFF/, '')) + (json.startsWith('\uFEFF') ? 1 : 0), json.length));
  const found = at >= json.length ? 'the end of the file' : `\`${json[at]}\``;
  const reason = /^Unexpected end|Unterminated|end of JSON/i.test(message) || at >= json.length ? `it ends early (at ${found})` : `unexpected ${found}`;
  return {
    code: 'notebook.json',
    severity: 'error',
    message: `Expected a Jupyter notebook (JSON), found malformed JSON: ${reason}.`,
    span: { start: at, end: Math.min(json.length, at + 1) },
  };
}

/** The offset of the first character that makes `s` invalid JSON (RFC 8259), or s.length when it ends early. */
export function jsonErrorOffset(s: string): number {
  let i = 0;
  const ws = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = s[i];
    if (c === '{') {
      i++;
      ws();
      if (s[i] === '}') return void i++;
      for (;;) {
        ws();
        if (s[i] !== '"') fail();
        string();
        ws();
        if (s[i] !== ':') fail();
        i++;
        value();
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (s[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (s[i] === ',') i++;
        else if (s[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return string();
    for (const lit of ['true', 'false', 'null']) {
      if (s.startsWith(lit, i)) return void (i += lit.length);
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(s.slice(i, i + 400));
    if (m && m[0].length > 0 && m[0] !== '-') return void (i += m[0].length);
    fail();
  };
  const string = (): void => {
    i++;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === 34) return void i++;
      if (c < 32) fail();
      if (c === 92) {
        const e = s[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i + 2, i + 6))) {
            i += 2;
            fail();
          }
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else {
          i++;
          fail();
        }
      } else i++;
    }
    fail();
  };
  try {
    value();
    ws();
    return i < s.length ? i : s.length;
  } catch (at) {
    return typeof at === 'number' ? at : s.length;
  }
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (Array.isArray(x)) return 'an array';
  if (x === null) return 'null';
  if (isObject(x)) return 'an object without a "cells" list';
  return typeof x === 'string' ? 'a string' : `a ${typeof x}`;
}

/**
 * The cell holding a program offset, or undefined outside every code cell. A cell's end offset
 * belongs to it unless the next cell starts there.
 */
export function cellAt(program: Pick<NotebookProgram, 'cells'>, offset: number): CellRange | undefined {
  const cells = program.cells;
  let lo = 0;
  let hi = cells.length - 1;
  let found = -1;
  // The last cell starting at or before the offset.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cells[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const c = found >= 0 ? cells[found] : undefined;
  return c && offset <= c.end ? c : undefined;
}

/** A program span in its cell's own coordinates; undefined when it does not start in a code cell. */
export function spanInCell(program: Pick<NotebookProgram, 'cells'>, span: Span): { cell: number; span: Span } | undefined {
  const c = cellAt(program, span.start);
  if (!c) return undefined;
  return { cell: c.cell, span: { start: span.start - c.start, end: Math.min(span.end, c.end) - c.start } };
}
