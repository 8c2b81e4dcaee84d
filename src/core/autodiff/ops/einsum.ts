/**
 * `einsum` (attrs {equation}: explicit `ij,jk->ik` or implicit `ij,jk`, numpy's rules without
 * `...`), `trace` and `diag` (attrs {k}: the diagonal's offset).
 */
import { tensor, type Shape, type Tensor } from '../../tensor/tensor';
import { defineOp, type Attrs } from '../op';
import { attrNumber, operand, shapeError } from './support';

/** An equation taken apart: the letters of each operand and of the output. */
export interface EinsumPlan {
  readonly inputs: readonly string[];
  readonly output: string;
}

/**
 * Parses an einsum equation for `n` operands. Implicit output (no `->`): the letters that occur
 * once, in alphabetical order (numpy and PyTorch).
 */
export function parseEinsum(equation: string, n: number): EinsumPlan | string {
  const eq = equation.replace(/\s+/g, '');
  if (eq.includes('...') || eq.includes('.')) return 'Expected an einsum equation without `...` (broadcast dimensions are not supported), found one with it.';
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const inputs = lhs.split(',');
  if (inputs.length !== n) return `Expected ${inputs.length} operand${inputs.length === 1 ? '' : 's'} for the einsum equation '${equation}', found ${n}.`;
  for (const s of inputs) if (!/^[A-Za-z]*$/.test(s)) return `Expected letters in the einsum equation, found '${s}'.`;
  let output: string;
  if (arrow >= 0) {
    output = eq.slice(arrow + 2);
    if (!/^[A-Za-z]*$/.test(output)) return `Expected letters after \`->\`, found '${output}'.`;
    const seen = new Set<string>();
    for (const c of output) {
      if (seen.has(c)) return `Expected each output letter once, found '${c}' twice in '${output}'.`;
      seen.add(c);
      if (!lhs.includes(c)) return `Expected the output letter '${c}' among the operands' letters, found it only after \`->\`.`;
    }
  } else {
    const count = new Map<string, number>();
    for (const c of lhs.replace(/,/g, '')) count.set(c, (count.get(c) ?? 0) + 1);
    // numpy sorts upper case before lower case (ASCII order).
    output = [...count.keys()].filter((c) => count.get(c) === 1).sort().join('');
  }
  return { inputs, output };
}

/** The size of every letter, or an error when two operands disagree. */
function letterSizes(plan: EinsumPlan, shapes: readonly Shape[]): Map<string, number> | string {
  const size = new Map<string, number>();
  for (let k = 0; k < shapes.length; k++) {
    const letters = plan.inputs[k];
    if (letters.length !== shapes[k].length) return `Expected operand ${k + 1} of einsum to have ${letters.length} dimension${letters.length === 1 ? '' : 's'} ('${letters}'), found shape [${shapes[k].join(', ')}].`;
    for (let i = 0; i < letters.length; i++) {
      const c = letters[i];
      const d = shapes[k][i];
      const prev = size.get(c);
      if (prev !== undefined && prev !== d) return `Expected the same size for the einsum letter '${c}', found ${prev} and ${d}.`;
      size.set(c, d);
    }
  }
  return size;
}

function planOf(attrs: Attrs, n: number): EinsumPlan {
  const p = parseEinsum(String(attrs.equation ?? ''), n);
  if (typeof p === 'string') throw new Error(`internal: ${p}`);
  return p;
}

/**
 * Runs over every assignment of the letters: `visit(outOffset, inputOffsets)`. Offsets are row-major.
 */
function sweep(plan: EinsumPlan, shapes: readonly Shape[], visit: (o: number, offs: Int32Array) => void): void {
  const size = letterSizes(plan, shapes) as Map<string, number>;
  const letters = [...size.keys()];
  const L = letters.length;
  const dims = letters.map((c) => size.get(c)!);
  // Stride of each letter in each operand (summed for a repeated letter: a diagonal) and in the output.
  const strideIn = shapes.map((s, k) => {
    const st = new Int32Array(L);
    let m = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      st[letters.indexOf(plan.inputs[k][i])] += m;
      m *= s[i];
    }
    return st;
  });
  const strideOut = new Int32Array(L);
  let m = 1;
  for (let i = plan.output.length - 1; i >= 0; i--) {
    strideOut[letters.indexOf(plan.output[i])] = m;
    m *= size.get(plan.output[i])!;
  }
  if (dims.some((d) => d === 0)) return;
  const idx = new Int32Array(L);
  const offs = new Int32Array(shapes.length);
  let o = 0;
  for (;;) {
    visit(o, offs);
    let a = L - 1;
    while (a >= 0) {
      idx[a]++;
      o += strideOut[a];
      for (let k = 0; k < offs.length; k++) offs[k] += strideIn[k][a];
      if (idx[a] < dims[a]) break;
      o -= strideOut[a] * dims[a];
      for (let k = 0; k < offs.length; k++) offs[k] -= strideIn[k][a] * dims[a];
      idx[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

defineOp({
  name: 'einsum',
  display: 'einsum',
  inferShape: (shapes, attrs) => {
    const plan = parseEinsum(String(attrs.equation ?? ''), shapes.length);
    if (typeof plan === 'string') return shapeError(plan, { code: 'call.bad-argument' });
    const size = letterSizes(plan, shapes);
    if (typeof size === 'string') return shapeError(size);
    return [...plan.output].map((c) => size.get(c)!);
  },
  forward: (inputs, attrs) => {
    const plan = planOf(attrs, inputs.length);
    const shapes = inputs.map((t) => t.shape);
    const size = letterSizes(plan, shapes) as Map<string, number>;
    const out = tensor([...plan.output].map((c) => size.get(c)!));
    const od = out.data;
    const ds = inputs.map((t) => t.data);
    sweep(plan, shapes, (o, offs) => {
      let p = 1;
      for (let k = 0; k < ds.length; k++) p *= ds[k][offs[k]];
      od[o] += p;
    });
    return out;
  },
  backward: (g, inputs, _out, attrs, needs) => {
    const plan = planOf(attrs, inputs.length);
    const shapes = inputs.map((t) => t.shape);
    const ds = inputs.map((t) => t.data);
    const grads: (Tensor | null)[] = inputs.map((t, k) => (needs && needs[k] === false ? null : tensor(t.shape)));
    // ∂/∂Aₖ: the same sum with Aₖ left out and g in the output's place.
    sweep(plan, shapes, (o, offs) => {
      const go = g.data[o];
      for (let k = 0; k < ds.length; k++) {
        const gk = grads[k];
        if (!gk) continue;
        let p = go;
        for (let j = 0; j < ds.length; j++) if (j !== k) p *= ds[j][offs[j]];
        gk.data[offs[k]] += p;
      }
    });
    return grads;
  },
  freshGradients: true,
  rule: (operands, attrs) => {
    const plan = parseEinsum(String(attrs.equation ?? ''), operands.length);
    if (typeof plan === 'string') return operands.map(() => plan);
    return operands.map((x, k) => {
      const others = plan.inputs.filter((_, j) => j !== k);
      const eq = `${[plan.output, ...others].join(',')}->${plan.inputs[k]}`;
      return `∂L/∂${operand(x)} = einsum('${eq}', ∂L/∂y${operands.filter((_, j) => j !== k).map((o) => `, ${o}`).join('')}) (each operand's gradient is the product of the others with the output gradient, summed over the letters it lacks)`;
    });
  },
  cost: (shapes, _out, attrs) => {
    const plan = parseEinsum(String(attrs.equation ?? ''), shapes.length);
    if (typeof plan === 'string') return 0;
    const size = letterSizes(plan, shapes);
    if (typeof size === 'string') return 0;
    let c = 1;
    for (const d of size.values()) c *= d;
    return c * shapes.length;
  },
});

defineOp({
  name: 'trace',
  display: 'tr',
  inferShape: ([s]) => (s.length === 2 ? [] : shapeError(`Expected a matrix (2-D) for trace, found shape [${s.join(', ')}].`)),
  forward: ([x]) => {
    const [r, c] = x.shape;
    let s = 0;
    for (let i = 0; i < Math.min(r, c); i++) s += x.data[i * c + i];
    return tensor([], [s]);
  },
  backward: (g, [x]) => {
    const [r, c] = x.shape;
    const out = tensor(x.shape);
    for (let i = 0; i < Math.min(r, c); i++) out.data[i * c + i] = g.data[0];
    return [out];
  },
  freshGradients: true,
  rule: ([x]) => [`∂tr(${x})/∂${operand(x)} = I (1 on the diagonal, 0 elsewhere)`],
  cost: ([s]) => Math.min(s[0] ?? 0, s[1] ?? 0),
});

/** The (row, column) of the diagonal's t-th element at offset k. */
const diagAt = (t: number, k: number): [number, number] => (k >= 0 ? [t, t + k] : [t - k, t]);

defineOp({
  name: 'diag',
  display: 'diag',
  inferShape: ([s], attrs) => {
    const k = attrNumber(attrs, 'k', 0);
    if (s.length === 1) return [s[0] + Math.abs(k), s[0] + Math.abs(k)];
    if (s.length === 2) return [Math.max(0, k >= 0 ? Math.min(s[0], s[1] - k) : Math.min(s[0] + k, s[1]))];
    return shapeError(`Expected a vector (1-D) or a matrix (2-D) for diag, found shape [${s.join(', ')}].`);
  },
  forward: ([x], attrs) => {
    const k = attrNumber(attrs, 'k', 0);
    if (x.shape.length === 1) {
      const n = x.shape[0] + Math.abs(k);
      const out = tensor([n, n]);
      for (let t = 0; t < x.shape[0]; t++) {
        const [i, j] = diagAt(t, k);
        out.data[i * n + j] = x.data[t];
      }
      return out;
    }
    const [r, c] = x.shape;
    const len = Math.max(0, k >= 0 ? Math.min(r, c - k) : Math.min(r + k, c));
    const out = tensor([len]);
    for (let t = 0; t < len; t++) {
      const [i, j] = diagAt(t, k);
      out.data[t] = x.data[i * c + j];
    }
    return out;
  },
  backward: (g, [x], _out, attrs) => {
    const k = attrNumber(attrs, 'k', 0);
    const r = tensor(x.shape);
    if (x.shape.length === 1) {
      const n = x.shape[0] + Math.abs(k);
      for (let t = 0; t < x.shape[0]; t++) {
        const [i, j] = diagAt(t, k);
        r.data[t] = g.data[i * n + j];
      }
      return [r];
    }
    const c = x.shape[1];
    for (let t = 0; t < g.data.length; t++) {
      const [i, j] = diagAt(t, k);
      r.data[i * c + j] = g.data[t];
    }
    return [r];
  },
  freshGradients: true,
  rule: ([x]) => [`∂L/∂${operand(x)}: the gradient's diagonal goes back to the vector (1-D ${x}), or the vector's gradient onto the diagonal (2-D ${x}), 0 elsewhere`],
  cost: ([s]) => s.reduce((m, d) => m * d, 1),
});
