import { K, type Tape } from '../autodiff/tape';
import { ELEMENTWISE } from '../autodiff/ops/elementwise';
import { S, scalarForward } from '../autodiff/scalar';
import type { Tensor } from '../tensor/tensor';

export interface CheckResult {
  readonly passed: boolean;
  readonly maxRelError: number;
  readonly kinks: number;
  readonly worstIndex: number;
  readonly worstAnalytic: number;
  readonly worstNumerical: number;
}

const NO_INPUT = -1;
const NO_SIGNATURE: readonly number[] = [];

/**
 * The kink signature of an element-wise op on scalars, by scalar code, read from the op table
 * (ops/elementwise.ts builds `kinks` from the same field): 1 = sign of the input, 2 = sign of
 * the difference of the two inputs. A code absent here has no kinks.
 */
const SCALAR_KINK = new Uint8Array(256);
for (const def of ELEMENTWISE) if (def.kink) SCALAR_KINK[def.code] = def.kink === 'input' ? 1 : 2;

/**
 * Central differences in float64 (LANGUAGE.md §3): step h = 1e-6·max(1, |x|) per element;
 * an element passes when |a − n| ≤ tol·max(1, |a|, |n|); the reported error is CS231n's
 * |a − n| / max(|a|, |n|, 1e-12). An element whose ±h perturbation changes a discrete choice
 * of a downstream op (a ReLU/abs/leaky_relu sign, a max/min winner) crossed a kink and is
 * counted as a kink, not a failure.
 *
 * Only the cone is recomputed: the nodes after `wrt` that depend on it and that `root` depends
 * on. Every node of the cone is restored afterwards, so the tape's values are unchanged.
 * `reach` (optional) marks the nodes `root` depends on (`Gradients.reached` of a backward
 * pass from `root`), `analytic` is ∂root/∂wrt (a number for a scalar `wrt`).
 */
export function checkGradient(tape: Tape, root: number, wrt: number, analytic: Tensor | number, tol: number, reach?: Uint8Array): CheckResult {
  const reached = reach ?? tape.reach(root);
  const { kind, in0, in1, inputsMore, scode } = tape;
  // Nodes downstream of `wrt` that `root` depends on: the cone to recompute.
  const dirty = new Uint8Array(root + 1);
  dirty[wrt] = 1;
  const cone: number[] = [];
  let scalarCone = tape.isScalar[wrt] === 1 && tape.isScalar[root] === 1;
  for (let i = wrt + 1; i <= root; i++) {
    if (kind[i] !== K.OP) continue;
    let d = 0;
    const more = inputsMore[i];
    if (more !== undefined) for (let k = 0; k < more.length; k++) d |= dirty[more[k]];
    else {
      const a = in0[i];
      const b = in1[i];
      if (a !== NO_INPUT) d |= dirty[a];
      if (b !== NO_INPUT) d |= dirty[b];
    }
    if (d) {
      dirty[i] = 1;
      if (reached[i]) {
        cone.push(i);
        // Scalar element-wise nodes (and only they) carry a scalar code.
        if (scode[i] === 0) scalarCone = false;
      }
    }
  }
  if (scalarCone) return checkScalar(tape, root, wrt, cone, typeof analytic === 'number' ? analytic : analytic.data[0], tol);
  const analyticData = typeof analytic === 'number' ? [analytic] : analytic.data;
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
    for (let k = 0; k < cone.length; k++) tape.compute(cone[k]);
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
    const a = analyticData[e];
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

/**
 * The same check for a scalar `wrt` whose cone holds only scalar element-wise nodes (a
 * micrograd-style graph): `wrt` is perturbed in the tape's scalar values and the cone re-run
 * through the scalar kernels, the same arithmetic as `Tape.compute`, with no tensor or array
 * per evaluation.
 */
function checkScalar(tape: Tape, root: number, wrt: number, cone: readonly number[], a: number, tol: number): CheckResult {
  const { sv, scode } = tape;
  const m = cone.length;
  // Plain arrays: a typed array over 64 bytes costs an off-heap allocation, more than this check.
  const saved: number[] = new Array(m);
  // The cone's nodes at a kink, whose signature is compared before, at +h and at −h.
  let kinkNodes: number[] | undefined;
  for (let k = 0; k < m; k++) {
    const i = cone[k];
    saved[k] = sv[i];
    if (SCALAR_KINK[scode[i]] !== 0) (kinkNodes ??= []).push(i);
  }
  const x0 = sv[wrt];
  const baseSig = kinkNodes ? scalarSignature(tape, kinkNodes) : NO_SIGNATURE;
  const h = 1e-6 * Math.max(1, Math.abs(x0));
  const fp = evalCone(tape, wrt, root, cone, x0 + h);
  const sp = kinkNodes ? scalarSignature(tape, kinkNodes) : NO_SIGNATURE;
  const fm = evalCone(tape, wrt, root, cone, x0 - h);
  const sm = kinkNodes ? scalarSignature(tape, kinkNodes) : NO_SIGNATURE;
  sv[wrt] = x0;
  for (let k = 0; k < m; k++) sv[cone[k]] = saved[k];
  const nk = sp.length;
  const num = (fp - fm) / (2 * h);
  for (let k = 0; k < nk; k++) {
    if (sp[k] !== sm[k] || sp[k] !== baseSig[k]) {
      return { passed: true, maxRelError: 0, kinks: 1, worstIndex: 0, worstAnalytic: 0, worstNumerical: 0 };
    }
  }
  const diff = Math.abs(a - num);
  const rel = diff / Math.max(Math.abs(a), Math.abs(num), 1e-12);
  const ok = diff <= tol * Math.max(1, Math.abs(a), Math.abs(num));
  const passed = !(!ok || Number.isNaN(diff));
  if (rel > 0 || Number.isNaN(rel)) {
    return { passed, maxRelError: Number.isNaN(rel) ? Infinity : rel, kinks: 0, worstIndex: 0, worstAnalytic: a, worstNumerical: num };
  }
  return { passed, maxRelError: 0, kinks: 0, worstIndex: 0, worstAnalytic: 0, worstNumerical: 0 };
}

/** Sets the scalar `wrt` to x and re-runs the cone through the scalar kernels (as `Tape.compute`); the root's value. */
function evalCone(tape: Tape, wrt: number, root: number, cone: readonly number[], x: number): number {
  const { sv, in0, in1, scode, sparam } = tape;
  sv[wrt] = x;
  for (let k = 0; k < cone.length; k++) {
    const i = cone[k];
    const code = scode[i];
    const b = in1[i];
    // Identity (every binding of a computed value) without the kernel's second switch.
    sv[i] = code === S.IDENTITY ? sv[in0[i]] : scalarForward(code, sv[in0[i]], b !== NO_INPUT ? sv[b] : 0, sparam[i]);
  }
  return sv[root];
}

/** The ops' `kinks` on scalars: the sign of the input, or of the difference of the inputs (mapBinary). */
function scalarSignature(tape: Tape, nodes: readonly number[]): number[] {
  const { sv, in0, in1, scode } = tape;
  const out: number[] = new Array(nodes.length);
  for (let q = 0; q < nodes.length; q++) {
    const i = nodes[q];
    out[q] = SCALAR_KINK[scode[i]] === 1 ? Math.sign(sv[in0[i]]) : Math.sign(sv[in0[i]] - sv[in1[i]]);
  }
  return out;
}
