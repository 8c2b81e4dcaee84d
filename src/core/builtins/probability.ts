/** Probability: `softmax(x, axis=-1)`, `log_softmax(x, axis=-1)`. */
import { defineBuiltin, type BoundArgs, type CallContext, type NodeId, type TensorArg } from './types';

function along(op: 'softmax' | 'log_softmax', args: BoundArgs, ctx: CallContext): NodeId | undefined {
  const axis = args.values.axis;
  if (Array.isArray(axis)) {
    return ctx.error('type.expected-int', `Expected one axis for ${op}, found ${axis.length === 0 ? 'an empty list' : 'a list'}.`, args.spans.axis ?? ctx.span);
  }
  return ctx.apply(op, [(args.values.x as TensorArg).node], { axis: typeof axis === 'number' ? axis : -1 });
}

const params = [
  { name: 'x', aliases: ['input'], kind: 'tensor' as const },
  { name: 'axis', aliases: ['dim'], kind: 'axis' as const, default: -1 },
];

defineBuiltin({
  name: 'softmax',
  group: 'probability',
  signature: 'softmax(x, axis=-1)',
  doc: 'exp(x) / Σ exp(x) along an axis (the last by default), computed with the maximum subtracted so large logits stay finite.',
  derivative: '∂p/∂x = diag(p) − ppᵀ, so ∂L/∂x = p ⊙ (∂L/∂p − Σ p ⊙ ∂L/∂p)',
  libraries: "axis=-1 by default (PyTorch's implicit dim is deprecated and picks 0 for 0-, 1- and 3-D input)",
  params,
  call: (args, ctx) => along('softmax', args, ctx),
});

defineBuiltin({
  name: 'log_softmax',
  aliases: ['logsoftmax'],
  group: 'probability',
  signature: 'log_softmax(x, axis=-1)',
  doc: 'log(softmax(x)) along an axis (the last by default), computed stably as x − max − log Σ exp(x − max).',
  derivative: '∂L/∂x = ∂L/∂y − softmax(x) · Σ ∂L/∂y',
  params,
  call: (args, ctx) => along('log_softmax', args, ctx),
});
