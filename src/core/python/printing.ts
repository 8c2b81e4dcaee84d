/**
 * How numpy and PyTorch print arrays (`print(x)`, f-strings): numpy's `array2string` with its
 * defaults (precision 8, unique shortest digits, right-padded fractions, scientific when the
 * range needs it) and PyTorch's `tensor(...)` (4 decimals, `requires_grad=True`, `grad_fn`).
 * Close to both for the small arrays a homework prints; long arrays are summarised with `...`
 * as both libraries do past 1000 elements.
 */
import type { Tensor } from '../tensor/tensor';
import { floatRepr } from './values';
import type { PyTensor } from './values';

export function formatArray(t: Tensor, py: PyTensor, repr: boolean, gradFn: () => string = () => '…Backward0'): string {
  const isBool = (py as PyTensor & { isBool?: boolean }).isBool === true;
  const cells = py.lib === 'np' ? numpyCells(t.data, py.isInt, isBool) : torchCells(t.data, py.isInt, isBool);
  const summarise = t.data.length > 1000;
  if (py.lib === 'np') {
    // A 0-d result (np.sum(x)) is a numpy scalar: printed as Python prints the number.
    if (t.shape.length === 0) return isBool ? (t.data[0] ? 'True' : 'False') : py.isInt ? String(t.data[0]) : floatRepr(t.data[0]);
    const prefix = repr ? 'array(' : '';
    const body = nest(t.shape, cells, repr ? ', ' : ' ', prefix.length + 1, summarise);
    return repr ? `array(${body})` : body;
  }
  const body = t.shape.length === 0 ? cells[0] : nest(t.shape, cells, ', ', 'tensor('.length + 1, summarise);
  const extras: string[] = [];
  if (py.requiresGrad && py.isLeaf) extras.push('requires_grad=True');
  else if (py.requiresGrad) extras.push(`grad_fn=<${(py as PyTensor & { gradFn?: string }).gradFn ?? gradFn()}>`);
  // An nn.Parameter prints as PyTorch's Parameter.__repr__ does.
  const parameter = (py as PyTensor & { isParameter?: boolean }).isParameter === true ? 'Parameter containing:\n' : '';
  return `${parameter}${addSuffixes(`tensor(${t.data.length === 0 ? '[]' : body}`, extras, 'tensor('.length)})`;
}

/** torch/_tensor_str.py's _add_suffixes: a suffix that would pass 80 columns goes on its own line. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  let out = text;
  let lastLineLen = text.length - text.lastIndexOf('\n') + 1;
  for (const s of suffixes) {
    if (lastLineLen + s.length + 2 > 80) {
      out += `,\n${' '.repeat(indent)}${s}`;
      lastLineLen = indent + s.length;
    } else {
      out += `, ${s}`;
      lastLineLen += s.length + 2;
    }
  }
  return out;
}

function nest(shape: readonly number[], cells: string[], sep: string, indent: number, summarise: boolean): string {
  const width = Math.max(...cells.map((c) => c.length));
  const padded = cells.map((c) => c.padStart(width));
  const rec = (d: number, off: number, ind: number): string => {
    const n = shape[d];
    const size = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const idx = summarise && n > 6 ? [0, 1, 2, -1, n - 3, n - 2, n - 1] : [...Array(n).keys()];
    if (d === shape.length - 1) return `[${idx.map((k) => (k < 0 ? '...' : padded[off + k])).join(sep)}]`;
    const rows = idx.map((k) => (k < 0 ? '...' : rec(d + 1, off + k * size, ind + 1)));
    const nl = sep.trimEnd() + '\n'.repeat(shape.length - d - 1) + ' '.repeat(ind + 1);
    return `[${rows.join(nl)}]`;
  };
  return rec(0, 0, indent - 1);
}

function numpyCells(data: ArrayLike<number>, isInt: boolean, isBool: boolean): string[] {
  const xs = Array.from(data);
  if (isBool) return xs.map((x) => (x ? ' True' : 'False')).map((s) => s.trim()).map((s) => s);
  if (isInt) return xs.map((x) => String(x));
  const finite = xs.filter((x) => Number.isFinite(x) && x !== 0).map(Math.abs);
  const max = finite.length ? Math.max(...finite) : 0;
  const min = finite.length ? Math.min(...finite) : 0;
  const sci = max >= 1e8 || (min < 1e-4 && min > 0) || (min > 0 && max / min > 1e3);
  if (sci) {
    const digits = Math.max(...xs.map((x) => (Number.isFinite(x) ? Math.min(8, uniqueDigits(x) - 1) : 0)));
    return xs.map((x) => (Number.isFinite(x) ? expText(x, digits) : special(x)));
  }
  const fr = xs.map((x) => {
    if (!Number.isFinite(x)) return special(x);
    let s = x.toFixed(8).replace(/0+$/, '');
    if (s === '-0.') s = '-0.';
    return s;
  });
  const fracLen = Math.max(...fr.map((s) => (s.includes('.') ? s.length - s.indexOf('.') - 1 : 0)));
  return fr.map((s) => (s.includes('.') ? s + ' '.repeat(fracLen - (s.length - s.indexOf('.') - 1)) : s));
}

function torchCells(data: ArrayLike<number>, isInt: boolean, isBool: boolean): string[] {
  const xs = Array.from(data);
  if (isBool) return xs.map((x) => (x ? 'True' : 'False'));
  if (isInt) return xs.map((x) => String(x));
  const finite = xs.filter((x) => Number.isFinite(x) && x !== 0).map(Math.abs);
  const max = finite.length ? Math.max(...finite) : 0;
  const min = finite.length ? Math.min(...finite) : 0;
  if (xs.every((x) => !Number.isFinite(x) || Number.isInteger(x)) && max < 1e8) return xs.map((x) => (Number.isFinite(x) ? `${x}.` : special(x)));
  if (max >= 1e8 || (min > 0 && (max / min > 1000 || min < 1e-4))) return xs.map((x) => (Number.isFinite(x) ? expText(x, 4) : special(x)));
  return xs.map((x) => (Number.isFinite(x) ? x.toFixed(4) : special(x)));
}

function special(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

function uniqueDigits(x: number): number {
  return floatRepr(Math.abs(x)).replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0$/, '').length || 1;
}

function expText(x: number, digits: number): string {
  const [m, e] = x.toExponential(Math.max(0, digits)).split('e');
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}
