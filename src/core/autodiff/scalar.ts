import { erf } from '../tensor/special';

/**
 * Scalar kernels of the element-wise ops, as switches over small integer codes: the tape's
 * fast path for scalar graphs (no allocation, no indirect calls per node) and the inner
 * loop of the tensor kernels. The op table (ops/elementwise.ts) is built from these.
 */
export const enum S {
  ADD = 1,
  SUB,
  MUL,
  DIV,
  POW,
  MAXIMUM,
  MINIMUM,
  NEG = 10,
  RELU,
  LEAKY_RELU,
  SIGMOID,
  TANH,
  EXP,
  LOG,
  SQRT,
  ABS,
  SOFTPLUS,
  GELU,
  SIN,
  COS,
  IDENTITY,
  SQUARE,
  SIGN,
  FLOOR,
  CEIL,
  ROUND,
  LOG2,
  LOG10,
  LOG1P,
  EXPM1,
  TAN,
  RECIPROCAL,
  RSQRT,
  SELU,
  SILU,
  MISH,
  RELU6,
  SOFTSIGN,
  LOGSIGMOID,
  HARDSIGMOID,
  HARDSWISH,
}

/** 1/6 as float32, the constant of PyTorch's hardsigmoid_backward. */
const ONE_SIXTH_F32 = Math.fround(1 / 6);

/** SELU's constants (PyTorch's, from Klambauer et al.). */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

/** Python's round(): half to even (numpy's and PyTorch's `round` too). */
export function roundHalfEven(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  // Math.round takes halves up; a half whose upward neighbour is odd goes down instead.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ln(1 + e^x) without overflow (PyTorch's mish uses log1p(exp(x)); this equals it where that is finite). */
function softplus0(x: number): number {
  return Math.log1p(Math.exp(x));
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT_2PI = 0.3989422804014327;

export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Forward: `p` is the op's numeric parameter (leaky_relu's slope). The arithmetic cases sit in
 * a small switch V8 inlines into the tape's loop; the transcendental ones are out of line.
 */
export function scalarForward(code: number, a: number, b: number, p: number): number {
  switch (code) {
    case S.ADD:
      return a + b;
    case S.SUB:
      return a - b;
    case S.MUL:
      return a * b;
    case S.DIV:
      return a / b;
    case S.NEG:
      return -a;
    case S.RELU:
      return a > 0 ? a : a !== a ? NaN : 0;
    case S.TANH:
      return Math.tanh(a);
  }
  return scalarForwardRest(code, a, b, p);
}

/** The cases the small switch in scalarForward does not take. */
function scalarForwardRest(code: number, a: number, b: number, p: number): number {
  switch (code) {
    case S.POW:
      return Math.pow(a, b);
    case S.MAXIMUM:
      return a > b ? a : a < b ? b : a !== a || b !== b ? NaN : a;
    case S.MINIMUM:
      return a < b ? a : a > b ? b : a !== a || b !== b ? NaN : a;
    case S.LEAKY_RELU:
      return a > 0 ? a : a * p;
    case S.SIGMOID:
      return sigmoid(a);
    case S.EXP:
      return Math.exp(a);
    case S.LOG:
      return Math.log(a);
    case S.SQRT:
      return Math.sqrt(a);
    case S.ABS:
      return Math.abs(a);
    case S.SOFTPLUS:
      // PyTorch's softplus (beta 1, threshold 20).
      return a > 20 ? a : Math.log1p(Math.exp(a));
    case S.GELU:
      return 0.5 * a * (1 + erf(a * INV_SQRT2));
    case S.SIN:
      return Math.sin(a);
    case S.COS:
      return Math.cos(a);
    case S.IDENTITY:
      return a;
    case S.SQUARE:
      return a * a;
    case S.SIGN:
      return a > 0 ? 1 : a < 0 ? -1 : a === 0 ? 0 : NaN;
    case S.FLOOR:
      return Math.floor(a);
    case S.CEIL:
      return Math.ceil(a);
    case S.ROUND:
      return roundHalfEven(a);
    case S.LOG2:
      return Math.log2(a);
    case S.LOG10:
      return Math.log10(a);
    case S.LOG1P:
      return Math.log1p(a);
    case S.EXPM1:
      return Math.expm1(a);
    case S.TAN:
      return Math.tan(a);
    case S.RECIPROCAL:
      return 1 / a;
    case S.RSQRT:
      return 1 / Math.sqrt(a);
    case S.SELU:
      return a > 0 ? SELU_SCALE * a : SELU_SCALE * SELU_ALPHA * Math.expm1(a);
    case S.SILU:
      return a * sigmoid(a);
    case S.MISH:
      return a * Math.tanh(softplus0(a));
    case S.RELU6:
      return a <= 0 ? 0 : a >= 6 ? 6 : a;
    case S.SOFTSIGN:
      return a / (1 + Math.abs(a));
    case S.LOGSIGMOID:
      // PyTorch: min(x, 0) − log1p(e^(−|x|)).
      return Math.min(a, 0) - Math.log1p(Math.exp(-Math.abs(a)));
    case S.HARDSIGMOID:
      return a <= -3 ? 0 : a >= 3 ? 1 : a / 6 + 0.5;
    case S.HARDSWISH:
      return a <= -3 ? 0 : a >= 3 ? a : (a * (a + 3)) / 6;
  }
  return NaN;
}

/**
 * The adjoint passed to input `which`: g · ∂out/∂input — except ReLU, which selects as PyTorch's
 * threshold_backward (0 where a ≤ 0 even for an infinite g, g for a NaN a). Every backward pass of
 * the scalar ops goes through here.
 */
export function scalarAdjoint(code: number, which: number, g: number, a: number, b: number, out: number, p: number): number {
  if (code === S.RELU) return a <= 0 ? 0 : g;
  return g * scalarPartial(code, which, a, b, out, p);
}

/** ∂out/∂a (which = 0) or ∂out/∂b (which = 1) at (a, b), given out. Small switch first, as forward. */
export function scalarPartial(code: number, which: number, a: number, b: number, out: number, p: number): number {
  switch (code) {
    case S.ADD:
      return 1;
    case S.SUB:
      return which === 0 ? 1 : -1;
    case S.MUL:
      return which === 0 ? b : a;
    case S.NEG:
      return -1;
    case S.RELU:
      // PyTorch's threshold_backward: 0 where a ≤ 0, else the gradient (also for a NaN).
      return a <= 0 ? 0 : 1;
    case S.TANH:
      return 1 - out * out;
  }
  return scalarPartialRest(code, which, a, b, out, p);
}

/** The cases the small switch in scalarPartial does not take. */
function scalarPartialRest(code: number, which: number, a: number, b: number, out: number, p: number): number {
  switch (code) {
    case S.DIV:
      return which === 0 ? 1 / b : -a / (b * b);
    case S.POW:
      // Power rule; ∂/∂b = a^b·ln a (only asked when the exponent is variable).
      if (which === 0) return b === 0 ? 0 : b * Math.pow(a, b - 1);
      return a === 0 && b >= 0 ? 0 : out * Math.log(a);
    case S.MAXIMUM: {
      // A tie gives each side one half (torch.maximum).
      const d = which === 0 ? a - b : b - a;
      return d > 0 ? 1 : d === 0 ? 0.5 : 0;
    }
    case S.MINIMUM: {
      const d = which === 0 ? a - b : b - a;
      return d < 0 ? 1 : d === 0 ? 0.5 : 0;
    }
    case S.LEAKY_RELU:
      return a > 0 ? 1 : p;
    case S.SIGMOID:
      return out * (1 - out);
    case S.EXP:
      return out;
    case S.LOG:
      return 1 / a;
    case S.SQRT:
      return 0.5 / out;
    case S.ABS:
      return a > 0 ? 1 : a < 0 ? -1 : 0;
    case S.SOFTPLUS:
      return a > 20 ? 1 : sigmoid(a);
    case S.GELU:
      return 0.5 * (1 + erf(a * INV_SQRT2)) + a * INV_SQRT_2PI * Math.exp(-0.5 * a * a);
    case S.SIN:
      return Math.cos(a);
    case S.COS:
      return -Math.sin(a);
    case S.IDENTITY:
      return 1;
    case S.SQUARE:
      return 2 * a;
    case S.SIGN:
    case S.FLOOR:
    case S.CEIL:
    case S.ROUND:
      // Piecewise constant: PyTorch's gradient is 0 everywhere, also at the jumps.
      return 0;
    case S.LOG2:
      return 1 / (a * Math.LN2);
    case S.LOG10:
      return 1 / (a * Math.LN10);
    case S.LOG1P:
      return 1 / (1 + a);
    case S.EXPM1:
      return out + 1;
    case S.TAN:
      return 1 + out * out;
    case S.RECIPROCAL:
      return -out * out;
    case S.RSQRT:
      return -0.5 * out * out * out;
    case S.SELU:
      // PyTorch's elu_backward: the negative branch at x ≤ 0 (so α·scale at 0).
      return a > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(a);
    case S.SILU: {
      const s = sigmoid(a);
      return s * (1 + a * (1 - s));
    }
    case S.MISH: {
      // PyTorch's mish_backward: tanh(softplus(x)) + x·σ(x)·(1 − tanh²(softplus(x))).
      const t = Math.tanh(softplus0(a));
      return t + a * sigmoid(a) * (1 - t * t);
    }
    case S.RELU6:
      // hardtanh_backward(0, 6): 0 at and beyond the bounds.
      return a <= 0 || a >= 6 ? 0 : 1;
    case S.SOFTSIGN: {
      const d = 1 + Math.abs(a);
      return 1 / (d * d);
    }
    case S.LOGSIGMOID:
      return sigmoid(-a);
    case S.HARDSIGMOID:
      // PyTorch's hardsigmoid_backward multiplies by 1/6 rounded to float32.
      return a > -3 && a < 3 ? ONE_SIXTH_F32 : 0;
    case S.HARDSWISH:
      // PyTorch's vectorised hardswish_backward: 0 below −3, x/3 + ½ on [−3, 3), 1 from 3 on. (Its
      // scalar loop, which only tensors of fewer than 4 elements take, gives 1.5 at exactly 3.)
      return a < -3 ? 0 : a < 3 ? a / 3 + 0.5 : 1;
  }
  return NaN;
}
