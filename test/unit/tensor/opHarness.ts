/** Test helpers: run an op of the table directly (forward, backward) and check gradients numerically. */
import '../../../src/core/autodiff/ops/linalg';
import '../../../src/core/autodiff/ops/reduce';
import '../../../src/core/autodiff/ops/shape';
import '../../../src/core/autodiff/ops/indexing';
import '../../../src/core/autodiff/ops/softmax';
import '../../../src/core/autodiff/ops/loss';
import { getOp, isShapeError, type Attrs } from '../../../src/core/autodiff/op';
import { tensor, type Shape, type Tensor } from '../../../src/core/tensor/tensor';

export interface FixtureCase {
  name: string;
  op: string;
  attrs: Record<string, unknown>;
  inputs: { shape: number[]; data: number[] }[];
  g: { shape: number[]; data: number[] };
  out: { shape: number[]; data: number[] };
  grads: ((number | string)[] | null)[];
}

export function forward(op: string, inputs: readonly Tensor[], attrs: Attrs = {}): Tensor {
  const def = getOp(op);
  const shape = def.inferShape(inputs.map((t) => t.shape), attrs);
  if (isShapeError(shape)) throw new Error(shape.error);
  const out = def.forward(inputs, attrs);
  if (out.shape.join(',') !== (shape as Shape).join(',')) throw new Error(`forward shape ${out.shape} ≠ inferred ${shape}`);
  return out;
}

export function backward(op: string, g: Tensor, inputs: readonly Tensor[], attrs: Attrs = {}): (Tensor | null)[] {
  const def = getOp(op);
  const out = def.forward(inputs, attrs);
  const grads = def.backward(g, inputs, out, attrs);
  grads.forEach((gr, i) => {
    if (gr && gr.shape.join(',') !== inputs[i].shape.join(',')) throw new Error(`gradient ${i} has shape ${gr.shape}, input ${inputs[i].shape}`);
  });
  return grads;
}

/** Central differences of sum(op(inputs) · g) with respect to input `which`. */
export function numericGrad(op: string, inputs: readonly Tensor[], g: Tensor, which: number, attrs: Attrs = {}): Float64Array {
  const def = getOp(op);
  const x = inputs[which];
  const res = new Float64Array(x.data.length);
  const f = (): number => {
    const out = def.forward(inputs, attrs);
    let s = 0;
    for (let i = 0; i < out.data.length; i++) s += out.data[i] * g.data[i];
    return s;
  };
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    const h = 1e-6 * Math.max(1, Math.abs(v));
    x.data[i] = v + h;
    const fp = f();
    x.data[i] = v - h;
    const fm = f();
    x.data[i] = v;
    res[i] = (fp - fm) / (2 * h);
  }
  return res;
}

/** Largest |a − n| / max(1, |a|, |n|). */
export function maxRelError(a: ArrayLike<number>, n: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - n[i]) / Math.max(1, Math.abs(a[i]), Math.abs(n[i])));
  return m;
}

/** A fixture number: non-finite values are written "NaN", "Infinity", "-Infinity". */
export function fixtureNumber(x: number | string): number {
  return typeof x === 'number' ? x : Number(x);
}

export function fromFixture(t: { shape: number[]; data: (number | string)[] }): Tensor {
  return tensor(t.shape, t.data.map(fixtureNumber));
}

/** Seeded test data without Math.random. */
export function seeded(shape: Shape, seed: number): Tensor {
  const t = tensor(shape);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < t.data.length; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    t.data[i] = (s / 4294967296) * 2 - 1;
  }
  return t;
}
