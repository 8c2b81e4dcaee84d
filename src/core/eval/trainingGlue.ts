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
  const info = runTraining(stmt, trainHost(ev));
  ev.lastBackward = undefined;
  if (info) ev.trainings.push(info);
}

/** What training may do to the evaluator's state (src/core/train/host.ts). */
function trainHost(ev: Evaluator): TrainHost {
    return {
    tape: ev.tape,
    text: ev.text,
    diagnostics: ev.diagnostics,
    budget: ev.budget,
    onProgress: ev.onProgress as ProgressCallback | undefined,
    shouldStop: ev.shouldStop,
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
