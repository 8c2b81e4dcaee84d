import type { Attrs } from '../autodiff/op';
import type { Span } from '../span';
import type { Shape, Tensor } from '../tensor/tensor';
import type { TorchGenerator } from '../tensor/torchRng';

/** A node of the tape (its index). */
export type NodeId = number;

/** A tensor argument: a node and where it was written. */
export interface TensorArg {
  readonly node: NodeId;
  readonly span: Span;
}

export type ParamKind =
  | 'tensor' // any value (a node)
  | 'tensors' // a list or tuple of values: cat([a, b]) / stack((a, b))
  | 'int' // an integer-valued scalar
  | 'number' // any finite scalar
  | 'ints' // variadic integers or one list: randn(2, 3) / reshape(x, [2, 3])
  | 'axis' // an integer axis (may be negative) or null
  | 'bool'
  | 'string'
  | 'ord'; // a number (also inf, -inf, np.inf) or a string: a norm's order ('fro', 'nuc')

export interface ParamSpec {
  readonly name: string;
  /** Other keyword spellings (`dim` for `axis`, `keepdim` for `keepdims`). */
  readonly aliases?: readonly string[];
  readonly kind: ParamKind;
  /** Absent: required. */
  readonly default?: number | boolean | string | null;
  /** `number` only: also accepts None (the value null), for an optional bound (`clamp(x, min=None)`). */
  readonly orNone?: boolean;
  /** `ints` only: takes every remaining positional argument. */
  readonly rest?: boolean;
  /** May only be given by keyword. */
  readonly keywordOnly?: boolean;
}

export type BoundValue = TensorArg | readonly TensorArg[] | number | readonly number[] | string | boolean | null | undefined;

export interface BoundArgs {
  readonly values: Readonly<Record<string, BoundValue>>;
  readonly spans: Readonly<Record<string, Span>>;
  /** Number of positional arguments given (some built-ins switch meaning on it: max(a, b) vs max(x)). */
  readonly positionalCount: number;
}

/** What a built-in may do while it is called. Errors are reported here, never thrown. */
export interface CallContext {
  /** The whole call expression. */
  readonly span: Span;
  /** The function name as written. */
  readonly nameSpan: Span;
  /**
   * Adds an op to the tape: infers the shape first (reporting a shape error on `span`, the
   * call's span by default) and returns the new node, or undefined after an error.
   */
  apply(op: string, inputs: readonly NodeId[], attrs?: Attrs, span?: Span): NodeId | undefined;
  /** A constant (not a leaf, never differentiated). */
  constant(t: Tensor): NodeId;
  shape(n: NodeId): Shape;
  value(n: NodeId): Tensor;
  error(code: string, message: string, span?: Span): undefined;
  warn(code: string, message: string, span?: Span): void;
  /** The document's random stream, or a fresh generator seeded with `seed`. */
  rng(seed: number | null): Rng;
  /** PyTorch's CPU generator: the document's (torch.manual_seed(0) at the top), or a fresh one after torch.manual_seed(seed). */
  torchRng(seed: number | null): TorchGenerator;
  /**
   * Charges `units` of work (elements to be made, multiply-accumulates) against the budget
   * BEFORE the built-in allocates or computes them: past the budget it does not return (the
   * evaluator stops with `budget.exceeded` on this call). Absent in contexts without a budget.
   */
  charge?(units: number): void;
  /**
   * The library the call was spelled for: `np.split`, `numpy.pad` → 'numpy'; `torch.split`,
   * `F.pad`, `nn.functional.pad` → 'torch'; undefined when written bare. Built-ins whose numpy
   * and PyTorch versions differ (split, pad; var and std, whose bare spelling is numpy's ddof=0)
   * follow it. A Python front end sets it from the array's library (a method call on a torch
   * tensor is 'torch', on an ndarray 'numpy').
   */
  readonly library?: 'numpy' | 'torch';
  /** The text of a file relative to the document (AnalyzeOptions.readFile); absent when the host reads no files. */
  readFile?(relativePath: string): string | undefined;
}

/** numpy's legacy RandomState interface (MT19937). */
export interface Rng {
  /** np.random.randn: standard normal, legacy polar Gaussian. */
  randn(n: number): Float64Array;
  /** np.random.rand: uniform [0, 1), 53-bit. */
  rand(n: number): Float64Array;
  /** np.random.permutation(n) / shuffle, for minibatches. */
  permutation(n: number): Int32Array;
  /** numpy's random_interval(max): uniform in [0, max] by masked rejection (np.random.randint). */
  interval?(max: number): number;
}

export interface BuiltinDef {
  /** Canonical lower-case name (`relu`, `cross_entropy`). */
  readonly name: string;
  /** Other spellings, lower case (`mse_loss`, `maximum`). */
  readonly aliases?: readonly string[];
  readonly group: 'element-wise' | 'reductions' | 'shape' | 'linear algebra' | 'probability' | 'losses' | 'constructors' | 'networks' | 'calculus';
  /** How it is written in docs and hovers: `softmax(x, axis=-1)`. */
  readonly signature: string;
  /** One or two sentences for hovers. */
  readonly doc: string;
  /** The derivative rule in Unicode, for hovers (`relu'(x) = 1 if x > 0 else 0`). */
  readonly derivative?: string;
  /** Where numpy's and PyTorch's spellings differ in a default or a meaning, how GradLens decides (docs table). */
  readonly libraries?: string;
  readonly params: readonly ParamSpec[];
  call(args: BoundArgs, ctx: CallContext): NodeId | undefined;
  /**
   * Built-ins that give several tensors (`split`, `chunk`): called where the result is bound by
   * unpacking (`a, b = split(x, 2)`); `call` then reports that it must be.
   */
  callMany?(args: BoundArgs, ctx: CallContext): NodeId[] | undefined;
}

/** The `call` of a built-in that applies `op` to its tensor arguments `names`, in order: `applyOp('matmul', 'a', 'b')`. */
export function applyOp(op: string, ...names: string[]): BuiltinDef['call'] {
  return (args, ctx) => ctx.apply(op, names.map((n) => (args.values[n] as TensorArg).node));
}

const builtins = new Map<string, BuiltinDef>();

export function defineBuiltin(def: BuiltinDef): BuiltinDef {
  for (const n of [def.name, ...(def.aliases ?? [])]) {
    if (builtins.has(n)) throw new Error(`internal: builtin ${n} defined twice`);
    builtins.set(n, def);
  }
  return def;
}

/** Case-insensitive lookup (the parser has already removed `nn.`, `F.`, `torch.`, `np.` prefixes). */
export function findBuiltin(name: string): BuiltinDef | undefined {
  // `Σ` is not `σ` (sigmoid) in capitals: Greek names keep their case.
  return builtins.get(/^[\p{Script=Greek}]+$/u.test(name) ? name : name.toLowerCase());
}

export function allBuiltins(): BuiltinDef[] {
  return [...new Set(builtins.values())];
}

export function builtinNames(): string[] {
  return [...builtins.keys()];
}
