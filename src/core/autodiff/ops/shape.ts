/** Shape ops: `permute` {perm}, `reshape` {shape} (one -1 allowed), `concat` {axis}, `stack` {axis}. */
import { concat, inversePermutation, normalizePerm, permute, resolveReshape, split } from '../../tensor/layout';
import { normalizeAxis } from '../../tensor/reduce';
import { formatShape, numel, sameShape, tensor, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type Attrs, type ShapeError } from '../op';
import { attrNumber, attrNumbers, operand, shapeError } from './support';

function permOf(shape: Shape, attrs: Attrs): number[] {
  const p = normalizePerm(attrNumbers(attrs, 'perm'), shape.length);
  if (typeof p === 'string') throw new Error(`internal: ${p}`);
  return p;
}

defineOp({
  name: 'permute',
  display: 'transpose',
  inferShape: ([s], attrs) => {
    const p = normalizePerm(attrNumbers(attrs, 'perm'), s.length);
    return typeof p === 'string' ? shapeError(p, { code: 'shape.axis' }) : p.map((i) => s[i]);
  },
  forward: ([x], attrs) => permute(x, permOf(x.shape, attrs)),
  backward: (g, [x], _out, attrs) => [permute(g, inversePermutation(permOf(x.shape, attrs)))],
  rule: ([x], attrs) => {
    const p = attrNumbers(attrs, 'perm');
    if (p.length === 2 && p[0] === 1 && p[1] === 0) return [`∂L/∂${operand(x)} = (∂L/∂Y)ᵀ`];
    return [`∂L/∂${operand(x)} = ∂L/∂Y with its axes put back (inverse permutation of [${p.join(', ')}])`];
  },
  cost: (shapes) => numel(shapes[0]),
});

function reshapeTarget(s: Shape, attrs: Attrs): number[] | string {
  return resolveReshape(s, attrNumbers(attrs, 'shape'));
}

defineOp({
  name: 'reshape',
  display: 'reshape',
  inferShape: ([s], attrs) => {
    const r = reshapeTarget(s, attrs);
    return typeof r === 'string' ? shapeError(r) : r;
  },
  forward: ([x], attrs) => {
    const r = reshapeTarget(x.shape, attrs);
    if (typeof r === 'string') throw new Error(`internal: ${r}`);
    return tensor(r, x.data.slice());
  },
  backward: (g, [x]) => [tensor(x.shape, g.data.slice())],
  rule: ([x]) => [`∂L/∂${operand(x)} = ∂L/∂Y reshaped back to the shape of ${operand(x)}`],
  cost: (shapes) => numel(shapes[0]),
});

function concatShape(shapes: readonly Shape[], attrs: Attrs, word: string): Shape | ShapeError {
  if (shapes.length === 0) return shapeError(`Expected at least one tensor to ${word}, found none.`);
  const first = shapes[0];
  const rank = first.length;
  const axis = normalizeAxis(attrNumber(attrs, 'axis', 0), rank);
  if (axis === undefined) {
    return shapeError(`Expected an axis in [${-rank}, ${rank}), found ${attrNumber(attrs, 'axis', 0)}.`, { code: 'shape.axis' });
  }
  let total = 0;
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    const ok = s.length === rank && s.every((d, j) => j === axis || d === first[j]);
    if (!ok) {
      return shapeError(
        `Expected tensors that match except on axis ${axis} to ${word}, found ${formatShape(first)} and ${formatShape(s)}.`,
        { input: i },
      );
    }
    total += s[axis];
  }
  const out = first.slice();
  out[axis] = total;
  return out;
}

function concatAxis(x: Tensor, attrs: Attrs): number {
  return normalizeAxis(attrNumber(attrs, 'axis', 0), x.shape.length) ?? 0;
}

defineOp({
  name: 'concat',
  display: 'concat',
  inferShape: (shapes, attrs) => concatShape(shapes, attrs, 'concatenate'),
  forward: (xs, attrs) => concat(xs, concatAxis(xs[0], attrs)),
  backward: (g, xs, _out, attrs) => split(g, xs.map((x) => x.shape), concatAxis(xs[0], attrs)),
  rule: (xs) => xs.map((x) => `∂L/∂${operand(x)} = the slice of ∂L/∂Y where ${operand(x)} was placed`),
  cost: (_shapes, out) => numel(out),
});

/** stack = insert a unit axis into every input, then concatenate along it. */
function stackAxis(rank: number, attrs: Attrs): number | undefined {
  return normalizeAxis(attrNumber(attrs, 'axis', 0), rank + 1);
}

function withUnitAxis(s: Shape, axis: number): number[] {
  const r = s.slice();
  r.splice(axis, 0, 1);
  return r;
}

defineOp({
  name: 'stack',
  display: 'stack',
  inferShape: (shapes, attrs) => {
    if (shapes.length === 0) return shapeError('Expected at least one tensor to stack, found none.');
    const rank = shapes[0].length;
    const axis = stackAxis(rank, attrs);
    if (axis === undefined) {
      return shapeError(`Expected an axis in [${-rank - 1}, ${rank + 1}), found ${attrNumber(attrs, 'axis', 0)}.`, { code: 'shape.axis' });
    }
    for (let i = 1; i < shapes.length; i++) {
      if (!sameShape(shapes[i], shapes[0])) {
        return shapeError(`Expected tensors of one shape to stack, found ${formatShape(shapes[0])} and ${formatShape(shapes[i])}.`, { input: i });
      }
    }
    const out = withUnitAxis(shapes[0], axis);
    out[axis] = shapes.length;
    return out;
  },
  forward: (xs, attrs) => {
    const axis = stackAxis(xs[0].shape.length, attrs) ?? 0;
    return concat(xs.map((x) => tensor(withUnitAxis(x.shape, axis), x.data)), axis);
  },
  backward: (g, xs, _out, attrs) => {
    const axis = stackAxis(xs[0].shape.length, attrs) ?? 0;
    return split(g, xs.map((x) => withUnitAxis(x.shape, axis)), axis).map((t, i) => tensor(xs[i].shape, t.data));
  },
  rule: (xs) => xs.map((x, i) => `∂L/∂${operand(x)} = ∂L/∂Y at position ${i} of the stacked axis`),
  cost: (_shapes, out) => numel(out),
});
