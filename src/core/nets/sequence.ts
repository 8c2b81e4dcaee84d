/**
 * Running RNN, LSTM, GRU and MultiheadAttention: composed from existing ops on the tape
 * (linear, index, element-wise sigmoid/tanh/relu/add/sub/mul, stack, concat, permute,
 * reshape, matmul, softmax), so backward is the tape's own and every step can be inspected.
 *
 * The recurrences follow PyTorch's CPU implementation (aten/src/ATen/native/RNN.cpp), with
 * the input projection of a layer computed for the whole sequence at once:
 *   gi = x·W_ihᵀ + b_ih  ([T, N, G·H]),  gh = h·W_hhᵀ + b_hh per step;
 *   RNN   h' = tanh(gh + gi_t)  (or relu)
 *   LSTM  i, f, g, o = σ, σ, tanh, σ of the four chunks of gh + gi_t;
 *         c' = f·c + i·g;  h' = o·tanh(c')  (then h'·W_hrᵀ with proj_size)
 *   GRU   r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r·gh_n);
 *         h' = (h − n)·z + n
 * from zero initial states; the reverse direction of a bidirectional layer reads the
 * sequence backwards and its outputs are concatenated after the forward ones. In training
 * mode dropout (the network's own masks) is applied to the output of every layer but the last.
 *
 * Attention is PyTorch's multi_head_attention_forward for query = key = value = x:
 * q, k, v = chunks of x·W_inᵀ + b_in; per head softmax(q·kᵀ/√d)·v; then out_proj.
 */
import type { NodeId } from '../builtins/types';
import type { Attrs } from '../autodiff/op';
import type { IndexItem } from '../tensor/layout';
import { tensor } from '../tensor/tensor';
import type { RunHelpers } from './types';

/** Thrown when an op reported its own error; the runner returns undefined. */
class Stop extends Error {}

const ALL: IndexItem = { kind: 'slice', start: null, stop: null, step: null };
const span = (a: number, b: number): IndexItem => ({ kind: 'slice', start: a, stop: b, step: null });

function ops(r: RunHelpers) {
  const A = (op: string, ins: readonly NodeId[], attrs?: Attrs): NodeId => {
    const y = r.apply(op, ins, attrs);
    if (y === undefined) throw new Stop();
    return y;
  };
  return {
    A,
    /** Columns a..b of the last axis of a 2-D [N, G·H] or 3-D tensor. */
    cols: (x: NodeId, a: number, b: number, rank = 2) => A('index', [x], { items: [...new Array<IndexItem>(rank - 1).fill(ALL), span(a, b)] as unknown as readonly number[] }),
    linear: (x: NodeId, w: NodeId, b?: NodeId) => A('linear', b === undefined ? [x, w] : [x, w, b]),
    /** In training mode with p > 0: x ⊙ mask (mask from the network's generator, scaled by 1/(1 − p)). */
    dropout(x: NodeId, p: number): NodeId {
      if (!r.train || p === 0) return x;
      const shape = r.shape(x);
      const m = tensor(shape);
      const u = r.rand(m.data.length);
      const scale = p === 1 ? 0 : 1 / (1 - p);
      for (let i = 0; i < m.data.length; i++) m.data[i] = u[i] < 1 - p ? scale : 0;
      return A('dropout', [x, r.constant(m)]);
    },
  };
}

function guarded(f: () => NodeId | undefined): NodeId | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof Stop) return undefined;
    throw e;
  }
}

export interface RecurrentConfig {
  readonly kind: 'RNN' | 'LSTM' | 'GRU';
  readonly nonlinearity: 'tanh' | 'relu';
  readonly hidden: number;
  readonly layers: number;
  /** LSTM proj_size (0: none). */
  readonly proj: number;
  readonly directions: 1 | 2;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly call: string;
}

/** RNN/LSTM/GRU on [T, N, I] ([N, T, I] batch_first) or unbatched [T, I]: the output sequence. */
export function runRecurrent(cfg: RecurrentConfig, x: NodeId, r: RunHelpers): NodeId | undefined {
  return guarded(() => {
    const { A, cols, linear, dropout } = ops(r);
    const shp = r.shape(x);
    const unbatched = shp.length === 2;
    const T = unbatched || !cfg.batchFirst ? shp[0] : shp[1];
    const N = unbatched ? 1 : cfg.batchFirst ? shp[0] : shp[1];
    if (T === 0) return r.error('net.shape-mismatch', `${cfg.call} needs a sequence of at least one step, found [${shp.join(', ')}].`);
    const H = cfg.hidden;
    const Hout = cfg.proj > 0 ? cfg.proj : H;
    let seq = unbatched ? A('reshape', [x], { shape: [T, 1, shp[1]] }) : cfg.batchFirst ? A('permute', [x], { perm: [1, 0, 2] }) : x;
    for (let l = 0; l < cfg.layers; l++) {
      const outs: NodeId[] = [];
      for (let dir = 0; dir < cfg.directions; dir++) {
        const sfx = `_l${l}${dir === 1 ? '_reverse' : ''}`;
        const wih = r.param(`weight_ih${sfx}`);
        const whh = r.param(`weight_hh${sfx}`);
        const bih = cfg.bias ? r.param(`bias_ih${sfx}`) : undefined;
        const bhh = cfg.bias ? r.param(`bias_hh${sfx}`) : undefined;
        const whr = cfg.proj > 0 ? r.param(`weight_hr${sfx}`) : undefined;
        const gi = linear(seq, wih, bih); // [T, N, G·H]
        let h = r.constant(tensor([N, Hout]));
        let c = cfg.kind === 'LSTM' ? r.constant(tensor([N, H])) : -1;
        const hs: NodeId[] = new Array<NodeId>(T);
        for (let s = 0; s < T; s++) {
          const t = dir === 0 ? s : T - 1 - s;
          const git = A('index', [gi], { items: [{ kind: 'int', index: t }] as unknown as readonly number[] }); // [N, G·H]
          const gh = linear(h, whh, bhh);
          if (cfg.kind === 'RNN') {
            h = A(cfg.nonlinearity, [A('add', [gh, git])]);
          } else if (cfg.kind === 'LSTM') {
            const gates = A('add', [gh, git]);
            const ig = A('sigmoid', [cols(gates, 0, H)]);
            const fg = A('sigmoid', [cols(gates, H, 2 * H)]);
            const cg = A('tanh', [cols(gates, 2 * H, 3 * H)]);
            const og = A('sigmoid', [cols(gates, 3 * H, 4 * H)]);
            c = A('add', [A('mul', [fg, c]), A('mul', [ig, cg])]);
            h = A('mul', [og, A('tanh', [c])]);
            if (whr !== undefined) h = linear(h, whr);
          } else {
            const rg = A('sigmoid', [A('add', [cols(git, 0, H), cols(gh, 0, H)])]);
            const zg = A('sigmoid', [A('add', [cols(git, H, 2 * H), cols(gh, H, 2 * H)])]);
            const ng = A('tanh', [A('add', [cols(git, 2 * H, 3 * H), A('mul', [rg, cols(gh, 2 * H, 3 * H)])])]);
            h = A('add', [A('mul', [A('sub', [h, ng]), zg]), ng]);
          }
          hs[t] = h;
        }
        outs.push(A('stack', hs, { axis: 0 })); // [T, N, Hout]
      }
      seq = outs.length === 1 ? outs[0] : A('concat', outs, { axis: 2 });
      if (l < cfg.layers - 1) seq = dropout(seq, cfg.dropout);
    }
    if (unbatched) return A('reshape', [seq], { shape: [T, cfg.directions * Hout] });
    return cfg.batchFirst ? A('permute', [seq], { perm: [1, 0, 2] }) : seq;
  });
}

export interface AttentionConfig {
  readonly embed: number;
  readonly heads: number;
  readonly bias: boolean;
  readonly addBiasKv: boolean;
  readonly addZeroAttn: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
}

/** Self-attention on [L, N, E] ([N, L, E] batch_first) or unbatched [L, E]: the attention output. */
export function runAttention(cfg: AttentionConfig, x: NodeId, r: RunHelpers): NodeId | undefined {
  return guarded(() => {
    const { A, cols, linear, dropout } = ops(r);
    const shp = r.shape(x);
    const E = cfg.embed;
    const h = cfg.heads;
    const d = E / h;
    const unbatched = shp.length === 2;
    const L = unbatched || !cfg.batchFirst ? shp[0] : shp[1];
    const N = unbatched ? 1 : cfg.batchFirst ? shp[0] : shp[1];
    // Work batch-first: [N, L, E].
    const xb = unbatched ? A('reshape', [x], { shape: [1, L, E] }) : cfg.batchFirst ? x : A('permute', [x], { perm: [1, 0, 2] });
    const qkv = linear(xb, r.param('in_proj_weight'), cfg.bias ? r.param('in_proj_bias') : undefined); // [N, L, 3E]
    let q = cols(qkv, 0, E, 3);
    let k = cols(qkv, E, 2 * E, 3);
    let v = cols(qkv, 2 * E, 3 * E, 3);
    let S = L;
    if (cfg.addBiasKv) {
      // bias_k, bias_v [1, 1, E] appended to every sequence of keys and values.
      const z = r.constant(tensor([N, 1, E]));
      k = A('concat', [k, A('add', [z, r.param('bias_k')])], { axis: 1 });
      v = A('concat', [v, A('add', [z, r.param('bias_v')])], { axis: 1 });
      S += 1;
    }
    q = A('permute', [A('reshape', [q], { shape: [N, L, h, d] })], { perm: [0, 2, 1, 3] }); // [N, h, L, d]
    k = A('permute', [A('reshape', [k], { shape: [N, S, h, d] })], { perm: [0, 2, 3, 1] }); // [N, h, d, S]
    v = A('permute', [A('reshape', [v], { shape: [N, S, h, d] })], { perm: [0, 2, 1, 3] }); // [N, h, S, d]
    if (cfg.addZeroAttn) {
      k = A('concat', [k, r.constant(tensor([N, h, d, 1]))], { axis: 3 });
      v = A('concat', [v, r.constant(tensor([N, h, 1, d]))], { axis: 2 });
    }
    const qs = A('div', [q, r.constant(tensor([], [Math.sqrt(d)]))]);
    let w = A('softmax', [A('matmul', [qs, k])], { axis: -1 }); // [N, h, L, S]
    w = dropout(w, cfg.dropout);
    const o = A('reshape', [A('permute', [A('matmul', [w, v])], { perm: [0, 2, 1, 3] })], { shape: [N, L, E] });
    const y = linear(o, r.param('out_proj.weight'), cfg.bias ? r.param('out_proj.bias') : undefined); // [N, L, E]
    if (unbatched) return A('reshape', [y], { shape: [L, E] });
    return cfg.batchFirst ? y : A('permute', [y], { perm: [1, 0, 2] });
  });
}
