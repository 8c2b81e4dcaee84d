/**
 * A roster CSV (docs/grading.md): a header row naming an `id` column (or `student_id`,
 * `sis_id`, any case), then one student per row. RFC 4180 cells (quoted cells may hold commas,
 * quotes doubled). A malformed roster is a reason naming its row.
 */
import { STUDENT_ID } from './handout';

const ID_COLUMNS = ['id', 'student_id', 'sis_id', 'student id', 'sis id'];

/** The rows of a CSV text, or the 1-based row where a quoted cell is left open. */
export function csvRows(text: string): string[][] | { openQuoteRow: number } {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  let rowStartLine = 1;
  let line = 1;
  const t = text.replace(/^\uFEFF/, '');
  while (i < t.length) {
    const c = t[i];
    if (quoted) {
      if (c === '"' && t[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
      i++;
      continue;
    }
    if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && t[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      line++;
      rowStartLine = line;
    } else cell += c;
    i++;
  }
  if (quoted) return { openQuoteRow: rowStartLine };
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** The student ids of a roster, in order; or why it cannot be used (naming the row, 1-based, the header being row 1). */
export function readRoster(text: string): { ids: string[] } | { error: string } {
  const rows = csvRows(text);
  if (!Array.isArray(rows)) return { error: `row ${rows.openQuoteRow}: a quoted cell is never closed` };
  const nonEmpty = rows.map((r, k) => ({ r, row: k + 1 })).filter(({ r }) => !(r.length === 1 && r[0].trim() === ''));
  if (!nonEmpty.length) return { error: 'the roster is empty (expected a header row with an `id` column, then one student per row)' };
  const header = nonEmpty[0].r.map((h) => h.trim().toLowerCase());
  const col = header.findIndex((h) => ID_COLUMNS.includes(h));
  if (col < 0) return { error: `row ${nonEmpty[0].row}: expected a header with an \`id\`, \`student_id\` or \`sis_id\` column, found ${header.map((h) => JSON.stringify(h)).join(', ').slice(0, 200)}` };
  const ids: string[] = [];
  const seen = new Map<string, number>();
  for (const { r, row } of nonEmpty.slice(1)) {
    if (r.length !== header.length) return { error: `row ${row}: expected ${header.length} cells as in the header, found ${r.length}` };
    const id = r[col].trim();
    if (!STUDENT_ID.test(id)) return { error: `row ${row}: expected a student id of letters, digits and . _ @ + - (at most 64, not starting with .), found ${JSON.stringify(id.slice(0, 80))}` };
    const before = seen.get(id);
    if (before !== undefined) return { error: `row ${row}: the student ${id} is already on row ${before}` };
    seen.set(id, row);
    ids.push(id);
  }
  if (!ids.length) return { error: 'the roster has a header but no student' };
  return { ids };
}
