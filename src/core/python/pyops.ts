/**
 * Python's semantics for plain values: truth, repr/str, equality and ordering, arithmetic on
 * ints and floats exactly as CPython (`//` and `%` floor, `/` always float, `**` with a
 * negative exponent a float, ZeroDivisionError), sequences, strings and `%`-formatting.
 * Tensors and the user's own classes are dispatched by the interpreter before these run.
 */
import { sliceIndices as sliceIndicesOf } from '../tensor/layout';
import {
  ELLIPSIS,
  PyBound,
  PyClass,
  PyDict,
  PyError,
  PyFunction,
  PyInstance,
  PyInt,
  PyIter,
  PyList,
  PyModuleObj,
  PyNative,
  PyOpaque,
  PyRange,
  PySet,
  PySlice,
  PyTuple,
  Unknown,
  floatRepr,
  formatNumberSpec,
  int,
  isIntLike,
  isNumber,
  num,
  typeName,
  type PyVal,
} from './values';

export function truthy(v: PyVal): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof PyInt) return v.v !== 0;
  if (v instanceof PyList || v instanceof PyTuple) return v.items.length > 0;
  if (v instanceof PyDict || v instanceof PySet) return v.map.size > 0;
  if (v instanceof PyRange) return v.length > 0;
  return true;
}

/** repr() of a plain value; `inner` renders the values GradLens formats elsewhere (tensors, instances). */
export function repr(v: PyVal, inner: (v: PyVal) => string | undefined): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return floatRepr(v);
  if (v instanceof PyInt) return intText(v.v);
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof PyList) return `[${v.items.map((x) => repr(x, inner)).join(', ')}]`;
  if (v instanceof PyTuple && v.constructor !== PyTuple) {
    const r = inner(v);
    if (r !== undefined) return r;
  }
  if (v instanceof PyTuple) return v.items.length === 1 ? `(${repr(v.items[0], inner)},)` : `(${v.items.map((x) => repr(x, inner)).join(', ')})`;
  if (v instanceof PyDict) return `{${[...v.map.values()].map((e) => `${repr(e.k, inner)}: ${repr(e.v, inner)}`).join(', ')}}`;
  if (v instanceof PySet) return v.map.size === 0 ? 'set()' : `{${[...v.map.values()].map((x) => repr(x, inner)).join(', ')}}`;
  if (v instanceof PyRange) return v.step === 1 ? `range(${v.start}, ${v.stop})` : `range(${v.start}, ${v.stop}, ${v.step})`;
  if (v === ELLIPSIS) return 'Ellipsis';
  const r = inner(v);
  if (r !== undefined) return r;
  if (v instanceof PyFunction) return `<function ${v.name}>`;
  if (v instanceof PyNative) return `<built-in function ${v.name}>`;
  if (v instanceof PyBound) return `<bound method ${v.fn.name}>`;
  if (v instanceof PyClass) return `<class '${v.name}'>`;
  if (v instanceof PyModuleObj) return `<module '${v.name}'>`;
  if (v instanceof PyInstance) return `<${v.cls.name} object>`;
  if (v instanceof PyOpaque) {
    // An array's dtype prints as numpy's (`float64`) and PyTorch's (`torch.float32`) do; numpy's scalar types are classes.
    if (/^(torch\.)?(u?int|float|bool)\d*$/.test(v.label)) return v.label;
    if (v.label.startsWith('numpy.')) return `<class '${v.label}'>`;
  }
  if (v instanceof PySlice) return `slice(${v.lower ?? 'None'}, ${v.upper ?? 'None'}, ${v.step ?? 'None'})`;
  return `<${typeName(v)}>`;
}

export function intText(v: number): string {
  return Number.isSafeInteger(v) ? String(v) : BigInt(v).toString();
}

function strRepr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === q || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch < ' ') out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    else out += ch;
  }
  return q + out + q;
}

export function pyEquals(a: PyVal, b: PyVal): boolean {
  if (a === b) return !(typeof a === 'number' && Number.isNaN(a));
  if (isNumber(a) && isNumber(b)) return num(a) === num(b);
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple))
    return a.items.length === b.items.length && a.items.every((x, i) => pyEquals(x, b.items[i]));
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.map.size !== b.map.size) return false;
    for (const [k, e] of a.map) {
      const o = b.map.get(k);
      if (!o || !pyEquals(e.v, o.v)) return false;
    }
    return true;
  }
  if (a instanceof PySet && b instanceof PySet) return a.map.size === b.map.size && [...a.map.keys()].every((k) => b.map.has(k));
  if (a instanceof PyRange && b instanceof PyRange) return a.start === b.start && a.stop === b.stop && a.step === b.step;
  return false;
}

/** `<` on plain values (numbers, strings, sequences lexicographically). */
export function lessThan(a: PyVal, b: PyVal): boolean {
  if (isNumber(a) && isNumber(b)) return num(a) < num(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b;
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple)) {
    const n = Math.min(a.items.length, b.items.length);
    for (let i = 0; i < n; i++) {
      if (!pyEquals(a.items[i], b.items[i])) return lessThan(a.items[i], b.items[i]);
    }
    return a.items.length < b.items.length;
  }
  throw new PyError('TypeError', `'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Arithmetic on ints, floats and bools; undefined when the operands are not numbers. */
export function numericBinop(op: string, a: PyVal, b: PyVal): PyVal | undefined {
  if (!isNumber(a) || !isNumber(b)) return undefined;
  const x = num(a);
  const y = num(b);
  const ints = isIntLike(a) && isIntLike(b);
  switch (op) {
    case '+':
      return ints ? int(x + y) : x + y;
    case '-':
      return ints ? int(x - y) : x - y;
    case '*':
      return ints ? int(x * y) : x * y;
    case '/':
      if (y === 0) throw new PyError('ZeroDivisionError', ints ? 'division by zero' : 'float division by zero');
      return x / y;
    case '//': {
      if (y === 0) throw new PyError('ZeroDivisionError', ints ? 'integer division or modulo by zero' : 'float floor division by zero');
      if (ints) return int(Math.floor(x / y));
      return floorDiv(x, y);
    }
    case '%': {
      if (y === 0) throw new PyError('ZeroDivisionError', ints ? 'integer division or modulo by zero' : 'float modulo');
      return ints ? int(pyMod(x, y)) : pyMod(x, y);
    }
    case '**': {
      if (ints && y >= 0) return int(x ** y);
      if (x === 0 && y < 0) throw new PyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
      const r = x ** y;
      if (Number.isNaN(r) && x < 0) throw new PyError('ValueError', 'complex results (a negative number to a fractional power) are outside the subset');
      return r;
    }
    case '&':
    case '|':
    case '^':
    case '<<':
    case '>>': {
      if (!ints) throw new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
      const r = op === '&' ? x & y : op === '|' ? x | y : op === '^' ? x ^ y : op === '<<' ? x * 2 ** y : Math.floor(x / 2 ** y);
      if (typeof a === 'boolean' && typeof b === 'boolean' && op !== '<<' && op !== '>>') return r !== 0;
      return int(r);
    }
    case '@':
      throw new PyError('TypeError', `unsupported operand type(s) for @: '${typeName(a)}' and '${typeName(b)}'`);
  }
  return undefined;
}

/** Python's float `%`: the result has the sign of the divisor. */
function pyMod(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && r < 0 !== y < 0 ? r + y : r === 0 ? (y < 0 ? -0 : 0) : r;
}

/** CPython's float floor division (float_floor_div via divmod). */
function floorDiv(x: number, y: number): number {
  const mod = x % y;
  let div = (x - mod) / y;
  if (mod && y < 0 !== mod < 0) div -= 1;
  if (div) {
    const f = Math.floor(div);
    if (div - f > 0.5) return f + 1;
    return f;
  }
  return 0 * (x / y);
}

/** `+`, `*`, `%` on strings, lists and tuples; undefined otherwise. */
export function sequenceBinop(
  op: string,
  a: PyVal,
  b: PyVal,
  str: (v: PyVal) => string,
  reprOf: (v: PyVal) => string,
  /** A numpy/torch scalar (a 0-d array) as the number `%d`/`%f` format, as `__float__` gives it. */
  toNumber: (v: PyVal) => PyVal = (v) => v,
): PyVal | undefined {
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (a instanceof PyList && b instanceof PyList) return new PyList([...a.items, ...b.items]);
    if (a instanceof PyTuple && b instanceof PyTuple) return new PyTuple([...a.items, ...b.items]);
  }
  if (op === '*') {
    const [s, n] = isIntLike(b) ? [a, num(b)] : isIntLike(a) ? [b, num(a)] : [undefined, 0];
    if (typeof s === 'string') return s.repeat(Math.max(0, n));
    if (s instanceof PyList) return new PyList(repeat(s.items, n));
    if (s instanceof PyTuple) return new PyTuple(repeat(s.items, n));
  }
  if (op === '%' && typeof a === 'string') return percentFormat(a, b instanceof PyTuple ? [...b.items] : [b], str, reprOf, toNumber);
  return undefined;
}

function repeat<T>(xs: readonly T[], n: number): T[] {
  const out: T[] = [];
  for (let k = 0; k < n; k++) out.push(...xs);
  return out;
}

/** `'%d: %.3f' % (i, x)` */
function percentFormat(fmt: string, args: PyVal[], str: (v: PyVal) => string, reprOf: (v: PyVal) => string, toNumber: (v: PyVal) => PyVal): string {
  let k = 0;
  const out = fmt.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdifeEgGrx%])/g, (_, flags: string, width: string | undefined, prec: string | undefined, type: string) => {
    if (type === '%') return '%';
    let v = args[k++];
    if (type === 's' || type === 'r') {
      const s = type === 's' ? str(v) : reprOf(v);
      return width ? (flags.includes('-') ? s.padEnd(Number(width)) : s.padStart(Number(width))) : s;
    }
    if (!isNumber(v)) {
      const n = toNumber(v);
      if (!isNumber(n)) throw new PyError('TypeError', `%${type} format: a real number is required, not ${typeName(v)}`);
      v = n;
    }
    const t = type === 'i' ? 'd' : type;
    const align = flags.includes('-') ? '<' : '';
    const spec = `${align}${flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : ''}${flags.includes('0') && !align ? '0' : ''}${width ?? ''}${prec !== undefined ? '.' + prec : ''}${t}`;
    const x = t === 'd' ? Math.trunc(num(v)) : num(v);
    return formatNumberSpec(x, t === 'd' || t === 'x', spec);
  });
  if (k < args.length) throw new PyError('TypeError', 'not all arguments converted during string formatting');
  return out;
}

/** The items of an iterable plain value; undefined for values the interpreter handles (tensors, instances). */
export function iterItems(v: PyVal): PyVal[] | undefined {
  if (v instanceof PyList || v instanceof PyTuple) return v.items.slice();
  if (v instanceof PyRange) {
    const out: PyVal[] = [];
    const n = v.length;
    for (let k = 0; k < n; k++) out.push(int(v.start + k * v.step));
    return out;
  }
  if (typeof v === 'string') return [...v];
  if (v instanceof PyDict) return [...v.map.values()].map((e) => e.k);
  if (v instanceof PySet) return [...v.map.values()];
  if (v instanceof PyIter) {
    const rest = v.items.slice(v.pos);
    v.pos = v.items.length;
    return rest;
  }
  return undefined;
}

/** A sequence index: an int (negative from the end), bounds-checked. */
export function seqIndex(i: PyVal, n: number, what: string): number {
  if (!isIntLike(i)) throw new PyError('TypeError', `${what} indices must be integers or slices, not ${typeName(i)}`);
  let k = num(i);
  if (k < 0) k += n;
  if (k < 0 || k >= n) throw new PyError('IndexError', `${what} index out of range`);
  return k;
}

/** The positions a slice selects in a sequence of length n (Python's slice.indices, the tensors' own rule). */
export function sliceIndices(s: PySlice, n: number): number[] {
  const picks = sliceIndicesOf(n, s.lower, s.upper, s.step);
  if (typeof picks === 'string') throw new PyError('ValueError', 'slice step cannot be zero');
  return Array.from(picks);
}

export { Unknown };
