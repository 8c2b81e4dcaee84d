import type { Fix } from '../diagnostics';
import type { Shape, Tensor } from '../tensor/tensor';
import type { Sym } from './sym';

export type AttrValue = number | string | boolean | null | readonly number[] | Tensor | readonly (number | null)[];
export type Attrs = Readonly<Record<string, AttrValue>>;

/** A shape rule broken: reported on the operator's span as `code` (default `shape.mismatch`). */
export interface ShapeError {
  readonly error: string;
  readonly code?: string;
  /** Text fixes relative to operand spans are built by the evaluator from this hint. */
  readonly hint?: 'use-matmul' | 'transpose-right' | 'transpose-left' | 'use-elementwise';
  /** Index of the input the problem is attributed to, if any. */
  readonly input?: number;
  readonly fixes?: readonly Fix[];
}

export function isShapeError(x: Shape | ShapeError): x is ShapeError {
  return (x as ShapeError).error !== undefined;
}

/**
 * Storage for a training step's temporaries (see ScratchPool in tape.ts): `alloc(n)` returns a
 * Float64Array of n elements that nothing else uses until the step ends, with unspecified
 * contents (possibly a previous step's values), so an op must write every element of it.
 */
export interface Scratch {
  alloc(n: number): Float64Array;
}

/**
 * One entry of the op table: shape inference, forward, backward (vector-Jacobian product,
 * un-broadcast by summing) and the local derivative as printable text.
 */
export interface OpDef {
  readonly name: string;
  /** How the op reads in a formula: `ReLU`, `softmax`, `@`. */
  readonly display: string;
  readonly inferShape: (shapes: readonly Shape[], attrs: Attrs) => Shape | ShapeError;
  /**
   * `scratch`, when given (training steps only), may provide the output's array instead of a
   * fresh allocation; an op may ignore it.
   */
  readonly forward: (inputs: readonly Tensor[], attrs: Attrs, scratch?: Scratch) => Tensor;
  /**
   * Gradients for each input given the output gradient `g`; null where an input is not
   * differentiable. `needs[k]` false says the caller will not read input k's gradient (a
   * constant, such as the data): the op may return null there and skip that work.
   * `scratch`, as for forward, may provide the gradients' arrays.
   */
  readonly backward: (
    g: Tensor,
    inputs: readonly Tensor[],
    out: Tensor,
    attrs: Attrs,
    needs?: readonly boolean[],
    scratch?: Scratch,
  ) => (Tensor | null)[];
  /**
   * True when backward returns, for each input, a newly allocated array that the op keeps no
   * reference to and returns for no other input: the tape then adopts it instead of copying.
   */
  readonly freshGradients?: boolean;
  /**
   * Element-wise ops: the local partial derivative with respect to each input, as a symbolic
   * expression of the operands (scalar semantics). Evaluating it at a point equals backward there.
   */
  readonly partials?: (operands: readonly Sym[], attrs: Attrs) => Sym[];
  /** Every op: the rule in words/Unicode for each input (`∂L/∂A = ∂L/∂Y · Bᵀ`). */
  readonly rule: (operands: readonly string[], attrs: Attrs) => string[];
  /**
   * For gradient checks: a signature of the discrete choices the op made (signs at a kink,
   * the winner of a max). When perturbing an input changes it, the perturbation crossed a kink.
   */
  readonly kinks?: (inputs: readonly Tensor[], attrs: Attrs) => ArrayLike<number>;
  /** Input indices that are never differentiated (class indices, masks). */
  readonly nondiff?: readonly number[];
  /**
   * Boolean results (numpy's bool dtype, held as 0/1): 'always' for comparisons and logical
   * ops; 'preserve' for shape ops whose result is boolean when their first input is (a mask
   * reshaped or indexed is still a mask). Indexing with a boolean tensor selects (`x[x > 0]`).
   */
  readonly boolean?: 'always' | 'preserve';
  /** Derivative convention stated wherever a derivative is shown (`ReLU'(0) = 0`). */
  readonly convention?: string;
  /** Where the convention matters (an element-wise op's kinks), when not only at 0: relu6 at 0 and 6. */
  readonly atKink?: (x: number) => boolean;
  /** Rough cost in multiply-accumulates/elements, for the work budget. */
  readonly cost?: (shapes: readonly Shape[], out: Shape, attrs: Attrs) => number;
}

const table = new Map<string, OpDef>();

export function defineOp(def: OpDef): OpDef {
  if (table.has(def.name)) throw new Error(`internal: op ${def.name} defined twice`);
  table.set(def.name, def);
  return def;
}

export function getOp(name: string): OpDef {
  const d = table.get(name);
  if (!d) throw new Error(`internal: unknown op ${name}`);
  return d;
}

export function hasOp(name: string): boolean {
  return table.has(name);
}

export function allOps(): OpDef[] {
  return [...table.values()];
}
