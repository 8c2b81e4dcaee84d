/**
 * Losses, exactly PyTorch's (1.13): `cross_entropy` [logits, target, weight?], `nll` [logp,
 * target, weight?], `mse` [pred, target], `bce` [p, y, weight?], `bce_with_logits` [z, y,
 * weight?, pos_weight?].
 *
 * Attributes (all optional; absent means PyTorch's default):
 * - `reduction`: 'mean' (default), 'sum' or 'none' (one loss per element, or per example for
 *   cross_entropy and nll: the input's shape without the class axis);
 * - cross_entropy and nll: `ignore_index` (default −100), cross_entropy `label_smoothing` (0);
 * - bce_with_logits: `pos_weight` true when the last input is pos_weight.
 * A weight is an input (it may be a param): for cross_entropy and nll one per class ([C]); for
 * bce and bce_with_logits (and pos_weight) any shape that broadcasts to the input's.
 *
 * For cross_entropy and nll the class axis is 1 (0 for a 1-D input). A target shaped like the
 * input holds probabilities (differentiable); a target shaped like the input without its class
 * axis holds integer class indices (not differentiable). The mean is over the examples; with a
 * weight, over Σ weight[target] (index targets, as PyTorch's weighted mean); examples whose
 * target is ignore_index count neither in the sum nor in the mean.
 *
 * Every example's loss is −Σ_c a_c·logp_c for coefficients a: with index target t,
 * a = (1 − ε)·w[t]·onehot(t) + ε·w/C (0 for an ignored example); with probabilities,
 * a = w ⊙ ((1 − ε)·t + ε/C). So ∂/∂logp = −a and, through log_softmax, ∂/∂z = softmax(z)·Σa − a,
 * each times the example's scale (1/Σw[t] or 1/N for the mean, 1 for the sum, the incoming
 * gradient for 'none'). Gradients with respect to weights are computed too (PyTorch refuses to
 * differentiate them except for cross_entropy with probability targets): the loss is a smooth
 * function of them, and `check` compares them with central differences.
 */
import { axisBlocks } from '../../tensor/reduce';
import { broadcastIndex, broadcastShapes, formatShape, mapBinary, numel, sameShape, tensor, unbroadcast, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type Attrs, type OpDef, type ShapeError } from '../op';
import { logSoftmax } from './softmax';
import { operand, shapeError } from './support';

export type TargetKind = 'indices' | 'probabilities';
export type Reduction = 'mean' | 'sum' | 'none';
export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'none'];
/** PyTorch's default `ignore_index`. */
export const DEFAULT_IGNORE_INDEX = -100;

export function reductionOf(attrs: Attrs): Reduction {
  const r = attrs.reduction;
  return r === 'sum' || r === 'none' ? r : 'mean';
}

function ignoreIndexOf(attrs: Attrs): number {
  return typeof attrs.ignore_index === 'number' ? attrs.ignore_index : DEFAULT_IGNORE_INDEX;
}

function smoothingOf(attrs: Attrs): number {
  return typeof attrs.label_smoothing === 'number' ? attrs.label_smoothing : 0;
}

/** The class axis of a classification input: 1, or 0 for a 1-D input. */
export function classAxis(input: Shape): number {
  return input.length === 1 ? 0 : 1;
}

/** The input's shape without its class axis: one loss per example (reduction='none'). */
export function exampleShape(input: Shape): Shape {
  const ax = classAxis(input);
  return input.filter((_, i) => i !== ax);
}

/** Which kind of target `target` is for `input`, or a shape error. */
export function classificationTarget(input: Shape, target: Shape, fn: string): TargetKind | ShapeError {
  if (input.length === 0) {
    return shapeError(`Expected ${fn} input with a class axis (shape [C] or [N, C, …]), found a scalar.`, { input: 0 });
  }
  if (sameShape(input, target)) return 'probabilities';
  const without = exampleShape(input);
  if (sameShape(without, target)) return 'indices';
  return shapeError(
    `Expected a ${fn} target of shape ${formatShape(without)} (class indices) or ${formatShape(input)} (probabilities), found ${formatShape(target)}.`,
    { input: 1 },
  );
}

/** A classification weight must hold one number per class: an error message, or undefined. */
export function checkClassWeight(input: Shape, weight: Shape, fn: string): string | undefined {
  if (input.length === 0) return undefined;
  const classes = input[classAxis(input)];
  if (weight.length === 1 && weight[0] === classes) return undefined;
  return `Expected a ${fn} weight of shape [${classes}] (one per class), found ${formatShape(weight)}.`;
}

/** A bce weight or pos_weight must broadcast to the input's shape: an error message, or undefined. */
export function checkBroadcastWeight(input: Shape, weight: Shape, what: string, fn: string): string | undefined {
  const b = broadcastShapes(input, weight);
  if (b && sameShape(b, input)) return undefined;
  return `Expected a ${fn} ${what} whose shape broadcasts to the input's ${formatShape(input)}, found ${formatShape(weight)}.`;
}

function kindOf(input: Shape, target: Shape): TargetKind {
  return sameShape(input, target) ? 'probabilities' : 'indices';
}

/**
 * Checks class indices (integer-valued, in range; `ignore`, PyTorch's ignore_index, may be
 * anything); returns an error message or undefined.
 */
export function checkClassIndices(target: Tensor, classes: number, ignore: number = DEFAULT_IGNORE_INDEX): string | undefined {
  for (const v of target.data) {
    if (v === ignore) continue;
    if (!Number.isInteger(v)) return `Expected integer class indices, found ${v}.`;
    if (v < 0 || v >= classes) {
      return `Expected class indices in [0, ${classes})${ignore !== DEFAULT_IGNORE_INDEX ? ` or the ignore_index ${ignore}` : ''}, found ${v}.`;
    }
  }
  return undefined;
}

/** (outer, classes, inner) blocks and the number of examples. */
function blocks(input: Shape): { outer: number; size: number; inner: number; count: number } {
  const b = axisBlocks(input, classAxis(input));
  return { ...b, count: b.outer * b.inner };
}

/** The options of cross_entropy (nll: ε = 0). */
interface ClassOptions {
  readonly reduction: Reduction;
  readonly ignore: number;
  /** Label smoothing ε. */
  readonly eps: number;
}

function classOptions(attrs: Attrs, smoothing: boolean): ClassOptions {
  return { reduction: reductionOf(attrs), ignore: ignoreIndexOf(attrs), eps: smoothing ? smoothingOf(attrs) : 0 };
}

/**
 * The loss from log-probabilities: for index targets PyTorch's nll_loss (plus, with label
 * smoothing, cross_entropy's smoothing term); for probabilities −Σ a·logp.
 */
function classificationForward(logp: Tensor, target: Tensor, weight: Tensor | undefined, o: ClassOptions): Tensor {
  const { outer, size, inner, count } = blocks(logp.shape);
  const lp = logp.data;
  const td = target.data;
  const w = weight?.data;
  const eps = o.eps;
  const per = o.reduction === 'none' ? tensor(exampleShape(logp.shape)) : undefined;
  if (kindOf(logp.shape, target.shape) === 'indices') {
    // s1 = Σ w[t]·logp[t], s2 = Σ_c w_c·logp_c (smoothing), wsum = Σ w[t] over the examples kept.
    let s1 = 0;
    let s2 = 0;
    let wsum = 0;
    for (let b = 0; b < outer; b++) {
      for (let i = 0; i < inner; i++) {
        const n = b * inner + i;
        const c = td[n];
        if (c === o.ignore) continue;
        const valid = Number.isInteger(c) && c >= 0 && c < size;
        const wc = w === undefined ? 1 : valid ? w[c] : NaN;
        const term = valid ? (w === undefined ? lp[(b * size + c) * inner + i] : wc * lp[(b * size + c) * inner + i]) : NaN;
        let smooth = 0;
        if (eps > 0) {
          for (let k = 0; k < size; k++) smooth += w === undefined ? lp[(b * size + k) * inner + i] : lp[(b * size + k) * inner + i] * w[k];
        }
        if (per) per.data[n] = eps > 0 ? (1 - eps) * -term + -smooth * (eps / size) : -term;
        s1 += term;
        s2 += smooth;
        wsum += wc;
      }
    }
    if (per) return per;
    if (o.reduction === 'sum') return tensor([], [eps > 0 ? (1 - eps) * -s1 + -s2 * (eps / size) : -s1]);
    const nll = -s1 / wsum;
    return tensor([], [eps > 0 ? (1 - eps) * nll + (-s2 / wsum) * (eps / size) : nll]);
  }
  // Probabilities: a = w ⊙ ((1 − ε)·t + ε/C), summed with logp (zero coefficients skipped).
  let s = 0;
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < inner; i++) {
      let e = 0;
      for (let c = 0; c < size; c++) {
        const k = (b * size + c) * inner + i;
        const t = eps > 0 ? td[k] * (1 - eps) + eps / size : td[k];
        if (t === 0) continue;
        e += w === undefined ? t * lp[k] : lp[k] * t * w[c];
      }
      if (per) per.data[b * inner + i] = -e;
      else s += e;
    }
  }
  if (per) return per;
  if (o.reduction === 'sum') return tensor([], [-s]);
  return tensor([], [-s / count]);
}

/** The default forward of probability targets, summed in memory order as before the options existed. */
function probabilityMean(logp: Tensor, target: Tensor, count: number): Tensor {
  let s = 0;
  for (let k = 0; k < logp.data.length; k++) if (target.data[k] !== 0) s += target.data[k] * logp.data[k];
  return tensor([], [-s / count]);
}

/** No options in effect: the mean over every example, without weight or smoothing. */
function isPlain(attrs: Attrs, nInputs: number): boolean {
  return nInputs === 2 && reductionOf(attrs) === 'mean' && smoothingOf(attrs) === 0;
}

/** isPlain, and no class-index target is ignored: the backward passes from before the options apply. */
function isPlainBackward(input: Shape, target: Tensor, attrs: Attrs, nInputs: number): boolean {
  if (!isPlain(attrs, nInputs)) return false;
  return kindOf(input, target.shape) === 'probabilities' || !target.data.includes(ignoreIndexOf(attrs));
}

function forwardFromLogp(logp: Tensor, target: Tensor, weight: Tensor | undefined, attrs: Attrs, smoothing: boolean): Tensor {
  // The default mean over probability targets keeps its memory-order sum (bit for bit).
  if (weight === undefined && isPlain(attrs, 2) && kindOf(logp.shape, target.shape) === 'probabilities') {
    return probabilityMean(logp, target, blocks(logp.shape).count);
  }
  return classificationForward(logp, target, weight, classOptions(attrs, smoothing));
}

/** The scale of each example's gradient: 1/Σw[t] or 1/N (mean), 1 (sum), or g itself (none). */
function exampleScale(g: Tensor, reduction: Reduction, denominator: number): (n: number) => number {
  if (reduction === 'none') return (n) => g.data[n];
  const s = reduction === 'sum' ? g.data[0] : g.data[0] / denominator;
  return () => s;
}

/** Σ w[t] (or the count) over the examples whose target is not ignored: the weighted mean's denominator. */
function keptWeight(target: Tensor, weight: Tensor | undefined, ignore: number): number {
  let s = 0;
  for (const c of target.data) if (c !== ignore) s += weight === undefined ? 1 : weight.data[c];
  return s;
}

/**
 * Backward of the classification losses from the log-probabilities. `throughSoftmax` for
 * cross_entropy (the input is the logits: the gradient goes through log_softmax), not for nll.
 * Returns the gradients of [input, target, weight?]; class-index targets get none.
 */
function classificationBackward(
  g: Tensor,
  logp: Tensor,
  target: Tensor,
  weight: Tensor | undefined,
  out: Tensor,
  o: ClassOptions,
  throughSoftmax: boolean,
  needs: readonly boolean[] | undefined,
): (Tensor | null)[] {
  const { outer, size, inner, count } = blocks(logp.shape);
  const lp = logp.data;
  const td = target.data;
  const w = weight?.data;
  const eps = o.eps;
  const gx = tensor(logp.shape);
  const gw = weight !== undefined && needs?.[2] !== false ? tensor(weight.shape) : undefined;
  const at = (b: number, c: number, i: number): number => (b * size + c) * inner + i;
  if (kindOf(logp.shape, target.shape) === 'indices') {
    const wsum = o.reduction === 'mean' ? keptWeight(target, weight, o.ignore) : 1;
    const scale = exampleScale(g, o.reduction, wsum);
    // Σ_c w_c (the smoothing term's Σ a part).
    let wAll = size;
    if (w !== undefined) {
      wAll = 0;
      for (let c = 0; c < size; c++) wAll += w[c];
    }
    for (let b = 0; b < outer; b++) {
      for (let i = 0; i < inner; i++) {
        const n = b * inner + i;
        const t = td[n];
        if (t === o.ignore) continue;
        const s = scale(n);
        const wt = w === undefined ? 1 : w[t];
        // a = (1 − ε)·w[t]·onehot(t) + ε·w/C
        const at1 = eps > 0 ? (1 - eps) * wt : wt;
        if (throughSoftmax) {
          const asum = eps > 0 ? at1 + (eps / size) * wAll : at1;
          const ps = asum * s;
          for (let c = 0; c < size; c++) gx.data[at(b, c, i)] = Math.exp(lp[at(b, c, i)]) * ps;
        }
        gx.data[at(b, t, i)] -= at1 * s;
        if (eps > 0) {
          for (let c = 0; c < size; c++) gx.data[at(b, c, i)] -= (eps / size) * (w === undefined ? 1 : w[c]) * s;
        }
        if (gw) {
          gw.data[t] -= (1 - eps) * lp[at(b, t, i)] * s;
          if (eps > 0) for (let c = 0; c < size; c++) gw.data[c] -= (eps / size) * lp[at(b, c, i)] * s;
          // The weighted mean's denominator Σ w[t] depends on w too.
          if (o.reduction === 'mean') gw.data[t] -= out.data[0] * s;
        }
      }
    }
    return weight === undefined ? [gx, null] : [gx, null, gw ?? null];
  }
  // Probabilities.
  const scale = exampleScale(g, o.reduction, count);
  const gt = needs?.[1] !== false ? tensor(target.shape) : undefined;
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < inner; i++) {
      const s = scale(b * inner + i);
      let asum = 0;
      for (let c = 0; c < size; c++) {
        const k = at(b, c, i);
        const t = eps > 0 ? td[k] * (1 - eps) + eps / size : td[k];
        asum += w === undefined ? t : t * w[c];
      }
      for (let c = 0; c < size; c++) {
        const k = at(b, c, i);
        const t = eps > 0 ? td[k] * (1 - eps) + eps / size : td[k];
        const a = w === undefined ? t : t * w[c];
        gx.data[k] = throughSoftmax ? (Math.exp(lp[k]) * asum - a) * s : -a * s;
        // ∂/∂t = −(1 − ε)·w·logp
        if (gt) gt.data[k] = w === undefined && eps === 0 ? -lp[k] * s : -lp[k] * ((1 - eps) * (w === undefined ? 1 : w[c])) * s;
        if (gw) gw.data[c] -= t * lp[k] * s;
      }
    }
  }
  return weight === undefined ? [gx, gt ?? null] : [gx, gt ?? null, gw ?? null];
}

function classificationShape(fn: string) {
  return (shapes: readonly Shape[], attrs: Attrs): Shape | ShapeError => {
    const k = classificationTarget(shapes[0], shapes[1], fn);
    if (typeof k !== 'string') return k;
    if (shapes.length > 2) {
      const bad = checkClassWeight(shapes[0], shapes[2], fn);
      if (bad) return shapeError(bad, { input: 2 });
    }
    return reductionOf(attrs) === 'none' ? exampleShape(shapes[0]) : [];
  };
}

/** How the option attributes read in a rule: the coefficients a, the scale s. */
function classificationText(fn: 'cross_entropy' | 'nll', [, t, w]: readonly string[], attrs: Attrs): { a: string; aProb: string; scale: string } {
  const o = classOptions(attrs, fn === 'cross_entropy');
  const eps = o.eps;
  const wt = w ? `${operand(w)}[${bare(t)}]·` : '';
  const a =
    `${eps > 0 ? `(1 − ${eps})·` : ''}${wt}onehot(${bare(t)})` +
    (eps > 0 ? ` + ${eps}·${w ? operand(w) : '1'}/C` : '') +
    (attrs.ignore_index !== undefined ? ` (0 where ${t} = ${o.ignore})` : '');
  const tp = eps > 0 ? `((1 − ${eps})·${operand(bare(t))} + ${eps}/C)` : operand(bare(t));
  const aProb = w ? `${operand(w)} ⊙ ${tp}` : tp;
  const scale =
    o.reduction === 'sum'
      ? '1 (reduction=sum)'
      : o.reduction === 'none'
        ? `∂L/∂ℓₙ, the gradient reaching each example's loss (reduction=none)`
        : `1/${w ? `Σ ${operand(w)}[${bare(t)}]` : 'N'} (reduction=mean; N = number of examples${attrs.ignore_index !== undefined ? ` whose target is not ${o.ignore}` : ''}${w ? '; 1/N for probability targets' : ''})`;
  return { a, aProb, scale };
}

/** An operand inside brackets that already delimit it: without the parentheses a formula gave it (`([2, 0])` → `[2, 0]`). */
function bare(s: string): string {
  if (!s.startsWith('(') || !s.endsWith(')')) return s;
  let depth = 0;
  for (let i = 0; i < s.length - 1; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    if (depth === 0) return s;
  }
  return s.slice(1, -1);
}

function hasOptions(attrs: Attrs, nInputs: number): boolean {
  return nInputs > 2 || attrs.reduction !== undefined || attrs.ignore_index !== undefined || attrs.label_smoothing !== undefined;
}

const crossEntropy: OpDef = {
  name: 'cross_entropy',
  display: 'cross_entropy',
  inferShape: classificationShape('cross_entropy'),
  forward: ([z, t, w], attrs) => forwardFromLogp(logSoftmax(z, classAxis(z.shape)), t, w, attrs, true),
  backward: (g, [z, t, w], out, attrs, needs) => {
    const logp = logSoftmax(z, classAxis(z.shape));
    if (isPlainBackward(z.shape, t, attrs, w === undefined ? 2 : 3)) return plainCrossEntropyBackward(g, z, t, logp);
    return classificationBackward(g, logp, t, w, out, classOptions(attrs, true), true, needs);
  },
  rule: (ops, attrs) => {
    const [z, t, w] = ops;
    if (!hasOptions(attrs, ops.length)) {
      return [
        `∂L/∂${operand(z)} = (softmax(${z}) − onehot(${t})) / N  (N = number of examples)`,
        `∂L/∂${operand(t)} = −log softmax(${z}) / N  (probability targets only; class indices are not differentiable)`,
      ];
    }
    const { a, aProb, scale } = classificationText('cross_entropy', ops, attrs);
    const eps = smoothingOf(attrs);
    const lines = [
      `∂L/∂${operand(z)} = (softmax(${z})·Σ_c a_c − a)·s with a = ${a} for class indices, a = ${aProb} for probabilities; s = ${scale}`,
      `∂L/∂${operand(t)} = −${eps > 0 ? `(1 − ${eps})·` : ''}${w ? `${operand(w)} ⊙ ` : ''}log softmax(${z})·s  (probability targets only; class indices are not differentiable)`,
    ];
    if (w) {
      lines.push(
        `∂L/∂${operand(w)}_c = −Σₙ sₙ·∂aₙ/∂${operand(w)}_c·log softmax(${z})ₙ` +
          (reductionOf(attrs) === 'mean' ? ` − L·#{n : ${operand(t)}ₙ = c}·s (the weighted mean's denominator Σ ${operand(w)}[${bare(t)}]; class indices)` : ''),
      );
    }
    return lines;
  },
  convention:
    'PyTorch cross_entropy: class axis 1 (0 for 1-D input); reduction=mean averages over examples (with a weight, divides by Σ weight[target]), examples whose target is ignore_index count for nothing; label_smoothing ε mixes (1 − ε)·target with ε/C',
  cost: (shapes) => 4 * numel(shapes[0]),
};
defineOp(crossEntropy);

/** cross_entropy's backward without options, unchanged (bit for bit) from before they existed. */
function plainCrossEntropyBackward(g: Tensor, z: Tensor, t: Tensor, logp: Tensor): (Tensor | null)[] {
  const { outer, size, inner, count } = blocks(z.shape);
  const scale = g.data[0] / count;
  const gz = tensor(z.shape);
  if (kindOf(z.shape, t.shape) === 'indices') {
    for (let k = 0; k < gz.data.length; k++) gz.data[k] = Math.exp(logp.data[k]) * scale;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) gz.data[(o * size + t.data[o * inner + i]) * inner + i] -= scale;
    }
    return [gz, null];
  }
  // ∂/∂z_c = p_c · Σ_k t_k − t_c ; ∂/∂t_c = −log p_c.
  const gt = tensor(t.shape);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let tsum = 0;
      for (let c = 0; c < size; c++) tsum += t.data[(o * size + c) * inner + i];
      for (let c = 0; c < size; c++) {
        const k = (o * size + c) * inner + i;
        gz.data[k] = (Math.exp(logp.data[k]) * tsum - t.data[k]) * scale;
        gt.data[k] = -logp.data[k] * scale;
      }
    }
  }
  return [gz, gt];
}

defineOp({
  name: 'nll',
  display: 'nll',
  inferShape: classificationShape('nll'),
  forward: ([lp, t, w], attrs) => forwardFromLogp(lp, t, w, attrs, false),
  backward: (g, [lp, t, w], out, attrs, needs) => {
    if (isPlainBackward(lp.shape, t, attrs, w === undefined ? 2 : 3)) return plainNllBackward(g, lp, t);
    return classificationBackward(g, lp, t, w, out, classOptions(attrs, false), false, needs);
  },
  rule: (ops, attrs) => {
    const [lp, t, w] = ops;
    if (!hasOptions(attrs, ops.length)) {
      return [
        `∂L/∂${operand(lp)} = −onehot(${t}) / N  (N = number of examples)`,
        `∂L/∂${operand(t)} = −${operand(lp)} / N  (probability targets only)`,
      ];
    }
    const { a, aProb, scale } = classificationText('nll', ops, attrs);
    const lines = [
      `∂L/∂${operand(lp)} = −a·s with a = ${a} for class indices, a = ${aProb} for probabilities; s = ${scale}`,
      `∂L/∂${operand(t)} = −${w ? `${operand(w)} ⊙ ` : ''}${operand(lp)}·s  (probability targets only)`,
    ];
    if (w) {
      lines.push(
        `∂L/∂${operand(w)}_c = −Σₙ sₙ·∂aₙ/∂${operand(w)}_c·${operand(lp)}ₙ` +
          (reductionOf(attrs) === 'mean' ? ` − L·#{n : ${operand(t)}ₙ = c}·s (the weighted mean's denominator Σ ${operand(w)}[${bare(t)}]; class indices)` : ''),
      );
    }
    return lines;
  },
  convention:
    'PyTorch nll_loss: class axis 1 (0 for 1-D input); reduction=mean averages over examples (with a weight, divides by Σ weight[target]), examples whose target is ignore_index count for nothing',
  cost: (shapes) => numel(shapes[0]),
});

/** nll's backward without options, unchanged from before they existed. */
function plainNllBackward(g: Tensor, lp: Tensor, t: Tensor): (Tensor | null)[] {
  const { outer, size, inner, count } = blocks(lp.shape);
  const scale = g.data[0] / count;
  const gl = tensor(lp.shape);
  if (kindOf(lp.shape, t.shape) === 'indices') {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) gl.data[(o * size + t.data[o * inner + i]) * inner + i] = -scale;
    }
    return [gl, null];
  }
  const gt = tensor(t.shape);
  for (let k = 0; k < gl.data.length; k++) {
    gl.data[k] = -t.data[k] * scale;
    gt.data[k] = -lp.data[k] * scale;
  }
  return [gl, gt];
}

/** The shape of an element-wise loss: [] when reduced, else the (broadcast) input shape. */
function reducedOr(shape: Shape, attrs: Attrs): Shape {
  return reductionOf(attrs) === 'none' ? shape : [];
}

/** A reduced result: the sum, or the mean over n elements. */
function reduce(s: number, n: number, reduction: Reduction): Tensor {
  return tensor([], [reduction === 'sum' ? s : s / n]);
}

const REDUCTION_WORDS: Record<Reduction, string> = {
  mean: '/ n',
  sum: '(reduction=sum)',
  none: "⊙ ∂L/∂ℓ (reduction=none: one loss ℓ per element)",
};

defineOp({
  name: 'mse',
  display: 'mse',
  inferShape: ([a, b], attrs) => {
    const s = broadcastShapes(a, b);
    return s ? reducedOr(s, attrs) : shapeError(`Expected prediction and target shapes that broadcast for mse, found ${formatShape(a)} and ${formatShape(b)}.`);
  },
  forward: ([p, t], attrs) => {
    const d = mapBinary(p, t, broadcastShapes(p.shape, t.shape)!, (x, y) => (x - y) * (x - y));
    const r = reductionOf(attrs);
    if (r === 'none') return d;
    let s = 0;
    for (const v of d.data) s += v;
    return reduce(s, d.data.length, r);
  },
  backward: (g, [p, t], _out, attrs) => {
    const shape = broadcastShapes(p.shape, t.shape)!;
    const r = reductionOf(attrs);
    let d: Tensor;
    if (r === 'none') {
      const pi = broadcastIndex(p.shape, shape);
      const ti = broadcastIndex(t.shape, shape);
      d = tensor(shape);
      for (let i = 0; i < d.data.length; i++) d.data[i] = (p.data[pi[i]] - t.data[ti[i]]) * (2 * g.data[i]);
    } else {
      const k = r === 'sum' ? 2 * g.data[0] : (2 * g.data[0]) / numel(shape);
      d = mapBinary(p, t, shape, (x, y) => (x - y) * k);
    }
    const nd = tensor(shape, d.data.map((x) => -x));
    return [unbroadcast(d, p.shape), unbroadcast(nd, t.shape)];
  },
  rule: ([p, t], attrs) => {
    const r = reductionOf(attrs);
    if (r === 'mean') return [`∂L/∂${operand(p)} = 2(${p} − ${t}) / n`, `∂L/∂${operand(t)} = −2(${p} − ${t}) / n`];
    return [`∂L/∂${operand(p)} = 2(${p} − ${t}) ${REDUCTION_WORDS[r]}`, `∂L/∂${operand(t)} = −2(${p} − ${t}) ${REDUCTION_WORDS[r]}`];
  },
  convention: 'PyTorch mse_loss: reduction=mean averages over all elements, sum adds them, none keeps each',
  cost: (shapes) => 2 * numel(shapes[0]),
});

function sameShapeLoss(fn: string, extra: readonly string[] = []) {
  return (shapes: readonly Shape[], attrs: Attrs): Shape | ShapeError => {
    const [a, b] = shapes;
    if (!sameShape(a, b)) return shapeError(`Expected a ${fn} target of the input's shape ${formatShape(a)}, found ${formatShape(b)}.`, { input: 1 });
    for (let k = 2; k < shapes.length; k++) {
      const bad = checkBroadcastWeight(a, shapes[k], extra[k - 2] ?? 'weight', fn);
      if (bad) return shapeError(bad, { input: k });
    }
    return reducedOr(a, attrs);
  };
}

/** The per-element weights of bce and bce_with_logits, broadcast to the input's shape (undefined: none). */
function expandWeight(w: Tensor | undefined, shape: Shape): Float64Array | undefined {
  if (w === undefined) return undefined;
  if (sameShape(w.shape, shape)) return w.data;
  const idx = broadcastIndex(w.shape, shape);
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = w.data[idx[i]];
  return out;
}

/** The gradient's factor for element i: g/n (mean), g (sum) or g_i (none). */
function elementScale(g: Tensor, n: number, reduction: Reduction): (i: number) => number {
  if (reduction === 'none') return (i) => g.data[i];
  const k = reduction === 'sum' ? g.data[0] : g.data[0] / n;
  return () => k;
}

const BCE_EPS = Math.fround(1e-12);
const clampLog = (x: number): number => Math.max(Math.log(x), -100);

defineOp({
  name: 'bce',
  display: 'bce',
  inferShape: sameShapeLoss('bce'),
  forward: ([p, y, wt], attrs) => {
    const r = reductionOf(attrs);
    const w = expandWeight(wt, p.shape);
    const per = r === 'none' ? tensor(p.shape) : undefined;
    let s = 0;
    for (let i = 0; i < p.data.length; i++) {
      const pi = p.data[i];
      const yi = y.data[i];
      let e = yi * clampLog(pi) + (1 - yi) * clampLog(1 - pi);
      if (w !== undefined) e *= w[i];
      if (per) per.data[i] = -e;
      else s += e;
    }
    if (per) return per;
    return r === 'sum' ? tensor([], [-s]) : tensor([], [-s / p.data.length]);
  },
  backward: (g, [p, y, wt], _out, attrs, needs, scratch) => {
    const n = p.data.length;
    const r = reductionOf(attrs);
    const w = expandWeight(wt, p.shape);
    const scale = elementScale(g, n, r);
    // The loop writes every element of both.
    const gp = scratch !== undefined ? { shape: p.shape.slice(), data: scratch.alloc(n) } : tensor(p.shape);
    const gy = scratch !== undefined ? { shape: y.shape.slice(), data: scratch.alloc(n) } : tensor(y.shape);
    const gw = wt !== undefined && needs?.[2] !== false ? tensor(p.shape) : undefined;
    for (let i = 0; i < n; i++) {
      const k = scale(i);
      const pi = p.data[i];
      const yi = y.data[i];
      // PyTorch: (p − y) / max(p(1 − p), ε) with ε = 1e-12 as a float32 constant, times the weight.
      const dp = (k * (pi - yi)) / Math.max((1 - pi) * pi, BCE_EPS);
      // PyTorch differentiates the target without the clamp: (log(1 − p) − log p) / n.
      const dy = k * (Math.log1p(-pi) - Math.log(pi));
      gp.data[i] = w === undefined ? dp : dp * w[i];
      gy.data[i] = w === undefined ? dy : dy * w[i];
      if (gw) gw.data[i] = -k * (yi * clampLog(pi) + (1 - yi) * clampLog(1 - pi));
    }
    if (wt === undefined) return [gp, gy];
    return [gp, gy, gw ? unbroadcast(gw, wt.shape) : null];
  },
  rule: ([p, y, w], attrs) => {
    const r = reductionOf(attrs);
    const wf = w ? `${operand(w)} ⊙ ` : '';
    const lines = [`∂L/∂${operand(p)} = ${wf}(${p} − ${y}) / (${p}(1 − ${p})) ${REDUCTION_WORDS[r]}`, `∂L/∂${operand(y)} = ${wf}(log(1 − ${p}) − log ${p}) ${REDUCTION_WORDS[r]}`];
    if (w) lines.push(`∂L/∂${operand(w)} = −(${y}·log ${p} + (1 − ${y})·log(1 − ${p})) ${REDUCTION_WORDS[r]}, summed over broadcast axes`);
    return lines;
  },
  convention:
    'PyTorch binary_cross_entropy: logarithms clamped at −100; p(1 − p) at least 1e-12 in the gradient; a weight multiplies each element; reduction=mean averages over all elements',
  cost: (shapes) => 4 * numel(shapes[0]),
});

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
/** log(1 + e^(−z)) = −log σ(z), stably. */
const softplusNeg = (z: number): number => Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

/** bce_with_logits' inputs past [z, y]: the weight and pos_weight, either may be absent. */
function logitWeights(inputs: readonly Tensor[], attrs: Attrs): { w?: Tensor; pw?: Tensor } {
  const pw = attrs.pos_weight === true ? inputs[inputs.length - 1] : undefined;
  const w = inputs.length - (pw ? 1 : 0) > 2 ? inputs[2] : undefined;
  return { w, pw };
}

defineOp({
  name: 'bce_with_logits',
  display: 'bce_with_logits',
  inferShape: (shapes, attrs) =>
    sameShapeLoss('bce_with_logits', attrs.pos_weight === true && shapes.length === 3 ? ['pos_weight'] : ['weight', 'pos_weight'])(shapes, attrs),
  forward: (inputs, attrs) => {
    const [z, y] = inputs;
    const r = reductionOf(attrs);
    const { w: wt, pw: pwt } = logitWeights(inputs, attrs);
    const w = expandWeight(wt, z.shape);
    const pw = expandWeight(pwt, z.shape);
    const per = r === 'none' ? tensor(z.shape) : undefined;
    let s = 0;
    for (let i = 0; i < z.data.length; i++) {
      const zi = z.data[i];
      const yi = y.data[i];
      // PyTorch: (1 − y)·z + (1 + (pos_weight − 1)·y)·log(1 + e^(−z)).
      let e = pw === undefined ? Math.max(zi, 0) - zi * yi + Math.log1p(Math.exp(-Math.abs(zi))) : (1 - yi) * zi + (1 + (pw[i] - 1) * yi) * softplusNeg(zi);
      if (w !== undefined) e *= w[i];
      if (per) per.data[i] = e;
      else s += e;
    }
    if (per) return per;
    return reduce(s, z.data.length, r);
  },
  backward: (g, inputs, _out, attrs, needs) => {
    const [z, y] = inputs;
    const n = z.data.length;
    const r = reductionOf(attrs);
    const { w: wt, pw: pwt } = logitWeights(inputs, attrs);
    const w = expandWeight(wt, z.shape);
    const pw = expandWeight(pwt, z.shape);
    const scale = elementScale(g, n, r);
    const gz = tensor(z.shape);
    const gy = tensor(y.shape);
    const wi = wt !== undefined ? 2 : -1;
    const pi = pwt !== undefined ? inputs.length - 1 : -1;
    const gw = wt !== undefined && needs?.[wi] !== false ? tensor(z.shape) : undefined;
    const gpw = pwt !== undefined && needs?.[pi] !== false ? tensor(z.shape) : undefined;
    for (let i = 0; i < n; i++) {
      const k = scale(i);
      const zi = z.data[i];
      const yi = y.data[i];
      if (pw === undefined) {
        gz.data[i] = w === undefined ? k * (sigmoid(zi) - yi) : k * (sigmoid(zi) - yi) * w[i];
        gy.data[i] = w === undefined ? -k * zi : -k * zi * w[i];
      } else {
        // PyTorch: ((pos_weight·y + 1 − y)·σ(z) − pos_weight·y)·w ; ∂/∂y = (log σ(−z) − pos_weight·log σ(z))·w.
        const py = pw[i] * yi;
        const wi_ = w === undefined ? 1 : w[i];
        gz.data[i] = k * ((py + 1 - yi) * sigmoid(zi) - py) * wi_;
        gy.data[i] = k * (-softplusNeg(-zi) + pw[i] * softplusNeg(zi)) * wi_;
        if (gpw) gpw.data[i] = k * yi * softplusNeg(zi) * wi_;
      }
      if (gw) {
        const e = pw === undefined ? Math.max(zi, 0) - zi * yi + Math.log1p(Math.exp(-Math.abs(zi))) : (1 - yi) * zi + (1 + (pw[i] - 1) * yi) * softplusNeg(zi);
        gw.data[i] = k * e;
      }
    }
    const out: (Tensor | null)[] = [gz, gy];
    if (wt !== undefined) out.push(gw ? unbroadcast(gw, wt.shape) : null);
    if (pwt !== undefined) out.push(gpw ? unbroadcast(gpw, pwt.shape) : null);
    return out;
  },
  rule: (ops, attrs) => {
    const [z, y] = ops;
    const r = reductionOf(attrs);
    const hasPw = attrs.pos_weight === true;
    const w = ops.length - (hasPw ? 1 : 0) > 2 ? ops[2] : undefined;
    const pw = hasPw ? ops[ops.length - 1] : undefined;
    if (!w && !pw && r === 'mean') return [`∂L/∂${operand(z)} = (σ(${z}) − ${y}) / n`, `∂L/∂${operand(y)} = −${operand(z)} / n`];
    const wf = w ? `${operand(w)} ⊙ ` : '';
    const lines = pw
      ? [
          `∂L/∂${operand(z)} = ${wf}((${operand(pw)}·${y} + 1 − ${y})·σ(${z}) − ${operand(pw)}·${y}) ${REDUCTION_WORDS[r]}`,
          `∂L/∂${operand(y)} = ${wf}(log σ(−${operand(z)}) − ${operand(pw)}·log σ(${z})) ${REDUCTION_WORDS[r]}`,
        ]
      : [`∂L/∂${operand(z)} = ${wf}(σ(${z}) − ${y}) ${REDUCTION_WORDS[r]}`, `∂L/∂${operand(y)} = −${wf}${operand(z)} ${REDUCTION_WORDS[r]}`];
    if (w) lines.push(`∂L/∂${operand(w)} = ℓ (the unweighted loss of each element) ${REDUCTION_WORDS[r]}, summed over broadcast axes`);
    if (pw) lines.push(`∂L/∂${operand(pw)} = ${wf}${y}·log(1 + e^(−${operand(z)})) ${REDUCTION_WORDS[r]}, summed over broadcast axes`);
    return lines;
  },
  convention:
    'PyTorch binary_cross_entropy_with_logits: (1 − y)·z + (1 + (pos_weight − 1)·y)·log(1 + e^(−z)), stable for large |z|; a weight multiplies each element; reduction=mean averages over all elements',
  cost: (shapes) => 4 * numel(shapes[0]),
});
