/**
 * The grading marks as the evaluator meets them (docs/grading.md): `assignment`, `question`,
 * `handout` and `selfcheck` are recorded in order; an `answer` evaluates what it asks for (the
 * key, in the instructor's source) and the student's value after `==`. The statuses, the
 * self-check and the misconceptions are settled after the run (assign/info.ts), when every
 * record is known.
 */
import { K } from '../autodiff/tape';
import type { Quantity } from '../diagnose/types';
import type { AnswerStmt, AssignmentMark } from '../syntax/ast';
import type { Evaluator } from './evaluator';
import { expr } from './expressions';

/** One `answer` line as evaluated. */
export interface AnswerRecord {
  readonly stmt: AnswerStmt;
  /** 0-based line. */
  readonly line: number;
  /** What the answer's expression computes here (in the source: the key). */
  readonly value?: { readonly shape: number[]; readonly data: number[] };
  /** The quantity the expression asks for, for the misconception engine. */
  readonly quantity?: Quantity;
  /** The student's value after `==` ('blank' for `?`; undefined in the source or when it did not evaluate). */
  readonly given?: { readonly shape: number[]; readonly data: number[] } | 'blank';
  /** Set when the student's value did not evaluate (its diagnostic is in the evaluator's list). */
  readonly givenFailed?: boolean;
}

export function mark(ev: Evaluator, stmt: AssignmentMark): void {
  ev.marks.push(stmt);
  if (stmt.kind === 'Answer') ev.answers.push(answer(ev, stmt));
}

function read(ev: Evaluator, node: number): { shape: number[]; data: number[] } {
  const t = ev.tape;
  if (t.isScalar[node] === 1) return { shape: [], data: [t.sv[node]] };
  const v = t.value(node);
  return { shape: v.shape.slice(), data: Array.from(v.data) };
}

function answer(ev: Evaluator, stmt: AnswerStmt): AnswerRecord {
  const line = ev.currentLine;
  ev.refs = [];
  // In a handout the quantity may be defined in a solution block the student does not have:
  // an answer with a value after `==` is then checked by its self-check alone, silently.
  const before = ev.diagnostics.length;
  const node = expr(ev, stmt.expr);
  if (node === undefined && stmt.given !== null) ev.diagnostics.length = before;
  const value = node === undefined ? undefined : read(ev, node);
  const quantity = node === undefined ? undefined : (ev.quantities.get(stmt.expr) ?? (ev.tape.kind[node] !== K.CONST ? { kind: 'value' as const, node, text: ev.text.slice(stmt.expr.span.start, stmt.expr.span.end) } : undefined));
  let given: AnswerRecord['given'];
  let givenFailed = false;
  if (stmt.given === 'blank') given = 'blank';
  else if (stmt.given) {
    const g = expr(ev, stmt.given);
    if (g === undefined) givenFailed = true;
    else given = read(ev, g);
  }
  return { stmt, line, ...(value ? { value } : {}), ...(quantity ? { quantity } : {}), ...(given ? { given } : {}), ...(givenFailed ? { givenFailed } : {}) };
}
