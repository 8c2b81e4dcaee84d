/**
 * A class roster (`roster.csv` next to an assignment source) for "Preview Assignment as
 * Student…": a header row with an `id` column (or `student_id`, `sis_id`; any case) and one row per
 * student, commas between fields, `"…"` around a field that holds a comma or a quote (`""` inside).
 * A `name` column (or `student_name`), if there is one, is shown beside the id in the quick pick.
 * Pure (no vscode, no node:*): it runs in the analysis worker, which read the file under the
 * file-access policy (fileAccess.ts).
 */
/** The file next to an assignment source that lists its students. */
export const ROSTER_FILE = 'roster.csv';

export interface RosterStudent {
  readonly id: string;
  readonly name?: string;
}

export type Roster = { readonly students: RosterStudent[] } | { readonly problem: string };

const ID_COLUMNS = ['id', 'student_id', 'sis_id'];
const NAME_COLUMNS = ['name', 'student_name'];

/** One CSV line's fields (RFC 4180 quoting within the line). */
function fields(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let value = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          value += line.slice(i);
          i = line.length;
          break;
        }
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const comma = line.indexOf(',', i);
      i = comma < 0 ? line.length : comma;
    } else {
      const comma = line.indexOf(',', i);
      value = line.slice(i, comma < 0 ? line.length : comma);
      i = comma < 0 ? line.length : comma;
    }
    out.push(value.trim());
    if (i >= line.length) return out;
    i++; // the comma
  }
}

/** The students of a roster, in file order, each id once; or what is wrong with it (naming the row). */
export function parseRoster(text: string): Roster {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = lines[0] !== undefined ? fields(lines[0]).map((h) => h.toLowerCase()) : [];
  const idCol = header.findIndex((h) => ID_COLUMNS.includes(h));
  if (idCol < 0) return { problem: `Expected a header row with an "id" (or "student_id", "sis_id") column, found ${lines[0]?.trim() ? `"${lines[0].trim().slice(0, 80)}"` : 'an empty first line'}.` };
  const nameCol = header.findIndex((h) => NAME_COLUMNS.includes(h));
  const students: RosterStudent[] = [];
  const seen = new Set<string>();
  for (let r = 1; r < lines.length; r++) {
    if (!lines[r].trim()) continue;
    const f = fields(lines[r]);
    const id = f[idCol] ?? '';
    if (!id) return { problem: `Expected a student id in row ${r + 1}, found none.` };
    if (seen.has(id)) continue;
    seen.add(id);
    const name = nameCol >= 0 ? f[nameCol] : undefined;
    students.push(name ? { id, name } : { id });
  }
  return { students };
}
