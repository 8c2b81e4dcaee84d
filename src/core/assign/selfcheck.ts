/**
 * Self-check records (docs/grading.md, "Self-check"): for each element of an answer's key, a
 * rounding step (a power of ten at least the tolerance's half-width, so it shows the answer's
 * order of magnitude and nothing finer) and a salted SHA-256 of the key's cell index at that
 * step. A student's number is ✓ when its cell, or a cell next to it, has that hash: every
 * number the grader accepts is ✓ (it lies at most one step from the key), and a number up to
 * two steps away may be ✓ too — the grader decides, the self-check only guides. An exact answer
 * (`tolerance abs 0`, a count) has one `exact:HASH` record of the number itself.
 */
import { sha256Hex } from './sha256';
import { toleranceWidth, type Tolerance } from './tolerance';

/**
 * The rounding step for key k: 10^⌈log10(half-width)⌉, and at least |k|·2^-50 (so that the cell
 * index and its neighbours are exact in float64); 0 for an exact answer (`tolerance abs 0`).
 */
export function selfcheckStep(k: number, tol: Tolerance): number {
  const w = toleranceWidth(k, tol);
  if (!(w > 0)) return 0;
  return 10 ** Math.ceil(Math.log10(Math.max(w, Math.abs(k) * 2 ** -50)));
}

function stepText(step: number): string {
  return `1e${Math.round(Math.log10(step))}`;
}

/** 64 bits of SHA-256 of salt, step and cell index. */
function cellHash(salt: string, step: string, cell: number): string {
  return sha256Hex(`${salt}:${step}:${cell}`).slice(0, 16);
}

/** The records of one answer: `"1e-2:9f0c…"` per element of the key. */
export function selfcheckRecords(key: readonly number[], tol: Tolerance, salt: string): string[] {
  return key.map((k) => {
    if (!Number.isFinite(k)) return `${String(k)}:${cellHash(salt, 'x', 0)}`;
    const step = selfcheckStep(k, tol);
    if (step === 0) return `exact:${sha256Hex(`${salt}:exact:${String(k)}`).slice(0, 16)}`;
    const st = stepText(step);
    return `${st}:${cellHash(salt, st, Math.round(k / Number(st)))}`;
  });
}

/**
 * Does the student's answer pass the records? undefined when the records cannot be read or the
 * answer has another number of elements (a single number is compared with every element).
 */
export function selfcheckPasses(student: readonly number[], salt: string, records: readonly string[]): boolean | undefined {
  if (student.length !== records.length && student.length !== 1) return undefined;
  for (let i = 0; i < records.length; i++) {
    const s = student.length === 1 ? student[0] : student[i];
    const m = /^([^:]+):([0-9a-f]{16})$/.exec(records[i]);
    if (!m) return undefined;
    if (m[1] === 'exact') {
      if (sha256Hex(`${salt}:exact:${String(s)}`).slice(0, 16) !== m[2]) return false;
      continue;
    }
    const step = Number(m[1]);
    if (!Number.isFinite(step) || step <= 0) {
      if (String(s) !== m[1]) return false;
      continue;
    }
    if (!Number.isFinite(s)) return false;
    const c = Math.round(s / step);
    if (![c - 1, c, c + 1].some((n) => cellHash(salt, m[1], n) === m[2])) return false;
  }
  return true;
}

/** The salt of one student's answer: unique per assignment, seed, student and answer; the seed stays secret. */
export function selfcheckSalt(assignment: string, seed: number, student: string, answerId: string): string {
  return sha256Hex(`gradlens-salt|${assignment}|${seed}|${student}|${answerId}`).slice(0, 12);
}
