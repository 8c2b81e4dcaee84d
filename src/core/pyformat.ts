/**
 * Values as Python prints them, for `print(…)`: a float as CPython's repr (`0.1`, `1.0`,
 * `1e-05`), a boolean as `True`/`False`, an array as numpy's `str()` with its default options
 * (precision 8, unique digits, columns padded to one width, scientific notation when the
 * magnitudes call for it, lines wrapped at 75 characters, `...` beyond 1000 elements).
 */
import type { Tensor } from './tensor/tensor';

/** The shortest digits that round-trip, and the decimal exponent: 0.25 → ('25', -1). */
function shortest(x: number): { digits: string; exp: number } {
  const [m, e] = Math.abs(x).toExponential().split('e');
  return { digits: m.replace('.', ''), exp: Number(e) };
}

/** CPython's repr of a float: shortest round-trip digits, fixed notation for 1e-4 ≤ |x| < 1e16. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const { digits, exp } = shortest(x);
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const PRECISION = 8;

/** numpy's positional form (dragon4, unique, precision 8, trailing zeros trimmed, the dot kept): [integer part, fraction]. */
function positional(x: number): [string, string] {
  const { digits, exp } = shortest(x);
  const fracDigits = Math.max(0, digits.length - exp - 1);
  let s = fracDigits > PRECISION ? Math.abs(x).toFixed(PRECISION) : Math.abs(x).toFixed(fracDigits);
  if (s.includes('.')) s = s.replace(/0+$/, '');
  else s += '.';
  const [i, f] = s.split('.');
  return [(x < 0 || Object.is(x, -0) ? '-' : '') + i, f];
}

/** numpy's scientific form: [mantissa integer digit with sign, fraction, exponent digits with sign]. */
function scientific(x: number): [string, string, string] {
  const { digits } = shortest(x);
  const s = digits.length - 1 > PRECISION ? Math.abs(x).toExponential(PRECISION) : Math.abs(x).toExponential(Math.max(0, digits.length - 1));
  const [m, e] = s.split('e');
  const [i, f0] = m.split('.');
  const f = (f0 ?? '').replace(/0+$/, '');
  return [(x < 0 ? '-' : '') + i, f, e];
}

/**
 * Formats each element of an array as numpy does, padded to a common width: positional
 * fractions padded with spaces (floatmode 'maxprec'), scientific ones with zeros to one precision.
 */
function elementFormatter(data: ArrayLike<number>, bool: boolean): (x: number) => string {
  if (bool) return (x) => (x !== 0 ? ' True' : 'False');
  const finite: number[] = [];
  for (let k = 0; k < data.length; k++) if (Number.isFinite(data[k])) finite.push(Math.abs(data[k]));
  const nonzero = finite.filter((v) => v !== 0);
  const max = finite.length ? Math.max(...finite) : 0;
  const min = nonzero.length ? Math.min(...nonzero) : 0;
  const exp = nonzero.length > 0 && (max >= 1e8 || min < 1e-4 || max / min > 1e3);
  const special = (x: number): string | undefined => (Number.isNaN(x) ? 'nan' : !Number.isFinite(x) ? (x > 0 ? 'inf' : '-inf') : undefined);
  if (exp) {
    const parts = finite.length ? Array.from(data).filter(Number.isFinite).map(scientific) : [];
    const padLeft = Math.max(1, ...parts.map((p) => p[0].length));
    const padRight = Math.max(0, ...parts.map((p) => p[1].length));
    const expDigits = Math.max(2, ...parts.map((p) => p[2].replace(/^[+-]/, '').length));
    const width = padLeft + 1 + padRight + 2 + expDigits;
    return (x) => {
      const sp = special(x);
      if (sp) return sp.padStart(width);
      const [i, f, e] = scientific(x);
      const sign = e.startsWith('-') ? '-' : '+';
      return `${i.padStart(padLeft)}.${f.padEnd(padRight, '0')}e${sign}${e.replace(/^[+-]/, '').padStart(expDigits, '0')}`;
    };
  }
  const parts = Array.from(data).filter(Number.isFinite).map(positional);
  const padLeft = Math.max(1, ...parts.map((p) => p[0].length));
  const padRight = Math.max(0, ...parts.map((p) => p[1].length));
  const hasSpecial = Array.from(data).some((x) => !Number.isFinite(x));
  const width = Math.max(padLeft + 1 + padRight, hasSpecial ? 3 : 0);
  return (x) => {
    const sp = special(x);
    if (sp) return sp.padStart(width);
    const [i, f] = positional(x);
    return `${i.padStart(padLeft)}.${f.padEnd(padRight)}`.padStart(width);
  };
}

const LINE_WIDTH = 75;
const THRESHOLD = 1000;
const EDGE_ITEMS = 3;

/** numpy's str() of an array (array2string with its defaults). */
export function numpyArrayText(t: Tensor, bool = false): string {
  const summarise = t.data.length > THRESHOLD;
  const fmt = elementFormatter(summariseData(t, summarise), bool);
  const strides: number[] = [];
  let acc = 1;
  for (let k = t.shape.length - 1; k >= 0; k--) {
    strides[k] = acc;
    acc *= t.shape[k];
  }
  // numpy's _formatArray (legacy=False): the last axis as words wrapped at the line width,
  // outer axes as rows separated by newlines (one blank line more per extra level).
  const nd = t.shape.length;
  const rec = (axis: number, offset: number, hanging: string, width: number): string => {
    const n = t.shape[axis];
    const show = summarise && 2 * EDGE_ITEMS < n;
    const lead = show ? EDGE_ITEMS : 0;
    const trail = show ? EDGE_ITEMS : n;
    const at = (i: number): number => offset + i * strides[axis];
    let s = '';
    if (axis === nd - 1) {
      const elemWidth = width - 1;
      let line = hanging;
      const extend = (word: string): void => {
        if (line.length + word.length > elemWidth) {
          s += `${line.trimEnd()}\n`;
          line = hanging;
        }
        line += word;
      };
      for (let i = 0; i < lead; i++) {
        extend(fmt(t.data[at(i)]));
        line += ' ';
      }
      if (show) {
        extend('...');
        line += ' ';
      }
      for (let i = trail; i > 1; i--) {
        extend(fmt(t.data[at(n - i)]));
        line += ' ';
      }
      extend(fmt(t.data[at(n - 1)]));
      s += line;
    } else {
      const sep = '\n'.repeat(nd - axis - 1);
      const inner = (i: number): string => rec(axis + 1, at(i), `${hanging} `, width - 1);
      for (let i = 0; i < lead; i++) s += hanging + inner(i) + sep;
      if (show) s += `${hanging}...${sep}`;
      for (let i = trail; i > 1; i--) s += hanging + inner(n - i) + sep;
      s += hanging + inner(n - 1);
    }
    return `[${s.slice(hanging.length)}]`;
  };
  if (t.shape.length === 0) return fmt(t.data[0]).trim();
  if (t.data.length === 0) return '[]';
  return rec(0, 0, ' ', LINE_WIDTH);
}

/** The elements numpy looks at to choose the format: all of them, or the shown edges when summarising. */
function summariseData(t: Tensor, summarise: boolean): ArrayLike<number> {
  if (!summarise) return t.data;
  const out: number[] = [];
  const strides: number[] = [];
  let acc = 1;
  for (let k = t.shape.length - 1; k >= 0; k--) {
    strides[k] = acc;
    acc *= t.shape[k];
  }
  const rec = (axis: number, offset: number): void => {
    if (axis === t.shape.length) {
      out.push(t.data[offset]);
      return;
    }
    const n = t.shape[axis];
    const idx = n > 2 * EDGE_ITEMS ? [...Array(EDGE_ITEMS).keys(), ...Array.from({ length: EDGE_ITEMS }, (_, k) => n - EDGE_ITEMS + k)] : [...Array(n).keys()];
    for (const k of idx) rec(axis + 1, offset + k * strides[axis]);
  };
  rec(0, 0);
  return out;
}

/** What `print(v)` shows for a value: a Python float, a boolean, or a numpy array. */
export function pythonText(t: Tensor, bool: boolean): string {
  if (t.shape.length === 0) return bool ? (t.data[0] !== 0 ? 'True' : 'False') : pythonFloat(t.data[0]);
  return numpyArrayText(t, bool);
}
