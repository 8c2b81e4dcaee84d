import { tensor } from '../tensor/tensor';
import { applyOp, defineBuiltin, type TensorArg } from './types';

/** The element-wise built-ins of one argument (plus leaky_relu's slope, softplus's beta and threshold, gelu's approximate). */
const UNARY: { name: string; op: string; aliases?: string[]; doc: string; derivative: string }[] = [
  { name: 'relu', op: 'relu', doc: 'Rectified linear unit: max(0, x), element-wise.', derivative: "relu'(x) = 1 if x > 0, else 0 (relu'(0) = 0, as PyTorch)" },
  { name: 'sigmoid', op: 'sigmoid', aliases: ['logistic', 'expit', 'σ'], doc: 'The logistic function σ(x) = 1 / (1 + e^(−x)), element-wise.', derivative: "σ'(x) = σ(x)·(1 − σ(x))" },
  { name: 'tanh', op: 'tanh', doc: 'Hyperbolic tangent, element-wise.', derivative: "tanh'(x) = 1 − tanh²(x)" },
  { name: 'exp', op: 'exp', doc: 'e^x, element-wise.', derivative: "exp'(x) = exp(x)" },
  { name: 'log', op: 'log', aliases: ['ln'], doc: 'Natural logarithm, element-wise (log(0) = −∞).', derivative: "log'(x) = 1/x" },
  { name: 'sqrt', op: 'sqrt', doc: 'Square root, element-wise.', derivative: "sqrt'(x) = 1/(2√x)" },
  { name: 'abs', op: 'abs', aliases: ['absolute'], doc: 'Absolute value, element-wise.', derivative: "abs'(x) = sign(x) (abs'(0) = 0)" },
  { name: 'sin', op: 'sin', doc: 'Sine, element-wise (radians).', derivative: "sin'(x) = cos(x)" },
  { name: 'cos', op: 'cos', doc: 'Cosine, element-wise (radians).', derivative: "cos'(x) = −sin(x)" },
  { name: 'neg', op: 'neg', aliases: ['negative'], doc: 'Negation, element-wise.', derivative: "d(−x)/dx = −1" },
  { name: 'square', op: 'square', doc: 'x², element-wise.', derivative: "square'(x) = 2x" },
  { name: 'sign', op: 'sign', aliases: ['sgn'], doc: 'The sign of x: −1, 0 or 1, element-wise.', derivative: "sign'(x) = 0 everywhere (also at 0, as PyTorch)" },
  { name: 'floor', op: 'floor', doc: 'The largest integer ≤ x, element-wise.', derivative: "floor'(x) = 0 everywhere (also at the jumps, as PyTorch)" },
  { name: 'ceil', op: 'ceil', doc: 'The smallest integer ≥ x, element-wise.', derivative: "ceil'(x) = 0 everywhere (also at the jumps, as PyTorch)" },
  { name: 'round', op: 'round', aliases: ['around', 'rint'], doc: 'The nearest integer, halves to even (round(0.5) = 0, round(1.5) = 2), element-wise, as numpy and PyTorch.', derivative: "round'(x) = 0 everywhere (also at the jumps, as PyTorch)" },
  { name: 'log2', op: 'log2', doc: 'Base-2 logarithm, element-wise.', derivative: "log2'(x) = 1/(x·ln 2)" },
  { name: 'log10', op: 'log10', doc: 'Base-10 logarithm, element-wise.', derivative: "log10'(x) = 1/(x·ln 10)" },
  { name: 'log1p', op: 'log1p', doc: 'ln(1 + x), accurate for small x, element-wise.', derivative: "log1p'(x) = 1/(1 + x)" },
  { name: 'expm1', op: 'expm1', doc: 'e^x − 1, accurate for small x, element-wise.', derivative: "expm1'(x) = e^x" },
  { name: 'tan', op: 'tan', doc: 'Tangent, element-wise (radians).', derivative: "tan'(x) = 1 + tan²(x)" },
  { name: 'reciprocal', op: 'reciprocal', doc: '1/x, element-wise.', derivative: "reciprocal'(x) = −1/x²" },
  { name: 'rsqrt', op: 'rsqrt', doc: '1/√x, element-wise.', derivative: "rsqrt'(x) = −1/(2·x^1.5)" },
  { name: 'selu', op: 'selu', doc: 'SELU: λ·x for x > 0, λ·α·(e^x − 1) otherwise (λ ≈ 1.0507, α ≈ 1.6733, PyTorch\'s constants), element-wise.', derivative: "selu'(x) = λ if x > 0, else λ·α·e^x (λ·α at 0, as PyTorch)" },
  { name: 'silu', op: 'silu', aliases: ['swish'], doc: 'SiLU (swish): x·σ(x), element-wise.', derivative: "silu'(x) = σ(x)·(1 + x·(1 − σ(x)))" },
  { name: 'mish', op: 'mish', doc: 'Mish: x·tanh(softplus(x)), element-wise.', derivative: "mish'(x) = t + x·σ(x)·(1 − t²), t = tanh(softplus(x))" },
  { name: 'relu6', op: 'relu6', doc: 'ReLU6: min(max(0, x), 6), element-wise.', derivative: "relu6'(x) = 1 if 0 < x < 6, else 0 (0 at 0 and 6, as PyTorch)" },
  { name: 'softsign', op: 'softsign', doc: 'x/(1 + |x|), element-wise.', derivative: "softsign'(x) = 1/(1 + |x|)²" },
  { name: 'logsigmoid', op: 'logsigmoid', aliases: ['log_sigmoid'], doc: 'ln σ(x) = −softplus(−x), computed stably, element-wise.', derivative: "logsigmoid'(x) = σ(−x) = 1 − σ(x)" },
  { name: 'hardsigmoid', op: 'hardsigmoid', doc: 'relu6(x + 3)/6: 0 below −3, 1 above 3, element-wise.', derivative: "hardsigmoid'(x) = 1/6 if −3 < x < 3, else 0 (0 at ±3, as PyTorch)" },
  { name: 'hardswish', op: 'hardswish', doc: 'x·relu6(x + 3)/6, element-wise.', derivative: "hardswish'(x) = 0 if x < −3, x/3 + ½ if −3 ≤ x < 3, 1 if x ≥ 3 (PyTorch's vectorised kernel)" },
];

for (const u of UNARY) {
  if (u.name === 'round') continue; // below: it also takes `decimals`
  defineBuiltin({
    name: u.name,
    aliases: u.aliases,
    group: 'element-wise',
    signature: `${u.name}(x)`,
    doc: u.doc,
    derivative: u.derivative,
    params: [{ name: 'x', aliases: ['input'], kind: 'tensor' }],
    call: applyOp(u.op, 'x'),
  });
}

const ROUND = UNARY.find((u) => u.name === 'round')!;
defineBuiltin({
  name: 'round',
  aliases: ROUND.aliases,
  group: 'element-wise',
  signature: 'round(x, decimals=0)',
  doc: `${ROUND.doc.replace(/, element-wise, as numpy and PyTorch\.$/, '')}; with \`decimals\` (negative: tens, hundreds…) x·10^d rounded, then divided by 10^d, as numpy's and PyTorch's kernels compute it, element-wise.`,
  derivative: ROUND.derivative,
  params: [
    { name: 'x', aliases: ['input', 'a'], kind: 'tensor' },
    { name: 'decimals', kind: 'int', default: 0 },
  ],
  call: (args, ctx) => {
    const x = (args.values.x as TensorArg).node;
    const d = args.values.decimals as number;
    if (d === 0) return ctx.apply('round', [x]);
    // numpy (PyArray_Round) and PyTorch (round.decimals) scale by an exact power of ten, round half to even, and scale back.
    const f = ctx.constant(tensor([], [10 ** Math.abs(d)]));
    const scaled = ctx.apply(d > 0 ? 'mul' : 'div', [x, f]);
    const r = scaled === undefined ? undefined : ctx.apply('round', [scaled]);
    return r === undefined ? undefined : ctx.apply(d > 0 ? 'div' : 'mul', [r, f]);
  },
});

defineBuiltin({
  name: 'leaky_relu',
  aliases: ['leakyrelu'],
  group: 'element-wise',
  signature: 'leaky_relu(x, slope=0.01)',
  doc: 'Leaky ReLU: x if x > 0, else slope·x, element-wise.',
  derivative: "leaky_relu'(x) = 1 if x > 0, else slope",
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'slope', aliases: ['negative_slope', 'alpha'], kind: 'number', default: 0.01 },
  ],
  call: (args, ctx) => ctx.apply('leaky_relu', [(args.values.x as TensorArg).node], { slope: args.values.slope as number }),
});

defineBuiltin({
  name: 'softplus',
  group: 'element-wise',
  signature: 'softplus(x, beta=1, threshold=20)',
  doc: 'softplus(x) = ln(1 + e^(β·x))/β, element-wise, as PyTorch: x itself where β·x > threshold.',
  derivative: "softplus'(x) = σ(β·x) (σ(x) for the default β = 1), and 1 where β·x > threshold",
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'beta', kind: 'number', default: 1 },
    { name: 'threshold', kind: 'number', default: 20 },
  ],
  call: (args, ctx) => {
    const x = (args.values.x as TensorArg).node;
    const beta = args.values.beta as number;
    const threshold = args.values.threshold as number;
    // The defaults keep the scalar kernel of `softplus`.
    if (beta === 1 && threshold === 20) return ctx.apply('softplus', [x]);
    return ctx.apply('softplus_beta', [x], { beta, threshold });
  },
});

defineBuiltin({
  name: 'gelu',
  group: 'element-wise',
  signature: "gelu(x, approximate='none')",
  doc: "Gaussian error linear unit: the exact form x·Φ(x) = ½x(1 + erf(x/√2)), or with approximate='tanh' ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as PyTorch.",
  derivative: "gelu'(x) = Φ(x) + x·φ(x); with approximate='tanh', ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²), u = √(2/π)(x + 0.044715x³)",
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'approximate', kind: 'string', default: 'none', keywordOnly: true },
  ],
  call: (args, ctx) => {
    const x = (args.values.x as TensorArg).node;
    const approximate = args.values.approximate as string;
    if (approximate === 'none') return ctx.apply('gelu', [x]);
    if (approximate === 'tanh') return ctx.apply('gelu_tanh', [x]);
    return ctx.error('call.bad-argument', `Expected approximate='none' or 'tanh', found '${approximate}'.`, args.spans.approximate);
  },
});

defineBuiltin({
  name: 'elu',
  group: 'element-wise',
  signature: 'elu(x, alpha=1.0)',
  doc: 'ELU: x for x > 0, α·(e^x − 1) otherwise, element-wise.',
  derivative: "elu'(x) = 1 if x > 0, else α·e^x (α at 0, as PyTorch)",
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'alpha', kind: 'number', default: 1 },
  ],
  call: (args, ctx) => ctx.apply('elu', [(args.values.x as TensorArg).node], { alpha: args.values.alpha as number }),
});

defineBuiltin({
  name: 'hardtanh',
  group: 'element-wise',
  signature: 'hardtanh(x, min_val=-1.0, max_val=1.0)',
  doc: 'x clipped to [min_val, max_val], element-wise, with hardtanh\'s gradient (0 at the bounds).',
  derivative: "hardtanh'(x) = 1 if min_val < x < max_val, else 0 (0 at the bounds, as PyTorch)",
  params: [
    { name: 'x', aliases: ['input'], kind: 'tensor' },
    { name: 'min_val', kind: 'number', default: -1 },
    { name: 'max_val', kind: 'number', default: 1 },
  ],
  call: (args, ctx) => ctx.apply('hardtanh', [(args.values.x as TensorArg).node], { min: args.values.min_val as number, max: args.values.max_val as number }),
});

defineBuiltin({
  name: 'clamp',
  aliases: ['clip'],
  group: 'element-wise',
  signature: 'clamp(x, min=None, max=None) or clip(x, lo, hi)',
  doc:
    'x limited to [min, max], element-wise; either bound may be None (numpy\'s `clip(a, a_min, a_max)` and PyTorch\'s `clamp(input, min=, max=)`). ' +
    'Where min > max every element becomes max, as both libraries do.',
  derivative: "clamp'(x) = 1 if min ≤ x ≤ max, else 0 (1 at the bounds themselves, as PyTorch's clamp_backward)",
  libraries: "numpy's clip(a, a_min, a_max) and PyTorch's clamp(input, min=None, max=None) name the same function; the gradient is PyTorch's",
  params: [
    { name: 'x', aliases: ['input', 'a'], kind: 'tensor' },
    { name: 'min', aliases: ['a_min', 'lo'], kind: 'number', default: null, orNone: true },
    { name: 'max', aliases: ['a_max', 'hi'], kind: 'number', default: null, orNone: true },
  ],
  call: (args, ctx) => {
    const lo = args.values.min as number | null;
    const hi = args.values.max as number | null;
    if (lo === null && hi === null) return ctx.error('call.bad-argument', 'Expected at least one of min and max for clamp/clip, found neither.', ctx.span);
    const attrs: Record<string, number> = {};
    if (lo !== null) attrs.min = lo;
    if (hi !== null) attrs.max = hi;
    return ctx.apply('clamp', [(args.values.x as TensorArg).node], attrs);
  },
});
