import '../src/core/autodiff/ops/index';
import { K, Tape } from '../src/core/autodiff/tape';
import { scalar } from '../src/core/tensor/tensor';

/** A random scalar graph: leaves, then ops (0 add, 1 mul, 2 tanh, 3 relu) of uniformly random earlier nodes. */
export interface GraphSpec {
  leaves: number[];
  ops: number[];
  a: number[];
  b: number[];
}

export function randomGraph(nodes: number, seed = 12345): GraphSpec {
  let s = seed >>> 0;
  const rnd = (): number => {
    // xorshift32: fast, deterministic, the same graph in every run.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
  const nLeaves = Math.min(100, nodes);
  const leaves = Array.from({ length: nLeaves }, () => rnd() * 2 - 1);
  const ops: number[] = [];
  const a: number[] = [];
  const b: number[] = [];
  for (let i = nLeaves; i < nodes; i++) {
    const r = rnd();
    const op = r < 0.3 ? 0 : r < 0.6 ? 1 : r < 0.8 ? 2 : 3;
    ops.push(op);
    // Recent nodes more often, so the output depends on most of the graph.
    const pick = (): number => (rnd() < 0.5 ? i - 1 - Math.floor(rnd() * Math.min(i, 16)) : Math.floor(rnd() * i));
    a.push(pick());
    b.push(pick());
  }
  return { leaves, ops, a, b };
}

const OP_NAMES = ['add', 'mul', 'tanh', 'relu'];

/** Builds (forward) and differentiates (backward) the graph on GradLens's tape. */
export function runTape(spec: GraphSpec): { forwardMs: number; backwardMs: number; out: number; grad0: number } {
  const t0 = performance.now();
  const tape = new Tape(spec.leaves.length + spec.ops.length + 16);
  for (const x of spec.leaves) tape.leaf(scalar(x), K.PARAM);
  const handles = OP_NAMES.map((n) => tape.handle(n));
  const { ops, a, b } = spec;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    if (op < 2) tape.applyFast(handles[op], a[k], b[k]);
    else tape.applyFast(handles[op], a[k]);
  }
  const t1 = performance.now();
  const root = tape.n - 1;
  const g = tape.backward(root);
  const t2 = performance.now();
  return { forwardMs: t1 - t0, backwardMs: t2 - t1, out: tape.sv[root], grad0: g.of(0).data[0] };
}
