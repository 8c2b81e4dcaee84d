import { formatMinus, formatNumber } from '../format';
import type { Sym } from '../autodiff/sym';
import * as y from '../autodiff/sym';

/** Precedence for printing: higher binds tighter. */
function prec(s: Sym): number {
  switch (s.k) {
    case 'num':
      return s.v < 0 ? 3 : 6;
    case 'var':
    case 'call':
      return 6;
    case 'neg':
      return 3;
    case 'bin':
      return s.op === '+' || s.op === '-' ? 1 : s.op === '^' ? 4 : 2;
  }
}

/** Unicode math: `ReLU'(x0·w0 + b0)·x0`, `−0.2`, `σ(h)·(1 − σ(h))`. */
export function printSym(s: Sym, digits = 4): string {
  const p = (c: Sym, min: number): string => {
    const t = printSym(c, digits);
    return prec(c) < min ? `(${t})` : t;
  };
  switch (s.k) {
    case 'num':
      return formatMinus(s.v, digits);
    case 'var':
      return s.name;
    case 'neg':
      return `−${p(s.a, 2)}`;
    case 'bin':
      switch (s.op) {
        case '+':
          return `${p(s.a, 1)} + ${p(s.b, 2)}`;
        case '-':
          return `${p(s.a, 1)} − ${p(s.b, 2)}`;
        case '*':
          return `${p(s.a, 2)}·${p(s.b, 3)}`;
        case '/':
          return `${p(s.a, 2)}/${p(s.b, 3)}`;
        case '^': {
          if (s.b.k === 'num' && s.b.v === 2) return `${p(s.a, 5)}²`;
          if (s.b.k === 'num' && s.b.v === 3) return `${p(s.a, 5)}³`;
          return `${p(s.a, 5)}^${p(s.b, 5)}`;
        }
      }
      return '';
    case 'call': {
      if (s.f === 'abs') return `|${printSym(s.args[0], digits)}|`;
      if (s.f === '√') return `√${p(s.args[0], 6)}`;
      // The slope is shown when it is not the default (two slopes must not print, and merge, alike).
      if (s.f === "LeakyReLU'" || s.f === 'LeakyReLU') {
        const slope = s.args[1]?.k === 'num' ? s.args[1].v : 0.01;
        return `${s.f}(${printSym(s.args[0], digits)}${slope !== 0.01 ? `; slope ${formatNumber(slope, digits)}` : ''})`;
      }
      return `${s.f}(${s.args.map((a) => printSym(a, digits)).join(', ')})`;
    }
  }
}

/** Collects like terms of a sum and folds numeric factors: a·1 + 1·a + 1 → 2·a + 1. */
export function simplify(s: Sym): Sym {
  // Each term keeps its printed form: like terms are found by it without printing them again.
  const terms: { coef: number; rest: Sym | null; key: string }[] = [];
  const addTerm = (coef: number, rest: Sym | null): void => {
    if (coef === 0) return;
    const key = rest ? printSym(rest, 17) : '';
    const t = terms.find((x) => x.key === key);
    if (t) t.coef += coef;
    else terms.push({ coef, rest, key });
  };
  const collect = (e: Sym, sign: number): void => {
    if (e.k === 'bin' && e.op === '+') {
      collect(e.a, sign);
      collect(e.b, sign);
    } else if (e.k === 'bin' && e.op === '-') {
      collect(e.a, sign);
      collect(e.b, -sign);
    } else if (e.k === 'neg') collect(e.a, -sign);
    else {
      const [c, r] = splitCoef(simplifyProduct(e));
      addTerm(sign * c, r);
    }
  };
  collect(s, 1);
  let out: Sym = y.num(0);
  for (const t of terms) {
    if (t.coef === 0) continue;
    const term = t.rest ? y.mul(y.num(Math.abs(t.coef)), t.rest) : y.num(Math.abs(t.coef));
    if (out.k === 'num' && out.v === 0) out = t.coef < 0 ? y.neg(term) : term;
    else out = t.coef < 0 ? y.sub(out, term) : y.add(out, term);
  }
  return out;
}

/** Flattens a product, multiplies its numbers together. */
function simplifyProduct(e: Sym): Sym {
  const factors: Sym[] = [];
  let c = 1;
  const walk = (x: Sym): void => {
    if (x.k === 'bin' && x.op === '*') {
      walk(x.a);
      walk(x.b);
    } else if (x.k === 'num') c *= x.v;
    else if (x.k === 'neg') {
      c = -c;
      walk(x.a);
    } else factors.push(x.k === 'call' ? { ...x, args: x.args.map((a) => simplify(a)) } : x);
  };
  walk(e);
  // x·x → x²
  const merged: Sym[] = [];
  for (const f of factors) {
    const prev = merged.findIndex((m) => y.symEquals(m, f));
    if (prev >= 0) merged[prev] = y.pow(f, y.num(2));
    else merged.push(f);
  }
  // a·(1/b) reads as a/b: move reciprocal factors into one denominator.
  const nums: Sym[] = [];
  const dens: Sym[] = [];
  for (const f of merged) {
    if (f.k === 'bin' && f.op === '/') {
      if (!(f.a.k === 'num' && f.a.v === 1)) nums.push(f.a);
      dens.push(f.b);
    } else nums.push(f);
  }
  let out: Sym = y.num(c);
  for (const f of nums) out = y.mul(out, f);
  if (dens.length) {
    let den: Sym = dens[0];
    for (const f of dens.slice(1)) den = y.mul(den, f);
    out = y.div(out, den);
  }
  return out;
}

function splitCoef(e: Sym): [number, Sym | null] {
  if (e.k === 'num') return [e.v, null];
  if (e.k === 'neg') {
    const [c, r] = splitCoef(e.a);
    return [-c, r];
  }
  if (e.k === 'bin' && e.op === '*' && e.a.k === 'num') return [e.a.v, e.b];
  return [1, e];
}
