/**
 * `gradlens assign SOURCE --roster roster.csv --out DIR [--seed N]` and
 * `gradlens grade KEY SUBMISSION… --out DIR [--visibility V]` (docs/grading.md). The core makes
 * handouts, keys and grades (src/core/assign); this file reads and writes the files.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildKey, failedSubmission, gradeSubmission, gradesCsv, gradescopeResults, handoutFor, keyCsv, prairielearnResults, readKey, readRoster, safeFolderName, type AssignmentKind, type GradingKey, type SubmissionGrade } from '../core/assign/index';
import { isFolder, readFolder, studentFromPath } from './folders';

type Flags = ReadonlyMap<string, string | true>;
type Reader = (file: string, err: (s: string) => void, problem?: (why: string) => void) => string | undefined;

function kindOf(file: string): AssignmentKind | 'python' | undefined {
  if (/\.(md|markdown)$/i.test(file)) return 'markdown';
  if (/\.nn$/i.test(file)) return 'nn';
  if (/\.py$/i.test(file)) return 'python';
  return undefined;
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

export function assignCommand(positional: readonly string[], flags: Flags, read: Reader, out: (s: string) => void, err: (s: string) => void): number {
  const source = positional[1];
  const rosterFile = flags.get('--roster');
  const dir = flags.get('--out');
  if (!source || positional.length > 2 || typeof rosterFile !== 'string' || typeof dir !== 'string') {
    err('gradlens assign: expected SOURCE --roster roster.csv --out DIR [--seed N] [--released]');
    return 2;
  }
  const seedFlag = flags.get('--seed');
  if (seedFlag !== undefined && !(typeof seedFlag === 'string' && /^\d{1,15}$/.test(seedFlag))) {
    err(`gradlens assign: --seed expects a whole number of 0 or more, found ${String(seedFlag)}`);
    return 2;
  }
  const kind = kindOf(source);
  if (kind !== 'markdown' && kind !== 'nn') {
    err(`gradlens assign: expected a .md or .nn assignment source, found ${source}`);
    return 2;
  }
  const text = read(source, err);
  const rosterText = read(rosterFile, err);
  if (text === undefined || rosterText === undefined) return 2;
  const roster = readRoster(rosterText);
  if ('error' in roster) {
    err(`gradlens assign: ${rosterFile}: ${roster.error}`);
    return 2;
  }
  const seed = seedFlag !== undefined ? Number(seedFlag) : undefined;
  const results = roster.ids.map((id) => handoutFor(text, kind, id, seed, { released: flags.has('--released') }));
  const errors = results.flatMap((r) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${r.key.student}: ${d.message}`));
  if (errors.length) {
    for (const e of [...new Set(errors)].slice(0, 20)) err(`gradlens assign: ${source}: ${e}`);
    err('gradlens assign: nothing written (fix the source first)');
    return 1;
  }
  if (!results[0].assignment?.questions.length) {
    err(`gradlens assign: ${source} has no \`question\` with an \`answer\` (docs/grading.md): nothing to hand out`);
    return 1;
  }
  for (const r of results) for (const d of r.diagnostics) err(`gradlens assign: warning: ${d.message}`);
  const usedSeed = seed ?? results[0].assignment?.seed ?? 0;
  const ext = kind === 'markdown' ? 'md' : 'nn';
  for (const r of results) write(join(dir, r.key.student, `handout.${ext}`), r.handout);
  const key = buildKey(text, kind, usedSeed, results);
  write(join(dir, 'key.json'), JSON.stringify(key, null, 2) + '\n');
  write(join(dir, 'key.csv'), keyCsv(key));
  const answers = key.questions.reduce((s, q) => s + q.answers.length, 0);
  out(`gradlens assign: ${results.length} handout${results.length === 1 ? '' : 's'} (${key.questions.length} questions, ${answers} answers each) and key.json, key.csv in ${dir}`);
  return 0;
}

interface SubmissionFile {
  readonly path: string;
  readonly text?: string;
  readonly refused?: string;
  readonly fallbackStudent: string;
}

/** The submission files named: files as they are, folders by their .md/.nn/.py files. */
function collect(args: readonly string[], read: Reader, err: (s: string) => void): SubmissionFile[] {
  const files: SubmissionFile[] = [];
  for (const a of args) {
    if (isFolder(a)) {
      const { files: found, truncated } = readFolder(a, /\.(md|markdown|nn|py)$/i);
      if (truncated) err(`gradlens grade: ${a}: more files than one run reads; the rest are left out`);
      if (!found.length) files.push({ path: a, refused: 'a folder with no .md, .nn or .py file', fallbackStudent: basename(a) });
      for (const f of found) files.push({ path: f.path, ...(f.text !== undefined ? { text: f.text } : {}), ...(f.refused ? { refused: f.refused } : {}), fallbackStudent: studentFromPath(f.relative) });
    } else {
      let why = 'unreadable';
      const text = read(a, () => undefined, (w) => (why = w));
      files.push({ path: a, ...(text !== undefined ? { text } : { refused: `cannot be read: ${why}` }), fallbackStudent: basename(a).replace(/\.[^.]*$/, '') });
    }
  }
  return files;
}

/** Grades every submission file (never stops at a bad one). Exported for the benchmark. */
export function gradeFiles(key: GradingKey, files: readonly SubmissionFile[]): SubmissionGrade[] {
  return files.map((f) => {
    const kind = kindOf(f.path);
    const zero = (why: string): SubmissionGrade => failedSubmission(key, f.path, f.fallbackStudent, why);
    if (f.refused !== undefined) return zero(f.refused);
    if (kind === undefined) return zero('expected a .md, .nn or .py file');
    return gradeSubmission(key, { file: f.path, text: f.text ?? '', kind, fallbackStudent: f.fallbackStudent });
  });
}

const VISIBILITIES = new Set(['visible', 'hidden', 'after_due_date', 'after_published']);

export function gradeCommand(positional: readonly string[], flags: Flags, read: Reader, out: (s: string) => void, err: (s: string) => void): number {
  const keyFile = positional[1];
  const subs = positional.slice(2);
  const dir = flags.get('--out');
  const visibility = flags.get('--visibility') ?? 'visible';
  if (!keyFile || !subs.length || typeof dir !== 'string') {
    err('gradlens grade: expected KEY SUBMISSION… --out DIR (a submission is a file or a folder)');
    return 2;
  }
  if (typeof visibility !== 'string' || !VISIBILITIES.has(visibility)) {
    err(`gradlens grade: --visibility expects visible, hidden, after_due_date or after_published, found ${String(visibility)}`);
    return 2;
  }
  const keyText = read(keyFile, err);
  if (keyText === undefined) return 2;
  const key = readKey(keyText);
  if ('error' in key) {
    err(`gradlens grade: ${keyFile}: ${key.error}`);
    return 2;
  }
  const grades = gradeFiles(key, collect(subs, read, err));
  write(join(dir, 'grades.csv'), gradesCsv(key, grades));
  const used = new Map<string, number>();
  for (const g of grades) {
    // Two submissions of one student (or of unknown students with one name) get their own folders.
    let name = safeFolderName(g.student);
    const n = (used.get(name) ?? 0) + 1;
    used.set(name, n);
    if (n > 1) name = `${name}~${n}`;
    write(join(dir, name, 'gradescope', 'results.json'), JSON.stringify(gradescopeResults(g, visibility as 'visible'), null, 2) + '\n');
    write(join(dir, name, 'prairielearn', 'results.json'), JSON.stringify(prairielearnResults(g), null, 2) + '\n');
  }
  const errors = grades.filter((g) => g.error);
  for (const g of errors) err(`gradlens grade: ${g.file}: scored 0: ${g.error}`);
  out(`gradlens grade: ${grades.length} submission${grades.length === 1 ? '' : 's'} graded (${errors.length} scored 0 as a whole); grades.csv and results.json files in ${dir}`);
  return errors.length ? 1 : 0;
}
