/**
 * One student's variant and handout of an assignment source (docs/grading.md).
 *
 * - variantFor: the source with each `vary(…)` replaced by the student's number — the key stays
 *   (the instructor's preview, and what the grader's key is computed from);
 * - handoutFor: that variant as the student gets it — solution blocks removed, each answer
 *   `== ?`, the seed removed, a `handout student "ID"` line and the self-check records added.
 *
 * A variant whose numbers make an answer degenerate is redrawn (the next attempt's seed), up to
 * MAX_ATTEMPTS: a ReLU/leaky ReLU/abs evaluated exactly at its kink, a key element that is 0
 * where the source's is not (a guess of 0 would score), a key that does not evaluate to finite
 * numbers, or a key that a catalogued misconception also produces (within the answer's
 * tolerance) where it does not in the source.
 *
 * `expect` lines are the instructor's own checks (they hold answers): handouts leave them out,
 * and their failures in a variant (other numbers) are not errors of the variant.
 */
import { analyzeFull } from '../index';
import type { AnswerInfo, AssignmentInfo } from '../analysis';
import { error, type Diagnostic } from '../diagnostics';
import { K } from '../autodiff/tape';
import type { Span } from '../span';
import { markdownSegments } from '../syntax/markdown';
import { parseProgram } from '../syntax/parser';
import type { Program } from '../syntax/ast';
import { diagnoseAnswer } from '../diagnose/diagnose';
import { answerTolerance } from './info';
import { selfcheckRecords, selfcheckSalt } from './selfcheck';
import { diagnoseTolerance, type Tolerance } from './tolerance';
import { drawVaries, readVary, varyCalls, type VarySpec } from './vary';

export type AssignmentKind = 'markdown' | 'nn';

/** Redraws before a degenerate variant is kept (with an `assign.degenerate` warning). */
export const MAX_ATTEMPTS = 20;

/** One answer of one student's key. */
export interface KeyAnswer {
  /** `T1.2`. */
  readonly id: string;
  readonly question: string;
  readonly exprText: string;
  readonly key: number[];
  readonly shape: number[];
  readonly tolerance: Tolerance;
  /** The self-check salt of this answer in the student's handout. */
  readonly salt: string;
}

/** One student's key: the numbers drawn and every answer. */
export interface StudentKey {
  readonly student: string;
  /** The attempt whose draws were kept (0: the first; more when earlier ones were degenerate). */
  readonly attempt: number;
  /** What each `vary(…)` became, in source order. */
  readonly draws: string[];
  readonly answers: KeyAnswer[];
}

export interface VariantResult {
  /** The source with the student's numbers (key visible). */
  readonly text: string;
  /** Errors of the source or of the variant (then `key` may be incomplete), and `assign.degenerate`. */
  readonly diagnostics: Diagnostic[];
  readonly key: StudentKey;
  /** The questions as the variant defines them (points, carry). */
  readonly assignment?: AssignmentInfo;
}

export interface HandoutResult extends VariantResult {
  /** Markdown (or .nn) for the student: no key, no solution blocks, self-check records at the end. */
  readonly handout: string;
}

const languageOf = (kind: AssignmentKind): 'markdown' | 'nn' => (kind === 'markdown' ? 'markdown' : 'nn');

/** The program of an assignment source, handout or submission (Markdown: its ```nn blocks). */
export function parse(text: string, kind: AssignmentKind): Program {
  return kind === 'markdown' ? parseProgram(text, markdownSegments(text), 'block').program : parseProgram(text).program;
}

/** The assignment's seed: the argument, else `assignment … seed N`, else 0. */
function seedOf(program: Program, seed: number | undefined): number {
  if (seed !== undefined) return seed;
  for (const s of program.statements) if (s.kind === 'Assignment' && s.seed?.kind === 'Number') return s.seed.value;
  return 0;
}

/** A student id as it may appear in `handout student "…"`, a folder name and a CSV cell. */
export const STUDENT_ID = /^(?!\.)[\p{L}\p{N}._@+-]{1,64}$/u;

function replaceSpans(text: string, edits: { span: Span; text: string }[]): string {
  let out = '';
  let at = 0;
  for (const e of edits.slice().sort((a, b) => a.span.start - b.span.start)) {
    if (e.span.start < at) continue;
    out += text.slice(at, e.span.start) + e.text;
    at = e.span.end;
  }
  return out + text.slice(at);
}

/** The source's own `expect … == NUMBER` lines fail in a variant with other numbers: not the variant's fault. */
const IGNORED_IN_VARIANT = new Set(['expect.failed', 'expect.carried-forward']);

/**
 * Per answer id, the misconceptions whose result is within the answer's tolerance of its key
 * (a student making that mistake would score): diagnoseAnswer's `collisions` question.
 */
function collisions(full: ReturnType<typeof analyzeFull>, text: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const ids = new Map<unknown, string>();
  for (const q of full.analysis.assignment?.questions ?? []) for (const a of q.answers) ids.set(a.span.start, a.id);
  const ctx = { tape: full.eval.tape, text, bindings: full.eval.record.bindings };
  for (const rec of full.eval.answers ?? []) {
    const id = ids.get(rec.stmt.span.start);
    if (!id || !rec.quantity || !rec.value) continue;
    const tol = answerTolerance(rec.stmt);
    if ('code' in tol) continue;
    let found: { code: string }[] = [];
    try {
      found = diagnoseAnswer(ctx, { quantity: rec.quantity, answer: rec.value.data, tolerance: diagnoseTolerance(rec.value.data, tol), collisions: true });
    } catch {
      found = [];
    }
    out.set(id, new Set(found.map((d) => d.code)));
  }
  return out;
}

/** Why a variant is degenerate, or undefined. `sourceKeys`: the source's keys by answer id; `sourceCollisions`: collisions(source). */
function degenerate(full: ReturnType<typeof analyzeFull>, sourceKeys: Map<string, number[]>, text: string, sourceCollisions: Map<string, Set<string>>): string | undefined {
  const a = full.analysis.assignment;
  if (full.analysis.diagnostics.some((d) => d.severity === 'error' && !IGNORED_IN_VARIANT.has(d.code))) return 'the variant has an error';
  for (const q of a?.questions ?? [])
    for (const ans of q.answers) {
      if (!ans.key || ans.key.some((x) => !Number.isFinite(x))) return `${ans.id} has no finite key`;
      const src = sourceKeys.get(ans.id);
      if (ans.key.some((x, i) => Math.abs(x) < 1e-12 && src !== undefined && !(Math.abs(src[i] ?? 0) < 1e-12))) return `${ans.id} is 0 (a guess of 0 would score)`;
    }
  const tape = full.eval.tape;
  for (let n = 0; n < tape.n; n++) {
    const op = tape.opOf(n)?.name;
    if (op !== 'relu' && op !== 'leaky_relu' && op !== 'abs') continue;
    const x = tape.inputs(n)[0];
    if (x === undefined) continue;
    const v = tape.kind[x] === K.OP || tape.isScalar[x] !== 1 ? tape.value(x).data : [tape.sv[x]];
    for (let i = 0; i < v.length; i++) if (v[i] === 0) return `${op === 'abs' ? 'abs' : 'a ReLU'} is evaluated exactly at its kink (0)`;
  }
  for (const [id, codes] of collisions(full, text)) {
    const fresh = [...codes].filter((c) => !sourceCollisions.get(id)?.has(c));
    if (fresh.length) return `the mistake ${fresh.join(', ')} gives the key of ${id} (a student making it would score)`;
  }
  return undefined;
}

function keyAnswers(a: AssignmentInfo | undefined, assignment: string, seed: number, student: string): KeyAnswer[] {
  const out: KeyAnswer[] = [];
  for (const q of a?.questions ?? [])
    for (const ans of q.answers as AnswerInfo[])
      out.push({ id: ans.id, question: q.id, exprText: ans.exprText, key: ans.key ?? [], shape: ans.keyShape ?? [], tolerance: ans.tolerance, salt: selfcheckSalt(assignment, seed, student, ans.id) });
  return out;
}

/** The source with `draws` in place of its `vary(…)` calls (StudentKey.draws; the grader rebuilds a variant so). */
export function applyDraws(sourceText: string, kind: AssignmentKind, draws: readonly string[]): string {
  const calls = varyCalls(parse(sourceText, kind));
  if (calls.length !== draws.length) return sourceText;
  return replaceSpans(sourceText, calls.map((c, i) => ({ span: c.span, text: draws[i] })));
}

/** The source with one student's numbers (the key visible): the instructor's "preview as student". */
export function variantFor(sourceText: string, kind: AssignmentKind, studentId: string, seed?: number): VariantResult {
  const program = parse(sourceText, kind);
  const s = seedOf(program, seed);
  const diagnostics: Diagnostic[] = [];
  if (!STUDENT_ID.test(studentId)) diagnostics.push(error('assign.bad-student-id', `Expected a student id of letters, digits and . _ @ + - (at most 64, not starting with .), found ${JSON.stringify(studentId.slice(0, 80))}.`, { start: 0, end: 0 }));
  const calls = varyCalls(program);
  const specs: VarySpec[] = [];
  for (const c of calls) {
    const spec = readVary(c, sourceText);
    if ('error' in spec) diagnostics.push(spec.error);
    else specs.push(spec);
  }
  const source = analyzeFull(sourceText, { languageId: languageOf(kind), valuesOnly: true });
  for (const d of source.analysis.diagnostics) if (d.severity === 'error' && !diagnostics.some((x) => x.code === d.code && x.span.start === d.span.start)) diagnostics.push(d);
  const name = source.analysis.assignment?.name ?? '';
  const sourceKeys = new Map<string, number[]>();
  for (const q of source.analysis.assignment?.questions ?? []) for (const ans of q.answers) if (ans.key) sourceKeys.set(ans.id, ans.key);
  if (diagnostics.length || specs.length !== calls.length) {
    return { text: sourceText, diagnostics, key: { student: studentId, attempt: 0, draws: [], answers: keyAnswers(source.analysis.assignment, name, s, studentId) }, ...(source.analysis.assignment ? { assignment: source.analysis.assignment } : {}) };
  }
  const sourceCollisions = calls.length ? collisions(source, sourceText) : new Map<string, Set<string>>();
  let attempt = 0;
  let draws: string[] = [];
  let text = sourceText;
  let full = source;
  for (; ; attempt++) {
    draws = drawVaries(specs, s, studentId, attempt);
    text = replaceSpans(sourceText, calls.map((c, i) => ({ span: c.span, text: draws[i] })));
    full = calls.length ? analyzeFull(text, { languageId: languageOf(kind), valuesOnly: true }) : source;
    const why = degenerate(full, sourceKeys, text, sourceCollisions);
    if (!why) break;
    if (!calls.length || attempt + 1 >= MAX_ATTEMPTS) {
      diagnostics.push({ code: 'assign.degenerate', severity: 'warning', message: `Expected a variant for ${studentId} whose answers are not degenerate, found none in ${attempt + 1} draw${attempt ? 's' : ''}: ${why}.`, span: calls[0]?.span ?? { start: 0, end: 0 } });
      break;
    }
  }
  for (const d of full.analysis.diagnostics) if (d.severity === 'error' && !IGNORED_IN_VARIANT.has(d.code)) diagnostics.push({ ...d, message: `In ${studentId}'s variant: ${d.message}` });
  const a = full.analysis.assignment;
  return { text, diagnostics, key: { student: studentId, attempt, draws, answers: keyAnswers(a, name, s, studentId) }, ...(a ? { assignment: a } : {}) };
}

/** A ```nn solution fence (info string `nn solution`), or the lines from `# solution` to `# end solution`. */
function solutionRegions(text: string, kind: AssignmentKind): Span[] {
  const out: Span[] = [];
  const lineRe = /[^\r\n]*(\r\n|\r|\n|$)/g;
  let open: { start: number; fence?: string } | null = null;
  let m: RegExpExecArray | null;
  while ((m = lineRe.exec(text)) !== null && m[0] !== '') {
    const line = m[0].replace(/[\r\n]+$/, '');
    const end = m.index + m[0].length;
    if (open?.fence !== undefined) {
      const close = /^[ \t]*(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (close && close[1][0] === open.fence[0] && close[1].length >= open.fence.length) {
        out.push({ start: open.start, end });
        open = null;
      }
    } else if (open) {
      if (/^[ \t]*#[ \t]*end[ \t]+solution\b/i.test(line)) {
        out.push({ start: open.start, end });
        open = null;
      }
    } else if (kind === 'markdown' && /^[ \t]*(`{3,}|~{3,})[ \t]*nn[ \t]+solution\b/i.test(line)) open = { start: m.index, fence: /(`{3,}|~{3,})/.exec(line)![1] };
    else if (/^[ \t]*#[ \t]*solution[ \t]*$/i.test(line)) open = { start: m.index };
    if (end >= text.length) break;
  }
  if (open) out.push({ start: open.start, end: text.length });
  return out;
}

/** A statement's whole line(s), with the line end, when nothing else is on them; else the statement. */
function lineOf(text: string, sp: Span): Span {
  const start = text.lastIndexOf('\n', sp.start - 1) + 1;
  let end = sp.end;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  if (text.slice(start, sp.start).trim() || text.slice(sp.end, end).replace(/#.*$/, '').trim()) return sp;
  if (text[end] === '\r') end++;
  if (text[end] === '\n') end++;
  return { start, end };
}

/** The text of the self-check block appended to a handout. */
function selfcheckBlock(answers: readonly KeyAnswer[], kind: AssignmentKind, nl: string): string {
  const lines = [
    '# Self-check records (docs/grading.md): salted hashes of your rounded answers, so the editor can show ✓ or ✗.',
    '# They do not contain the answers. Do not edit them.',
    ...answers.filter((a) => a.key.length).map((a) => `selfcheck ${a.id} "${a.salt}" ${selfcheckRecords(a.key, a.tolerance, a.salt).map((r) => `"${r}"`).join(' ')}`),
  ];
  return kind === 'markdown' ? `${nl}## Self-check${nl}${nl}\`\`\`nn${nl}${lines.join(nl)}${nl}\`\`\`${nl}` : `${nl}${lines.join(nl)}${nl}`;
}

export interface HandoutOptions {
  /** Write `handout student "ID" released`: worked solutions are allowed in the editor. */
  readonly released?: boolean;
}

/**
 * One student's handout: their variant without the key. `kind` is the source's format (the
 * handout has the same). The diagnostics are variantFor's; with an error the handout is not
 * meant to be given out.
 */
export function handoutFor(sourceText: string, kind: AssignmentKind, studentId: string, seed?: number, options: HandoutOptions = {}): HandoutResult {
  const v = variantFor(sourceText, kind, studentId, seed);
  const studentLine = `handout student "${studentId}"${options.released ? ' released' : ''}`;
  const text = v.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const removed = solutionRegions(text, kind);
  const inRemoved = (sp: Span): boolean => removed.some((r) => sp.start >= r.start && sp.start < r.end);
  const edits: { span: Span; text: string }[] = removed.map((span) => ({ span, text: '' }));
  const program = parse(text, kind);
  let handoutLine = false;
  for (const st of program.statements) {
    if (inRemoved(st.span)) continue;
    if (st.kind === 'Answer') edits.push({ span: { start: st.expr.span.end, end: st.span.end }, text: ' == ?' });
    else if (st.kind === 'Assignment' && !handoutLine) {
      const nameEnd = text.indexOf('"', text.indexOf('"', st.span.start) + 1) + 1;
      const lineStart = text.lastIndexOf('\n', st.span.start) + 1;
      const indent = text.slice(lineStart, st.span.start);
      edits.push({ span: { start: nameEnd, end: st.span.end }, text: `${nl}${indent}${studentLine}` });
      handoutLine = true;
    } else if (st.kind === 'Handout' || st.kind === 'Selfcheck' || st.kind === 'Expect') edits.push({ span: lineOf(text, st.span), text: '' });
  }
  if (!handoutLine) {
    const at = kind === 'markdown' ? 0 : 0;
    edits.push({ span: { start: at, end: at }, text: kind === 'markdown' ? `\`\`\`nn${nl}${studentLine}${nl}\`\`\`${nl}${nl}` : `${studentLine}${nl}` });
  }
  let handout = replaceSpans(text, edits);
  handout = handout.replace(/\s*$/, '') + nl + selfcheckBlock(v.key.answers, kind, nl);
  return { ...v, handout };
}
