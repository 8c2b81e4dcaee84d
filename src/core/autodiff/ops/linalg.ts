/** Linear algebra ops: `matmul` (numpy's rules), `dot`, `outer`. */
import { gemm, type MatrixView } from '../../tensor/matmul';
import { broadcastIndex, broadcastShapes, formatShape, numel, tensor, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type ShapeError } from '../op';
import { operand, shapeError } from './support';

interface MatmulPlan {
  readonly out: number[];
  readonly batch: number[];
  readonly aBatch: number[];
  readonly bBatch: number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** numpy matmul: 1-D operands are promoted (and the added axis removed), batch axes broadcast. */
export function planMatmul(a: Shape, b: Shape): MatmulPlan | ShapeError {
  if (a.length === 0 || b.length === 0) {
    return shapeError(
      `Expected operands of @ with at least one axis, found ${formatShape(a)} @ ${formatShape(b)}; use * to scale by a scalar.`,
      { hint: 'use-elementwise', input: a.length === 0 ? 0 : 1 },
    );
  }
  const a2 = a.length === 1 ? [1, a[0]] : a.slice();
  const b2 = b.length === 1 ? [b[0], 1] : b.slice();
  const m = a2[a2.length - 2];
  const k = a2[a2.length - 1];
  const kb = b2[b2.length - 2];
  const n = b2[b2.length - 1];
  if (k !== kb) {
    let hint: ShapeError['hint'];
    if (b.length >= 2 && b[b.length - 1] === k) hint = 'transpose-right';
    else if (a.length >= 2 && a[a.length - 2] === kb) hint = 'transpose-left';
    return shapeError(
      `Expected the inner dimensions of @ to match, found ${formatShape(a)} @ ${formatShape(b)} (${k} ≠ ${kb}).`,
      hint ? { hint } : {},
    );
  }
  const aBatch = a2.slice(0, -2);
  const bBatch = b2.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  if (!batch) {
    return shapeError(
      `Expected the batch dimensions of @ to broadcast, found ${formatShape(a)} @ ${formatShape(b)} (${formatShape(aBatch)} vs ${formatShape(bBatch)}).`,
    );
  }
  const out = [...batch];
  if (a.length > 1) out.push(m);
  if (b.length > 1) out.push(n);
  return { out, batch, aBatch, bBatch, m, k, n };
}

function batchOffsets(plan: MatmulPlan): { ia: Int32Array; ib: Int32Array; count: number } {
  const count = numel(plan.batch);
  return { ia: broadcastIndex(plan.aBatch, plan.batch), ib: broadcastIndex(plan.bBatch, plan.batch), count };
}

function rowMajor(data: Float64Array, offset: number, cols: number): MatrixView {
  return { data, offset, rowStride: cols, colStride: 1 };
}
function transposed(data: Float64Array, offset: number, cols: number): MatrixView {
  return { data, offset, rowStride: 1, colStride: cols };
}

export function matmulForward(a: Tensor, b: Tensor): Tensor {
  const plan = planMatmul(a.shape, b.shape);
  if ('error' in plan) throw new Error(`internal: ${plan.error}`);
  const { m, k, n } = plan;
  const out = tensor(plan.out);
  const { ia, ib, count } = batchOffsets(plan);
  for (let t = 0; t < count; t++) {
    gemm(m, n, k, rowMajor(a.data, ia[t] * m * k, k), rowMajor(b.data, ib[t] * k * n, n), out.data, t * m * n);
  }
  return out;
}

/** [∂L/∂A, ∂L/∂B] = [g·Bᵀ, Aᵀ·g], summed over broadcast batch axes. */
export function matmulBackward(g: Tensor, a: Tensor, b: Tensor, needs?: readonly boolean[]): [Tensor | null, Tensor | null] {
  const plan = planMatmul(a.shape, b.shape);
  if ('error' in plan) throw new Error(`internal: ${plan.error}`);
  const { m, k, n } = plan;
  // A gradient nobody reads (a constant operand) is not computed.
  const ga = !needs || needs[0] ? tensor(a.shape) : null;
  const gb = !needs || needs[1] ? tensor(b.shape) : null;
  const { ia, ib, count } = batchOffsets(plan);
  const aCount = numel(plan.aBatch);
  const bCount = numel(plan.bBatch);
  for (let t = 0; t < count; t++) {
    // g_t [m×n] · B_tᵀ [n×k] → [m×k]
    if (ga) gemm(m, k, n, rowMajor(g.data, t * m * n, n), transposed(b.data, ib[t] * k * n, n), ga.data, ia[t] * m * k, count !== aCount);
    // A_tᵀ [k×m] · g_t [m×n] → [k×n]
    if (gb) gemm(k, n, m, transposed(a.data, ia[t] * m * k, k), rowMajor(g.data, t * m * n, n), gb.data, ib[t] * k * n, count !== bCount);
  }
  return [ga, gb];
}

defineOp({
  name: 'matmul',
  display: '@',
  inferShape: (shapes) => {
    const p = planMatmul(shapes[0], shapes[1]);
    return 'error' in p ? p : p.out;
  },
  forward: ([a, b]) => matmulForward(a, b),
  backward: (g, [a, b], _out, _attrs, needs) => matmulBackward(g, a, b, needs),
  freshGradients: true,
  rule: ([a, b]) => [`∂L/∂${operand(a)} = ∂L/∂Y · ${operand(b)}ᵀ`, `∂L/∂${operand(b)} = ${operand(a)}ᵀ · ∂L/∂Y`],
  convention: 'numpy matmul: a 1-D operand is a row (left) or column (right) vector; batch axes broadcast and their gradients are summed.',
  cost: (shapes, out) => {
    const a = shapes[0];
    const k = a.length ? a[a.length - 1] : 1;
    return numel(out) * k;
  },
});

function dotShape(a: Shape, b: Shape): Shape | ShapeError {
  if (a.length !== 1 || b.length !== 1 || a[0] !== b[0]) {
    return shapeError(
      `Expected two 1-D tensors of equal length for dot, found ${formatShape(a)} and ${formatShape(b)}${a.length > 1 || b.length > 1 ? '; use @ for matrices' : ''}.`,
      a.length > 1 || b.length > 1 ? { hint: 'use-matmul' } : {},
    );
  }
  return [];
}

defineOp({
  name: 'dot',
  display: 'dot',
  inferShape: (shapes) => dotShape(shapes[0], shapes[1]),
  forward: ([a, b]) => {
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
    return tensor([], [s]);
  },
  backward: (g, [a, b]) => {
    const s = g.data[0];
    return [tensor(a.shape, b.data.map((x) => x * s)), tensor(b.shape, a.data.map((x) => x * s))];
  },
  rule: ([a, b]) => [`∂L/∂${operand(a)} = ∂L/∂y · ${operand(b)}`, `∂L/∂${operand(b)} = ∂L/∂y · ${operand(a)}`],
  cost: (shapes) => numel(shapes[0]),
});

defineOp({
  name: 'outer',
  display: 'outer',
  // numpy.outer flattens its operands.
  inferShape: (shapes) => [numel(shapes[0]), numel(shapes[1])],
  forward: ([a, b]) => {
    const m = a.data.length;
    const n = b.data.length;
    const out = tensor([m, n]);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out.data[i * n + j] = a.data[i] * b.data[j];
    return out;
  },
  backward: (g, [a, b]) => {
    const m = a.data.length;
    const n = b.data.length;
    const ga = tensor(a.shape);
    const gb = tensor(b.shape);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        s += g.data[i * n + j] * b.data[j];
        gb.data[j] += g.data[i * n + j] * a.data[i];
      }
      ga.data[i] = s;
    }
    return [ga, gb];
  },
  rule: ([a, b]) => [`∂L/∂${operand(a)} = ∂L/∂Y · ${operand(b)}`, `∂L/∂${operand(b)} = (∂L/∂Y)ᵀ · ${operand(a)}`],
  convention: 'numpy outer: both operands are flattened.',
  cost: (shapes) => numel(shapes[0]) * numel(shapes[1]),
});
