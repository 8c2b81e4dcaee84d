/**
 * Losses, PyTorch 1.13's: `cross_entropy`, `nll`, `mse`, `bce`, `bce_with_logits`, with their
 * options `reduction`, `weight`, `ignore_index`, `label_smoothing` and `pos_weight`.
 * The options are checked here, with the span of the argument at fault (the op cannot
 * report), and passed to the op only when they differ from PyTorch's defaults, so a call
 * without options computes exactly what it did before they existed.
 */
import type { AttrValue, Attrs } from '../autodiff/op';
import {
  checkBroadcastWeight,
  checkClassIndices,
  checkClassWeight,
  classAxis,
  classificationTarget,
  DEFAULT_IGNORE_INDEX,
  REDUCTIONS,
} from '../autodiff/ops/loss';
import { broadcastShapes, formatShape, sameShape } from '../tensor/tensor';
import { defineBuiltin, type BoundArgs, type CallContext, type NodeId, type ParamSpec, type TensorArg } from './types';

const REDUCTION: ParamSpec = { name: 'reduction', kind: 'string', default: 'mean', keywordOnly: true };
const WEIGHT: ParamSpec = { name: 'weight', kind: 'tensor', default: null };

/** `reduction` as an attribute (absent for the default 'mean'), or false after reporting a bad value. */
function reductionAttr(args: BoundArgs, ctx: CallContext): Attrs | false {
  const r = args.values.reduction as string;
  if (!(REDUCTIONS as readonly string[]).includes(r)) {
    ctx.error('call.bad-argument', `Expected reduction='mean', 'sum' or 'none', found '${r}'.`, args.spans.reduction);
    return false;
  }
  return r === 'mean' ? {} : { reduction: r };
}

/** A weight argument that must broadcast to the input's shape (bce, bce_with_logits); false after an error. */
function broadcastWeight(name: string, fn: string, input: TensorArg, args: BoundArgs, ctx: CallContext): TensorArg | undefined | false {
  const w = args.values[name] as TensorArg | null;
  if (w === null || w === undefined) return undefined;
  const bad = checkBroadcastWeight(ctx.shape(input.node), ctx.shape(w.node), name, fn);
  if (bad) {
    ctx.error('shape.mismatch', bad, w.span);
    return false;
  }
  return w;
}

function classification(op: 'cross_entropy' | 'nll', input: TensorArg, target: TensorArg, args: BoundArgs, ctx: CallContext): NodeId | undefined {
  const reduction = reductionAttr(args, ctx);
  if (reduction === false) return undefined;
  const attrs: Record<string, AttrValue> = { ...reduction };
  const ignore = args.values.ignore_index as number;
  if (ignore !== DEFAULT_IGNORE_INDEX) attrs.ignore_index = ignore;
  if (op === 'cross_entropy') {
    const eps = args.values.label_smoothing as number;
    if (!(eps >= 0 && eps <= 1)) {
      return ctx.error('call.bad-argument', `Expected label_smoothing between 0 and 1, found ${eps}.`, args.spans.label_smoothing);
    }
    if (eps !== 0) attrs.label_smoothing = eps;
  }
  const xs = ctx.shape(input.node);
  const ts = ctx.shape(target.node);
  const kind = classificationTarget(xs, ts, op);
  // Shape errors are reported by the op's shape inference.
  if (typeof kind === 'string' && kind === 'indices') {
    const bad = checkClassIndices(ctx.value(target.node), xs[classAxis(xs)], ignore);
    if (bad) return ctx.error('value.class-index', bad, target.span);
  }
  if (kind === 'probabilities' && ignore >= 0) {
    // PyTorch: "ignore_index is not supported for floating point target".
    return ctx.error(
      'call.bad-argument',
      `Expected class-index targets with ignore_index=${ignore} (probability targets ignore nothing), found probabilities of shape ${formatShape(ts)}.`,
      args.spans.ignore_index,
    );
  }
  const inputs = [input.node, target.node];
  const w = args.values.weight as TensorArg | null;
  if (w) {
    const bad = checkClassWeight(xs, ctx.shape(w.node), op);
    if (bad && xs.length > 0) return ctx.error('shape.mismatch', bad, w.span);
    inputs.push(w.node);
  }
  return ctx.apply(op, inputs, Object.keys(attrs).length ? attrs : undefined);
}

defineBuiltin({
  name: 'cross_entropy',
  aliases: ['cross_entropy_loss', 'crossentropyloss', 'crossentropy'],
  group: 'losses',
  signature: "cross_entropy(logits, target, weight=None, ignore_index=-100, reduction='mean', label_smoothing=0)",
  doc:
    'PyTorch cross_entropy: log_softmax over the class axis (1, or 0 for a 1-D input), then −log p[target] (class indices) or ' +
    '−Σ target·log p (probabilities shaped like the logits) per example, averaged over examples (reduction=mean), summed (sum) or kept (none). ' +
    'weight scales each class (the mean then divides by Σ weight[target]); targets equal to ignore_index count for nothing; ' +
    'label_smoothing ε mixes the target with the uniform distribution: (1 − ε)·target + ε/C.',
  derivative:
    '∂L/∂z = (softmax(z) − onehot(target)) / N; with options, (softmax(z)·Σa − a)·s per example, where a = (1 − ε)·w[target]·onehot(target) + ε·w/C ' +
    '(0 for an ignored target) and s = 1/Σ w[target] (mean; 1/N without weight), 1 (sum) or the gradient of each example’s loss (none)',
  params: [
    { name: 'logits', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'target', aliases: ['y', 'labels'], kind: 'tensor' },
    WEIGHT,
    { name: 'ignore_index', kind: 'int', default: DEFAULT_IGNORE_INDEX, keywordOnly: true },
    REDUCTION,
    { name: 'label_smoothing', kind: 'number', default: 0, keywordOnly: true },
  ],
  call: (args, ctx) => classification('cross_entropy', args.values.logits as TensorArg, args.values.target as TensorArg, args, ctx),
});

defineBuiltin({
  name: 'nll',
  aliases: ['nll_loss', 'nllloss'],
  group: 'losses',
  signature: "nll(logp, target, weight=None, ignore_index=-100, reduction='mean')",
  doc:
    'Negative log-likelihood, PyTorch nll_loss: −logp[target] per example (logp usually comes from log_softmax), averaged (reduction=mean), summed (sum) or kept (none); ' +
    'weight scales each class (the mean then divides by Σ weight[target]); targets equal to ignore_index count for nothing.',
  derivative: '∂L/∂logp = −onehot(target) / N; with options −w[target]·onehot(target)·s, where s = 1/Σ w[target] (mean), 1 (sum) or the gradient of each example’s loss (none)',
  params: [
    { name: 'logp', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'target', aliases: ['y', 'labels'], kind: 'tensor' },
    WEIGHT,
    { name: 'ignore_index', kind: 'int', default: DEFAULT_IGNORE_INDEX, keywordOnly: true },
    REDUCTION,
  ],
  call: (args, ctx) => classification('nll', args.values.logp as TensorArg, args.values.target as TensorArg, args, ctx),
});

defineBuiltin({
  name: 'mse',
  aliases: ['mse_loss', 'mseloss'],
  group: 'losses',
  signature: "mse(pred, target, reduction='mean')",
  doc: 'Mean squared error, PyTorch mse_loss: (pred − target)² averaged over all elements (reduction=mean), summed (sum) or kept element-wise (none).',
  derivative: '∂L/∂pred = 2(pred − target) / n (mean); 2(pred − target) (sum); 2(pred − target) ⊙ ∂L/∂ℓ (none)',
  params: [
    { name: 'pred', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'target', aliases: ['y'], kind: 'tensor' },
    REDUCTION,
  ],
  call: (args, ctx) => {
    const p = args.values.pred as TensorArg;
    const t = args.values.target as TensorArg;
    const reduction = reductionAttr(args, ctx);
    if (reduction === false) return undefined;
    const ps = ctx.shape(p.node);
    const ts = ctx.shape(t.node);
    const b = broadcastShapes(ps, ts);
    if (b && !sameShape(ps, ts)) {
      ctx.warn(
        'shape.broadcast-loss',
        `mse broadcasts ${formatShape(ps)} and ${formatShape(ts)} to ${formatShape(b)}; PyTorch warns here, and this is often a missing reshape.`,
        ctx.span,
      );
    }
    return ctx.apply('mse', [p.node, t.node], reduction.reduction ? reduction : undefined);
  },
});

defineBuiltin({
  name: 'bce',
  aliases: ['binary_cross_entropy', 'bceloss'],
  group: 'losses',
  signature: "bce(p, y, weight=None, reduction='mean')",
  doc:
    'Binary cross-entropy of probabilities p against targets y, PyTorch binary_cross_entropy: −w·(y·log p + (1 − y)·log(1 − p)) per element, logarithms clamped at −100, ' +
    'averaged (reduction=mean), summed (sum) or kept (none); weight broadcasts to p.',
  derivative: '∂L/∂p = w·(p − y) / (p(1 − p)) / n (mean; no “/ n” for sum; times each element’s incoming gradient for none)',
  params: [
    { name: 'p', aliases: ['input', 'x', 'pred'], kind: 'tensor' },
    { name: 'y', aliases: ['target'], kind: 'tensor' },
    WEIGHT,
    REDUCTION,
  ],
  call: (args, ctx) => {
    const p = args.values.p as TensorArg;
    const y = args.values.y as TensorArg;
    const reduction = reductionAttr(args, ctx);
    if (reduction === false) return undefined;
    const w = broadcastWeight('weight', 'bce', p, args, ctx);
    if (w === false) return undefined;
    return ctx.apply('bce', w ? [p.node, y.node, w.node] : [p.node, y.node], reduction.reduction ? reduction : undefined);
  },
});

defineBuiltin({
  name: 'bce_with_logits',
  aliases: ['binary_cross_entropy_with_logits', 'bcewithlogitsloss'],
  group: 'losses',
  signature: "bce_with_logits(z, y, weight=None, reduction='mean', pos_weight=None)",
  doc:
    'Binary cross-entropy of sigmoid(z) against y computed from the logits z stably, PyTorch binary_cross_entropy_with_logits: ' +
    'w·((1 − y)·z + (1 + (pos_weight − 1)·y)·log(1 + e^(−z))) per element, averaged (reduction=mean), summed (sum) or kept (none); ' +
    'weight and pos_weight broadcast to z (pos_weight [C] over the last axis).',
  derivative: '∂L/∂z = w·((pos_weight·y + 1 − y)·σ(z) − pos_weight·y) / n, which is (σ(z) − y) / n without weights (mean; no “/ n” for sum; times each element’s incoming gradient for none)',
  params: [
    { name: 'z', aliases: ['input', 'x', 'logits'], kind: 'tensor' },
    { name: 'y', aliases: ['target'], kind: 'tensor' },
    WEIGHT,
    REDUCTION,
    { name: 'pos_weight', kind: 'tensor', default: null, keywordOnly: true },
  ],
  call: (args, ctx) => {
    const z = args.values.z as TensorArg;
    const y = args.values.y as TensorArg;
    const reduction = reductionAttr(args, ctx);
    if (reduction === false) return undefined;
    const w = broadcastWeight('weight', 'bce_with_logits', z, args, ctx);
    if (w === false) return undefined;
    const pw = broadcastWeight('pos_weight', 'bce_with_logits', z, args, ctx);
    if (pw === false) return undefined;
    const inputs = [z.node, y.node];
    if (w) inputs.push(w.node);
    if (pw) inputs.push(pw.node);
    const attrs: Record<string, AttrValue> = { ...reduction };
    if (pw) attrs.pos_weight = true;
    return ctx.apply('bce_with_logits', inputs, Object.keys(attrs).length ? attrs : undefined);
  },
});
