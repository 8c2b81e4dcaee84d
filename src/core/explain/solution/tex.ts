/**
 * LaTeX printers for worked solutions and the panel's derivations: the user's expression tree
 * (AST) as written, the symbolic expressions (Sym) of derivatives with numbers substituted,
 * names, numbers, counts and tensors. Output parses with KaTeX and compiles with pdflatex + amsmath/amssymb.
 */
import type { Sym } from '../../autodiff/sym';
import { formatCount, formatNumber } from '../../format';
import type { Arg, Expr, IndexItem } from '../../syntax/ast';

export interface TexOptions {
  /** Significant digits of computed numbers. */
  readonly digits: number;
  /** LaTeX of the value a name stands for (substitution), or undefined to print the name. */
  readonly subst?: (name: string) => string | undefined;
}

const GREEK: Record<string, string> = {
  α: '\\alpha', β: '\\beta', γ: '\\gamma', δ: '\\delta', ε: '\\epsilon', η: '\\eta', θ: '\\theta', λ: '\\lambda',
  μ: '\\mu', ν: '\\nu', π: '\\pi', ρ: '\\rho', σ: '\\sigma', τ: '\\tau', φ: '\\phi', ω: '\\omega', Φ: '\\Phi',
};

/** A name in LaTeX: x0 → x_0, w_hidden → w_{hidden}, Greek letters. */
export function texName(name: string): string {
  const m = /^([A-Za-zα-ωΑ-Ω]+?)_?(\d+)$/.exec(name);
  const base = (b: string): string =>
    [...b].map((c) => GREEK[c] ?? c).join('').replace(/\\[a-zA-Z]+(?=[a-zA-Z])/g, (g) => `${g} `);
  if (m) return `${base(m[1])}_{${m[2]}}`;
  const u = name.indexOf('_');
  if (u > 0) return `${base(name.slice(0, u))}_{\\mathrm{${name.slice(u + 1).replace(/_/g, '\\_')}}}`;
  return name.length > 1 && !/^[α-ωΑ-Ω]$/.test(name) && !GREEK[name] ? `\\mathrm{${base(name)}}` : base(name);
}

/** A computed number: `-0.38`, `2.9 \times 10^{-11}`. */
export function texNum(v: number, digits = 4): string {
  if (Number.isNaN(v)) return '\\mathrm{NaN}';
  if (v === Infinity) return '\\infty';
  if (v === -Infinity) return '-\\infty';
  const s = formatNumber(v, digits);
  const e = /^(-?[\d.]+)e([+-]?\d+)$/.exec(s);
  if (e) return `${e[1]} \\times 10^{${Number(e[2])}}`;
  return s;
}

/** A count with thousands separators: `557{,}057`. */
export function texCount(n: number): string {
  return formatCount(n).replace(/,/g, '{,}');
}

/** A number literal as the user wrote it (`1.0`, `.5`, `1e-3`). */
function texRaw(raw: string): string {
  const e = /^([\d.]+)[eE]([+-]?\d+)$/.exec(raw);
  if (e) return `${e[1].startsWith('.') ? '0' + e[1] : e[1]} \\times 10^{${Number(e[2])}}`;
  return raw.startsWith('.') ? `0${raw}` : raw;
}

/** A shape as `\mathbb{R}^{32 \times 30}` (scalars: `\mathbb{R}`). */
export function texSpace(shape: readonly (number | string)[]): string {
  if (shape.length === 0) return '\\mathbb{R}';
  return `\\mathbb{R}^{${shape.map((d) => (typeof d === 'number' ? String(d) : texSize(d))).join(' \\times ')}}`;
}

/** A symbolic size or formula from the network summary (`1024·N`, `(3·3·3 + 1) × 16`). */
export function texSize(s: string | number): string {
  if (typeof s === 'number') return String(s);
  return s
    .replace(/×/g, ' \\times ')
    .replace(/·/g, ' \\cdot ')
    .replace(/−/g, '-')
    .replace(/floor/g, '\\operatorname{floor}')
    .replace(/ceil/g, '\\operatorname{ceil}')
    .replace(/\s+/g, ' ')
    .trim();
}

const preview = (n: number): number[] => (n <= 8 ? [...Array(n).keys()] : [0, 1, 2, -1, n - 2, n - 1]);

/** A tensor's value: a number, a row vector, a small matrix; larger ones elided with `\cdots`. */
export function texTensor(shape: readonly number[], data: ArrayLike<number>, digits = 4): string {
  if (shape.length === 0) return texNum(data[0], digits);
  if (shape.length === 1) {
    const cells = preview(shape[0]).map((i) => (i < 0 ? '\\cdots' : texNum(data[i], digits)));
    return `\\begin{bmatrix} ${cells.join(' & ')} \\end{bmatrix}`;
  }
  if (shape.length === 2) {
    const [r, c] = shape;
    const rows = preview(r).map((i) =>
      i < 0 ? preview(c).map((j) => (j < 0 ? '\\ddots' : '\\vdots')).join(' & ') : preview(c).map((j) => (j < 0 ? '\\cdots' : texNum(data[i * c + j], digits))).join(' & '),
    );
    return `\\begin{bmatrix} ${rows.join(' \\\\ ')} \\end{bmatrix}`;
  }
  return `\\text{(a tensor of shape } [${shape.join(', ')}]\\text{)}`;
}

// ---- Sym ----------------------------------------------------------------------------------

const FN: Record<string, string> = {
  ReLU: '\\operatorname{ReLU}',
  "ReLU'": "\\operatorname{ReLU}'",
  LeakyReLU: '\\operatorname{LeakyReLU}',
  "LeakyReLU'": "\\operatorname{LeakyReLU}'",
  σ: '\\sigma',
  tanh: '\\tanh',
  exp: '\\exp',
  ln: '\\log',
  sin: '\\sin',
  cos: '\\cos',
  sign: '\\operatorname{sign}',
  H: 'H',
  softplus: '\\operatorname{softplus}',
  GELU: '\\operatorname{GELU}',
  Φ: '\\Phi',
  φ: '\\varphi',
  max: '\\max',
  min: '\\min',
};

export function texFn(f: string): string {
  return FN[f] ?? `\\operatorname{${f.replace(/[^A-Za-z0-9']/g, (c) => (c === '_' ? '\\_' : ''))}}`;
}

/** Precedence: higher binds tighter. A negative number or substituted negative value is 3. */
function precSym(s: Sym, o: TexOptions): number {
  switch (s.k) {
    case 'num':
      return s.v < 0 ? 3 : 6;
    case 'var': {
      const t = o.subst?.(s.name);
      return t !== undefined && t.startsWith('-') ? 3 : 6;
    }
    case 'call':
      return 6;
    case 'neg':
      return 3;
    case 'bin':
      return s.op === '+' || s.op === '-' ? 1 : s.op === '^' ? 4 : 2;
  }
}

/** A symbolic expression as LaTeX; names substituted through `o.subst`. */
export function texSymbolic(s: Sym, o: TexOptions): string {
  const p = (c: Sym, min: number): string => {
    const t = texSymbolic(c, o);
    return precSym(c, o) < min ? `\\left(${t}\\right)` : t;
  };
  // A negative number (or a name substituted by one) on the right of an operator: parenthesised.
  const r = (c: Sym, min: number): string => (precSym(c, o) === 3 ? `\\left(${texSymbolic(c, o)}\\right)` : p(c, min));
  switch (s.k) {
    case 'num':
      return texNum(s.v, o.digits);
    case 'var':
      return o.subst?.(s.name) ?? texName(s.name);
    case 'neg':
      return `-${p(s.a, 4)}`;
    case 'bin':
      switch (s.op) {
        case '+':
          return `${p(s.a, 1)} + ${r(s.b, 2)}`;
        case '-':
          return `${p(s.a, 1)} - ${r(s.b, 2)}`;
        case '*':
          return `${p(s.a, 2)} \\cdot ${r(s.b, 3)}`;
        case '/':
          return `\\frac{${texSymbolic(s.a, o)}}{${texSymbolic(s.b, o)}}`;
        case '^':
          return `{${p(s.a, 5)}}^{${texSymbolic(s.b, o)}}`;
      }
      return '';
    case 'call': {
      if (s.f === 'abs') return `\\left|${texSymbolic(s.args[0], o)}\\right|`;
      if (s.f === '√') return `\\sqrt{${texSymbolic(s.args[0], o)}}`;
      if (s.f === '@') return `${p(s.args[0], 2)} \\, ${p(s.args[1], 4)}`;
      const args = s.f === "LeakyReLU'" || s.f === 'LeakyReLU' ? s.args.slice(0, 1) : s.args;
      return `${texFn(s.f)}\\left(${args.map((a) => texSymbolic(a, o)).join(', ')}\\right)`;
    }
  }
}

// ---- the user's AST -----------------------------------------------------------------------

const CALL_FN: Record<string, string> = {
  relu: '\\operatorname{ReLU}',
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  exp: '\\exp',
  log: '\\log',
  sin: '\\sin',
  cos: '\\cos',
  max: '\\max',
  min: '\\min',
  softmax: '\\operatorname{softmax}',
  log_softmax: '\\operatorname{log\\_softmax}',
};

/** A name substituted by a negative number, or a negative literal: parenthesised on the right of an operator. */
function negativeAtom(e: Expr, o: TexOptions): boolean {
  if (e.kind === 'Name') return o.subst?.(e.name)?.startsWith('-') ?? false;
  return e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Number';
}

function precExpr(e: Expr, o: TexOptions): number {
  switch (e.kind) {
    case 'Binary':
      return e.op === '+' || e.op === '-' ? 1 : e.op === '^' ? 4 : 2;
    case 'Unary':
      return 3;
    case 'Number':
      return 6;
    case 'Name': {
      const t = o.subst?.(e.name);
      return t !== undefined && t.startsWith('-') ? 3 : 6;
    }
    default:
      return 6;
  }
}

function texArgs(args: readonly Arg[], o: TexOptions): string {
  return args.map((a) => (a.name ? `\\text{${a.name.name.replace(/_/g, '\\_')}}=${texExpr(a.value, o)}` : texExpr(a.value, o))).join(', ');
}

function texItem(it: IndexItem, o: TexOptions): string {
  if (it.kind === 'Ellipsis') return '\\ldots';
  if (it.kind !== 'Slice') return texExpr(it, o);
  const part = (x: Expr | null): string => (x ? texExpr(x, o) : '');
  return `${part(it.start)}{:}${part(it.stop)}${it.step ? `{:}${part(it.step)}` : ''}`;
}

/** The user's expression as LaTeX, grouping as written; names substituted through `o.subst`. */
export function texExpr(e: Expr, o: TexOptions): string {
  const p = (c: Expr, min: number): string => {
    const t = texExpr(c, o);
    return precExpr(c, o) < min ? `\\left(${t}\\right)` : t;
  };
  const r = (c: Expr, min: number): string => (negativeAtom(c, o) ? `\\left(${texExpr(c, o)}\\right)` : p(c, min));
  switch (e.kind) {
    case 'Number':
      return texRaw(e.raw);
    case 'String':
      return `\\text{'${e.value.replace(/[^A-Za-z0-9 ._-]/g, '')}'}`;
    case 'Bool':
      return `\\text{${e.value ? 'true' : 'false'}}`;
    case 'Name':
      return o.subst?.(e.name) ?? texName(e.name);
    case 'Path':
      return o.subst?.(e.parts.join('.')) ?? `\\mathrm{${e.parts.join('.').replace(/_/g, '\\_')}}`;
    case 'Paren':
      return `\\left(${texExpr(e.inner, o)}\\right)`;
    case 'Unary':
      return `${e.op === '-' ? '-' : '+'}${p(e.operand, 4)}`;
    case 'Binary':
      switch (e.op) {
        case '+':
          return `${p(e.left, 1)} + ${r(e.right, 2)}`;
        case '-':
          return `${p(e.left, 1)} - ${r(e.right, 2)}`;
        case '*':
          return `${p(e.left, 2)} \\cdot ${r(e.right, 3)}`;
        case '@':
          return `${p(e.left, 2)} \\, ${r(e.right, 3)}`;
        case '/':
          return `\\frac{${texExpr(e.left, o)}}{${texExpr(e.right, o)}}`;
        case '^':
          return `{${p(e.left, 5)}}^{${texExpr(e.right, o)}}`;
      }
      return '';
    case 'Call':
    case 'Method': {
      const name = e.kind === 'Call' ? e.callee : e.method.name;
      const args: readonly Arg[] = e.kind === 'Call' ? e.args : [{ name: null, value: e.object, span: e.object.span }, ...e.args];
      const lower = name.toLowerCase();
      const positional = args.filter((a) => !a.name);
      if (lower === 'sqrt' && args.length === 1) return `\\sqrt{${texExpr(args[0].value, o)}}`;
      if (lower === 'abs' && args.length === 1) return `\\left|${texExpr(args[0].value, o)}\\right|`;
      if (lower === 'pow' && positional.length === 2) return `{${p(positional[0].value, 5)}}^{${texExpr(positional[1].value, o)}}`;
      const f = CALL_FN[lower] ?? `\\operatorname{${name.replace(/[^A-Za-z0-9_]/g, '').replace(/_/g, '\\_')}}`;
      return `${f}\\left(${texArgs(args, o)}\\right)`;
    }
    case 'Compare': {
      const rel: Record<string, string> = { '==': '=', '!=': '\\neq', '<': '<', '<=': '\\le', '>': '>', '>=': '\\ge' };
      return e.operands.map((x, k) => (k === 0 ? p(x, 1) : `${rel[e.ops[k - 1]]} ${p(x, 1)}`)).join(' ');
    }
    case 'Transpose':
      return `{${p(e.object, 5)}}^{\\top}`;
    case 'Index':
      return `${p(e.object, 5)}\\left[${e.items.map((it) => texItem(it, o)).join(', ')}\\right]`;
    case 'List': {
      if (e.tuple) return `\\left(${e.elements.map((x) => texExpr(x, o)).join(', ')}\\right)`;
      if (e.elements.length && e.elements.every((x) => x.kind === 'List' && !x.tuple && x.elements.every((z) => z.kind !== 'List'))) {
        return `\\begin{bmatrix} ${e.elements.map((r) => (r as Extract<Expr, { kind: 'List' }>).elements.map((x) => texExpr(x, o)).join(' & ')).join(' \\\\ ')} \\end{bmatrix}`;
      }
      if (e.elements.every((x) => x.kind !== 'List')) return `\\begin{bmatrix} ${e.elements.map((x) => texExpr(x, o)).join(' & ')} \\end{bmatrix}`;
      return `\\left[${e.elements.map((x) => texExpr(x, o)).join(', ')}\\right]`;
    }
  }
}

/** `\frac{\partial z}{\partial w_0}` */
export function texPartial(of: string, wrt: string): string {
  return `\\frac{\\partial ${texVar(of)}}{\\partial ${texVar(wrt)}}`;
}

/** A name or path as LaTeX. */
export function texVar(name: string): string {
  return name.includes('.') ? `\\mathrm{${name.replace(/_/g, '\\_')}}` : texName(name);
}
