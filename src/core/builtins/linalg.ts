/** Linear algebra: `matmul` (also `a @ b`), `dot`, `outer`. */
import { applyOp, defineBuiltin } from './types';

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
