/**
 * Scalar work for worked solutions: the statement's expression as a symbolic tree, evaluated
 * step by step (substituted → arguments folded → ReLU as max(0, ·) → value), and the local
 * derivatives of a statement with the rules that give them.
 */
import { evalSym } from '../../autodiff/ops/elementwise';
import * as y from '../../autodiff/sym';
import type { Sym } from '../../autodiff/sym';
import type { Tape } from '../../autodiff/tape';
import type { Binding } from '../../eval/values';
import { numel } from '../../tensor/tensor';
import { diffSym, exprToSym, hasVar } from '../derive';
import { simplify } from '../print';

/** The name under which `p` appears in `b`'s statement. */
export function varFor(b: Binding, p: Binding): string {
  const r = b.refs.find((x) => x.binding === p);
  if (!r) return p.name;
  return r.ref.kind === 'Name' ? r.ref.name : r.ref.parts.join('.');
}

/** The bindings `b` refers to, deduplicated, in source order. */
export function parentsOf(b: Binding): Binding[] {
  const out: Binding[] = [];
  for (const r of b.refs) if (!out.includes(r.binding)) out.push(r.binding);
  return out;
}

/** Values of the names in b's statement (first element; scalars only). */
export function envOf(tape: Tape, b: Binding): (name: string) => number {
  return (name) => {
    const r = b.refs.find((x) => (x.ref.kind === 'Name' ? x.ref.name : x.ref.parts.join('.')) === name);
    return r ? tape.value(r.binding.node).data[0] : NaN;
  };
}

export function isScalar(tape: Tape, b: Binding): boolean {
  return numel(tape.shape(b.node)) === 1 && tape.shape(b.node).length === 0;
}

function hasCall(s: Sym): boolean {
  switch (s.k) {
    case 'call':
      return true;
    case 'bin':
      return hasCall(s.a) || hasCall(s.b);
    case 'neg':
      return hasCall(s.a);
    default:
      return false;
  }
}

const isAtom = (s: Sym): boolean => s.k === 'num' || s.k === 'var' || (s.k === 'neg' && s.a.k === 'num');

/**
 * One evaluation step: the innermost calls with atomic arguments are evaluated (ReLU first
 * becomes `max(0, u)`, as the homework writes it); calls whose arguments are arithmetic get
 * their arguments folded to numbers; an expression without calls becomes its number.
 */
export function reduceStep(s: Sym, env: (name: string) => number): Sym {
  if (!hasCall(s)) return isAtom(s) ? s : y.num(evalSym(s, env));
  const go = (e: Sym): Sym => {
    switch (e.k) {
      case 'call': {
        if (e.args.every(isAtom)) {
          if (e.f === 'ReLU') return y.call('max', y.num(0), e.args[0]);
          return y.num(evalSym(e, env));
        }
        if (!e.args.some(hasCall)) return { ...e, args: e.args.map((a) => (isAtom(a) ? a : y.num(evalSym(a, env)))) };
        return { ...e, args: e.args.map(go) };
      }
      case 'bin':
        return { ...e, a: go(e.a), b: go(e.b) };
      case 'neg':
        return { ...e, a: go(e.a) };
      default:
        return e;
    }
  };
  return go(s);
}

/** Folds only the arguments of calls (`ReLU'(y1 + x0)` → `ReLU'(0.62)`). */
export function foldCallArgs(s: Sym, env: (name: string) => number): Sym {
  switch (s.k) {
    case 'call':
      return { ...s, args: s.args.map((a) => (isAtom(a) ? a : y.num(evalSym(a, env)))) };
    case 'bin':
      return { ...s, a: foldCallArgs(s.a, env), b: foldCallArgs(s.b, env) };
    case 'neg':
      return { ...s, a: foldCallArgs(s.a, env) };
    default:
      return s;
  }
}

/** The scalar statement as a symbolic expression whose evaluation reproduces the tape's value. */
export function evaluableSym(tape: Tape, b: Binding): Sym | undefined {
  if (!b.stmt || !isScalar(tape, b) || !b.refs.every((r) => isScalar(tape, r.binding))) return undefined;
  const s = exprToSym(b.stmt.value);
  const v = evalSym(s, envOf(tape, b));
  const want = tape.value(b.node).data[0];
  if (Number.isNaN(v) && !Number.isNaN(want)) return undefined;
  if (!(Math.abs(v - want) <= 1e-9 * Math.max(1, Math.abs(want))) && !(Number.isNaN(v) && Number.isNaN(want)) && v !== want) return undefined;
  return s;
}

export interface LocalDerivative {
  readonly to: Binding;
  readonly from: Binding;
  /** The variable as written in `to`'s statement. */
  readonly variable: string;
  /** `to`'s expression. */
  readonly expr: Sym;
  readonly derivative: Sym;
  readonly value: number;
  readonly rules: ReadonlySet<string>;
}

/** ∂to/∂from for scalar statements, or undefined where an operation has no symbolic rule. */
export function localDerivative(tape: Tape, to: Binding, from: Binding): LocalDerivative | undefined {
  const expr = evaluableSym(tape, to);
  if (!expr) return undefined;
  const variable = varFor(to, from);
  const d = diffSym(expr, variable);
  if (!d) return undefined;
  const derivative = simplify(d);
  const value = evalSym(derivative, envOf(tape, to));
  const rules = new Set<string>();
  collectRules(expr, variable, rules);
  return { to, from, variable, expr, derivative, value, rules };
}

/** The differentiation rules used on the way from the expression's root to the variable. */
function collectRules(s: Sym, x: string, out: Set<string>): void {
  if (!hasVar(s, x)) return;
  switch (s.k) {
    case 'neg':
      out.add('constant');
      collectRules(s.a, x, out);
      return;
    case 'bin': {
      const ia = hasVar(s.a, x);
      const ib = hasVar(s.b, x);
      if (s.op === '+' || s.op === '-') out.add('sum');
      else if (s.op === '*') out.add(ia && ib ? 'product' : 'constant');
      else if (s.op === '/') out.add(ib ? 'quotient' : 'constant');
      else if (s.op === '^') out.add(ib ? 'exponential' : 'power');
      if (ia) collectRules(s.a, x, out);
      if (ib) collectRules(s.b, x, out);
      return;
    }
    case 'call':
      out.add(s.f);
      for (const a of s.args)
        if (hasVar(a, x)) {
          if (a.k !== 'var') out.add('chain');
          collectRules(a, x, out);
        }
      return;
    default:
      return;
  }
}
