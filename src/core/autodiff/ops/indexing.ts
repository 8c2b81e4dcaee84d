/**
 * `index` {items}: numpy basic indexing. Items are {kind:'int', index} or
 * {kind:'slice', start, stop, step}; missing trailing items are full slices.
 */
import { gather, planIndex, scatter, type IndexItem, type IndexPlan } from '../../tensor/layout';
import { numel, strides, tensor, formatShape, type Shape, type Tensor } from '../../tensor/tensor';
import { advIndexShape, gatherOffsets, planAdvIndex, scatterAddOffsets, type AdvItem, type AdvPlan } from '../../tensor/advindex';
import { normalizeAxis } from '../../tensor/reduce';
import { defineOp, type Attrs } from '../op';
import { operand, shapeError } from './support';

function itemsOf(attrs: Attrs): IndexItem[] {
  const v = (attrs as Record<string, unknown>).items;
  return Array.isArray(v) ? (v as IndexItem[]) : [];
}

function plan(shape: Shape, attrs: Attrs): IndexPlan {
  const p = planIndex(shape, itemsOf(attrs));
  if (typeof p === 'string') throw new Error(`internal: ${p}`);
  return p;
}

export function formatIndexItems(items: readonly IndexItem[]): string {
  return items
    .map((it) => {
      if (it.kind === 'int') return String(it.index);
      const s = `${it.start ?? ''}:${it.stop ?? ''}`;
      return it.step === null ? s : `${s}:${it.step}`;
    })
    .join(', ');
}

defineOp({
  name: 'index',
  display: '[]',
  inferShape: ([s], attrs) => {
    const p = planIndex(s, itemsOf(attrs));
    return typeof p === 'string' ? shapeError(p, { code: 'shape.index' }) : p.shape;
  },
  forward: ([x], attrs) => gather(x, plan(x.shape, attrs)),
  backward: (g, [x], _out, attrs) => [scatter(g, x.shape, plan(x.shape, attrs))],
  boolean: 'preserve',
  rule: ([x], attrs) => [
    `∂L/∂${operand(x)} = ∂L/∂Y placed at ${operand(x)}[${formatIndexItems(itemsOf(attrs))}], 0 elsewhere`,
  ],
  cost: (_shapes, out) => numel(out),
});

// ---- advanced indexing, masks, gather --------------------------------------------------------

function advItemsOf(attrs: Attrs): AdvItem[] {
  const v = (attrs as Record<string, unknown>).items;
  return Array.isArray(v) ? (v as AdvItem[]) : [];
}

function advPlan(inputs: readonly Tensor[], attrs: Attrs): AdvPlan {
  const p = planAdvIndex(inputs[0].shape, advItemsOf(attrs), inputs);
  if (typeof p === 'string') throw new Error(`internal: ${p}`);
  return p;
}

export function formatAdvItems(items: readonly AdvItem[], names: readonly string[]): string {
  return items
    .map((it) => {
      if (it.kind === 'int') return String(it.index);
      if (it.kind === 'none') return 'None';
      if (it.kind === 'array') return names[it.input] ?? `i${it.input}`;
      const s = `${it.start ?? ''}:${it.stop ?? ''}`;
      return it.step === null ? s : `${s}:${it.step}`;
    })
    .join(', ');
}

/**
 * `index_adv` {items}: inputs [x, index arrays…]. numpy indexing with `None` and integer arrays
 * (tensor/advindex.ts); the arrays are not differentiated.
 */
defineOp({
  name: 'index_adv',
  display: '[]',
  inferShape: (shapes, attrs) => {
    const r = advIndexShape(shapes[0], advItemsOf(attrs), shapes);
    return typeof r === 'string' ? shapeError(r, { code: 'shape.index' }) : r;
  },
  forward: (inputs, attrs) => {
    const p = advPlan(inputs, attrs);
    return gatherOffsets(inputs[0], p.shape, p.src);
  },
  backward: (g, inputs, _out, attrs) => {
    const p = advPlan(inputs, attrs);
    return [scatterAddOffsets(g, inputs[0].shape, p.src), ...inputs.slice(1).map(() => null)];
  },
  freshGradients: true,
  rule: (xs, attrs) => [
    `∂L/∂${operand(xs[0])} = ∂L/∂Y added back at the positions ${operand(xs[0])}[${formatAdvItems(advItemsOf(attrs), xs)}] read (a position read twice gets both), 0 elsewhere`,
    ...xs.slice(1).map((x) => `${operand(x)} is an index: no gradient`),
  ],
  nondiff: Array.from({ length: 64 }, (_, k) => k + 1),
  boolean: 'preserve',
  cost: (_shapes, out) => numel(out),
});

/**
 * `nonzero` {dim, count}: the coordinates along axis `dim` of the mask's true elements, in
 * row-major order (numpy's `mask.nonzero()[dim]`): boolean indexing `x[mask]` is indexing with
 * these. `count` is the number of true elements when the op was added (its shape).
 */
defineOp({
  name: 'nonzero',
  display: 'nonzero',
  inferShape: (_shapes, attrs) => [typeof attrs.count === 'number' ? attrs.count : 0],
  forward: ([m], attrs) => {
    const dim = typeof attrs.dim === 'number' ? attrs.dim : 0;
    const st = strides(m.shape);
    const out: number[] = [];
    for (let i = 0; i < m.data.length; i++) if (m.data[i] !== 0) out.push(Math.floor(i / st[dim]) % m.shape[dim]);
    return tensor([out.length], out);
  },
  backward: () => [null],
  rule: ([m]) => [`${operand(m)} is a mask: no gradient`],
  nondiff: [0],
  cost: (shapes) => numel(shapes[0]),
});

function gatherDim(shape: Shape, attrs: Attrs): number {
  return normalizeAxis(typeof attrs.dim === 'number' ? attrs.dim : 0, shape.length) ?? 0;
}

/** Source offsets of torch.gather: out[…, i, …] = x[…, index[…, i, …], …] along `dim`. */
function gatherOffsetsOf(x: Shape, index: Tensor, dim: number): Int32Array {
  const sx = strides(x);
  const si = strides(index.shape);
  const src = new Int32Array(index.data.length);
  const n = x[dim];
  for (let o = 0; o < src.length; o++) {
    let off = 0;
    let rem = o;
    for (let d = 0; d < index.shape.length; d++) {
      const c = Math.floor(rem / si[d]);
      rem -= c * si[d];
      if (d === dim) {
        const v = index.data[o];
        off += (v < 0 ? v + n : v) * sx[d];
      } else off += c * sx[d];
    }
    src[o] = off;
  }
  return src;
}

/** `gather` {dim}: inputs [x, index] of one rank, index no larger than x off `dim` (torch.gather, np.take_along_axis). */
defineOp({
  name: 'gather',
  display: 'gather',
  inferShape: ([x, i], attrs) => {
    const d = normalizeAxis(typeof attrs.dim === 'number' ? attrs.dim : 0, x.length);
    if (d === undefined) return shapeError(`Expected an axis in [${-x.length}, ${x.length}), found ${String(attrs.dim)}.`, { code: 'shape.axis' });
    if (i.length !== x.length || i.some((n, k) => k !== d && n > x[k])) {
      return shapeError(`Expected an index of the same rank as the input and no larger off axis ${d}, found ${formatShape(i)} for ${formatShape(x)}.`, { input: 1 });
    }
    return i.slice();
  },
  forward: ([x, i], attrs) => gatherOffsets(x, i.shape, gatherOffsetsOf(x.shape, i, gatherDim(x.shape, attrs))),
  backward: (g, [x, i], _out, attrs) => [scatterAddOffsets(g, x.shape, gatherOffsetsOf(x.shape, i, gatherDim(x.shape, attrs))), null],
  freshGradients: true,
  rule: ([x, i], attrs) => [
    `∂L/∂${operand(x)} = ∂L/∂Y added back along axis ${String(attrs.dim ?? 0)} at the positions ${operand(i)} names (scatter-add: repeated positions accumulate)`,
    `${operand(i)} is an index: no gradient`,
  ],
  nondiff: [1],
  cost: (_shapes, out) => numel(out),
});
