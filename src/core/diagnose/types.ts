/**
 * The misconception engine's data: what is diagnosed (a quantity of the user's own graph or
 * network), the user's answer, and what comes back (a list of named misconceptions).
 * docs/misconceptions.md describes the catalogue and how to add an entry.
 */
import type { Tape } from '../autodiff/tape';
import type { Binding } from '../eval/values';
import type { NetEnv } from '../nets/model';
import type { Span } from '../span';
import type { NetworkDecl } from '../syntax/ast';

/**
 * One explanation of a wrong answer. `code` is part of the JSON contract (docs/language.md §8):
 * a catalogue code (`missing-path`, `forgot-bias`, …) or `carried-forward`.
 */
export interface Diagnosis {
  readonly code: string;
  /** "Your 0.6 is ∂z/∂w1 without the path x0 → y1 + x0 (misconception: missing-path)." */
  readonly message: string;
  /** Where in the graph or network the misconception changes something. */
  readonly span?: Span;
  /** The step the misconception changes, as it should be and as the misconception writes it. */
  readonly step?: { readonly correct: string; readonly changed: string };
  /** carried-forward: the 0-based line of the first wrong answer it follows from. */
  readonly cause?: number;
}

/** What an `expect` (or a grader's answer) asks for, in terms of the user's own graph. */
export type Quantity =
  /** A value on the tape (a binding such as `x1`, or any expression's node). */
  | { readonly kind: 'value'; readonly node: number; readonly text: string }
  /** ∂of/∂wrt, as `grad(of, wrt)`. */
  | { readonly kind: 'grad'; readonly of: number; readonly wrt: number; readonly ofText: string; readonly wrtText: string }
  /** `params(NET[.PATH])` or `size(NET.PATH)`, from the network's declaration. */
  | {
      readonly kind: 'count';
      readonly what: 'params' | 'size';
      readonly decl: NetworkDecl;
      /** The path after the network's name (`['A']`; [] for the whole network). */
      readonly path: readonly string[];
      /** The environment the network was built in (constants, earlier networks). */
      readonly env: NetEnv;
      readonly text: string;
    };

/** One answer to diagnose: the quantity, the user's number(s), and the tolerance it failed. */
export interface AnswerExpectation {
  readonly quantity: Quantity;
  /** The user's answer broadcast to the quantity's shape, row-major. */
  readonly answer: ArrayLike<number>;
  /** |answer − candidate| ≤ tolerance·max(1, |answer|) per element is a match (default 1e-6). */
  readonly tolerance?: number;
  /** The span of the expect line (messages point at the graph instead where they can). */
  readonly span?: Span;
  /**
   * A grader's question (docs/grading.md, the redraw rule): with `answer` the correct value, the
   * misconceptions whose result is within the tolerance of it — the mistakes that would score.
   * No carried-forward check; a misconception that changes nothing at all counts too.
   */
  readonly collisions?: boolean;
}

/** An earlier wrong answer that a later one may carry forward. */
export interface EarlierAnswer {
  readonly quantity: Quantity;
  readonly answer: ArrayLike<number>;
  /** 0-based line, for the message. */
  readonly line: number;
  /** When this answer was itself carried forward: the line of the first mistake. */
  readonly cause?: number;
}

/** Everything the engine reads: the tape, the document text and the bindings (for names). */
export interface AnalysisContext {
  readonly tape: Tape;
  readonly text: string;
  readonly bindings: readonly Binding[];
  /** Work units one diagnosis may spend (tape elements touched); default 5e7. */
  readonly budget?: number;
}
