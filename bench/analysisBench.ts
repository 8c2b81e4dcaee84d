/**
 * Full analysis (values, diagnostics, derivations, hovers, graph) against values-only analysis of
 * the same document, in the same run, at 1,000, 4,000 and 10,000 lines (issue #15): full ≤ 3×
 * values-only at every size, and full analysis grows ≤ 12× from 1,000 to 10,000 lines.
 */
import { analyze } from '../src/core/index';

/**
 * A document of n lines like a long exercise: a scalar chain and a tensor chain beside it (each
 * line reads the previous one), a loss, and two grad lines (one through the whole scalar chain,
 * one with respect to a weight used on every tensor line).
 */
export function longDocument(n: number): string {
  const L = ['x0 = 0.5', 'W = [[0.1, 0.2], [0.3, 0.4]]', 'v0 = [1, 2]'];
  let i = 1;
  while (L.length < n - 3) {
    L.push(`x${i} = tanh(x${i - 1}) * 0.9 + 0.1`);
    L.push(`v${i} = relu(W @ v${i - 1}) * 0.5 + 0.01`);
    i++;
  }
  L.push(`L = x${i - 1} + sum(v${i - 1})`, 'grad L wrt x0', 'grad L wrt W');
  return L.join('\n') + '\n';
}

export interface ScalingRow {
  readonly lines: number;
  /** Median wall time, ms. */
  readonly valuesOnly: number;
  readonly full: number;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Values-only and full analysis of each size, interleaved (so load affects both alike), medians of `reps`. */
export function benchAnalysisScaling(sizes: readonly number[] = [1000, 4000, 10000], reps = 5): ScalingRow[] {
  const out: ScalingRow[] = [];
  for (const n of sizes) {
    const doc = longDocument(n);
    analyze(doc, { valuesOnly: true, budget: 5e7 });
    analyze(doc, { budget: 5e7 });
    const v: number[] = [];
    const f: number[] = [];
    for (let r = 0; r < reps; r++) {
      let t0 = performance.now();
      analyze(doc, { valuesOnly: true, budget: 5e7 });
      v.push(performance.now() - t0);
      t0 = performance.now();
      analyze(doc, { budget: 5e7 });
      f.push(performance.now() - t0);
    }
    out.push({ lines: n, valuesOnly: median(v), full: median(f) });
  }
  return out;
}
