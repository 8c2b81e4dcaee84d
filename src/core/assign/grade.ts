/**
 * Grading (docs/grading.md, "Grading"): the instructor's key (key.json, written by `gradlens
 * assign`) and one submission — the student's handout with answers filled in — give a score per
 * answer and question, with a reason for every point not earned. Pure: the CLI reads the files.
 *
 * A submission's answers are read by the parser alone (no evaluation of the student's file:
 * its own lines may be anything); each `== VALUE` must be a number, a list or arithmetic of
 * numbers. A wrong answer is explained by analysing the student's variant with the wrong
 * answers filled in (assign/info.ts): the misconception engine names what reproduces it, and a
 * `carried-forward` answer (right given the student's own earlier mistake) earns the question's
 * `carry` share.
 */
import { analyzeFull } from '../index';
import type { Expr } from '../syntax/ast';
import { markdownSegments } from '../syntax/markdown';
import { parseProgram } from '../syntax/parser';
import { DIRECTIVE } from '../python/parse';
import { applyDraws, parse, STUDENT_ID, type AssignmentKind, type VariantResult } from './handout';
import { allWithin, toleranceText, type Tolerance } from './tolerance';

/** key.json. */
export interface GradingKey {
  readonly format: 'gradlens-key';
  readonly version: 1;
  readonly assignment: string;
  readonly seed: number;
  readonly kind: AssignmentKind;
  /** The assignment source (diagnoses rebuild each variant from it and the draws). */
  readonly source: string;
  readonly questions: readonly { readonly id: string; readonly points: number; readonly carry: number; readonly answers: readonly { readonly id: string; readonly expr: string }[] }[];
  readonly students: Readonly<Record<string, { readonly attempt: number; readonly draws: readonly string[]; readonly answers: Readonly<Record<string, { readonly key: number[]; readonly shape: number[]; readonly tolerance: Tolerance }>> }>>;
}

/** The key of every student, from their variants (in roster order). */
export function buildKey(sourceText: string, kind: AssignmentKind, seed: number, variants: readonly VariantResult[]): GradingKey {
  const first = variants[0]?.assignment;
  const students: Record<string, GradingKey['students'][string]> = {};
  for (const v of variants)
    students[v.key.student] = { attempt: v.key.attempt, draws: v.key.draws, answers: Object.fromEntries(v.key.answers.map((a) => [a.id, { key: a.key, shape: a.shape, tolerance: a.tolerance }])) };
  return {
    format: 'gradlens-key',
    version: 1,
    assignment: first?.name ?? '',
    seed,
    kind,
    source: sourceText,
    questions: (first?.questions ?? []).map((q) => ({ id: q.id, points: q.points, carry: q.carry, answers: q.answers.map((a) => ({ id: a.id, expr: a.exprText })) })),
    students,
  };
}

/** key.csv: one row per student and answer (a spreadsheet view of key.json). */
export function keyCsv(key: GradingKey): string {
  const rows = [['student', 'answer', 'quantity', 'key', 'tolerance'].join(',')];
  for (const [student, s] of Object.entries(key.students))
    for (const q of key.questions) for (const a of q.answers) {
      const k = s.answers[a.id];
      rows.push([student, a.id, a.expr, k ? k.key.map(String).join(' ') : '', k ? toleranceText(k.tolerance) : ''].map(csvCell).join(','));
    }
  return rows.join('\n') + '\n';
}

/** A CSV cell (RFC 4180): quoted when it holds a comma, quote or line break; a leading = + - @ is prefixed with ' (no formula in a spreadsheet). */
export function csvCell(s: string): string {
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** key.json read back; a reason when it is not one. */
export function readKey(json: string): GradingKey | { error: string } {
  let k: unknown;
  try {
    k = JSON.parse(json);
  } catch (e) {
    return { error: `not JSON (${(e as Error).message})` };
  }
  const o = k as Partial<GradingKey> | null;
  if (!o || o.format !== 'gradlens-key' || o.version !== 1 || typeof o.source !== 'string' || !Array.isArray(o.questions) || typeof o.students !== 'object' || !o.students)
    return { error: 'not a GradLens key (expected the key.json that `gradlens assign` writes)' };
  return o as GradingKey;
}

export type AnswerOutcome = 'correct' | 'wrong' | 'carried-forward' | 'blank' | 'missing' | 'unreadable';

export interface AnswerGrade {
  readonly id: string;
  readonly expr: string;
  readonly score: number;
  readonly maxScore: number;
  readonly outcome: AnswerOutcome;
  readonly student?: number[];
  /** Why (every answer has one: "correct", "blank", the misconception, …). */
  readonly reason: string;
  /** Misconception codes that reproduce a wrong answer (or `carried-forward`). */
  readonly misconceptions?: string[];
}

export interface QuestionGrade {
  readonly id: string;
  readonly score: number;
  readonly maxScore: number;
  readonly answers: AnswerGrade[];
}

export interface SubmissionGrade {
  /** The submission's file (as given). */
  readonly file: string;
  readonly student: string;
  readonly score: number;
  readonly maxScore: number;
  readonly questions: QuestionGrade[];
  /** Set when the submission scores 0 as a whole (unknown student, nothing readable): why. */
  readonly error?: string;
}

export interface Submission {
  readonly file: string;
  readonly text: string;
  /** `python`: the marks are comment directives (`# question T1`, `# answer x1 == 0.4`; docs/grading.md). */
  readonly kind: AssignmentKind | 'python';
  /** The student id when the submission has no `handout student` line (its file or folder name). */
  readonly fallbackStudent: string;
}

const norm = (s: string): string => s.replace(/\s+/g, '');

/** A number, a list, or arithmetic of numbers, flattened; undefined for anything else. */
export function constantValue(e: Expr): number[] | undefined {
  switch (e.kind) {
    case 'Number':
      return [e.value];
    case 'Paren':
      return constantValue(e.inner);
    case 'Unary': {
      const v = constantValue(e.operand);
      return v && v.length === 1 ? [e.op === '-' ? -v[0] : v[0]] : undefined;
    }
    case 'Binary': {
      const a = constantValue(e.left);
      const b = constantValue(e.right);
      if (!a || !b || a.length !== 1 || b.length !== 1) return undefined;
      const [x, y] = [a[0], b[0]];
      const r = e.op === '+' ? x + y : e.op === '-' ? x - y : e.op === '*' ? x * y : e.op === '/' ? x / y : e.op === '^' ? x ** y : NaN;
      return Number.isNaN(r) ? undefined : [r];
    }
    case 'List': {
      const out: number[] = [];
      for (const x of e.elements) {
        const v = constantValue(x);
        if (!v) return undefined;
        out.push(...v);
      }
      return out;
    }
    default:
      return undefined;
  }
}

/** A Python file as .nn text: each directive line (`# answer x1 == 0.4`) without its `#`, every other line empty. */
function pythonDirectives(text: string): string {
  return text
    .split('\n')
    .map((line) => DIRECTIVE.exec(line.trim())?.[1] ?? '')
    .join('\n');
}

interface ReadAnswer {
  readonly given: number[] | 'blank' | { readonly error: string };
  readonly line: number;
}

/** The submission's answers by `QUESTION|expr` (and by answer id), its `handout student` id, and its first parse error. */
function readSubmission(text: string, kind: AssignmentKind | 'python'): { student?: string; answers: Map<string, ReadAnswer>; byId: Map<string, ReadAnswer>; parseError?: string; count: number } {
  // Python: the directives, each at its own line and column (the rest of the file blanked out).
  if (kind === 'python') text = pythonDirectives(text);
  const parsed = kind === 'markdown' ? parseProgram(text, markdownSegments(text), 'block') : parseProgram(text);
  const lineOf = (o: number): number => text.slice(0, o).split('\n').length;
  const answers = new Map<string, ReadAnswer>();
  const byId = new Map<string, ReadAnswer>();
  let student: string | undefined;
  let question = '';
  let n = 0;
  let count = 0;
  for (const st of parsed.program.statements) {
    if (st.kind === 'Handout') student = st.student;
    else if (st.kind === 'Question') {
      question = st.id;
      n = 0;
    } else if (st.kind === 'Answer') {
      n++;
      count++;
      let given: ReadAnswer['given'];
      if (st.given === null) given = { error: 'no `== VALUE` on the answer line' };
      else if (st.given === 'blank') given = 'blank';
      else {
        const v = constantValue(st.given);
        given = v ?? { error: `\`${text.slice(st.given.span.start, st.given.span.end).slice(0, 60)}\` is not a number (write a number, a list, or arithmetic of numbers)` };
      }
      const r = { given, line: lineOf(st.span.start) };
      const k = `${question}|${norm(text.slice(st.expr.span.start, st.expr.span.end))}`;
      if (!answers.has(k)) answers.set(k, r);
      byId.set(`${question}.${n}`, r);
    }
  }
  const e = parsed.diagnostics.find((d) => d.severity === 'error');
  return { ...(student !== undefined ? { student } : {}), answers, byId, count, ...(e ? { parseError: `line ${lineOf(e.span.start)}: ${e.message}` } : {}) };
}

const show = (v: readonly number[]): string => (v.length === 1 ? String(v[0]) : `[${v.join(', ')}]`);

/** A submission that scores 0 as a whole, every answer with the same reason. */
export function failedSubmission(key: GradingKey, file: string, student: string, error: string): SubmissionGrade {
  return {
    file,
    student,
    score: 0,
    maxScore: key.questions.reduce((s, q) => s + q.points, 0),
    error,
    questions: key.questions.map((q) => ({ id: q.id, score: 0, maxScore: q.points, answers: q.answers.map((a) => ({ id: a.id, expr: a.expr, score: 0, maxScore: q.points / q.answers.length, outcome: 'missing' as const, reason: error })) })),
  };
}

/** Scores one submission against the key. Never throws: a problem is a 0 with its reason. */
export function gradeSubmission(key: GradingKey, sub: Submission): SubmissionGrade {
  const maxScore = key.questions.reduce((s, q) => s + q.points, 0);
  const zero = (student: string, error: string): SubmissionGrade => failedSubmission(key, sub.file, student, error);
  let read: ReturnType<typeof readSubmission>;
  try {
    read = readSubmission(sub.text, sub.kind);
  } catch (e) {
    return zero(sub.fallbackStudent, `the submission could not be read (${(e as Error).message})`);
  }
  const student = read.student ?? sub.fallbackStudent;
  const entry = key.students[student];
  if (!entry) return zero(student, `student ${JSON.stringify(student)} is not in the key${read.student === undefined ? ' (the submission has no `handout student` line; the id is its file name)' : ''}`);
  if (read.count === 0) return zero(student, `no readable answer: the submission has no \`answer\` line${read.parseError ? ` (${read.parseError})` : ''}`);
  // First pass: correct / wrong / blank / missing by the key.
  type Pending = { q: GradingKey['questions'][number]; a: { id: string; expr: string }; r?: ReadAnswer; max: number };
  const pending: Pending[] = [];
  for (const q of key.questions) for (const a of q.answers) pending.push({ q, a, r: read.answers.get(`${q.id}|${norm(a.expr)}`) ?? read.byId.get(a.id), max: q.answers.length ? q.points / q.answers.length : 0 });
  const wrong = new Map<string, number[]>();
  const grades = new Map<string, AnswerGrade>();
  for (const p of pending) {
    const k = entry.answers[p.a.id];
    const base = { id: p.a.id, expr: p.a.expr, maxScore: p.max };
    if (!p.r) grades.set(p.a.id, { ...base, score: 0, outcome: 'missing', reason: `no \`answer ${p.a.expr} == …\` line under question ${p.q.id}${read.parseError ? ` (${read.parseError})` : ''}` });
    else if (p.r.given === 'blank') grades.set(p.a.id, { ...base, score: 0, outcome: 'blank', reason: 'blank (`== ?`)' });
    else if ('error' in p.r.given) grades.set(p.a.id, { ...base, score: 0, outcome: 'unreadable', reason: `line ${p.r.line}: ${p.r.given.error}` });
    else if (!k || !k.key.length) grades.set(p.a.id, { ...base, score: 0, outcome: 'unreadable', reason: 'the key has no value for this answer' });
    else if (allWithin(p.r.given, k.key, k.tolerance)) grades.set(p.a.id, { ...base, score: p.max, outcome: 'correct', student: p.r.given, reason: 'correct' });
    else {
      const shapeNote = p.r.given.length !== k.key.length && p.r.given.length !== 1 ? ` (${p.r.given.length} numbers; the answer has ${k.key.length})` : '';
      grades.set(p.a.id, { ...base, score: 0, outcome: 'wrong', student: p.r.given, reason: `${show(p.r.given)} is not within ${toleranceText(k.tolerance)} of the answer${shapeNote}` });
      if (!shapeNote) wrong.set(p.a.id, p.r.given);
    }
  }
  // Second pass: name the misconceptions of the wrong answers on the student's own variant.
  if (wrong.size) explainWrong(key, entry.draws, wrong, grades);
  const questions: QuestionGrade[] = key.questions.map((q) => {
    const answers = q.answers.map((a) => grades.get(a.id)!);
    return { id: q.id, score: round(answers.reduce((s, a) => s + a.score, 0)), maxScore: q.points, answers };
  });
  return { file: sub.file, student, score: round(questions.reduce((s, q) => s + q.score, 0)), maxScore, questions };
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/**
 * The student's variant with each wrong answer written `== VALUE`, analysed: its statuses give
 * the misconceptions and carried-forward errors (assign/info.ts), in the order of the answers.
 */
function explainWrong(key: GradingKey, draws: readonly string[], wrong: Map<string, number[]>, grades: Map<string, AnswerGrade>): void {
  const variant = applyDraws(key.source, key.kind, draws);
  const program = parse(variant, key.kind);
  const edits: { at: number; end: number; text: string }[] = [];
  let q = '';
  let n = 0;
  for (const st of program.statements) {
    if (st.kind === 'Question') {
      q = st.id;
      n = 0;
    } else if (st.kind === 'Answer') {
      n++;
      const v = wrong.get(`${q}.${n}`);
      if (v && st.given === null) edits.push({ at: st.expr.span.end, end: st.expr.span.end, text: ` == ${v.length === 1 ? String(v[0]) : `[${v.join(', ')}]`}` });
    }
  }
  let text = variant;
  for (const e of edits.sort((a, b) => b.at - a.at)) text = text.slice(0, e.at) + e.text + text.slice(e.end);
  let info;
  try {
    info = analyzeFull(text, { languageId: key.kind === 'markdown' ? 'markdown' : 'nn', valuesOnly: true }).analysis.assignment;
  } catch {
    return;
  }
  // The engine names lines of the variant; the student's file has other line numbers: name the answers instead.
  const byLine = new Map<number, string>();
  for (const question of info?.questions ?? []) for (const a of question.answers) byLine.set(a.line + 1, a.id);
  const relabel = (m: string): string => m.replace(/\(line (\d+)\)/g, (all, n) => (byLine.has(Number(n)) ? `(answer ${byLine.get(Number(n))})` : '')).replace(/fix line (\d+) first/g, (all, n) => (byLine.has(Number(n)) ? `fix answer ${byLine.get(Number(n))} first` : 'fix that answer first')).replace(/ +\)/g, ')').replace(/ {2,}/g, ' ');
  for (const question of info?.questions ?? []) {
    const qk = key.questions.find((x) => x.id === question.id);
    for (const a of question.answers) {
      const g = grades.get(a.id);
      if (!g || g.outcome !== 'wrong' || !a.diagnosis?.length) continue;
      const carried = a.diagnosis.length === 1 && a.diagnosis[0].code === 'carried-forward';
      const share = carried ? (qk?.carry ?? 0) : 0;
      grades.set(a.id, {
        ...g,
        outcome: carried ? 'carried-forward' : 'wrong',
        score: round(g.maxScore * share),
        reason: relabel(carried ? `${a.diagnosis[0].message} Carried forward: ${share * 100}% of the points.` : `${g.reason}. ${a.diagnosis.slice(0, 3).map((d) => d.message).join(' Or: ')}`),
        misconceptions: a.diagnosis.map((d) => d.code),
      });
    }
  }
}

/** grades.csv: student, score per question, total, max, and the reason a submission scored 0 as a whole. */
export function gradesCsv(key: GradingKey, grades: readonly SubmissionGrade[]): string {
  const rows = [['student', ...key.questions.map((q) => q.id), 'total', 'max', 'file', 'error'].map(csvCell).join(',')];
  for (const g of grades) rows.push([g.student, ...g.questions.map((q) => String(q.score)), String(g.score), String(g.maxScore), g.file, g.error ?? ''].map(csvCell).join(','));
  return rows.join('\n') + '\n';
}

function feedback(a: AnswerGrade): string {
  return `${a.id} ${a.expr}: ${a.reason} (${a.score}/${a.maxScore})`;
}

/**
 * Gradescope's results.json (gradescope-autograders.readthedocs.io, "Autograder
 * Specifications"): top-level `score`, `output`, and one test per answer with `name`, `score`,
 * `max_score`, `status`, `output` and `visibility`.
 */
export function gradescopeResults(g: SubmissionGrade, visibility: 'visible' | 'hidden' | 'after_due_date' | 'after_published' = 'visible'): unknown {
  return {
    score: g.score,
    output: g.error ? `Scored 0: ${g.error}.` : `${g.student}: ${g.score} of ${g.maxScore} points.`,
    visibility,
    tests: g.questions.flatMap((q) =>
      q.answers.map((a) => ({ name: `${q.id} · ${a.id} ${a.expr}`, score: a.score, max_score: a.maxScore, status: a.outcome === 'correct' ? 'passed' : 'failed', output: feedback(a), visibility })),
    ),
  };
}

/**
 * PrairieLearn's external-grader results.json (prairielearn.readthedocs.io, "External
 * Grading"): `gradable`, `score` in [0, 1], `message`, and `tests` with `name`, `points`,
 * `max_points`, `message` and `output`. A submission that cannot be graded is still gradable
 * (it scores 0 with its reason, as docs/grading.md says).
 */
export function prairielearnResults(g: SubmissionGrade): unknown {
  return {
    gradable: true,
    score: g.maxScore > 0 ? Math.min(1, Math.max(0, g.score / g.maxScore)) : 0,
    message: g.error ? `Scored 0: ${g.error}.` : `${g.score} of ${g.maxScore} points.`,
    tests: g.questions.flatMap((q) => q.answers.map((a) => ({ name: `${q.id} · ${a.id} ${a.expr}`, points: a.score, max_points: a.maxScore, message: a.reason, output: feedback(a) }))),
  };
}

/** The submission's student id is a safe folder name (STUDENT_ID), else this. */
export function safeFolderName(id: string): string {
  if (STUDENT_ID.test(id)) return id;
  // Never `.`, `..` or a hidden name: a leading dot becomes `_`.
  return id.replace(/[^\p{L}\p{N}._@+-]/gu, '_').replace(/^\./, '_').slice(0, 64) || 'unnamed';
}
