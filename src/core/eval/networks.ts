/**
 * The evaluator's networks: `network` declarations, their parameters, calls, layer outputs and
 * `params(…)`/`size(…)`.
 */
import { K } from '../autodiff/tape';
import { error, nearest } from '../diagnostics';
import type { Rng } from '../builtins/types';
import type { Expr, NetworkDecl, PathRef } from '../syntax/ast';
import { numel, type Tensor } from '../tensor/tensor';
import type { Span } from '../span';
import { createRng } from '../tensor/rng';
import { buildNetwork, callNetwork, type NetParam, type NetworkModel } from '../nets/index';
import type { NetworkInfo } from '../analysis';
import type { Binding } from './values';
import type { Evaluator } from './evaluator';
import { expr } from './expressions';
import { callContext, constNumber, constBool } from './calls';
import { copy } from './common';

export interface NetState {
  readonly model: NetworkModel;
  readonly info: NetworkInfo | undefined;
  readonly decl: NetworkDecl;
  /** state_dict name → binding of the current leaf (created on first use: VGG-16's 138M values are not drawn until needed). */
  readonly params: Map<string, Binding>;
  /** Every spelling of every parameter → its spec and state_dict position. */
  readonly specs: Map<string, { readonly param: NetParam; readonly index: number }>;
  readonly buffers: Map<string, Tensor>;
  rng: Rng | undefined;
  readonly seed: number;
  /**
   * The layer outputs of the network's calls outside training, oldest first (at most
   * MAX_LAYER_CALLS): path (`mlp.A`, `mlp.1`) → tape node, for `grad L wrt mlp.A` and `h = mlp.A`.
   */
  readonly calls: Map<string, number>[];
}

/** How many calls of a network keep their layer outputs (a loop-free document calls a network a few times). */
const MAX_LAYER_CALLS = 64;

export function network(ev: Evaluator, decl: NetworkDecl): void {
  const name = decl.name.name;
  const seedV = decl.seed ? constNumber(ev, decl.seed, 'an integer seed') : 0;
  const { model, info, diagnostics } = buildNetwork(decl, {
    constant: (n) => {
      const b = ev.env.get(n);
      if (!b) return undefined;
      const t = ev.tape.value(b.node);
      return t.data.length === 1 ? t.data[0] : undefined;
    },
    network: (n) => ev.networks.get(n)?.model,
    lineOf: (offset: number) => ev.lines.lineOf(offset),
    broken: (n) => ev.poisoned.has(n),
  });
  ev.diagnostics.push(...diagnostics);
  if (info) ev.networkInfos.push(info);
  if (!model) {
    ev.poisoned.add(name);
    ev.env.delete(name);
    return;
  }
  const state: NetState = {
    model,
    info,
    decl,
    params: new Map(),
    specs: new Map(),
    buffers: new Map(),
    rng: undefined,
    seed: seedV ?? 0,
    calls: [],
  };
  ev.networks.set(name, state);
  ev.poisoned.delete(name);
  ev.env.delete(name);
  model.parameters().forEach((p, index) => {
    for (const n of [p.name, ...p.aliases]) state.specs.set(n, { param: p, index });
  });
  for (const buf of model.buffers()) {
    // Drawing (and copying) the buffer is charged before it is made.
    const k = model.entryOf(buf);
    ev.spend((k === undefined ? 0 : model.initCost(k)) + numel(buf.shape), decl.span);
    state.buffers.set(buf.name, copy(buf.init));
    for (const a of buf.aliases ?? []) state.buffers.set(a, state.buffers.get(buf.name)!);
  }
}

/** The current binding of a network parameter, creating its leaf (from the default initialisation) on first use. */
export function netParam(ev: Evaluator, net: NetState, fullName: string, span?: Span): Binding | undefined {
  const have = net.params.get(fullName);
  if (have) return have;
  const spec = net.specs.get(fullName);
  if (!spec) return undefined;
  const p = spec.param;
  const decl = net.decl;
  // The initial values (drawn in state_dict order up to this one) and their copy, charged before they are made.
  const k = net.model.entryOf(p);
  ev.spend((k === undefined ? 0 : net.model.initCost(k)) + numel(p.shape), span);
  const leaf = ev.tape.leaf(copy(p.init), K.PARAM, decl.name.span.start, decl.name.span.end);
  const b: Binding = {
    name: p.name,
    node: leaf,
    kind: 'param',
    stmt: null,
    line: ev.lines.lineOf(decl.span.start),
    span: decl.headerSpan,
    nameSpan: decl.name.span,
    refs: [],
    network: net.model.name,
    aliases: p.aliases,
    stateIndex: spec.index,
  };
  ev.bindings.push(b);
  for (const n of [p.name, ...p.aliases]) net.params.set(n, b);
  return b;
}

/**
 * The output of the layer a path names (`mlp.A`, `mlp.1`, `net.B.0`) in the latest recorded
 * call of its network for which `wanted` holds (else the latest call), as a binding; undefined
 * when the path names a parameter or no call recorded that layer.
 */
export function layerOutput(ev: Evaluator, e: PathRef, wanted: (node: number) => boolean): Binding | undefined {
  const net = ev.networks.get(e.parts[0]);
  if (!net) return undefined;
  const full = e.parts.join('.');
  if (net.specs.has(full)) return undefined;
  let node: number | undefined;
  for (let k = net.calls.length - 1; k >= 0; k--) {
    const n = net.calls[k].get(full);
    if (n === undefined) continue;
    node ??= n;
    if (wanted(n)) {
      node = n;
      break;
    }
  }
  if (node === undefined) return undefined;
  return { name: full, node, kind: 'value', stmt: null, line: ev.tape.spanStart[node] > 0 ? ev.lines.lineOf(ev.tape.spanStart[node]) : ev.currentLine, span: e.span, nameSpan: e.span, refs: [], network: net.model.name };
}

export function callNet(ev: Evaluator, net: NetState, e: Extract<Expr, { kind: 'Call' }>): number | undefined {
  // A call may update buffers (batch norm statistics) in place.
  ev.lastBackward = undefined;
  const pos = e.args.filter((a) => !a.name);
  if (pos.length !== 1) {
    ev.diagnostics.push(error('call.arity', `Expected one input for the network \`${e.callee}\`, found ${pos.length}.`, e.span));
    return undefined;
  }
  // Inside a `train` statement's steps (loss, metric and the lines they replay) a network runs
  // in training mode unless told otherwise, as after `model.train()` in a PyTorch loop.
  let train = ev.netMemo !== undefined;
  for (const a of e.args) {
    if (!a.name) continue;
    if (a.name.name === 'train' || a.name.name === 'training') {
      const v = constBool(ev, a.value);
      if (v === undefined) return undefined;
      train = v;
    } else {
      ev.diagnostics.push(error('call.unknown-keyword', `Expected \`train=\`, found the keyword \`${a.name.name}\`.`, a.name.span));
      return undefined;
    }
  }
  const x = expr(ev, pos[0].value);
  if (x === undefined) return undefined;
  // Parameters are referred to by the call, for derivations and dependency.
  const ctx = callContext(ev, e.span, e.calleeSpan);
    const netCtx = Object.assign(ctx, {
    param(fullName: string): number {
      return netParam(ev, net, fullName, e.span)!.node;
    },
    buffer(fullName: string): Tensor {
      return net.buffers.get(fullName)!;
    },
    setBuffer(fullName: string, value: Tensor): void {
      const cur = net.buffers.get(fullName);
      if (cur && cur.data.length === value.data.length) cur.data.set(value.data);
      else net.buffers.set(fullName, value);
    },
    netRng(): Rng {
      if (!net.rng) net.rng = createRng(net.seed + 1_000_003);
      return net.rng;
    },
    // Outside training steps (whose nodes are dropped after each step), remember what each layer passed on.
    ...(ev.netMemo
      ? {}
      : {
          layerOutput(paths: readonly string[], node: number): void {
            for (const p of paths) layers.set(p, node);
          },
        }),
  });
  const layers = new Map<string, number>();
  if (!ev.netMemo) {
    net.calls.push(layers);
    if (net.calls.length > MAX_LAYER_CALLS) net.calls.shift();
  }
  if (!ev.netMemo) return callNetwork(net.model, x, train, netCtx);
  // During a training step, `loss bce(mlp(X), y)` and `metric accuracy(mlp(X), y)` share one forward pass.
  const key = `${e.callee}\u0000${x}\u0000${train}`;
  const hit = ev.netMemo.get(key);
  if (hit !== undefined) return hit;
  const out = callNetwork(net.model, x, train, netCtx);
  if (out !== undefined) ev.netMemo.set(key, out);
  return out;
}

export function netQuery(ev: Evaluator, e: Extract<Expr, { kind: 'Call' }>, what: 'params' | 'size'): number | undefined {
  const arg = e.args[0];
  if (e.args.length !== 1 || !arg || arg.name || (arg.value.kind !== 'Name' && arg.value.kind !== 'Path')) {
    ev.diagnostics.push(
      error('call.bad-argument', `Expected one network or layer path, as in \`${what}(mlp${what === 'size' ? '.A' : ''})\`, found ${e.args.length === 1 ? 'another expression' : `${e.args.length} arguments`}.`, e.span),
    );
    return undefined;
  }
  const parts = arg.value.kind === 'Name' ? [arg.value.name] : arg.value.parts;
  const net = ev.networks.get(parts[0]);
  if (!net) {
    if (ev.poisoned.has(parts[0])) return undefined;
    const near = nearest(parts[0], ev.networks.keys());
    ev.diagnostics.push(
      error('name.undefined', `Expected a network name, found \`${parts[0]}\`.${near ? ` Did you mean \`${near}\`?` : ''}`, arg.value.span),
    );
    return undefined;
  }
  const v = what === 'params' ? net.model.paramsOf(parts.slice(1)) : net.model.outputSizeOf(parts.slice(1));
  if (v === undefined) {
    ev.diagnostics.push(
      error('name.undefined', `Expected a layer of \`${parts[0]}\` (a label or an index), found \`${parts.join('.')}\`.`, arg.value.span),
    );
    return undefined;
  }
  if (typeof v !== 'number') {
    ev.diagnostics.push(
      error('net.symbolic-size', `Expected a numeric size, found the symbolic size ${v} (give the input a concrete shape to compare it).`, e.span),
    );
    return undefined;
  }
  ev.quantities.set(e, {
    kind: 'count',
    what,
    decl: net.decl,
    path: parts.slice(1),
    env: {
      constant: (n) => {
        const b = ev.env.get(n);
        const t = b && ev.tape.value(b.node);
        return t && t.data.length === 1 ? t.data[0] : undefined;
      },
      network: (n) => ev.networks.get(n)?.model,
    },
    text: ev.text.slice(e.span.start, e.span.end),
  });
  return ev.tape.scalarConst(v, e.span.start, e.span.end);
}
