/**
 * Comparisons and masks: `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `logical_and`/`or`/`xor`/`not`
 * (0/1 results, numpy's bool dtype, with no gradient: PyTorch's `x > 0` has requires_grad
 * False), `all`/`any` {axis, keepdims}, and `where` (cond, a, b) whose gradient goes to the
 * chosen branch only.
 */
import { reducedShape, reductionAxes, reductionIndex } from '../../tensor/reduce';
import { broadcastIndex, broadcastShapes, formatShape, mapBinary, mapUnary, numel, tensor, unbroadcast, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type Attrs, type ShapeError } from '../op';
import * as y from '../sym';
import type { Sym } from '../sym';
import { attrAxes, attrBool, operand, shapeError } from './support';

/** An element-wise op with no gradient, for the table and the rule-evaluation test. */
export interface MaskOpDef {
  readonly name: string;
  /** How it reads: `>`, `and`. */
  readonly display: string;
  readonly arity: 1 | 2;
  readonly f: (a: number, b: number) => number;
  /** The user's spelling, for rules: `a > b`. */
  readonly text: (a: string, b: string) => string;
}

const truth = (v: number): boolean => v !== 0;

export const MASK_OPS: readonly MaskOpDef[] = [
  { name: 'eq', display: '==', arity: 2, f: (a, b) => (a === b ? 1 : 0), text: (a, b) => `${a} == ${b}` },
  { name: 'ne', display: '!=', arity: 2, f: (a, b) => (a !== b ? 1 : 0), text: (a, b) => `${a} != ${b}` },
  { name: 'lt', display: '<', arity: 2, f: (a, b) => (a < b ? 1 : 0), text: (a, b) => `${a} < ${b}` },
  { name: 'le', display: '<=', arity: 2, f: (a, b) => (a <= b ? 1 : 0), text: (a, b) => `${a} <= ${b}` },
  { name: 'gt', display: '>', arity: 2, f: (a, b) => (a > b ? 1 : 0), text: (a, b) => `${a} > ${b}` },
  { name: 'ge', display: '>=', arity: 2, f: (a, b) => (a >= b ? 1 : 0), text: (a, b) => `${a} >= ${b}` },
  { name: 'logical_and', display: 'and', arity: 2, f: (a, b) => (truth(a) && truth(b) ? 1 : 0), text: (a, b) => `${a} and ${b}` },
  { name: 'logical_or', display: 'or', arity: 2, f: (a, b) => (truth(a) || truth(b) ? 1 : 0), text: (a, b) => `${a} or ${b}` },
  { name: 'logical_xor', display: 'xor', arity: 2, f: (a, b) => (truth(a) !== truth(b) ? 1 : 0), text: (a, b) => `${a} xor ${b}` },
  { name: 'logical_not', display: 'not', arity: 1, f: (a) => (truth(a) ? 0 : 1), text: (a) => `not ${a}` },
];

/** The local partials of a mask op: 0 everywhere (a step function's derivative off its jump; PyTorch gives none). */
export const maskPartials = (o: readonly Sym[]): Sym[] => o.map(() => y.num(0));

function broadcastError(display: string, a: Shape, b: Shape): ShapeError {
  return shapeError(`Expected shapes that broadcast for \`${display}\`, found ${formatShape(a)} and ${formatShape(b)} (numpy broadcasting needs equal sizes or 1).`);
}

for (const def of MASK_OPS) {
  defineOp({
    name: def.name,
    display: def.display,
    inferShape: (shapes) => (def.arity === 1 ? shapes[0] : (broadcastShapes(shapes[0], shapes[1]) ?? broadcastError(def.display, shapes[0], shapes[1]))),
    forward: (ins) => (def.arity === 1 ? mapUnary(ins[0], (a) => def.f(a, 0)) : mapBinary(ins[0], ins[1], broadcastShapes(ins[0].shape, ins[1].shape)!, def.f)),
    backward: (_g, ins) => ins.map(() => null),
    partials: maskPartials,
    rule: ([a, b]) =>
      (def.arity === 1 ? [a] : [a, b]).map(
        (x) => `∂(${def.text(operand(a), operand(b ?? ''))})/∂${operand(x)} = 0 (a ${def.arity === 1 ? 'logical' : 'comparison'} result is 0 or 1: no gradient flows through it)`,
      ),
    nondiff: def.arity === 1 ? [0] : [0, 1],
    boolean: 'always',
    cost: (_s, out) => numel(out),
  });
}

// ---- where ---------------------------------------------------------------------------------

function whereShape(shapes: readonly Shape[]): Shape | ShapeError {
  const ab = broadcastShapes(shapes[1], shapes[2]);
  const all = ab && broadcastShapes(shapes[0], ab);
  if (!all) {
    return shapeError(
      `Expected a condition and two branches whose shapes broadcast, found ${formatShape(shapes[0])}, ${formatShape(shapes[1])} and ${formatShape(shapes[2])}.`,
    );
  }
  return all;
}

defineOp({
  name: 'where',
  display: 'where',
  inferShape: whereShape,
  forward: ([c, a, b]) => {
    const shape = whereShape([c.shape, a.shape, b.shape]) as Shape;
    const out = tensor(shape);
    const ic = broadcastIndex(c.shape, shape);
    const ia = broadcastIndex(a.shape, shape);
    const ib = broadcastIndex(b.shape, shape);
    for (let i = 0; i < out.data.length; i++) out.data[i] = c.data[ic[i]] !== 0 ? a.data[ia[i]] : b.data[ib[i]];
    return out;
  },
  backward: (g, [c, a, b], out) => {
    const ic = broadcastIndex(c.shape, out.shape);
    const ga = tensor(out.shape);
    const gb = tensor(out.shape);
    for (let i = 0; i < g.data.length; i++) {
      if (c.data[ic[i]] !== 0) ga.data[i] = g.data[i];
      else gb.data[i] = g.data[i];
    }
    return [null, unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)];
  },
  rule: ([c, a, b]) => [
    `${operand(c)} is a condition: no gradient`,
    `∂L/∂${operand(a)} = ∂L/∂Y where ${operand(c)} holds, 0 elsewhere (summed over broadcast axes)`,
    `∂L/∂${operand(b)} = ∂L/∂Y where ${operand(c)} does not hold, 0 elsewhere (summed over broadcast axes)`,
  ],
  nondiff: [0],
  cost: (_s, out) => numel(out),
});

// ---- all / any -----------------------------------------------------------------------------

function axesOf(shape: Shape, attrs: Attrs): number[] | string {
  return reductionAxes(attrAxes(attrs), shape.length);
}

function truthReduce(x: Tensor, attrs: Attrs, every: boolean): Tensor {
  const axes = axesOf(x.shape, attrs);
  if (typeof axes === 'string') throw new Error(`internal: ${axes}`);
  const out = tensor(reducedShape(x.shape, axes, attrBool(attrs, 'keepdims')));
  out.data.fill(every ? 1 : 0);
  const idx = reductionIndex(x.shape, axes);
  for (let i = 0; i < x.data.length; i++) {
    const t = x.data[i] !== 0;
    if (every && !t) out.data[idx[i]] = 0;
    if (!every && t) out.data[idx[i]] = 1;
  }
  return out;
}

for (const every of [true, false]) {
  const name = every ? 'all' : 'any';
  defineOp({
    name,
    display: name,
    inferShape: ([s], attrs) => {
      const axes = axesOf(s, attrs);
      return typeof axes === 'string' ? shapeError(axes, { code: 'shape.axis' }) : reducedShape(s, axes, attrBool(attrs, 'keepdims'));
    },
    forward: ([x], attrs) => truthReduce(x, attrs, every),
    backward: () => [null],
    rule: ([x]) => [`∂${name}(${x})/∂${operand(x)} = 0 (a true/false result: no gradient)`],
    nondiff: [0],
    boolean: 'always',
    cost: (shapes) => numel(shapes[0]),
  });
}
