/** Linear algebra: `matmul` (also `a @ b`), `dot`, `outer`. */
import { parseEinsum } from '../autodiff/ops/einsum';
import { applyOp, defineBuiltin, type NodeId, type ParamSpec, type TensorArg } from './types';

defineBuiltin({
  name: 'matmul',
  aliases: ['mm', 'bmm', 'mv'],
  group: 'linear algebra',
  signature: 'matmul(a, b)',
  doc: "Matrix product with numpy's matmul rules, the same as a @ b: 1-D · 1-D is a dot product, a 1-D operand is a row (left) or column (right) vector, batch axes broadcast.",
  derivative: '∂L/∂A = ∂L/∂Y · Bᵀ, ∂L/∂B = Aᵀ · ∂L/∂Y',
  params: [
    { name: 'a', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'b', aliases: ['other', 'mat2', 'vec', 'y'], kind: 'tensor' },
  ],
  call: applyOp('matmul', 'a', 'b'),
});

defineBuiltin({
  name: 'dot',
  aliases: ['inner', 'vdot'],
  group: 'linear algebra',
  signature: 'dot(a, b)',
  doc: 'Dot product of two 1-D tensors of equal length (as torch.dot); use @ for matrices.',
  derivative: '∂(a·b)/∂a = b, ∂(a·b)/∂b = a',
  params: [
    { name: 'a', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'b', aliases: ['other', 'tensor', 'y'], kind: 'tensor' },
  ],
  call: applyOp('dot', 'a', 'b'),
});

defineBuiltin({
  name: 'outer',
  aliases: ['ger'],
  group: 'linear algebra',
  signature: 'outer(a, b)',
  doc: 'Outer product: a matrix with entries aᵢ·bⱼ (operands are flattened, as numpy.outer).',
  derivative: '∂L/∂a = ∂L/∂Y · b, ∂L/∂b = (∂L/∂Y)ᵀ · a',
  params: [
    { name: 'a', aliases: ['input', 'x'], kind: 'tensor' },
    { name: 'b', aliases: ['vec2', 'other', 'y'], kind: 'tensor' },
  ],
  call: applyOp('outer', 'a', 'b'),
});

/** einsum takes up to this many operands (positional, after the equation). */
const EINSUM_OPERANDS = 6;

defineBuiltin({
  name: 'einsum',
  group: 'linear algebra',
  signature: "einsum('ij,jk->ik', a, b, …)",
  doc:
    "Einstein summation: the letters name axes, a letter in two operands is multiplied along, a letter missing from the output is summed over. " +
    "Without `->` the output is the letters that occur once, in alphabetical order (numpy and PyTorch). A repeated letter in one operand takes its diagonal. `...` is not supported.",
  derivative: "∂L/∂A = einsum of ∂L/∂Y with the other operands, onto A's letters (e.g. 'ij,jk->ik': ∂L/∂A = ∂L/∂Y·Bᵀ)",
  params: [
    { name: 'equation', aliases: ['subscripts'], kind: 'string' },
    ...Array.from({ length: EINSUM_OPERANDS }, (_, k): ParamSpec => ({ name: `operand${k}`, kind: 'tensor', default: null })),
  ],
  call: (args, ctx) => {
    const inputs: NodeId[] = [];
    for (let k = 0; k < EINSUM_OPERANDS; k++) {
      const v = args.values[`operand${k}`] as TensorArg | null;
      if (v) inputs.push(v.node);
    }
    const plan = parseEinsum(args.values.equation as string, inputs.length);
    if (typeof plan === 'string') return ctx.error('call.bad-argument', plan, args.spans.equation ?? ctx.span);
    return ctx.apply('einsum', inputs, { equation: args.values.equation as string });
  },
});

defineBuiltin({
  name: 'trace',
  group: 'linear algebra',
  signature: 'trace(x)',
  doc: 'The sum of the diagonal of a matrix (2-D).',
  derivative: '∂tr(X)/∂X = I',
  params: [{ name: 'x', aliases: ['input', 'a'], kind: 'tensor' }],
  call: applyOp('trace', 'x'),
});

defineBuiltin({
  name: 'diag',
  group: 'linear algebra',
  signature: 'diag(x, k=0)',
  doc: 'Of a vector: the square matrix with it on diagonal k (0 the main one, k > 0 above). Of a matrix: its diagonal k as a vector (numpy.diag and torch.diag).',
  derivative: 'the gradient moves between the vector and the diagonal it occupies; 0 elsewhere',
  params: [
    { name: 'x', aliases: ['input', 'v'], kind: 'tensor' },
    { name: 'k', aliases: ['diagonal'], kind: 'int', default: 0 },
  ],
  call: (args, ctx) => ctx.apply('diag', [(args.values.x as TensorArg).node], { k: args.values.k as number }),
});
