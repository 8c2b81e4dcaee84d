/**
 * Misconceptions about counts (`params(NET[.PATH])`, `size(NET.PATH)`): transformations of the
 * counting formula — the bias terms left out, the batch multiplied in or left out — and of the
 * network itself (a conv or pool layer rebuilt without its padding, stride or dilation).
 */
import { formatCount } from '../format';
import { findLayer } from '../nets/layers';
import { buildNetwork, type NetworkModel } from '../nets/model';
import type { Span } from '../span';
import type { Arg, Expr, LayerLine, NetworkDecl } from '../syntax/ast';
import type { Quantity } from './types';

export type CountQuantity = Extract<Quantity, { kind: 'count' }>;

export interface CountProposal {
  readonly code: string;
  readonly specificity: number;
  readonly value: number;
  /** Completes "Your 556,032 is params(mlp) …". */
  readonly phrase: string;
  readonly span?: Span;
  readonly step: { readonly correct: string; readonly changed: string };
}

export interface CountMisconception {
  readonly code: string;
  readonly specificity: number;
  propose(c: CountContext): CountProposal[];
}

/** What a counting misconception reads. */
export interface CountContext {
  readonly q: CountQuantity;
  readonly model: NetworkModel;
  readonly correct: number;
  /** The batch: the input's first size when the input has two or more axes and it is a number > 1. */
  readonly batch: number | undefined;
}

const fc = (n: number): string => formatCount(n);

/** The network's layer lines at or before the path's top-level layer (all of them for the network). */
function layersUpTo(c: CountContext): { line: LayerLine; index: number }[] {
  const layers = c.model.spec.layers;
  let last = layers.length - 1;
  if (c.q.path.length > 0) {
    const hit = layers.find((l) => l.label === c.q.path[0] || String(l.index) === c.q.path[0]);
    if (hit) last = hit.index;
  }
  return layers.slice(0, last + 1).map((l) => ({ line: l.line, index: l.index }));
}

function countOf(model: NetworkModel, q: CountQuantity): number | undefined {
  const v = q.what === 'params' ? model.paramsOf(q.path) : model.outputSizeOf(q.path);
  return typeof v === 'number' ? v : undefined;
}

/** Parameters whose name ends in a bias (bias, bias_ih_l0, in_proj_bias), under the path. */
function biasParams(c: CountContext): { name: string; n: number }[] {
  const prefix = c.q.path.length ? `${c.model.name}.${c.q.path.join('.')}.` : `${c.model.name}.`;
  const out: { name: string; n: number }[] = [];
  for (const p of c.model.parameters()) {
    const names = [p.name, ...p.aliases];
    if (!names.some((n) => n.startsWith(prefix) || n === prefix.slice(0, -1))) continue;
    const last = p.name.slice(p.name.lastIndexOf('.') + 1);
    if (/bias/.test(last)) out.push({ name: p.aliases.find((a) => a.startsWith(prefix)) ?? p.name, n: p.shape.reduce((a, b) => a * b, 1) });
  }
  return out;
}

const forgotBias: CountMisconception = {
  code: 'forgot-bias',
  specificity: 8,
  propose(c) {
    if (c.q.what !== 'params') return [];
    const bs = biasParams(c);
    if (!bs.length) return [];
    const all = bs.reduce((s, b) => s + b.n, 0);
    const out: CountProposal[] = [
      {
        code: 'forgot-bias',
        specificity: 8,
        value: c.correct - all,
        phrase: `without the bias terms (${bs.map((b) => fc(b.n)).join(' + ')} = ${fc(all)} of them)`,
        span: c.q.decl.headerSpan,
        step: { correct: `${fc(c.correct)} = weights + biases`, changed: `${fc(c.correct - all)} = weights only` },
      },
    ];
    if (bs.length > 1)
      for (const b of bs)
        out.push({
          code: 'forgot-bias',
          specificity: 8,
          value: c.correct - b.n,
          phrase: `without the bias ${b.name} (${fc(b.n)})`,
          span: c.q.decl.headerSpan,
          step: { correct: `${fc(c.correct)}`, changed: `${fc(c.correct - b.n)} (${b.name} left out)` },
        });
    return out;
  },
};

const batchInParams: CountMisconception = {
  code: 'batch-in-params',
  specificity: 6,
  propose(c) {
    if (c.q.what !== 'params' || c.batch === undefined) return [];
    return [
      {
        code: 'batch-in-params',
        specificity: 6,
        value: c.correct * c.batch,
        phrase: `multiplied by the batch size ${c.batch} (parameters are shared by every example)`,
        span: c.q.decl.input?.span,
        step: { correct: `${fc(c.correct)} (independent of the batch)`, changed: `${fc(c.correct)} × ${c.batch}` },
      },
    ];
  },
};

const sizeWithoutBatch: CountMisconception = {
  code: 'size-without-batch',
  specificity: 7,
  propose(c) {
    if (c.q.what !== 'size' || c.batch === undefined || c.correct % c.batch !== 0) return [];
    return [
      {
        code: 'size-without-batch',
        specificity: 7,
        value: c.correct / c.batch,
        phrase: `for one example: the batch of ${c.batch} left out`,
        span: c.q.decl.input?.span,
        step: { correct: `${c.batch} × ${fc(c.correct / c.batch)} = ${fc(c.correct)}`, changed: `${fc(c.correct / c.batch)}` },
      },
    ];
  },
};

const sizePerExample: CountMisconception = {
  code: 'size-per-example',
  specificity: 5,
  propose(c) {
    if (c.q.what !== 'size' || c.batch === undefined) return [];
    return [
      {
        code: 'size-per-example',
        specificity: 5,
        value: c.correct * c.batch,
        phrase: `with the batch of ${c.batch} multiplied in twice (the size already counts every example)`,
        span: c.q.decl.input?.span,
        step: { correct: `${fc(c.correct)} (all ${c.batch} examples)`, changed: `${fc(c.correct)} × ${c.batch}` },
      },
    ];
  },
};

/** A literal number expression for a rewritten argument. */
function numberExpr(v: number, span: Span): Expr {
  return { kind: 'Number', value: v, raw: String(v), span };
}

/** The layer line with argument `name` set to `v` (in place if given, else as a keyword). */
function withArg(line: LayerLine, name: string, v: number): LayerLine | undefined {
  const def = findLayer(line.layer.name);
  if (!def) return undefined;
  const pos = def.args.findIndex((a) => a.name === name);
  if (pos < 0) return undefined;
  const args: Arg[] = [...(line.args ?? [])];
  let positional = 0;
  let done = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k];
    const isIt = a.name ? a.name.name === name || (def.args[pos].aliases ?? []).includes(a.name.name) : positional++ === pos;
    if (isIt) {
      args[k] = { ...a, value: numberExpr(v, a.value.span) };
      done = true;
    }
  }
  if (!done) args.push({ span: line.span, name: { kind: 'Ident', name, span: line.span }, value: numberExpr(v, line.span) });
  return { ...line, args };
}

/** A conv or pool layer's output size with its padding, stride or dilation left out, or off by one. */
const convArithmetic: CountMisconception = {
  code: 'conv-arithmetic',
  specificity: 9,
  propose(c) {
    if (c.q.what !== 'size') return [];
    const out: CountProposal[] = [];
    const seen = new Set<number>([c.correct]);
    for (const { line, index } of layersUpTo(c)) {
      const type = line.layer.name.toLowerCase();
      if (!/^(conv[12]d|maxpool[12]d|avgpool[12]d)$/.test(type)) continue;
      const isPool = type.includes('pool');
      const changes: [string, number, string][] = [
        ['padding', 0, 'without its padding'],
        ['stride', 1, isPool ? 'with stride 1 (a pool\'s stride defaults to its kernel size)' : 'without its stride'],
        ['dilation', 1, 'without its dilation'],
      ];
      for (const [arg, v, words] of changes) {
        const changed = withArg(line, arg, v);
        if (!changed) continue;
        const decl: NetworkDecl = { ...c.q.decl, layers: c.q.decl.layers.map((l) => (l === line ? changed : l)) };
        const built = buildNetwork(decl, c.q.env);
        if (!built.model) continue;
        const value = countOf(built.model, c.q);
        if (value === undefined || seen.has(value)) continue;
        seen.add(value);
        out.push({
          code: 'conv-arithmetic',
          specificity: 9,
          value,
          phrase: `with layer ${index}${c.model.spec.layers[index].label ? ` (${c.model.spec.layers[index].label})` : ''} ${words}`,
          span: line.span,
          step: { correct: 'H_out = ⌊(H + 2·padding − dilation·(kernel − 1) − 1)/stride⌋ + 1', changed: `the same with ${arg} = ${v}` },
        });
      }
    }
    // Off by one in the asked layer's own spatial sizes (the "+ 1" left out or added twice).
    const info = c.model.info;
    if (info && c.q.path.length === 1) {
      const li = info.layers.find((l) => l.label === c.q.path[0] || String(l.index) === c.q.path[0]);
      if (li && /^(Conv[12]d|MaxPool[12]d|AvgPool[12]d)$/.test(li.type) && li.outputShape.every((d) => typeof d === 'number') && li.outputShape.length >= 3) {
        const shape = li.outputShape as number[];
        const lead = shape.slice(0, 2).reduce((a, b) => a * b, 1);
        for (const d of [-1, 1]) {
          const value = lead * shape.slice(2).reduce((a, b) => a * (b + d), 1);
          if (seen.has(value) || value <= 0) continue;
          seen.add(value);
          out.push({
            code: 'conv-arithmetic',
            specificity: 9,
            value,
            phrase: `with each spatial size of ${li.label ?? `layer ${li.index}`} off by one (${shape.slice(2).map((s) => s + d).join(' × ')} instead of ${shape.slice(2).join(' × ')})`,
            span: li.span,
            step: { correct: `⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1 = ${shape.slice(2).join(' × ')}`, changed: d < 0 ? 'the + 1 left out' : 'an extra + 1' },
          });
        }
      }
    }
    return out;
  },
};

export const COUNT_CATALOGUE: readonly CountMisconception[] = [convArithmetic, forgotBias, sizeWithoutBatch, batchInParams, sizePerExample];

/** The correct count and the proposals of every counting misconception. */
export function countProposals(q: CountQuantity): { correct: number; proposals: CountProposal[] } | undefined {
  const built = buildNetwork(q.decl, q.env);
  if (!built.model) return undefined;
  const correct = countOf(built.model, q);
  if (correct === undefined) return undefined;
  const inp = built.info?.inputShape ?? [];
  const b = inp.length >= 2 && typeof inp[0] === 'number' && inp[0] > 1 ? inp[0] : undefined;
  const c: CountContext = { q, model: built.model, correct, batch: b };
  return { correct, proposals: COUNT_CATALOGUE.flatMap((m) => m.propose(c)) };
}
