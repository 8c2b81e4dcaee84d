/** Constructors: `zeros`, `ones`, `eye`, `onehot`, `arange`, `randn`, `rand`, `torch_randn`, `torch_rand` — all constants. */
import type { Span } from '../span';
import { full, tensor } from '../tensor/tensor';
import { torchRand, torchRandn } from '../tensor/torchRng';
import { defineBuiltin, type BoundArgs, type CallContext, type NodeId, type ParamSpec, type TensorArg } from './types';

/** Largest tensor a constructor builds (elements), so a typo cannot exhaust memory. */
export const MAX_CONSTRUCTED_ELEMENTS = 50_000_000;

const DIMS: ParamSpec = { name: 'shape', aliases: ['size'], kind: 'ints', rest: true };

function tooLarge(n: number, ctx: CallContext, span: Span): undefined {
  return ctx.error('call.too-large', `Expected at most ${MAX_CONSTRUCTED_ELEMENTS.toLocaleString('en-US')} elements, found ${n.toLocaleString('en-US')}.`, span);
}

function dims(args: BoundArgs, ctx: CallContext): number[] | undefined {
  const d = (args.values.shape as number[] | undefined) ?? [];
  let n = 1;
  for (const x of d) {
    if (!Number.isInteger(x) || x < 0) {
      ctx.error('call.bad-argument', `Expected non-negative integer sizes, found ${x}.`, args.spans.shape ?? ctx.span);
      return undefined;
    }
    n *= x;
  }
  if (n > MAX_CONSTRUCTED_ELEMENTS) {
    tooLarge(n, ctx, args.spans.shape ?? ctx.span);
    return undefined;
  }
  // Charged before the tensor is made: ones(5000, 5000) is 25 million elements of the budget.
  ctx.charge?.(n);
  return d.slice();
}

function constantOf(value: number) {
  return (args: BoundArgs, ctx: CallContext): NodeId | undefined => {
    const d = dims(args, ctx);
    return d && ctx.constant(full(d, value));
  };
}

defineBuiltin({
  name: 'zeros',
  group: 'constructors',
  signature: 'zeros(d1, d2, …)',
  doc: 'A tensor of zeros of the given shape: zeros(2, 3) or zeros([2, 3]).',
  params: [DIMS],
  call: constantOf(0),
});

defineBuiltin({
  name: 'ones',
  group: 'constructors',
  signature: 'ones(d1, d2, …)',
  doc: 'A tensor of ones of the given shape: ones(2, 3) or ones([2, 3]).',
  params: [DIMS],
  call: constantOf(1),
});

defineBuiltin({
  name: 'eye',
  group: 'constructors',
  signature: 'eye(n, m=n)',
  doc: 'The n × m identity matrix (ones on the diagonal).',
  params: [{ name: 'n', kind: 'int' }, { name: 'm', aliases: ['M'], kind: 'int', default: null }],
  call: (args, ctx) => {
    const n = args.values.n as number;
    const m = typeof args.values.m === 'number' ? args.values.m : n;
    if (!(n >= 0) || !(m >= 0) || n * m > MAX_CONSTRUCTED_ELEMENTS) {
      return ctx.error('call.bad-argument', `Expected a non-negative size, found eye(${n}, ${m}).`, ctx.span);
    }
    ctx.charge?.(n * m);
    const t = tensor([n, m]);
    for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
    return ctx.constant(t);
  },
});

defineBuiltin({
  name: 'onehot',
  aliases: ['one_hot'],
  group: 'constructors',
  signature: 'onehot(i, n)',
  doc: 'One-hot vectors of length n: onehot(2, 4) = [0, 0, 1, 0]; a tensor of indices gives one row per index (shape [..., n]).',
  params: [
    { name: 'i', aliases: ['input', 'x', 'index', 'indices'], kind: 'tensor' },
    { name: 'n', aliases: ['num_classes', 'depth'], kind: 'int' },
  ],
  call: (args, ctx) => {
    const i = args.values.i as TensorArg;
    const n = args.values.n as number;
    if (!(n > 0)) return ctx.error('call.bad-argument', `Expected a positive number of classes, found ${n}.`, args.spans.n ?? ctx.span);
    const idx = ctx.value(i.node);
    if (idx.data.length * n > MAX_CONSTRUCTED_ELEMENTS) {
      return tooLarge(idx.data.length * n, ctx, ctx.span);
    }
    ctx.charge?.(idx.data.length * n);
    const t = tensor([...idx.shape, n]);
    for (let k = 0; k < idx.data.length; k++) {
      const c = idx.data[k];
      if (!Number.isInteger(c) || c < 0 || c >= n) {
        return ctx.error('value.class-index', `Expected integer indices in [0, ${n}), found ${c}.`, i.span);
      }
      t.data[k * n + c] = 1;
    }
    return ctx.constant(t);
  },
});

defineBuiltin({
  name: 'arange',
  aliases: ['range'],
  group: 'constructors',
  signature: 'arange(stop) or arange(start, stop, step=1)',
  doc: 'Evenly spaced values in [start, stop): arange(4) = [0, 1, 2, 3], as numpy.arange.',
  params: [
    { name: 'start', kind: 'number' },
    { name: 'stop', aliases: ['end'], kind: 'number', default: null },
    { name: 'step', kind: 'number', default: 1 },
  ],
  call: (args, ctx) => {
    let start = args.values.start as number;
    let stop = args.values.stop as number | null;
    const step = args.values.step as number;
    if (stop === null || stop === undefined) {
      stop = start;
      start = 0;
    }
    if (step === 0 || !Number.isFinite(step)) return ctx.error('call.bad-argument', `Expected a non-zero step, found ${step}.`, args.spans.step ?? ctx.span);
    const n = Math.max(0, Math.ceil((stop - start) / step));
    if (n > MAX_CONSTRUCTED_ELEMENTS) return tooLarge(n, ctx, ctx.span);
    ctx.charge?.(n);
    const t = tensor([n]);
    for (let k = 0; k < n; k++) t.data[k] = start + k * step;
    return ctx.constant(t);
  },
});

const SEED: ParamSpec = { name: 'seed', kind: 'int', default: null, keywordOnly: true };

function random(kind: 'randn' | 'rand') {
  return (args: BoundArgs, ctx: CallContext): NodeId | undefined => {
    const d = dims(args, ctx);
    if (!d) return undefined;
    const seed = args.values.seed;
    if (typeof seed === 'number' && (!Number.isInteger(seed) || seed < 0 || seed > 4294967295)) {
      return ctx.error('call.bad-argument', `Expected a seed in [0, 2^32 − 1], found ${seed}.`, args.spans.seed ?? ctx.span);
    }
    const rng = ctx.rng(typeof seed === 'number' ? seed : null);
    const n = d.reduce((a, b) => a * b, 1);
    return ctx.constant(tensor(d, kind === 'randn' ? rng.randn(n) : rng.rand(n)));
  };
}

defineBuiltin({
  name: 'randn',
  group: 'constructors',
  signature: 'randn(d1, d2, …, seed=S)',
  doc: "Standard normal samples, numpy's np.random.randn bit for bit: with seed= its own generator (np.random.seed(S) first), else the document's stream (seeded with 0 at the top).",
  params: [DIMS, SEED],
  call: random('randn'),
});

/** PyTorch's torch.randn / torch.rand (float32 draws shown in float64), docs/notebooks.md. */
function torchRandom(kind: 'randn' | 'rand') {
  return (args: BoundArgs, ctx: CallContext): NodeId | undefined => {
    const d = dims(args, ctx);
    if (!d) return undefined;
    const seed = args.values.seed;
    if (typeof seed === 'number' && (!Number.isSafeInteger(seed) || seed < 0)) {
      return ctx.error('call.bad-argument', `Expected a seed in [0, 2^53), found ${seed}.`, args.spans.seed ?? ctx.span);
    }
    const g = ctx.torchRng(typeof seed === 'number' ? seed : null);
    const n = d.reduce((a, b) => a * b, 1);
    if (n > MAX_CONSTRUCTED_ELEMENTS) return tooLarge(n, ctx, ctx.span);
    return ctx.constant(tensor(d, kind === 'randn' ? torchRandn(g, n) : torchRand(g, n)));
  };
}

defineBuiltin({
  name: 'torch_randn',
  group: 'constructors',
  signature: 'torch_randn(d1, d2, …, seed=S)',
  doc: "Standard normal samples, PyTorch's torch.randn bit for bit (float32 values): with seed= as after torch.manual_seed(S), else the document's PyTorch stream (torch.manual_seed(0) at the top).",
  params: [DIMS, SEED],
  call: torchRandom('randn'),
});

defineBuiltin({
  name: 'torch_rand',
  group: 'constructors',
  signature: 'torch_rand(d1, d2, …, seed=S)',
  doc: "Uniform samples in [0, 1), PyTorch's torch.rand bit for bit (float32 values): with seed= as after torch.manual_seed(S), else the document's PyTorch stream.",
  params: [DIMS, SEED],
  call: torchRandom('rand'),
});

defineBuiltin({
  name: 'rand',
  group: 'constructors',
  signature: 'rand(d1, d2, …, seed=S)',
  doc: "Uniform samples in [0, 1), numpy's np.random.rand bit for bit: with seed= its own generator, else the document's stream.",
  params: [DIMS, SEED],
  call: random('rand'),
});

// ---- zeros_like, ones_like, full, full_like, linspace ----------------------------------------

for (const [name, v] of [
  ['zeros_like', 0],
  ['ones_like', 1],
] as const) {
  defineBuiltin({
    name,
    group: 'constructors',
    signature: `${name}(x)`,
    doc: `A tensor of ${v === 0 ? 'zeros' : 'ones'} of the shape of x (a constant).`,
    params: [{ name: 'x', aliases: ['input', 'a'], kind: 'tensor' }],
    call: (args, ctx) => ctx.constant(full(ctx.shape((args.values.x as TensorArg).node), v)),
  });
}

defineBuiltin({
  name: 'full',
  group: 'constructors',
  signature: 'full(shape, fill_value)',
  doc: 'A tensor of the given shape filled with fill_value: full((2, 3), 0.5).',
  params: [
    { name: 'shape', aliases: ['size'], kind: 'ints' },
    { name: 'fill_value', aliases: ['value'], kind: 'number' },
  ],
  call: (args, ctx) => {
    const d = dims(args, ctx);
    return d && ctx.constant(full(d, args.values.fill_value as number));
  },
});

defineBuiltin({
  name: 'full_like',
  group: 'constructors',
  signature: 'full_like(x, fill_value)',
  doc: 'A tensor of the shape of x filled with fill_value (a constant).',
  params: [
    { name: 'x', aliases: ['input', 'a'], kind: 'tensor' },
    { name: 'fill_value', aliases: ['value'], kind: 'number' },
  ],
  call: (args, ctx) => ctx.constant(full(ctx.shape((args.values.x as TensorArg).node), args.values.fill_value as number)),
});

defineBuiltin({
  name: 'linspace',
  group: 'constructors',
  signature: 'linspace(start, stop, num=50)',
  doc: "num evenly spaced values from start to stop, both included. numpy's rounding (bare and np.; num defaults to 50) or PyTorch's (torch.linspace: steps= is required; the second half is computed from the end).",
  params: [
    { name: 'start', kind: 'number' },
    { name: 'stop', aliases: ['end'], kind: 'number' },
    { name: 'num', aliases: ['steps'], kind: 'int', default: null },
  ],
  call: (args, ctx) => {
    const start = args.values.start as number;
    const stop = args.values.stop as number;
    let num = args.values.num as number | null;
    if (num === null) {
      if (ctx.library === 'torch') return ctx.error('call.missing-argument', 'Expected the number of steps of `torch.linspace(start, end, steps)`, found none.');
      num = 50;
    }
    if (num < 0) return ctx.error('call.bad-argument', `Expected a non-negative number of samples, found ${num}.`, args.spans.num);
    if (num > MAX_CONSTRUCTED_ELEMENTS) return tooLarge(num, ctx, ctx.span);
    const t = tensor([num]);
    if (ctx.library === 'torch') {
      // ATen's linspace kernel: from the start for the first half, from the end for the rest.
      const step = num > 1 ? (stop - start) / (num - 1) : 0;
      const half = Math.floor(num / 2);
      for (let k = 0; k < num; k++) t.data[k] = k < half ? start + step * k : stop - step * (num - k - 1);
      if (num === 1) t.data[0] = start;
    } else {
      // numpy: arange(num) * step + start, the last value set to stop.
      const div = num - 1;
      const step = div > 0 ? (stop - start) / div : NaN;
      for (let k = 0; k < num; k++) t.data[k] = div > 0 ? (step === 0 ? ((k / div) * (stop - start)) + start : k * step + start) : k * (stop - start) + start;
      if (num > 1) t.data[num - 1] = stop;
    }
    return ctx.constant(t);
  },
});
