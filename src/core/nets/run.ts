/**
 * Running a network: its layers become ops on the caller's tape (so gradients reach the
 * parameter leaves). Shapes are checked layer by layer on the actual input (symbolic sizes
 * are bound by it); a layer that does not fit is an error on its line naming both shapes.
 */
import type { CallContext, NodeId, Rng } from '../builtins/types';
import type { Tensor } from '../tensor/tensor';
import type { NetworkModel } from './model';
import { continueSentence, inferSpec } from './model';
import type { Dim } from './dims';
import { isLayerError, type LayerNode, type NetSpec, type RunHelpers } from './types';


export interface NetCallContext extends CallContext {
  /** The current leaf node of that state_dict parameter. */
  param(fullName: string): NodeId;
  /** Current buffer value. */
  buffer(fullName: string): Tensor;
  /** BatchNorm running stats update in training mode. */
  setBuffer(fullName: string, value: Tensor): void;
  /** The network's own generator for dropout masks. */
  netRng(): Rng;
  /**
   * Called with a layer's output node and every path that names the layer (`mlp.1`, `mlp.A`,
   * `net.B.0`, …), so `grad L wrt mlp.A` can find the value that layer passed on.
   */
  layerOutput?(paths: readonly string[], node: NodeId): void;
}

/** `aliases`: the paths that name this (sub)network, by indices and by labels (`prefix` is the index form, for parameters). */
function runSpec(spec: NetSpec, x: NodeId, prefix: string, train: boolean, ctx: NetCallContext, aliases: readonly string[] = [prefix]): NodeId | undefined {
  let cur = x;
  for (const node of spec.layers) {
    const names = ctx.layerOutput ? aliases.flatMap((a) => (node.label ? [`${a}.${node.index}`, `${a}.${node.label}`] : [`${a}.${node.index}`])) : [];
    const y = runNode(node, cur, `${prefix}.${node.index}`, train, ctx, names);
    if (y === undefined) return undefined;
    ctx.layerOutput?.(names, y);
    cur = y;
  }
  return cur;
}

function runNode(node: LayerNode, x: NodeId, path: string, train: boolean, ctx: NetCallContext, names: readonly string[]): NodeId | undefined {
  const span = node.line.span;
  const shape = ctx.shape(x) as Dim[];
  // Shape check on the actual input (children included), reported at this layer.
  const out = node.impl.infer(shape, {
    child(i, cx) {
      const c = node.impl.children[i];
      const r = inferSpec(c.spec, cx, [], () => 0, false);
      if ('error' in r) {
        const inner = r.node;
        return { message: `${node.call}: in \`${c.spec.name}\` at its layer ${inner.index}${inner.label ? ` (${inner.label})` : ''}, ${continueSentence(r.error.message)}`, code: r.error.code };
      }
      return r.out;
    },
  });
  if (isLayerError(out)) return ctx.error(out.code ?? 'net.shape-mismatch', out.message, (out.arg && node.argSpans[out.arg]) || span);
  const run = node.impl.run;
  if (!run) return ctx.error('net.not-runnable', `${node.call} can be summarised but not yet run.`, span);
  const h: RunHelpers = {
    train,
    span,
    apply: (op, inputs, attrs) => ctx.apply(op, inputs, attrs ?? {}, span),
    shape: (n) => ctx.shape(n),
    value: (n) => ctx.value(n),
    constant: (t) => ctx.constant(t),
    param: (local) => ctx.param(`${path}.${local}`),
    buffer: (local) => ctx.buffer(`${path}.${local}`),
    setBuffer: (local, t) => ctx.setBuffer(`${path}.${local}`, t),
    rand: (n) => ctx.netRng().rand(n),
    child(i, cx) {
      const c = node.impl.children[i];
      const sub = (p: string): string => (c.local === '' ? p : `${p}.${c.local}`);
      return runSpec(c.spec, cx, sub(path), train, ctx, names.map(sub));
    },
    error: (code, message, sp) => ctx.error(code, message, sp ?? span),
  };
  return run(x, h);
}

/** Runs `model` on x (eval mode unless train): ops on the tape, or undefined after a reported error. */
export function callNetwork(model: NetworkModel, x: NodeId, train: boolean, ctx: NetCallContext): NodeId | undefined {
  return runSpec(model.spec, x, model.name, train, ctx);
}
