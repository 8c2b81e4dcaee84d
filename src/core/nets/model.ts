/**
 * Networks: building a spec from a `network` block (layers, arguments, parameter shapes,
 * build-time shape inference), instantiating parameters with state_dict names and PyTorch's
 * default initialisation, and the per-layer report (NetworkInfo).
 */
import type { LayerInfo, NetworkInfo, SizeValue } from '../analysis';
import { error as diagError, nearest, type Diagnostic } from '../diagnostics';
import type { Span } from '../span';
import type { Arg, LayerLine, NetworkDecl } from '../syntax/ast';
import { walkExpr } from '../syntax/walk';
import type { Rng } from '../builtins/types';
import { createRng } from '../tensor/rng';
import { tensor, type Tensor } from '../tensor/tensor';
import { bindLayerArgs, evalNumber, MAX_LAYER_PARAMS, MAX_LAYER_SIZE, type ArgProblem, type NetRef } from './args';
import * as D from './dims';
import type { Dim } from './dims';
import { findLayer, layerNames, type MakeArgs } from './layers';
import { isLayerError, type Init, type LayerError, type LayerImpl, type LayerNode, type NetSpec, type ParamDecl } from './types';

export interface NetEnv {
  /** A document constant used in a layer argument (e.g. `hidden = 64` then Linear(30, hidden)); undefined if unknown. */
  constant(name: string): number | undefined;
  /** A network declared earlier in the document (composition: a layer line naming another network, Residual(NET[, SHORTCUT])). */
  network(name: string): NetworkModel | undefined;
  /** 0-based line of an offset, for LayerInfo.line / NetworkInfo.line (0 when absent). */
  lineOf?(offset: number): number;
  /**
   * A name whose own declaration failed (a network or a binding with an error already shown).
   * A layer line that uses one fails without a diagnostic of its own, and so does the network:
   * only the root cause is shown (LANGUAGE.md §3).
   */
  broken?(name: string): boolean;
}

export interface NetParam {
  /** state_dict name: `mlp.0.weight`. */
  readonly name: string;
  /** Label spellings: `mlp.A.weight`. */
  readonly aliases: string[];
  readonly shape: number[];
  /** PyTorch's default initialisation distribution, drawn from the network's generator. */
  readonly init: Tensor;
}
export type NetBuffer = NetParam;

/** One level of a path: the canonical part first, then the label if any. */
type Level = readonly string[];

/**
 * Path keys (without the network name) are built one level at a time: every spelling of the
 * prefix, then every spelling of the level (canonical first), so the canonical path is keys[0].
 */
function extend(keys: readonly string[], level: Level): string[] {
  if (keys.length === 1 && level.length === 1) return [keys[0] === '' ? level[0] : `${keys[0]}.${level[0]}`];
  const next: string[] = [];
  for (const o of keys) for (const p of level) next.push(o === '' ? p : `${o}.${p}`);
  return next;
}

function extendOne(keys: readonly string[], part: string): string[] {
  if (keys.length === 1) return [keys[0] === '' ? part : `${keys[0]}.${part}`];
  return keys.map((o) => (o === '' ? part : `${o}.${part}`));
}

/** A layer's path keys: its level is its index, then its label if any. */
function layerKeys(keys: readonly string[], node: LayerNode): string[] {
  const idx = String(node.index);
  if (!node.label && keys.length === 1) return [keys[0] === '' ? idx : `${keys[0]}.${idx}`];
  return extend(keys, node.label ? [idx, node.label] : [idx]);
}

/** Where a spec's layers sit: the top network's name and the path keys of the prefix below it. */
interface PathCtx {
  readonly top: string;
  readonly keys: readonly string[];
}

function keysOf(levels: readonly Level[]): string[] {
  let out = [''];
  for (const l of levels) out = extend(out, l);
  return out;
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function drawInit(init: Init, shape: number[], rng: Rng): Tensor {
  const t = tensor(shape);
  const n = t.data.length;
  if (init.kind === 'const') t.data.fill(init.value);
  else if (init.kind === 'uniform') {
    const u = rng.rand(n);
    for (let i = 0; i < n; i++) t.data[i] = (2 * u[i] - 1) * init.bound;
  } else {
    t.data.set(rng.randn(n));
    const std = init.std ?? 1;
    if (std !== 1) for (let i = 0; i < n; i++) t.data[i] *= std;
    if (init.zeroRow !== undefined) {
      const w = shape[1];
      t.data.fill(0, init.zeroRow * w, init.zeroRow * w + w);
    }
  }
  return t;
}

/** Exact symbolic values behind a LayerInfo's printed sizes, and its path keys (a tree beside the LayerInfos). */
interface InfoDims {
  readonly info: LayerInfo;
  /** Beside info.children (present exactly when it is). */
  readonly children: InfoDims[] | undefined;
  readonly size: Dim;
  readonly macs: Dim;
  readonly mult: Dim;
  /** The layer's path keys (without the network name), canonical first. */
  readonly keys: readonly string[];
}

interface PathEntry {
  params: number;
  outputSize: SizeValue | undefined;
}

/** A parameter whose initial value is drawn on first use (see NetworkModel.initOf). */
class LazyParam implements NetParam {
  constructor(
    readonly name: string,
    readonly aliases: string[],
    readonly shape: number[],
    private readonly model: NetworkModel,
    readonly k: number,
  ) {}
  get init(): Tensor {
    return this.model.initOf(this.k);
  }
}

/** An instantiated network: its spec and its named parameters and buffers. */
export class NetworkModel {
  readonly name: string;
  /** Paths (without the network name, canonical and label spellings) to counts and sizes. */
  private pathsMap: Map<string, PathEntry> | undefined;
  private readonly params: NetParam[] = [];
  private readonly bufs: NetBuffer[] = [];

  constructor(
    readonly spec: NetSpec,
    readonly info: NetworkInfo | undefined,
    private readonly out: Dim | undefined = undefined,
    private readonly infoDims: readonly InfoDims[] = [],
  ) {
    this.name = spec.name;
    this.instantiate(spec, [''], false, undefined);
  }

  /** Path → counts and sizes, built on first use (most builds never look a path up). */
  private get paths(): Map<string, PathEntry> {
    if (this.pathsMap === undefined) {
      const paths = new Map<string, PathEntry>();
      this.instantiate(this.spec, [''], false, paths);
      if (this.info) this.registerSizes(this.infoDims, paths);
      this.pathsMap = paths;
    }
    return this.pathsMap;
  }

  /**
   * Initial values are drawn lazily but always in one order: parameters in state_dict order
   * from createRng(seed) (what `np.random.seed(seed)` then the same draws would give), so a
   * summary of VGG-16 does not allocate its 138 million values. Buffers are constants.
   */
  private readonly pending: { init: Init; shape: number[]; value?: Tensor }[] = [];
  private drawn = 0;
  private rng: Rng | undefined;

  /**
   * Elements that reading entry k's initial value would draw: k itself and every entry before it
   * not drawn yet (values are drawn in state_dict order). The evaluator charges this to the work
   * budget before it reads the value, so Linear(4, 99999999) is refused before 400 million draws.
   */
  initCost(k: number): number {
    let n = 0;
    for (let j = this.drawn; j <= k && j < this.pending.length; j++) if (!this.pending[j].value) n += numel(this.pending[j].shape);
    if (k < this.drawn && !this.pending[k]?.value) n += numel(this.pending[k]?.shape ?? []);
    return n;
  }

  /** The entry index of a parameter or buffer (for initCost), or undefined. */
  entryOf(p: NetParam): number | undefined {
    return p instanceof LazyParam ? p.k : undefined;
  }

  /** @internal */
  initOf(k: number): Tensor {
    while (this.drawn <= k) {
      const p = this.pending[this.drawn++];
      if (p.init.kind === 'const') continue;
      this.rng ??= createRng(this.spec.seed >>> 0);
      p.value = drawInit(p.init, p.shape, this.rng);
    }
    const p = this.pending[k];
    return (p.value ??= drawInit(p.init, p.shape, createRng(0)));
  }

  /**
   * Walks the layers in state_dict order. Without `paths`: creates the parameters and buffers.
   * With `paths`: fills in every path's parameter count instead.
   */
  private instantiate(spec: NetSpec, keys: readonly string[], nested: boolean, paths: Map<string, PathEntry> | undefined): number {
    let total = 0;
    const top = this.name;
    for (const node of spec.layers) {
      const lk = layerKeys(keys, node);
      let own = 0;
      const add = (list: NetParam[], p: ParamDecl): void => {
        const pk = extendOne(lk, p.local);
        const aliases: string[] = [];
        for (let i = 1; i < pk.length; i++) aliases.push(`${top}.${pk[i]}`);
        const k = this.pending.length;
        this.pending.push({ init: p.init, shape: p.shape });
        list.push(new LazyParam(`${top}.${pk[0]}`, aliases, p.shape.slice(), this, k));
      };
      for (const p of node.impl.params) {
        const n = numel(p.shape);
        own += n;
        if (paths) for (const k of extendOne(lk, p.local)) paths.set(k, { params: n, outputSize: undefined });
        else add(this.params, p);
      }
      if (!paths) for (const b of node.impl.buffers) add(this.bufs, b);
      for (const c of node.impl.children) own += this.instantiate(c.spec, c.local === '' ? lk : extendOne(lk, c.local), true, paths);
      if (paths) for (const k of lk) paths.set(k, { params: own, outputSize: undefined });
      total += own;
    }
    if (paths) {
      if (nested) {
        for (const k of keys) if (!paths.has(k)) paths.set(k, { params: total, outputSize: undefined });
      } else paths.set('', { params: total, outputSize: undefined });
    }
    return total;
  }

  private registerSizes(dims: readonly InfoDims[], paths: Map<string, PathEntry>): void {
    for (const d of dims) {
      for (const k of d.keys) {
        const e = paths.get(k);
        if (e && e.outputSize === undefined) e.outputSize = d.info.outputSize;
      }
      if (d.children) this.registerSizes(d.children, paths);
    }
  }

  /** Parameters in state_dict order. */
  parameters(): NetParam[] {
    return this.params;
  }
  /** BatchNorm running_mean, running_var, num_batches_tracked. */
  buffers(): NetBuffer[] {
    return this.bufs;
  }
  /** params(mlp) with [], params(mlp.A) with ['A'], params(mlp.0.weight) with ['0', 'weight']. */
  paramsOf(pathParts: readonly string[]): number | undefined {
    return this.paths.get(pathParts.join('.'))?.params;
  }
  /** size(mlp.A): the element count of that layer's output (symbolic: a string); [] is the network's output. */
  outputSizeOf(pathParts: readonly string[]): SizeValue | undefined {
    if (pathParts.length === 0) return this.out === undefined ? undefined : D.toSize(this.out);
    return this.paths.get(pathParts.join('.'))?.outputSize;
  }
}


// ------------------------------------------------------------------------ building

interface BuildState {
  readonly env: NetEnv;
  readonly diags: Diagnostic[];
}

/** The declared input shape: names are symbols (always), numbers and constant arithmetic are sizes. */
function inputShape(decl: NetworkDecl, st: BuildState): Dim[] | undefined {
  const inp = decl.input;
  if (!inp) {
    st.diags.push(
      diagError(
        'net.missing-input',
        `Expected \`input SHAPE\` as the first line of network \`${decl.name.name}\` (for example \`input [N, 30]\`), found ${decl.layers.length ? `the layer \`${decl.layers[0].layer.name}\`` : 'nothing'}.`,
        decl.layers.length ? decl.layers[0].span : decl.headerSpan,
      ),
    );
    return undefined;
  }
  const dims: Dim[] = [];
  for (const d of inp.dims) {
    if (d.kind === 'Name') dims.push(D.sym(d.name));
    else {
      const v = evalNumber(d, st.env);
      if (v === undefined || !Number.isInteger(v) || v < 0) {
        st.diags.push(diagError('net.bad-input', `Expected a size (a non-negative integer or a name) in the input shape, found ${v === undefined ? 'an expression' : v}.`, d.span));
        return undefined;
      }
      if (v > MAX_LAYER_SIZE) {
        st.diags.push(diagError('arg.too-large', `Expected an input size of at most ${MAX_LAYER_SIZE.toLocaleString('en-US')} (GradLens's limit), found ${v.toExponential(3)}.`, d.span));
        return undefined;
      }
      dims.push(v);
    }
  }
  return dims;
}

function layerCallText(line: LayerLine, text: readonly string[]): string {
  return `${line.layer.name}(${text.join(', ')})`;
}

/** Wraps a child network's shape error as the parent layer's. */
function childError(parent: LayerNode, child: NetSpec, e: LayerError, inner: LayerNode | undefined): LayerError {
  const where = inner ? ` at its layer ${inner.index}${inner.label ? ` (${inner.label})` : ''}` : '';
  return { message: `${parent.call}: in \`${child.name}\`${where}, ${continueSentence(e.message)}`, code: e.code ?? 'net.shape-mismatch' };
}

/**
 * A message carried on after a comma: "Expected …" becomes "expected …", but a message that
 * starts with a layer call or a name ("Linear(4, 4) expects …", "Conv2d …") keeps its case.
 */
export function continueSentence(message: string): string {
  const first = /^[A-Za-z_][A-Za-z0-9_]*/.exec(message)?.[0] ?? '';
  const keep = first === '' || message.charAt(first.length) === '(' || findLayer(first) !== undefined || /[A-Z0-9_]/.test(first.slice(1));
  return keep ? message : message.charAt(0).toLowerCase() + message.slice(1);
}

interface InferResult {
  readonly out: Dim[];
  readonly infos: LayerInfo[];
  /** Beside infos. */
  readonly dims: InfoDims[];
}
interface InferFailure {
  readonly error: LayerError;
  readonly node: LayerNode;
}

/** Shape inference through a spec's layers on input x, collecting LayerInfos. */
export function inferSpec(
  spec: NetSpec,
  x: readonly Dim[],
  prefix: readonly Level[],
  lineOf: (o: number) => number,
  collect: boolean,
): InferResult | InferFailure {
  const ctx: PathCtx = { top: prefix.length ? prefix[0][0] : '', keys: keysOf(prefix.slice(1)) };
  return inferSpecAt(spec, x, ctx, lineOf, collect);
}

function inferSpecAt(spec: NetSpec, x: readonly Dim[], ctx: PathCtx, lineOf: (o: number) => number, collect: boolean): InferResult | InferFailure {
  const infos: LayerInfo[] = [];
  const dims: InfoDims[] = [];
  let cur: Dim[] = [...x];
  for (const node of spec.layers) {
    const r = inferNode(node, cur, ctx, lineOf, collect);
    if ('error' in r) return r;
    if (collect) {
      infos.push(r.dims!.info);
      dims.push(r.dims!);
    }
    cur = r.out;
  }
  return { out: cur, infos, dims };
}

function paramNames(ps: readonly ParamDecl[], base: string): { name: string; shape: number[] }[] {
  const out: { name: string; shape: number[] }[] = [];
  for (const p of ps) out.push({ name: `${base}.${p.local}`, shape: p.shape.slice() });
  return out;
}

function sizes(ds: readonly Dim[]): SizeValue[] {
  const out: SizeValue[] = [];
  for (const d of ds) out.push(D.toSize(d));
  return out;
}

function inferNode(
  node: LayerNode,
  x: readonly Dim[],
  ctx: PathCtx,
  lineOf: (o: number) => number,
  collect: boolean,
): { out: Dim[]; dims?: InfoDims } | InferFailure {
  const impl = node.impl;
  const lk = collect || impl.children.length ? layerKeys(ctx.keys, node) : ctx.keys;
  let childInfos: LayerInfo[] | undefined;
  let childDims: InfoDims[] | undefined;
  let childMacs: Dim = 0;
  let childMult: Dim = 0;
  let childParams = 0;
  const out = impl.infer(x, {
    child(i, cx) {
      const c = impl.children[i];
      const r = inferSpecAt(c.spec, cx, { top: ctx.top, keys: c.local === '' ? lk : extendOne(lk, c.local) }, lineOf, collect);
      if ('error' in r) return childError(node, c.spec, r.error, r.node);
      for (const cd of r.dims) {
        (childInfos ??= []).push(cd.info);
        (childDims ??= []).push(cd);
        childMacs = D.add(childMacs, cd.macs);
        childMult = D.add(childMult, cd.mult);
        childParams += cd.info.params;
      }
      return r.out;
    },
  });
  if (isLayerError(out)) return { error: out, node };
  if (!collect) return { out };
  let own = 0;
  for (const p of impl.params) own += numel(p.shape);
  const base = `${ctx.top}.${lk[0]}`;
  const size = D.product(out);
  const macs = D.add(impl.macs(x, out), childMacs);
  const mult = D.add(impl.multAdds(x, out), childMult);
  const info: { -readonly [K in keyof LayerInfo]: LayerInfo[K] } = {
    index: node.index,
    label: node.label,
    type: node.type,
    line: lineOf(node.line.span.start),
    span: node.line.span,
    inputShape: sizes(x),
    outputShape: sizes(out),
    outputSize: D.toSize(size),
    params: own + childParams,
    paramFormula: impl.children.length ? (own + childParams).toLocaleString('en-US') : impl.formula,
    macs: D.toSize(macs),
    multAdds: D.toSize(mult),
  };
  if (childInfos) info.children = childInfos;
  if (impl.params.length) info.parameters = paramNames(impl.params, base);
  if (impl.buffers.length) info.buffers = paramNames(impl.buffers, base);
  return { out, dims: { info, children: childDims, size, macs, mult, keys: lk } };
}

/** A layer line naming another network: its layers, instantiated with their own parameters. */
function nestedImpl(spec: NetSpec): LayerImpl {
  return {
    params: [],
    buffers: [],
    children: [{ local: '', spec }],
    formula: '',
    infer: (x, h) => h.child(0, [...x]),
    macs: () => 0,
    multAdds: () => 0,
    run: (x, r) => r.child(0, x),
  };
}

function buildSpec(decl: NetworkDecl, st: BuildState, lineOf: (o: number) => number): { spec: NetSpec; result: InferResult } | undefined {
  const before = st.diags.length;
  const input = inputShape(decl, st);
  const seedV = decl.seed ? evalNumber(decl.seed, st.env) : 0;
  if (decl.seed && (seedV === undefined || !Number.isInteger(seedV) || seedV < 0)) {
    st.diags.push(diagError('net.bad-seed', `Expected a non-negative integer seed, found ${seedV === undefined ? 'an expression' : seedV}.`, decl.seed.span));
  }
  const layers: LayerNode[] = [];
  const labels = new Map<string, Span>();
  let cur: Dim[] | undefined = input;
  const infos: LayerInfo[] = [];
  const dims: InfoDims[] = [];
  const ctx: PathCtx = { top: decl.name.name, keys: [''] };
  const argEnv = { constant: (n: string) => st.env.constant(n), network: (n: string) => st.env.network(n) };
  decl.layers.forEach((line, index) => {
    const label = line.label?.name ?? null;
    if (line.label && label !== null) {
      if (labels.has(label)) st.diags.push(diagError('net.duplicate-label', `Expected a new label, found \`${label}\` again (labels name one layer each).`, line.label.span));
      else if (/^\d+$/.test(label)) st.diags.push(diagError('net.bad-label', `Expected a label that is not a number, found \`${label}\`.`, line.label.span));
      else if (label === 'T') st.diags.push(diagError('net.bad-label', 'Expected a label other than `T`, found `T` (`mlp.T` would read as a transpose).', line.label.span));
      labels.set(label, line.label.span);
    }
    const lname = line.layer.name;
    const broken = st.env.broken;
    if (broken && ((broken(lname) && !findLayer(lname)) || mentionsName(line.args, broken))) {
      cur = undefined;
      return;
    }
    const nested = st.env.network(lname);
    let node: LayerNode | undefined;
    if (nested) {
      if (line.args && line.args.length) {
        st.diags.push(diagError('net.bad-argument', `Expected \`${lname}\` without arguments (it is a network), found ${line.args.length}.`, line.args[0].span));
        cur = undefined;
        return;
      }
      node = { index, label, type: lname, line, impl: nestedImpl(nested.spec), call: lname, argSpans: {} };
    } else {
      const def = findLayer(lname);
      if (!def) {
        const near = nearest(lname, [...layerNames(), 'Dense']);
        st.diags.push(
          diagError(
            'net.unknown-layer',
            `Expected a layer or a network declared earlier, found \`${lname}\`.${near ? ` Did you mean \`${near}\`?` : ''}`,
            line.layer.span,
            near ? [{ title: `Change to ${near}`, span: line.layer.span, text: near }] : undefined,
          ),
        );
        cur = undefined;
        return;
      }
      const problems: ArgProblem[] = [];
      const bound = bindLayerArgs(def.name, def.args, line.args, argEnv, problems, line.span);
      for (const p of problems) st.diags.push(diagError(p.code ?? 'net.bad-argument', p.message, p.span ?? line.span));
      if (!bound) {
        cur = undefined;
        return;
      }
      const call = layerCallText(line, bound.text);
      const mk: MakeArgs = {
        v: bound.values,
        inShape: cur,
        call,
        problem(message, arg) {
          st.diags.push(diagError('net.bad-argument', message, (arg && bound.spans[arg]) || line.span));
          return undefined;
        },
        spec: (ref: NetRef) => (ref.net as NetworkModel).spec,
      };
      const impl = def.make(mk);
      if (!impl) {
        cur = undefined;
        return;
      }
      let count = 0;
      for (const p of [...impl.params, ...impl.buffers]) count += numel(p.shape);
      if (!(count <= MAX_LAYER_PARAMS)) {
        st.diags.push(
          diagError('arg.too-large', `Expected a layer of at most ${MAX_LAYER_PARAMS.toLocaleString('en-US')} parameters (GradLens's limit, 2⁵³ − 1), found ${call} with ${count.toExponential(3)}.`, line.span),
        );
        cur = undefined;
        return;
      }
      node = { index, label, type: def.name, line, impl, call, argSpans: bound.spans };
    }
    layers.push(node);
    if (cur === undefined) return;
    const r = inferNode(node, cur, ctx, lineOf, true);
    if ('error' in r) {
      const span = (r.error.arg && node.argSpans[r.error.arg]) || line.span;
      st.diags.push(diagError(r.error.code ?? 'net.shape-mismatch', r.error.message, span));
      cur = undefined;
      return;
    }
    cur = r.out;
    infos.push(r.dims!.info);
    dims.push(r.dims!);
  });
  if (st.diags.length > before || !input || !cur) return undefined;
  return { spec: { name: decl.name.name, decl, seed: seedV ?? 0, input, layers }, result: { out: cur, infos, dims } };
}

/** Do a layer line's arguments mention a name for which `test` holds? */
function mentionsName(args: readonly Arg[] | null, test: (name: string) => boolean): boolean {
  let hit = false;
  for (const a of args ?? []) walkExpr(a.value, (x) => {
    if (x.kind === 'Name' && test(x.name)) hit = true;
  });
  return hit;
}

export function buildNetwork(decl: NetworkDecl, env: NetEnv): { model: NetworkModel | undefined; info: NetworkInfo | undefined; diagnostics: Diagnostic[] } {
  const st: BuildState = { env, diags: [] };
  const lineOf = env.lineOf ?? (() => 0);
  const built = buildSpec(decl, st, lineOf);
  if (!built) return { model: undefined, info: undefined, diagnostics: st.diags };
  const { spec, result } = built;
  const info = networkInfo(spec, result, lineOf);
  return { model: new NetworkModel(spec, info, D.product(result.out), result.dims), info, diagnostics: st.diags };
}

function leafTotals(layers: readonly InfoDims[]): Dim {
  let act: Dim = 0;
  for (const l of layers) {
    if (l.children) act = D.add(act, leafTotals(l.children));
    // A nested network's output is its last layer's; a residual sum is a new tensor.
    if (!l.children || l.info.type === 'Residual') act = D.add(act, l.size);
  }
  return act;
}

function countBuffers(spec: NetSpec): number {
  let n = 0;
  for (const l of spec.layers) {
    for (const b of l.impl.buffers) n += b.shape.reduce((a, c) => a * c, 1);
    for (const c of l.impl.children) n += countBuffers(c.spec);
  }
  return n;
}

function networkInfo(spec: NetSpec, r: InferResult, lineOf: (o: number) => number): NetworkInfo {
  let params = 0;
  let macs: Dim = 0;
  let mult: Dim = 0;
  const formula: string[] = [];
  for (const d of r.dims) {
    const l = d.info;
    params += l.params;
    macs = D.add(macs, d.macs);
    mult = D.add(mult, d.mult);
    if (l.params) formula.push(l.paramFormula);
  }
  const buffers = countBuffers(spec);
  const act = leafTotals(r.dims);
  return {
    name: spec.name,
    line: lineOf(spec.decl.span.start),
    span: spec.decl.span,
    params,
    trainableParams: params,
    buffers,
    inputShape: spec.input.map(D.toSize),
    outputShape: r.out.map(D.toSize),
    totalMacs: D.toSize(macs),
    totalMultAdds: D.toSize(mult),
    memory: {
      float32: { params: (params + buffers) * 4, activations: D.toSize(D.scale(act, 4)) },
      float64: { params: (params + buffers) * 8, activations: D.toSize(D.scale(act, 8)) },
    },
    layers: r.infos,
    paramFormula: formula.join(' + ') || '0',
  };
}
