/**
 * Comparisons and masks as functions: `greater`/`gt`, …, `logical_and`/`or`/`xor`/`not`,
 * `where(cond, a, b)`, `all`, `any`. The operators `==`, `!=`, `<`, `<=`, `>`, `>=` use the
 * same ops (ops/compare.ts).
 */
import { applyOp, defineBuiltin, type ParamSpec, type TensorArg } from './types';

const A: ParamSpec = { name: 'a', aliases: ['input', 'x', 'x1'], kind: 'tensor' };
const B: ParamSpec = { name: 'b', aliases: ['other', 'y', 'x2'], kind: 'tensor' };

const COMPARISONS: { op: string; name: string; aliases: string[]; symbol: string }[] = [
  { op: 'eq', name: 'equal', aliases: ['eq'], symbol: '==' },
  { op: 'ne', name: 'not_equal', aliases: ['ne'], symbol: '!=' },
  { op: 'lt', name: 'less', aliases: ['lt'], symbol: '<' },
  { op: 'le', name: 'less_equal', aliases: ['le'], symbol: '<=' },
  { op: 'gt', name: 'greater', aliases: ['gt'], symbol: '>' },
  { op: 'ge', name: 'greater_equal', aliases: ['ge'], symbol: '>=' },
];

for (const c of COMPARISONS) {
  defineBuiltin({
    name: c.name,
    aliases: c.aliases,
    group: 'element-wise',
    signature: `${c.name}(a, b)`,
    doc: `a ${c.symbol} b element-wise with broadcasting: 1 where it holds, else 0 (a boolean mask; NaN compares false except with !=).`,
    derivative: 'none: the result is 0 or 1 and passes no gradient (PyTorch: requires_grad=False)',
    params: [A, B],
    call: applyOp(c.op, 'a', 'b'),
  });
}

for (const [name, word] of [
  ['logical_and', 'both are non-zero'],
  ['logical_or', 'either is non-zero'],
  ['logical_xor', 'exactly one is non-zero'],
] as const) {
  defineBuiltin({
    name,
    group: 'element-wise',
    signature: `${name}(a, b)`,
    doc: `1 where ${word}, else 0, element-wise with broadcasting (a boolean mask).`,
    derivative: 'none: the result is 0 or 1',
    params: [A, B],
    call: applyOp(name, 'a', 'b'),
  });
}

defineBuiltin({
  name: 'logical_not',
  group: 'element-wise',
  signature: 'logical_not(x)',
  doc: '1 where x is zero, else 0 (a boolean mask).',
  derivative: 'none: the result is 0 or 1',
  params: [{ name: 'x', aliases: ['input', 'a'], kind: 'tensor' }],
  call: applyOp('logical_not', 'x'),
});

defineBuiltin({
  name: 'where',
  group: 'element-wise',
  signature: 'where(cond, a, b)',
  doc: 'a where cond is non-zero, else b, element-wise with broadcasting (np.where / torch.where with three arguments).',
  derivative: '∂/∂a = 1 where cond holds, else 0; ∂/∂b = 1 where it does not; cond gets none',
  params: [
    { name: 'cond', aliases: ['condition'], kind: 'tensor' },
    { name: 'a', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'b', aliases: ['other', 'y'], kind: 'tensor' },
  ],
  call: applyOp('where', 'cond', 'a', 'b'),
});

for (const [name, word] of [
  ['all', 'every element is non-zero'],
  ['any', 'some element is non-zero'],
] as const) {
  defineBuiltin({
    name,
    group: 'reductions',
    signature: `${name}(x, axis=None, keepdims=False)`,
    doc: `1 if ${word} (over all elements, or along axis), else 0.`,
    derivative: 'none: the result is 0 or 1',
    params: [
      { name: 'x', aliases: ['input', 'a'], kind: 'tensor' },
      { name: 'axis', aliases: ['dim'], kind: 'axis', default: null },
      { name: 'keepdims', aliases: ['keepdim'], kind: 'bool', default: false },
    ],
    call: (args, ctx) =>
      ctx.apply(name, [(args.values.x as TensorArg).node], { axis: (args.values.axis ?? null) as number | readonly number[] | null, keepdims: args.values.keepdims === true }),
  });
}
