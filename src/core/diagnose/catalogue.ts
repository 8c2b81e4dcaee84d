/**
 * The catalogue of misconceptions that change the user's graph: each entry proposes, for a node
 * of the tape, a patch of that node's forward (a value computed the wrong way) or of its local
 * derivatives (a backward step taken the wrong way). The engine (diagnose.ts) replays the graph
 * with each patch and compares the result with the user's answer. docs/misconceptions.md says
 * how to add an entry.
 */
import { K } from '../autodiff/tape';
import { formatNumber } from '../format';
import { permute } from '../tensor/layout';
import { mapBinary, mapUnary, sameShape, tensor, unbroadcast, type Tensor } from '../tensor/tensor';
import type { GraphView, NodePatch } from './graph';

/** What is being diagnosed: a value (forward only) or a gradient (forward, then backward). */
export interface Scope {
  readonly kind: 'value' | 'grad';
  /** Nodes the quantity reads (reach of the target, or of the gradient's output). */
  readonly reach: Uint8Array;
  /** For gradients: the nodes on a path from wrt to the output. */
  readonly between?: Uint8Array;
  /** For gradients: per node, the op inputs of `between` nodes that read it (its paths onward). */
  readonly fanOut?: Int32Array;
}

/** One way a misconception could have produced the answer. */
export interface Proposal {
  readonly patch: NodePatch;
  /** Completes "Your 0.6 is ∂z/∂w1 …": `without the path x0 → y1 + x0`. */
  readonly phrase: string;
  /** The node the message points at. */
  readonly at: number;
  /** The local step, as it is and as the misconception writes it. */
  readonly step: { readonly correct: string; readonly changed: string };
  /**
   * Set when the patch only multiplies the node's value and its local derivatives by this
   * factor (a mean taken as a sum): on the output's own line the result is the correct one times it.
   */
  readonly scale?: number;
}

export interface TapeMisconception {
  readonly code: string;
  /** Higher is more specific: listed first when several match. */
  readonly specificity: number;
  /** Proposals at node `i` (an op node the quantity reads). */
  propose(v: GraphView, i: number, scope: Scope): Proposal[];
}

const num = (x: number): string => formatNumber(x, 4).replace(/^-/, '−');
const showT = (t: Tensor): string => (t.data.length === 1 ? num(t.data[0]) : `[${Array.from(t.data.slice(0, 4), num).join(', ')}${t.data.length > 4 ? ', …' : ''}]`);

/** The op's own vector-Jacobian product at node i. */
function vjp(v: GraphView, i: number, g: Tensor, ins: readonly Tensor[], out: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
  return v.op(i)!.backward(g, ins, out, v.tape.attrs[i] ?? {}, needs);
}

/** Is input j of node i on a path the gradient takes? (always, for values) */
function onPath(scope: Scope, k: number): boolean {
  return scope.kind === 'value' || (scope.between !== undefined && scope.between[k] === 1);
}

/** Edges into node k from nodes the gradient passes. */
function edgesInScope(_v: GraphView, k: number, scope: Scope): number {
  return scope.fanOut?.[k] ?? 0;
}

const ELEMENTWISE = new Set(['mul', 'div', 'pow', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'exp', 'log', 'sqrt', 'abs', 'softplus', 'gelu', 'sin', 'cos']);
const ACTIVATIONS = new Set(['relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'softplus']);

/** The factor name ∂(node)/∂(input) for messages. */
function partialName(v: GraphView, i: number, k: number): string {
  const of = v.label(i);
  return `∂(${of})/∂${/^[\p{L}_][\p{L}\p{N}_.]*$/u.test(v.label(k)) ? v.label(k) : `(${v.label(k)})`}`;
}

/** g ⊙ f(input, output) element-wise, for the one input of an activation. */
function activationPatch(i: number, f: (x: number, y: number) => number): NodePatch {
  return {
    node: i,
    backward: (g, [x], out) => [mapBinary(g, mapBinary(x, out, out.shape, f), out.shape, (a, b) => a * b)],
  };
}

// ------------------------------------------------------------------ paths and factors

/** One path of a fork left out of the sum over paths (or, as extra-path, counted twice). */
function pathEntry(code: 'missing-path' | 'extra-path', factor: 0 | 2, specificity: number): TapeMisconception {
  return {
    code,
    specificity,
    propose(v, i, scope) {
      if (scope.kind !== 'grad') return [];
      const ins = v.inputs(i);
      const out: Proposal[] = [];
      ins.forEach((k, j) => {
        if (!onPath(scope, k) || edgesInScope(v, k, scope) < 2) return;
        const patch: NodePatch = {
          node: i,
          backward: (g, iv, o, needs) => {
            const gs = vjp(v, i, g, iv, o, needs);
            const gj = gs[j];
            if (gj) gs[j] = factor === 0 ? null : mapUnary(gj, (x) => 2 * x);
            return gs;
          },
        };
        const edge = `${v.label(k)} → ${v.label(i)}`;
        out.push({
          patch,
          at: i,
          phrase: factor === 0 ? `without the path ${edge}` : `with the path ${edge} counted twice`,
          step: {
            correct: `the gradient sums every path from ${v.label(k)}, including ${edge}`,
            changed: factor === 0 ? `the path ${edge} left out` : `the path ${edge} added a second time`,
          },
        });
      });
      return out;
    },
  };
}

/** A local derivative of the chain left out (taken as 1). */
const missingFactor: TapeMisconception = {
  code: 'missing-factor',
  specificity: 6,
  propose(v, i, scope) {
    if (scope.kind !== 'grad') return [];
    const name = v.opName(i)!;
    const ins = v.inputs(i);
    const out: Proposal[] = [];
    if (ELEMENTWISE.has(name)) {
      ins.forEach((k, j) => {
        if (!onPath(scope, k)) return;
        const patch: NodePatch = {
          node: i,
          backward: (g, iv, o, needs) => {
            const gs = vjp(v, i, g, iv, o, needs);
            gs[j] = unbroadcast(g, iv[j].shape);
            return gs;
          },
        };
        const p = partialName(v, i, k);
        out.push({ patch, at: i, phrase: `with the factor ${p} left out of the chain`, step: { correct: `${p} = ${v.op(i)!.rule(ins.map((x) => v.label(x)), v.tape.attrs[i] ?? {})[j]?.split(' = ').slice(1).join(' = ') ?? '…'}`, changed: `${p} taken as 1` } });
      });
    }
    // The power rule's coefficient: d(e^c)/de = e^(c − 1) instead of c·e^(c − 1).
    if (name === 'pow' && ins.length === 2 && onPath(scope, ins[0]) && !onPath(scope, ins[1])) {
      const c = v.value(ins[1]);
      if (c.data.length === 1 && c.data[0] !== 0 && c.data[0] !== 1) {
        const cv = c.data[0];
        out.push({
          patch: { node: i, backward: (g, iv, o, needs) => vjp(v, i, g, iv, o, needs).map((t, j) => (j === 0 && t ? mapUnary(t, (x) => x / cv) : t)) },
          at: i,
          phrase: `with the power rule's factor ${num(cv)} left out`,
          step: { correct: `∂(${v.label(i)})/∂${v.label(ins[0])} = ${num(cv)}·${v.label(ins[0])}^${num(cv - 1)}`, changed: `${v.label(ins[0])}^${num(cv - 1)}` },
        });
      }
    }
    // mse's 2 from the square.
    if (name === 'mse') {
      out.push({
        patch: { node: i, backward: (g, iv, o, needs) => vjp(v, i, g, iv, o, needs).map((t) => (t ? mapUnary(t, (x) => x / 2) : t)) },
        at: i,
        phrase: 'with the 2 of the square (p − t)² left out',
        step: { correct: '∂mse/∂p = 2(p − t)/n', changed: '(p − t)/n' },
      });
    }
    return out;
  },
};

// ------------------------------------------------------------------ activations

/** ReLU'(0), abs'(0) or a max/min tie taken with the other convention. */
const reluAtKink: TapeMisconception = {
  code: 'relu-at-kink',
  specificity: 9,
  propose(v, i, scope) {
    if (scope.kind !== 'grad') return [];
    const name = v.opName(i)!;
    const ins = v.inputs(i);
    if (!onPath(scope, ins[0]) && (ins.length < 2 || !onPath(scope, ins[1]))) return [];
    const x = v.value(ins[0]);
    if (name === 'relu' || name === 'leaky_relu' || name === 'abs') {
      if (!x.data.some((e) => e === 0)) return [];
      const slopes = name === 'abs' ? [1, -1] : [1];
      return slopes.map((s) => ({
        patch: activationPatchAtZero(v, i, s),
        at: i,
        phrase: `with ${name === 'abs' ? 'abs' : 'ReLU'}'(0) taken as ${s} at ${v.label(i)} (its input is exactly 0)`,
        step: { correct: `${name === 'abs' ? 'abs' : 'ReLU'}'(0) = 0 (as PyTorch)`, changed: `${name === 'abs' ? 'abs' : 'ReLU'}'(0) = ${s}` },
      }));
    }
    if ((name === 'maximum' || name === 'minimum') && ins.length === 2) {
      const y = v.value(ins[1]);
      const out = v.value(i);
      if (!(sameShape(x.shape, out.shape) || x.data.length === 1) || !(sameShape(y.shape, out.shape) || y.data.length === 1)) return [];
      const at = (t: Tensor, e: number) => t.data[t.data.length === 1 ? 0 : e];
      let tie = false;
      for (let e = 0; e < out.data.length && !tie; e++) tie = at(x, e) === at(y, e);
      if (!tie) return [];
      return [0, 1].map((winner) => ({
        patch: {
          node: i,
          backward: (g, iv, o, needs) => {
            const gs = vjp(v, i, g, iv, o, needs);
            const full = [tensor(o.shape), tensor(o.shape)];
            for (let e = 0; e < o.data.length; e++) {
              const a = at(iv[0], e);
              const b = at(iv[1], e);
              const ge = g.data[g.data.length === 1 ? 0 : e];
              const wins0 = name === 'maximum' ? a > b : a < b;
              if (a === b) full[winner].data[e] = ge;
              else full[wins0 ? 0 : 1].data[e] = ge;
            }
            return gs.map((t, j) => (t ? unbroadcast(full[j], iv[j].shape) : t));
          },
        },
        at: i,
        phrase: `with the tie of ${v.label(i)} given entirely to ${v.label(ins[winner])}`,
        step: { correct: 'at a tie each side gets ½ (as torch.maximum)', changed: `all of it to ${v.label(ins[winner])}` },
      }));
    }
    return [];
  },
};

function activationPatchAtZero(v: GraphView, i: number, slope: number): NodePatch {
  return {
    node: i,
    backward: (g, iv, o, needs) => {
      const [gx] = vjp(v, i, g, iv, o, needs);
      if (!gx) return [gx];
      const r = tensor(gx.shape, gx.data.slice());
      const x = iv[0];
      for (let e = 0; e < r.data.length; e++) if (x.data[e] === 0) r.data[e] = g.data[g.data.length === 1 ? 0 : e] * slope;
      return [r];
    },
  };
}

/** An activation's derivative evaluated at its output, at the wrong node, or from the formula applied to its input. */
const reluWrongSide: TapeMisconception = {
  code: 'relu-wrong-side',
  specificity: 9,
  propose(v, i, scope) {
    if (scope.kind !== 'grad') return [];
    const name = v.opName(i)!;
    const ins = v.inputs(i);
    if (!onPath(scope, ins[0])) return [];
    const out: Proposal[] = [];
    const pre = v.through(ins[0]);
    if (name === 'relu' || name === 'leaky_relu') {
      const slope = name === 'leaky_relu' ? v.tape.sparam[i] || 0.01 : 0;
      const preName = v.opName(pre);
      if (preName === 'add' || preName === 'sub') {
        for (const q of v.inputs(pre)) {
          // A literal in the sum (ReLU(x − 1)) is not a node anyone evaluates a derivative at.
          if (v.tape.kind[q] === K.CONST) continue;
          const qv = v.value(q);
          const xv = v.value(ins[0]);
          if (!(qv.data.length === 1 || qv.data.length === xv.data.length)) continue;
          out.push({
            patch: {
              node: i,
              backward: (g) => {
                const r = tensor(g.shape);
                for (let e = 0; e < r.data.length; e++) r.data[e] = g.data[e] * (qv.data[qv.data.length === 1 ? 0 : e] > 0 ? 1 : slope);
                return [r];
              },
            },
            at: i,
            phrase: `with ReLU' evaluated at ${v.label(q)} = ${showT(qv)} instead of at ${v.label(ins[0])} = ${showT(xv)}`,
            step: { correct: `ReLU'(${v.label(ins[0])}) = ReLU'(${showT(xv)})`, changed: `ReLU'(${v.label(q)}) = ReLU'(${showT(qv)})` },
          });
        }
      }
    }
    if (name === 'sigmoid') {
      out.push({
        patch: activationPatch(i, (_x, s) => {
          const t = 1 / (1 + Math.exp(-s));
          return t * (1 - t);
        }),
        at: i,
        phrase: `with σ' evaluated at the output ${v.label(i)} instead of at the input ${v.label(ins[0])}`,
        step: { correct: `σ'(${v.label(ins[0])}) = σ(${v.label(ins[0])})(1 − σ(${v.label(ins[0])}))`, changed: `σ'(σ(${v.label(ins[0])}))` },
      });
      out.push({
        patch: activationPatch(i, (x) => x * (1 - x)),
        at: i,
        phrase: `with σ(1 − σ) applied to the input ${v.label(ins[0])} instead of the output`,
        step: { correct: `σ' = s(1 − s) with s = σ(${v.label(ins[0])})`, changed: `${v.label(ins[0])}(1 − ${v.label(ins[0])})` },
      });
    }
    if (name === 'tanh') {
      out.push({
        patch: activationPatch(i, (_x, t) => 1 - Math.tanh(t) ** 2),
        at: i,
        phrase: `with tanh' evaluated at the output ${v.label(i)} instead of at the input`,
        step: { correct: `tanh'(${v.label(ins[0])}) = 1 − tanh²(${v.label(ins[0])})`, changed: `1 − tanh²(tanh(${v.label(ins[0])}))` },
      });
      out.push({
        patch: activationPatch(i, (x) => 1 - x * x),
        at: i,
        phrase: `with 1 − t² applied to the input ${v.label(ins[0])} instead of the output`,
        step: { correct: `tanh' = 1 − t² with t = tanh(${v.label(ins[0])})`, changed: `1 − ${v.label(ins[0])}²` },
      });
    }
    return out;
  },
};

/** σ' written as σ, tanh' as 1 − tanh, ReLU' as ReLU. */
const activationDerivative: TapeMisconception = {
  code: 'activation-derivative',
  specificity: 8,
  propose(v, i, scope) {
    if (scope.kind !== 'grad') return [];
    const name = v.opName(i)!;
    const ins = v.inputs(i);
    if (!onPath(scope, ins[0])) return [];
    const x = v.label(ins[0]);
    if (name === 'sigmoid') return [{ patch: activationPatch(i, (_x, s) => s), at: i, phrase: `with σ'(${x}) written as σ(${x})`, step: { correct: `σ'(${x}) = σ(${x})(1 − σ(${x}))`, changed: `σ(${x})` } }];
    if (name === 'tanh') return [{ patch: activationPatch(i, (_x, t) => 1 - t), at: i, phrase: `with tanh'(${x}) written as 1 − tanh(${x})`, step: { correct: `tanh'(${x}) = 1 − tanh²(${x})`, changed: `1 − tanh(${x})` } }];
    if (name === 'relu') return [{ patch: activationPatch(i, (_x, r) => r), at: i, phrase: `with ReLU'(${x}) written as ReLU(${x})`, step: { correct: `ReLU'(${x}) = 1 if ${x} > 0, else 0`, changed: `ReLU(${x})` } }];
    return [];
  },
};

/** softmax' as the diagonal p(1 − p) only, without the −p_i·p_j terms. */
const softmaxDiagonal: TapeMisconception = {
  code: 'softmax-diagonal-only',
  specificity: 9,
  propose(v, i, scope) {
    if (scope.kind !== 'grad') return [];
    const name = v.opName(i)!;
    const ins = v.inputs(i);
    if (!onPath(scope, ins[0])) return [];
    const step = { correct: '∂p_j/∂h_i = p_i(δ_ij − p_j): the diagonal p_i(1 − p_i) and −p_i·p_j off it', changed: 'the diagonal p_i(1 − p_i) only' };
    if (name === 'softmax') return [{ patch: activationPatch(i, (_x, p) => p * (1 - p)), at: i, phrase: `with the softmax Jacobian of ${v.label(i)} taken as its diagonal only`, step }];
    if (name === 'log_softmax') return [{ patch: activationPatch(i, (_x, lp) => 1 - Math.exp(lp)), at: i, phrase: `with the log-softmax Jacobian of ${v.label(i)} taken as its diagonal only`, step }];
    if (name === 'cross_entropy' && ins.length === 2 && !hasLossOptions(v.tape.attrs[i])) {
      const z = v.value(ins[0]);
      if (z.shape.length < 1 || z.shape.length > 2) return [];
      return [
        {
          patch: {
            node: i,
            backward: (g, [zv, tv]) => {
              const C = zv.shape[zv.shape.length - 1];
              const rows = zv.data.length / C;
              const r = tensor(zv.shape);
              const byIndex = tv.data.length === rows && !sameShape(tv.shape, zv.shape);
              for (let n = 0; n < rows; n++) {
                let m = -Infinity;
                for (let c = 0; c < C; c++) m = Math.max(m, zv.data[n * C + c]);
                let s = 0;
                for (let c = 0; c < C; c++) s += Math.exp(zv.data[n * C + c] - m);
                for (let c = 0; c < C; c++) {
                  const p = Math.exp(zv.data[n * C + c] - m) / s;
                  const t = byIndex ? (tv.data[n] === c ? 1 : 0) : tv.data[n * C + c];
                  r.data[n * C + c] = (-t * (1 - p) * g.data[0]) / rows;
                }
              }
              return [r, null];
            },
          },
          at: i,
          phrase: `with the softmax Jacobian inside ${v.label(i)} taken as its diagonal only`,
          step: { correct: '∂L/∂h = (p − y)/N', changed: '−y(1 − p)/N' },
        },
      ];
    }
    return [];
  },
};

function hasLossOptions(attrs: Readonly<Record<string, unknown>> | undefined): boolean {
  if (!attrs) return false;
  return attrs.reduction !== undefined || attrs.ignore_index !== undefined || attrs.label_smoothing !== undefined;
}

// ------------------------------------------------------------------ forward mistakes

/** An addend dropped: the bias (a parameter) of an affine step, in the forward pass. */
const forgotBias: TapeMisconception = {
  code: 'forgot-bias',
  specificity: 8,
  propose(v, i, scope) {
    const name = v.opName(i);
    const ins = v.inputs(i);
    const out = v.value(i);
    if (name === 'add' && ins.length === 2) {
      const res: Proposal[] = [];
      ins.forEach((b, j) => {
        const other = ins[1 - j];
        // Dropping the very variable a gradient is taken with respect to explains nothing.
        if (!v.isParam(b) || scope.between?.[b] || !sameShape(v.value(other).shape, out.shape)) return;
        res.push({
          patch: { node: i, forward: (iv) => iv[1 - j], backward: (g) => (j === 0 ? [null, g] : [g, null]) },
          at: i,
          phrase: `without the bias ${v.label(b)} in ${v.label(i)}`,
          step: { correct: `${v.label(i)}`, changed: `${v.label(other)} (the + ${v.label(b)} left out)` },
        });
      });
      return res;
    }
    if (name === 'linear' && ins.length === 3 && !scope.between?.[ins[2]]) {
      return [
        {
          patch: {
            node: i,
            forward: (iv) => v.op(i)!.forward(iv.slice(0, 2), {}),
            backward: (g, iv, o, needs) => [...v.op(i)!.backward(g, iv.slice(0, 2), o, {}, needs.slice(0, 2)), null],
          },
          at: i,
          phrase: `without the bias of the layer at ${v.label(i)}`,
          step: { correct: 'x·Wᵀ + b', changed: 'x·Wᵀ (the bias left out)' },
        },
      ];
    }
    return [];
  },
};

/** A skip connection or other path left out of a sum in the forward pass. */
const missingPathForward: TapeMisconception = {
  code: 'missing-path',
  specificity: 8,
  propose(v, i, scope) {
    if (scope.kind !== 'value') return [];
    const name = v.opName(i);
    if (name !== 'add' && name !== 'sub') return [];
    const ins = v.inputs(i);
    const out = v.value(i);
    const fan = v.consumers();
    const res: Proposal[] = [];
    ins.forEach((k, j) => {
      const other = ins[1 - j];
      if (v.isParam(k) || fan[k] < 2 || !sameShape(v.value(other).shape, out.shape)) return;
      const negate = name === 'sub' && j === 0;
      res.push({
        patch: { node: i, forward: (iv) => (negate ? mapUnary(iv[1], (x) => -x) : iv[1 - j]) },
        at: i,
        phrase: `without the path ${v.label(k)} → ${v.label(i)}`,
        step: { correct: v.label(i), changed: `${negate ? '−' : ''}${v.label(other)} (${v.label(k)} left out)` },
      });
    });
    return res;
  },
};

/** An activation left out of the forward pass. */
const missingActivation: TapeMisconception = {
  code: 'missing-activation',
  specificity: 6,
  propose(v, i, scope) {
    if (scope.kind !== 'value') return [];
    const name = v.opName(i)!;
    if (!ACTIVATIONS.has(name)) return [];
    const x = v.inputs(i)[0];
    return [{ patch: { node: i, forward: (iv) => iv[0] }, at: i, phrase: `without the ${v.op(i)!.display} of ${v.label(i)}`, step: { correct: v.label(i), changed: v.label(x) } }];
  },
};

/** A mean where a sum belongs or the reverse: off by the number of averaged elements. */
const meanVsSum: TapeMisconception = {
  code: 'mean-vs-sum',
  specificity: 4,
  propose(v, i) {
    const name = v.opName(i)!;
    const ins = v.inputs(i);
    const x = v.value(ins[0]);
    const out = v.value(i);
    if (name === 'mean' || name === 'sum') {
      const n = x.data.length / Math.max(1, out.data.length);
      if (n <= 1) return [];
      const f = name === 'mean' ? n : 1 / n;
      return [
        {
          scale: f,
          patch: { node: i, forward: (iv) => mapUnary(v.op(i)!.forward(iv, v.tape.attrs[i] ?? {}), (e) => e * f), backward: (g, iv, o, needs) => vjp(v, i, g, iv, o, needs).map((t) => (t ? mapUnary(t, (e) => e * f) : t)) },
          at: i,
          phrase: name === 'mean' ? `with the mean in ${v.label(i)} taken as a sum (the 1/${n} left out)` : `with the sum in ${v.label(i)} taken as a mean (divided by ${n})`,
          step: name === 'mean' ? { correct: `mean: 1/${n} · Σ`, changed: 'Σ (no 1/n)' } : { correct: 'Σ', changed: `1/${n} · Σ` },
        },
      ];
    }
    if (['mse', 'bce', 'bce_with_logits', 'cross_entropy', 'nll'].includes(name)) {
      const attrs = v.tape.attrs[i] ?? {};
      const r = typeof attrs.reduction === 'string' ? attrs.reduction : 'mean';
      if (r === 'none') return [];
      const other = r === 'mean' ? 'sum' : 'mean';
      const a2 = { ...attrs, reduction: other };
      const op = v.op(i)!;
      const probe = op.forward(ins.map((k) => v.value(k)), a2);
      if (probe.data[0] === out.data[0]) return [];
      return [
        {
          ...(out.data[0] !== 0 && Number.isFinite(probe.data[0] / out.data[0]) ? { scale: probe.data[0] / out.data[0] } : {}),
          patch: { node: i, forward: (iv) => op.forward(iv, a2), backward: (g, iv, o, needs) => op.backward(g, iv, o, a2, needs) },
          at: i,
          phrase: r === 'mean' ? `with ${op.display} summed over the batch instead of averaged (the 1/N left out)` : `with ${op.display} averaged where it sums (an extra 1/N)`,
          step: { correct: `${op.display}(…, reduction='${r}')`, changed: `${op.display}(…, reduction='${other}')` },
        },
      ];
    }
    return [];
  },
};

/** a − b taken as b − a (or its derivative with the wrong sign). */
const signFlipSub: TapeMisconception = {
  code: 'sign-flip',
  specificity: 5,
  propose(v, i, scope) {
    if (v.opName(i) !== 'sub') return [];
    const [a, b] = v.inputs(i);
    const swap = `${v.label(b)} − ${v.label(a)}`;
    if (scope.kind === 'value')
      return [{ patch: { node: i, forward: (iv) => mapBinary(iv[1], iv[0], v.value(i).shape, (x, y) => x - y) }, at: i, phrase: `with ${swap} instead of ${v.label(i)}`, step: { correct: v.label(i), changed: swap } }];
    return [
      {
        patch: { node: i, forward: (iv) => mapBinary(iv[1], iv[0], v.value(i).shape, (x, y) => x - y), backward: (g, iv, o, needs) => vjp(v, i, g, iv, o, needs).map((t) => (t ? mapUnary(t, (e) => -e) : t)) },
        at: i,
        phrase: `with ${swap} instead of ${v.label(i)}`,
        step: { correct: v.label(i), changed: swap },
      },
    ];
  },
};

/** W where Wᵀ belongs in a product (square operands only: otherwise the shapes would not fit). */
const transposedOperand: TapeMisconception = {
  code: 'transposed',
  specificity: 5,
  propose(v, i) {
    if (v.opName(i) !== 'matmul') return [];
    const ins = v.inputs(i);
    const res: Proposal[] = [];
    ins.forEach((k, j) => {
      const t = v.value(k);
      if (t.shape.length !== 2 || t.shape[0] !== t.shape[1] || t.shape[0] < 2) return;
      const tr = (iv: readonly Tensor[]) => iv.map((x, q) => (q === j ? permute(x, [1, 0]) : x));
      res.push({
        patch: {
          node: i,
          forward: (iv) => v.op(i)!.forward(tr(iv), {}),
          backward: (g, iv, o, needs) => v.op(i)!.backward(g, tr(iv), o, {}, needs).map((x, q) => (q === j && x ? permute(x, [1, 0]) : x)),
        },
        at: i,
        phrase: `with ${v.label(k)}ᵀ in place of ${v.label(k)} in ${v.label(i)}`,
        step: { correct: v.label(i), changed: `${v.label(k)} transposed` },
      });
    });
    return res;
  },
};

/** The tape entries, in the order they are tried. */
export const TAPE_CATALOGUE: readonly TapeMisconception[] = [
  pathEntry('missing-path', 0, 8),
  pathEntry('extra-path', 2, 7),
  missingFactor,
  reluAtKink,
  reluWrongSide,
  activationDerivative,
  softmaxDiagonal,
  forgotBias,
  missingPathForward,
  missingActivation,
  meanVsSum,
  signFlipSub,
  transposedOperand,
];

/** Misconceptions about the whole result of a gradient (no node to point at). */
export interface ResultMisconception {
  readonly code: string;
  readonly specificity: number;
  readonly phrase: string;
  apply(g: Tensor): Tensor | undefined;
}

export const RESULT_CATALOGUE: readonly ResultMisconception[] = [
  { code: 'sign-flip', specificity: 2, phrase: 'with the sign flipped', apply: (g) => mapUnary(g, (x) => -x) },
  {
    code: 'transposed',
    specificity: 3,
    phrase: 'transposed',
    apply: (g) => (g.shape.length === 2 && g.shape[0] === g.shape[1] && g.shape[0] > 1 ? permute(g, [1, 0]) : undefined),
  },
];


