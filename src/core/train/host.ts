/**
 * What training needs from the evaluator: its tape, expression evaluation, the environment
 * (to rebind data and parameters step by step), the network parameters and the work budget.
 * The evaluator implements it with closures over its private state (Evaluator.trainHost).
 */
import type { Tape } from '../autodiff/tape';
import type { Rng } from '../builtins/types';
import type { Diagnostic } from '../diagnostics';
import type { Binding } from '../eval/values';
import type { Expr, NameRef } from '../syntax/ast';

/** Reported after each epoch to AnalyzeOptions.onProgress. */
export interface TrainProgress {
  /** 0-based line of the `train` statement. */
  readonly line: number;
  /** 1-based epoch just finished, of `epochs` requested (Infinity when only `steps` bounds it). */
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly metric?: number;
  readonly steps: number;
}

export type ProgressCallback = (epoch: number, loss: number, progress: TrainProgress) => void;

export interface TrainHost {
  readonly tape: Tape;
  readonly text: string;
  readonly diagnostics: Diagnostic[];
  readonly budget: number;
  lineOf(offset: number): number;
  /** Work units spent so far. */
  work(): number;
  /** Charges work that does not go through an op (the backward pass) before it runs; past the budget it throws (see guardBudget). */
  addWork(units: number): void;
  /** Runs f; 'budget' when the work budget ran out inside it. */
  guardBudget<T>(f: () => T): T | 'budget';
  /** Evaluates an expression on the tape (errors reported), as an assignment's right side. */
  expr(e: Expr): number | undefined;
  constNumber(e: Expr, what: string): number | undefined;
  /** The current binding of a name (no diagnostic). */
  binding(name: string): Binding | undefined;
  /** A name whose latest binding failed (uses are skipped silently). */
  isPoisoned(name: string): boolean;
  undefinedName(ref: NameRef): void;
  isNetwork(name: string): boolean;
  /** The network's parameter bindings in state_dict order (materialised on first use). */
  networkParams(name: string): Binding[] | undefined;
  /** Makes `b` the current binding of its network parameter (under every alias). */
  setNetworkParam(b: Binding): void;
  /** Sets (or, with undefined, removes) an environment entry without recording a binding. */
  setEnv(name: string, b: Binding | undefined): void;
  /** Records a new binding as an assignment does (history, values). */
  bind(b: Binding): void;
  /** Records a network parameter binding (for `grad` without `wrt` and derivations). */
  recordBinding(b: Binding): void;
  /** The document's random stream (numpy's after np.random.seed(0)). */
  docRng(): Rng;
  /** While on, a network called again on the same input node returns the same output node. */
  memoNetworkCalls(on: boolean): void;
  /**
   * While off, ops skip the scan of their output for a new NaN/∞ (and its warning): a training
   * step's tensors are large and the step checks its loss itself ('train.non-finite').
   */
  checkFiniteOps(on: boolean): void;
  /** Saves the evaluator's expression → node record; the returned function restores it. */
  saveRecord(): () => void;
  readonly onProgress?: ProgressCallback;
  /** Polled before every step: a reason stops the training there (AnalyzeOptions.shouldStop). */
  readonly shouldStop?: () => string | undefined;
}
