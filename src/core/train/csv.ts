/**
 * `load_csv("data.csv", header=…, delimiter=",")`: a numeric table as a 2-D tensor, read
 * relative to the document through the host's `readFile` (AnalyzeOptions.readFile). A
 * malformed file is an error on the string argument naming the row and column, never a crash.
 */
import { defineBuiltin, type CallContext } from '../builtins/types';
import type { Tensor } from '../tensor/tensor';

export interface CsvTable {
  readonly header: string[] | null;
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export interface CsvProblem {
  readonly error: string;
}

/** Splits one line on the delimiter, honouring double-quoted fields ("a,b" and "" escapes). */
function splitFields(line: string, delim: string): string[] {
  if (!line.includes('"')) return line.split(delim);
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (line.startsWith(delim, i)) {
      out.push(cur);
      cur = '';
      i += delim.length - 1;
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** A number as numpy's loadtxt/genfromtxt read it: decimal, exponent, inf, nan; nothing else. */
function parseField(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
  const l = t.toLowerCase();
  if (l === 'nan' || l === '+nan' || l === '-nan') return NaN;
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return undefined;
}

/**
 * Parses CSV text. `header`: true skips the first row as column names, false reads it as
 * data, null detects it (a first row with a field that is not a number is a header).
 */
export function parseCsv(text: string, header: boolean | null = null, delimiter = ','): CsvTable | CsvProblem {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\n|\r/);
  const rowsText: { line: number; fields: string[] }[] = [];
  lines.forEach((l, k) => {
    if (l.trim() === '' || l.trimStart().startsWith('#')) return;
    rowsText.push({ line: k + 1, fields: splitFields(l, delimiter) });
  });
  if (rowsText.length === 0) return { error: 'Expected rows of numbers, found an empty file.' };
  let names: string[] | null = null;
  const first = rowsText[0];
  const firstNumeric = first.fields.every((f) => parseField(f) !== undefined);
  if (header === true || (header === null && !firstNumeric)) {
    names = first.fields.map((f) => f.trim());
    rowsText.shift();
  }
  if (rowsText.length === 0) return { error: 'Expected rows of numbers after the header, found none.' };
  const cols = names ? names.length : rowsText[0].fields.length;
  const data = new Float64Array(rowsText.length * cols);
  for (let r = 0; r < rowsText.length; r++) {
    const { line, fields } = rowsText[r];
    if (fields.length !== cols) {
      return { error: `Expected ${cols} field${cols === 1 ? '' : 's'} on line ${line} (as on ${names ? 'the header' : 'the first row'}), found ${fields.length}.` };
    }
    for (let c = 0; c < cols; c++) {
      const v = parseField(fields[c]);
      if (v === undefined) {
        // The file's content is never quoted (a document may name a file it should not show):
        // the row, the column and what kind of text stood there.
        const found = fields[c].trim() === '' ? 'an empty field' : 'text that is not a number';
        return {
          error: `Expected a number on line ${line}, column ${c + 1}, found ${found}${r === 0 && !names && header === false ? ' (the first row is text: drop `header=false`)' : ''}.`,
        };
      }
      data[r * cols + c] = v;
    }
  }
  return { header: names, rows: rowsText.length, cols, data };
}

export function isCsvProblem(x: CsvTable | CsvProblem): x is CsvProblem {
  return 'error' in x;
}

export function csvTensor(t: CsvTable): Tensor {
  return { shape: [t.rows, t.cols], data: t.data };
}

function load(ctx: CallContext, path: string, header: boolean | null, delimiter: string, pathSpan = ctx.span, skip = 0): number | undefined {
  if (!ctx.readFile) {
    return ctx.error('csv.no-files', `Expected a host that can read files for load_csv("${path}"), found none (the CLI and the editor provide one).`, pathSpan);
  }
  let text: string | undefined;
  try {
    text = ctx.readFile(path);
  } catch (e) {
    // A host's refusal (src/extension/fileAccess.ts: outside the folder, untrusted workspace, not
    // a regular file, too large) comes with its own code and a whole message.
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^csv\.[a-z-]+$/.test(code)) return ctx.error(code, (e as Error).message, pathSpan);
    return ctx.error('csv.unreadable', `Expected a readable file "${path}", found an error: ${(e as Error).message}.`, pathSpan);
  }
  if (text === undefined) return ctx.error('csv.not-found', `Expected a file "${path}" next to the document, found none.`, pathSpan);
  // Parsing is charged before it runs: a character of the file is a unit of work.
  ctx.charge?.(text.length);
  if (skip > 0) {
    let at = 0;
    for (let k = 0; k < skip && at >= 0; k++) {
      const nl = text.indexOf('\n', at);
      at = nl < 0 ? -1 : nl + 1;
    }
    text = at < 0 ? '' : text.slice(at);
  }
  const t = parseCsv(text, header, delimiter);
  if (isCsvProblem(t)) return ctx.error('csv.malformed', `${t.error.slice(0, -1)} in "${path}".`, pathSpan);
  return ctx.constant(csvTensor(t));
}

defineBuiltin({
  name: 'load_csv',
  aliases: ['read_csv', 'loadtxt', 'genfromtxt'],
  group: 'constructors',
  signature: 'load_csv(path, header=auto, delimiter=",", skiprows=0)',
  doc: 'A numeric table read from a CSV file next to the document, as a [rows, columns] tensor (a constant). A first row with text is taken as the header unless `header=` says otherwise; `skiprows=k` (numpy\'s `loadtxt`; `skip_header` of `genfromtxt`) drops the first k lines, and then no header is looked for.',
  params: [
    { name: 'path', kind: 'string', aliases: ['fname', 'filepath_or_buffer'] },
    { name: 'header', kind: 'bool', default: null },
    { name: 'delimiter', kind: 'string', default: ',', aliases: ['sep'] },
    { name: 'skiprows', kind: 'int', default: 0, aliases: ['skip_header'] },
  ],
  call(args, ctx) {
    const path = args.values.path as string;
    const h = args.values.header;
    const skip = Math.max(0, Math.trunc(Number(args.values.skiprows ?? 0)));
    // numpy's loadtxt(skiprows=k) / genfromtxt(skip_header=k): the first k lines are dropped
    // and the rest is read as numbers, with no header detection.
    const header = skip > 0 && (h === null || h === undefined) ? false : h === null || h === undefined ? null : Boolean(h);
    return load(ctx, path, header, args.values.delimiter as string, args.spans.path ?? ctx.span, skip);
  },
});
