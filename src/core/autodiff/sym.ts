/**
 * Small symbolic expressions: the printable local derivatives of the op table and the
 * chain-rule factors of derivations. Scalar (element-wise) semantics.
 */
export type Sym =
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'var'; readonly name: string }
  | { readonly k: 'neg'; readonly a: Sym }
  | { readonly k: 'bin'; readonly op: '+' | '-' | '*' | '/' | '^'; readonly a: Sym; readonly b: Sym }
  /** A function application. `f` is a display name (`ReLU`, `ReLU'`, `σ`, `exp`, `ln`, `𝟙`...). */
  | { readonly k: 'call'; readonly f: string; readonly args: readonly Sym[] };

export const num = (v: number): Sym => ({ k: 'num', v });
export const v = (name: string): Sym => ({ k: 'var', name });
export const call = (f: string, ...args: Sym[]): Sym => ({ k: 'call', f, args });

export function isNum(s: Sym, val?: number): boolean {
  return s.k === 'num' && (val === undefined || s.v === val);
}

/** Constructors that simplify the trivial cases (0·x, 1·x, x + 0, constant folding). */
export function add(a: Sym, b: Sym): Sym {
  if (isNum(a, 0)) return b;
  if (isNum(b, 0)) return a;
  if (a.k === 'num' && b.k === 'num') return num(a.v + b.v);
  if (b.k === 'neg') return sub(a, b.a);
  return { k: 'bin', op: '+', a, b };
}
export function sub(a: Sym, b: Sym): Sym {
  if (isNum(b, 0)) return a;
  if (isNum(a, 0)) return neg(b);
  if (a.k === 'num' && b.k === 'num') return num(a.v - b.v);
  return { k: 'bin', op: '-', a, b };
}
export function mul(a: Sym, b: Sym): Sym {
  if (isNum(a, 0) || isNum(b, 0)) return num(0);
  if (isNum(a, 1)) return b;
  if (isNum(b, 1)) return a;
  if (isNum(a, -1)) return neg(b);
  if (isNum(b, -1)) return neg(a);
  if (a.k === 'num' && b.k === 'num') return num(a.v * b.v);
  if (b.k === 'num' && a.k !== 'num') return mul(b, a);
  if (a.k === 'neg') return neg(mul(a.a, b));
  if (b.k === 'neg') return neg(mul(a, b.a));
  return { k: 'bin', op: '*', a, b };
}
export function div(a: Sym, b: Sym): Sym {
  if (isNum(a, 0)) return num(0);
  if (isNum(b, 1)) return a;
  if (a.k === 'num' && b.k === 'num' && b.v !== 0 && Number.isInteger(a.v / b.v)) return num(a.v / b.v);
  return { k: 'bin', op: '/', a, b };
}
export function pow(a: Sym, b: Sym): Sym {
  if (isNum(b, 1)) return a;
  if (isNum(b, 0)) return num(1);
  return { k: 'bin', op: '^', a, b };
}
export function neg(a: Sym): Sym {
  if (a.k === 'num') return num(-a.v);
  if (a.k === 'neg') return a.a;
  return { k: 'neg', a };
}

export function symEquals(a: Sym, b: Sym): boolean {
  if (a.k !== b.k) return false;
  switch (a.k) {
    case 'num':
      return a.v === (b as typeof a).v;
    case 'var':
      return a.name === (b as typeof a).name;
    case 'neg':
      return symEquals(a.a, (b as typeof a).a);
    case 'bin': {
      const bb = b as typeof a;
      return a.op === bb.op && symEquals(a.a, bb.a) && symEquals(a.b, bb.b);
    }
    case 'call': {
      const bb = b as typeof a;
      return a.f === bb.f && a.args.length === bb.args.length && a.args.every((x, i) => symEquals(x, bb.args[i]));
    }
  }
}
