/**
 * A statement's local partial derivatives ∂(its expression)/∂(a name it reads), simplified and
 * printed, computed once per *form* of statement rather than once per statement.
 *
 * A long document repeats a few forms with other names: `x7 = tanh(x6) * 0.9 + 0.1` and
 * `x8 = tanh(x7) * 0.9 + 0.1` have the same partial with x6 or x7 in it. Differentiating,
 * simplifying and printing do not look at what a variable is called (only whether two are the
 * same one), so the names are numbered in order of appearance (`tanh(#0)·0.9 + 0.1`), the
 * partial is built once for that form, and each statement's own names are put back into its text.
 * The one name they do look at is `n` (the element count a mean's partial introduces): a statement
 * reading a variable called `n` is derived on its own.
 */
import type { Sym } from '../autodiff/sym';
import { evalSym } from '../autodiff/ops/elementwise';
import { diffSym } from './derive';
import { printSym, simplify } from './print';

/** A statement's partial with respect to one name: its printed form and its value. */
export interface StatementPartial {
  /** The simplified partial as Unicode math (printSym at the cache's digits). */
  readonly text: string;
  /** Its value where each name the statement reads has the value `env` gives it. */
  value(env: (name: string) => number): number;
}

interface FormPartial {
  /** The simplified partial, with the form's numbered names. */
  readonly sym: Sym;
  /** Its text in pieces: literal text at even indices, the number of a name at odd ones. */
  readonly pieces: readonly (string | number)[];
}

/** Bounds the forms kept (a document of all-different statements would otherwise keep all of them). */
const MAX_FORMS = 4096;
/** Placeholders for the numbered names: characters no printed number, operator or name contains. */
const OPEN = '\u0000';
const CLOSE = '\u0001';

export class StatementPartials {
  private readonly forms = new Map<string, FormPartial | null>();

  constructor(private readonly digits = 4) {}

  /**
   * The partials of `sym` (a statement's expression, exprToSym): `of(x)` is the same as
   * printSym(simplify(diffSym(sym, x)), digits) and evalSym of it; undefined where diffSym has none
   * (an opaque part).
   */
  statement(sym: Sym): { of(x: string): StatementPartial | undefined } {
    const names: string[] = [];
    const index = new Map<string, number>();
    const key = formKey(sym, names, index);
    const { forms, digits } = this;
    let renamed: Sym | undefined;
    return {
      of(x) {
        const xi = index.get(x);
        if (key === undefined || xi === undefined) return direct(sym, x, digits);
        const full = `${xi}|${key}`;
        let form = forms.get(full);
        if (form === undefined) {
          const d = diffSym((renamed ??= numbered(sym, index)), placeholder(xi));
          form = d ? pieces(simplify(d), digits) : null;
          if (forms.size < MAX_FORMS) forms.set(full, form);
        }
        if (form === null) return undefined;
        const f = form;
        let text = '';
        for (let i = 0; i < f.pieces.length; i++) text += i % 2 === 0 ? (f.pieces[i] as string) : names[f.pieces[i] as number];
        return {
          text,
          value: (env) => evalSym(f.sym, (n) => (n.charCodeAt(0) === 0 && n.charCodeAt(n.length - 1) === 1 ? env(names[Number(n.slice(1, -1))]) : env(n))),
        };
      },
    };
  }
}

/** Without the cache (a statement reading `n`). */
function direct(sym: Sym, x: string, digits: number): StatementPartial | undefined {
  const d = diffSym(sym, x);
  if (!d) return undefined;
  const s = simplify(d);
  return { text: printSym(s, digits), value: (env) => evalSym(s, env) };
}

function placeholder(i: number): string {
  return `${OPEN}${i}${CLOSE}`;
}

/**
 * The form of a symbolic expression as a string that tells any two forms apart (every part
 * delimited), its names numbered in order of appearance into `names` / `index`; undefined when
 * it reads a variable called `n` or one already holding a placeholder character.
 */
function formKey(s: Sym, names: string[], index: Map<string, number>): string | undefined {
  switch (s.k) {
    case 'num':
      return Object.is(s.v, -0) ? 'n-0' : `n${s.v}`;
    case 'var': {
      if (s.name === 'n' || s.name.includes(OPEN) || s.name.includes(CLOSE)) return undefined;
      let i = index.get(s.name);
      if (i === undefined) {
        i = names.length;
        names.push(s.name);
        index.set(s.name, i);
      }
      return `v${i}`;
    }
    case 'neg': {
      const a = formKey(s.a, names, index);
      return a === undefined ? undefined : `-(${a})`;
    }
    case 'bin': {
      const a = formKey(s.a, names, index);
      const b = a === undefined ? undefined : formKey(s.b, names, index);
      return b === undefined ? undefined : `${s.op}(${a},${b})`;
    }
    case 'call': {
      let out = `c${JSON.stringify(s.f)}(`;
      for (let i = 0; i < s.args.length; i++) {
        const a = formKey(s.args[i], names, index);
        if (a === undefined) return undefined;
        out += i ? `,${a}` : a;
      }
      return `${out})`;
    }
  }
}

/** The expression with each name replaced by its numbered placeholder. */
function numbered(s: Sym, index: ReadonlyMap<string, number>): Sym {
  switch (s.k) {
    case 'num':
      return s;
    case 'var':
      return { k: 'var', name: placeholder(index.get(s.name)!) };
    case 'neg':
      return { k: 'neg', a: numbered(s.a, index) };
    case 'bin':
      return { k: 'bin', op: s.op, a: numbered(s.a, index), b: numbered(s.b, index) };
    case 'call':
      return { k: 'call', f: s.f, args: s.args.map((a) => numbered(a, index)) };
  }
}

/** The printed partial split at its placeholders. */
function pieces(s: Sym, digits: number): FormPartial {
  const text = printSym(s, digits);
  const out: (string | number)[] = [];
  let from = 0;
  for (let open = text.indexOf(OPEN); open >= 0; open = text.indexOf(OPEN, from)) {
    const close = text.indexOf(CLOSE, open);
    out.push(text.slice(from, open), Number(text.slice(open + 1, close)));
    from = close + 1;
  }
  out.push(text.slice(from));
  return { sym: s, pieces: out };
}
