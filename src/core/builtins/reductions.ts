/**
 * Reductions: `sum`, `mean`, `max`, `min` — and, since they share names, the element-wise
 * `max(a, b)`/`min(a, b)` (two positional tensors → the op `maximum`/`minimum`) and `pow`.
 */
import type { Attrs } from '../autodiff/op';
import { applyOp, defineBuiltin, type BoundArgs, type CallContext, type NodeId, type ParamSpec, type TensorArg } from './types';

const X: ParamSpec = { name: 'x', aliases: ['input', 'a'], kind: 'tensor' };
const AXIS: ParamSpec = { name: 'axis', aliases: ['dim'], kind: 'axis', default: null };
const KEEPDIMS: ParamSpec = { name: 'keepdims', aliases: ['keepdim'], kind: 'bool', default: false };

/** `axis` arrives as a number, a list of numbers (`axis=(0, 1)`) or null. */
function reductionAttrs(args: BoundArgs): Attrs {
  const axis = args.values.axis;
  return {
    axis: typeof axis === 'number' ? axis : Array.isArray(axis) ? (axis as number[]).slice() : null,
    keepdims: args.values.keepdims === true,
  };
}

function reduce(op: string, args: BoundArgs, ctx: CallContext): NodeId | undefined {
  const x = args.values.x as TensorArg;
  return ctx.apply(op, [x.node], reductionAttrs(args));
}

defineBuiltin({
  name: 'sum',
  group: 'reductions',
  signature: 'sum(x, axis=None, keepdims=False)',
  doc: 'Sum of the elements of x, over one axis or all of them. `dim=` and `keepdim=` are accepted as in PyTorch.',
  derivative: '∂sum/∂xᵢ = 1: the gradient is copied back to every summed element',
  params: [X, AXIS, KEEPDIMS],
  call: (args, ctx) => reduce('sum', args, ctx),
});

defineBuiltin({
  name: 'mean',
  aliases: ['average'],
  group: 'reductions',
  signature: 'mean(x, axis=None, keepdims=False)',
  doc: 'Arithmetic mean of the elements of x, over one axis or all of them.',
  derivative: '∂mean/∂xᵢ = 1/n for each of the n averaged elements',
  params: [X, AXIS, KEEPDIMS],
  call: (args, ctx) => reduce('mean', args, ctx),
});

function defineExtremum(word: 'max' | 'min'): void {
  const elementwise = word === 'max' ? 'maximum' : 'minimum';
  defineBuiltin({
    name: word,
    aliases: [elementwise, `a${word}`],
    group: 'reductions',
    signature: `${word}(x, axis=None, keepdims=False) or ${word}(a, b)`,
    doc:
      `With one tensor: the ${word}imum over an axis or over all elements. With two positional tensors: ` +
      `the element-wise ${word}imum of a and b, broadcast (as numpy.${elementwise}).`,
    derivative:
      `reduction: the gradient goes to the ${word}imal element; ties share it evenly (torch.a${word}). ` +
      `element-wise: 1 to the ${word === 'max' ? 'larger' : 'smaller'} operand, 0.5 to each at a tie (torch.${elementwise})`,
    libraries: `${word}(x, 1) is element-wise here; numpy's and PyTorch's reduce over axis 1 (a warning says so where the spelling is theirs); write ${word}(x, axis=1)`,
    params: [X, { name: 'other', kind: 'tensor', default: null }, { ...AXIS, keywordOnly: true }, { ...KEEPDIMS, keywordOnly: true }],
    call: (args, ctx) => {
      const x = args.values.x as TensorArg;
      const other = args.values.other as TensorArg | null | undefined;
      if (other) {
        if (typeof args.values.axis === 'number' || Array.isArray(args.values.axis)) {
          return ctx.error(
            'call.bad-argument',
            `Expected either two tensors (element-wise ${word}) or one tensor and axis=, found both.`,
            args.spans.axis ?? ctx.span,
          );
        }
        return ctx.apply(elementwise, [x.node, other.node]);
      }
      return ctx.apply(`a${word}`, [x.node], reductionAttrs(args));
    },
  });
}

defineExtremum('max');
defineExtremum('min');

defineBuiltin({
  name: 'pow',
  aliases: ['power'],
  group: 'element-wise',
  signature: 'pow(x, p)',
  doc: 'x raised to the power p, element-wise with broadcasting; the same as x ^ p.',
  derivative: '∂/∂x = p·x^(p−1); ∂/∂p = x^p·ln x (only when p depends on a leaf)',
  params: [X, { name: 'p', aliases: ['exponent', 'y', 'b'], kind: 'tensor' }],
  call: applyOp('pow', 'x', 'p'),
});
