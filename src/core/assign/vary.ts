/**
 * `vary(…)`: a number drawn per student (docs/grading.md, "Variants").
 *
 * - `vary(0.3, 0.5, 0.7)`: one of the listed numbers;
 * - `vary(uniform(-1, 1), round=1)`: uniform in [lo, hi], rounded to `round` decimals (default 2);
 * - `vary(randint(2, 6))`: an integer in [lo, hi], both included (a layer size).
 *
 * In the instructor's source (and the editor) `vary` is its first choice: the first listed
 * number, or `default=` when given, else `lo` of a range. Per student, the draws come from one
 * MT19937 stream (numpy's `random_sample`) seeded with the first 32 bits of
 * SHA-256(`gradlens-vary|SEED|STUDENT|ATTEMPT`), one draw per `vary` in source order.
 */
import { error, type Diagnostic } from '../diagnostics';
import type { Span } from '../span';
import type { Expr, Program, Statement } from '../syntax/ast';
import { walkExpr } from '../syntax/walk';
import { createRng } from '../tensor/rng';
import { sha256Hex } from './sha256';

export type VarySpec =
  | { readonly kind: 'choices'; readonly choices: readonly number[]; readonly texts: readonly string[]; readonly first: number }
  | { readonly kind: 'uniform'; readonly lo: number; readonly hi: number; readonly round: number; readonly first: number }
  | { readonly kind: 'randint'; readonly lo: number; readonly hi: number; readonly first: number };

type Call = Extract<Expr, { kind: 'Call' }>;

/** A literal number, possibly signed or in parentheses; undefined otherwise (vary's choices, the marks' numbers). */
export function literal(e: Expr): number | undefined {
  if (e.kind === 'Number') return e.value;
  if (e.kind === 'Paren') return literal(e.inner);
  if (e.kind === 'Unary' && (e.op === '-' || e.op === '+')) {
    const v = literal(e.operand);
    return v === undefined ? undefined : e.op === '-' ? -v : v;
  }
  return undefined;
}

const bad = (message: string, span: Span): { error: Diagnostic } => ({ error: error('vary.invalid', message, span) });

/** Reads a `vary(…)` call; a diagnostic when it is not one of the three forms. */
export function readVary(e: Call, text: string): VarySpec | { error: Diagnostic } {
  const positional = e.args.filter((a) => !a.name);
  const kw = new Map(e.args.filter((a) => a.name).map((a) => [a.name!.name.toLowerCase(), a]));
  for (const [k, a] of kw) if (k !== 'round' && k !== 'default') return bad(`Expected \`round=\` or \`default=\` in \`vary(…)\`, found \`${k}=\`.`, a.span);
  const kwNumber = (k: string): number | undefined | { error: Diagnostic } => {
    const a = kw.get(k);
    if (!a) return undefined;
    const v = literal(a.value);
    return v === undefined ? bad(`Expected a number after \`${k}=\`, found \`${text.slice(a.value.span.start, a.value.span.end)}\`.`, a.value.span) : v;
  };
  const dflt = kwNumber('default');
  if (typeof dflt === 'object') return dflt;
  const first = positional[0]?.value;
  if (!first) return bad('Expected the choices of `vary(…)`: numbers, `uniform(lo, hi)` or `randint(lo, hi)`; found none.', e.span);
  if (first.kind === 'Call' && (first.callee.toLowerCase() === 'uniform' || first.callee.toLowerCase() === 'randint')) {
    const range = first.callee.toLowerCase();
    if (positional.length > 1) return bad(`Expected one range in \`vary(…)\`, found more after \`${range}(…)\`.`, positional[1].span);
    const bounds = first.args.map((a) => (a.name ? undefined : literal(a.value)));
    if (bounds.length !== 2 || bounds.some((b) => b === undefined) || !(bounds[0]! < bounds[1]!))
      return bad(`Expected \`${range}(lo, hi)\` with two numbers, lo < hi; found \`${text.slice(first.span.start, first.span.end)}\`.`, first.span);
    const [lo, hi] = bounds as number[];
    if (range === 'randint') {
      if (!Number.isInteger(lo) || !Number.isInteger(hi)) return bad('Expected whole numbers in `randint(lo, hi)`.', first.span);
      if (kw.has('round')) return bad('Expected no `round=` with `randint(…)` (its draws are whole numbers).', kw.get('round')!.span);
      return { kind: 'randint', lo, hi, first: dflt ?? lo };
    }
    const round = kwNumber('round');
    if (typeof round === 'object') return round;
    if (round !== undefined && !(Number.isInteger(round) && round >= 0 && round <= 12)) return bad('Expected `round=` to be a whole number of decimals from 0 to 12.', kw.get('round')!.span);
    return { kind: 'uniform', lo, hi, round: round ?? 2, first: dflt ?? lo };
  }
  const choices: number[] = [];
  const texts: string[] = [];
  for (const a of positional) {
    const v = literal(a.value);
    if (v === undefined) return bad(`Expected a number as a choice of \`vary(…)\`, found \`${text.slice(a.value.span.start, a.value.span.end)}\` (write numbers, \`uniform(lo, hi)\` or \`randint(lo, hi)\`).`, a.value.span);
    choices.push(v);
    texts.push(text.slice(a.value.span.start, a.value.span.end).replace(/\s+/g, ''));
  }
  if (kw.has('round')) return bad('Expected no `round=` with listed choices.', kw.get('round')!.span);
  return { kind: 'choices', choices, texts, first: dflt ?? choices[0] };
}

/** Every `vary(…)` call of a program, in source order. */
export function varyCalls(program: Program): Call[] {
  const out: Call[] = [];
  const visit = (x: Expr): void => {
    if (x.kind === 'Call' && x.callee.toLowerCase() === 'vary') out.push(x);
  };
  for (const s of program.statements) for (const e of statementExprs(s)) walkExpr(e, visit);
  return out.sort((a, b) => a.span.start - b.span.start);
}

/** The expressions a statement holds (network layer arguments included). */
export function statementExprs(s: Statement): Expr[] {
  switch (s.kind) {
    case 'Assign':
    case 'Unpack':
      return [s.value];
    case 'Print':
      return s.args.map((a) => a.value);
    case 'Check':
      return s.within ? [s.within] : [];
    case 'Expect':
      return [s.left, s.right, ...(s.within ? [s.within] : [])];
    case 'Network':
      return [...(s.seed ? [s.seed] : []), ...(s.input?.dims ?? []), ...s.layers.flatMap((l) => (l.args ?? []).map((a) => a.value))];
    case 'Train':
      return s.clauses.flatMap((c) => (c.value ? [c.value] : []));
    case 'Answer':
      return [s.expr, ...(s.given && s.given !== 'blank' ? [s.given] : []), ...(s.tolerance ? [s.tolerance.value] : [])];
    case 'Question':
      return [...(s.points ? [s.points] : []), ...(s.carry ? [s.carry] : [])];
    case 'Assignment':
      return s.seed ? [s.seed] : [];
    default:
      return [];
  }
}

/** The 32-bit seed of one attempt of one student's draws. */
export function varySeed(seed: number, student: string, attempt: number): number {
  return parseInt(sha256Hex(`gradlens-vary|${seed}|${student}|${attempt}`).slice(0, 8), 16);
}

/** The text each spec is replaced with for one student (one draw per spec, in order). */
export function drawVaries(specs: readonly VarySpec[], seed: number, student: string, attempt: number): string[] {
  const rng = createRng(varySeed(seed, student, attempt));
  return specs.map((s) => {
    const u = rng.rand(1)[0];
    if (s.kind === 'choices') return s.texts[Math.min(s.choices.length - 1, Math.floor(u * s.choices.length))];
    if (s.kind === 'randint') return String(s.lo + Math.min(s.hi - s.lo, Math.floor(u * (s.hi - s.lo + 1))));
    const x = Number((s.lo + u * (s.hi - s.lo)).toFixed(s.round));
    return String(Object.is(x, -0) ? 0 : x);
  });
}
