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
];

for (const u of UNARY) {
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
