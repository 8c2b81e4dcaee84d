/**
 * Reductions beyond sum/mean/max/min: `var`, `std` (attrs {axis, keepdims, correction}),
 * `prod`, `logsumexp`, `norm` ({ord}), `argmax`/`argmin` (no gradient), and the scans
 * `cumsum`/`cumprod` ({axis}: one axis, or null for the flattened input as numpy).
 * Gradients follow PyTorch 1.13's formulas, zeros and ties included (see each op).
 */
import { axisBlocks, countReduced, normalizeAxis, reducedShape, reductionAxes, reductionIndex } from '../../tensor/reduce';
import { numel, tensor, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type Attrs, type OpDef, type ShapeError } from '../op';
import { attrAxes, attrBool, attrNumber, operand, shapeError } from './support';

function axesOf(shape: Shape, attrs: Attrs): number[] | ShapeError {
  const r = reductionAxes(attrAxes(attrs), shape.length);
  return typeof r === 'string' ? shapeError(r, { code: 'shape.axis' }) : r;
}

function axes(shape: Shape, attrs: Attrs): number[] {
  const r = reductionAxes(attrAxes(attrs), shape.length);
  if (typeof r === 'string') throw new Error(`internal: ${r}`);
  return r;
}

function inferReduced(shapes: readonly Shape[], attrs: Attrs): Shape | ShapeError {
  const a = axesOf(shapes[0], attrs);
  if (!Array.isArray(a)) return a;
  return reducedShape(shapes[0], a, attrBool(attrs, 'keepdims'));
}

function axisText(attrs: Attrs): string {
  const a = attrAxes(attrs);
  return a === null ? 'all elements' : `axis ${Array.isArray(a) ? a.join(', ') : a}`;
}

const elements = (shapes: readonly Shape[]): number => numel(shapes[0]);

/** Per output element: the mean of its slice (a keepdims-sized array, indexed by reductionIndex). */
function slotMeans(x: Tensor, idx: Int32Array, m: number, n: number): Float64Array {
  const mean = new Float64Array(m);
  for (let i = 0; i < x.data.length; i++) mean[idx[i]] += x.data[i];
  for (let o = 0; o < m; o++) mean[o] /= n;
  return mean;
}

/** The variance (or, with `root`, the standard deviation) with divisor max(n − correction, 0), as PyTorch. */
function varianceOp(name: 'var' | 'std'): OpDef {
  const root = name === 'std';
  const sym = root ? 'σ' : 'σ²';
  return {
    name,
    display: name,
    inferShape: inferReduced,
    forward: ([x], attrs) => {
      const ax = axes(x.shape, attrs);
      const out = tensor(reducedShape(x.shape, ax, attrBool(attrs, 'keepdims')));
      const idx = reductionIndex(x.shape, ax);
      const n = countReduced(x.shape, ax);
      const mean = slotMeans(x, idx, out.data.length, n);
      const ss = new Float64Array(out.data.length);
      for (let i = 0; i < x.data.length; i++) {
        const d = x.data[i] - mean[idx[i]];
        ss[idx[i]] += d * d;
      }
      const div = Math.max(n - attrNumber(attrs, 'correction', 0), 0);
      for (let o = 0; o < ss.length; o++) out.data[o] = root ? Math.sqrt(ss[o] / div) : ss[o] / div;
      return out;
    },
    backward: (g, [x], out, attrs) => {
      const ax = axes(x.shape, attrs);
      const idx = reductionIndex(x.shape, ax);
      const n = countReduced(x.shape, ax);
      const mean = slotMeans(x, idx, out.data.length, n);
      const div = Math.max(n - attrNumber(attrs, 'correction', 0), 0);
      const r = tensor(x.shape);
      for (let i = 0; i < x.data.length; i++) {
        const o = idx[i];
        // var: 2(x − x̄)/(n − c); std: that times 1/(2σ) (PyTorch's std_backward: NaN where σ = 0).
        const gv = root ? g.data[o] / (2 * out.data[o]) : g.data[o];
        r.data[i] = (gv * 2 * (x.data[i] - mean[o])) / div;
      }
      return [r];
    },
    freshGradients: true,
    rule: ([x], attrs) => {
      const c = attrNumber(attrs, 'correction', 0);
      const d = c === 0 ? 'n' : `n − ${c}`;
      return [
        root
          ? `∂σ/∂${operand(x)}ᵢ = (${operand(x)}ᵢ − x̄)/((${d})·σ) over ${axisText(attrs)} (σ = 0 gives NaN, as PyTorch)`
          : `∂σ²/∂${operand(x)}ᵢ = 2(${operand(x)}ᵢ − x̄)/(${d}) over ${axisText(attrs)}`,
      ];
    },
    convention: `${sym} divides by n − correction (numpy's ddof, PyTorch's correction/unbiased).`,
    cost: (s) => 3 * elements(s),
  };
}

defineOp(varianceOp('var'));
defineOp(varianceOp('std'));

defineOp({
  name: 'prod',
  display: 'prod',
  inferShape: inferReduced,
  forward: ([x], attrs) => {
    const ax = axes(x.shape, attrs);
    const out = tensor(reducedShape(x.shape, ax, attrBool(attrs, 'keepdims')));
    out.data.fill(1);
    const idx = reductionIndex(x.shape, ax);
    for (let i = 0; i < x.data.length; i++) out.data[idx[i]] *= x.data[i];
    return out;
  },
  backward: (g, [x], out, attrs) => {
    const ax = axes(x.shape, attrs);
    const idx = reductionIndex(x.shape, ax);
    const m = out.data.length;
    const zeros = new Int32Array(m);
    for (let i = 0; i < x.data.length; i++) if (x.data[i] === 0) zeros[idx[i]]++;
    // The product of the others for the slices with one zero (PyTorch's prod_safe_zeros_backward).
    const others = new Float64Array(m).fill(1);
    for (let i = 0; i < x.data.length; i++) if (zeros[idx[i]] === 1 && x.data[i] !== 0) others[idx[i]] *= x.data[i];
    const r = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) {
      const o = idx[i];
      const z = zeros[o];
      // No zero: g·prod/x (PyTorch's prod_backward); one zero: only the zero gets g·(product of the others); more: 0.
      r.data[i] = z === 0 ? g.data[o] * (out.data[o] / x.data[i]) : z === 1 && x.data[i] === 0 ? g.data[o] * others[o] : 0;
    }
    return [r];
  },
  freshGradients: true,
  rule: ([x], attrs) => [`∂prod/∂${operand(x)}ᵢ = product of the other elements of ${axisText(attrs)} (0 for every element when two are 0)`],
  kinks: ([x]) => x.data.map((v) => (v === 0 ? 0 : 1)),
  cost: elements,
});

defineOp({
  name: 'logsumexp',
  display: 'logsumexp',
  inferShape: inferReduced,
  forward: ([x], attrs) => {
    const ax = axes(x.shape, attrs);
    const out = tensor(reducedShape(x.shape, ax, attrBool(attrs, 'keepdims')));
    const idx = reductionIndex(x.shape, ax);
    const m = out.data.length;
    const mx = new Float64Array(m).fill(-Infinity);
    for (let i = 0; i < x.data.length; i++) if (x.data[i] > mx[idx[i]] || x.data[i] !== x.data[i]) mx[idx[i]] = x.data[i];
    // PyTorch: an infinite maximum is not subtracted (so logsumexp([−∞, −∞]) = −∞, not NaN).
    for (let o = 0; o < m; o++) if (!Number.isFinite(mx[o]) && mx[o] === mx[o]) mx[o] = 0;
    const s = new Float64Array(m);
    for (let i = 0; i < x.data.length; i++) s[idx[i]] += Math.exp(x.data[i] - mx[idx[i]]);
    for (let o = 0; o < m; o++) out.data[o] = Math.log(s[o]) + mx[o];
    return out;
  },
  backward: (g, [x], out, attrs) => {
    const idx = reductionIndex(x.shape, axes(x.shape, attrs));
    const r = tensor(x.shape);
    for (let i = 0; i < x.data.length; i++) r.data[i] = g.data[idx[i]] * Math.exp(x.data[i] - out.data[idx[i]]);
    return [r];
  },
  freshGradients: true,
  rule: ([x], attrs) => [`∂logsumexp/∂${operand(x)}ᵢ = e^(${operand(x)}ᵢ − logsumexp) = softmax(${operand(x)})ᵢ over ${axisText(attrs)}`],
  cost: (s) => 3 * elements(s),
});

/** The vector norm's order: a number, ±Infinity, or 'fro' (= 2). */
function ordOf(attrs: Attrs): number {
  const v = attrs.ord;
  return typeof v === 'number' ? v : 2;
}

function ordText(p: number): string {
  return p === Infinity ? '∞' : p === -Infinity ? '−∞' : String(p);
}

defineOp({
  name: 'norm',
  display: 'norm',
  inferShape: inferReduced,
  forward: ([x], attrs) => {
    const ax = axes(x.shape, attrs);
    const p = ordOf(attrs);
    const out = tensor(reducedShape(x.shape, ax, attrBool(attrs, 'keepdims')));
    const idx = reductionIndex(x.shape, ax);
    const od = out.data;
    if (p === Infinity || p === -Infinity) {
      od.fill(p > 0 ? 0 : Infinity);
      for (let i = 0; i < x.data.length; i++) {
        const a = Math.abs(x.data[i]);
        const o = idx[i];
        if (a !== a || (p > 0 ? a > od[o] : a < od[o])) od[o] = a;
      }
      return out;
    }
    for (let i = 0; i < x.data.length; i++) {
      const a = Math.abs(x.data[i]);
      od[idx[i]] += p === 0 ? (a !== 0 ? 1 : 0) : p === 1 ? a : p === 2 ? a * a : Math.pow(a, p);
    }
    if (p !== 0 && p !== 1) for (let o = 0; o < od.length; o++) od[o] = p === 2 ? Math.sqrt(od[o]) : Math.pow(od[o], 1 / p);
    return out;
  },
  backward: (g, [x], out, attrs) => {
    const ax = axes(x.shape, attrs);
    const p = ordOf(attrs);
    const idx = reductionIndex(x.shape, ax);
    const r = tensor(x.shape);
    const rd = r.data;
    if (p === 0) return [r];
    if (p === Infinity || p === -Infinity) {
      // PyTorch: sign(x)·g/count at the elements whose |x| equals the norm (ties share), 0 elsewhere.
      const count = new Float64Array(out.data.length);
      for (let i = 0; i < x.data.length; i++) if (Math.abs(x.data[i]) === out.data[idx[i]]) count[idx[i]]++;
      for (let i = 0; i < x.data.length; i++) {
        const o = idx[i];
        if (Math.abs(x.data[i]) === out.data[o]) rd[i] = (Math.sign(x.data[i]) * g.data[o]) / count[o];
      }
      return [r];
    }
    for (let i = 0; i < x.data.length; i++) {
      const o = idx[i];
      const v = x.data[i];
      const n = out.data[o];
      if (p === 1) rd[i] = Math.sign(v) * g.data[o];
      // PyTorch's norm_backward: x·|x|^(p−2)·g/‖x‖^(p−1), and 0 where the norm is 0.
      else if (n === 0) rd[i] = 0;
      else if (p === 2) rd[i] = (v * g.data[o]) / n;
      else rd[i] = v === 0 ? 0 : (v * Math.pow(Math.abs(v), p - 2) * g.data[o]) / Math.pow(n, p - 1);
    }
    return [r];
  },
  freshGradients: true,
  rule: ([x], attrs) => {
    const p = ordOf(attrs);
    const a = operand(x);
    if (p === 2) return [`∂‖${a}‖/∂${a}ᵢ = ${a}ᵢ/‖${a}‖ over ${axisText(attrs)} (0 where ‖${a}‖ = 0, as PyTorch)`];
    if (p === 1) return [`∂‖${a}‖₁/∂${a}ᵢ = sign(${a}ᵢ) over ${axisText(attrs)}`];
    if (p === 0) return [`∂‖${a}‖₀/∂${a}ᵢ = 0 (a count)`];
    if (!Number.isFinite(p)) return [`∂‖${a}‖_${ordText(p)}/∂${a}ᵢ = sign(${a}ᵢ) at the elements whose |${a}ᵢ| is the norm (ties share), 0 elsewhere`];
    return [`∂‖${a}‖_${p}/∂${a}ᵢ = ${a}ᵢ·|${a}ᵢ|^${p - 2}/‖${a}‖^${p - 1} over ${axisText(attrs)} (0 where the norm is 0)`];
  },
  kinks: ([x]) => x.data.map((v) => Math.sign(v)),
  convention: "the gradient of a norm at the zero vector is 0 (as PyTorch); sign(0) = 0 for ord 1.",
  cost: (s) => 2 * elements(s),
});

/** argmax/argmin: the first index of the extremum over one axis or over the flattened input. */
function argOp(name: 'argmax' | 'argmin'): OpDef {
  const sign = name === 'argmax' ? 1 : -1;
  const inferShape = (shapes: readonly Shape[], attrs: Attrs): Shape | ShapeError => {
    const s = shapes[0];
    const a = attrs.axis;
    if (typeof a !== 'number') return attrBool(attrs, 'keepdims') ? s.map(() => 1) : [];
    const k = normalizeAxis(a, s.length);
    if (k === undefined) return shapeError(`Expected an axis in [${-s.length}, ${s.length}), found ${a}.`, { code: 'shape.axis' });
    if (s[k] === 0) return shapeError(`Expected a non-empty axis for ${name}, found size 0.`, { code: 'shape.axis' });
    return attrBool(attrs, 'keepdims') ? s.map((d, i) => (i === k ? 1 : d)) : s.filter((_, i) => i !== k);
  };
  return {
    name,
    display: name,
    inferShape,
    forward: ([x], attrs) => {
      const shape = inferShape([x.shape], attrs) as Shape;
      const out = tensor(shape);
      const a = attrs.axis;
      const k = typeof a === 'number' ? normalizeAxis(a, x.shape.length)! : -1;
      const { outer, size, inner } = k < 0 ? { outer: 1, size: x.data.length, inner: 1 } : axisBlocks(x.shape, k);
      for (let o = 0; o < outer; o++) {
        for (let j = 0; j < inner; j++) {
          let best = 0;
          let bv = x.data[o * size * inner + j];
          for (let t = 1; t < size && bv === bv; t++) {
            const v = x.data[(o * size + t) * inner + j];
            // The first extremum; a NaN wins (numpy and PyTorch).
            if (v !== v || (sign > 0 ? v > bv : v < bv)) {
              best = t;
              bv = v;
            }
          }
          out.data[o * inner + j] = best;
        }
      }
      return out;
    },
    backward: () => [null],
    nondiff: [0],
    rule: ([x]) => [`${name}(${x}) is an index: it has no gradient`],
    convention: `${name} takes the first index on ties (numpy and PyTorch) and passes no gradient.`,
    cost: elements,
  };
}

defineOp(argOp('argmax'));
defineOp(argOp('argmin'));

/** cumsum/cumprod along `axis`, or over the flattened input (numpy's axis=None, a 1-D result). */
function scanShape(shapes: readonly Shape[], attrs: Attrs): Shape | ShapeError {
  const s = shapes[0];
  const a = attrs.axis;
  if (typeof a !== 'number') return [numel(s)];
  if (s.length === 0 && (a === 0 || a === -1)) return s;
  if (normalizeAxis(a, s.length) === undefined) return shapeError(`Expected an axis in [${-s.length}, ${s.length}), found ${a}.`, { code: 'shape.axis' });
  return s;
}

function scanBlocks(shape: Shape, attrs: Attrs): { outer: number; size: number; inner: number } {
  const a = attrs.axis;
  if (typeof a !== 'number' || shape.length === 0) return { outer: 1, size: numel(shape), inner: 1 };
  return axisBlocks(shape, normalizeAxis(a, shape.length)!);
}

/**
 * A running fold along the scan axis, from the start (`reverse` false) or from the end: out[i] =
 * step(acc, x[i]) with acc starting at `init`. cumsum, cumprod and cumsum's backward share it.
 */
function scan(x: Tensor, attrs: Attrs, init: number, step: (acc: number, v: number) => number, reverse = false, shape: Shape = x.shape): Tensor {
  const out = tensor(shape);
  const { outer, size, inner } = scanBlocks(x.shape, attrs);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      let s = init;
      for (let k = 0; k < size; k++) {
        const i = (o * size + (reverse ? size - 1 - k : k)) * inner + j;
        s = step(s, x.data[i]);
        out.data[i] = s;
      }
    }
  return out;
}

defineOp({
  name: 'cumsum',
  display: 'cumsum',
  inferShape: scanShape,
  forward: ([x], attrs) => scan(x, attrs, 0, (a, v) => a + v, false, scanShape([x.shape], attrs) as Shape),
  // The reversed cumulative sum of g.
  backward: (g, [x], _out, attrs) => [scan(g, attrs, 0, (a, v) => a + v, true, x.shape)],
  freshGradients: true,
  rule: ([x]) => [`∂L/∂${operand(x)}ᵢ = Σ_{k ≥ i} ∂L/∂yₖ (the gradient summed from the end)`],
  cost: elements,
});

defineOp({
  name: 'cumprod',
  display: 'cumprod',
  inferShape: scanShape,
  forward: ([x], attrs) => scan(x, attrs, 1, (a, v) => a * v, false, scanShape([x.shape], attrs) as Shape),
  backward: (g, [x], out, attrs) => {
    const r = tensor(x.shape);
    const { outer, size, inner } = scanBlocks(x.shape, attrs);
    const at = (o: number, j: number, t: number): number => (o * size + t) * inner + j;
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < inner; j++) {
        let zero = false;
        for (let t = 0; t < size; t++) if (x.data[at(o, j, t)] === 0) zero = true;
        if (!zero) {
          // Σ_{k ≥ i} gₖ·yₖ / xᵢ (PyTorch's formula without zeros).
          let s = 0;
          for (let t = size - 1; t >= 0; t--) {
            const i = at(o, j, t);
            s += g.data[i] * out.data[i];
            r.data[i] = s / x.data[i];
          }
          continue;
        }
        // With a zero: Σ_{k ≥ i} gₖ·Π_{m ≤ k, m ≠ i} xₘ, term by term (exact at the zeros).
        for (let t = 0; t < size; t++) {
          let before = 1;
          for (let m = 0; m < t; m++) before *= x.data[at(o, j, m)];
          let s = 0;
          let run = before;
          for (let k = t; k < size; k++) {
            if (k > t) run *= x.data[at(o, j, k)];
            s += g.data[at(o, j, k)] * run;
          }
          r.data[at(o, j, t)] = s;
        }
      }
    return [r];
  },
  freshGradients: true,
  rule: ([x]) => [`∂L/∂${operand(x)}ᵢ = Σ_{k ≥ i} ∂L/∂yₖ · Π_{m ≤ k, m ≠ i} ${operand(x)}ₘ`],
  kinks: ([x]) => x.data.map((v) => (v === 0 ? 0 : 1)),
  cost: (s) => 2 * elements(s),
});
