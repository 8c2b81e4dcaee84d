/**
 * Numbers for people: rounded to significant digits, without floating-point noise
 * (0.62, -0.38, never 0.6200000000000001). Full precision stays in JSON.
 */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '-∞';
  if (x === 0) return '0';
  // Whole numbers are counts and sizes: never round them (32768, not 32770).
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const ax = Math.abs(x);
  if (ax >= 1e-4 && ax < 1e6) {
    // Fixed notation with `digits` significant digits, trailing zeros removed.
    const r = Number(x.toPrecision(digits));
    let s = r.toString();
    // A number's own toString has no trailing zeros; toFixed's may.
    if (s.includes('e')) {
      s = r.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(ax))));
      if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
    }
    return s === '-0' ? '0' : s;
  }
  const [m, e] = x.toExponential(digits - 1).split('e');
  const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
  return `${mant}e${e}`;
}

/** formatNumber with a Unicode minus sign (−), as hovers and derivations write numbers. */
export function formatMinus(x: number, digits = 4): string {
  const s = formatNumber(x, digits);
  return s.charCodeAt(0) === 0x2d ? `−${s.slice(1)}` : s;
}

/**
 * Whether PyTorch, which keeps tensors in float32, would show other digits than GradLens's
 * float64 value at `digits` significant digits (formatNumber of the value rounded to float32
 * differs). For the hover note on PyTorch tensors (docs/notebooks.md).
 */
export function float32Differs(value: number, digits: number): boolean {
  if (!Number.isFinite(value)) return false;
  const f = Math.fround(value);
  if (!Number.isFinite(f)) return true;
  return formatNumber(value, digits) !== formatNumber(f, digits);
}

/** Thousands separators for counts: 557,057. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Bytes as KB/MB/GB (powers of 1024? torchinfo uses 1e6 "MB"; we follow torchinfo). */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  if (bytes < 1e6) return `${formatNumber(bytes / 1e3, 4)} KB`;
  if (bytes < 1e9) return `${formatNumber(bytes / 1e6, 4)} MB`;
  return `${formatNumber(bytes / 1e9, 4)} GB`;
}
