/**
 * The layer catalogue: PyTorch's names, positional/keyword arguments and defaults, parameter
 * shapes and default initialisation, output-shape formulas (symbolic sizes allowed), MACs,
 * torchinfo's Mult-Adds, and how each layer runs as ops on the tape.
 *
 * Parameter formulas read as PyTorch counts them:
 *  - Linear `(in + 1) × out`: in weights plus one bias for each of out units (`in × out`
 *    without bias).
 *  - Conv `(C_in/groups·k_h·k_w + 1) × C_out`: a kernel over C_in/groups channels plus a bias,
 *    for each output channel (ConvTranspose: `C_in·(C_out/groups)·k_h·k_w + C_out`).
 *  - BatchNorm/GroupNorm `2 × C` (γ and β per channel), LayerNorm `2 × numel(shape)`.
 *  - Embedding `num × dim`.
 *  - RNN/GRU/LSTM, per layer and direction: `G·H·(in + H + 2)` with G = 1, 3, 4 gates (two
 *    bias vectors; `G·H·(in + H)` without bias; LSTM with proj_size P: `4·H·(in + P + 2) + P·H`),
 *    where in is input_size for layer 0 and D·H (or D·P) after; `2·(…)` when bidirectional.
 *  - MultiheadAttention `4·E² + 4·E` (in_proj 3E×E + 3E, out_proj E×E + E).
 *
 * MACs (multiply-accumulates without bias, §5): Linear in·out per output row; Conv
 * (C_in/groups)·∏kernel·C_out per output position (ConvTranspose per input position);
 * RNNs G·H·(in + H) per step, direction and layer (+ P·H with a projection); attention
 * 4·E² per token plus 2·L·E per token for the scores and the weighted sum; 0 for the rest.
 * Mult-Adds follow torchinfo: for Conv, params × N × ∏output spatial; for RNNs and attention,
 * params × (first two output sizes); for other layers with parameters, params × output[0].
 */
import * as D from './dims';
import type { Dim } from './dims';
import { MAX_LAYER_COUNT, type ArgSpec, type ArgVal, type NetRef } from './args';
import type { LayerError, LayerImpl, NetSpec, ParamDecl, RunHelpers } from './types';
import { isLayerError } from './types';
import type { NodeId } from '../builtins/types';
import type { Attrs } from '../autodiff/op';
import { tensor } from '../tensor/tensor';
import { batchStats } from './ops/norm';
import { runAttention, runRecurrent } from './sequence';
// The activation layers ELU, SELU, SiLU, … run the element-wise op table's ops.
import '../autodiff/ops/elementwise';

export interface MakeArgs {
  readonly v: Readonly<Record<string, ArgVal>>;
  /** The incoming shape at build time (undefined after an earlier error). */
  readonly inShape: readonly Dim[] | undefined;
  /** `Linear(30, 10)` */
  readonly call: string;
  /** Reports a bad argument (net.bad-argument) on that argument's span, or the line. */
  problem(message: string, arg?: string): undefined;
  /** The network spec behind a `net` argument. */
  spec(ref: NetRef): NetSpec;
}

export interface LayerDef {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  /** Other spellings (lower case): `dense`. */
  readonly aliases?: readonly string[];
  make(a: MakeArgs): LayerImpl | undefined;
}

const ZERO = (): Dim => 0;
const st = D.shapeText;

function ints(v: ArgVal, n: number): number[] {
  if (typeof v === 'number') return new Array<number>(n).fill(v);
  return (v as number[]).slice();
}

function tupleOk(a: MakeArgs, name: string, n: number): number[] | undefined {
  const v = a.v[name];
  if (Array.isArray(v) && v.length !== n) return a.problem(`Expected ${n} value${n === 1 ? '' : 's'} for ${name}, found ${v.length}.`, name);
  return ints(v, n);
}

const mulAll = (ds: readonly Dim[]): Dim => D.product(ds);
const numelDims = (s: readonly Dim[]): Dim => D.product(s);
const bool = (v: ArgVal): boolean => v === true;

/** Mult-Adds as torchinfo: output[0] × params. */
const taMult = (params: number) => (_x: readonly Dim[], y: readonly Dim[]): Dim => (params === 0 ? 0 : D.mul(y[0] ?? 1, params));

function uniform(local: string, shape: number[], bound: number): ParamDecl {
  return { local, shape, init: { kind: 'uniform', bound } };
}
function constant(local: string, shape: number[], value: number): ParamDecl {
  return { local, shape, init: { kind: 'const', value } };
}

function sumParams(ps: readonly ParamDecl[]): number {
  let s = 0;
  for (const p of ps) s += p.shape.reduce((a, b) => a * b, 1);
  return s;
}

function mismatch(message: string, arg?: string): LayerError {
  return arg ? { message, arg, code: 'net.shape-mismatch' } : { message, code: 'net.shape-mismatch' };
}

// ---------------------------------------------------------------- Linear

const linear: LayerDef = {
  name: 'Linear',
  aliases: ['dense'],
  args: [
    { name: 'in_features', kind: 'int', default: -1 },
    { name: 'out_features', kind: 'int', default: -1, aliases: ['units'] },
    { name: 'bias', kind: 'bool', default: true, aliases: ['use_bias'] },
  ],
  make(a) {
    let inF = a.v.in_features as number;
    let outF = a.v.out_features as number;
    if (outF === -1 && inF !== -1) {
      // Linear(out): one argument is out_features; in_features comes from the incoming shape.
      outF = inF;
      inF = -1;
    }
    if (outF === -1) return a.problem(`${a.call} needs out_features.`);
    let inferred = false;
    if (inF === -1) {
      const last = a.inShape?.[a.inShape.length - 1];
      if (a.inShape === undefined) return undefined;
      if (last === undefined || typeof last !== 'number')
        return a.problem(`${a.call} cannot infer in_features from the incoming shape ${st(a.inShape)}; write Linear(in_features, ${outF}).`);
      inF = last;
      inferred = true;
    }
    const hasBias = bool(a.v.bias);
    const bound = inF > 0 ? 1 / Math.sqrt(inF) : 0;
    const params = [uniform('weight', [outF, inF], bound)];
    if (hasBias) params.push(uniform('bias', [outF], bound));
    const count = sumParams(params);
    return {
      params,
      buffers: [],
      children: [],
      formula: hasBias ? `(${inF} + 1) × ${outF}` : `${inF} × ${outF}`,
      infer(x) {
        const last = x[x.length - 1];
        if (x.length === 0 || (typeof last === 'number' && last !== inF))
          return mismatch(`${a.call} expects ${inF} input features but receives ${st(x)}.`, inferred ? undefined : 'in_features');
        return [...x.slice(0, -1), outF];
      },
      macs: (_x, y) => D.mul(numelDims(y), inF),
      multAdds: taMult(count),
      run(x, r) {
        const ins = [x, r.param('weight')];
        if (hasBias) ins.push(r.param('bias'));
        return r.apply('linear', ins);
      },
    };
  },
};

// ---------------------------------------------------------------- Conv

function convDef(nd: 1 | 2): LayerDef {
  const name = `Conv${nd}d`;
  return {
    name,
    args: [
      { name: 'in_channels', kind: 'int' },
      { name: 'out_channels', kind: 'int' },
      { name: 'kernel_size', kind: 'ints' },
      { name: 'stride', kind: 'ints', default: 1 },
      { name: 'padding', kind: 'padding', default: 0 },
      { name: 'dilation', kind: 'ints', default: 1 },
      { name: 'groups', kind: 'int', default: 1 },
      { name: 'bias', kind: 'bool', default: true },
      { name: 'padding_mode', kind: 'string', default: 'zeros', choices: ['zeros'] },
    ],
    make(a) {
      const Cin = a.v.in_channels as number;
      const Cout = a.v.out_channels as number;
      const groups = a.v.groups as number;
      const k = tupleOk(a, 'kernel_size', nd);
      const s = tupleOk(a, 'stride', nd);
      const d = tupleOk(a, 'dilation', nd);
      if (!k || !s || !d) return undefined;
      if (groups < 1) return a.problem(`Expected groups ≥ 1, found ${groups}.`, 'groups');
      if (Cin % groups !== 0) return a.problem(`groups = ${groups} does not divide in_channels = ${Cin}.`, 'groups');
      if (Cout % groups !== 0) return a.problem(`groups = ${groups} does not divide out_channels = ${Cout}.`, 'groups');
      if (k.some((x) => x < 1)) return a.problem(`Expected a kernel_size of at least 1, found ${k.join(', ')}.`, 'kernel_size');
      if (s.some((x) => x < 1)) return a.problem(`Expected a stride of at least 1, found ${s.join(', ')}.`, 'stride');
      let p0: number[];
      let p1: number[];
      const pv = a.v.padding;
      if (pv === 'valid') p0 = p1 = new Array<number>(nd).fill(0);
      else if (pv === 'same') {
        if (s.some((x) => x !== 1)) return a.problem(`padding='same' needs stride 1 (as PyTorch), found stride ${s.join(', ')}.`, 'padding');
        p0 = [];
        p1 = [];
        for (let i = 0; i < nd; i++) {
          const total = d[i] * (k[i] - 1);
          p0.push(Math.floor(total / 2));
          p1.push(total - Math.floor(total / 2));
        }
      } else {
        const t = tupleOk(a, 'padding', nd);
        if (!t) return undefined;
        p0 = p1 = t;
      }
      const hasBias = bool(a.v.bias);
      const fanIn = (Cin / groups) * k.reduce((x, y) => x * y, 1);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      const params = [uniform('weight', [Cout, Cin / groups, ...k], bound)];
      if (hasBias) params.push(uniform('bias', [Cout], bound));
      const count = sumParams(params);
      const kText = [String(Cin / groups), ...k.map(String)].join('·');
      return {
        params,
        buffers: [],
        children: [],
        formula: hasBias ? `(${kText} + 1) × ${Cout}` : `${kText} × ${Cout}`,
        infer(x) {
          const what = nd === 2 ? '[N, C, H, W] or [C, H, W]' : '[N, C, L] or [C, L]';
          if (x.length !== nd + 2 && x.length !== nd + 1) return mismatch(`${a.call} expects an input ${what} but receives ${st(x)}.`);
          const c = x[x.length - nd - 1];
          if (typeof c === 'number' && c !== Cin) return mismatch(`${a.call} expects ${Cin} input channels but receives ${st(x)}.`, 'in_channels');
          const out: Dim[] = [...x.slice(0, x.length - nd - 1), Cout];
          for (let i = 0; i < nd; i++) {
            const L = x[x.length - nd + i];
            const o = D.add(D.floorDiv(D.add(L, p0[i] + p1[i] - d[i] * (k[i] - 1) - 1), s[i]), 1);
            if (typeof o === 'number' && o < 1)
              return mismatch(`${a.call} has a kernel of ${d[i] * (k[i] - 1) + 1} (dilated) on an input of ${D.toText(L)} + ${p0[i] + p1[i]} padding along axis ${x.length - nd + i}: the kernel is larger than the padded input ${st(x)}.`, 'kernel_size');
            out.push(o);
          }
          return out;
        },
        macs: (_x, y) => D.mul(numelDims(y), fanIn),
        multAdds: (_x, y) => (y.length === nd + 2 ? D.mul(D.mul(y[0], mulAll(y.slice(2))), count) : D.mul(mulAll(y.slice(1)), count)),
        run(x, r) {
          // An unbatched input [C, …] runs as a batch of one, as in PyTorch.
          const shape = [...r.shape(x)];
          const unbatched = shape.length === nd + 1;
          if (!unbatched && shape.length !== nd + 2) return r.error('net.not-runnable', `${a.call} expects [N, C, …] or [C, …]; found ${st(shape)}.`);
          const xb = unbatched ? r.apply('reshape', [x], { shape: [1, ...shape] }) : x;
          if (xb === undefined) return undefined;
          const ins = [xb, r.param('weight')];
          if (hasBias) ins.push(r.param('bias'));
          const y = r.apply(`conv${nd}d`, ins, { stride: s, padding: p0, paddingEnd: p1, dilation: d, groups });
          if (!unbatched || y === undefined) return y;
          return r.apply('reshape', [y], { shape: [...r.shape(y)].slice(1) });
        },
      };
    },
  };
}

const convTranspose2d: LayerDef = {
  name: 'ConvTranspose2d',
  args: [
    { name: 'in_channels', kind: 'int' },
    { name: 'out_channels', kind: 'int' },
    { name: 'kernel_size', kind: 'ints' },
    { name: 'stride', kind: 'ints', default: 1 },
    { name: 'padding', kind: 'ints', default: 0 },
    { name: 'output_padding', kind: 'ints', default: 0 },
    { name: 'groups', kind: 'int', default: 1 },
    { name: 'bias', kind: 'bool', default: true },
    { name: 'dilation', kind: 'ints', default: 1 },
    { name: 'padding_mode', kind: 'string', default: 'zeros', choices: ['zeros'] },
  ],
  make(a) {
    const Cin = a.v.in_channels as number;
    const Cout = a.v.out_channels as number;
    const groups = a.v.groups as number;
    const k = tupleOk(a, 'kernel_size', 2);
    const s = tupleOk(a, 'stride', 2);
    const p = tupleOk(a, 'padding', 2);
    const op = tupleOk(a, 'output_padding', 2);
    const d = tupleOk(a, 'dilation', 2);
    if (!k || !s || !p || !op || !d) return undefined;
    if (groups < 1 || Cin % groups !== 0) return a.problem(`groups = ${groups} does not divide in_channels = ${Cin}.`, 'groups');
    if (Cout % groups !== 0) return a.problem(`groups = ${groups} does not divide out_channels = ${Cout}.`, 'groups');
    for (let i = 0; i < 2; i++)
      if (op[i] >= s[i] && op[i] >= d[i]) return a.problem(`output_padding must be smaller than stride or dilation, found ${op[i]}.`, 'output_padding');
    const hasBias = bool(a.v.bias);
    const fanIn = (Cout / groups) * k[0] * k[1];
    const bound = 1 / Math.sqrt(fanIn);
    const params = [uniform('weight', [Cin, Cout / groups, ...k], bound)];
    if (hasBias) params.push(uniform('bias', [Cout], bound));
    const count = sumParams(params);
    const wText = `${Cin}·${Cout / groups}·${k[0]}·${k[1]}`;
    return {
      params,
      buffers: [],
      children: [],
      formula: hasBias ? `${wText} + ${Cout}` : wText,
      infer(x) {
        if (x.length !== 4 && x.length !== 3) return mismatch(`${a.call} expects an input [N, C, H, W] or [C, H, W] but receives ${st(x)}.`);
        const c = x[x.length - 3];
        if (typeof c === 'number' && c !== Cin) return mismatch(`${a.call} expects ${Cin} input channels but receives ${st(x)}.`, 'in_channels');
        const out: Dim[] = [...x.slice(0, x.length - 3), Cout];
        for (let i = 0; i < 2; i++) {
          const L = x[x.length - 2 + i];
          const o = D.add(D.scale(D.sub(L, 1), s[i]), -2 * p[i] + d[i] * (k[i] - 1) + op[i] + 1);
          if (typeof o === 'number' && o < 1) return mismatch(`${a.call} gives an empty output for ${st(x)}.`, 'padding');
          out.push(o);
        }
        return out;
      },
      macs: (x) => D.mul(D.mul(mulAll(x.slice(0, x.length - 3)), mulAll(x.slice(x.length - 2))), Cin * (Cout / groups) * k[0] * k[1]),
      multAdds: (_x, y) => (y.length === 4 ? D.mul(D.mul(y[0], mulAll(y.slice(2))), count) : D.mul(mulAll(y.slice(1)), count)),
      run(x, r) {
        // Unbatched [C, H, W] runs as a batch of one, as PyTorch.
        const shp = r.shape(x);
        const xb = shp.length === 3 ? r.apply('reshape', [x], { shape: [1, ...shp] }) : x;
        if (xb === undefined) return undefined;
        const ins = [xb, r.param('weight')];
        if (hasBias) ins.push(r.param('bias'));
        const y = r.apply('conv_transpose2d', ins, { stride: s, padding: p, outputPadding: op, dilation: d, groups });
        if (y === undefined || shp.length === 4) return y;
        return r.apply('reshape', [y], { shape: r.shape(y).slice(1) });
      },
    };
  },
};

// ---------------------------------------------------------------- Pooling

function poolDef(kind: 'max' | 'avg', nd: 1 | 2): LayerDef {
  const name = `${kind === 'max' ? 'Max' : 'Avg'}Pool${nd}d`;
  const args: ArgSpec[] =
    kind === 'max'
      ? [
          { name: 'kernel_size', kind: 'ints' },
          { name: 'stride', kind: 'ints', default: null },
          { name: 'padding', kind: 'ints', default: 0 },
          { name: 'dilation', kind: 'ints', default: 1 },
          { name: 'return_indices', kind: 'bool', default: false },
          { name: 'ceil_mode', kind: 'bool', default: false },
        ]
      : [
          { name: 'kernel_size', kind: 'ints' },
          { name: 'stride', kind: 'ints', default: null },
          { name: 'padding', kind: 'ints', default: 0 },
          { name: 'ceil_mode', kind: 'bool', default: false },
          { name: 'count_include_pad', kind: 'bool', default: true },
          ...(nd === 2 ? [{ name: 'divisor_override', kind: 'intOrNone', default: null } as ArgSpec] : []),
        ];
  return {
    name,
    args,
    make(a) {
      const k = tupleOk(a, 'kernel_size', nd);
      const s = a.v.stride === null ? k : tupleOk(a, 'stride', nd);
      const p = tupleOk(a, 'padding', nd);
      const d = kind === 'max' ? tupleOk(a, 'dilation', nd) : new Array<number>(nd).fill(1);
      if (!k || !s || !p || !d) return undefined;
      if (a.v.return_indices === true) return a.problem(`return_indices=True is not supported: the layer passes on one tensor.`, 'return_indices');
      if (s.some((x) => x < 1)) return a.problem(`Expected a stride of at least 1, found ${s.join(', ')}.`, 'stride');
      for (let i = 0; i < nd; i++)
        if (p[i] * 2 > k[i]) return a.problem(`Padding should be at most half of the kernel size, found padding ${p[i]} with kernel_size ${k[i]}.`, 'padding');
      const ceil = bool(a.v.ceil_mode);
      return {
        params: [],
        buffers: [],
        children: [],
        formula: '',
        infer(x) {
          if (x.length !== nd + 1 && x.length !== nd + 2)
            return mismatch(`${a.call} expects an input ${nd === 2 ? '[N, C, H, W] or [C, H, W]' : '[N, C, L] or [C, L]'} but receives ${st(x)}.`);
          const out: Dim[] = x.slice(0, x.length - nd);
          for (let i = 0; i < nd; i++) {
            const L = x[x.length - nd + i];
            const w = d[i] * (k[i] - 1) + 1;
            const num = D.add(L, 2 * p[i] - w);
            let o: Dim = D.add(ceil ? D.ceilDiv(num, s[i]) : D.floorDiv(num, s[i]), 1);
            if (ceil && typeof o === 'number' && typeof L === 'number' && (o - 1) * s[i] >= L + p[i]) o--;
            // PyTorch drops a last (ceil_mode) window that would start in the right padding. For a
            // symbolic size that can happen only when w < p + s, and then the windows are exactly
            // those starting at or before L + p − 1: floor((L + p − 1)/s) + 1 for every L.
            else if (ceil && typeof L !== 'number' && w < p[i] + s[i]) o = D.add(D.floorDiv(D.add(L, p[i] - 1), s[i]), 1);
            if (typeof o === 'number' && o < 1)
              return mismatch(`${a.call} has a window of ${d[i] * (k[i] - 1) + 1} on an input of ${D.toText(L)} (+ ${2 * p[i]} padding): the kernel is larger than the padded input ${st(x)}.`, 'kernel_size');
            out.push(o);
          }
          return out;
        },
        macs: ZERO,
        multAdds: ZERO,
        run(x, r) {
          const attrs: Attrs =
            kind === 'max'
              ? { kernel: k, stride: s, padding: p, dilation: d, ceilMode: ceil }
              : { kernel: k, stride: s, padding: p, ceilMode: ceil, countIncludePad: bool(a.v.count_include_pad), divisor: (a.v.divisor_override as number | null | undefined) ?? null };
          return r.apply(`${kind}_pool${nd}d`, [x], attrs);
        },
      };
    },
  };
}

const adaptiveAvgPool2d: LayerDef = {
  name: 'AdaptiveAvgPool2d',
  args: [{ name: 'output_size', kind: 'intsOrNone' }],
  make(a) {
    const v = a.v.output_size;
    const o: (number | null)[] = typeof v === 'number' ? [v, v] : (v as (number | null)[]).slice();
    if (o.length !== 2) return a.problem(`Expected 2 values for output_size, found ${o.length}.`, 'output_size');
    return {
      params: [],
      buffers: [],
      children: [],
      formula: '',
      infer(x) {
        if (x.length !== 3 && x.length !== 4) return mismatch(`${a.call} expects an input [N, C, H, W] or [C, H, W] but receives ${st(x)}.`);
        return [...x.slice(0, -2), o[0] ?? x[x.length - 2], o[1] ?? x[x.length - 1]];
      },
      macs: ZERO,
      multAdds: ZERO,
      run: (x, r) => r.apply('adaptive_avg_pool2d', [x], { output: o }),
    };
  },
};

// ---------------------------------------------------------------- Normalisation

function batchNormDef(nd: 1 | 2): LayerDef {
  return {
    name: `BatchNorm${nd}d`,
    args: [
      { name: 'num_features', kind: 'int' },
      { name: 'eps', kind: 'number', default: 1e-5 },
      { name: 'momentum', kind: 'numberOrNone', default: 0.1 },
      { name: 'affine', kind: 'bool', default: true },
      { name: 'track_running_stats', kind: 'bool', default: true },
    ],
    make(a) {
      const C = a.v.num_features as number;
      const eps = a.v.eps as number;
      const momentum = a.v.momentum as number | null;
      const affine = bool(a.v.affine);
      const track = bool(a.v.track_running_stats);
      const params = affine ? [constant('weight', [C], 1), constant('bias', [C], 0)] : [];
      const buffers = track ? [constant('running_mean', [C], 0), constant('running_var', [C], 1), constant('num_batches_tracked', [], 0)] : [];
      const count = sumParams(params);
      return {
        params,
        buffers,
        children: [],
        formula: affine ? `2 × ${C}` : '',
        infer(x) {
          const ok = nd === 1 ? x.length === 2 || x.length === 3 : x.length === 4;
          if (!ok) return mismatch(`${a.call} expects an input ${nd === 1 ? '[N, C] or [N, C, L]' : '[N, C, H, W]'} but receives ${st(x)}.`);
          if (typeof x[1] === 'number' && x[1] !== C) return mismatch(`${a.call} expects ${C} channels (axis 1) but receives ${st(x)}.`, 'num_features');
          return x.slice();
        },
        macs: ZERO,
        multAdds: taMult(count),
        run(x, r) {
          const useBatch = r.train || !track;
          const xs = r.shape(x);
          if (useBatch && xs[0] * xs.slice(2).reduce((p, q) => p * q, 1) <= 1)
            return r.error('net.shape-mismatch', `${a.call} in training mode needs more than one value per channel, found ${st([...xs])}.`);
          const stats = track ? [r.constant(r.buffer('running_mean')), r.constant(r.buffer('running_var'))] : [r.constant(tensor([C])), r.constant(tensor([C]))];
          const ins: NodeId[] = [x, ...stats];
          if (affine) ins.push(r.param('weight'), r.param('bias'));
          const y = r.apply('batch_norm', ins, { training: useBatch, eps });
          if (y !== undefined && r.train && track) {
            const bs = batchStats(r.value(x));
            const n = bs.count;
            const nbt = r.buffer('num_batches_tracked').data[0] + 1;
            const m = momentum === null ? 1 / nbt : momentum;
            const rm = r.buffer('running_mean');
            const rv = r.buffer('running_var');
            const nm = tensor([C]);
            const nv = tensor([C]);
            for (let c = 0; c < C; c++) {
              nm.data[c] = (1 - m) * rm.data[c] + m * bs.mean[c];
              nv.data[c] = (1 - m) * rv.data[c] + m * bs.varBiased[c] * (n / (n - 1));
            }
            r.setBuffer('running_mean', nm);
            r.setBuffer('running_var', nv);
            r.setBuffer('num_batches_tracked', tensor([], [nbt]));
          }
          return y;
        },
      };
    },
  };
}

const layerNorm: LayerDef = {
  name: 'LayerNorm',
  args: [
    { name: 'normalized_shape', kind: 'ints' },
    { name: 'eps', kind: 'number', default: 1e-5 },
    { name: 'elementwise_affine', kind: 'bool', default: true },
    { name: 'bias', kind: 'bool', default: true },
  ],
  make(a) {
    const ns = ints(a.v.normalized_shape, 1);
    const eps = a.v.eps as number;
    const affine = bool(a.v.elementwise_affine);
    const hasBias = affine && bool(a.v.bias);
    const params = affine ? [constant('weight', ns, 1)] : [];
    if (hasBias) params.push(constant('bias', ns, 0));
    const n = ns.reduce((p, q) => p * q, 1);
    const count = sumParams(params);
    return {
      params,
      buffers: [],
      children: [],
      formula: affine ? (hasBias ? `2 × ${n}` : `${n}`) : '',
      infer(x) {
        const tail = x.slice(x.length - ns.length);
        if (x.length < ns.length || tail.some((d, i) => typeof d === 'number' && d !== ns[i]))
          return mismatch(`${a.call} normalises the last axes ${st(ns)} but receives ${st(x)}.`, 'normalized_shape');
        return x.slice();
      },
      macs: ZERO,
      multAdds: taMult(count),
      run(x, r) {
        const ins = [x];
        if (affine) ins.push(r.param('weight'));
        if (hasBias) ins.push(r.param('bias'));
        if (affine && !hasBias) return r.error('net.not-runnable', `${a.call} with bias=False can be summarised but not yet run.`);
        return r.apply('layer_norm', ins, { dims: ns.length, eps });
      },
    };
  },
};

const groupNorm: LayerDef = {
  name: 'GroupNorm',
  args: [
    { name: 'num_groups', kind: 'int' },
    { name: 'num_channels', kind: 'int' },
    { name: 'eps', kind: 'number', default: 1e-5 },
    { name: 'affine', kind: 'bool', default: true },
  ],
  make(a) {
    const G = a.v.num_groups as number;
    const C = a.v.num_channels as number;
    const eps = a.v.eps as number;
    if (G < 1 || C % G !== 0) return a.problem(`num_groups = ${G} does not divide num_channels = ${C}.`, 'num_groups');
    const affine = bool(a.v.affine);
    const params = affine ? [constant('weight', [C], 1), constant('bias', [C], 0)] : [];
    const count = sumParams(params);
    return {
      params,
      buffers: [],
      children: [],
      formula: affine ? `2 × ${C}` : '',
      infer(x) {
        if (x.length < 2) return mismatch(`${a.call} expects an input [N, C, …] but receives ${st(x)}.`);
        if (typeof x[1] === 'number' && x[1] !== C) return mismatch(`${a.call} expects ${C} channels (axis 1) but receives ${st(x)}.`, 'num_channels');
        return x.slice();
      },
      macs: ZERO,
      multAdds: taMult(count),
      run(x, r) {
        const ins = [x];
        if (affine) ins.push(r.param('weight'), r.param('bias'));
        return r.apply('group_norm', ins, { groups: G, eps });
      },
    };
  },
};

// ---------------------------------------------------------------- Embedding, Dropout, Flatten

const embedding: LayerDef = {
  name: 'Embedding',
  args: [
    { name: 'num_embeddings', kind: 'int' },
    { name: 'embedding_dim', kind: 'int' },
    { name: 'padding_idx', kind: 'intOrNone', default: null },
    { name: 'max_norm', kind: 'numberOrNone', default: null },
    { name: 'norm_type', kind: 'number', default: 2 },
    { name: 'scale_grad_by_freq', kind: 'bool', default: false },
    { name: 'sparse', kind: 'bool', default: false },
  ],
  make(a) {
    const num = a.v.num_embeddings as number;
    const dim = a.v.embedding_dim as number;
    let pad = a.v.padding_idx as number | null;
    if (pad !== null) {
      if (pad < -num || pad >= num) return a.problem(`padding_idx must be within [−${num}, ${num - 1}], found ${pad}.`, 'padding_idx');
      if (pad < 0) pad += num;
    }
    const params: ParamDecl[] = [{ local: 'weight', shape: [num, dim], init: pad === null ? { kind: 'normal' } : { kind: 'normal', zeroRow: pad } }];
    return {
      params,
      buffers: [],
      children: [],
      formula: `${num} × ${dim}`,
      infer: (x) => [...x, dim],
      macs: ZERO,
      multAdds: taMult(num * dim),
      run(x, r) {
        if (a.v.max_norm !== null) return r.error('net.not-runnable', `${a.call} with max_norm can be summarised but not yet run.`);
        const idx = r.value(x).data;
        for (let i = 0; i < idx.length; i++)
          if (!Number.isInteger(idx[i]) || idx[i] < 0 || idx[i] >= num)
            return r.error('net.bad-index', `${a.call} expects integer indices in [0, ${num - 1}], found ${idx[i]}.`);
        return r.apply('embedding', [x, r.param('weight')], { paddingIdx: pad, scaleGradByFreq: a.v.scale_grad_by_freq === true });
      },
    };
  },
};

const dropout: LayerDef = {
  name: 'Dropout',
  args: [
    { name: 'p', kind: 'number', default: 0.5 },
    { name: 'inplace', kind: 'any', default: false },
  ],
  make(a) {
    const p = a.v.p as number;
    if (p < 0 || p > 1) return a.problem(`Expected a dropout probability between 0 and 1, found ${p}.`, 'p');
    return {
      params: [],
      buffers: [],
      children: [],
      formula: '',
      infer: (x) => x.slice(),
      macs: ZERO,
      multAdds: ZERO,
      run(x, r) {
        if (!r.train || p === 0) return x;
        const n = r.value(x).data.length;
        const u = r.rand(n);
        const m = tensor(r.shape(x));
        const scale = p === 1 ? 0 : 1 / (1 - p);
        for (let i = 0; i < n; i++) m.data[i] = u[i] < 1 - p ? scale : 0;
        return r.apply('dropout', [x, r.constant(m)]);
      },
    };
  },
};

const flatten: LayerDef = {
  name: 'Flatten',
  args: [
    { name: 'start_dim', kind: 'intOrNone', default: 1 },
    { name: 'end_dim', kind: 'intOrNone', default: -1 },
  ],
  make(a) {
    const s = (a.v.start_dim as number | null) ?? 1;
    const e = (a.v.end_dim as number | null) ?? -1;
    return {
      params: [],
      buffers: [],
      children: [],
      formula: '',
      infer(x) {
        const r = x.length;
        const s0 = s < 0 ? s + r : s;
        const e0 = e < 0 ? e + r : e;
        if (r === 0) return [1];
        if (s0 < 0 || s0 >= r || e0 < 0 || e0 >= r || s0 > e0)
          return mismatch(`${a.call} flattens axes ${s}..${e}, which do not exist in ${st(x)}.`, s0 < 0 || s0 >= r ? 'start_dim' : 'end_dim');
        return [...x.slice(0, s0), mulAll(x.slice(s0, e0 + 1)), ...x.slice(e0 + 1)];
      },
      macs: ZERO,
      multAdds: ZERO,
      run: (x, r) => r.apply('flatten', [x], { start: s, end: e }),
    };
  },
};

// ---------------------------------------------------------------- Activations

function activation(name: string, args: ArgSpec[], op: (a: MakeArgs) => { op: string; attrs?: Record<string, number | string> } | null): LayerDef {
  return {
    name,
    args,
    make(a) {
      const o = op(a);
      return {
        params: [],
        buffers: [],
        children: [],
        formula: '',
        infer(x) {
          if (o?.attrs && typeof o.attrs.axis === 'number') {
            const ax = o.attrs.axis;
            if (ax < -Math.max(x.length, 1) || ax >= Math.max(x.length, 1)) return mismatch(`${a.call} takes dim ${ax}, which does not exist in ${st(x)}.`, 'dim');
          }
          return x.slice();
        },
        macs: ZERO,
        multAdds: ZERO,
        run: (x, r) => (o === null ? x : r.apply(o.op, [x], o.attrs ?? {})),
      };
    },
  };
}
const inplace: ArgSpec = { name: 'inplace', kind: 'any', default: false };

const activations: LayerDef[] = [
  activation('ReLU', [inplace], () => ({ op: 'nn_relu' })),
  activation('LeakyReLU', [{ name: 'negative_slope', kind: 'number', default: 0.01 }, inplace], (a) => ({ op: 'nn_leaky_relu', attrs: { slope: a.v.negative_slope as number } })),
  activation('Sigmoid', [], () => ({ op: 'nn_sigmoid' })),
  activation('Tanh', [], () => ({ op: 'nn_tanh' })),
  activation('GELU', [{ name: 'approximate', kind: 'string', default: 'none', choices: ['none', 'tanh'] }], (a) => ({ op: 'nn_gelu', attrs: { approximate: a.v.approximate as string } })),
  activation('Softmax', [{ name: 'dim', kind: 'intOrNone', default: null, aliases: ['axis'] }], (a) => ({ op: 'nn_softmax', attrs: { axis: (a.v.dim as number | null) ?? -1 } })),
  activation('LogSoftmax', [{ name: 'dim', kind: 'intOrNone', default: null, aliases: ['axis'] }], (a) => ({ op: 'nn_log_softmax', attrs: { axis: (a.v.dim as number | null) ?? -1 } })),
  activation('Identity', [], () => null),
  // The element-wise op table's activations (autodiff/ops/elementwise.ts), as PyTorch's modules.
  activation('ELU', [{ name: 'alpha', kind: 'number', default: 1 }, inplace], (a) => ({ op: 'elu', attrs: { alpha: a.v.alpha as number } })),
  activation('Hardtanh', [{ name: 'min_val', kind: 'number', default: -1 }, { name: 'max_val', kind: 'number', default: 1 }, inplace], (a) => ({
    op: 'hardtanh',
    attrs: { min: a.v.min_val as number, max: a.v.max_val as number },
  })),
  activation('SELU', [inplace], () => ({ op: 'selu' })),
  activation('SiLU', [inplace], () => ({ op: 'silu' })),
  activation('Mish', [inplace], () => ({ op: 'mish' })),
  activation('ReLU6', [inplace], () => ({ op: 'relu6' })),
  activation('Softsign', [], () => ({ op: 'softsign' })),
  activation('LogSigmoid', [], () => ({ op: 'logsigmoid' })),
  activation('Hardsigmoid', [inplace], () => ({ op: 'hardsigmoid' })),
  activation('Hardswish', [inplace], () => ({ op: 'hardswish' })),
];

// ---------------------------------------------------------------- Recurrent

function recurrentDef(name: 'RNN' | 'LSTM' | 'GRU'): LayerDef {
  const G = name === 'LSTM' ? 4 : name === 'GRU' ? 3 : 1;
  const args: ArgSpec[] = [
    { name: 'input_size', kind: 'int' },
    { name: 'hidden_size', kind: 'int' },
    { name: 'num_layers', kind: 'int', default: 1, max: MAX_LAYER_COUNT },
    ...(name === 'RNN' ? [{ name: 'nonlinearity', kind: 'string', default: 'tanh', choices: ['tanh', 'relu'] } as ArgSpec] : []),
    { name: 'bias', kind: 'bool', default: true },
    { name: 'batch_first', kind: 'bool', default: false },
    { name: 'dropout', kind: 'number', default: 0 },
    { name: 'bidirectional', kind: 'bool', default: false },
    ...(name === 'LSTM' ? [{ name: 'proj_size', kind: 'int', default: 0 } as ArgSpec] : []),
  ];
  return {
    name,
    args,
    make(a) {
      const I = a.v.input_size as number;
      const H = a.v.hidden_size as number;
      const L = a.v.num_layers as number;
      const P = (a.v.proj_size as number | undefined) ?? 0;
      const Dn = bool(a.v.bidirectional) ? 2 : 1;
      const hasBias = bool(a.v.bias);
      const batchFirst = bool(a.v.batch_first);
      const p = a.v.dropout as number;
      if (L < 1) return a.problem(`Expected num_layers ≥ 1, found ${L}.`, 'num_layers');
      if (!(p >= 0 && p <= 1)) return a.problem(`Expected a dropout probability between 0 and 1, found ${p}.`, 'dropout');
      if (P >= H && P > 0) return a.problem(`proj_size must be smaller than hidden_size, found ${P} ≥ ${H}.`, 'proj_size');
      const Hout = P > 0 ? P : H;
      const bound = H > 0 ? 1 / Math.sqrt(H) : 0;
      const params: ParamDecl[] = [];
      const parts: string[] = [];
      let macsPerStep = 0;
      for (let l = 0; l < L; l++) {
        const inL = l === 0 ? I : Dn * Hout;
        for (let dir = 0; dir < Dn; dir++) {
          const sfx = `_l${l}${dir === 1 ? '_reverse' : ''}`;
          params.push(uniform(`weight_ih${sfx}`, [G * H, inL], bound), uniform(`weight_hh${sfx}`, [G * H, Hout], bound));
          if (hasBias) params.push(uniform(`bias_ih${sfx}`, [G * H], bound), uniform(`bias_hh${sfx}`, [G * H], bound));
          if (P > 0) params.push(uniform(`weight_hr${sfx}`, [P, H], bound));
          macsPerStep += G * H * (inL + Hout) + P * H;
        }
        const gh = G === 1 ? `${H}` : `${G}·${H}`;
        const one = `${gh}·(${inL} + ${Hout}${hasBias ? ' + 2' : ''})${P > 0 ? ` + ${P}·${H}` : ''}`;
        parts.push(Dn === 2 ? `2·(${one})` : one);
      }
      const count = sumParams(params);
      return {
        params,
        buffers: [],
        children: [],
        formula: parts.join(' + '),
        infer(x) {
          if (x.length !== 3 && x.length !== 2)
            return mismatch(`${a.call} expects an input ${batchFirst ? '[N, L, input_size]' : '[L, N, input_size]'} or [L, input_size] but receives ${st(x)}.`);
          const f = x[x.length - 1];
          if (typeof f === 'number' && f !== I) return mismatch(`${a.call} expects ${I} input features but receives ${st(x)}.`, 'input_size');
          return [...x.slice(0, -1), Dn * Hout];
        },
        macs: (x) => D.mul(mulAll(x.slice(0, -1)), macsPerStep),
        multAdds: (_x, y) => D.mul(y.length >= 3 ? D.mul(y[0], y[1]) : y[0], count),
        run: (x, r) =>
          runRecurrent(
            { kind: name, nonlinearity: a.v.nonlinearity === 'relu' ? 'relu' : 'tanh', hidden: H, layers: L, proj: P, directions: Dn === 2 ? 2 : 1, bias: hasBias, batchFirst, dropout: p, call: a.call },
            x,
            r,
          ),
      };
    },
  };
}

const multiheadAttention: LayerDef = {
  name: 'MultiheadAttention',
  args: [
    { name: 'embed_dim', kind: 'int' },
    { name: 'num_heads', kind: 'int' },
    { name: 'dropout', kind: 'number', default: 0 },
    { name: 'bias', kind: 'bool', default: true },
    { name: 'add_bias_kv', kind: 'bool', default: false },
    { name: 'add_zero_attn', kind: 'bool', default: false },
    { name: 'kdim', kind: 'intOrNone', default: null },
    { name: 'vdim', kind: 'intOrNone', default: null },
    { name: 'batch_first', kind: 'bool', default: false },
  ],
  make(a) {
    const E = a.v.embed_dim as number;
    const h = a.v.num_heads as number;
    if (h < 1 || E % h !== 0) return a.problem(`num_heads = ${h} does not divide embed_dim = ${E}.`, 'num_heads');
    const p = a.v.dropout as number;
    if (!(p >= 0 && p <= 1)) return a.problem(`Expected a dropout probability between 0 and 1, found ${p}.`, 'dropout');
    const kd = (a.v.kdim as number | null) ?? E;
    const vd = (a.v.vdim as number | null) ?? E;
    if (kd !== E || vd !== E) return a.problem(`MultiheadAttention here is self-attention: kdim and vdim must equal embed_dim (${E}).`, kd !== E ? 'kdim' : 'vdim');
    const hasBias = bool(a.v.bias);
    const xav = Math.sqrt(6 / (E + 3 * E));
    const params: ParamDecl[] = [uniform('in_proj_weight', [3 * E, E], xav)];
    if (hasBias) params.push(constant('in_proj_bias', [3 * E], 0));
    // xavier_normal_ on [1, 1, E]: fan_in = fan_out = E, so std = √(2/(E + E)) = 1/√E.
    if (bool(a.v.add_bias_kv)) {
      const std = 1 / Math.sqrt(E);
      params.push({ local: 'bias_k', shape: [1, 1, E], init: { kind: 'normal', std } }, { local: 'bias_v', shape: [1, 1, E], init: { kind: 'normal', std } });
    }
    params.push(uniform('out_proj.weight', [E, E], 1 / Math.sqrt(E)));
    if (hasBias) params.push(constant('out_proj.bias', [E], 0));
    const count = sumParams(params);
    const batchFirst = bool(a.v.batch_first);
    return {
      params,
      buffers: [],
      children: [],
      formula: `4·${E}²${hasBias ? ` + 4·${E}` : ''}${bool(a.v.add_bias_kv) ? ` + 2·${E}` : ''}`,
      infer(x) {
        if (x.length !== 3 && x.length !== 2) return mismatch(`${a.call} expects an input ${batchFirst ? '[N, L, E]' : '[L, N, E]'} or [L, E] but receives ${st(x)}.`);
        const f = x[x.length - 1];
        if (typeof f === 'number' && f !== E) return mismatch(`${a.call} expects embed_dim = ${E} features but receives ${st(x)}.`, 'embed_dim');
        return x.slice();
      },
      macs(x) {
        const tokens = mulAll(x.slice(0, -1));
        const Lq = x.length === 3 ? (batchFirst ? x[1] : x[0]) : x[0];
        return D.add(D.mul(tokens, 4 * E * E), D.mul(D.mul(tokens, Lq), 2 * E));
      },
      multAdds: (_x, y) => D.mul(y.length >= 3 ? D.mul(y[0], y[1]) : y[0], count),
      run: (x, r) =>
        runAttention({ embed: E, heads: h, bias: hasBias, addBiasKv: bool(a.v.add_bias_kv), addZeroAttn: bool(a.v.add_zero_attn), batchFirst, dropout: p }, x, r),
    };
  },
};

// ---------------------------------------------------------------- Residual

const residual: LayerDef = {
  name: 'Residual',
  args: [
    { name: 'net', kind: 'net' },
    { name: 'shortcut', kind: 'net', default: null },
  ],
  make(a) {
    const net = a.spec(a.v.net as NetRef);
    const sc = a.v.shortcut === null ? null : a.spec(a.v.shortcut as NetRef);
    const children = [{ local: 'net', spec: net }];
    if (sc) children.push({ local: 'shortcut', spec: sc });
    return {
      params: [],
      buffers: [],
      children,
      formula: '',
      infer(x, h) {
        const y = h.child(0, [...x]);
        if (isLayerError(y)) return y;
        const s = sc ? h.child(1, [...x]) : [...x];
        if (isLayerError(s)) return s;
        if (y.length !== s.length || y.some((d, i) => !D.sameDim(d, s[i]) && typeof d === 'number' && typeof s[i] === 'number'))
          return mismatch(`${a.call} adds ${sc ? `${sc.name}(x)` : 'x'} ${st(s)} and ${net.name}(x) ${st(y)}, which differ${sc ? '' : '; give a shortcut network: Residual(NET, SHORTCUT)'}.`, sc ? 'shortcut' : 'net');
        return y;
      },
      macs: ZERO,
      multAdds: ZERO,
      run(x, r) {
        const y = r.child(0, x);
        if (y === undefined) return undefined;
        const s = sc ? r.child(1, x) : x;
        if (s === undefined) return undefined;
        return r.apply('nn_add', [s, y]);
      },
    };
  },
};

export const LAYERS: readonly LayerDef[] = [
  linear,
  convDef(1),
  convDef(2),
  convTranspose2d,
  poolDef('max', 1),
  poolDef('max', 2),
  poolDef('avg', 1),
  poolDef('avg', 2),
  adaptiveAvgPool2d,
  batchNormDef(1),
  batchNormDef(2),
  layerNorm,
  groupNorm,
  embedding,
  dropout,
  flatten,
  ...activations,
  recurrentDef('RNN'),
  recurrentDef('LSTM'),
  recurrentDef('GRU'),
  multiheadAttention,
  residual,
];

const byName = new Map<string, LayerDef>();
for (const l of LAYERS) {
  byName.set(l.name.toLowerCase(), l);
  for (const al of l.aliases ?? []) byName.set(al, l);
}

/** Spellings already looked up (bounded): spares lower-casing each layer line. */
const bySpelling = new Map<string, LayerDef>();

/** Case-insensitive lookup (`nn.` already removed by the parser). */
export function findLayer(name: string): LayerDef | undefined {
  const hit = bySpelling.get(name);
  if (hit) return hit;
  const def = byName.get(name.toLowerCase());
  if (def && bySpelling.size < 256) bySpelling.set(name, def);
  return def;
}

export function layerNames(): string[] {
  return LAYERS.map((l) => l.name);
}

export type { RunHelpers };
