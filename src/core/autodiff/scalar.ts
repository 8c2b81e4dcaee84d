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
  }
  return NaN;
}
