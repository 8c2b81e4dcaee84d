/**
 * The engine's view of the user's tape: names of nodes, fan-out, and a forward replay and a
 * backward pass that take one patched node (a misconception changes one node's forward or one
 * node's vector-Jacobian product) without touching the tape itself.
 */
import type { OpDef } from '../autodiff/op';
import { K, type Tape } from '../autodiff/tape';
import { scalarAdjoint, scalarForward } from '../autodiff/scalar';
import type { Binding } from '../eval/values';
import { clip } from '../explain/escape';
import { numel, scalar, tensor, type Tensor } from '../tensor/tensor';
import type { AnalysisContext } from './types';

/** A change to one node: its value, its local derivatives, or both. */
export interface NodePatch {
  readonly node: number;
  /** The node's value from its inputs' values (`out` is the correct value, for its shape). */
  readonly forward?: (ins: readonly Tensor[], out: Tensor) => Tensor;
  /** The node's vector-Jacobian product (null where an input gets nothing). */
  readonly backward?: (g: Tensor, ins: readonly Tensor[], out: Tensor, needs: readonly boolean[]) => (Tensor | null)[];
}

/** Thrown inside a replay when the diagnosis budget runs out; caught by the engine. */
export class OutOfBudget {}

export class GraphView {
  readonly tape: Tape;
  readonly text: string;
  private readonly byNode = new Map<number, Binding>();
  private consumerCounts: Int32Array | undefined;
  /** The tape's values as tensors, made once (a scalar read from the tape allocates one). */
  private readonly values: (Tensor | undefined)[] = [];
  private readonly labels: (string | undefined)[] = [];
  /** Work units left (tape elements read or written by replays). */
  left: number;

  constructor(ctx: AnalysisContext) {
    this.tape = ctx.tape;
    this.text = ctx.text;
    for (const b of ctx.bindings) this.byNode.set(b.node, b);
    this.left = ctx.budget ?? 5e7;
  }

  op(i: number): OpDef | undefined {
    return this.tape.opOf(i);
  }

  opName(i: number): string | undefined {
    return this.tape.opOf(i)?.name;
  }

  inputs(i: number): number[] {
    return this.tape.kind[i] === K.OP ? this.tape.inputs(i) : [];
  }

  value(i: number): Tensor {
    return (this.values[i] ??= this.tape.value(i));
  }

  size(i: number): number {
    return this.tape.isScalar[i] === 1 ? 1 : numel(this.tape.shape(i));
  }

  binding(i: number): Binding | undefined {
    return this.byNode.get(i);
  }

  /** The node a binding's identity node copies (itself for anything else). */
  through(i: number): number {
    let k = i;
    while (this.opName(k) === 'identity') k = this.tape.in0[k];
    return k;
  }

  /** Is this node (looking through bindings) a `param` leaf? */
  isParam(i: number): boolean {
    return this.tape.kind[this.through(i)] === K.PARAM;
  }

  /** How the node reads in a message: its binding's name, else its source text. */
  label(i: number): string {
    return (this.labels[i] ??= this.labelOf(i));
  }

  private labelOf(i: number): string {
    const b = this.byNode.get(i);
    if (b) return clip(b.name, 48);
    const k = this.through(i);
    const bk = this.byNode.get(k);
    if (bk) return clip(bk.name, 48);
    const s = this.tape.spanStart[k];
    const e = this.tape.spanEnd[k];
    const t = e > s ? this.text.slice(s, e).replace(/\s+/g, ' ').trim() : '';
    if (t) return t.length > 48 ? `${t.slice(0, 45)}…` : t;
    const o = this.op(k);
    return o ? o.display : '?';
  }

  span(i: number): { start: number; end: number } {
    return { start: this.tape.spanStart[i], end: this.tape.spanEnd[i] };
  }

  /** How many op inputs refer to each node (a node used twice in one op counts twice). */
  consumers(): Int32Array {
    if (this.consumerCounts) return this.consumerCounts;
    const c = new Int32Array(this.tape.n);
    for (let i = 0; i < this.tape.n; i++) for (const k of this.inputs(i)) c[k]++;
    return (this.consumerCounts = c);
  }

  /** Nodes on some path from `from` to `to` (inclusive): what `to` reaches and what depends on `from`. */
  between(from: number, to: number): Uint8Array {
    const r = this.tape.reach(to);
    const d = new Uint8Array(to + 1);
    d[from] = 1;
    for (let i = from + 1; i <= to; i++) {
      if (!r[i] || this.tape.kind[i] !== K.OP) continue;
      for (const k of this.inputs(i)) if (d[k]) d[i] = 1;
    }
    for (let i = 0; i <= to; i++) d[i] &= r[i];
    return d;
  }

  spend(units: number): void {
    this.left -= units;
    if (this.left < 0) throw new OutOfBudget();
  }

  /**
   * Values with `overrides` (node → value) and `patch` applied, re-running only what depends on
   * them, up to node `upto`. Unchanged nodes read the tape.
   */
  replay(upto: number, patch?: NodePatch, overrides?: ReadonlyMap<number, Tensor>): Values {
    const vals: (Tensor | undefined)[] = [];
    let start = upto + 1;
    if (patch && patch.forward) start = patch.node;
    if (overrides) for (const k of overrides.keys()) start = Math.min(start, k);
    const get = (k: number): Tensor => vals[k] ?? this.value(k);
    const tape = this.tape;
    for (let i = start; i <= upto; i++) {
      const o = overrides?.get(i);
      if (o !== undefined) {
        vals[i] = o;
        continue;
      }
      if (this.tape.kind[i] !== K.OP) continue;
      const ins = this.inputs(i);
      const isPatched = patch !== undefined && patch.node === i && patch.forward !== undefined;
      if (!isPatched && !ins.some((k) => vals[k] !== undefined)) continue;
      const code = tape.scode[i];
      if (!isPatched && code !== 0) {
        // Scalar element-wise: the tape's own kernel on numbers.
        this.spend(3);
        vals[i] = scalar(scalarForward(code, get(ins[0]).data[0], ins.length > 1 ? get(ins[1]).data[0] : 0, tape.sparam[i]));
        continue;
      }
      const iv = ins.map(get);
      this.spend(this.size(i) + iv.reduce((s, t) => s + t.data.length, 0));
      vals[i] = isPatched ? patch.forward!(iv, this.value(i)) : this.op(i)!.forward(iv, tape.attrs[i] ?? {});
    }
    return { get, changed: (k) => vals[k] !== undefined };
  }

  /**
   * ∂root/∂wrt by reverse mode over the nodes `between` them, reading values from `vals`, with
   * `patch`'s backward at its node, and adjoints replaced by `adjoints` where given (an earlier
   * answer carried forward).
   */
  gradient(root: number, wrt: number, between: Uint8Array, vals: Values, patch?: NodePatch, adjoints?: ReadonlyMap<number, Tensor>, keep?: (Float64Array | undefined)[]): Tensor {
    const adj: (Float64Array | undefined)[] = keep ?? new Array(root + 1);
    const rv = vals.get(root);
    adj[root] = new Float64Array(rv.data.length).fill(1);
    return this.propagate(root, wrt, between, vals, adj, patch, adjoints);
  }

  /**
   * What a backward-only patch at node i changes: the difference between its VJP and the op's,
   * given the correct adjoint `g` of node i, carried down to wrt (reverse mode is linear, so
   * the patched gradient is the correct one plus this; nodes above i are not revisited).
   */
  patchDelta(patch: NodePatch, g: Float64Array, wrt: number, between: Uint8Array): Tensor {
    const i = patch.node;
    const ins = this.inputs(i);
    const iv = ins.map((k) => this.value(k));
    const out = this.value(i);
    const gt: Tensor = { shape: this.tape.shape(i), data: g };
    const needs = ins.map((k) => between[k] === 1);
    this.spend(4 * g.length + iv.reduce((s, t) => s + t.data.length, 0));
    const orig = this.op(i)!.backward(gt, iv, out, this.tape.attrs[i] ?? {}, needs);
    const changed = patch.backward!(gt, iv, out, needs);
    const adj: (Float64Array | undefined)[] = new Array(i);
    ins.forEach((k, j) => {
      if (!needs[j]) return;
      const n = iv[j].data.length;
      const cur = (adj[k] ??= new Float64Array(n));
      const addIn = (t: Tensor | null, sign: number): void => {
        if (!t) return;
        if (t.data.length === n) for (let e = 0; e < n; e++) cur[e] += sign * t.data[e];
        else if (n === 1) for (let e = 0; e < t.data.length; e++) cur[0] += sign * t.data[e];
      };
      addIn(changed[j], 1);
      addIn(orig[j], -1);
    });
    const r = this.propagate(i - 1, wrt, between, { get: (k) => this.value(k), changed: () => false }, adj);
    return r;
  }

  /** The reverse loop from node `start` down to wrt, with the adjoints in `adj` so far. */
  private propagate(start: number, wrt: number, between: Uint8Array, vals: Values, adj: (Float64Array | undefined)[], patch?: NodePatch, adjoints?: ReadonlyMap<number, Tensor>): Tensor {
    const tape = this.tape;
    const shapeOf = (k: number) => tape.shape(k);
    for (let i = start; i > wrt; i--) {
      if (!between[i] || tape.kind[i] !== K.OP) continue;
      const o = adjoints?.get(i);
      if (o !== undefined) adj[i] = Float64Array.from(o.data);
      const a = adj[i];
      if (a === undefined) continue;
      const ins = this.inputs(i);
      const code = tape.scode[i];
      if (code !== 0 && a.length === 1 && !(patch !== undefined && patch.node === i && patch.backward !== undefined)) {
        // Scalar element-wise: the tape's own adjoint on numbers.
        const g = a[0];
        if (g === 0) continue;
        const x = vals.get(ins[0]).data[0];
        const y = ins.length > 1 ? vals.get(ins[1]).data[0] : 0;
        const o = vals.get(i).data[0];
        this.spend(4);
        for (let j = 0; j < ins.length; j++) {
          const k = ins[j];
          if (!between[k]) continue;
          const d = (adj[k] ??= new Float64Array(1));
          d[0] += scalarAdjoint(code, j, g, x, y, o, tape.sparam[i]);
        }
        continue;
      }
      const iv = ins.map((k) => vals.get(k));
      const out = vals.get(i);
      const g: Tensor = { shape: shapeOf(i), data: a };
      const needs = ins.map((k) => between[k] === 1);
      this.spend(2 * a.length + iv.reduce((s, t) => s + t.data.length, 0));
      const grads =
        patch !== undefined && patch.node === i && patch.backward !== undefined
          ? patch.backward(g, iv, out, needs)
          : this.op(i)!.backward(g, iv, out, tape.attrs[i] ?? {}, needs);
      ins.forEach((k, j) => {
        const gk = grads[j];
        if (!needs[j] || !gk) return;
        const n = iv[j].data.length;
        let cur = adj[k];
        if (cur === undefined) adj[k] = cur = new Float64Array(n);
        if (gk.data.length === n) for (let e = 0; e < n; e++) cur[e] += gk.data[e];
        else if (n === 1) {
          let s = 0;
          for (let e = 0; e < gk.data.length; e++) s += gk.data[e];
          cur[0] += s;
        } else throw new Error(`internal: ${this.opName(i)} gave ${gk.data.length} gradient elements for an input of ${n}`);
      });
    }
    const w = adj[wrt];
    const shape = shapeOf(wrt);
    if (w === undefined) return tensor(shape);
    return shape.length === 0 ? scalar(w[0]) : { shape, data: w };
  }
}

export interface Values {
  get(k: number): Tensor;
  changed(k: number): boolean;
}
