/**
 * Losses, exactly PyTorch's with reduction='mean':
 * `cross_entropy` [logits, target], `nll` [logp, target], `mse`, `bce`, `bce_with_logits`.
 *
 * For cross_entropy and nll the class axis is 1 (0 for a 1-D input). A target shaped like the
 * input holds probabilities (differentiable); a target shaped like the input without its class
 * axis holds integer class indices (not differentiable). The mean is over the examples.
 */
import { axisBlocks } from '../../tensor/reduce';
import { broadcastShapes, formatShape, mapBinary, numel, sameShape, tensor, unbroadcast, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type OpDef, type ShapeError } from '../op';
import { logSoftmax } from './softmax';
import { operand, shapeError } from './support';

export type TargetKind = 'indices' | 'probabilities';

/** The class axis of a classification input: 1, or 0 for a 1-D input. */
export function classAxis(input: Shape): number {
  return input.length === 1 ? 0 : 1;
}

/** Which kind of target `target` is for `input`, or a shape error. */
export function classificationTarget(input: Shape, target: Shape, fn: string): TargetKind | ShapeError {
  if (input.length === 0) {
    return shapeError(`Expected ${fn} input with a class axis (shape [C] or [N, C, …]), found a scalar.`, { input: 0 });
  }
  const ax = classAxis(input);
  if (sameShape(input, target)) return 'probabilities';
  const without = input.filter((_, i) => i !== ax);
  if (sameShape(without, target)) return 'indices';
  return shapeError(
    `Expected a ${fn} target of shape ${formatShape(without)} (class indices) or ${formatShape(input)} (probabilities), found ${formatShape(target)}.`,
    { input: 1 },
  );
}

function kindOf(input: Shape, target: Shape): TargetKind {
  return sameShape(input, target) ? 'probabilities' : 'indices';
}

/** Checks class indices (integer-valued, in range); returns an error message or undefined. */
export function checkClassIndices(target: Tensor, classes: number): string | undefined {
  for (const v of target.data) {
    if (!Number.isInteger(v)) return `Expected integer class indices, found ${v}.`;
    if (v < 0 || v >= classes) return `Expected class indices in [0, ${classes}), found ${v}.`;
  }
  return undefined;
}

/** (outer, classes, inner) blocks and the number of examples the mean runs over. */
function blocks(input: Shape): { outer: number; size: number; inner: number; count: number } {
  const b = axisBlocks(input, classAxis(input));
  return { ...b, count: b.outer * b.inner };
}

/** −mean of logp at the target (indices) or of Σ t·logp (probabilities). */
function nllForward(logp: Tensor, target: Tensor): Tensor {
  const { outer, size, inner, count } = blocks(logp.shape);
  let s = 0;
  if (kindOf(logp.shape, target.shape) === 'indices') {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const c = target.data[o * inner + i];
        s += Number.isInteger(c) && c >= 0 && c < size ? logp.data[(o * size + c) * inner + i] : NaN;
      }
    }
  } else {
    for (let k = 0; k < logp.data.length; k++) if (target.data[k] !== 0) s += target.data[k] * logp.data[k];
  }
  return tensor([], [-s / count]);
}

function classificationShape(fn: string) {
  return (shapes: readonly Shape[]): Shape | ShapeError => {
    const k = classificationTarget(shapes[0], shapes[1], fn);
    return typeof k === 'string' ? [] : k;
  };
}

const crossEntropy: OpDef = {
  name: 'cross_entropy',
  display: 'cross_entropy',
  inferShape: classificationShape('cross_entropy'),
  forward: ([z, t]) => nllForward(logSoftmax(z, classAxis(z.shape)), t),
  backward: (g, [z, t]) => {
    const { outer, size, inner, count } = blocks(z.shape);
    const logp = logSoftmax(z, classAxis(z.shape));
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
  },
  rule: ([z, t]) => [
    `∂L/∂${operand(z)} = (softmax(${z}) − onehot(${t})) / N  (N = number of examples)`,
    `∂L/∂${operand(t)} = −log softmax(${z}) / N  (probability targets only; class indices are not differentiable)`,
  ],
  convention: 'PyTorch cross_entropy, reduction=mean: class axis 1 (0 for 1-D input), mean over examples',
  cost: (shapes) => 4 * numel(shapes[0]),
};
defineOp(crossEntropy);

defineOp({
  name: 'nll',
  display: 'nll',
  inferShape: classificationShape('nll'),
  forward: ([lp, t]) => nllForward(lp, t),
  backward: (g, [lp, t]) => {
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
  },
  rule: ([lp, t]) => [
    `∂L/∂${operand(lp)} = −onehot(${t}) / N  (N = number of examples)`,
    `∂L/∂${operand(t)} = −${operand(lp)} / N  (probability targets only)`,
  ],
  convention: 'PyTorch nll_loss, reduction=mean: class axis 1 (0 for 1-D input), mean over examples',
  cost: (shapes) => numel(shapes[0]),
});

defineOp({
  name: 'mse',
  display: 'mse',
  inferShape: ([a, b]) =>
    broadcastShapes(a, b) ? [] : shapeError(`Expected prediction and target shapes that broadcast for mse, found ${formatShape(a)} and ${formatShape(b)}.`),
  forward: ([p, t]) => {
    const d = mapBinary(p, t, broadcastShapes(p.shape, t.shape)!, (x, y) => (x - y) * (x - y));
    let s = 0;
    for (const v of d.data) s += v;
    return tensor([], [s / d.data.length]);
  },
  backward: (g, [p, t]) => {
    const shape = broadcastShapes(p.shape, t.shape)!;
    const n = numel(shape);
    const k = (2 * g.data[0]) / n;
    const d = mapBinary(p, t, shape, (x, y) => (x - y) * k);
    const nd = tensor(shape, d.data.map((x) => -x));
    return [unbroadcast(d, p.shape), unbroadcast(nd, t.shape)];
  },
  rule: ([p, t]) => [`∂L/∂${operand(p)} = 2(${p} − ${t}) / n`, `∂L/∂${operand(t)} = −2(${p} − ${t}) / n`],
  convention: 'PyTorch mse_loss, reduction=mean: the mean over all elements',
  cost: (shapes) => 2 * numel(shapes[0]),
});

function sameShapeLoss(fn: string) {
  return ([a, b]: readonly Shape[]): Shape | ShapeError =>
    sameShape(a, b) ? [] : shapeError(`Expected a ${fn} target of the input's shape ${formatShape(a)}, found ${formatShape(b)}.`, { input: 1 });
}

const BCE_EPS = Math.fround(1e-12);
const clampLog = (x: number): number => Math.max(Math.log(x), -100);

defineOp({
  name: 'bce',
  display: 'bce',
  inferShape: sameShapeLoss('bce'),
  forward: ([p, y]) => {
    let s = 0;
    for (let i = 0; i < p.data.length; i++) {
      const pi = p.data[i];
      const yi = y.data[i];
      s += yi * clampLog(pi) + (1 - yi) * clampLog(1 - pi);
    }
    return tensor([], [-s / p.data.length]);
  },
  backward: (g, [p, y], _out, _attrs, _needs, scratch) => {
    const n = p.data.length;
    const k = g.data[0] / n;
    // The loop writes every element of both.
    const gp = scratch !== undefined ? { shape: p.shape.slice(), data: scratch.alloc(n) } : tensor(p.shape);
    const gy = scratch !== undefined ? { shape: y.shape.slice(), data: scratch.alloc(n) } : tensor(y.shape);
    for (let i = 0; i < n; i++) {
      const pi = p.data[i];
      const yi = y.data[i];
      // PyTorch: (p − y) / max(p(1 − p), ε) with ε = 1e-12 as a float32 constant.
      gp.data[i] = (k * (pi - yi)) / Math.max((1 - pi) * pi, BCE_EPS);
      // PyTorch differentiates the target without the clamp: (log(1 − p) − log p) / n.
      gy.data[i] = k * (Math.log1p(-pi) - Math.log(pi));
    }
    return [gp, gy];
  },
  rule: ([p, y]) => [
    `∂L/∂${operand(p)} = (${p} − ${y}) / (${p}(1 − ${p})) / n`,
    `∂L/∂${operand(y)} = (log(1 − ${p}) − log ${p}) / n`,
  ],
  convention: 'PyTorch binary_cross_entropy, reduction=mean: logarithms clamped at −100; p(1 − p) at least 1e-12 in the gradient',
  cost: (shapes) => 4 * numel(shapes[0]),
});

const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

defineOp({
  name: 'bce_with_logits',
  display: 'bce_with_logits',
  inferShape: sameShapeLoss('bce_with_logits'),
  forward: ([z, y]) => {
    let s = 0;
    for (let i = 0; i < z.data.length; i++) {
      const zi = z.data[i];
      s += Math.max(zi, 0) - zi * y.data[i] + Math.log1p(Math.exp(-Math.abs(zi)));
    }
    return tensor([], [s / z.data.length]);
  },
  backward: (g, [z, y]) => {
    const n = z.data.length;
    const k = g.data[0] / n;
    const gz = tensor(z.shape);
    const gy = tensor(y.shape);
    for (let i = 0; i < n; i++) {
      gz.data[i] = k * (sigmoid(z.data[i]) - y.data[i]);
      gy.data[i] = -k * z.data[i];
    }
    return [gz, gy];
  },
  rule: ([z, y]) => [`∂L/∂${operand(z)} = (σ(${z}) − ${y}) / n`, `∂L/∂${operand(y)} = −${operand(z)} / n`],
  convention: 'PyTorch binary_cross_entropy_with_logits, reduction=mean: max(z, 0) − z·y + log(1 + e^(−|z|)), stable for large |z|',
  cost: (shapes) => 4 * numel(shapes[0]),
});
