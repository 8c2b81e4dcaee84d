/**
 * Symbolic sizes with constant folding. A size is a number or a polynomial over atoms, where
 * an atom is a symbol from an `input` shape (`N`, `H`) or `floor(P/d)` / `ceil(P/d)` of a
 * polynomial P and a positive integer d. Polynomials are kept in a normal form (like terms
 * merged, zero terms dropped), so `H + 2·1 − 3` folds to `H − 1`, and a polynomial that
 * becomes constant is returned as a plain number.
 *
 * Printing uses `·` for products and `−` for subtraction: `1024·N`, `floor((H − 1)/2) + 1`.
 */
export type Dim = number | Poly;

export type Atom =
  | { readonly k: 'sym'; readonly name: string; readonly key: string }
  | { readonly k: 'floor' | 'ceil'; readonly p: Poly; readonly d: number; readonly key: string };

interface Term {
  readonly coef: number;
  /** Atoms in display order (repeated atoms are repeated: N·N). */
  readonly atoms: readonly Atom[];
  /** Sorted atom keys: the identity of the monomial. */
  readonly key: string;
}

export interface Poly {
  readonly kind: 'poly';
  readonly c: number;
  readonly terms: readonly Term[];
  /** toText's cache: a Poly never changes once built (internal). */
  text: string | undefined;
}

function poly(c: number, terms: readonly Term[]): Poly {
  return { kind: 'poly', c, terms, text: undefined };
}

export function sym(name: string): Dim {
  const a: Atom = { k: 'sym', name, key: name };
  return poly(0, [{ coef: 1, atoms: [a], key: a.key }]);
}

/** Merges like terms (first occurrence keeps its place and atoms), drops zero terms; a constant becomes a number. */
function normalize(c: number, terms: readonly Term[]): Dim {
  let out: Term[];
  if (terms.length <= 16) {
    out = [];
    for (const t of terms) {
      let j = 0;
      while (j < out.length && out[j].key !== t.key) j++;
      if (j < out.length) {
        const prev = out[j];
        out[j] = { coef: prev.coef + t.coef, atoms: prev.atoms, key: t.key };
      } else out.push(t);
    }
  } else {
    const merged = new Map<string, Term>();
    for (const t of terms) {
      const prev = merged.get(t.key);
      merged.set(t.key, prev ? { coef: prev.coef + t.coef, atoms: prev.atoms, key: t.key } : t);
    }
    out = [...merged.values()];
  }
  let nz = 0;
  for (const t of out) if (t.coef !== 0) nz++;
  if (nz === 0) return c;
  return poly(c, nz === out.length ? out : out.filter((t) => t.coef !== 0));
}

export function add(a: Dim, b: Dim): Dim {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a + b;
    // b is in normal form already: only the constant changes.
    return a === 0 ? b : poly(a + b.c, b.terms);
  }
  if (typeof b === 'number') return b === 0 ? a : poly(a.c + b, a.terms);
  const c = a.c + b.c;
  if (a.terms.length === 1 && b.terms.length === 1) {
    const x = a.terms[0];
    const y = b.terms[0];
    if (x.key === y.key) {
      const coef = x.coef + y.coef;
      return coef === 0 ? c : poly(c, [{ coef, atoms: x.atoms, key: x.key }]);
    }
    return poly(c, [x, y]);
  }
  return normalize(c, [...a.terms, ...b.terms]);
}

export function scale(a: Dim, k: number): Dim {
  if (typeof a === 'number') return a * k;
  if (k === 0) return 0;
  if (k === 1) return a;
  // Distinct keys stay distinct: only coefficients that vanish (underflow) are dropped.
  const terms: Term[] = [];
  for (const t of a.terms) {
    const coef = t.coef * k;
    if (coef !== 0) terms.push({ coef, atoms: t.atoms, key: t.key });
  }
  return terms.length === 0 ? a.c * k : poly(a.c * k, terms);
}

export function sub(a: Dim, b: Dim): Dim {
  return add(a, scale(b, -1));
}

export function mul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  if (typeof a === 'number') return scale(b, a);
  if (typeof b === 'number') return scale(a, b);
  const terms: Term[] = [];
  const ta = a.terms;
  const tb = b.terms;
  for (const x of ta) {
    for (const y of tb) {
      const atoms = [...x.atoms, ...y.atoms];
      terms.push({ coef: x.coef * y.coef, atoms, key: atoms.map((t) => t.key).sort().join('*') });
    }
    if (b.c !== 0) terms.push({ coef: x.coef * b.c, atoms: x.atoms, key: x.key });
  }
  if (a.c !== 0) for (const y of tb) terms.push({ coef: y.coef * a.c, atoms: y.atoms, key: y.key });
  return normalize(a.c * b.c, terms);
}

export function product(ds: readonly Dim[]): Dim {
  let r: Dim = 1;
  for (const d of ds) r = mul(r, d);
  return r;
}

function divRound(a: Dim, d: number, mode: 'floor' | 'ceil'): Dim {
  if (d === 1) return a;
  if (typeof a === 'number') return mode === 'floor' ? Math.floor(a / d) : Math.ceil(a / d);
  // Exact division when every coefficient is a multiple of d.
  if (a.c % d === 0 && a.terms.every((t) => t.coef % d === 0)) return scale(a, 1 / d);
  const key = `${mode}(${toText(a)}/${d})`;
  const atom: Atom = { k: mode, p: a, d, key };
  return poly(0, [{ coef: 1, atoms: [atom], key }]);
}

export function floorDiv(a: Dim, d: number): Dim {
  return divRound(a, d, 'floor');
}
export function ceilDiv(a: Dim, d: number): Dim {
  return divRound(a, d, 'ceil');
}

/** The value under a binding of the symbols, or undefined if a symbol is unbound. */
export function evaluate(a: Dim, env: ReadonlyMap<string, number>): number | undefined {
  if (typeof a === 'number') return a;
  let s = a.c;
  for (const t of a.terms) {
    let v = t.coef;
    for (const at of t.atoms) {
      let x: number | undefined;
      if (at.k === 'sym') x = env.get(at.name);
      else {
        const inner = evaluate(at.p, env);
        x = inner === undefined ? undefined : at.k === 'floor' ? Math.floor(inner / at.d) : Math.ceil(inner / at.d);
      }
      if (x === undefined) return undefined;
      v *= x;
    }
    s += v;
  }
  return s;
}

function atomText(a: Atom): string {
  if (a.k === 'sym') return a.name;
  const inner = toText(a.p);
  const needsParens = typeof a.p !== 'number' && (a.p.c !== 0 || a.p.terms.length > 1 || a.p.terms[0].coef !== 1 || a.p.terms[0].atoms.length > 1);
  return `${a.k}(${needsParens ? `(${inner})` : inner}/${a.d})`;
}

function termText(t: Term, absCoef: boolean): string {
  const c = absCoef ? Math.abs(t.coef) : t.coef;
  let body = atomText(t.atoms[0]);
  for (let i = 1; i < t.atoms.length; i++) body += `·${atomText(t.atoms[i])}`;
  if (c === 1) return body;
  if (c === -1) return `−${body}`;
  return `${c < 0 ? `−${-c}` : c}·${body}`;
}

/** `1024·N`, `floor((H − 1)/2) + 1`, `N·H·W`. Numbers print as themselves. */
export function toText(a: Dim): string {
  if (typeof a === 'number') return a < 0 ? `−${-a}` : String(a);
  return (a.text ??= polyText(a));
}

function polyText(a: Poly): string {
  let s = termText(a.terms[0], false);
  for (let i = 1; i < a.terms.length; i++) {
    const t = a.terms[i];
    s += t.coef < 0 ? ` − ${termText(t, true)}` : ` + ${termText(t, false)}`;
  }
  if (a.c > 0) s += ` + ${a.c}`;
  else if (a.c < 0) s += ` − ${-a.c}`;
  return s;
}

/** As analysis.ts's SizeValue: a number, or the printed expression. */
export function toSize(a: Dim): number | string {
  return typeof a === 'number' ? a : toText(a);
}

export function sameDim(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return toText(a) === toText(b);
}

export function shapeText(s: readonly Dim[]): string {
  return `[${s.map(toText).join(', ')}]`;
}
