/**
 * The tolerance of an `answer` (docs/grading.md), PrairieLearn's three comparisons:
 * `rel` (relabs: |s − k| ≤ rtol·|k| + atol, atol = 1e-8), `abs` (|s − k| ≤ X), `sigfig N`
 * (|s − k| < 0.51·10^(⌊log10|k|⌋ − N + 1)) and `decdig N` (|s − k| < 0.51·10^−N).
 */
export type ToleranceKind = 'rel' | 'abs' | 'sigfig' | 'decdig';

export interface Tolerance {
  readonly kind: ToleranceKind;
  readonly value: number;
}

/** `tolerance rel 1e-2` when an answer names none (PrairieLearn's default rtol). */
export const DEFAULT_TOLERANCE: Tolerance = { kind: 'rel', value: 1e-2 };
/** relabs's absolute part. */
export const REL_ATOL = 1e-8;

/** The half-width of the accepted interval around the key k. */
export function toleranceWidth(k: number, tol: Tolerance): number {
  switch (tol.kind) {
    case 'rel':
      return tol.value * Math.abs(k) + REL_ATOL;
    case 'abs':
      return tol.value;
    case 'sigfig':
      return k === 0 ? 0.51 * 10 ** (-tol.value) : 0.51 * 10 ** (Math.floor(Math.log10(Math.abs(k))) - tol.value + 1);
    case 'decdig':
      return 0.51 * 10 ** -tol.value;
  }
}

/** Is the student's number s within the tolerance of the key k? NaN never is; ±∞ only equals itself. */
export function withinTolerance(s: number, k: number, tol: Tolerance): boolean {
  if (Number.isNaN(s) || Number.isNaN(k)) return false;
  if (!Number.isFinite(s) || !Number.isFinite(k)) return s === k;
  return Math.abs(s - k) <= toleranceWidth(k, tol);
}

/** Every element within tolerance (the student's list broadcast from a single number). */
export function allWithin(student: readonly number[], key: readonly number[], tol: Tolerance): boolean {
  if (student.length !== key.length && student.length !== 1) return false;
  return key.every((k, i) => withinTolerance(student.length === 1 ? student[0] : student[i], k, tol));
}

/** The relative tolerance the misconception engine matches candidates with (diagnoseAnswer). */
export function diagnoseTolerance(key: readonly number[], tol: Tolerance): number {
  const big = Math.max(1, ...key.map((k) => Math.abs(k)).filter(Number.isFinite));
  return Math.max(...key.map((k) => toleranceWidth(k, tol) / big), 1e-9);
}

export function toleranceText(tol: Tolerance): string {
  return tol.kind === 'rel' || tol.kind === 'abs' ? `tolerance ${tol.kind} ${tol.value}` : `${tol.kind} ${tol.value}`;
}
