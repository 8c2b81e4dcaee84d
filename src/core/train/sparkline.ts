/** `▇▅▃▂▂▁`: a curve in eight block heights, resampled to at most `width` columns (mean per column). */
export function sparkline(values: readonly number[], width = 24): string {
  const xs = values.filter((v) => Number.isFinite(v));
  if (xs.length === 0) return '';
  const cols = Math.min(width, xs.length);
  const pts: number[] = [];
  for (let c = 0; c < cols; c++) {
    const a = Math.floor((c * xs.length) / cols);
    const b = Math.max(a + 1, Math.floor(((c + 1) * xs.length) / cols));
    let s = 0;
    for (let i = a; i < b; i++) s += xs[i];
    pts.push(s / (b - a));
  }
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  const bars = '▁▂▃▄▅▆▇█';
  return pts.map((v) => bars[hi === lo ? 3 : Math.min(7, Math.floor(((v - lo) / (hi - lo)) * 7.999))]).join('');
}
