/**
 * Softmax followed by cross-entropy: detection (`P = softmax(h)` then `L = -sum(y * log(P))`,
 * or `L = cross_entropy(h, y)`) and the homework's proof in index form that ∂L/∂h_i = P_i − y_i,
 * followed by the user's numbers.
 */
import type { Tape } from '../../autodiff/tape';
import { findBuiltin } from '../../builtins/types';
import type { Binding } from '../../eval/values';
import type { Expr } from '../../syntax/ast';
import { numel } from '../../tensor/tensor';
import { texVar } from './tex';

export interface SoftmaxCE {
  readonly loss: Binding;
  readonly logits: Binding;
  /** The softmax binding, when the user wrote it out. */
  readonly probs?: Binding;
  readonly target: Binding;
  readonly form: 'explicit' | 'cross_entropy';
}

const strip = (e: Expr): Expr => (e.kind === 'Paren' ? strip(e.inner) : e);

function callOf(e: Expr): { name: string; args: Expr[]; named: number } | undefined {
  e = strip(e);
  if (e.kind === 'Call') {
    const def = findBuiltin(e.callee);
    return { name: def?.name ?? e.callee.toLowerCase(), args: e.args.filter((a) => !a.name).map((a) => a.value), named: e.args.filter((a) => a.name).length };
  }
  if (e.kind === 'Method') {
    const def = findBuiltin(e.method.name);
    return { name: def?.name ?? e.method.name.toLowerCase(), args: [e.object, ...e.args.filter((a) => !a.name).map((a) => a.value)], named: e.args.filter((a) => a.name).length };
  }
  return undefined;
}

function refBinding(b: Binding, e: Expr): Binding | undefined {
  e = strip(e);
  if (e.kind !== 'Name') return undefined;
  return b.refs.find((r) => r.ref.kind === 'Name' && r.ref.name === e.name)?.binding;
}

/** Every softmax/cross-entropy pair in the program (1-D logits, or 2-D with classes on axis 1). */
export function detectSoftmaxCE(tape: Tape, bindings: readonly Binding[]): SoftmaxCE[] {
  const softmaxOf = new Map<Binding, Binding>();
  const out: SoftmaxCE[] = [];
  for (const b of bindings) {
    if (!b.stmt || b.kind !== 'value') continue;
    const c = callOf(b.stmt.value);
    if (c && c.name === 'softmax' && c.args.length === 1 && c.named === 0) {
      const h = refBinding(b, c.args[0]);
      if (h && tape.shape(h.node).length === 1) softmaxOf.set(b, h);
      continue;
    }
    if (c && c.name === 'cross_entropy' && c.args.length === 2 && c.named === 0) {
      const h = refBinding(b, c.args[0]);
      const t = refBinding(b, c.args[1]);
      if (h && t && tape.shape(h.node).length >= 1 && tape.shape(h.node).length <= 2) out.push({ loss: b, logits: h, target: t, form: 'cross_entropy' });
      continue;
    }
    // L = -sum(y * log(P))
    const e = strip(b.stmt.value);
    if (e.kind !== 'Unary' || e.op !== '-') continue;
    const s = callOf(e.operand);
    if (!s || s.name !== 'sum' || s.args.length !== 1 || s.named) continue;
    const prod = strip(s.args[0]);
    if (prod.kind !== 'Binary' || prod.op !== '*') continue;
    for (const [yE, logE] of [
      [prod.left, prod.right],
      [prod.right, prod.left],
    ] as const) {
      const lg = callOf(logE);
      if (!lg || lg.name !== 'log' || lg.args.length !== 1) continue;
      const P = refBinding(b, lg.args[0]);
      const yb = refBinding(b, yE);
      const h = P && softmaxOf.get(P);
      if (P && yb && h) {
        out.push({ loss: b, logits: h, probs: P, target: yb, form: 'explicit' });
        break;
      }
    }
  }
  return out;
}

/** Softmax along the last axis. */
function softmaxRows(shape: readonly number[], data: ArrayLike<number>): number[] {
  const c = shape[shape.length - 1];
  const out = new Array<number>(data.length);
  for (let r = 0; r < data.length / c; r++) {
    let mx = -Infinity;
    for (let j = 0; j < c; j++) mx = Math.max(mx, data[r * c + j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(data[r * c + j] - mx);
    for (let j = 0; j < c; j++) out[r * c + j] = Math.exp(data[r * c + j] - mx) / s;
  }
  return out;
}

export interface SoftmaxNumbers {
  readonly shape: number[];
  readonly P: number[];
  /** The target as probabilities (one-hot for class indices). */
  readonly Y: number[];
  /** Rows averaged over (cross_entropy on a batch): ∂L/∂h = (P − Y)/B. */
  readonly batch: number;
  readonly grad: number[];
  /** Every row of the target sums to 1, so ∂L/∂h = P − y (else P·Σy − y). */
  readonly normalised: boolean;
}

export function softmaxNumbers(tape: Tape, s: SoftmaxCE): SoftmaxNumbers {
  const h = tape.value(s.logits.node);
  const shape = h.shape.slice();
  const P = s.probs ? Array.from(tape.value(s.probs.node).data) : softmaxRows(shape, h.data);
  const t = tape.value(s.target.node);
  let Y: number[];
  if (t.data.length === h.data.length) Y = Array.from(t.data);
  else {
    const c = shape[shape.length - 1];
    Y = new Array<number>(h.data.length).fill(0);
    for (let r = 0; r < t.data.length; r++) Y[r * c + Math.round(t.data[r])] = 1;
  }
  const batch = s.form === 'cross_entropy' && shape.length === 2 ? shape[0] : 1;
  // ∂L/∂h = P·Σy − y row by row; P − y when every row of y sums to 1 (the proof's last step).
  const c = shape.length ? shape[shape.length - 1] : 1;
  const rowSum = new Array<number>(Y.length).fill(0);
  for (let r = 0; r < Y.length; r += c) {
    let t = 0;
    for (let k = 0; k < c; k++) t += Y[r + k];
    for (let k = 0; k < c; k++) rowSum[r + k] = t;
  }
  const normalised = rowSum.every((t) => Math.abs(t - 1) <= 1e-12);
  return { shape, P, Y, batch, normalised, grad: P.map((p, i) => (p * (normalised ? 1 : rowSum[i]) - Y[i]) / batch) };
}

/** The proof rows, in three align blocks (∂P_j/∂h_i for j = i, for j ≠ i, then ∂L/∂h_i). */
export function softmaxProof(s: SoftmaxCE, tape: Tape): { names: { P: string; h: string; y: string; L: string }; indexTarget: boolean; blocks: string[][] } {
  const grp = (t: string): string => `{${t}}`;
  const P = s.probs ? grp(texVar(s.probs.name)) : 'P';
  const h = grp(texVar(s.logits.name));
  // A class-index target is written as the one-hot vector y (or Y when a name y is taken).
  const indexTarget = numel(tape.shape(s.target.node)) !== numel(tape.shape(s.logits.node));
  const oneHot = [s.logits.name, s.loss.name, s.probs?.name].includes('y') ? 'Y' : 'y';
  const yy = grp(indexTarget ? oneHot : texVar(s.target.name));
  const L = texVar(s.loss.name);
  const Pi = `${P}_{i}`;
  const Pj = `${P}_{j}`;
  const hi = `${h}_{i}`;
  const hj = `${h}_{j}`;
  const hk = `${h}_{k}`;
  const yi = `${yy}_{i}`;
  const yj = `${yy}_{j}`;
  const S = `\\sum_{k} \\exp(${hk})`;
  const d = (a: string, b: string): string => `\\frac{\\partial ${a}}{\\partial ${b}}`;
  const di = `\\frac{\\partial}{\\partial ${hi}}`;
  const caseEq = [
    `${d(Pi, hi)} &= ${di}\\left(\\frac{\\exp(${hi})}{${S}}\\right)`,
    `&= \\frac{\\exp(${hi}) ${S} - \\exp(${hi}) \\exp(${hi})}{\\left(${S}\\right)^{2}}`,
    `&= \\frac{\\exp(${hi})}{${S}} - \\frac{\\left(\\exp(${hi})\\right)^{2}}{\\left(${S}\\right)^{2}}`,
    `&= ${Pi} - \\left(${Pi}\\right)^{2}`,
    `\\therefore\\ ${d(Pi, hi)} &= ${Pi} \\cdot \\left(1 - ${Pi}\\right)`,
  ];
  const caseNe = [
    `${d(Pj, hi)} &= ${di}\\left(\\frac{\\exp(${hj})}{${S}}\\right)`,
    `&= -\\frac{\\exp(${hj}) \\exp(${hi})}{\\left(${S}\\right)^{2}}`,
    `\\therefore\\ ${d(Pj, hi)} &= -${Pj} \\cdot ${Pi}`,
  ];
  const loss = [
    `${d(L, hi)} &= ${di}\\left(-\\sum_{j} ${yj} \\log ${Pj}\\right)`,
    `&= -\\sum_{j} ${yj} \\, ${di} \\log ${Pj} \\quad \\text{(} ${yy} \\text{ does not depend on } ${h} \\text{)}`,
    `&= -\\frac{${yi}}{${Pi}} ${di} ${Pi} - \\sum_{j \\neq i} \\frac{${yj}}{${Pj}} ${di} ${Pj}`,
    `&= -\\frac{${yi}}{${Pi}} ${Pi} \\left(1 - ${Pi}\\right) - \\sum_{j \\neq i} \\frac{${yj}}{${Pj}} \\cdot \\left(-${Pj} ${Pi}\\right)`,
    `&= -${yi} + ${yi} ${Pi} + ${Pi} \\sum_{j \\neq i} ${yj}`,
    `&= -${yi} + ${yi} ${Pi} + ${Pi} \\left(\\sum_{j} ${yj} - ${yi}\\right)`,
    `&= -${yi} + ${yi} ${Pi} + ${Pi} \\left(1 - ${yi}\\right) \\quad \\text{(} \\textstyle\\sum_{j} ${yj} = 1 \\text{)}`,
    `&= -${yi} + ${yi} ${Pi} + ${Pi} - ${yi} ${Pi}`,
    `\\therefore\\ ${d(L, hi)} &= ${Pi} - ${yi}`,
  ];
  return { names: { P, h, y: yy, L }, indexTarget, blocks: [caseEq, caseNe, loss] };
}
