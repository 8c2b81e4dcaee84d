/**
 * `gradlens assign` and `gradlens grade` on the example assignment (examples/assignment/): the
 * 30 synthetic submissions are scored as examples/assignment/expected-scores.csv says. That file
 * is written by scripts/assignment-submissions.js WITHOUT GradLens: the keys there come from the
 * hand-derived closed forms (x1 = ReLU(x0·w0 + b0), ∂z/∂w0 = w1·x0, …, params = 31·H1 +
 * (H1 + 1)·H2 + H2 + 1, ∂L/∂h = P − y), each mistake is applied by hand, and each expected score
 * follows the rules of docs/grading.md. The outputs are validated against schemas written from
 * the formats' documentation (Gradescope "Autograder Specifications", PrairieLearn "External
 * Grading").
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';
import { csvRows } from '../../../src/core/assign/index';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}
const tmp = mkdtempSync(join(tmpdir(), 'gradlens-grade-'));
const EX = 'examples/assignment';

/** Every file under dir, relative path → bytes. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out.set(r, readFileSync(join(dir, r), 'latin1'));
    }
  };
  walk('');
  return out;
}

// A JSON schema subset (type, required, properties, additionalProperties: false, enum, items, minimum, maximum).
type Schema = { type?: string; required?: string[]; properties?: Record<string, Schema>; additional?: false; enum?: unknown[]; items?: Schema; minimum?: number; maximum?: number };
function validate(v: unknown, s: Schema, at = '$'): string[] {
  const errs: string[] = [];
  const t = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
  if (s.type && s.type !== t) return [`${at}: expected ${s.type}, found ${t}`];
  if (s.enum && !s.enum.includes(v)) errs.push(`${at}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
  if (typeof v === 'number' && (!Number.isFinite(v) || (s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum))) errs.push(`${at}: ${v} out of range`);
  if (t === 'object') {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (!(r in o)) errs.push(`${at}: missing ${r}`);
    for (const [k, x] of Object.entries(o)) {
      const ps = s.properties?.[k];
      if (ps) errs.push(...validate(x, ps, `${at}.${k}`));
      else if (s.additional === false) errs.push(`${at}: unknown field ${k}`);
    }
  }
  if (t === 'array' && s.items) (v as unknown[]).forEach((x, i) => errs.push(...validate(x, s.items!, `${at}[${i}]`)));
  return errs;
}
const VIS = ['hidden', 'after_due_date', 'after_published', 'visible'];
/** Gradescope results.json, from "Autograder Specifications" (gradescope-autograders.readthedocs.io/en/latest/specs/). */
const GRADESCOPE: Schema = {
  type: 'object',
  additional: false,
  required: ['score', 'tests'],
  properties: {
    score: { type: 'number', minimum: 0 },
    execution_time: { type: 'number' },
    output: { type: 'string' },
    visibility: { type: 'string', enum: VIS },
    stdout_visibility: { type: 'string', enum: VIS },
    extra_data: { type: 'object' },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        additional: false,
        required: ['score', 'max_score', 'name', 'output', 'visibility'],
        properties: {
          score: { type: 'number', minimum: 0 },
          max_score: { type: 'number', minimum: 0 },
          status: { type: 'string', enum: ['passed', 'failed'] },
          name: { type: 'string' },
          name_format: { type: 'string' },
          number: { type: 'string' },
          output: { type: 'string' },
          output_format: { type: 'string' },
          tags: { type: 'array' },
          visibility: { type: 'string', enum: VIS },
          extra_data: { type: 'object' },
        },
      },
    },
  },
};
/** PrairieLearn external grader results.json, from "External Grading" (prairielearn.readthedocs.io/en/latest/externalGrading/). */
const PRAIRIELEARN: Schema = {
  type: 'object',
  additional: false,
  required: ['gradable', 'score', 'tests'],
  properties: {
    gradable: { type: 'boolean' },
    score: { type: 'number', minimum: 0, maximum: 1 },
    message: { type: 'string' },
    output: { type: 'string' },
    images: { type: 'array' },
    tests: {
      type: 'array',
      items: {
        type: 'object',
        additional: false,
        required: ['name', 'points', 'max_points'],
        properties: { name: { type: 'string' }, description: { type: 'string' }, points: { type: 'number', minimum: 0 }, max_points: { type: 'number', minimum: 0 }, message: { type: 'string' }, output: { type: 'string' }, images: { type: 'array' } },
      },
    },
  },
};

describe('gradlens assign', () => {
  it('writes 30 handouts, key.json and key.csv; the same roster and seed give byte-identical output', () => {
    const a = run(['assign', `${EX}/hw4.md`, '--roster', `${EX}/roster.csv`, '--out', join(tmp, 'a1')]);
    const b = run(['assign', `${EX}/hw4.md`, '--roster', `${EX}/roster.csv`, '--out', join(tmp, 'a2')]);
    expect([a.code, a.err, b.code]).toEqual([0, '', 0]);
    const t1 = tree(join(tmp, 'a1'));
    expect(t1.size).toBe(32);
    expect(t1.has('s001/handout.md') && t1.has('key.json') && t1.has('key.csv')).toBe(true);
    expect(tree(join(tmp, 'a2'))).toEqual(t1);
    // Another seed gives other numbers.
    run(['assign', `${EX}/hw4.md`, '--roster', `${EX}/roster.csv`, '--out', join(tmp, 'a3'), '--seed', '7']);
    expect(tree(join(tmp, 'a3')).get('key.json')).not.toBe(t1.get('key.json'));
  });

  it('the committed submissions are the handouts of today (only answer lines differ)', () => {
    const strip = (s: string): string => s.replace(/^answer (.+?) == .*$/gm, 'answer $1');
    for (const id of ['s001', 's007', 's016']) expect(strip(readFileSync(`${EX}/submissions/${id}.md`, 'utf8'))).toBe(strip(readFileSync(join(tmp, 'a1', id, 'handout.md'), 'utf8')));
  });

  it('a handout holds no key: no answer value and no seed', () => {
    const key = JSON.parse(readFileSync(join(tmp, 'a1', 'key.json'), 'utf8'));
    const h = readFileSync(join(tmp, 'a1', 's002', 'handout.md'), 'utf8');
    expect(h).not.toMatch(/seed/);
    expect(h).not.toContain('```nn solution');
    // The CE key (P − y, long decimals) appears nowhere; T1's keys may equal a given number (∂z/∂b0 = w1).
    for (const k of key.students.s002.answers['CE.1'].key as number[]) expect(h).not.toContain(String(k).slice(0, 6));
  });

  it('a malformed roster is a usage error naming the row', () => {
    const cases: [string, RegExp][] = [
      ['name\nAnn\n', /row 1: expected a header with an `id`/],
      ['id,name\ns001,Ann\ns002\n', /row 3: expected 2 cells/],
      ['student_id\ns001\n../x\n', /row 3: expected a student id/],
      ['SIS_ID\ns001\ns001\n', /row 3: the student s001 is already on row 2/],
      ['id\n"s001\n', /row 2: a quoted cell is never closed/],
    ];
    for (const [text, re] of cases) {
      const f = join(tmp, `roster${Math.random()}.csv`);
      writeFileSync(f, text);
      const r = run(['assign', `${EX}/hw4.md`, '--roster', f, '--out', join(tmp, 'never')]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
    }
  });
});

describe('gradlens grade', () => {
  const out = join(tmp, 'g');
  let graded: ReturnType<typeof run> | undefined;
  // After `gradlens assign` above wrote the key (tests of a file run in order).
  const result = (): ReturnType<typeof run> => (graded ??= run(['grade', join(tmp, 'a1', 'key.json'), `${EX}/submissions`, '--out', out]));

  it('grades every submission; the two broken ones score 0 with their reason and exit 1', () => {
    const r = result();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/30 submissions graded \(2 scored 0 as a whole\)/);
    expect(r.err.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('scores each question as expected-scores.csv (derived by hand, without GradLens)', () => {
    result();
    const expected = csvRows(readFileSync(`${EX}/expected-scores.csv`, 'utf8')) as string[][];
    const got = csvRows(readFileSync(join(out, 'grades.csv'), 'utf8')) as string[][];
    expect(got[0]).toEqual(['student', 'T1', 'T2', 'T3', 'CE', 'total', 'max', 'file', 'error']);
    const byFile = new Map(got.slice(1).map((row) => [row[7].replace(`${EX}/`, ''), row]));
    expect(byFile.size).toBe(30);
    for (const [student, file, t1, t2, t3, ce, total, error] of expected.slice(1)) {
      const row = byFile.get(file)!;
      expect(row, file).toBeDefined();
      expect(row[0], file).toBe(student);
      [t1, t2, t3, ce, total].forEach((x, i) => expect(Number(row[i + 1]), `${file} column ${got[0][i + 1]}`).toBeCloseTo(Number(x), 5));
      expect(row[6]).toBe('32');
      expect(row[8] !== '', file).toBe(error === 'yes');
    }
  });

  it('names the misconception of each planted mistake in the feedback', () => {
    const expected = (csvRows(readFileSync(`${EX}/expected-scores.csv`, 'utf8')) as string[][]).slice(1);
    for (const [student, , , , , , , , code] of expected) {
      if (!code) continue;
      const gs = JSON.parse(readFileSync(join(out, student, 'gradescope', 'results.json'), 'utf8'));
      expect(gs.tests.map((t: { output: string }) => t.output).join('\n'), student).toContain(`misconception: ${code}`);
    }
    const s007 = JSON.parse(readFileSync(join(out, 's007', 'gradescope', 'results.json'), 'utf8'));
    expect(s007.tests[1].output).toMatch(/^T1\.2 y1: Your −?[\d.]+ is consistent with your x1 = [\d.]+ \(answer T1\.1\).*Carried forward: 50% of the points\. \(0\.5\/1\)$/);
  });

  it('every results.json is valid against the documented fields; scores agree with grades.csv', () => {
    const got = (csvRows(readFileSync(join(out, 'grades.csv'), 'utf8')) as string[][]).slice(1);
    for (const row of got) {
      const gs = JSON.parse(readFileSync(join(out, row[0], 'gradescope', 'results.json'), 'utf8'));
      const pl = JSON.parse(readFileSync(join(out, row[0], 'prairielearn', 'results.json'), 'utf8'));
      expect(validate(gs, GRADESCOPE), row[0]).toEqual([]);
      expect(validate(pl, PRAIRIELEARN), row[0]).toEqual([]);
      expect(gs.tests).toHaveLength(13);
      expect(gs.score).toBeCloseTo(Number(row[5]), 6);
      expect(gs.tests.reduce((s: number, t: { score: number }) => s + t.score, 0)).toBeCloseTo(Number(row[5]), 6);
      expect(gs.tests.reduce((s: number, t: { max_score: number }) => s + t.max_score, 0)).toBeCloseTo(32, 6);
      expect(pl.score).toBeCloseTo(Number(row[5]) / 32, 6);
    }
  });

  it('a symlink out of the submissions folder is refused (scored 0 with the reason), never read', () => {
    const dir = join(tmp, 'subs');
    mkdirSync(join(dir, 's001'), { recursive: true });
    writeFileSync(join(tmp, 'outside.md'), readFileSync(`${EX}/submissions/s001.md`));
    symlinkSync(join(tmp, 'outside.md'), join(dir, 's001', 'answers.md'));
    const g = run(['grade', join(tmp, 'a1', 'key.json'), dir, '--out', join(tmp, 'g2')]);
    expect(g.code).toBe(1);
    expect(g.err).toMatch(/answers\.md: scored 0: Expected a file inside the folder "subs", found "s001\/answers\.md" outside it/);
  });

  it('a key that is not one, and missing options, are usage errors', () => {
    expect(run(['grade', `${EX}/hw4.md`, `${EX}/submissions`, '--out', join(tmp, 'g3')]).err).toMatch(/not JSON/);
    expect(run(['grade', join(tmp, 'a1', 'key.json'), '--out', join(tmp, 'g3')]).code).toBe(2);
    expect(run(['grade', join(tmp, 'a1', 'key.json'), `${EX}/submissions`, '--out', join(tmp, 'g3'), '--visibility', 'public']).code).toBe(2);
  });
});

describe('gradlens eval DIR', () => {
  it('analyses the folder\'s files instead of failing with EISDIR', () => {
    const r = run(['eval', 'examples/assignment/submissions', '--json']);
    const j = JSON.parse(r.out);
    expect(j.map((x: { file: string }) => x.file)).toContain('examples/assignment/submissions/s020/answers.md');
    expect(j.length).toBe(30);
    expect(j.find((x: { file: string }) => x.file.endsWith('s001.md')).diagnostics).toEqual([]);
  });

  it('--json carries the assignment: a handout\'s answers checked by their self-check, a misconception named, no key', () => {
    const j = JSON.parse(run(['eval', `${EX}/submissions/s008.md`, '--json']).out);
    expect(j.assignment).toMatchObject({ name: 'hw4', handout: true, student: 's008', maxPoints: 32 });
    const t1 = j.assignment.questions[0].answers;
    expect(t1.map((a: { status: string }) => a.status)).toEqual(['correct', 'correct', 'correct', 'correct', 'correct', 'correct', 'correct', 'wrong']);
    expect(t1[7].diagnosis.map((d: { code: string }) => d.code)).toEqual(['missing-path']);
    expect(JSON.stringify(j.assignment)).not.toContain('"key"');
  });

  it('a folder with nothing to analyse is a file error, never a pass', () => {
    const d = join(tmp, 'empty');
    mkdirSync(d);
    const r = run(['eval', d]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read .*empty: a folder with no \.nn, \.md, \.py or \.ipynb file/);
  });
});
