import { allFinite, isScalarShape, scalar, tensor, type Shape, type Tensor } from '../tensor/tensor';
import { getOp, type Attrs, type OpDef, type Scratch } from './op';
import { SCALAR_CODE } from './ops/elementwise';
import { S, scalarAdjoint, scalarForward } from './scalar';

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
 * Small zeroed buffers carved from a shared slab. A typed array over 64 bytes costs an
 * off-heap ArrayBuffer (an allocation the garbage collector must track and free, slower than
 * the small analyses that need one); tapes and backward passes of small documents take a
 * region of a 16 KB slab instead. Regions are never reused, so they are zero, and a slab is
 * freed once no array viewing it is alive. Larger buffers are allocated on their own.
 */
const SLAB_BYTES = 16384;
const SLAB_MAX_REGION = 4096;
let slab: ArrayBuffer | undefined;
let slabUsed = SLAB_BYTES;

/** A zeroed buffer of `bytes` bytes (rounded up to 8) and the offset where it starts. */
function zeroed(bytes: number): { readonly buffer: ArrayBuffer; readonly offset: number } {
  const size = (bytes + 7) & ~7;
  if (size > SLAB_MAX_REGION) return { buffer: new ArrayBuffer(size), offset: 0 };
  if (slab === undefined || slabUsed + size > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const offset = slabUsed;
  slabUsed += size;
  return { buffer: slab, offset };
}

/**
 * Arrays reused from one training step to the next (the same ops on the same shapes run every
 * step): `alloc` hands out a free array of the requested length, or a new one, and `recycle`
 * makes every array handed out since the last recycle free again. The owner must recycle only
 * when nothing reads those arrays any more (the training loop: after truncating the step's
 * nodes, having kept the loss as a number and updated the parameters in place). An array is
 * never handed out twice between recycles, so the arrays of one step never alias each other.
 */
export class ScratchPool implements Scratch {
  /** Free arrays by length. */
  private readonly free = new Map<number, Float64Array[]>();
  /** Arrays handed out since the last recycle. */
  private used: Float64Array[] = [];

  /**
   * `source` provides new arrays (zeroed) when it can — a training's WebAssembly arena, where
   * the kernels use them in place — and ordinary arrays are made when it cannot.
   */
  constructor(private readonly source?: (n: number) => Float64Array | undefined) {}

  alloc(n: number): Float64Array {
    const list = this.free.get(n);
    const a = list !== undefined && list.length > 0 ? list.pop()! : (this.source?.(n) ?? new Float64Array(n));
    this.used.push(a);
    return a;
  }

  recycle(): void {
    const used = this.used;
    for (let k = 0; k < used.length; k++) {
      const a = used[k];
      let list = this.free.get(a.length);
      if (list === undefined) this.free.set(a.length, (list = []));
      list.push(a);
    }
    used.length = 0;
  }
}

/** Bytes per node over all typed fields: sv, sparam (8 each), in0, in1, spanStart, spanEnd (4 each), opIndex (2), kind, isScalar, req, scode (1 each). */
const BYTES_PER_NODE = 8 * 2 + 4 * 4 + 2 + 4;

/**
 * A flat tape: nodes in creation order (a topological order), op codes and the first two
 * inputs in typed arrays, scalar values and adjoints in Float64Arrays. Scalar element-wise
 * nodes never allocate; other nodes keep a Tensor. Backward is a reverse loop.
 */
export class Tape {
  n = 0;
  /**
   * Counts changes to existing nodes (setValue, restore, truncate): a backward pass from a
   * node stays valid while the version is unchanged (appending nodes does not change it).
   */
  version = 0;
  private cap: number;
  /** Index into this tape's op list (a tape uses a few dozen ops at most). */
  opIndex!: Uint16Array;
  kind!: Uint8Array;
  in0!: Int32Array;
  in1!: Int32Array;
  /** 1 when the node's value has shape [] and lives in `sv`. */
  isScalar!: Uint8Array;
  /** 1 when the node depends on a PARAM or LEAF (needs an adjoint). */
  req!: Uint8Array;
  sv!: Float64Array;
  /** Scalar code for element-wise ops (0 otherwise). */
  scode!: Uint8Array;
  /** The op's numeric parameter for scalar kernels (leaky_relu slope). */
  sparam!: Float64Array;
  tv: (Tensor | undefined)[] = [];
  /**
   * Nodes holding booleans (numpy's bool dtype as 0/1; see OpDef.boolean), kept by the
   * evaluator. Here so that `truncate` forgets the ones it drops (a training step's nodes).
   */
  readonly bools = new Set<number>();
  inputsMore: (number[] | undefined)[] = [];
  attrs: (Attrs | undefined)[] = [];
  spanStart!: Int32Array;
  spanEnd!: Int32Array;
  /** Op definitions by index. */
  private readonly ops: OpDef[] = [];
  /** Op name → [table index, scalar code]: one lookup per node. */
  private readonly opIds = new Map<string, { id: number; code: number }>();
  /** While set (a training step), nodes from `scratchFrom` on take their values' arrays from it. */
  private scratch: Scratch | undefined;
  private scratchFrom = 0;

  constructor(capacity = 256) {
    this.cap = 0;
    this.allocate(Math.max(8, capacity | 0));
  }

  /**
   * Every per-node field is a view of one zeroed buffer (a slab region or an ArrayBuffer of
   * its own, instead of eleven ArrayBuffers): the float64 arrays first, then int32, uint16
   * and uint8, so that every view stays aligned.
   * Growing copies the first `n` entries of each field into a buffer of the new capacity.
   */
  private allocate(cap: number): void {
    const { buffer: buf, offset } = zeroed(cap * BYTES_PER_NODE);
    let off = offset;
    const f64 = (): Float64Array => {
      const a = new Float64Array(buf, off, cap);
      off += cap * 8;
      return a;
    };
    const i32 = (): Int32Array => {
      const a = new Int32Array(buf, off, cap);
      off += cap * 4;
      return a;
    };
    const u8 = (): Uint8Array => {
      const a = new Uint8Array(buf, off, cap);
      off += cap;
      return a;
    };
    const sv = f64();
    const sparam = f64();
    const in0 = i32();
    const in1 = i32();
    const spanStart = i32();
    const spanEnd = i32();
    const opIndex = new Uint16Array(buf, off, cap);
    off += cap * 2;
    const kind = u8();
    const isScalar = u8();
    const req = u8();
    const scode = u8();
    const n = this.n;
    if (this.cap > 0 && n > 0) {
      sv.set(this.sv.subarray(0, n));
      sparam.set(this.sparam.subarray(0, n));
      in0.set(this.in0.subarray(0, n));
      in1.set(this.in1.subarray(0, n));
      spanStart.set(this.spanStart.subarray(0, n));
      spanEnd.set(this.spanEnd.subarray(0, n));
      opIndex.set(this.opIndex.subarray(0, n));
      kind.set(this.kind.subarray(0, n));
      isScalar.set(this.isScalar.subarray(0, n));
      req.set(this.req.subarray(0, n));
      scode.set(this.scode.subarray(0, n));
    }
    this.sv = sv;
    this.sparam = sparam;
    this.in0 = in0;
    this.in1 = in1;
    this.spanStart = spanStart;
    this.spanEnd = spanEnd;
    this.opIndex = opIndex;
    this.kind = kind;
    this.isScalar = isScalar;
    this.req = req;
    this.scode = scode;
    this.cap = cap;
  }

  private grow(): void {
    this.allocate(this.cap * 2);
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

  /** A scalar leaf or constant holding `v`, without allocation (as `leaf` of a shape-[] tensor). */
  scalarLeaf(v: number, kind: K.PARAM | K.LEAF | K.CONST, spanStart = 0, spanEnd = 0): number {
    const i = this.alloc(kind, spanStart, spanEnd);
    this.req[i] = kind === K.CONST ? 0 : 1;
    this.isScalar[i] = 1;
    this.sv[i] = v;
    if (this.tv[i] !== undefined) this.tv[i] = undefined;
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
    // `this.isScalar`, not the local: grow() above may have replaced the array.
    this.isScalar[i] = 1;
    // Only leaky_relu reads its parameter (the default slope here, as `apply` without attrs).
    const p = code === S.LEAKY_RELU ? 0.01 : 0;
    if (p !== 0) this.sparam[i] = p;
    const sv = this.sv;
    // Identity (every binding of a computed value) without the kernel's second switch.
    sv[i] = code === S.IDENTITY ? sv[a] : scalarForward(code, sv[a], b === NO_INPUT ? 0 : sv[b], p);
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
    // Inputs the op never differentiates (a comparison's operands, an index) pass no requirement on.
    const nondiff = this.ops[id].nondiff;
    for (let k = 0; k < n; k++) if (nondiff === undefined || !nondiff.includes(k)) req |= this.req[inputs[k]];
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

  /**
   * From now on, values of op nodes at index `from` or later may live in `scratch` (undefined:
   * none do). The caller owns the arrays' lifetime: it recycles them only after truncating
   * those nodes, and copies any value it keeps.
   */
  useScratch(scratch: Scratch | undefined, from = this.n): void {
    this.scratch = scratch;
    this.scratchFrom = from;
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
    const scratch = this.scratch !== undefined && i >= this.scratchFrom ? this.scratch : undefined;
    this.store(i, op.forward(ins, this.attrs[i] ?? {}, scratch));
  }

  /** Drops every node from `mark` on (a training step's temporaries); their slots are reused. */
  truncate(mark: number): void {
    this.version++;
    if (this.bools.size > 0) for (const b of this.bools) if (b >= mark) this.bools.delete(b);
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

  /**
   * Reverse mode from a node holding one element. With `scratch`, the adjoints' arrays may come
   * from it: the caller must then stop reading the Gradients before it recycles the scratch.
   * With `floor`, only nodes above it pass their adjoint on: the adjoints that land on nodes at or
   * below it are the partials of the nodes above with those held constant (a statement's local
   * partials with respect to the bindings it reads, for derivations).
   */
  backward(root: number, scratch?: Scratch, floor = -1): Gradients {
    const n = root + 1;
    // The scalar adjoints and the reached marks share one zeroed buffer.
    const { buffer: buf, offset } = zeroed(n * 9);
    const sg = new Float64Array(buf, offset, n);
    // Tensor adjoints: an array only once a tensor node gets one (scalar graphs never do).
    let tg: (Float64Array | undefined)[] | undefined;
    // What the root depends on is marked in the same reverse loop (as `reach` does): a node's
    // inputs are marked when the loop passes it, before it reaches them.
    const reached = new Uint8Array(buf, offset + n * 8, n);
    reached[root] = 1;
    if (this.isScalar[root]) sg[root] = 1;
    else {
      const d = new Float64Array(this.tv[root]!.data.length);
      d.fill(1);
      tg = new Array(n);
      tg[root] = d;
    }
    const { in0, in1, scode, sv, kind, req, isScalar, sparam, inputsMore } = this;
    for (let i = root; i > floor; i--) {
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
        if (code === S.IDENTITY) {
          // ∂/∂a = 1: g·1 is g.
          if (req[a0]) sg[a0] += g;
          continue;
        }
        const a = sv[a0];
        const b = a1 !== NO_INPUT ? sv[a1] : 0;
        if (req[a0]) sg[a0] += scalarAdjoint(code, 0, g, a, b, sv[i], sparam[i]);
        if (a1 !== NO_INPUT && req[a1]) sg[a1] += scalarAdjoint(code, 1, g, a, b, sv[i], sparam[i]);
        continue;
      }
      // General path: materialise tensors and call the op's backward.
      let g: Tensor;
      if (isScalar[i]) {
        if (sg[i] === 0) continue;
        g = scalar(sg[i]);
      } else {
        const d = tg !== undefined ? tg[i] : undefined;
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
      const grads = op.backward(g, ins, this.value(i), this.attrs[i] ?? {}, needs, scratch);
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
          if (tg === undefined) tg = new Array(n);
          const cur = tg[j];
          if (gd.length !== this.tv[j]!.data.length)
            throw new Error(`internal: ${op.name} returned a gradient of ${gd.length} elements for an input of ${this.tv[j]!.data.length}`);
          if (cur) for (let e = 0; e < cur.length; e++) cur[e] += gd[e];
          // The first contribution is adopted when the op made it for this input alone (later
          // ones accumulate into it); otherwise it may alias g, a value or another input's
          // gradient, and is copied.
          else if (fresh && !returnedBefore(grads, k, gd)) tg[j] = gd;
          else if (scratch !== undefined) {
            const c = scratch.alloc(gd.length);
            c.set(gd);
            tg[j] = c;
          } else tg[j] = gd.slice();
        }
      }
    }
    return new Gradients(this, sg, tg ?? NO_TENSOR_ADJOINTS, reached);
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
    this.version++;
    for (const [i, t] of m) {
      if (t.shape.length === 0 && this.isScalar[i]) this.sv[i] = t.data[0];
      else this.store(i, t);
    }
  }

  setValue(i: number, t: Tensor): void {
    this.version++;
    this.store(i, t);
  }
}

/** The tensor adjoints of a backward pass that had none (shared: Gradients only reads it). */
const NO_TENSOR_ADJOINTS: readonly (Float64Array | undefined)[] = [];

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
    private readonly tg: readonly (Float64Array | undefined)[],
    readonly reached: Uint8Array,
  ) {}

  /** The adjoint of node i (zeros where nothing reached it). */
  of(i: number): Tensor {
    const shape = this.tape.shape(i);
    if (isScalarShape(shape) && shape.length === 0) return scalar(i < this.sg.length ? this.sg[i] : 0);
    const d = i < this.tg.length ? this.tg[i] : undefined;
    return d ? { shape, data: d } : tensor(shape);
  }

  /** The adjoint of a node holding a scalar (`tape.isScalar[i]`), as a number. */
  scalarOf(i: number): number {
    return i < this.sg.length ? this.sg[i] : 0;
  }

  dependsOn(i: number): boolean {
    return i < this.reached.length && this.reached[i] === 1;
  }
}
