/**
 * A class roster for "Preview Assignment as Student…": the file next to an assignment source and
 * what the worker reports of it. The worker parses it with the core's `readRoster`
 * (src/core/assign/roster.ts, the CLI's `--roster` rules); this file has no core import, so the
 * extension bundle can name it.
 */

/** The file next to an assignment source that lists its students. */
export const ROSTER_FILE = 'roster.csv';

export interface RosterStudent {
  readonly id: string;
  /** From a `name` (or `student_name`) column, shown beside the id in the quick pick. */
  readonly name?: string;
}

export type Roster = { readonly students: RosterStudent[] } | { readonly problem: string };
