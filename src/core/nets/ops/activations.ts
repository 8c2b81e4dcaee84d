/**
 * The activation layers' own ops (network internals do not depend on the element-wise op
 * table): `nn_relu`, `nn_leaky_relu` {slope}, `nn_sigmoid`, `nn_tanh`, `nn_gelu` {approximate},
 * `nn_softmax` {axis}, `nn_log_softmax` {axis}, and `nn_add` (the sum of a residual block).
 */
import { defineOp, type Attrs, type OpDef, type Scratch } from '../../autodiff/op';
import { formatShape, mapUnary, sameShape, tensor, type Shape, type Tensor } from '../../tensor/tensor';
import { erf } from '../../tensor/special';

/**
 * Loops specialised to one activation, computing exactly what f and df give. One shared loop
 * calling f or df would see every activation at one call site and call them without inlining.
 */
interface UnaryKernels {
  readonly forward: (x: Float64Array, y: Float64Array) => void;
  /** r = g · dy/dx from x and y. */
  readonly backward: (g: Float64Array, x: Float64Array, y: Float64Array, r: Float64Array) => void;
}

/** A tensor of `shape` (n elements) for an op to overwrite entirely: from the scratch when given, else new. */
function output(shape: Shape, n: number, scratch: Scratch | undefined): Tensor {
  return scratch !== undefined ? { shape: shape.slice(), data: scratch.alloc(n) } : tensor(shape);
}

function unaryOp(
  name: string,
  display: string,
  f: (x: number, attrs: Attrs) => number,
  /** dy/dx from x and y. */
  df: (x: number, y: number, attrs: Attrs) => number,
  rule: string,
  convention?: string,
  kernels?: UnaryKernels,
): OpDef {
  return defineOp({
    name,
    display,
    inferShape: (s) => s[0],
    forward: ([x], attrs, scratch) => {
      if (!kernels) return mapUnary(x, (v) => f(v, attrs));
      const y = output(x.shape, x.data.length, scratch);
      kernels.forward(x.data, y.data);
      return y;
    },
    backward: (g, [x], out, attrs, _needs, scratch) => {
      // Both loops below write every element of r.
      const r = output(x.shape, x.data.length, scratch);
      const xd = x.data;
      const yd = out.data;
      const gd = g.data;
      const rd = r.data;
      if (kernels) kernels.backward(gd, xd, yd, rd);
      else for (let i = 0; i < xd.length; i++) rd[i] = gd[i] * df(xd[i], yd[i], attrs);
      return [r];
    },
    freshGradients: true,
    rule: ([x]) => [rule.replace(/x/g, x)],
    ...(convention ? { convention } : {}),
    cost: (_s, out) => out.reduce((a, b) => a * b, 1),
  });
}

const slope = (a: Attrs): number => (typeof a.slope === 'number' ? a.slope : 0.01);
const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;
const SQRT_2_OVER_PI = 0.7978845608028654;

// As PyTorch's relu and threshold_backward: NaN stays NaN forward and passes the gradient back;
// where x ≤ 0 the gradient is 0 even when it is infinite.
const reluExact = (x: number): number => (x > 0 ? x : x !== x ? NaN : 0);
const reluGradExact = (g: number, x: number): number => (x <= 0 ? 0 : g);
unaryOp('nn_relu', 'ReLU', reluExact, (x) => (x <= 0 ? 0 : 1), "∂L/∂x = ∂L/∂y · 𝟙[x > 0]", "ReLU'(0) = 0", {
  // Without branches: a branch on the sign of each element (about half positive) is
  // mispredicted often enough to make these loops several times slower in training.
  forward(x, y) {
    const n = x.length;
    // v·[v > 0] + 0 is v for v > 0 and +0 otherwise (−0 + 0 = +0), as `v > 0 ? v : 0`, except
    // NaN for v NaN or −∞; the sum (of values ≥ 0) is NaN exactly then, and the exact loop reruns.
    // Unrolled by 4 with four sums (one sum would chain every addition); any NaN makes its sum NaN.
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    const n4 = n & ~3;
    let i = 0;
    for (; i < n4; i += 4) {
      const v0 = x[i];
      const v1 = x[i + 1];
      const v2 = x[i + 2];
      const v3 = x[i + 3];
      const o0 = v0 * +(v0 > 0) + 0;
      const o1 = v1 * +(v1 > 0) + 0;
      const o2 = v2 * +(v2 > 0) + 0;
      const o3 = v3 * +(v3 > 0) + 0;
      y[i] = o0;
      y[i + 1] = o1;
      y[i + 2] = o2;
      y[i + 3] = o3;
      s0 += o0;
      s1 += o1;
      s2 += o2;
      s3 += o3;
    }
    for (; i < n; i++) {
      const v = x[i];
      const o = v * +(v > 0) + 0;
      y[i] = o;
      s0 += o;
    }
    const s = s0 + s1 + s2 + s3;
    if (s !== s) for (let k = 0; k < n; k++) y[k] = reluExact(x[k]);
  },
  backward(g, x, y, r) {
    // g·1 or g·0, as g · (x > 0 ? 1 : 0); unrolled by 4. The sums of r + 0·y are NaN exactly when
    // that product differs from PyTorch's select (∞·0, or a NaN input whose y is NaN): then the
    // exact loop reruns.
    const n = x.length;
    const n4 = n & ~3;
    let s0 = 0;
    let s1 = 0;
    let i = 0;
    for (; i < n4; i += 4) {
      const r0 = g[i] * +(x[i] > 0);
      const r1 = g[i + 1] * +(x[i + 1] > 0);
      const r2 = g[i + 2] * +(x[i + 2] > 0);
      const r3 = g[i + 3] * +(x[i + 3] > 0);
      r[i] = r0;
      r[i + 1] = r1;
      r[i + 2] = r2;
      r[i + 3] = r3;
      s0 += r0 + 0 * y[i] + r1 + 0 * y[i + 1];
      s1 += r2 + 0 * y[i + 2] + r3 + 0 * y[i + 3];
    }
    for (; i < n; i++) {
      r[i] = g[i] * +(x[i] > 0);
      s0 += r[i] + 0 * y[i];
    }
    const s = s0 + s1;
    if (s !== s) for (let k = 0; k < n; k++) r[k] = reluGradExact(g[k], x[k]);
  },
});
unaryOp(
  'nn_leaky_relu',
  'LeakyReLU',
  (x, a) => (x > 0 ? x : slope(a) * x),
  (x, _y, a) => (x > 0 ? 1 : slope(a)),
  '∂L/∂x = ∂L/∂y · (1 if x > 0 else slope)',
  "LeakyReLU'(0) = slope",
);
unaryOp('nn_sigmoid', 'Sigmoid', (x) => 1 / (1 + Math.exp(-x)), (_x, y) => y * (1 - y), '∂L/∂x = ∂L/∂y · σ(x)(1 − σ(x))', undefined, {
  forward(x, y) {
    for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
  },
  backward(g, _x, y, r) {
    for (let i = 0; i < y.length; i++) r[i] = g[i] * (y[i] * (1 - y[i]));
  },
});
unaryOp('nn_tanh', 'Tanh', (x) => Math.tanh(x), (_x, y) => 1 - y * y, '∂L/∂x = ∂L/∂y · (1 − tanh²x)', undefined, {
  forward(x, y) {
    for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
  },
  backward(g, _x, y, r) {
    for (let i = 0; i < y.length; i++) r[i] = g[i] * (1 - y[i] * y[i]);
  },
});
unaryOp(
  'nn_gelu',
  'GELU',
  (x, a) => (a.approximate === 'tanh' ? 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))) : 0.5 * x * (1 + erf(x * INV_SQRT2))),
  (x, _y, a) => {
    if (a.approximate === 'tanh') {
      const inner = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
      const t = Math.tanh(inner);
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
    }
    return 0.5 * (1 + erf(x * INV_SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
  },
  '∂L/∂x = ∂L/∂y · (Φ(x) + x·φ(x))',
);

function normAxis(axis: unknown, rank: number): number {
  const a = typeof axis === 'number' ? axis : -1;
  return a < 0 ? a + rank : a;
}

/** Iterates the lines along `axis`: calls fn(offset, stride, length) for each. */
function forLines(shape: Shape, axis: number, fn: (off: number, stride: number, len: number) => void): void {
  const len = shape[axis] ?? 1;
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * len * inner + i, inner, len);
}

function softmaxLike(name: string, display: string, log: boolean): void {
  defineOp({
    name,
    display,
    inferShape(shapes, attrs) {
      const r = shapes[0].length;
      const a = normAxis(attrs.axis, Math.max(r, 1));
      if (r > 0 && (a < 0 || a >= r)) return { error: `Expected an axis in [−${r}, ${r - 1}], found ${String(attrs.axis)}.` };
      return shapes[0];
    },
    forward([x], attrs) {
      const y = tensor(x.shape);
      if (x.shape.length === 0) {
        y.data[0] = log ? 0 : 1;
        return y;
      }
      const a = normAxis(attrs.axis, x.shape.length);
      const xd = x.data;
      const yd = y.data;
      forLines(x.shape, a, (off, st, len) => {
        let m = -Infinity;
        for (let k = 0; k < len; k++) m = Math.max(m, xd[off + k * st]);
        let s = 0;
        for (let k = 0; k < len; k++) s += Math.exp(xd[off + k * st] - m);
        const ls = Math.log(s);
        for (let k = 0; k < len; k++) {
          const z = xd[off + k * st] - m;
          yd[off + k * st] = log ? z - ls : Math.exp(z) / s;
        }
      });
      return y;
    },
    backward(g, [x], y, attrs) {
      const r = tensor(x.shape);
      if (x.shape.length === 0) return [r];
      const a = normAxis(attrs.axis, x.shape.length);
      const gd = g.data;
      const yd = y.data;
      forLines(x.shape, a, (off, st, len) => {
        let s = 0;
        if (log) {
          for (let k = 0; k < len; k++) s += gd[off + k * st];
          for (let k = 0; k < len; k++) r.data[off + k * st] = gd[off + k * st] - Math.exp(yd[off + k * st]) * s;
        } else {
          for (let k = 0; k < len; k++) s += gd[off + k * st] * yd[off + k * st];
          for (let k = 0; k < len; k++) r.data[off + k * st] = yd[off + k * st] * (gd[off + k * st] - s);
        }
      });
      return [r];
    },
    rule: ([x]) => [log ? `∂L/∂${x} = ∂L/∂y − softmax(${x})·Σ ∂L/∂y` : `∂L/∂${x} = y ⊙ (∂L/∂y − Σ(∂L/∂y ⊙ y))`],
    cost: (_s, out) => 3 * out.reduce((a, b) => a * b, 1),
  });
}
softmaxLike('nn_softmax', 'Softmax', false);
softmaxLike('nn_log_softmax', 'LogSoftmax', true);

defineOp({
  name: 'nn_add',
  display: '+',
  inferShape: ([a, b]) =>
    sameShape(a, b) ? a : { error: `A residual sum needs equal shapes, found ${formatShape(a)} and ${formatShape(b)}.` },
  forward([a, b]) {
    const y = tensor(a.shape);
    for (let i = 0; i < y.data.length; i++) y.data[i] = a.data[i] + b.data[i];
    return y;
  },
  backward: (g): Tensor[] => [tensor(g.shape, g.data.slice()), tensor(g.shape, g.data.slice())],
  rule: ([a, b]) => [`∂L/∂${a} = ∂L/∂y`, `∂L/∂${b} = ∂L/∂y`],
  cost: (_s, out) => out.reduce((a, b) => a * b, 1),
});
