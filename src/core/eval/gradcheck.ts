import { K, type Tape } from '../autodiff/tape';
import type { Tensor } from '../tensor/tensor';

export interface CheckResult {
  readonly passed: boolean;
  readonly maxRelError: number;
  readonly kinks: number;
  readonly worstIndex: number;
  readonly worstAnalytic: number;
  readonly worstNumerical: number;
}

/**
 * Central differences in float64 (LANGUAGE.md §3): step h = 1e-6·max(1, |x|) per element;
 * an element passes when |a − n| ≤ tol·max(1, |a|, |n|); the reported error is CS231n's
 * |a − n| / max(|a|, |n|, 1e-12). An element whose ±h perturbation changes a discrete choice
 * of a downstream op (a ReLU/abs/leaky_relu sign, a max/min winner) crossed a kink and is
 * counted as a kink, not a failure.
 */
export function checkGradient(tape: Tape, root: number, wrt: number, analytic: Tensor, tol: number): CheckResult {
  // Nodes downstream of `wrt` that `root` depends on: the cone to recompute.
  const reach = tape.reach(root);
  const dirtyTemplate = new Uint8Array(root + 1);
  dirtyTemplate[wrt] = 1;
  const cone: number[] = [];
  for (let i = wrt + 1; i <= root; i++) {
    if (tape.kind[i] !== K.OP) continue;
    let d = 0;
    for (const k of tape.inputs(i)) d |= dirtyTemplate[k];
    if (d) {
      dirtyTemplate[i] = 1;
      if (reach[i]) cone.push(i);
    }
  }
  const kinkNodes = cone.filter((i) => tape.opOf(i)?.kinks);
  const saved = tape.snapshot([wrt, ...cone]);
  const base = tape.value(wrt);
  const x0 = Float64Array.from(base.data);
  const signature = (): number[] => {
    const s: number[] = [];
    for (const i of kinkNodes) {
      const op = tape.opOf(i)!;
      const ins = tape.inputs(i).map((k) => tape.value(k));
      const sig = op.kinks!(ins, tape.attrs[i] ?? {});
      for (let e = 0; e < sig.length; e++) s.push(sig[e]);
    }
    return s;
  };
  const evalAt = (data: Float64Array): number => {
    tape.setValue(wrt, { shape: base.shape, data });
    const dirty = new Uint8Array(root + 1);
    dirty[wrt] = 1;
    tape.recomputeFrom(wrt, root, dirty);
    return tape.value(root).data[0];
  };
  let maxRel = 0;
  let passed = true;
  let kinks = 0;
  let worst = 0;
  let worstA = 0;
  let worstN = 0;
  const baseSig = signature();
  for (let e = 0; e < x0.length; e++) {
    const h = 1e-6 * Math.max(1, Math.abs(x0[e]));
    const xp = Float64Array.from(x0);
    xp[e] = x0[e] + h;
    const fp = evalAt(xp);
    const sp = signature();
    const xm = Float64Array.from(x0);
    xm[e] = x0[e] - h;
    const fm = evalAt(xm);
    const sm = signature();
    const num = (fp - fm) / (2 * h);
    const a = analytic.data[e];
    let kink = false;
    for (let k = 0; k < sp.length; k++) {
      if (sp[k] !== sm[k] || sp[k] !== baseSig[k]) {
        kink = true;
        break;
      }
    }
    if (kink) {
      kinks++;
      continue;
    }
    const diff = Math.abs(a - num);
    const rel = diff / Math.max(Math.abs(a), Math.abs(num), 1e-12);
    const ok = diff <= tol * Math.max(1, Math.abs(a), Math.abs(num));
    if (!ok || Number.isNaN(diff)) passed = false;
    if (rel > maxRel || Number.isNaN(rel)) {
      maxRel = Number.isNaN(rel) ? Infinity : rel;
      worst = e;
      worstA = a;
      worstN = num;
    }
  }
  tape.restore(saved);
  // The restored base values: recompute nothing else (the snapshot held every changed node).
  return { passed, maxRelError: maxRel, kinks, worstIndex: worst, worstAnalytic: worstA, worstNumerical: worstN };
}
