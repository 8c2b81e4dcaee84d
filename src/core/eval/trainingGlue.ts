/**
 * The evaluator's side of `train` statements: the TrainHost through which src/core/train runs
 * over the evaluator's state (docs/training.md).
 */
import type { TrainStmt } from '../syntax/ast';
import { createRng } from '../tensor/rng';
import { runTraining, type ProgressCallback, type TrainHost } from '../train/index';
import type { Evaluator } from './evaluator';
import { bind } from './statements';
import { undefinedName } from './expressions';
import { exprOwnRefs, constNumber } from './calls';
import { netParam } from './networks';
import { BudgetExceeded } from './common';

/** `train …` (docs/training.md): runs in src/core/train over this evaluator's state. */
export function train(ev: Evaluator, stmt: TrainStmt): void {
  ev.lastBackward = undefined;
  // With a training budget of its own (the editor: unlimited, training is limited by time and
  // by Stop Training), the statement's work is not charged to the analysis's budget.
  const own = ev.trainingBudget;
  const saved = { budget: ev.budget, work: ev.work };
  if (own !== undefined) ev.budget = ev.work + own;
  let info: ReturnType<typeof runTraining>;
  try {
    info = runTraining(stmt, trainHost(ev));
  } finally {
    if (own !== undefined) {
      ev.budget = saved.budget;
      ev.work = saved.work;
    }
  }
  ev.lastBackward = undefined;
  if (info) ev.trainings.push(info);
}

/** shouldStop with the statement's time limit: a reason once `limit` ms have passed since `start`. */
function timeLimited(shouldStop: (() => string | undefined) | undefined, limit: number | undefined): (() => string | undefined) | undefined {
  if (limit === undefined || !Number.isFinite(limit)) return shouldStop;
  const start = Date.now();
  const seconds = limit / 1000;
  return () =>
    shouldStop?.() ?? (Date.now() - start >= limit ? `the time limit (${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s) ran out` : undefined);
}

/** What training may do to the evaluator's state (src/core/train/host.ts). */
function trainHost(ev: Evaluator): TrainHost {
    return {
    tape: ev.tape,
    text: ev.text,
    diagnostics: ev.diagnostics,
    budget: ev.budget,
    onProgress: ev.onProgress as ProgressCallback | undefined,
    shouldStop: timeLimited(ev.shouldStop, ev.trainingTimeLimit),
    lineOf: (offset) => ev.lines.lineOf(offset),
    work: () => ev.work,
    addWork: (units) => ev.spend(units),
    guardBudget<T>(f: () => T): T | 'budget' {
      try {
        return f();
      } catch (e) {
        if (e instanceof BudgetExceeded) return 'budget';
        throw e;
      }
    },
    // Each training step's loss and metric record their reads afresh (no growth over the steps).
    expr: (e) => exprOwnRefs(ev, e),
    constNumber: (e, what) => constNumber(ev, e, what),
    binding: (name) => ev.env.get(name),
    isPoisoned: (name) => ev.poisoned.has(name),
    undefinedName: (ref) => undefinedName(ev, ref),
    isNetwork: (name) => ev.networks.has(name),
    networkParams: (name) => {
      const net = ev.networks.get(name);
      if (!net) return undefined;
      return net.model.parameters().map((p) => netParam(ev, net, p.name)!);
    },
    setNetworkParam: (b) => {
      const net = b.network !== undefined ? ev.networks.get(b.network) : undefined;
      if (net) for (const n of [b.name, ...(b.aliases ?? [])]) net.params.set(n, b);
    },
    setEnv: (name, b) => {
      if (b) ev.env.set(name, b);
      else ev.env.delete(name);
    },
    bind: (b) => bind(ev, b),
    recordBinding: (b) => {
      ev.bindings.push(b);
    },
    docRng: () => {
      if (!ev.docRng) ev.docRng = createRng(0);
      return ev.docRng;
    },
    memoNetworkCalls: (on) => {
      ev.netMemo = on ? new Map() : undefined;
    },
    checkFiniteOps: (on) => {
      ev.checkFinite = on;
    },
    saveRecord: () => {
      const saved = new Map(ev.exprNodes);
      return () => {
        ev.exprNodes.clear();
        for (const [k, v] of saved) ev.exprNodes.set(k, v);
      };
    },
  };
}
