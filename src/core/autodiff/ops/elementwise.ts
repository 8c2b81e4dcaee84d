import { broadcastIndex, broadcastShapes, formatShape, mapBinary, sameShape, tensor, unbroadcast, type Shape, type Tensor } from '../../tensor/tensor';
import { erf } from '../../tensor/special';
import { defineOp, type Attrs, type OpDef, type ShapeError } from '../op';
import { S, SELU_ALPHA, SELU_SCALE, scalarAdjoint, scalarForward, scalarPartial } from '../scalar';
import * as y from '../sym';
import type { Sym } from '../sym';

/** Element-wise ops: numpy broadcasting forward, un-broadcast by summation backward. */

export interface ElementwiseDef {
  readonly name: string;
  readonly code: S;
  readonly display: string;
  readonly arity: 1 | 2;
  readonly partials: (o: readonly Sym[], attrs: Attrs) => Sym[];
  readonly rule: (o: readonly string[], attrs: Attrs) => string[];
  readonly kink?: 'input' | 'difference';
  /** Unary ops with kinks elsewhere than 0: the piece of the domain x lies in (a gradient check's signature). */
  readonly kinkOf?: (x: number) => number;
  /** Where the convention matters, when not only at 0 (derivations state it there). */
  readonly atKink?: (x: number) => boolean;
  readonly convention?: string;
}

/** Scalar code of each element-wise op, for the tape's fast path. */
export const SCALAR_CODE = new Map<string, S>();

const param = (attrs: Attrs): number => (typeof attrs.slope === 'number' ? attrs.slope : 0.01);

function broadcastError(op: string, a: Shape, b: Shape): ShapeError {
  const n = Math.max(a.length, b.length);
  let axis = -1;
  for (let i = 1; i <= n; i++) {
    const da = a[a.length - i] ?? 1;
    const db = b[b.length - i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      axis = -i;
      break;
    }
  }
  const da = a[a.length + axis];
  const db = b[b.length + axis];
  // `*` where `@` was meant: the shapes fit matrix multiplication.
  const matmulFits = a.length >= 1 && b.length >= 1 && a[a.length - 1] === (b.length === 1 ? b[0] : b[b.length - 2]);
  const transposeFits = op === '*' && a.length === 2 && b.length === 2 && a[1] === b[1];
  const hint = op === '*' && matmulFits ? 'use-matmul' : undefined;
  let msg = `Expected shapes that broadcast for \`${op}\`, found ${formatShape(a)} and ${formatShape(b)} (axis ${axis}: ${da} ≠ ${db}; numpy broadcasting needs equal sizes or 1).`;
  // A reduced axis that went missing: [3, 4] − [3] wants [3, 1] (keepdims=True).
  const missingAxis = (big: Shape, small: Shape): number => {
    if (big.length !== small.length + 1) return -1;
    for (let k = 0; k < big.length; k++) {
      const without = [...big.slice(0, k), ...big.slice(k + 1)];
      if (without.every((d, i) => d === small[i])) return k;
    }
    return -1;
  };
  const ka = missingAxis(a, b);
  const kb = missingAxis(b, a);
  if (hint) msg += ' Did you mean matrix multiplication `@`?';
  else if (transposeFits) msg += ' Did you mean `@` with a transpose (`a @ b.T`)?';
  else if (ka >= 0 || kb >= 0) {
    const [big, k] = ka >= 0 ? [a, ka] : [b, kb];
    const kept = big.map((d, i) => (i === k ? 1 : d));
    msg += ` Did you mean to keep the reduced axis ${k} (\`keepdims=True\`, shape ${formatShape(kept)})?`;
  }
  return { error: msg, code: 'shape.mismatch', hint };
}

/** How the user writes the operator, for messages. */
const SOURCE_SYMBOL: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/', pow: '^', maximum: 'max', minimum: 'min' };

function makeBinary(def: ElementwiseDef): OpDef {
  const code = def.code;
  return {
    name: def.name,
    display: def.display,
    inferShape: (shapes) => broadcastShapes(shapes[0], shapes[1]) ?? broadcastError(SOURCE_SYMBOL[def.name] ?? def.display, shapes[0], shapes[1]),
    forward: ([a, b], attrs) => {
      const p = param(attrs);
      const out = broadcastShapes(a.shape, b.shape)!;
      return mapBinary(a, b, out, (x, z) => scalarForward(code, x, z, p));
    },
    backward: (g, [a, b], out, attrs) => {
      const p = param(attrs);
      const n = out.data.length;
      const ga = tensor(out.shape);
      const gb = tensor(out.shape);
      const ia = a.data.length === n && sameShape(a.shape, out.shape) ? null : broadcastIndex(a.shape, out.shape);
      const ib = b.data.length === n && sameShape(b.shape, out.shape) ? null : broadcastIndex(b.shape, out.shape);
      const ad = a.data;
      const bd = b.data;
      const od = out.data;
      const gd = g.data;
      for (let i = 0; i < n; i++) {
        const x = ia ? ad[ia[i]] : ad[i];
        const z = ib ? bd[ib[i]] : bd[i];
        ga.data[i] = scalarAdjoint(code, 0, gd[i], x, z, od[i], p);
        gb.data[i] = scalarAdjoint(code, 1, gd[i], x, z, od[i], p);
      }
      return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)];
    },
    partials: def.partials,
    rule: def.rule,
    convention: def.convention,
    kinks:
      def.kink === 'difference'
        ? ([a, b]) => {
            const out = broadcastShapes(a.shape, b.shape)!;
            return mapBinary(a, b, out, (x, z) => Math.sign(x - z)).data;
          }
        : undefined,
    cost: (_s, out) => out.reduce((m, d) => m * d, 1),
  };
}

function makeUnary(def: ElementwiseDef): OpDef {
  const code = def.code;
  return {
    name: def.name,
    display: def.display,
    inferShape: (shapes) => shapes[0],
    forward: ([a], attrs) => {
      const p = param(attrs);
      const out = tensor(a.shape);
      const ad = a.data;
      const od = out.data;
      for (let i = 0; i < ad.length; i++) od[i] = scalarForward(code, ad[i], 0, p);
      return out;
    },
    backward: (g, [a], out, attrs) => {
      const p = param(attrs);
      const r = tensor(a.shape);
      const ad = a.data;
      const od = out.data;
      for (let i = 0; i < ad.length; i++) r.data[i] = scalarAdjoint(code, 0, g.data[i], ad[i], 0, od[i], p);
      return [r];
    },
    partials: def.partials,
    rule: def.rule,
    convention: def.convention,
    atKink: def.atKink,
    kinks:
      def.kink === 'input' || def.kinkOf
        ? ([a]) => {
            const s = new Float64Array(a.data.length);
            const f = def.kinkOf ?? Math.sign;
            for (let i = 0; i < s.length; i++) s[i] = f(a.data[i]);
            return s;
          }
        : undefined,
    cost: (_s, out) => out.reduce((m, d) => m * d, 1),
  };
}

const one = y.num(1);

export const ELEMENTWISE: readonly ElementwiseDef[] = [
  { name: 'add', code: S.ADD, display: '+', arity: 2, partials: () => [one, one], rule: ([a, b]) => [`∂(${a} + ${b})/∂${a} = 1`, `∂(${a} + ${b})/∂${b} = 1`] },
  { name: 'sub', code: S.SUB, display: '−', arity: 2, partials: () => [one, y.num(-1)], rule: ([a, b]) => [`∂(${a} − ${b})/∂${a} = 1`, `∂(${a} − ${b})/∂${b} = −1`] },
  { name: 'mul', code: S.MUL, display: '·', arity: 2, partials: ([a, b]) => [b, a], rule: ([a, b]) => [`∂(${a}·${b})/∂${a} = ${b}`, `∂(${a}·${b})/∂${b} = ${a}`] },
  {
    name: 'div',
    code: S.DIV,
    display: '/',
    arity: 2,
    partials: ([a, b]) => [y.div(one, b), y.neg(y.div(a, y.pow(b, y.num(2))))],
    rule: ([a, b]) => [`∂(${a}/${b})/∂${a} = 1/${b}`, `∂(${a}/${b})/∂${b} = −${a}/${b}²`],
  },
  {
    name: 'pow',
    code: S.POW,
    display: '^',
    arity: 2,
    partials: ([a, b]) => [y.mul(b, y.pow(a, y.sub(b, one))), y.mul(y.pow(a, b), y.call('ln', a))],
    rule: ([a, b]) => [`∂(${a}^${b})/∂${a} = ${b}·${a}^(${b} − 1)`, `∂(${a}^${b})/∂${b} = ${a}^${b}·ln ${a}`],
  },
  {
    name: 'maximum',
    code: S.MAXIMUM,
    display: 'max',
    arity: 2,
    kink: 'difference',
    partials: ([a, b]) => [y.call('H', y.sub(a, b)), y.call('H', y.sub(b, a))],
    rule: ([a, b]) => [`∂max(${a}, ${b})/∂${a} = H(${a} − ${b})`, `∂max(${a}, ${b})/∂${b} = H(${b} − ${a})`],
    convention: 'H is the step function with H(0) = ½: at a tie each side gets ½ (as torch.maximum).',
  },
  {
    name: 'minimum',
    code: S.MINIMUM,
    display: 'min',
    arity: 2,
    kink: 'difference',
    partials: ([a, b]) => [y.call('H', y.sub(b, a)), y.call('H', y.sub(a, b))],
    rule: ([a, b]) => [`∂min(${a}, ${b})/∂${a} = H(${b} − ${a})`, `∂min(${a}, ${b})/∂${b} = H(${a} − ${b})`],
    convention: 'H is the step function with H(0) = ½: at a tie each side gets ½ (as torch.minimum).',
  },
  { name: 'neg', code: S.NEG, display: '−', arity: 1, partials: () => [y.num(-1)], rule: ([a]) => [`∂(−${a})/∂${a} = −1`] },
  {
    name: 'relu',
    code: S.RELU,
    display: 'ReLU',
    arity: 1,
    kink: 'input',
    partials: ([a]) => [y.call("ReLU'", a)],
    rule: ([a]) => [`∂ReLU(${a})/∂${a} = ReLU'(${a}) = 1 if ${a} > 0, else 0`],
    convention: "ReLU'(0) = 0 (as PyTorch).",
  },
  {
    name: 'leaky_relu',
    code: S.LEAKY_RELU,
    display: 'LeakyReLU',
    arity: 1,
    kink: 'input',
    partials: ([a], attrs) => [y.call("LeakyReLU'", a, y.num(param(attrs)))],
    rule: ([a], attrs) => [`∂LeakyReLU(${a})/∂${a} = 1 if ${a} > 0, else ${param(attrs)}`],
    convention: "LeakyReLU'(0) = slope (as PyTorch).",
  },
  {
    name: 'sigmoid',
    code: S.SIGMOID,
    display: 'σ',
    arity: 1,
    partials: ([a]) => [y.mul(y.call('σ', a), y.sub(one, y.call('σ', a)))],
    rule: ([a]) => [`∂σ(${a})/∂${a} = σ(${a})·(1 − σ(${a}))`],
  },
  {
    name: 'tanh',
    code: S.TANH,
    display: 'tanh',
    arity: 1,
    partials: ([a]) => [y.sub(one, y.pow(y.call('tanh', a), y.num(2)))],
    rule: ([a]) => [`∂tanh(${a})/∂${a} = 1 − tanh²(${a})`],
  },
  { name: 'exp', code: S.EXP, display: 'exp', arity: 1, partials: ([a]) => [y.call('exp', a)], rule: ([a]) => [`∂exp(${a})/∂${a} = exp(${a})`] },
  { name: 'log', code: S.LOG, display: 'ln', arity: 1, partials: ([a]) => [y.div(one, a)], rule: ([a]) => [`∂ln(${a})/∂${a} = 1/${a}`] },
  {
    name: 'sqrt',
    code: S.SQRT,
    display: '√',
    arity: 1,
    partials: ([a]) => [y.div(one, y.mul(y.num(2), y.call('√', a)))],
    rule: ([a]) => [`∂√${a}/∂${a} = 1/(2√${a})`],
  },
  {
    name: 'abs',
    code: S.ABS,
    display: 'abs',
    arity: 1,
    kink: 'input',
    partials: ([a]) => [y.call('sign', a)],
    rule: ([a]) => [`∂|${a}|/∂${a} = sign(${a})`],
    convention: "abs'(0) = 0.",
  },
  {
    name: 'softplus',
    code: S.SOFTPLUS,
    display: 'softplus',
    arity: 1,
    partials: ([a]) => [y.call('σ', a)],
    rule: ([a]) => [`∂softplus(${a})/∂${a} = σ(${a})`],
    convention: 'softplus(x) = x for x > 20 (PyTorch threshold).',
  },
  {
    name: 'gelu',
    code: S.GELU,
    display: 'GELU',
    arity: 1,
    partials: ([a]) => [y.add(y.call('Φ', a), y.mul(a, y.call('φ', a)))],
    rule: ([a]) => [`∂GELU(${a})/∂${a} = Φ(${a}) + ${a}·φ(${a})`],
    convention: 'GELU(x) = x·Φ(x), the exact erf form; Φ, φ are the standard normal CDF and density.',
  },
  { name: 'sin', code: S.SIN, display: 'sin', arity: 1, partials: ([a]) => [y.call('cos', a)], rule: ([a]) => [`∂sin(${a})/∂${a} = cos(${a})`] },
  { name: 'cos', code: S.COS, display: 'cos', arity: 1, partials: ([a]) => [y.neg(y.call('sin', a))], rule: ([a]) => [`∂cos(${a})/∂${a} = −sin(${a})`] },
  { name: 'identity', code: S.IDENTITY, display: 'id', arity: 1, partials: () => [one], rule: ([a]) => [`∂${a}/∂${a} = 1`] },
  { name: 'square', code: S.SQUARE, display: 'square', arity: 1, partials: ([a]) => [y.mul(y.num(2), a)], rule: ([a]) => [`∂(${a}²)/∂${a} = 2·${a}`] },
  ...(['sign', 'floor', 'ceil', 'round'] as const).map(
    (name): ElementwiseDef => ({
      name,
      code: { sign: S.SIGN, floor: S.FLOOR, ceil: S.CEIL, round: S.ROUND }[name],
      display: name,
      arity: 1,
      // The pieces: a jump between two of them is where a gradient check must not look.
      kinkOf: name === 'sign' ? Math.sign : name === 'floor' ? Math.floor : name === 'ceil' ? Math.ceil : (x: number) => Math.floor(x + 0.5),
      atKink: name === 'sign' ? (x: number) => x === 0 : name === 'round' ? (x: number) => x - Math.floor(x) === 0.5 : Number.isInteger,
      partials: () => [y.num(0)],
      rule: ([a]) => [`∂${name}(${a})/∂${a} = 0 (piecewise constant; 0 also at the jumps, as PyTorch)`],
      convention: `${name}′ = 0 everywhere, also where ${name} jumps (as PyTorch).`,
    }),
  ),
  {
    name: 'log2',
    code: S.LOG2,
    display: 'log₂',
    arity: 1,
    partials: ([a]) => [y.div(one, y.mul(a, y.call('ln', y.num(2))))],
    rule: ([a]) => [`∂log₂(${a})/∂${a} = 1/(${a}·ln 2)`],
  },
  {
    name: 'log10',
    code: S.LOG10,
    display: 'log₁₀',
    arity: 1,
    partials: ([a]) => [y.div(one, y.mul(a, y.call('ln', y.num(10))))],
    rule: ([a]) => [`∂log₁₀(${a})/∂${a} = 1/(${a}·ln 10)`],
  },
  { name: 'log1p', code: S.LOG1P, display: 'log1p', arity: 1, partials: ([a]) => [y.div(one, y.add(one, a))], rule: ([a]) => [`∂ln(1 + ${a})/∂${a} = 1/(1 + ${a})`] },
  { name: 'expm1', code: S.EXPM1, display: 'expm1', arity: 1, partials: ([a]) => [y.call('exp', a)], rule: ([a]) => [`∂(e^${a} − 1)/∂${a} = exp(${a})`] },
  {
    name: 'tan',
    code: S.TAN,
    display: 'tan',
    arity: 1,
    partials: ([a]) => [y.add(one, y.pow(y.call('tan', a), y.num(2)))],
    rule: ([a]) => [`∂tan(${a})/∂${a} = 1 + tan²(${a})`],
  },
  {
    name: 'reciprocal',
    code: S.RECIPROCAL,
    display: 'reciprocal',
    arity: 1,
    partials: ([a]) => [y.neg(y.div(one, y.pow(a, y.num(2))))],
    rule: ([a]) => [`∂(1/${a})/∂${a} = −1/${a}²`],
  },
  {
    name: 'rsqrt',
    code: S.RSQRT,
    display: 'rsqrt',
    arity: 1,
    partials: ([a]) => [y.neg(y.div(one, y.mul(y.num(2), y.pow(a, y.num(1.5)))))],
    rule: ([a]) => [`∂(1/√${a})/∂${a} = −1/(2·${a}^1.5)`],
  },
  {
    name: 'selu',
    code: S.SELU,
    display: 'SELU',
    arity: 1,
    kink: 'input',
    partials: ([a]) => [y.call("SELU'", a)],
    rule: ([a]) => [`∂SELU(${a})/∂${a} = λ if ${a} > 0, else λ·α·e^${a} (λ = ${SELU_SCALE}, α = ${SELU_ALPHA})`],
    convention: "SELU'(0) = λ·α, the negative branch (as PyTorch's elu_backward).",
  },
  {
    name: 'silu',
    code: S.SILU,
    display: 'SiLU',
    arity: 1,
    partials: ([a]) => [y.mul(y.call('σ', a), y.add(one, y.mul(a, y.sub(one, y.call('σ', a)))))],
    rule: ([a]) => [`∂(${a}·σ(${a}))/∂${a} = σ(${a})·(1 + ${a}·(1 − σ(${a})))`],
  },
  {
    name: 'mish',
    code: S.MISH,
    display: 'Mish',
    arity: 1,
    partials: ([a]) => [y.call("Mish'", a)],
    rule: ([a]) => [`∂Mish(${a})/∂${a} = t + ${a}·σ(${a})·(1 − t²), t = tanh(softplus(${a}))`],
  },
  {
    name: 'relu6',
    code: S.RELU6,
    display: 'ReLU6',
    arity: 1,
    kinkOf: (x) => (x <= 0 ? 0 : x >= 6 ? 2 : 1),
    atKink: (x) => x === 0 || x === 6,
    partials: ([a]) => [y.call("ReLU6'", a)],
    rule: ([a]) => [`∂ReLU6(${a})/∂${a} = 1 if 0 < ${a} < 6, else 0`],
    convention: "ReLU6'(0) = ReLU6'(6) = 0 (as PyTorch's hardtanh_backward).",
  },
  {
    name: 'softsign',
    code: S.SOFTSIGN,
    display: 'softsign',
    arity: 1,
    partials: ([a]) => [y.div(one, y.pow(y.add(one, y.call('abs', a)), y.num(2)))],
    rule: ([a]) => [`∂(${a}/(1 + |${a}|))/∂${a} = 1/(1 + |${a}|)²`],
  },
  {
    name: 'logsigmoid',
    code: S.LOGSIGMOID,
    display: 'logσ',
    arity: 1,
    partials: ([a]) => [y.call('σ', y.neg(a))],
    rule: ([a]) => [`∂ln σ(${a})/∂${a} = σ(−${a}) = 1 − σ(${a})`],
  },
  {
    name: 'hardsigmoid',
    code: S.HARDSIGMOID,
    display: 'hardsigmoid',
    arity: 1,
    kinkOf: (x) => (x <= -3 ? 0 : x >= 3 ? 2 : 1),
    atKink: (x) => x === -3 || x === 3,
    partials: ([a]) => [y.call("hardsigmoid'", a)],
    rule: ([a]) => [`∂hardsigmoid(${a})/∂${a} = 1/6 if −3 < ${a} < 3, else 0 (1/6 rounded to float32, as PyTorch)`],
    convention: "hardsigmoid'(±3) = 0 (as PyTorch).",
  },
  {
    name: 'hardswish',
    code: S.HARDSWISH,
    display: 'hardswish',
    arity: 1,
    kinkOf: (x) => (x < -3 ? 0 : x < 3 ? 1 : 2),
    atKink: (x) => x === -3 || x === 3,
    partials: ([a]) => [y.call("hardswish'", a)],
    rule: ([a]) => [`∂hardswish(${a})/∂${a} = 0 if ${a} < −3, ${a}/3 + ½ if −3 ≤ ${a} < 3, 1 if ${a} ≥ 3`],
    convention: "hardswish'(−3) = −½ and hardswish'(3) = 1 (PyTorch's vectorised kernel; its scalar loop, for tensors of fewer than 4 elements, gives 1.5 at 3).",
  },
];

for (const def of ELEMENTWISE) {
  SCALAR_CODE.set(def.name, def.code);
  defineOp(def.arity === 2 ? makeBinary(def) : makeUnary(def));
}

/**
 * Element-wise ops of one input with options the scalar kernels' single parameter cannot hold:
 * `softplus_beta` {beta, threshold} and `gelu_tanh` (GELU's tanh approximation). The built-ins
 * use them only when an option differs from its default, so `softplus(x)` and `gelu(x)` keep
 * their scalar kernels. Scalars take the tape's general path.
 */
export interface OptionUnaryDef {
  readonly name: string;
  readonly display: string;
  readonly f: (x: number, attrs: Attrs) => number;
  /** dy/dx from x and y = f(x). */
  readonly df: (x: number, y: number, attrs: Attrs) => number;
  readonly partials: (o: readonly Sym[], attrs: Attrs) => Sym[];
  readonly rule: (o: readonly string[], attrs: Attrs) => string[];
  readonly convention?: string;
}

function makeOptionUnary(def: OptionUnaryDef): OpDef {
  return {
    name: def.name,
    display: def.display,
    inferShape: (shapes) => shapes[0],
    forward: ([a], attrs) => {
      const out = tensor(a.shape);
      for (let i = 0; i < a.data.length; i++) out.data[i] = def.f(a.data[i], attrs);
      return out;
    },
    backward: (g, [a], out, attrs) => {
      const r = tensor(a.shape);
      for (let i = 0; i < a.data.length; i++) r.data[i] = g.data[i] * def.df(a.data[i], out.data[i], attrs);
      return [r];
    },
    freshGradients: true,
    partials: def.partials,
    rule: def.rule,
    convention: def.convention,
    cost: (_s, out) => 4 * out.reduce((m, d) => m * d, 1),
  };
}

const softplusBeta = (attrs: Attrs): number => (typeof attrs.beta === 'number' ? attrs.beta : 1);
const softplusThreshold = (attrs: Attrs): number => (typeof attrs.threshold === 'number' ? attrs.threshold : 20);
/** √(2/π) and the cubic coefficient of GELU's tanh approximation (PyTorch's kBeta, kKappa). */
const GELU_K = Math.SQRT2 * (2 / Math.sqrt(Math.PI)) * 0.5;
const GELU_C = 0.044715;

export const OPTION_ELEMENTWISE: readonly OptionUnaryDef[] = [
  {
    name: 'softplus_beta',
    display: 'softplus',
    // PyTorch: x where β·x > threshold, else log1p(exp(β·x))/β; backward z/(z + 1) with z = exp(β·x).
    f: (x, attrs) => {
      const b = softplusBeta(attrs);
      return x * b > softplusThreshold(attrs) ? x : Math.log1p(Math.exp(x * b)) / b;
    },
    df: (x, _y, attrs) => {
      const b = softplusBeta(attrs);
      if (x * b > softplusThreshold(attrs)) return 1;
      const z = Math.exp(x * b);
      return z / (z + 1);
    },
    partials: ([a], attrs) => [y.call('σ', y.mul(y.num(softplusBeta(attrs)), a))],
    rule: ([a], attrs) => {
      const b = softplusBeta(attrs);
      return [`∂softplus(${a})/∂${a} = σ(${b}·${a}) (β = ${b}; 1 where ${b}·${a} > ${softplusThreshold(attrs)}, the threshold)`];
    },
    convention: 'softplus(x) = ln(1 + e^(β·x))/β, and x itself where β·x > threshold (PyTorch; defaults β = 1, threshold = 20).',
  },
  {
    name: 'gelu_tanh',
    display: 'GELU',
    // PyTorch's GeluKernel (approximate='tanh'): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    f: (x) => 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_C * x * x * x))),
    df: (x) => {
      const t = Math.tanh(GELU_K * (x + GELU_C * x * x * x));
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * (GELU_K * (1 + 3 * GELU_C * x * x));
    },
    partials: ([a]) => {
      const t = y.call('tanh', y.mul(y.num(GELU_K), y.add(a, y.mul(y.num(GELU_C), y.pow(a, y.num(3))))));
      const outer = y.mul(y.num(0.5), y.add(one, t));
      const inner = y.mul(y.mul(y.mul(y.num(0.5), a), y.sub(one, y.pow(t, y.num(2)))), y.mul(y.num(GELU_K), y.add(one, y.mul(y.num(3 * GELU_C), y.pow(a, y.num(2))))));
      return [y.add(outer, inner)];
    },
    rule: ([a]) => [
      `∂GELU(${a})/∂${a} = ½(1 + tanh u) + ½${a}·(1 − tanh²u)·√(2/π)·(1 + 3·0.044715·${a}²), u = √(2/π)·(${a} + 0.044715·${a}³)  (approximate='tanh')`,
    ],
    convention: "GELU with approximate='tanh': ½x(1 + tanh(√(2/π)(x + 0.044715x³))), as PyTorch.",
  },
];

const eluAlpha = (attrs: Attrs): number => (typeof attrs.alpha === 'number' ? attrs.alpha : 1);
/** A bound of clamp/hardtanh: a number, or absent (±∞). */
const bound = (attrs: Attrs, name: string, fallback: number): number => (typeof attrs[name] === 'number' ? (attrs[name] as number) : fallback);
const fmtBound = (v: number): string => (v === Infinity ? '∞' : v === -Infinity ? '−∞' : String(v).replace(/^-/, '−'));

/** Element-wise ops whose options are read from attrs: elu's α, hardtanh's and clamp's bounds. */
export const BOUNDED_ELEMENTWISE: readonly OptionUnaryDef[] = [
  {
    name: 'elu',
    display: 'ELU',
    // PyTorch: x for x > 0, α·(e^x − 1) otherwise; elu_backward takes the negative branch at 0.
    f: (x, attrs) => (x > 0 ? x : eluAlpha(attrs) * Math.expm1(x)),
    df: (x, _y, attrs) => (x > 0 ? 1 : eluAlpha(attrs) * Math.exp(x)),
    partials: ([a], attrs) => [y.call("ELU'", a, y.num(eluAlpha(attrs)))],
    rule: ([a], attrs) => [`∂ELU(${a})/∂${a} = 1 if ${a} > 0, else α·e^${a} (α = ${eluAlpha(attrs)})`],
    convention: "ELU'(0) = α, the negative branch (as PyTorch's elu_backward).",
  },
  {
    name: 'hardtanh',
    display: 'hardtanh',
    f: (x, attrs) => {
      const lo = bound(attrs, 'min', -1);
      const hi = bound(attrs, 'max', 1);
      return x < lo ? lo : x > hi ? hi : x;
    },
    // PyTorch's hardtanh_backward: 0 where x ≤ min or x ≥ max (the bounds included).
    df: (x, _y, attrs) => (x > bound(attrs, 'min', -1) && x < bound(attrs, 'max', 1) ? 1 : 0),
    partials: ([a], attrs) => [y.call("hardtanh'", a, y.num(bound(attrs, 'min', -1)), y.num(bound(attrs, 'max', 1)))],
    rule: ([a], attrs) => [`∂hardtanh(${a})/∂${a} = 1 if ${fmtBound(bound(attrs, 'min', -1))} < ${a} < ${fmtBound(bound(attrs, 'max', 1))}, else 0`],
    convention: "hardtanh' = 0 at both bounds (as PyTorch's hardtanh_backward).",
  },
  {
    name: 'clamp',
    display: 'clamp',
    // torch.clamp: min first, then max (so max wins when min > max, as PyTorch and numpy).
    f: (x, attrs) => {
      if (x !== x) return x;
      const lo = bound(attrs, 'min', -Infinity);
      const hi = bound(attrs, 'max', Infinity);
      return Math.min(Math.max(x, lo), hi);
    },
    // PyTorch's clamp_backward: the gradient passes where min ≤ x ≤ max (the bounds included).
    df: (x, _y, attrs) => (x >= bound(attrs, 'min', -Infinity) && x <= bound(attrs, 'max', Infinity) ? 1 : 0),
    partials: ([a], attrs) => [y.call("clamp'", a, y.num(bound(attrs, 'min', -Infinity)), y.num(bound(attrs, 'max', Infinity)))],
    rule: ([a], attrs) => [`∂clamp(${a})/∂${a} = 1 if ${fmtBound(bound(attrs, 'min', -Infinity))} ≤ ${a} ≤ ${fmtBound(bound(attrs, 'max', Infinity))}, else 0`],
    convention: "clamp' = 1 at the bounds themselves (as PyTorch's clamp_backward).",
  },
];

for (const def of OPTION_ELEMENTWISE) defineOp(makeOptionUnary(def));
for (const def of BOUNDED_ELEMENTWISE) {
  const op = makeOptionUnary(def);
  // The pieces of the domain: below, inside, above the bounds (ELU: the sign).
  const kinks = (inputs: readonly Tensor[], attrs: Attrs): Float64Array => {
    const a = inputs[0];
    const s = new Float64Array(a.data.length);
    const lo = def.name === 'elu' ? 0 : bound(attrs, 'min', def.name === 'clamp' ? -Infinity : -1);
    const hi = def.name === 'elu' ? Infinity : bound(attrs, 'max', def.name === 'clamp' ? Infinity : 1);
    for (let i = 0; i < s.length; i++) s[i] = a.data[i] < lo ? 0 : a.data[i] === lo ? 1 : a.data[i] < hi ? 2 : a.data[i] === hi ? 3 : 4;
    return s;
  };
  defineOp({ ...op, kinks });
}

/** Evaluates a symbolic expression numerically (variables from `env`). */
export function evalSym(s: Sym, env: (name: string) => number): number {
  switch (s.k) {
    case 'num':
      return s.v;
    case 'var':
      return env(s.name);
    case 'neg':
      return -evalSym(s.a, env);
    case 'bin': {
      const a = evalSym(s.a, env);
      const b = evalSym(s.b, env);
      switch (s.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '^':
          return Math.pow(a, b);
      }
      return NaN;
    }
    case 'call': {
      // A call with options (`softplus(x, beta=2)`: an argument `beta=`(2)) or an opaque part
      // has no formula here: NaN, and the caller reads the value off the tape.
      if (s.f === '⟨expr⟩' || s.args.some((x) => x.k === 'call' && x.f.endsWith('='))) return NaN;
      const a = s.args.map((x) => evalSym(x, env));
      // An argument with no value leaves none (H(NaN) is not 0): the caller reads the tape instead.
      if (a.some((v) => Number.isNaN(v))) return NaN;
      const x = a[0];
      switch (s.f) {
        case 'ReLU':
          return scalarForward(S.RELU, x, 0, 0);
        case "ReLU'":
          return x > 0 ? 1 : 0;
        case 'LeakyReLU':
          return scalarForward(S.LEAKY_RELU, x, 0, a[1]);
        case "LeakyReLU'":
          return x > 0 ? 1 : a[1];
        case 'σ':
          return scalarForward(S.SIGMOID, x, 0, 0);
        case 'tanh':
          return Math.tanh(x);
        case 'exp':
          return Math.exp(x);
        case 'ln':
          return Math.log(x);
        case '√':
          return Math.sqrt(x);
        case 'abs':
          return Math.abs(x);
        case 'sign':
          return Math.sign(x);
        case 'H':
          return x > 0 ? 1 : x === 0 ? 0.5 : 0;
        case 'softplus':
          return scalarForward(S.SOFTPLUS, x, 0, 0);
        case 'GELU':
          return scalarForward(S.GELU, x, 0, 0);
        case 'Φ':
          return 0.5 * (1 + erf(x * Math.SQRT1_2));
        case 'φ':
          return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
        case 'sin':
          return Math.sin(x);
        case 'cos':
          return Math.cos(x);
        case 'tan':
          return Math.tan(x);
        case "SELU'":
          return scalarPartial(S.SELU, 0, x, 0, 0, 0);
        case "Mish'":
          return scalarPartial(S.MISH, 0, x, 0, 0, 0);
        case "ReLU6'":
          return scalarPartial(S.RELU6, 0, x, 0, 0, 0);
        case "hardsigmoid'":
          return scalarPartial(S.HARDSIGMOID, 0, x, 0, 0, 0);
        case "hardswish'":
          return scalarPartial(S.HARDSWISH, 0, x, 0, 0, 0);
        case "ELU'":
          return x > 0 ? 1 : a[1] * Math.exp(x);
        case "hardtanh'":
          return x > a[1] && x < a[2] ? 1 : 0;
        case "clamp'":
          return x >= a[1] && x <= a[2] ? 1 : 0;
        case 'max':
          return Math.max(x, a[1]);
        case 'min':
          return Math.min(x, a[1]);
      }
      return NaN;
    }
  }
}
