/**
 * The values of the Python interpreter (docs/python.md). Python floats are JS numbers, ints
 * are `PyInt` (so 1 and 1.0 stay apart, as `//`, `/` and printing need), bools are JS
 * booleans, None is null, strings are JS strings. Tensors (numpy arrays and torch tensors)
 * are `PyTensor`s: a tape node that in-place updates replace. `Unknown` is what a statement
 * GradLens cannot follow binds; reading it skips the reading statement quietly.
 */
import type { Span } from '../span';
import type { PyExpr, PyParam, PyStmt } from './ast';

export class PyInt {
  constructor(readonly v: number) {}
}
const SMALL: PyInt[] = [];
for (let k = -5; k <= 1024; k++) SMALL.push(new PyInt(k));
export function int(v: number): PyInt {
  return v >= -5 && v <= 1024 && Number.isInteger(v) ? SMALL[v + 5] : new PyInt(v);
}

export class PyList {
  constructor(public items: PyVal[]) {}
}
export class PyTuple {
  constructor(readonly items: readonly PyVal[]) {}
}
/** torch.Size: a tuple that prints as `torch.Size([2, 3])`. */
export class TorchSize extends PyTuple {}
/** A named tuple such as `torch.return_types.max(values=…, indices=…)`: a tuple whose items are also attributes. */
export class PyNamedTuple extends PyTuple {
  constructor(
    readonly typeName: string,
    readonly fields: readonly string[],
    items: readonly PyVal[],
  ) {
    super(items);
  }
}
export class PyDict {
  readonly map = new Map<unknown, { k: PyVal; v: PyVal }>();
}
export class PySet {
  readonly map = new Map<unknown, PyVal>();
}
export class PyRange {
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {}
  get length(): number {
    const n = this.step > 0 ? Math.ceil((this.stop - this.start) / this.step) : Math.ceil((this.start - this.stop) / -this.step);
    return Math.max(0, n);
  }
}
export class PySlice {
  constructor(
    readonly lower: number | null,
    readonly upper: number | null,
    readonly step: number | null,
  ) {}
}
/** A materialised generator / map / zip / enumerate result (iterated once, as Python's iterators). */
export class PyIter {
  pos = 0;
  constructor(readonly items: PyVal[]) {}
}

export interface Scope {
  readonly vars: Map<string, PyVal>;
  readonly parent: Scope | null;
  /** Names declared `global` / `nonlocal` in this scope. */
  readonly globals?: Set<string>;
}

export class PyFunction {
  constructor(
    readonly name: string,
    readonly params: readonly PyParam[],
    readonly defaults: Map<string, PyVal>,
    readonly body: readonly PyStmt[] | PyExpr,
    readonly closure: Scope,
    readonly span: Span,
    /** The class a method was defined in (for `super()`). */
    public owner: PyClass | null = null,
  ) {}
}

/** A function implemented by GradLens (builtins, numpy, torch). */
export class PyNative {
  constructor(
    readonly name: string,
    readonly call: (args: PyVal[], kwargs: Map<string, PyVal>, at: CallSite) => PyVal,
  ) {}
}

export interface CallSite {
  readonly span: Span;
  readonly nameSpan: Span;
  readonly argSpans: readonly Span[];
  /** Spans of keyword arguments' values by name. */
  readonly kwSpans: ReadonlyMap<string, Span>;
}

export class PyBound {
  constructor(
    readonly self: PyVal,
    readonly fn: PyFunction | PyNative,
  ) {}
}

export class PyClass {
  readonly attrs = new Map<string, PyVal>();
  constructor(
    readonly name: string,
    readonly bases: readonly PyClass[],
    /** Built-in classes GradLens models (`nn.Module`, `object`). */
    readonly native: 'object' | 'Module' | 'Exception' | null = null,
  ) {}
  lookup(name: string): PyVal | undefined {
    if (this.attrs.has(name)) return this.attrs.get(name);
    for (const b of this.bases) {
      const v = b.lookup(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  isSubclassOf(c: PyClass): boolean {
    return this === c || this.bases.some((b) => b.isSubclassOf(c));
  }
  /** The method resolution order (depth-first, left to right; duplicates removed keeping the last). */
  mro(): PyClass[] {
    const out: PyClass[] = [this];
    for (const b of this.bases) for (const c of b.mro()) out.push(c);
    return out.filter((c, i) => out.lastIndexOf(c) === i);
  }
}

export class PyInstance {
  readonly attrs = new Map<string, PyVal>();
  /** What GradLens keeps for its own classes (a layer, an optimiser, a container). */
  payload: unknown = undefined;
  constructor(readonly cls: PyClass) {}
}

export class PyModuleObj {
  constructor(
    readonly name: string,
    readonly attrs: Map<string, PyVal>,
    /** Attributes made on first use (`np.exp` from the built-in table). */
    readonly fallback?: (name: string) => PyVal | undefined,
  ) {}
}

/** A numpy array or a torch tensor: its current tape node (in-place updates replace it). */
export class PyTensor {
  /** torch only: `.grad` after `.backward()`. */
  grad: PyTensor | null = null;
  constructor(
    public node: number,
    readonly lib: 'np' | 'torch',
    public requiresGrad = false,
    /** A torch tensor made by the user (not by an op): gradients accumulate into its `.grad`. */
    public isLeaf = true,
    /** Python int dtype (numpy int arrays, torch.long): results print without a decimal point. */
    public isInt = false,
  ) {}
}

/** Something GradLens cannot follow, with the reason (shown once, as a hint, where it arose). */
export class Unknown {
  constructor(readonly why: string) {}
}

/** Opaque values that are plain data (dtypes, devices, file handles GradLens does not open). */
export class PyOpaque {
  constructor(
    readonly label: string,
    readonly data?: unknown,
  ) {}
}

/** `@property`, `@staticmethod` and `@classmethod`: a class attribute that getattr resolves through its function. */
export class PyDescriptor {
  constructor(
    readonly kind: 'property' | 'staticmethod' | 'classmethod',
    readonly fn: PyVal,
  ) {}
}

export type PyVal =
  | PyDescriptor
  | number
  | PyInt
  | boolean
  | null
  | string
  | PyList
  | PyTuple
  | PyDict
  | PySet
  | PyRange
  | PySlice
  | PyIter
  | PyFunction
  | PyNative
  | PyBound
  | PyClass
  | PyInstance
  | PyModuleObj
  | PyTensor
  | Unknown
  | PyOpaque
  | { readonly kind: 'ellipsis' };

export const ELLIPSIS = { kind: 'ellipsis' } as const;

/** Raised while interpreting: a Python exception GradLens would see (ZeroDivisionError, …). */
export class PyError {
  constructor(
    readonly type: string,
    readonly message: string,
    readonly span: Span | null = null,
  ) {}
}

/** Raised when a statement reads an Unknown (or a tensor op already reported an error): skip quietly. */
export class Skip {
  constructor(readonly why: string | null = null) {}
}

export function isNumber(v: PyVal): v is number | PyInt | boolean {
  return typeof v === 'number' || v instanceof PyInt || typeof v === 'boolean';
}
export function num(v: number | PyInt | boolean): number {
  return typeof v === 'number' ? v : typeof v === 'boolean' ? (v ? 1 : 0) : v.v;
}
export function isIntLike(v: PyVal): v is PyInt | boolean {
  return v instanceof PyInt || typeof v === 'boolean';
}

export function typeName(v: PyVal): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (v instanceof PyInt) return 'int';
  if (v instanceof PyList) return 'list';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PySet) return 'set';
  if (v instanceof PyRange) return 'range';
  if (v instanceof PyFunction) return 'function';
  if (v instanceof PyNative || v instanceof PyBound) return 'builtin_function_or_method';
  if (v instanceof PyClass) return 'type';
  if (v instanceof PyInstance) return v.cls.name;
  if (v instanceof PyModuleObj) return 'module';
  if (v instanceof PyTensor) return v.lib === 'np' ? 'numpy.ndarray' : 'Tensor';
  if (v instanceof PyIter) return 'generator';
  return 'object';
}

/** A key for dicts and sets: equal Python values (1 == 1.0 == True) share a key. */
export class IdTable {
  private readonly map = new WeakMap<object, number>();
  private next = 1;
  of(o: object): number {
    let id = this.map.get(o);
    if (id === undefined) this.map.set(o, (id = this.next++));
    return id;
  }
}

export function hashKey(v: PyVal, ids: IdTable): unknown {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyInt) return v.v;
  if (typeof v === 'string') return 's' + v;
  if (v === null) return 'None';
  if (v instanceof PyTuple)
    return 't(' + v.items.map((x) => {
      const k = hashKey(x, ids);
      return typeof k === 'object' && k !== null ? 'o' + ids.of(k) : typeof k === 'number' ? 'n' + k : String(k);
    }).join(',') + ')';
  // Identity for everything else (instances, functions, tensors): the object is its own key.
  if (typeof v === 'object') return v;
  return String(v);
}

// ---- Python's number formatting ------------------------------------------------------------

/** `repr(float)`: the shortest round-trip digits, scientific below 1e-4 and from 1e16 (CPython's 'r'). */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expS] = x.toExponential().split('e');
  const exp = Number(expS);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    out = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    out = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  } else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return neg ? '-' + out : out;
}

/** Python's `format(value, spec)` for numbers: [[fill]align][sign][#][0][width][,|_][.precision][type]. */
export function formatNumberSpec(x: number, isInt: boolean, spec: string): string {
  const m = /^(?:(.)?([<>=^]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!m) throw new PyError('ValueError', `Invalid format specifier '${spec}'`);
  let [, fill, align] = m;
  const [, , , sign, , zero, widthS, group, precS, typeIn] = m;
  let type = typeIn ?? '';
  const prec = precS !== undefined ? Number(precS) : undefined;
  if (isInt && type === '' && prec === undefined) type = 'd';
  if (isInt && 'eEfFgG%'.includes(type || 'x') && type !== '') isInt = false;
  if (!isInt && type === 'd') throw new PyError('ValueError', `Unknown format code 'd' for object of type 'float'`);
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let body: string;
  if (!Number.isFinite(x)) body = Number.isNaN(x) ? 'nan' : 'inf';
  else
    switch (type) {
      case 'd':
      case 'n':
        body = BigInt(Math.round(a)).toString();
        break;
      case 'x':
        body = Math.round(a).toString(16);
        break;
      case 'X':
        body = Math.round(a).toString(16).toUpperCase();
        break;
      case 'o':
        body = Math.round(a).toString(8);
        break;
      case 'b':
        body = Math.round(a).toString(2);
        break;
      case 'f':
      case 'F':
        body = fixed(a, prec ?? 6);
        break;
      case '%':
        body = fixed(a * 100, prec ?? 6) + '%';
        break;
      case 'e':
      case 'E':
        body = expo(a, prec ?? 6);
        if (type === 'E') body = body.toUpperCase();
        break;
      case 'g':
      case 'G':
        body = general(a, prec ?? 6, false);
        if (type === 'G') body = body.toUpperCase();
        break;
      default:
        // No type: repr for floats, except that a precision means 'g' keeping a '.0'-less form.
        body = prec !== undefined ? general(a, prec, true) : floatRepr(a);
    }
  if (group) {
    const [ip, fp] = body.split('.');
    if (/^\d+$/.test(ip)) body = ip.replace(/\B(?=(\d{3})+(?!\d))/g, group) + (fp !== undefined ? '.' + fp : '');
  }
  const signS = neg && !(Number.isNaN(x)) ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
  const width = widthS ? Number(widthS) : 0;
  if (zero && !align) {
    fill = '0';
    align = '=';
  }
  align ??= '>';
  fill ??= ' ';
  const len = signS.length + body.length;
  if (len >= width) return signS + body;
  const pad = width - len;
  if (align === '=') return signS + fill.repeat(pad) + body;
  if (align === '<') return signS + body + fill.repeat(pad);
  if (align === '^') return fill.repeat(Math.floor(pad / 2)) + signS + body + fill.repeat(pad - Math.floor(pad / 2));
  return fill.repeat(pad) + signS + body;
}

/** Fixed notation with round-half-even on the exact binary value (as CPython's dtoa). */
export function fixed(a: number, prec: number): string {
  if (a >= 1e21) return BigInt(Math.round(a)).toString() + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  let s = a.toFixed(Math.min(prec, 100));
  // toFixed rounds exact ties up; CPython rounds them to even. A tie is exact only when a·10^prec has a fractional .5 exactly.
  const scaled = a * 10 ** prec;
  if (prec <= 20 && Number.isFinite(scaled) && scaled - Math.floor(scaled) === 0.5 && exactTie(a, prec)) {
    const down = Math.floor(scaled);
    const even = down % 2 === 0 ? down : down + 1;
    s = (even / 10 ** prec).toFixed(prec);
  }
  if (prec > 100) s += '0'.repeat(prec - 100);
  return s;
}

/** Whether a is exactly halfway between two multiples of 10^-prec (checked with exact decimal expansion). */
function exactTie(a: number, prec: number): boolean {
  const exact = exactDecimal(a);
  const dot = exact.indexOf('.');
  if (dot < 0) return false;
  const frac = exact.slice(dot + 1);
  return frac.length === prec + 1 && frac[prec] === '5';
}

/** The exact decimal expansion of a finite double ≥ 0. */
function exactDecimal(a: number): string {
  if (Number.isInteger(a)) return BigInt(a).toString();
  let e = 0;
  let m = a;
  while (!Number.isInteger(m)) {
    m *= 2;
    e++;
  }
  // a = m / 2^e = m·5^e / 10^e
  const digits = (BigInt(m) * 5n ** BigInt(e)).toString().padStart(e + 1, '0');
  return `${digits.slice(0, digits.length - e)}.${digits.slice(digits.length - e)}`;
}

function expo(a: number, prec: number): string {
  const s = a.toExponential(Math.min(prec, 100));
  const [mant, ex] = s.split('e');
  const n = Number(ex);
  return `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}

/** 'g' formatting; `noType` is the empty-type form (at least one digit after the point, e.g. '1.0'? no: repr-like). */
function general(a: number, prec: number, noType: boolean): string {
  const p = prec === 0 ? 1 : prec;
  if (a === 0) return noType ? '0.0' : '0';
  const exp = Number(a.toExponential(p - 1).split('e')[1]);
  let s: string;
  if (exp < -4 || exp >= p) {
    const [mant, ex] = a.toExponential(p - 1).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const n = Number(ex);
    s = `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  } else {
    s = a.toFixed(Math.max(0, p - 1 - exp));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    if (noType && !s.includes('.')) s += '.0';
  }
  return s;
}
