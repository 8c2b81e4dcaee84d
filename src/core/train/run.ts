/**
 * Runs a `train` statement (docs/training.md): minibatches in order or shuffled with numpy's
 * stream, the loss expression evaluated on the document's tape for each step (above a mark
 * that is truncated after the step, so the tape does not grow), reverse mode, and an
 * optimiser update with PyTorch's rules. Afterwards the trained parameters are new leaves
 * bound to the same names, so later lines (`yhat = mlp(Xtest)`, `grad`, `expect`) see them.
 */
import { K, ScratchPool } from '../autodiff/tape';
import type { TrainingInfo } from '../analysis';
import { error, warning, type Diagnostic } from '../diagnostics';
import type { Binding } from '../eval/values';
import { formatNumber } from '../format';
import type { Span } from '../span';
import type { Expr, NameRef, TrainClause, TrainClauseKeyword, TrainStmt } from '../syntax/ast';
import { walkExpr } from '../syntax/walk';
import type { WasmArena } from '../tensor/wasmGemm';
import { createArena } from '../tensor/matmul';
import { createRng } from '../tensor/rng';
import { formatShape, type Tensor } from '../tensor/tensor';
import type { TrainHost } from './host';
import { createOptimizer, describeOptimizer, readOptimizer } from './optimizerArgs';

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** A trained tensor: where it lives now and the data the optimiser updates in place. */
interface Trainable {
  readonly name: string;
  readonly original: Binding;
  readonly shape: number[];
  readonly data: Float64Array;
  readonly network?: string;
  /** The `train` target as written (for spans of the final binding). */
  readonly target: NameRef;
}

/**
 * At most this many step losses and epoch losses (and metrics) are kept: a budget that allows
 * millions of cheap steps must not turn into gigabytes of history. Later ones are not recorded
 * (the training still runs; `steps` and `epochs` count them all).
 */
const MAX_RECORDED = 1_000_000;

/** Training work is allowed this share of the budget left when it starts; the rest is for the lines after it. */
const BUDGET_SHARE = 0.9;

/**
 * Drops a step's nodes; their arrays then go back to the step's scratch. Nothing outside the
 * step reads them: the loss and metric are kept as numbers, the parameters' arrays are the
 * optimiser's own (updated in place, never scratch), and the step's Gradients are not kept.
 */
function truncateTape(host: TrainHost, mark: number, scratch: ScratchPool): void {
  host.tape.truncate(mark);
  scratch.recycle();
}

/** Names read by an expression (not callees; a path counts as its network's name). */
function namesIn(e: Expr, out: Set<string>): Set<string> {
  walkExpr(e, (x) => {
    if (x.kind === 'Name') out.add(x.name);
    else if (x.kind === 'Path') out.add(x.parts[0]);
  });
  return out;
}

/** Does the expression call one of the networks or use a path into one? */
function mentionsNetwork(e: Expr, nets: ReadonlySet<string>): boolean {
  let hit = false;
  walkExpr(e, (x) => {
    if ((x.kind === 'Call' && nets.has(x.callee)) || (x.kind === 'Path' && nets.has(x.parts[0]))) hit = true;
  });
  return hit;
}

/** Parameters from this many values on train in a WebAssembly arena (below it the copies cost little). */
const ARENA_MIN_PARAMS = 1 << 16;

/**
 * The arena for a training's parameters and step arrays (see createArena), or undefined for a
 * small training. Sized from the parameters: packing space for the largest weight with padded
 * rows, and room for the parameters, their gradients, Adam's two state arrays and a step's
 * activations; an array that
 * does not fit is an ordinary one, so the sizes affect speed only.
 */
function trainingArena(params: readonly Trainable[]): WasmArena | undefined {
  let total = 0;
  let largest = 0;
  for (const p of params) {
    total += p.data.length;
    largest = Math.max(largest, p.data.length);
  }
  if (total < ARENA_MIN_PARAMS) return undefined;
  const scratch = 2 * largest + (1 << 18);
  const heap = 5 * total + (1 << 22);
  // wasm32 memory tops out at 4 GiB; stay well inside it.
  if ((scratch + heap) * 8 > 2 ** 31) return undefined;
  return createArena(scratch, heap);
}

/** Rows `idx` of a tensor whose first axis indexes the examples. */
function gatherRows(t: Tensor, idx: Int32Array, from: number, to: number, scratch: ScratchPool): Tensor {
  const rowSize = t.shape.length <= 1 ? 1 : t.data.length / t.shape[0];
  const count = to - from;
  // Every element is written below.
  const data = scratch.alloc(count * rowSize);
  if (rowSize === 1) for (let r = 0; r < count; r++) data[r] = t.data[idx[from + r]];
  else for (let r = 0; r < count; r++) data.set(t.data.subarray(idx[from + r] * rowSize, (idx[from + r] + 1) * rowSize), r * rowSize);
  return { shape: [count, ...t.shape.slice(1)], data };
}

export function runTraining(stmt: TrainStmt, host: TrainHost): TrainingInfo | undefined {
  const t0 = now();
  const diags = host.diagnostics;
  const fail = (code: string, message: string, span: Span): undefined => {
    diags.push(error(code, message, span));
    return undefined;
  };
  const clause = (k: TrainClauseKeyword): TrainClause | undefined => stmt.clauses.find((c) => c.keyword === k);
  const line = host.lineOf(stmt.span.start);

  // ---- clauses ---------------------------------------------------------------------------
  const lossC = clause('loss');
  if (!lossC?.value)
    return fail('train.no-loss', 'Expected a `loss EXPR` clause (such as `loss bce(mlp(X), y)`), found none: there is nothing to minimise.', stmt.keywordSpan);
  const optC = clause('optimizer');
  if (!optC?.value)
    return fail('train.no-optimizer', 'Expected an `optimizer` clause such as `optimizer SGD(lr=0.1)` or `optimizer Adam(lr=1e-3)`, found none.', stmt.keywordSpan);
  const spec = readOptimizer(optC.value, host);
  if (!spec) return undefined;
  const intClause = (k: TrainClauseKeyword, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined | null => {
    const c = clause(k);
    if (!c?.value) return null;
    const v = host.constNumber(c.value, `an integer for \`${k}\``);
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < min || v > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${formatNumber(max)}`;
      diags.push(error('train.bad-option', `Expected an integer ${range} after \`${k}\`, found ${formatNumber(v)}.`, c.value.span));
      return undefined;
    }
    return v;
  };
  const epochsV = intClause('epochs', 1);
  const stepsV = intClause('steps', 0);
  const batchV = intClause('batch', 1);
  // numpy's seeds: 0 … 2³² − 1 (np.random.seed rejects others).
  const seedV = intClause('seed', 0, 2 ** 32 - 1);
  if (epochsV === undefined || stepsV === undefined || batchV === undefined || seedV === undefined) return undefined;
  const shuffle = clause('shuffle') !== undefined;
  const metricE = clause('metric')?.value ?? null;

  // ---- what is trained -------------------------------------------------------------------
  const params: Trainable[] = [];
  const nets = new Set<string>();
  const docParams = new Set<Binding>();
  for (const t of stmt.targets) {
    const dot = t.name.indexOf('.');
    if (dot > 0 && host.isNetwork(t.name.slice(0, dot))) {
      // A path: one parameter (`mlp.0.weight`, `mlp.A.bias`) or every parameter of a layer (`mlp.C`).
      const net = t.name.slice(0, dot);
      const names = (b: Binding): string[] => [b.name, ...(b.aliases ?? [])];
      const all = host.networkParams(net) ?? [];
      const exact = all.filter((b) => names(b).includes(t.name));
      const ps = exact.length ? exact : all.filter((b) => names(b).some((n) => n.startsWith(`${t.name}.`)));
      if (ps.length === 0)
        return fail('train.not-trainable', `Expected a parameter or a layer with parameters of \`${net}\`, found \`${t.name}\`.`, t.span);
      nets.add(net);
      for (const b of ps) {
        if (params.some((p) => p.original === b)) continue; // named twice (`train mlp, mlp.C`): once
        const v = host.tape.value(b.node);
        params.push({ name: b.name, original: b, shape: v.shape.slice(), data: Float64Array.from(v.data), network: net, target: t });
      }
      continue;
    }
    if (host.isNetwork(t.name)) {
      const ps = host.networkParams(t.name) ?? [];
      if (ps.length === 0) diags.push(warning('train.no-parameters', `\`${t.name}\` has no learnable parameters: nothing to train.`, t.span));
      nets.add(t.name);
      for (const b of ps) {
        if (params.some((p) => p.original === b)) continue;
        const v = host.tape.value(b.node);
        params.push({ name: b.name, original: b, shape: v.shape.slice(), data: Float64Array.from(v.data), network: t.name, target: t });
      }
      continue;
    }
    const b = host.binding(t.name);
    if (!b) {
      if (!host.isPoisoned(t.name)) host.undefinedName(t);
      return undefined;
    }
    if (b.kind !== 'param') {
      return fail(
        'train.not-trainable',
        `Expected a network or a \`param\` to train, found \`${t.name}\`, ${b.kind === 'leaf' ? 'a plain value' : 'a value computed from other names'} (declare it with \`param ${t.name} = …\`).`,
        t.span,
      );
    }
    const v = host.tape.value(b.node);
    docParams.add(b);
    params.push({ name: t.name, original: b, shape: v.shape.slice(), data: Float64Array.from(v.data), target: t });
  }

  // ---- data ------------------------------------------------------------------------------
  const data: { name: string; binding: Binding; value: Tensor }[] = [];
  let n = 0;
  for (const d of stmt.data) {
    const b = host.binding(d.name);
    if (!b) {
      if (host.isNetwork(d.name)) return fail('train.data-shape', `Expected data (a tensor with an example axis first) after \`on\`, found the network \`${d.name}\`.`, d.span);
      if (!host.isPoisoned(d.name)) host.undefinedName(d);
      return undefined;
    }
    const v = host.tape.value(b.node);
    if (v.shape.length === 0) return fail('train.data-shape', `Expected data with an example axis first (shape [N, …]), found the scalar \`${d.name}\`.`, d.span);
    if (data.length && v.shape[0] !== n) {
      return fail(
        'train.data-shape',
        `Expected \`${d.name}\` to have as many rows as \`${data[0].name}\` (${n}), found ${formatShape(v.shape)}.`,
        d.span,
      );
    }
    n = v.shape[0];
    data.push({ name: d.name, binding: b, value: v });
  }
  if (!data.length) {
    for (const k of ['batch', 'shuffle'] as const) {
      const c = clause(k);
      if (c) return fail('train.no-data', `Expected data (\`train … on X, y\`) for \`${k}\`, found none: without data every step uses the whole loss.`, c.keywordSpan);
    }
  }
  const batch = data.length ? Math.min(batchV ?? n, n) : 0;
  const stepsPerEpoch = data.length ? Math.ceil(n / batch) : 1;
  // `steps K` stops after exactly K steps, whatever the epochs (more epochs run if K needs them).
  const epochs = stepsV !== null ? Math.max(1, Math.ceil(stepsV / stepsPerEpoch)) : (epochsV ?? 1);
  if (stepsV !== null && epochsV !== null && epochsV !== epochs) {
    const c = clause('epochs')!;
    diags.push({
      code: 'train.steps-over-epochs',
      severity: 'info',
      message: `Expected \`epochs\` to agree with \`steps ${stepsV}\` (${epochs} epoch${epochs === 1 ? '' : 's'} of ${stepsPerEpoch} step${stepsPerEpoch === 1 ? '' : 's'}), found \`epochs ${epochsV}\`: \`steps\` wins, the training runs ${stepsV} step${stepsV === 1 ? '' : 's'}.`,
      span: c.value?.span ?? c.keywordSpan,
    } satisfies Diagnostic);
  }
  const maxSteps = stepsV ?? epochs * stepsPerEpoch;
  const arena = trainingArena(params);
  const optimizer = createOptimizer(spec, arena?.alloc);

  // ---- what to re-evaluate each step -----------------------------------------------------
  const lossE = lossC.value;
  const direct = new Map<Binding, number>(); // bindings replaced by a node of the current step
  const replayMemo = new Map<Binding, boolean>();
  const dataBindings = new Set(data.map((d) => d.binding));
  const needsReplay = (b: Binding): boolean => {
    const m = replayMemo.get(b);
    if (m !== undefined) return m;
    replayMemo.set(b, false); // cycles cannot happen (refs point back), but be safe
    let r = false;
    if (dataBindings.has(b) || docParams.has(b)) r = true;
    else if (b.network !== undefined) r = nets.has(b.network);
    else if (b.kind === 'value' && b.stmt) r = mentionsNetwork(b.stmt.value, nets) || b.refs.some((x) => needsReplay(x.binding));
    replayMemo.set(b, r);
    return r;
  };
  /** Bindings to re-evaluate, in source order: those the loss (and metric) read that depend on what is trained or on the data. */
  const replay: Binding[] = [];
  {
    const seen = new Set<Binding>();
    const visit = (b: Binding): void => {
      if (seen.has(b) || !needsReplay(b) || dataBindings.has(b) || docParams.has(b) || b.network !== undefined) return;
      seen.add(b);
      for (const r of b.refs) visit(r.binding);
      replay.push(b);
    };
    const roots = namesIn(lossE, new Set());
    if (metricE) namesIn(metricE, roots);
    for (const name of roots) {
      const b = host.binding(name);
      if (b) visit(b);
    }
    replay.sort((a, b) => a.span.start - b.span.start);
  }
  const rootNames = [...namesIn(lossE, new Set())];
  const metricNames = metricE ? [...namesIn(metricE, new Set())] : [];

  // ---- the loop --------------------------------------------------------------------------
  const savedEnv = new Map<string, Binding | undefined>();
  const setEnv = (name: string, b: Binding): void => {
    if (!savedEnv.has(name)) savedEnv.set(name, host.binding(name));
    host.setEnv(name, b);
  };
  const nodeOf = (b: Binding, replayed: Map<Binding, number>): number => direct.get(b) ?? replayed.get(b) ?? b.node;
  const withNode = (b: Binding, node: number): Binding => (node === b.node ? b : { ...b, node });
  const restoreRecord = host.saveRecord();
  const mark = host.tape.n;
  // Arrays of the step's values and gradients, reused by the next step (the same ops on the
  // same shapes): fresh multi-megabyte arrays cost page faults every step.
  const scratch = new ScratchPool(arena?.alloc);
  if (arena)
    for (let k = 0; k < params.length; k++) {
      const d = arena.alloc(params[k].data.length);
      if (d === undefined) break;
      d.set(params[k].data);
      params[k] = { ...params[k], data: d };
    }
  const rng = shuffle ? (seedV !== null ? createRng(seedV) : host.docRng()) : undefined;
  const startWork = host.work();
  const limit = startWork + BUDGET_SHARE * Math.max(0, host.budget - startWork);
  const seenDiag = new Set<string>();
  for (const d of diags) seenDiag.add(`${d.code}@${d.span.start}`);

  const losses: number[] = [];
  const metrics: number[] = [];
  const stepLosses: number[] = [];
  let stopped: string | undefined;
  let stepCost = 0;
  let steps = 0;
  let completed = 0;
  let aborted = false;

  /** One optimiser step on rows order[from, to); returns the loss and metric, or a reason to stop. */
  const step = (order: Int32Array | undefined, from: number, to: number): { loss: number; metric?: number } | 'error' | 'nan' | 'unreached' => {
    truncateTape(host, mark, scratch);
    direct.clear();
    for (const d of data) {
      const bt = order ? gatherRows(d.value, order, from, to, scratch) : d.value;
      const node = host.tape.leaf(bt, K.CONST, d.binding.nameSpan.start, d.binding.nameSpan.end);
      direct.set(d.binding, node);
      setEnv(d.name, withNode(d.binding, node));
    }
    const leaves: number[] = [];
    for (const p of params) {
      const leaf = host.tape.leaf({ shape: p.shape, data: p.data }, K.PARAM, p.original.nameSpan.start, p.original.nameSpan.end);
      leaves.push(leaf);
      if (p.network !== undefined) host.setNetworkParam(withNode(p.original, leaf));
      else {
        direct.set(p.original, leaf);
        setEnv(p.name, withNode(p.original, leaf));
      }
    }
    host.memoNetworkCalls(true);
    const before = host.work();
    const replayed = new Map<Binding, number>();
    const bindRefs = (names: readonly string[], refs: readonly { readonly ref: Expr | NameRef; readonly binding: Binding }[] | null): void => {
      if (refs) {
        for (const r of refs) if (r.ref.kind === 'Name') setEnv(r.ref.name, withNode(r.binding, nodeOf(r.binding, replayed)));
      } else {
        for (const name of names) {
          const b = savedEnv.has(name) ? savedEnv.get(name) : host.binding(name);
          if (b) setEnv(name, withNode(b, nodeOf(b, replayed)));
        }
      }
    };
    for (const b of replay) {
      bindRefs([], b.refs);
      const node = host.expr(b.stmt!.value);
      if (node === undefined) return 'error';
      replayed.set(b, node);
    }
    bindRefs(rootNames, null);
    const lossNode = host.expr(lossE);
    if (lossNode === undefined) return 'error';
    const lv = host.tape.value(lossNode);
    if (lv.data.length !== 1) {
      diags.push(
        error('train.non-scalar-loss', `Expected a scalar loss, found shape ${formatShape(lv.shape)} (reduce it, e.g. \`mean(…)\`).`, lossE.span),
      );
      return 'error';
    }
    const loss = lv.data[0];
    let metric: number | undefined;
    if (metricE) {
      bindRefs(metricNames, null);
      const m = host.expr(metricE);
      if (m === undefined) return 'error';
      const mv = host.tape.value(m);
      if (mv.data.length !== 1) {
        diags.push(error('train.non-scalar-metric', `Expected a scalar metric, found shape ${formatShape(mv.shape)}.`, metricE.span));
        return 'error';
      }
      metric = mv.data[0];
    }
    if (!Number.isFinite(loss)) return 'nan';
    // The backward pass (about twice the forward work) is charged before it runs.
    const forward = host.work() - before;
    host.addWork(2 * forward);
    stepCost = 3 * forward;
    const grads = host.tape.backward(lossNode, scratch);
    let reached = false;
    for (let k = 0; k < params.length; k++) {
      // As PyTorch: a parameter the loss does not reach has no gradient and is not updated.
      if (!grads.dependsOn(leaves[k])) continue;
      reached = true;
      optimizer.step(k, params[k].data, grads.of(leaves[k]).data);
    }
    optimizer.endStep();
    // PyTorch raises here ("does not require grad"); training would change nothing.
    if (!reached && params.length > 0) return 'unreached';
    return { loss, metric };
  };

  /** Keeps the first of each new diagnostic; an error stops training. */
  const review = (from: number): boolean => {
    const fresh = diags.splice(from);
    let ok = true;
    for (const d of fresh) {
      const key = `${d.code}@${d.span.start}`;
      if (d.severity === 'error') ok = false;
      if (seenDiag.has(key)) continue;
      seenDiag.add(key);
      diags.push(d);
    }
    return ok;
  };

  host.tape.useScratch(scratch, mark);
  try {
    for (let e = 0; e < epochs; e++) {
      const order = rng ? rng.permutation(n) : batch < n ? Int32Array.from({ length: n }, (_, i) => i) : undefined;
      let lossSum = 0;
      let metricSum = 0;
      let seen = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (steps >= maxSteps) break;
        const why = host.shouldStop?.();
        if (why !== undefined) {
          stopped = `${why} after ${completed} epoch${completed === 1 ? '' : 's'} (${steps} step${steps === 1 ? '' : 's'}) of ${epochsText(epochsV, stepsV, epochs)}`;
          break;
        }
        if (steps > 0 && host.work() + stepCost > limit) {
          stopped = `the work budget ran out after ${completed} epoch${completed === 1 ? '' : 's'} (${steps} step${steps === 1 ? '' : 's'}) of ${epochsText(epochsV, stepsV, epochs)}`;
          break;
        }
        const from = s * batch;
        const to = data.length ? Math.min(n, from + batch) : 0;
        const mark0 = diags.length;
        // The first step scans every op's output for a new NaN/∞ (warning where it is made); later
        // steps skip that scan of large tensors and rely on the loss check below ('train.non-finite').
        host.checkFiniteOps(steps === 0);
        const r = host.guardBudget(() => step(order, from, to));
        const ok = review(mark0);
        if (r === 'budget') {
          stopped = `the work budget ran out during step ${steps + 1} (after ${completed} epoch${completed === 1 ? '' : 's'})`;
          break;
        }
        if (r === 'error' || !ok) {
          stopped = `an error in step ${steps + 1}`;
          aborted = steps === 0;
          break;
        }
        if (r === 'unreached') {
          diags.push(
            warning(
              'train.no-gradient',
              `Expected the loss to depend on what is trained (${params.map((p) => `\`${p.name}\``).slice(0, 4).join(', ')}${params.length > 4 ? ', …' : ''}), found no path to any of it: training would change nothing.`,
              lossE.span,
            ),
          );
          stopped = 'the loss does not depend on what is trained';
          break;
        }
        if (r === 'nan') {
          diags.push(
            warning(
              'train.non-finite',
              `Expected a finite loss, found ${formatNumber(NaN)} or an infinity at step ${steps + 1} (epoch ${e + 1}): training stopped before that update (try a smaller learning rate).`,
              lossE.span,
            ),
          );
          stopped = `the loss became non-finite at step ${steps + 1}`;
          break;
        }
        steps++;
        const w = data.length ? to - from : 1;
        if (stepLosses.length < MAX_RECORDED) stepLosses.push(r.loss);
        lossSum += r.loss * w;
        if (r.metric !== undefined) metricSum += r.metric * w;
        seen += w;
      }
      // A partial epoch (after `steps`, or a stop mid-epoch) adds an entry too: its steps happened.
      if (seen > 0) {
        if (losses.length < MAX_RECORDED) {
          losses.push(lossSum / seen);
          if (metricE) metrics.push(metricSum / seen);
        }
      }
      if (seen === (data.length ? n : 1)) completed++;
      if (seen > 0) host.onProgress?.(e + 1, lossSum / seen, { line, epoch: e + 1, epochs: stepsV !== null ? epochs : (epochsV ?? epochs), loss: lossSum / seen, metric: metricE ? metricSum / seen : undefined, steps });
      if (steps >= maxSteps) break;
      // A stop (budget, error, user, …) ends the training; the steps of its epoch are recorded above.
      if (stopped !== undefined) break;
    }
  } finally {
    host.memoNetworkCalls(false);
    host.checkFiniteOps(true);
    truncateTape(host, mark, scratch);
    host.tape.useScratch(undefined);
    for (const [name, b] of savedEnv) host.setEnv(name, b);
    for (const p of params) if (p.network !== undefined) host.setNetworkParam(p.original);
    restoreRecord();
  }
  if (aborted) return undefined;

  // ---- the trained parameters become the current bindings --------------------------------
  for (const p of params) {
    // Out of the arena: the trained values outlive the training, its memory need not.
    const t: Tensor = { shape: p.shape, data: arena !== undefined && p.data.buffer === arena.buffer ? p.data.slice() : p.data };
    const leaf = host.tape.leaf(t, K.PARAM, p.target.span.start, p.target.span.end);
    const b: Binding = {
      ...p.original,
      node: leaf,
      kind: 'param',
      stmt: null,
      line,
      span: stmt.headerSpan,
      nameSpan: p.target.span,
      refs: [],
    };
    if (p.network !== undefined) {
      host.setNetworkParam(b);
      host.recordBinding(b);
    } else host.bind(b);
  }
  if (stopped && !/an error|does not depend/.test(stopped)) {
    diags.push({
      code: 'train.stopped',
      severity: 'info',
      message: `Training stopped early: ${stopped}. Later lines see the parameters after step ${steps}.${/budget/.test(stopped) ? ' Raise the work budget (gradlens.analysis.workBudget, or --budget) to train longer.' : ''}`,
      span: stmt.keywordSpan,
    } satisfies Diagnostic);
  }
  return {
    line,
    span: stmt.span,
    targets: stmt.targets.map((t) => t.name),
    optimizer: describeOptimizer(spec),
    losses,
    metrics,
    stepLosses,
    epochs: completed,
    steps,
    examples: n,
    batch,
    ms: now() - t0,
    ...(stopped ? { stopped } : {}),
  };
}

function epochsText(epochsV: number | null, stepsV: number | null, epochs: number): string {
  if (epochsV === null && stepsV !== null) return `${stepsV} steps`;
  return `${epochs} epochs`;
}
