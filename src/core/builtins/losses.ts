/**
 * Losses, PyTorch with reduction='mean': `cross_entropy`, `nll`, `mse`, `bce`, `bce_with_logits`.
 * Class-index targets are checked here (integer-valued, in range) since the op cannot report.
 */
import { checkClassIndices, classAxis, classificationTarget } from '../autodiff/ops/loss';
import { broadcastShapes, formatShape, sameShape } from '../tensor/tensor';
import { applyOp, defineBuiltin, type CallContext, type NodeId, type TensorArg } from './types';

function classification(op: 'cross_entropy' | 'nll', input: TensorArg, target: TensorArg, ctx: CallContext): NodeId | undefined {
  const xs = ctx.shape(input.node);
  const ts = ctx.shape(target.node);
  const kind = classificationTarget(xs, ts, op);
  if (typeof kind === 'string' && kind === 'indices') {
    const bad = checkClassIndices(ctx.value(target.node), xs[classAxis(xs)]);
    if (bad) return ctx.error('value.class-index', bad, target.span);
  }
  // Shape errors (and probability targets) are reported by the op's shape inference.
  return ctx.apply(op, [input.node, target.node]);
}

defineBuiltin({
  name: 'cross_entropy',
  aliases: ['cross_entropy_loss', 'crossentropyloss', 'crossentropy'],
  group: 'losses',
  signature: 'cross_entropy(logits, target)',
  doc:
    'PyTorch cross_entropy with reduction=mean: log_softmax over the class axis (1, or 0 for a 1-D input), then the mean over examples of ' +
    '−log p[target] (class indices) or −Σ target·log p (probabilities shaped like the logits).',
  derivative: '∂L/∂z = (softmax(z) − onehot(target)) / N',
  params: [
    { name: 'logits', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'target', aliases: ['y', 'labels'], kind: 'tensor' },
  ],
  call: (args, ctx) => classification('cross_entropy', args.values.logits as TensorArg, args.values.target as TensorArg, ctx),
});

defineBuiltin({
  name: 'nll',
  aliases: ['nll_loss', 'nllloss'],
  group: 'losses',
  signature: 'nll(logp, target)',
  doc: 'Negative log-likelihood, PyTorch nll_loss with reduction=mean: the mean over examples of −logp[target]; logp usually comes from log_softmax.',
  derivative: '∂L/∂logp = −onehot(target) / N',
  params: [
    { name: 'logp', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'target', aliases: ['y', 'labels'], kind: 'tensor' },
  ],
  call: (args, ctx) => classification('nll', args.values.logp as TensorArg, args.values.target as TensorArg, ctx),
});

defineBuiltin({
  name: 'mse',
  aliases: ['mse_loss', 'mseloss'],
  group: 'losses',
  signature: 'mse(pred, target)',
  doc: 'Mean squared error, PyTorch mse_loss with reduction=mean: the mean over all elements of (pred − target)².',
  derivative: '∂L/∂pred = 2(pred − target) / n',
  params: [
    { name: 'pred', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'target', aliases: ['y'], kind: 'tensor' },
  ],
  call: (args, ctx) => {
    const p = args.values.pred as TensorArg;
    const t = args.values.target as TensorArg;
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
    return ctx.apply('mse', [p.node, t.node]);
  },
});

defineBuiltin({
  name: 'bce',
  aliases: ['binary_cross_entropy', 'bceloss'],
  group: 'losses',
  signature: 'bce(p, y)',
  doc: 'Binary cross-entropy of probabilities p against targets y, PyTorch with reduction=mean: −mean(y·log p + (1 − y)·log(1 − p)), logarithms clamped at −100.',
  derivative: '∂L/∂p = (p − y) / (p(1 − p)) / n',
  params: [
    { name: 'p', aliases: ['input', 'x', 'pred'], kind: 'tensor' },
    { name: 'y', aliases: ['target'], kind: 'tensor' },
  ],
  call: applyOp('bce', 'p', 'y'),
});

defineBuiltin({
  name: 'bce_with_logits',
  aliases: ['binary_cross_entropy_with_logits', 'bcewithlogitsloss'],
  group: 'losses',
  signature: 'bce_with_logits(z, y)',
  doc: 'Binary cross-entropy of sigmoid(z) against y computed from the logits z stably: mean(max(z, 0) − z·y + log(1 + e^(−|z|))).',
  derivative: '∂L/∂z = (σ(z) − y) / n',
  params: [
    { name: 'z', aliases: ['input', 'x', 'logits'], kind: 'tensor' },
    { name: 'y', aliases: ['target'], kind: 'tensor' },
  ],
  call: applyOp('bce_with_logits', 'z', 'y'),
});
