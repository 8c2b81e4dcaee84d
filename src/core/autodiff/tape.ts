import { allFinite, isScalarShape, scalar, tensor, type Shape, type Tensor } from '../tensor/tensor';
import { getOp, type Attrs, type OpDef } from './op';
import { SCALAR_CODE } from './ops/elementwise';
import { S, scalarForward, scalarPartial } from './scalar';

/** Node kinds. */
export const enum K {
  /** Result of an op. */
  OP = 0,
  /** A learnable parameter (`param`, network weights): a leaf that requires grad. */
  PARAM = 1,
  /** A leaf binding (`x0 = 1.0`): differentiable, reported as a leaf. */
  LEAF = 2,
  /** A constant (a literal, a random draw, a detached grad(...) value): never differentiated. */
  CONST = 3,
}

const NO_INPUT = -1;

/**
 * A flat tape: nodes in creation order (a topological order), op codes and the first two
 * inputs in typed arrays, scalar values and adjoints in Float64Arrays. Scalar element-wise
 * nodes never allocate; other nodes keep a Tensor. Backward is a reverse loop.
 */
export class Tape {
  n = 0;
  private cap: number;
  /** Index into this tape's op list (a tape uses a few dozen ops at most). */
  opIndex: Uint16Array;
  kind: Uint8Array;
  in0: Int32Array;
  in1: Int32Array;
  /** 1 when the node's value has shape [] and lives in `sv`. */
  isScalar: Uint8Array;
  /** 1 when the node depends on a PARAM or LEAF (needs an adjoint). */
  req: Uint8Array;
  sv: Float64Array;
  /** Scalar code for element-wise ops (0 otherwise). */
  scode: Uint8Array;
  /** The op's numeric parameter for scalar kernels (leaky_relu slope). */
  sparam: Float64Array;
  tv: (Tensor | undefined)[] = [];
  inputsMore: (number[] | undefined)[] = [];
  attrs: (Attrs | undefined)[] = [];
  spanStart: Int32Array;
  spanEnd: Int32Array;
  /** Op definitions by index. */
  private readonly ops: OpDef[] = [];
  /** Op name → [table index, scalar code]: one lookup per node. */
  private readonly opIds = new Map<string, { id: number; code: number }>();

  constructor(capacity = 256) {
    this.cap = capacity;
    this.opIndex = new Uint16Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.in0 = new Int32Array(capacity);
    this.in1 = new Int32Array(capacity);
    this.isScalar = new Uint8Array(capacity);
    this.req = new Uint8Array(capacity);
    this.sv = new Float64Array(capacity);
    this.scode = new Uint8Array(capacity);
    this.sparam = new Float64Array(capacity);
    this.spanStart = new Int32Array(capacity);
    this.spanEnd = new Int32Array(capacity);
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Int32Array | Uint8Array | Uint16Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as { new (n: number): T })(cap);
      b.set(a);
      return b;
    };
    this.opIndex = g(this.opIndex);
    this.kind = g(this.kind);
    this.in0 = g(this.in0);
    this.in1 = g(this.in1);
    this.isScalar = g(this.isScalar);
    this.req = g(this.req);
    this.sv = g(this.sv);
    this.scode = g(this.scode);
    this.sparam = g(this.sparam);
    this.spanStart = g(this.spanStart);
    this.spanEnd = g(this.spanEnd);
    this.cap = cap;
  }

  private opEntry(name: string): { id: number; code: number } {
    let e = this.opIds.get(name);
    if (e === undefined) {
      e = { id: this.ops.length, code: SCALAR_CODE.get(name) ?? 0 };
      this.ops.push(getOp(name));
      this.opIds.set(name, e);
    }
    return e;
  }

  opOf(node: number): OpDef | undefined {
    return this.kind[node] === K.OP ? this.ops[this.opIndex[node]] : undefined;
  }

  private alloc(kind: K, spanStart: number, spanEnd: number): number {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.kind[i] = kind;
    this.in0[i] = NO_INPUT;
    this.in1[i] = NO_INPUT;
    this.scode[i] = 0;
    this.spanStart[i] = spanStart;
    this.spanEnd[i] = spanEnd;
    // tv, attrs and inputsMore stay sparse: written only for the nodes that need them.
    return i;
  }

  private store(i: number, t: Tensor): void {
    if (t.shape.length === 0) {
      this.isScalar[i] = 1;
      this.sv[i] = t.data[0];
      if (this.tv[i] !== undefined) this.tv[i] = undefined;
    } else {
      this.isScalar[i] = 0;
      this.tv[i] = t;
    }
  }

  /** A leaf or constant holding `value`. */
  leaf(value: Tensor, kind: K.PARAM | K.LEAF | K.CONST, spanStart = 0, spanEnd = 0): number {
    const i = this.alloc(kind, spanStart, spanEnd);
    this.req[i] = kind === K.CONST ? 0 : 1;
    this.store(i, value);
    return i;
  }

  /** A scalar constant without allocation. */
  scalarConst(v: number, spanStart = 0, spanEnd = 0): number {
    const i = this.alloc(K.CONST, spanStart, spanEnd);
    this.req[i] = 0;
    this.isScalar[i] = 1;
    this.sv[i] = v;
    return i;
  }

  value(i: number): Tensor {
    return this.isScalar[i] ? scalar(this.sv[i]) : this.tv[i]!;
  }

  shape(i: number): Shape {
    return this.isScalar[i] ? [] : this.tv[i]!.shape;
  }

  inputs(i: number): number[] {
    const more = this.inputsMore[i];
    if (more) return more;
    const r: number[] = [];
    if (this.in0[i] !== NO_INPUT) r.push(this.in0[i]);
    if (this.in1[i] !== NO_INPUT) r.push(this.in1[i]);
    return r;
  }

  /** A handle for an op, so hot loops skip the name lookup. */
  handle(name: string): OpHandle {
    const e = this.opEntry(name);
    return { name, id: e.id, code: e.code };
  }

  /**
   * Appends an element-wise op of one or two inputs through its handle. Scalar inputs take the
   * allocation-free path; anything else goes through `apply`.
   */
  applyFast(h: OpHandle, a: number, b: number = NO_INPUT, spanStart = 0, spanEnd = 0): number {
    const code = h.code;
    const isScalar = this.isScalar;
    if (code === 0 || isScalar[a] !== 1 || (b !== NO_INPUT && isScalar[b] !== 1)) return this.applyGeneral(h, a, b, spanStart, spanEnd);
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    // Every field is written: a truncated tape (training) reuses slots.
    this.kind[i] = K.OP;
    this.opIndex[i] = h.id;
    this.in0[i] = a;
    this.in1[i] = b;
    this.spanStart[i] = spanStart;
    this.spanEnd[i] = spanEnd;
    const req = this.req;
    req[i] = b === NO_INPUT ? req[a] : req[a] | req[b];
    this.scode[i] = code;
    isScalar[i] = 1;
    // Only leaky_relu reads its parameter (the default slope here, as `apply` without attrs).
    const p = code === S.LEAKY_RELU ? 0.01 : 0;
    if (p !== 0) this.sparam[i] = p;
    const sv = this.sv;
    sv[i] = scalarForward(code, sv[a], b === NO_INPUT ? 0 : sv[b], p);
    return i;
  }

  /** applyFast's general case, out of line so that the fast path stays small enough to inline. */
  private applyGeneral(h: OpHandle, a: number, b: number, spanStart: number, spanEnd: number): number {
    return this.apply(h.name, b === NO_INPUT ? [a] : [a, b], undefined, spanStart, spanEnd);
  }

  /**
   * Appends an op node and computes its value. The caller has checked shapes with the op's
   * inferShape (the evaluator does, to report errors with spans).
   */
  apply(name: string, inputs: readonly number[], attrs: Attrs | undefined, spanStart = 0, spanEnd = 0): number {
    const { id, code } = this.opEntry(name);
    const i = this.alloc(K.OP, spanStart, spanEnd);
    this.opIndex[i] = id;
    if (attrs !== undefined) this.attrs[i] = attrs;
    const n = inputs.length;
    const in0 = n > 0 ? inputs[0] : NO_INPUT;
    const in1 = n > 1 ? inputs[1] : NO_INPUT;
    let req = 0;
    for (let k = 0; k < n; k++) req |= this.req[inputs[k]];
    this.req[i] = req;
    if (n <= 2) {
      this.in0[i] = in0;
      this.in1[i] = in1;
    } else this.inputsMore[i] = inputs.slice();
    const p = attrs !== undefined && typeof attrs.slope === 'number' ? attrs.slope : 0.01;
    this.sparam[i] = p;
    if (code !== 0 && this.isScalar[in0] === 1 && (in1 === NO_INPUT || this.isScalar[in1] === 1)) {
      this.scode[i] = code;
      this.isScalar[i] = 1;
      this.sv[i] = scalarForward(code, this.sv[in0], in1 === NO_INPUT ? 0 : this.sv[in1], p);
    } else {
      this.compute(i);
    }
    return i;
  }

  /** (Re)computes node i's value from its inputs. */
  compute(i: number): void {
    const code = this.scode[i];
    if (code !== 0) {
      const a = this.sv[this.in0[i]];
      const b = this.in1[i] !== NO_INPUT ? this.sv[this.in1[i]] : 0;
      this.sv[i] = scalarForward(code, a, b, this.sparam[i]);
      return;
    }
    const op = this.ops[this.opIndex[i]];
    const ins = this.inputs(i).map((k) => this.value(k));
    this.store(i, op.forward(ins, this.attrs[i] ?? {}));
  }

  /** Drops every node from `mark` on (a training step's temporaries); their slots are reused. */
  truncate(mark: number): void {
    if (this.tv.length > mark) this.tv.length = mark;
    if (this.attrs.length > mark) this.attrs.length = mark;
    if (this.inputsMore.length > mark) this.inputsMore.length = mark;
    this.n = Math.min(this.n, mark);
  }

  isFinite(i: number): boolean {
    return this.isScalar[i] ? Number.isFinite(this.sv[i]) : allFinite(this.tv[i]!);
  }

  /** Marks every node `root` depends on (including itself). */
  reach(root: number): Uint8Array {
    const r = new Uint8Array(this.n);
    r[root] = 1;
    for (let i = root; i >= 0; i--) {
      if (!r[i] || this.kind[i] !== K.OP) continue;
      const more = this.inputsMore[i];
      if (more) for (const k of more) r[k] = 1;
      else {
        if (this.in0[i] !== NO_INPUT) r[this.in0[i]] = 1;
        if (this.in1[i] !== NO_INPUT) r[this.in1[i]] = 1;
      }
    }
    return r;
  }

  /** Reverse mode from a node holding one element. */
  backward(root: number): Gradients {
    const n = root + 1;
    const sg = new Float64Array(n);
    const tg: (Float64Array | undefined)[] = new Array(n);
    // What the root depends on is marked in the same reverse loop (as `reach` does): a node's
    // inputs are marked when the loop passes it, before it reaches them.
    const reached = new Uint8Array(n);
    reached[root] = 1;
    if (this.isScalar[root]) sg[root] = 1;
    else {
      const d = new Float64Array(this.tv[root]!.data.length);
      d.fill(1);
      tg[root] = d;
    }
    const { in0, in1, scode, sv, kind, req, isScalar, sparam, inputsMore } = this;
    for (let i = root; i >= 0; i--) {
      if (reached[i] === 0 || kind[i] !== K.OP) continue;
      const a0 = in0[i];
      const a1 = in1[i];
      const more = inputsMore[i];
      if (more !== undefined) for (let k = 0; k < more.length; k++) reached[more[k]] = 1;
      else {
        if (a0 !== NO_INPUT) reached[a0] = 1;
        if (a1 !== NO_INPUT) reached[a1] = 1;
      }
      if (!req[i]) continue;
      const code = scode[i];
      if (code !== 0) {
        const g = sg[i];
        if (g === 0) continue;
        const a = sv[a0];
        const b = a1 !== NO_INPUT ? sv[a1] : 0;
        if (req[a0]) sg[a0] += g * scalarPartial(code, 0, a, b, sv[i], sparam[i]);
        if (a1 !== NO_INPUT && req[a1]) sg[a1] += g * scalarPartial(code, 1, a, b, sv[i], sparam[i]);
        continue;
      }
      // General path: materialise tensors and call the op's backward.
      let g: Tensor;
      if (isScalar[i]) {
        if (sg[i] === 0) continue;
        g = scalar(sg[i]);
      } else {
        const d = tg[i];
        if (!d) continue;
        g = { shape: this.tv[i]!.shape, data: d };
      }
      const op = this.ops[this.opIndex[i]];
      const insIdx = this.inputs(i);
      const nIn = insIdx.length;
      const ins: Tensor[] = new Array(nIn);
      // Constants (the data) need no gradient: the op may skip computing theirs.
      const needs: boolean[] = new Array(nIn);
      for (let k = 0; k < nIn; k++) {
        ins[k] = this.value(insIdx[k]);
        needs[k] = req[insIdx[k]] === 1;
      }
      const grads = op.backward(g, ins, this.value(i), this.attrs[i] ?? {}, needs);
      const fresh = op.freshGradients === true;
      for (let k = 0; k < nIn; k++) {
        const j = insIdx[k];
        const gk = grads[k];
        if (!gk || !req[j]) continue;
        const gd = gk.data;
        if (isScalar[j]) {
          let s = 0;
          for (let e = 0; e < gd.length; e++) s += gd[e];
          sg[j] += s;
        } else {
          const cur = tg[j];
          if (gd.length !== this.tv[j]!.data.length)
            throw new Error(`internal: ${op.name} returned a gradient of ${gd.length} elements for an input of ${this.tv[j]!.data.length}`);
          if (cur) for (let e = 0; e < cur.length; e++) cur[e] += gd[e];
          // The first contribution is adopted when the op made it for this input alone (later
          // ones accumulate into it); otherwise it may alias g, a value or another input's
          // gradient, and is copied.
          else tg[j] = fresh && !returnedBefore(grads, k, gd) ? gd : gd.slice();
        }
      }
    }
    return new Gradients(this, sg, tg, reached);
  }

  /** Node i's value as a tensor of the given shape's size, re-run forward for nodes after `from`. */
  recomputeFrom(from: number, upto: number, dirty: Uint8Array): void {
    for (let i = from + 1; i <= upto; i++) {
      if (this.kind[i] !== K.OP) continue;
      const ins = this.inputs(i);
      let d = 0;
      for (const k of ins) d |= dirty[k];
      if (!d) continue;
      dirty[i] = 1;
      this.compute(i);
    }
  }

  /** Saves node values so a perturbation can be undone. */
  snapshot(nodes: Iterable<number>): Map<number, Tensor> {
    const m = new Map<number, Tensor>();
    for (const i of nodes) m.set(i, this.isScalar[i] ? scalar(this.sv[i]) : { shape: this.tv[i]!.shape, data: this.tv[i]!.data });
    return m;
  }

  restore(m: Map<number, Tensor>): void {
    for (const [i, t] of m) {
      if (t.shape.length === 0 && this.isScalar[i]) this.sv[i] = t.data[0];
      else this.store(i, t);
    }
  }

  setValue(i: number, t: Tensor): void {
    this.store(i, t);
  }
}

/** Did an earlier input's gradient in `grads` use the array `d`? */
function returnedBefore(grads: readonly (Tensor | null)[], k: number, d: Float64Array): boolean {
  for (let q = 0; q < k; q++) if (grads[q]?.data === d) return true;
  return false;
}

export interface OpHandle {
  readonly name: string;
  readonly id: number;
  readonly code: number;
}

export class Gradients {
  constructor(
    private readonly tape: Tape,
    private readonly sg: Float64Array,
    private readonly tg: (Float64Array | undefined)[],
    readonly reached: Uint8Array,
  ) {}

  /** The adjoint of node i (zeros where nothing reached it). */
  of(i: number): Tensor {
    const shape = this.tape.shape(i);
    if (isScalarShape(shape) && shape.length === 0) return scalar(i < this.sg.length ? this.sg[i] : 0);
    const d = i < this.tg.length ? this.tg[i] : undefined;
    return d ? { shape, data: d } : tensor(shape);
  }

  dependsOn(i: number): boolean {
    return i < this.reached.length && this.reached[i] === 1;
  }
}
