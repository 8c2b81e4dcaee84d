/** Shared shapes of the network model: specs (from the text) and layer implementations. */
import type { Attrs } from '../autodiff/op';
import type { NodeId } from '../builtins/types';
import type { Span } from '../span';
import type { LayerLine, NetworkDecl } from '../syntax/ast';
import type { Tensor } from '../tensor/tensor';
import type { Dim } from './dims';

/** How a parameter or buffer starts (PyTorch's default initialisation distributions). */
export type Init =
  | { readonly kind: 'uniform'; readonly bound: number } // U(−bound, bound)
  | { readonly kind: 'normal'; readonly zeroRow?: number; readonly std?: number } // N(0, std², default 1), Embedding (padding row zero)
  | { readonly kind: 'const'; readonly value: number };

export interface ParamDecl {
  /** Name inside the layer: `weight`, `bias_ih_l0`, `out_proj.weight`. */
  readonly local: string;
  readonly shape: number[];
  readonly init: Init;
}

/** A shape that does not fit; `arg` names the argument to change (its span is used). */
export interface LayerError {
  readonly message: string;
  readonly arg?: string;
  readonly code?: string;
}

export function isLayerError(x: unknown): x is LayerError {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && 'message' in x;
}

export interface InferHelpers {
  /** Output shape of child network `i` on input `x` (errors name the child's layer). */
  child(i: number, x: Dim[]): Dim[] | LayerError;
}

export interface RunHelpers {
  readonly train: boolean;
  readonly span: Span;
  apply(op: string, inputs: readonly NodeId[], attrs?: Attrs): NodeId | undefined;
  shape(n: NodeId): readonly number[];
  value(n: NodeId): Tensor;
  constant(t: Tensor): NodeId;
  param(local: string): NodeId;
  buffer(local: string): Tensor;
  setBuffer(local: string, t: Tensor): void;
  rand(n: number): Float64Array;
  child(i: number, x: NodeId): NodeId | undefined;
  error(code: string, message: string, span?: Span): undefined;
}

export interface LayerImpl {
  readonly params: ParamDecl[];
  readonly buffers: ParamDecl[];
  readonly children: { readonly local: string; readonly spec: NetSpec }[];
  /** How the parameter count is computed, e.g. `(30 + 1) × 1024`; `` for none. */
  readonly formula: string;
  infer(x: readonly Dim[], h: InferHelpers): Dim[] | LayerError;
  /** Multiply-accumulates without bias (§5). */
  macs(x: readonly Dim[], y: readonly Dim[]): Dim;
  /** torchinfo's "Mult-Adds" (counts the bias). */
  multAdds(x: readonly Dim[], y: readonly Dim[]): Dim;
  /** Absent: the layer can only be summarised. */
  run?(x: NodeId, r: RunHelpers): NodeId | undefined;
}

export interface LayerNode {
  readonly index: number;
  readonly label: string | null;
  /** Canonical type name (`Linear`) or the nested network's name. */
  readonly type: string;
  readonly line: LayerLine;
  readonly impl: LayerImpl;
  /** The call as written with evaluated arguments, for messages: `Linear(30, 10)`. */
  readonly call: string;
  /** Span of each argument given, by parameter name. */
  readonly argSpans: Readonly<Record<string, Span>>;
}

export interface NetSpec {
  readonly name: string;
  readonly decl: NetworkDecl;
  readonly seed: number;
  /** The declared input shape (symbols from names). */
  readonly input: Dim[];
  readonly layers: LayerNode[];
}
