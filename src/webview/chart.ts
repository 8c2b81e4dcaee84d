/** A line chart's geometry (pure): an SVG path and axis ticks for a series of per-epoch numbers. */

export interface ChartGeometry {
  readonly path: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly value: number }[];
  readonly yTicks: readonly { readonly y: number; readonly label: string }[];
  readonly xTicks: readonly { readonly x: number; readonly label: string }[];
  readonly min: number;
  readonly max: number;
}

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  /** Room for the axis labels. */
  readonly left: number;
  readonly bottom: number;
  readonly top: number;
  readonly right: number;
}

export const DEFAULT_BOX: ChartBox = { width: 280, height: 120, left: 44, bottom: 18, top: 8, right: 8 };

/** Short labels: 0.1234, 1.2e-5, 1,234. */
export function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(1).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

/**
 * `slots`: how many epochs the x axis spans (default: the values given). A training that is still
 * running passes the epochs it will run, so its curve grows to the right instead of stretching.
 * Entries that are not finite numbers (null after JSON) leave a gap.
 */
export function lineChart(values: readonly (number | null)[], box: ChartBox = DEFAULT_BOX, slots = values.length): ChartGeometry {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  let min = finite.length ? Math.min(...finite) : 0;
  let max = finite.length ? Math.max(...finite) : 1;
  if (min === max) {
    const d = Math.abs(min) * 0.1 || 1;
    min -= d;
    max += d;
  }
  const plotW = box.width - box.left - box.right;
  const plotH = box.height - box.top - box.bottom;
  const n = Math.max(values.length, slots);
  const xOf = (i: number) => box.left + (n <= 1 ? plotW / 2 : (i / (n - 1)) * plotW);
  const yOf = (v: number) => box.top + (1 - (v - min) / (max - min)) * plotH;
  const points = values.map((v, i) => (typeof v === 'number' && Number.isFinite(v) ? { x: xOf(i), y: yOf(v), value: v } : { x: xOf(i), y: NaN, value: NaN }));
  let path = '';
  let pen = false;
  for (const p of points) {
    if (Number.isNaN(p.y)) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)} `;
    pen = true;
  }
  const yTicks = [max, (min + max) / 2, min].map((v) => ({ y: yOf(v), label: tickLabel(v) }));
  const xTicks = n ? [0, n - 1].filter((i, k, a) => a.indexOf(i) === k).map((i) => ({ x: xOf(i), label: String(i + 1) })) : [];
  return { path: path.trim(), points, yTicks, xTicks, min, max };
}
