/**
 * Reductions beyond sum/mean/max/min: `var`, `std` (numpy's ddof=0 for the bare and `np.`
 * names, PyTorch's unbiased default for `torch.` names), `prod`, `logsumexp`, `argmax`/`argmin`,
 * `norm` (also `linalg.norm`), and the scans `cumsum`/`cumprod`.
 */
import { defineBuiltin, type BoundArgs, type CallContext, type NodeId, type ParamSpec, type TensorArg } from './types';

const X: ParamSpec = { name: 'x', aliases: ['input', 'a', 'A'], kind: 'tensor' };
const AXIS: ParamSpec = { name: 'axis', aliases: ['dim'], kind: 'axis', default: null };
const KEEPDIMS: ParamSpec = { name: 'keepdims', aliases: ['keepdim'], kind: 'bool', default: false };

function axisAttr(args: BoundArgs): number | number[] | null {
  const a = args.values.axis;
  return typeof a === 'number' ? a : Array.isArray(a) ? (a as number[]).slice() : null;
}

function node(args: BoundArgs, name = 'x'): NodeId {
  return (args.values[name] as TensorArg).node;
}

/** The divisor's correction of var/std: ddof (numpy), correction (PyTorch ≥ 1.10), unbiased (PyTorch), or the library's default. */
function correctionOf(args: BoundArgs, ctx: CallContext): number | undefined {
  const given = (['ddof', 'correction', 'unbiased'] as const).filter((k) => args.values[k] !== null && args.values[k] !== undefined);
  if (given.length > 1) return ctx.error('call.bad-argument', `Expected one of ddof, correction and unbiased, found ${given.join(' and ')}.`, args.spans[given[1]] ?? ctx.span);
  if (given[0] === 'unbiased') return args.values.unbiased === true ? 1 : 0;
  if (given[0]) {
    const c = args.values[given[0]] as number;
    if (!(c >= 0)) return ctx.error('call.bad-argument', `Expected a non-negative ${given[0]}, found ${c}.`, args.spans[given[0]] ?? ctx.span);
    return c;
  }
  return ctx.library === 'torch' ? 1 : 0;
}

for (const name of ['var', 'std'] as const) {
  defineBuiltin({
    name,
    group: 'reductions',
    signature: `${name}(x, axis=None, ddof=0, keepdims=False)`,
    doc:
      `The ${name === 'var' ? 'variance' : 'standard deviation'} over an axis or all elements, with divisor n − ddof. ` +
      `The default differs between the libraries and follows the spelling: \`${name}\` and \`np.${name}\` use numpy's ddof=0, ` +
      `\`torch.${name}\` PyTorch's unbiased n − 1. \`ddof=\`, \`correction=\` and \`unbiased=\` choose it explicitly.`,
    derivative:
      name === 'var'
        ? '∂var/∂xᵢ = 2(xᵢ − x̄)/(n − ddof)'
        : '∂std/∂xᵢ = (xᵢ − x̄)/((n − ddof)·std) (NaN where std = 0, as PyTorch)',
    libraries: "numpy's ddof=0 for `" + name + "` and `np." + name + "`, PyTorch's unbiased (n − 1) for `torch." + name + "`; ddof=, correction= or unbiased= decide explicitly",
    params: [
      X,
      AXIS,
      { name: 'ddof', kind: 'number', default: null, orNone: true, keywordOnly: true },
      { name: 'correction', kind: 'number', default: null, orNone: true, keywordOnly: true },
      { name: 'unbiased', kind: 'bool', default: null, keywordOnly: true },
      { ...KEEPDIMS, keywordOnly: true },
    ],
    call: (args, ctx) => {
      const c = correctionOf(args, ctx);
      if (c === undefined) return undefined;
      return ctx.apply(name, [node(args)], { axis: axisAttr(args), keepdims: args.values.keepdims === true, correction: c });
    },
  });
}

defineBuiltin({
  name: 'prod',
  aliases: ['product'],
  group: 'reductions',
  signature: 'prod(x, axis=None, keepdims=False)',
  doc: 'The product of the elements over an axis or all of them.',
  derivative: '∂prod/∂xᵢ = the product of the other elements (exact with zeros, as PyTorch)',
  params: [X, AXIS, KEEPDIMS],
  call: (args, ctx) => ctx.apply('prod', [node(args)], { axis: axisAttr(args), keepdims: args.values.keepdims === true }),
});

defineBuiltin({
  name: 'logsumexp',
  group: 'reductions',
  signature: 'logsumexp(x, axis=None, keepdims=False)',
  doc: 'ln Σ e^x over an axis or all elements, computed stably (the maximum is subtracted first).',
  derivative: '∂logsumexp/∂xᵢ = softmax(x)ᵢ',
  libraries: 'torch.logsumexp requires dim; here axis=None reduces everything (as scipy.special.logsumexp)',
  params: [X, AXIS, KEEPDIMS],
  call: (args, ctx) => ctx.apply('logsumexp', [node(args)], { axis: axisAttr(args), keepdims: args.values.keepdims === true }),
});

for (const name of ['argmax', 'argmin'] as const) {
  defineBuiltin({
    name,
    group: 'reductions',
    signature: `${name}(x, axis=None, keepdims=False)`,
    doc: `The index of the ${name === 'argmax' ? 'largest' : 'smallest'} element along an axis, or in the flattened tensor without one; the first index on ties (numpy and PyTorch).`,
    derivative: `none: ${name} is an index (no gradient flows through it)`,
    libraries: 'without an axis, the index in the flattened tensor (numpy and PyTorch agree)',
    params: [X, { ...AXIS, kind: 'int', default: null, orNone: true }, KEEPDIMS],
    call: (args, ctx) => {
      const a = args.values.axis;
      return ctx.apply(name, [node(args)], { axis: typeof a === 'number' ? a : null, keepdims: args.values.keepdims === true });
    },
  });
}

/** The order of a norm: null (the default, 2), a number, or 'fro' (2 over two axes). */
function normCall(matrixRule: boolean) {
  return (args: BoundArgs, ctx: CallContext): NodeId | undefined => {
    const x = node(args);
    const ord = args.values.ord as number | string | null;
    const axis = axisAttr(args);
    const rank = ctx.shape(x).length;
    const axesCount = axis === null ? rank : typeof axis === 'number' ? 1 : axis.length;
    const at = args.spans.ord ?? ctx.span;
    let p = 2;
    if (ord === 'fro') {
      if (matrixRule && axesCount !== 2) return ctx.error('call.bad-argument', `Expected two axes (a matrix) for ord='fro', found ${axesCount}.`, at);
    } else if (typeof ord === 'string') {
      return ctx.error('call.unsupported', `The matrix norm ord='${ord}' is not supported (it needs singular values); ord='fro' and vector norms are.`, at);
    } else if (ord !== null) {
      p = ord;
      // numpy's and torch.linalg's norm read an order over two axes as a matrix norm.
      if (matrixRule && axesCount === 2) {
        if (p === 1 || p === -1 || p === Infinity || p === -Infinity) return matrixNorm(x, p, axis, rank, args.values.keepdims === true, ctx);
        return ctx.error('call.unsupported', `The matrix norm ord=${p} is not supported (it needs singular values); ord=1, -1, inf, -inf and 'fro' are, and norm(x, ${p}) without linalg gives the vector norm of all elements.`, at);
      }
      if (matrixRule && axesCount > 2) return ctx.error('call.bad-argument', `Expected one or two axes for a norm of order ${p}, found ${axesCount}.`, at);
    }
    return ctx.apply('norm', [x], { ord: p, axis, keepdims: args.values.keepdims === true });
  };
}

/**
 * The matrix norms of order ±1 (the largest/smallest column sum of |x|) and ±∞ (row sums), over
 * two axes: as torch.linalg.matrix_norm computes them, amax/amin of a sum of abs — so the
 * gradient is PyTorch's: sign(x) (0 at 0) times the winning column's or row's share (ties split).
 */
function matrixNorm(x: NodeId, p: number, axis: number | number[] | null, rank: number, keepdims: boolean, ctx: CallContext): NodeId | undefined {
  const pair = (axis === null ? [0, 1] : (axis as number[])).map((a) => (a < 0 ? a + rank : a));
  if (pair[0] === pair[1] || pair.some((a) => a < 0 || a >= rank)) return ctx.error('shape.axis', `Expected two different axes in [${-rank}, ${rank}), found ${JSON.stringify(axis)}.`);
  // ord ±1: sum over the first axis (rows), extremum over the second; ord ±∞ the other way round.
  const [summed, over] = Math.abs(p) === 1 ? pair : [pair[1], pair[0]];
  const a = ctx.apply('abs', [x]);
  if (a === undefined) return undefined;
  const s = ctx.apply('sum', [a], { axis: summed, keepdims: true });
  if (s === undefined) return undefined;
  const m = ctx.apply(p > 0 ? 'amax' : 'amin', [s], { axis: over, keepdims: true });
  if (m === undefined || keepdims) return m;
  const shape = ctx.shape(x).filter((_, i) => i !== pair[0] && i !== pair[1]);
  return ctx.apply('reshape', [m], { shape });
}

const ORD: ParamSpec = { name: 'ord', aliases: ['p'], kind: 'ord', default: null };

defineBuiltin({
  name: 'norm',
  aliases: ['vector_norm', 'linalg.vector_norm'],
  group: 'reductions',
  signature: 'norm(x, ord=None, axis=None, keepdims=False)',
  doc:
    'The vector p-norm over an axis, several axes, or all elements (torch.norm and torch.linalg.vector_norm): ord (PyTorch: p) 2 by default ' +
    '(so the Frobenius norm of a matrix), 1, inf, −inf, 0 (the count of non-zeros) or any p.',
  derivative: '∂‖x‖₂/∂x = x/‖x‖ (0 at x = 0, as PyTorch); ord 1: sign(x); ord ∞: sign(x) at the largest |xᵢ| (ties share); ord p: x·|x|^(p−2)/‖x‖^(p−1)',
  libraries: 'torch.norm and torch.linalg.vector_norm: always a vector norm (of all elements without dim); p= and dim= are accepted',
  params: [X, ORD, AXIS, KEEPDIMS],
  call: normCall(false),
});

defineBuiltin({
  name: 'linalg.norm',
  group: 'reductions',
  signature: 'linalg.norm(x, ord=None, axis=None, keepdims=False)',
  doc:
    "np.linalg.norm and torch.linalg.norm: as `norm`, except that an order over two axes (a 2-D input without axis) names a matrix norm: " +
    "the default and 'fro' (Frobenius), 1 and −1 (the largest and smallest column sum of |x|), inf and −inf (row sums); ord=2, −2 and 'nuc' need singular values and are refused.",
  derivative: "∂‖x‖/∂x = x/‖x‖ (0 at x = 0, as PyTorch), the vector orders as `norm`; ord ±1/±inf of a matrix: sign(x) in the winning column/row (ties share it)",
  libraries: "np.linalg.norm and torch.linalg.norm: an ord over two axes is a matrix norm (±1: column sums, ±inf: row sums, 'fro'; 2, −2 and 'nuc' are refused)",
  params: [X, ORD, AXIS, KEEPDIMS],
  call: normCall(true),
});

for (const name of ['cumsum', 'cumprod'] as const) {
  defineBuiltin({
    name,
    group: 'reductions',
    signature: `${name}(x, axis=None)`,
    doc: `The cumulative ${name === 'cumsum' ? 'sum' : 'product'} along an axis; without one, of the flattened tensor (numpy; PyTorch requires dim).`,
    derivative: name === 'cumsum' ? '∂L/∂xᵢ = Σ_{k ≥ i} ∂L/∂yₖ' : '∂L/∂xᵢ = Σ_{k ≥ i} ∂L/∂yₖ·Π_{m ≤ k, m ≠ i} xₘ (exact with zeros)',
    libraries: "numpy's axis=None flattens; PyTorch requires dim",
    params: [X, { ...AXIS, kind: 'int', default: null, orNone: true }],
    call: (args, ctx) => {
      const a = args.values.axis;
      return ctx.apply(name, [node(args)], { axis: typeof a === 'number' ? a : null });
    },
  });
}
