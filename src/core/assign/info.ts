/**
 * The assignment of an analysed document (Analysis.assignment, docs/grading.md): questions and
 * answers from the evaluator's marks, each answer's status — against the key in the source,
 * against its self-check record in a handout — and, for a wrong answer, the misconceptions that
 * reproduce it (src/core/diagnose), without the key.
 */
import type { AnswerInfo, AssignmentInfo, ExpectationDiagnosis, QuestionInfo } from '../analysis';
import { error, warning, type Diagnostic } from '../diagnostics';
import { diagnoseAnswer } from '../diagnose/diagnose';
import type { EarlierAnswer } from '../diagnose/types';
import type { EvalResult } from '../eval/evaluator';
import type { AnswerRecord } from '../eval/marks';
import type { QuestionStmt, SelfcheckStmt } from '../syntax/ast';
import { literal } from './vary';
import { selfcheckPasses } from './selfcheck';
import { allWithin, DEFAULT_TOLERANCE, diagnoseTolerance, type Tolerance } from './tolerance';

/** A literal number of a mark (`points 4`, `seed 2026`, `sigfig 3`), possibly signed. */
const markNumber = literal;

/** An answer's tolerance, or a diagnostic. */
export function answerTolerance(rec: AnswerRecord['stmt']): Tolerance | Diagnostic {
  const t = rec.tolerance;
  if (!t) return DEFAULT_TOLERANCE;
  const v = markNumber(t.value);
  const whole = t.tol === 'sigfig' || t.tol === 'decdig';
  if (v === undefined || !(v >= 0) || (whole && !(Number.isInteger(v) && v >= (t.tol === 'sigfig' ? 1 : 0) && v <= 15)))
    return error('answer.bad-tolerance', `Expected ${whole ? `a whole number of ${t.tol === 'sigfig' ? 'significant figures (1 to 15)' : 'decimal digits (0 to 15)'}` : 'a number of 0 or more'} after \`${t.tol}\`.`, t.value.span);
  return { kind: t.tol, value: v };
}

/** Grading marks → AssignmentInfo (undefined when the document has none) and the marks' diagnostics. */
export function assignmentOf(text: string, r: EvalResult): { info?: AssignmentInfo; diagnostics: Diagnostic[] } {
  const marks = r.marks ?? [];
  const diagnostics: Diagnostic[] = [];
  if (!marks.length) return { diagnostics };
  const records = new Map((r.answers ?? []).map((a) => [a.stmt, a]));
  let name: string | undefined;
  let seed: number | undefined;
  let student: string | undefined;
  let released = false;
  const selfchecks = new Map<string, SelfcheckStmt>();
  for (const m of marks) {
    if (m.kind === 'Assignment') {
      name = m.name;
      if (m.seed) {
        const s = markNumber(m.seed);
        if (s === undefined || !Number.isInteger(s) || s < 0) diagnostics.push(error('assignment.bad-seed', 'Expected a whole number of 0 or more after `seed`.', m.seed.span));
        else seed = s;
      }
    } else if (m.kind === 'Handout') {
      student = m.student;
      released = m.released;
    } else if (m.kind === 'Selfcheck') selfchecks.set(m.answer, m);
  }
  const handout = student !== undefined;
  const questions: { stmt: QuestionStmt; info: Omit<QuestionInfo, 'answers'>; answers: AnswerInfo[] }[] = [];
  const ids = new Set<string>();
  const earlier: EarlierAnswer[] = [];
  const ctx = { tape: r.tape, text, bindings: r.record.bindings };
  for (const m of marks) {
    if (m.kind === 'Question') {
      if (ids.has(m.id)) diagnostics.push(error('question.duplicate', `Expected each question id once, found \`${m.id}\` again.`, m.idSpan));
      ids.add(m.id);
      const points = m.points ? markNumber(m.points) : 1;
      const carry = m.carry ? markNumber(m.carry) : 0;
      if (points === undefined || !(points >= 0)) diagnostics.push(error('question.bad-points', 'Expected a number of 0 or more after `points`.', m.points!.span));
      if (carry === undefined || !(carry >= 0 && carry <= 1)) diagnostics.push(error('question.bad-carry', 'Expected a share from 0 to 1 after `carry` (0.5: half the points for a carried-forward error).', m.carry!.span));
      questions.push({ stmt: m, info: { id: m.id, points: points !== undefined && points >= 0 ? points : 0, carry: carry !== undefined && carry >= 0 && carry <= 1 ? carry : 0, line: r.lines.lineOf(m.span.start), span: m.span }, answers: [] });
      continue;
    }
    if (m.kind !== 'Answer') continue;
    const q = questions[questions.length - 1];
    if (!q) {
      diagnostics.push(warning('answer.no-question', 'Expected a `question ID points N` line before this answer: it belongs to no question and is not graded.', m.span));
      continue;
    }
    const rec = records.get(m)!;
    const tol = answerTolerance(m);
    if ('code' in tol) diagnostics.push(tol);
    const tolerance = 'code' in tol ? DEFAULT_TOLERANCE : tol;
    const id = `${q.info.id}.${q.answers.length + 1}`;
    const key = !handout && rec.value ? rec.value.data : undefined;
    let status: AnswerInfo['status'] = 'unchecked';
    let checkedBy: AnswerInfo['checkedBy'];
    let studentValue: AnswerInfo['student'];
    let diagnosis: ExpectationDiagnosis[] | undefined;
    if (rec.given === 'blank') {
      status = 'blank';
      studentValue = 'blank';
    } else if (rec.given) {
      studentValue = rec.given.data;
      const sc = selfchecks.get(id);
      const bySelfcheck = sc ? selfcheckPasses(rec.given.data, sc.salt, sc.records) : undefined;
      if (sc && bySelfcheck === undefined)
        diagnostics.push(warning('answer.selfcheck-shape', `Expected ${sc.records.length} number${sc.records.length === 1 ? '' : 's'} (one per element of the answer), found ${rec.given.data.length}.`, m.givenSpan ?? m.span));
      if (bySelfcheck !== undefined) {
        status = bySelfcheck ? 'correct' : 'wrong';
        checkedBy = 'selfcheck';
      } else if (key) {
        status = allWithin(rec.given.data, key, tolerance) ? 'correct' : 'wrong';
        checkedBy = 'key';
      }
      if (status === 'wrong' && rec.quantity && rec.value) {
        const n = rec.value.data.length;
        const answer = rec.given.data.length === 1 ? new Array<number>(n).fill(rec.given.data[0]) : rec.given.data;
        if (answer.length === n) {
          let found: ReturnType<typeof diagnoseAnswer> = [];
          try {
            found = diagnoseAnswer(ctx, { quantity: rec.quantity, answer, tolerance: diagnoseTolerance(rec.value.data, tolerance), span: m.span }, earlier);
          } catch {
            found = [];
          }
          const cause = found.length === 1 ? found[0].cause : undefined;
          earlier.push({ quantity: rec.quantity, answer, line: rec.line, ...(cause !== undefined ? { cause } : {}) });
          diagnosis = found.map(({ code, message, span, step }) => ({ code, message, ...(span ? { span } : {}), ...(step ? { step } : {}) }));
        }
      }
    }
    q.answers.push({
      id,
      line: rec.line,
      span: m.span,
      exprText: text.slice(m.expr.span.start, m.expr.span.end),
      exprSpan: m.expr.span,
      ...(m.givenSpan ? { givenSpan: m.givenSpan } : {}),
      ...(key ? { key, keyShape: rec.value!.shape } : {}),
      tolerance,
      ...(studentValue !== undefined ? { student: studentValue } : {}),
      status,
      ...(checkedBy ? { checkedBy } : {}),
      ...(diagnosis ? { diagnosis } : {}),
    });
    if (!handout && !rec.value && m.given === null) diagnostics.push(error('answer.no-key', `Expected the answer's quantity to evaluate (it is the key), found that \`${text.slice(m.expr.span.start, m.expr.span.end)}\` did not.`, m.expr.span));
  }
  for (const [aid, sc] of selfchecks) if (!questions.some((q) => q.answers.some((a) => a.id === aid))) diagnostics.push(warning('selfcheck.unknown-answer', `Expected a self-check record for an answer of this handout, found one for \`${aid}\`, which has none.`, sc.span));
  const qs: QuestionInfo[] = questions.map((q) => ({ ...q.info, answers: q.answers }));
  return {
    info: { ...(name !== undefined ? { name } : {}), ...(seed !== undefined && !handout ? { seed } : {}), handout, released, ...(student !== undefined ? { student } : {}), questions: qs, maxPoints: qs.reduce((s, q) => s + q.points, 0) },
    diagnostics,
  };
}
