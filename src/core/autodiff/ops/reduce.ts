/** Reductions: `sum`, `mean`, `amax`, `amin` with attrs {axis: number | number[] | null, keepdims}. */
import {
  countReduced,
  expandReduced,
  extremumAxes,
  extremumBackward,
  reducedShape,
  reductionAxes,
  reductionIndex,
  sumAxes,
  meanAxes,
} from '../../tensor/reduce';
import { numel, type Shape } from '../../tensor/tensor';
import { defineOp, type Attrs, type ShapeError } from '../op';
import { attrAxes, attrBool, operand, shapeError } from './support';

function axesOf(shape: Shape, attrs: Attrs): number[] | ShapeError {
  const r = reductionAxes(attrAxes(attrs), shape.length);
  return typeof r === 'string' ? shapeError(r, { code: 'shape.axis' }) : r;
}

function axesOrThrow(shape: Shape, attrs: Attrs): number[] {
  const r = reductionAxes(attrAxes(attrs), shape.length);
  if (typeof r === 'string') throw new Error(`internal: ${r}`);
  return r;
}

function inferReduced(shapes: readonly Shape[], attrs: Attrs): Shape | ShapeError {
  const axes = axesOf(shapes[0], attrs);
  if (!Array.isArray(axes)) return axes;
  return reducedShape(shapes[0], axes, attrBool(attrs, 'keepdims'));
}

function axisText(attrs: Attrs): string {
  const a = attrAxes(attrs);
  return a === null ? 'all elements' : `axis ${Array.isArray(a) ? a.join(', ') : a}`;
}

defineOp({
  name: 'sum',
  display: 'sum',
  inferShape: inferReduced,
  forward: ([x], attrs) => sumAxes(x, axesOrThrow(x.shape, attrs), attrBool(attrs, 'keepdims')),
  backward: (g, [x], _out, attrs) => [expandReduced(g, x.shape, axesOrThrow(x.shape, attrs))],
  rule: ([x], attrs) => [`∂L/∂${operand(x)} = ∂L/∂y broadcast back over ${axisText(attrs)} (each element gets the gradient of its sum)`],
  cost: (shapes) => numel(shapes[0]),
});

defineOp({
  name: 'mean',
  display: 'mean',
  inferShape: inferReduced,
  forward: ([x], attrs) => meanAxes(x, axesOrThrow(x.shape, attrs), attrBool(attrs, 'keepdims')),
  backward: (g, [x], _out, attrs) => {
    const axes = axesOrThrow(x.shape, attrs);
    return [expandReduced(g, x.shape, axes, 1 / countReduced(x.shape, axes))];
  },
  rule: ([x], attrs) => [`∂L/∂${operand(x)} = ∂L/∂y / n broadcast back over ${axisText(attrs)} (n = number of averaged elements)`],
  cost: (shapes) => numel(shapes[0]),
});

function defineExtremum(name: 'amax' | 'amin', sign: 1 | -1): void {
  const word = sign > 0 ? 'max' : 'min';
  defineOp({
    name,
    display: word,
    inferShape: inferReduced,
    forward: ([x], attrs) => extremumAxes(x, axesOrThrow(x.shape, attrs), attrBool(attrs, 'keepdims'), sign),
    backward: (g, [x], out, attrs) => [extremumBackward(g, x, out, axesOrThrow(x.shape, attrs))],
    rule: ([x], attrs) => [
      `∂L/∂${operand(x)} = ∂L/∂y at the ${word}imum of ${axisText(attrs)}, 0 elsewhere (ties share it evenly)`,
    ],
    // The winners: for each output, its first extremal element and how many elements tie.
    kinks: ([x], attrs) => {
      const axes = axesOrThrow(x.shape, attrs);
      const out = extremumAxes(x, axes, true, sign);
      const idx = reductionIndex(x.shape, axes);
      const m = out.data.length;
      const sig = new Float64Array(2 * m).fill(-1);
      for (let i = 0; i < x.data.length; i++) {
        const o = idx[i];
        if (x.data[i] === out.data[o]) {
          if (sig[o] < 0) sig[o] = i;
          sig[m + o] = sig[m + o] < 0 ? 1 : sig[m + o] + 1;
        }
      }
      return sig;
    },
    convention: `ties share the gradient evenly (as torch.a${word})`,
    cost: (shapes) => numel(shapes[0]),
  });
}

defineExtremum('amax', 1);
defineExtremum('amin', -1);

