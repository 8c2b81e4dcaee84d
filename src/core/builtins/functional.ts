/**
 * More of torch.nn.functional: `l1_loss`, `smooth_l1_loss`, `huber_loss`, `kl_div`,
 * `multi_margin_loss`, `cosine_similarity`, `normalize`, `dropout` — PyTorch 1.13's
 * signatures and defaults. Options are checked here with the span of the argument at fault.
 */
import { checkClassIndices } from '../autodiff/ops/loss';
import { broadcastShapes, formatShape, tensor } from '../tensor/tensor';
import { defineBuiltin, type BoundArgs, type CallContext, type NodeId, type ParamSpec, type TensorArg } from './types';

const INPUT: ParamSpec = { name: 'input', aliases: ['x', 'pred'], kind: 'tensor' };
const TARGET: ParamSpec = { name: 'target', aliases: ['y'], kind: 'tensor' };
const REDUCTION: ParamSpec = { name: 'reduction', kind: 'string', default: 'mean', keywordOnly: true };

const node = (args: BoundArgs, name: string): NodeId => (args.values[name] as TensorArg).node;

function reductionOf(args: BoundArgs, ctx: CallContext, allowed: readonly string[] = ['mean', 'sum', 'none']): string | undefined {
  const r = args.values.reduction as string;
  if (allowed.includes(r)) return r;
  return ctx.error('call.bad-argument', `Expected reduction=${allowed.map((a) => `'${a}'`).join(', ')}, found '${r}'.`, args.spans.reduction);
}

/** PyTorch warns when input and target of a point-wise loss differ in shape but broadcast. */
function warnBroadcast(fn: string, args: BoundArgs, ctx: CallContext): void {
  const a = ctx.shape(node(args, 'input'));
  const b = ctx.shape(node(args, 'target'));
  const s = broadcastShapes(a, b);
  if (s && (a.length !== b.length || a.some((d, i) => d !== b[i])))
    ctx.warn('shape.broadcast-loss', `${fn}: input ${formatShape(a)} and target ${formatShape(b)} differ in shape and are broadcast to ${formatShape(s)} (PyTorch warns the same; it is usually a mistake).`);
}

defineBuiltin({
  name: 'l1_loss',
  aliases: ['l1', 'l1loss', 'mae'],
  group: 'losses',
  signature: "l1_loss(input, target, reduction='mean')",
  doc: 'Mean (or sum) absolute error |input − target|, as torch.nn.functional.l1_loss.',
  derivative: '∂ℓ/∂input = sign(input − target) (0 where they are equal), / n for the mean',
  params: [INPUT, TARGET, REDUCTION],
  call: (args, ctx) => {
    const r = reductionOf(args, ctx);
    if (r === undefined) return undefined;
    warnBroadcast('l1_loss', args, ctx);
    return ctx.apply('l1_loss', [node(args, 'input'), node(args, 'target')], { reduction: r });
  },
});

defineBuiltin({
  name: 'smooth_l1_loss',
  aliases: ['smoothl1loss'],
  group: 'losses',
  signature: "smooth_l1_loss(input, target, reduction='mean', beta=1.0)",
  doc: 'Smooth L1: ½d²/β where |d| < β, else |d| − ½β, with d = input − target (β = 0 is l1_loss), as PyTorch.',
  derivative: '∂ℓ/∂input = d/β where |d| < β, else sign(d)',
  params: [INPUT, TARGET, REDUCTION, { name: 'beta', kind: 'number', default: 1, keywordOnly: true }],
  call: (args, ctx) => {
    const r = reductionOf(args, ctx);
    if (r === undefined) return undefined;
    const beta = args.values.beta as number;
    if (!(beta >= 0)) return ctx.error('call.bad-argument', `Expected beta ≥ 0, found ${beta}.`, args.spans.beta);
    warnBroadcast('smooth_l1_loss', args, ctx);
    return ctx.apply('smooth_l1_loss', [node(args, 'input'), node(args, 'target')], { reduction: r, beta });
  },
});

defineBuiltin({
  name: 'huber_loss',
  aliases: ['huberloss', 'huber'],
  group: 'losses',
  signature: "huber_loss(input, target, reduction='mean', delta=1.0)",
  doc: 'Huber: ½d² where |d| < δ, else δ(|d| − ½δ), with d = input − target, as PyTorch.',
  derivative: '∂ℓ/∂input = clamp(d, −δ, δ)',
  params: [INPUT, TARGET, REDUCTION, { name: 'delta', kind: 'number', default: 1, keywordOnly: true }],
  call: (args, ctx) => {
    const r = reductionOf(args, ctx);
    if (r === undefined) return undefined;
    const delta = args.values.delta as number;
    if (!(delta > 0)) return ctx.error('call.bad-argument', `Expected delta > 0, found ${delta}.`, args.spans.delta);
    warnBroadcast('huber_loss', args, ctx);
    return ctx.apply('huber_loss', [node(args, 'input'), node(args, 'target')], { reduction: r, delta });
  },
});

defineBuiltin({
  name: 'kl_div',
  aliases: ['kldivloss', 'kl_div_loss'],
  group: 'losses',
  signature: "kl_div(input, target, reduction='mean', log_target=False)",
  doc:
    "Kullback–Leibler divergence as PyTorch: input holds log-probabilities; the terms are target·(ln target − input) (0 where target = 0), or e^target·(target − input) with log_target=True. " +
    "reduction='mean' divides by every element (PyTorch warns), 'batchmean' by the batch size (the true KL divergence).",
  derivative: '∂ℓ/∂input = −target (log_target: −e^target); ∂ℓ/∂target = ln target + 1 − input',
  params: [INPUT, TARGET, REDUCTION, { name: 'log_target', kind: 'bool', default: false, keywordOnly: true }],
  call: (args, ctx) => {
    const r = reductionOf(args, ctx, ['mean', 'batchmean', 'sum', 'none']);
    if (r === undefined) return undefined;
    warnBroadcast('kl_div', args, ctx);
    return ctx.apply('kl_div', [node(args, 'input'), node(args, 'target')], { reduction: r, log_target: args.values.log_target === true });
  },
});

defineBuiltin({
  name: 'multi_margin_loss',
  aliases: ['multimarginloss'],
  group: 'losses',
  signature: "multi_margin_loss(input, target, p=1, margin=1, weight=None, reduction='mean')",
  doc: 'The multi-class hinge (SVM) loss: Σ_{i ≠ y} max(0, margin − x[y] + x[i])^p / C per example, each term times weight[y]; input [C] or [N, C], target class indices.',
  derivative: '∂ℓ/∂x[i] = w[y]·p·zᵢ^(p−1)/C for i ≠ y where zᵢ = margin − x[y] + x[i] > 0; x[y] gets minus their sum',
  params: [
    INPUT,
    TARGET,
    { name: 'p', kind: 'int', default: 1 },
    { name: 'margin', kind: 'number', default: 1 },
    { name: 'weight', kind: 'tensor', default: null },
    REDUCTION,
  ],
  call: (args, ctx) => {
    const r = reductionOf(args, ctx);
    if (r === undefined) return undefined;
    const p = args.values.p as number;
    if (p !== 1 && p !== 2) return ctx.error('call.bad-argument', `Expected p=1 or p=2 (as PyTorch), found ${p}.`, args.spans.p);
    const x = node(args, 'input');
    const t = args.values.target as TensorArg;
    const xs = ctx.shape(x);
    if (xs.length === 1 || xs.length === 2) {
      const bad = checkClassIndices(ctx.value(t.node), xs[xs.length - 1], -1);
      if (bad) return ctx.error('value.class-index', bad, t.span);
    }
    const w = args.values.weight as TensorArg | null;
    return ctx.apply('multi_margin_loss', w ? [x, t.node, w.node] : [x, t.node], { reduction: r, p, margin: args.values.margin as number });
  },
});

defineBuiltin({
  name: 'cosine_similarity',
  aliases: ['cosinesimilarity', 'cos_sim'],
  group: 'losses',
  signature: 'cosine_similarity(x1, x2, dim=1, eps=1e-8)',
  doc: 'x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along dim (inputs broadcast), as torch.nn.functional.cosine_similarity.',
  derivative: '∂cos/∂x1 = x2/(‖x1‖‖x2‖) − cos·x1/‖x1‖²',
  params: [
    { name: 'x1', aliases: ['a'], kind: 'tensor' },
    { name: 'x2', aliases: ['b'], kind: 'tensor' },
    { name: 'dim', aliases: ['axis'], kind: 'int', default: 1 },
    { name: 'eps', kind: 'number', default: 1e-8 },
  ],
  call: (args, ctx) => ctx.apply('cosine_similarity', [node(args, 'x1'), node(args, 'x2')], { dim: args.values.dim as number, eps: args.values.eps as number }),
});

defineBuiltin({
  name: 'normalize',
  group: 'losses',
  signature: 'normalize(x, p=2, dim=1, eps=1e-12)',
  doc: 'x divided by its p-norm along dim, the norm clamped below at eps, as torch.nn.functional.normalize.',
  derivative: '∂L/∂x = g/‖x‖ − (Σ g·x)/‖x‖²·∂‖x‖/∂x',
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'p', aliases: ['ord'], kind: 'ord', default: 2 },
    { name: 'dim', aliases: ['axis'], kind: 'int', default: 1 },
    { name: 'eps', kind: 'number', default: 1e-12 },
  ],
  call: (args, ctx) => {
    const p = args.values.p;
    if (typeof p !== 'number' || !(p > 0)) return ctx.error('call.bad-argument', `Expected a positive number for p, found ${String(p)}.`, args.spans.p);
    return ctx.apply('normalize', [node(args, 'x')], { p, dim: args.values.dim as number, eps: args.values.eps as number });
  },
});

defineBuiltin({
  name: 'dropout',
  group: 'losses',
  signature: 'dropout(x, p=0.5, training=True)',
  doc:
    "Zeroes each element with probability p and scales the others by 1/(1 − p) (training=True, PyTorch's default for F.dropout); the identity with training=False. " +
    "The mask is drawn from the document's random stream (numpy's MT19937, seeded 0 at the top of the document): element i is kept where the stream's next uniform number is below 1 − p.",
  derivative: '∂L/∂x = ∂L/∂y ⊙ mask (0, or 1/(1 − p) where kept)',
  libraries: "F.dropout's training=True default; the mask comes from numpy's random stream, so it equals numpy's `np.random.rand(n) < 1 − p`, not torch's generator",
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'p', kind: 'number', default: 0.5 },
    { name: 'training', aliases: ['train'], kind: 'bool', default: true },
  ],
  call: (args, ctx) => {
    const x = node(args, 'x');
    const p = args.values.p as number;
    if (!(p >= 0 && p <= 1)) return ctx.error('call.bad-argument', `Expected a dropout probability between 0 and 1, found ${p}.`, args.spans.p);
    if (args.values.training !== true || p === 0) return ctx.apply('identity', [x]);
    const shape = ctx.shape(x);
    const m = tensor(shape);
    const u = ctx.rng(null).rand(m.data.length);
    const scale = p === 1 ? 0 : 1 / (1 - p);
    for (let i = 0; i < u.length; i++) m.data[i] = u[i] < 1 - p ? scale : 0;
    return ctx.apply('dropout', [x, ctx.constant(m)]);
  },
});
