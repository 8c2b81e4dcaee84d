/**
 * More of torch.nn.functional, with PyTorch 1.13's values and gradients:
 * - the point-wise losses `l1_loss`, `smooth_l1_loss` {beta}, `huber_loss` {delta} and
 *   `kl_div` {log_target}, with `reduction` 'mean' | 'sum' | 'none' (kl_div also 'batchmean');
 *   input and target broadcast as PyTorch's do;
 * - `multi_margin_loss(x, target[, weight])` {p, margin, reduction}: the multi-class hinge loss;
 * - `cosine_similarity(x1, x2)` {dim, eps} and `normalize(x)` {p, dim, eps}.
 */
import { normalizeAxis } from '../../tensor/reduce';
import { axisBlocks } from '../../tensor/reduce';
import { broadcastIndex, broadcastShapes, formatShape, numel, tensor, unbroadcast, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type Attrs, type ShapeError } from '../op';
import { attrBool, attrNumber, operand, shapeError } from './support';

type Reduction = 'mean' | 'sum' | 'none' | 'batchmean';

function reductionOf(attrs: Attrs): Reduction {
  const r = attrs.reduction;
  return r === 'sum' || r === 'none' || r === 'batchmean' ? r : 'mean';
}

interface PointwiseLoss {
  readonly name: string;
  readonly display: string;
  readonly f: (x: number, t: number, attrs: Attrs) => number;
  /** ∂f/∂x and ∂f/∂t at (x, t). */
  readonly dx: (x: number, t: number, attrs: Attrs) => number;
  readonly dt: (x: number, t: number, attrs: Attrs) => number;
  readonly rule: (x: string, t: string, attrs: Attrs) => [string, string];
  readonly convention: string;
  /** The kink signature of one element (a gradient check's pieces). */
  readonly piece?: (x: number, t: number, attrs: Attrs) => number;
}

const REDUCTION_TEXT: Record<Reduction, string> = {
  mean: ', divided by the number of elements (reduction=mean)',
  sum: ' (reduction=sum)',
  none: ' times ∂L/∂ℓ of each element (reduction=none)',
  batchmean: ', divided by the batch size (reduction=batchmean)',
};

function definePointwise(def: PointwiseLoss): void {
  defineOp({
    name: def.name,
    display: def.display,
    inferShape: ([a, b], attrs) => {
      const s = broadcastShapes(a, b);
      if (!s) return shapeError(`Expected input and target shapes that broadcast for ${def.name}, found ${formatShape(a)} and ${formatShape(b)}.`, { input: 1 });
      return reductionOf(attrs) === 'none' ? s : [];
    },
    forward: ([x, t], attrs) => {
      const shape = broadcastShapes(x.shape, t.shape)!;
      const xi = broadcastIndex(x.shape, shape);
      const ti = broadcastIndex(t.shape, shape);
      const n = numel(shape);
      const r = reductionOf(attrs);
      if (r === 'none') {
        const out = tensor(shape);
        for (let i = 0; i < n; i++) out.data[i] = def.f(x.data[xi[i]], t.data[ti[i]], attrs);
        return out;
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += def.f(x.data[xi[i]], t.data[ti[i]], attrs);
      return tensor([], [r === 'sum' ? s : r === 'batchmean' ? s / (shape.length ? shape[0] : 1) : s / n]);
    },
    backward: (g, [x, t], _out, attrs) => {
      const shape = broadcastShapes(x.shape, t.shape)!;
      const xi = broadcastIndex(x.shape, shape);
      const ti = broadcastIndex(t.shape, shape);
      const n = numel(shape);
      const r = reductionOf(attrs);
      const k = r === 'sum' ? g.data[0] : r === 'batchmean' ? g.data[0] / (shape.length ? shape[0] : 1) : g.data[0] / n;
      const gx = tensor(shape);
      const gt = tensor(shape);
      for (let i = 0; i < n; i++) {
        const s = r === 'none' ? g.data[i] : k;
        const a = x.data[xi[i]];
        const b = t.data[ti[i]];
        gx.data[i] = s * def.dx(a, b, attrs);
        gt.data[i] = s * def.dt(a, b, attrs);
      }
      return [unbroadcast(gx, x.shape), unbroadcast(gt, t.shape)];
    },
    rule: ([x, t], attrs) => {
      const [a, b] = def.rule(operand(x), operand(t), attrs);
      const w = REDUCTION_TEXT[reductionOf(attrs)];
      return [`${a}${w}`, `${b}${w}`];
    },
    kinks: def.piece
      ? ([x, t], attrs) => {
          const shape = broadcastShapes(x.shape, t.shape)!;
          const xi = broadcastIndex(x.shape, shape);
          const ti = broadcastIndex(t.shape, shape);
          const s = new Float64Array(numel(shape));
          for (let i = 0; i < s.length; i++) s[i] = def.piece!(x.data[xi[i]], t.data[ti[i]], attrs);
          return s;
        }
      : undefined,
    convention: def.convention,
    cost: (shapes) => 3 * numel(broadcastShapes(shapes[0], shapes[1]) ?? shapes[0]),
  });
}

const sgn = (v: number): number => (v > 0 ? 1 : v < 0 ? -1 : 0);
const beta = (attrs: Attrs): number => attrNumber(attrs, 'beta', 1);
/** The slope of smooth L1 at difference d, as PyTorch's kernel computes it. */
const smoothL1Slope = (d: number, b: number): number => (d <= -b ? -1 : d >= b ? 1 : d / b);
const delta = (attrs: Attrs): number => attrNumber(attrs, 'delta', 1);

definePointwise({
  name: 'l1_loss',
  display: 'l1_loss',
  f: (x, t) => Math.abs(x - t),
  dx: (x, t) => sgn(x - t),
  dt: (x, t) => -sgn(x - t),
  rule: (x, t) => [`∂ℓ/∂${x} = sign(${x} − ${t})`, `∂ℓ/∂${t} = −sign(${x} − ${t})`],
  convention: 'sign(0) = 0: no gradient where input equals target (as PyTorch).',
  piece: (x, t) => sgn(x - t),
});

definePointwise({
  name: 'smooth_l1_loss',
  display: 'smooth_l1_loss',
  // PyTorch: ½d²/β where |d| < β, else |d| − ½β; β = 0 is l1_loss.
  f: (x, t, attrs) => {
    const b = beta(attrs);
    const z = Math.abs(x - t);
    return b === 0 ? z : z < b ? (0.5 * z * z) / b : z - 0.5 * b;
  },
  // PyTorch's smooth_l1_backward, k(x − t) for the input and k(t − x) for the target: with β = 0
  // both are −1 where x = t (0 ≤ −0), not sign's 0.
  dx: (x, t, attrs) => smoothL1Slope(x - t, beta(attrs)),
  dt: (x, t, attrs) => smoothL1Slope(t - x, beta(attrs)),
  rule: (x, t, attrs) => [
    `∂ℓ/∂${x} = (${x} − ${t})/β where |${x} − ${t}| < β, else sign(${x} − ${t}) (β = ${beta(attrs)})`,
    `∂ℓ/∂${t} = −∂ℓ/∂${x}`,
  ],
  convention: 'at |d| = β the slope is ±1; with β = 0 the loss is |d| and both gradients are −1 where input = target (PyTorch 1.13).',
  piece: (x, t, attrs) => {
    const d = x - t;
    const b = beta(attrs);
    return d < -b ? 0 : d === -b ? 1 : d < b ? 2 : d === b ? 3 : 4;
  },
});

definePointwise({
  name: 'huber_loss',
  display: 'huber_loss',
  // PyTorch: ½d² where |d| < δ, else δ(|d| − ½δ).
  f: (x, t, attrs) => {
    const dl = delta(attrs);
    const z = Math.abs(x - t);
    return z < dl ? 0.5 * z * z : dl * (z - 0.5 * dl);
  },
  dx: (x, t, attrs) => {
    const dl = delta(attrs);
    const d = x - t;
    return d < -dl ? -dl : d > dl ? dl : d;
  },
  dt: (x, t, attrs) => {
    const dl = delta(attrs);
    const d = x - t;
    return d < -dl ? dl : d > dl ? -dl : -d;
  },
  rule: (x, t, attrs) => [`∂ℓ/∂${x} = clamp(${x} − ${t}, −δ, δ) (δ = ${delta(attrs)})`, `∂ℓ/∂${t} = −clamp(${x} − ${t}, −δ, δ)`],
  convention: 'continuous at |d| = δ.',
});

/** t·ln t with 0·ln 0 = 0 (torch.xlogy). */
const xlogx = (t: number): number => (t === 0 ? 0 : t * Math.log(t));

definePointwise({
  name: 'kl_div',
  display: 'kl_div',
  // input is log-probabilities; target probabilities (or log-probabilities with log_target).
  f: (x, t, attrs) => (attrBool(attrs, 'log_target') ? Math.exp(t) * (t - x) : xlogx(t) - t * x),
  dx: (_x, t, attrs) => (attrBool(attrs, 'log_target') ? -Math.exp(t) : -t),
  // d/dt (t ln t − t x) = ln t + 1 − x; with log_target, d/dt e^t (t − x) = e^t (t − x + 1).
  dt: (x, t, attrs) => (attrBool(attrs, 'log_target') ? Math.exp(t) * (t - x + 1) : t === 0 ? NaN : Math.log(t) + 1 - x),
  rule: (x, t, attrs) =>
    attrBool(attrs, 'log_target')
      ? [`∂ℓ/∂${x} = −e^${t}`, `∂ℓ/∂${t} = e^${t}·(${t} − ${x} + 1)`]
      : [`∂ℓ/∂${x} = −${t}`, `∂ℓ/∂${t} = ln ${t} + 1 − ${x}`],
  convention: 'kl_div reads its input as log-probabilities (as PyTorch); 0·ln 0 = 0; reduction=mean divides by every element, batchmean by the batch size.',
});

// ---------------------------------------------------------------- multi_margin_loss

/** Class axis of multi_margin_loss: the last of a 1-D [C] or 2-D [N, C] input. */
function marginShape(shapes: readonly Shape[], attrs: Attrs): Shape | ShapeError {
  const [x, t, w] = shapes;
  if (x.length !== 1 && x.length !== 2) return shapeError(`Expected a multi_margin_loss input of shape [C] or [N, C], found ${formatShape(x)}.`);
  const n = x.length === 2 ? x[0] : 1;
  const tn = t.length === 0 ? 1 : t.length === 1 ? t[0] : -1;
  if (tn !== n || (x.length === 2 && t.length !== 1)) return shapeError(`Expected a multi_margin_loss target of shape [${x.length === 2 ? n : ''}] (class indices), found ${formatShape(t)}.`, { input: 1 });
  if (w && (w.length !== 1 || w[0] !== x[x.length - 1])) return shapeError(`Expected a weight of shape [${x[x.length - 1]}] (one per class), found ${formatShape(w)}.`, { input: 2 });
  const r = reductionOf(attrs);
  return r === 'none' ? (x.length === 2 ? [n] : []) : [];
}

defineOp({
  name: 'multi_margin_loss',
  display: 'multi_margin_loss',
  inferShape: marginShape,
  forward: ([x, t, w], attrs) => {
    const C = x.shape[x.shape.length - 1];
    const N = x.shape.length === 2 ? x.shape[0] : 1;
    const p = attrNumber(attrs, 'p', 1);
    const margin = attrNumber(attrs, 'margin', 1);
    const per = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      const y = t.data[n];
      const xy = x.data[n * C + y];
      let s = 0;
      for (let i = 0; i < C; i++) {
        if (i === y) continue;
        const z = margin - xy + x.data[n * C + i];
        if (z > 0) s += (p === 1 ? z : z * z) * (w ? w.data[y] : 1);
      }
      per[n] = s / C;
    }
    const r = reductionOf(attrs);
    if (r === 'none') return tensor(x.shape.length === 2 ? [N] : [], per);
    let s = 0;
    for (const v of per) s += v;
    return tensor([], [r === 'sum' ? s : s / N]);
  },
  backward: (g, [x, t, w], _out, attrs) => {
    const C = x.shape[x.shape.length - 1];
    const N = x.shape.length === 2 ? x.shape[0] : 1;
    const p = attrNumber(attrs, 'p', 1);
    const margin = attrNumber(attrs, 'margin', 1);
    const r = reductionOf(attrs);
    const gx = tensor(x.shape);
    for (let n = 0; n < N; n++) {
      const y = t.data[n];
      const xy = x.data[n * C + y];
      const k = (r === 'none' ? g.data[n] : r === 'sum' ? g.data[0] : g.data[0] / N) / C;
      const wy = w ? w.data[y] : 1;
      for (let i = 0; i < C; i++) {
        if (i === y) continue;
        const z = margin - xy + x.data[n * C + i];
        if (!(z > 0)) continue;
        const d = k * wy * (p === 1 ? 1 : 2 * z);
        gx.data[n * C + i] += d;
        gx.data[n * C + y] -= d;
      }
    }
    return w ? [gx, null, null] : [gx, null];
  },
  kinks: ([x, t], attrs) => {
    const C = x.shape[x.shape.length - 1];
    const margin = attrNumber(attrs, 'margin', 1);
    const s = new Float64Array(x.data.length);
    for (let i = 0; i < s.length; i++) s[i] = Math.sign(margin - x.data[Math.floor(i / C) * C + t.data[Math.floor(i / C)]] + x.data[i]);
    return s;
  },
  nondiff: [1, 2],
  rule: ([x, t]) => [
    `∂ℓ/∂${operand(x)}ᵢ = w[y]·p·zᵢ^(p−1)/C for each i ≠ ${t} with zᵢ = margin − ${operand(x)}[${t}] + ${operand(x)}ᵢ > 0, and minus their sum at ${t}`,
    `${t}: class indices, not differentiated`,
    'weight: not differentiated (as PyTorch)',
  ],
  convention: 'a margin term exactly at 0 passes no gradient (as PyTorch).',
  cost: (shapes) => 3 * numel(shapes[0]),
});

// ---------------------------------------------------------------- cosine_similarity, normalize

function dimOf(shape: Shape, attrs: Attrs, fallback: number): number | undefined {
  return normalizeAxis(attrNumber(attrs, 'dim', fallback), Math.max(shape.length, 1));
}

defineOp({
  name: 'cosine_similarity',
  display: 'cos_sim',
  inferShape: ([a, b], attrs) => {
    const s = broadcastShapes(a, b);
    if (!s) return shapeError(`Expected shapes that broadcast for cosine_similarity, found ${formatShape(a)} and ${formatShape(b)}.`, { input: 1 });
    const d = normalizeAxis(attrNumber(attrs, 'dim', 1), s.length);
    if (d === undefined) return shapeError(`Expected a dim in [${-s.length}, ${s.length}), found ${attrNumber(attrs, 'dim', 1)}.`, { code: 'shape.axis' });
    return s.filter((_, i) => i !== d);
  },
  forward: ([a, b], attrs) => {
    const { shape, A, B, d } = expandPair(a, b, attrs);
    const { outer, size, inner } = axisBlocks(shape, d);
    const eps = attrNumber(attrs, 'eps', 1e-8);
    const out = tensor(shape.filter((_, i) => i !== d));
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        const { dot, na, nb } = sums(A, B, o, j, size, inner);
        out.data[o * inner + j] = dot / (Math.max(na, eps) * Math.max(nb, eps));
      }
    return out;
  },
  backward: (g, [a, b], _out, attrs) => {
    const { shape, A, B, d } = expandPair(a, b, attrs);
    const { outer, size, inner } = axisBlocks(shape, d);
    const eps = attrNumber(attrs, 'eps', 1e-8);
    const ga = tensor(shape);
    const gb = tensor(shape);
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        const { dot, na, nb } = sums(A, B, o, j, size, inner);
        const ca = Math.max(na, eps);
        const cb = Math.max(nb, eps);
        const gv = g.data[o * inner + j];
        const cos = dot / (ca * cb);
        for (let t = 0; t < size; t++) {
          const i = (o * size + t) * inner + j;
          // ∂cos/∂a = b/(‖a‖‖b‖) − cos·a/‖a‖² (the norm's term vanishes where it is clamped to eps).
          ga.data[i] = gv * (B[i] / (ca * cb) - (na >= eps ? (cos * A[i]) / (ca * ca) : 0));
          gb.data[i] = gv * (A[i] / (ca * cb) - (nb >= eps ? (cos * B[i]) / (cb * cb) : 0));
        }
      }
    return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)];
  },
  rule: ([a, b]) => [
    `∂cos/∂${operand(a)} = ${operand(b)}/(‖${a}‖·‖${b}‖) − cos·${operand(a)}/‖${a}‖²`,
    `∂cos/∂${operand(b)} = ${operand(a)}/(‖${a}‖·‖${b}‖) − cos·${operand(b)}/‖${b}‖²`,
  ],
  convention: 'each norm is clamped below at eps (default 1e-8), as PyTorch 1.13.',
  cost: (shapes) => 6 * numel(broadcastShapes(shapes[0], shapes[1]) ?? shapes[0]),
});

function expandPair(a: Tensor, b: Tensor, attrs: Attrs): { shape: Shape; A: Float64Array; B: Float64Array; d: number } {
  const shape = broadcastShapes(a.shape, b.shape)!;
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const A = new Float64Array(ia.length);
  const B = new Float64Array(ib.length);
  for (let i = 0; i < ia.length; i++) {
    A[i] = a.data[ia[i]];
    B[i] = b.data[ib[i]];
  }
  return { shape, A, B, d: dimOf(shape, attrs, 1)! };
}

function sums(A: Float64Array, B: Float64Array, o: number, j: number, size: number, inner: number): { dot: number; na: number; nb: number } {
  let dot = 0;
  let sa = 0;
  let sb = 0;
  for (let t = 0; t < size; t++) {
    const i = (o * size + t) * inner + j;
    dot += A[i] * B[i];
    sa += A[i] * A[i];
    sb += B[i] * B[i];
  }
  return { dot, na: Math.sqrt(sa), nb: Math.sqrt(sb) };
}

/** The p-norm of one slice. */
function pnorm(x: Float64Array, o: number, j: number, size: number, inner: number, p: number): number {
  let s = 0;
  for (let t = 0; t < size; t++) {
    const a = Math.abs(x[(o * size + t) * inner + j]);
    if (p === Infinity) s = Math.max(s, a);
    else s += p === 2 ? a * a : p === 1 ? a : Math.pow(a, p);
  }
  return p === Infinity || p === 1 ? s : p === 2 ? Math.sqrt(s) : Math.pow(s, 1 / p);
}

defineOp({
  name: 'normalize',
  display: 'normalize',
  inferShape: ([s], attrs) => {
    if (s.length === 0) return shapeError('Expected a tensor with at least one axis for normalize, found a scalar.');
    const d = normalizeAxis(attrNumber(attrs, 'dim', 1), s.length);
    return d === undefined ? shapeError(`Expected a dim in [${-s.length}, ${s.length}), found ${attrNumber(attrs, 'dim', 1)}.`, { code: 'shape.axis' }) : s;
  },
  forward: ([x], attrs) => {
    const d = normalizeAxis(attrNumber(attrs, 'dim', 1), x.shape.length)!;
    const p = attrNumber(attrs, 'p', 2);
    const eps = attrNumber(attrs, 'eps', 1e-12);
    const { outer, size, inner } = axisBlocks(x.shape, d);
    const out = tensor(x.shape);
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        const n = Math.max(pnorm(x.data, o, j, size, inner, p), eps);
        for (let t = 0; t < size; t++) {
          const i = (o * size + t) * inner + j;
          out.data[i] = x.data[i] / n;
        }
      }
    return out;
  },
  backward: (g, [x], _out, attrs) => {
    const d = normalizeAxis(attrNumber(attrs, 'dim', 1), x.shape.length)!;
    const p = attrNumber(attrs, 'p', 2);
    const eps = attrNumber(attrs, 'eps', 1e-12);
    const { outer, size, inner } = axisBlocks(x.shape, d);
    const r = tensor(x.shape);
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        const nr = pnorm(x.data, o, j, size, inner, p);
        const n = Math.max(nr, eps);
        // y = x/n: ∂L/∂x = g/n − (Σ g·x)/n² · ∂‖x‖/∂x, the second term only where the norm is not clamped (clamp_min passes at eps itself).
        let gx = 0;
        for (let t = 0; t < size; t++) {
          const i = (o * size + t) * inner + j;
          gx += g.data[i] * x.data[i];
        }
        const k = nr >= eps ? gx / (n * n) : 0;
        let count = 0;
        if (p === Infinity) for (let t = 0; t < size; t++) if (Math.abs(x.data[(o * size + t) * inner + j]) === nr) count++;
        for (let t = 0; t < size; t++) {
          const i = (o * size + t) * inner + j;
          const v = x.data[i];
          let dn: number;
          if (nr === 0) dn = 0;
          else if (p === 2) dn = v / nr;
          else if (p === 1) dn = sgn(v);
          else if (p === Infinity) dn = Math.abs(v) === nr ? sgn(v) / count : 0;
          else dn = v === 0 ? 0 : (v * Math.pow(Math.abs(v), p - 2)) / Math.pow(nr, p - 1);
          r.data[i] = g.data[i] / n - k * dn;
        }
      }
    return [r];
  },
  rule: ([x], attrs) => [
    `∂L/∂${operand(x)} = ∂L/∂y/‖${x}‖ − (Σ ∂L/∂y·${operand(x)})/‖${x}‖²·∂‖${x}‖/∂${operand(x)} (p = ${attrNumber(attrs, 'p', 2)}, along dim ${attrNumber(attrs, 'dim', 1)})`,
  ],
  convention: 'the norm is clamped below at eps (default 1e-12); where it is, only the first term remains (as PyTorch).',
  cost: (shapes) => 4 * numel(shapes[0]),
});
