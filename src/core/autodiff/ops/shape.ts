/** Shape ops: `permute` {perm}, `reshape` {shape} (one -1 allowed), `concat` {axis}, `stack` {axis}. */
import { concat, inversePermutation, normalizePerm, permute, resolveReshape, split } from '../../tensor/layout';
import { normalizeAxis } from '../../tensor/reduce';
import { broadcastIndex, broadcastShapes, formatShape, numel, sameShape, strides, tensor, unbroadcast, type Shape, type Tensor } from '../../tensor/tensor';
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
  boolean: 'preserve',
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
  boolean: 'preserve',
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

// ---- broadcast_to, tile, flip, pad -----------------------------------------------------------

/** `broadcast_to` {shape}: numpy's broadcast_to / torch's expand; the gradient is summed back. */
defineOp({
  name: 'broadcast_to',
  display: 'broadcast_to',
  inferShape: ([s], attrs) => {
    const to = attrNumbers(attrs, 'shape');
    const b = to.length >= s.length ? broadcastShapes(s, to) : undefined;
    if (!b || !sameShape(b, to)) return shapeError(`Expected a shape ${formatShape(s)} broadcasts to, found ${formatShape(to)} (numpy broadcasting: equal sizes or 1, new axes in front).`);
    return to;
  },
  forward: ([x], attrs) => {
    const to = attrNumbers(attrs, 'shape');
    const idx = broadcastIndex(x.shape, to);
    const out = tensor(to);
    for (let i = 0; i < idx.length; i++) out.data[i] = x.data[idx[i]];
    return out;
  },
  backward: (g, [x]) => [unbroadcast(g, x.shape)],
  rule: ([x]) => [`∂L/∂${operand(x)} = ∂L/∂Y summed over the broadcast axes back to the shape of ${operand(x)}`],
  boolean: 'preserve',
  cost: (_shapes, out) => numel(out),
});

/** Source offset of every element of a result whose axis k reads position pos(k, j) of x. */
function offsetsOf(x: Shape, out: Shape, pos: (k: number, j: number) => number): Int32Array {
  const sx = strides(x);
  const so = strides(out);
  const n = numel(out);
  const src = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    let rem = o;
    let off = 0;
    for (let k = 0; k < out.length; k++) {
      const j = Math.floor(rem / so[k]);
      rem -= j * so[k];
      off += pos(k, j) * sx[k];
    }
    src[o] = off;
  }
  return src;
}

function gatherAt(x: Tensor, out: Shape, src: Int32Array): Tensor {
  const r = tensor(out);
  for (let o = 0; o < src.length; o++) r.data[o] = x.data[src[o]];
  return r;
}

function scatterAt(g: Tensor, x: Shape, src: Int32Array): Tensor {
  const r = tensor(x);
  for (let o = 0; o < src.length; o++) r.data[src[o]] += g.data[o];
  return r;
}

/** `tile` {reps} (as many as x's axes, the builtin pads them): numpy's tile / torch's repeat. */
function tileShape(s: Shape, attrs: Attrs): number[] {
  const reps = attrNumbers(attrs, 'reps');
  return s.map((d, k) => d * (reps[k] ?? 1));
}

defineOp({
  name: 'tile',
  display: 'tile',
  inferShape: ([s], attrs) => {
    const reps = attrNumbers(attrs, 'reps');
    if (reps.length !== s.length || reps.some((r) => !Number.isInteger(r) || r < 0)) return shapeError(`Expected ${s.length} non-negative repetitions, found [${reps.join(', ')}].`);
    return tileShape(s, attrs);
  },
  forward: ([x], attrs) => {
    const out = tileShape(x.shape, attrs);
    return gatherAt(x, out, offsetsOf(x.shape, out, (k, j) => j % x.shape[k]));
  },
  backward: (g, [x], out) => [scatterAt(g, x.shape, offsetsOf(x.shape, out.shape, (k, j) => j % x.shape[k]))],
  rule: ([x]) => [`∂L/∂${operand(x)} = the sum of ∂L/∂Y over the copies of ${operand(x)}`],
  boolean: 'preserve',
  cost: (_shapes, out) => numel(out),
});

/** `flip` {axes}: reverses the order along the given axes. */
defineOp({
  name: 'flip',
  display: 'flip',
  inferShape: ([s], attrs) => {
    for (const a of attrNumbers(attrs, 'axes')) if (normalizeAxis(a, s.length) === undefined) return shapeError(`Expected an axis in [${-s.length}, ${s.length}), found ${a}.`, { code: 'shape.axis' });
    return s;
  },
  forward: ([x], attrs) => {
    const flipped = new Set(attrNumbers(attrs, 'axes').map((a) => normalizeAxis(a, x.shape.length)!));
    return gatherAt(x, x.shape, offsetsOf(x.shape, x.shape, (k, j) => (flipped.has(k) ? x.shape[k] - 1 - j : j)));
  },
  backward: (g, [x], _out, attrs) => {
    const flipped = new Set(attrNumbers(attrs, 'axes').map((a) => normalizeAxis(a, x.shape.length)!));
    return [gatherAt(g, x.shape, offsetsOf(x.shape, x.shape, (k, j) => (flipped.has(k) ? x.shape[k] - 1 - j : j)))];
  },
  rule: ([x], attrs) => [`∂L/∂${operand(x)} = ∂L/∂Y flipped back along axes ${attrNumbers(attrs, 'axes').join(', ')}`],
  boolean: 'preserve',
  cost: (shapes) => numel(shapes[0]),
});

/** `pad` {pads: [before₀, after₀, before₁, after₁, …] per axis of x, value}: constant padding; negative amounts crop, as torch's F.pad. */
function padShape(s: Shape, attrs: Attrs): number[] {
  const p = attrNumbers(attrs, 'pads');
  return s.map((d, k) => d + (p[2 * k] ?? 0) + (p[2 * k + 1] ?? 0));
}

defineOp({
  name: 'pad',
  display: 'pad',
  inferShape: ([s], attrs) => {
    const p = attrNumbers(attrs, 'pads');
    if (p.length !== 2 * s.length) return shapeError(`Expected two padding amounts per axis (${2 * s.length}), found ${p.length}.`);
    const out = padShape(s, attrs);
    if (out.some((d) => d < 0)) return shapeError(`Expected padding that leaves every size non-negative, found ${formatShape(out)} from ${formatShape(s)}.`);
    return out;
  },
  forward: ([x], attrs) => {
    const out = tensor(padShape(x.shape, attrs));
    const p = attrNumbers(attrs, 'pads');
    const v = typeof attrs.value === 'number' ? attrs.value : 0;
    const so = strides(out.shape);
    for (let o = 0; o < out.data.length; o++) {
      let rem = o;
      let off = 0;
      let inside = true;
      const sx = strides(x.shape);
      for (let k = 0; k < out.shape.length; k++) {
        const j = Math.floor(rem / so[k]);
        rem -= j * so[k];
        const src = j - p[2 * k];
        if (src < 0 || src >= x.shape[k]) inside = false;
        off += src * sx[k];
      }
      out.data[o] = inside ? x.data[off] : v;
    }
    return out;
  },
  backward: (g, [x], _out, attrs) => {
    const p = attrNumbers(attrs, 'pads');
    const r = tensor(x.shape);
    const so = strides(g.shape);
    const sx = strides(x.shape);
    for (let o = 0; o < g.data.length; o++) {
      let rem = o;
      let off = 0;
      let inside = true;
      for (let k = 0; k < g.shape.length; k++) {
        const j = Math.floor(rem / so[k]);
        rem -= j * so[k];
        const src = j - p[2 * k];
        if (src < 0 || src >= x.shape[k]) inside = false;
        off += src * sx[k];
      }
      if (inside) r.data[off] += g.data[o];
    }
    return [r];
  },
  rule: ([x]) => [`∂L/∂${operand(x)} = ∂L/∂Y without the padding (the padded elements are constants)`],
  cost: (_shapes, out) => numel(out),
});
