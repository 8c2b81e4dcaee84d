import type { Span } from '../span';
import type { Assign, Expr, NameRef, PathRef } from '../syntax/ast';

/** One binding of a name (a statement `x = …`, a `param`, or a network parameter). */
export interface Binding {
  readonly name: string;
  /** Tape node holding the value. */
  readonly node: number;
  readonly kind: 'param' | 'leaf' | 'value';
  readonly stmt: Assign | null;
  readonly line: number;
  readonly span: Span;
  readonly nameSpan: Span;
  /** The bindings the expression referred to, in source order (for derivations). */
  readonly refs: readonly { readonly ref: NameRef | PathRef; readonly binding: Binding }[];
  /** The network it belongs to, for network parameters. */
  readonly network?: string;
  readonly aliases?: readonly string[];
  /** Position in the network's state_dict. */
  readonly stateIndex?: number;
}

/** What the evaluator remembers for explanations, hovers and the panel. */
export interface EvalRecord {
  readonly bindings: Binding[];
  /** The tape node of every evaluated expression. */
  readonly exprNodes: Map<Expr, number>;
}
