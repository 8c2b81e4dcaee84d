import type { Span } from '../span';

/** Every node is readonly and carries its span (UTF-16 offsets into the analysed text). */
interface NodeBase {
  readonly span: Span;
}

export interface Ident extends NodeBase {
  readonly kind: 'Ident';
  readonly name: string;
}

export interface NumberLit extends NodeBase {
  readonly kind: 'Number';
  readonly value: number;
  readonly raw: string;
}
export interface StringLit extends NodeBase {
  readonly kind: 'String';
  readonly value: string;
}
export interface BoolLit extends NodeBase {
  readonly kind: 'Bool';
  readonly value: boolean;
}
export interface NameRef extends NodeBase {
  readonly kind: 'Name';
  readonly name: string;
}
/** `mlp.A.weight`, `mlp.0.bias`, `mlp.A`: NAME then `.NAME`/`.DIGITS` parts, no spaces. */
export interface PathRef extends NodeBase {
  readonly kind: 'Path';
  readonly parts: readonly string[];
  readonly partSpans: readonly Span[];
}
export interface Unary extends NodeBase {
  readonly kind: 'Unary';
  readonly op: '-' | '+';
  readonly operand: Expr;
  readonly opSpan: Span;
}
export type BinaryOp = '+' | '-' | '*' | '/' | '@' | '^';
export interface Binary extends NodeBase {
  readonly kind: 'Binary';
  /** `**` is stored as `^`. */
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly opSpan: Span;
}
/** The comparison operators, element-wise, giving 0/1 values with no gradient. */
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
/**
 * `a < b`, and Python's chained `a < b <= c` (= `(a < b) and (b <= c)`, `b` evaluated once):
 * `ops[k]` compares `operands[k]` with `operands[k + 1]`. Below arithmetic in precedence.
 */
export interface Compare extends NodeBase {
  readonly kind: 'Compare';
  readonly operands: readonly Expr[];
  readonly ops: readonly CompareOp[];
  readonly opSpans: readonly Span[];
}
export interface Arg extends NodeBase {
  /** Keyword name, or null for a positional argument. */
  readonly name: Ident | null;
  readonly value: Expr;
}
/** `f(…)`; `callee` is the name as written, prefix (`nn.`, `F.`, `torch.`, `np.`) removed. */
export interface Call extends NodeBase {
  readonly kind: 'Call';
  readonly callee: string;
  readonly calleeSpan: Span;
  /** For a call on a path (`mlp.A(x)`), the parts; otherwise undefined. */
  readonly calleePath?: readonly string[];
  readonly args: readonly Arg[];
}
/** `x.f(…)`: the built-in `f` with `x` first. */
export interface MethodCall extends NodeBase {
  readonly kind: 'Method';
  readonly object: Expr;
  readonly method: Ident;
  readonly args: readonly Arg[];
}
/** `x.T` */
export interface TransposeExpr extends NodeBase {
  readonly kind: 'Transpose';
  readonly object: Expr;
  readonly opSpan: Span;
}
export interface SliceItem extends NodeBase {
  readonly kind: 'Slice';
  readonly start: Expr | null;
  readonly stop: Expr | null;
  readonly step: Expr | null;
}
/** `...` in a subscript: as many full slices as the other items leave axes (numpy's Ellipsis). */
export interface EllipsisItem extends NodeBase {
  readonly kind: 'Ellipsis';
}
export type IndexItem = Expr | SliceItem | EllipsisItem;
export interface IndexExpr extends NodeBase {
  readonly kind: 'Index';
  readonly object: Expr;
  readonly items: readonly IndexItem[];
}
/** `[1, 2, 3]` or a tuple `(3, 3)`. */
export interface ListLit extends NodeBase {
  readonly kind: 'List';
  readonly elements: readonly Expr[];
  readonly tuple: boolean;
}
/** A parenthesised expression: kept so derivations can print the user's grouping. */
export interface Paren extends NodeBase {
  readonly kind: 'Paren';
  readonly inner: Expr;
}

export type Expr =
  | NumberLit
  | StringLit
  | BoolLit
  | NameRef
  | PathRef
  | Unary
  | Binary
  | Compare
  | Call
  | MethodCall
  | TransposeExpr
  | IndexExpr
  | ListLit
  | Paren;

/** `NAME = EXPR`, `param NAME = EXPR`, `param mlp.A.weight = EXPR`. */
export interface Assign extends NodeBase {
  readonly kind: 'Assign';
  readonly param: boolean;
  readonly target: NameRef | PathRef;
  readonly value: Expr;
}

/**
 * Tuple assignment, as Python: `w0, w1 = 0.3, -0.2`, `a, b = split(x, 2)`, `h, c = c, h`
 * (the right side is evaluated in full before any name is bound); `param w0, w1 = …` binds
 * parameters.
 */
export interface UnpackAssign extends NodeBase {
  readonly kind: 'Unpack';
  readonly param: boolean;
  readonly targets: readonly NameRef[];
  readonly value: Expr;
}

/** `print(expr, …)`: its text is recorded for the line (EvalResult.prints), as Python prints it. */
export interface PrintStmt extends NodeBase {
  readonly kind: 'Print';
  readonly args: readonly Arg[];
}

/** A name or path after `wrt`. */
export type WrtTarget = NameRef | PathRef;

export interface GradStmt extends NodeBase {
  readonly kind: 'Grad';
  readonly of: NameRef | PathRef;
  readonly wrt: readonly WrtTarget[] | null;
}
export interface CheckStmt extends NodeBase {
  readonly kind: 'Check';
  readonly of: NameRef | PathRef;
  readonly wrt: readonly WrtTarget[] | null;
  readonly within: Expr | null;
}
export interface ExpectStmt extends NodeBase {
  readonly kind: 'Expect';
  readonly left: Expr;
  readonly right: Expr;
  readonly opSpan: Span;
  readonly within: Expr | null;
}

/** `input [32, 30]` — names inside are symbolic sizes. */
export interface InputDecl extends NodeBase {
  readonly kind: 'Input';
  readonly dims: readonly Expr[];
}
/** `[LABEL =] Layer(args…)` or `Layer` with the parentheses left off. */
export interface LayerLine extends NodeBase {
  readonly kind: 'Layer';
  readonly label: Ident | null;
  readonly layer: Ident;
  /** null when written without parentheses. */
  readonly args: readonly Arg[] | null;
}
export interface NetworkDecl extends NodeBase {
  readonly kind: 'Network';
  readonly name: Ident;
  readonly seed: Expr | null;
  readonly headerSpan: Span;
  readonly input: InputDecl | null;
  readonly layers: readonly LayerLine[];
}

/**
 * A line that did not parse. It binds nothing, but the name it meant to bind (if one can be
 * read) is remembered, so lines that use it are skipped silently: errors do not cascade.
 */
export interface InvalidStmt extends NodeBase {
  readonly kind: 'Invalid';
  readonly name: string | null;
  /** A tuple assignment's names (`a, b = …`), `name` being the first. */
  readonly names?: readonly string[];
}

/** The clause words of a `train` statement (docs/training.md). */
export type TrainClauseKeyword = 'loss' | 'optimizer' | 'epochs' | 'batch' | 'shuffle' | 'steps' | 'metric' | 'seed';

/** `loss EXPR`, `epochs 100`, `shuffle` (no value), … */
export interface TrainClause extends NodeBase {
  readonly keyword: TrainClauseKeyword;
  readonly keywordSpan: Span;
  readonly value: Expr | null;
}

/**
 * `train TARGET[, TARGET…] [on DATA[, DATA…]]` followed by clauses, on the same line or on the
 * lines indented under it (like a `network` block):
 * `train mlp on X, y` / `loss bce(mlp(X), y)` / `optimizer SGD(lr=0.1)` / `epochs 10` / `batch 32 shuffle`.
 */
export interface TrainStmt extends NodeBase {
  readonly kind: 'Train';
  readonly keywordSpan: Span;
  /** Networks (all their parameters) or `param` names. */
  readonly targets: readonly NameRef[];
  /** Names whose first axis indexes the examples: rebound to each minibatch while the loss is evaluated. */
  readonly data: readonly NameRef[];
  readonly clauses: readonly TrainClause[];
  readonly headerSpan: Span;
}

/** A tolerance of an `answer` (docs/grading.md): PrairieLearn's relabs, sigfig and decdig. */
export type ToleranceKind = 'rel' | 'abs' | 'sigfig' | 'decdig';
export interface ToleranceClause extends NodeBase {
  readonly tol: ToleranceKind;
  readonly value: Expr;
}

/** `assignment "hw4" [seed 2026]`: the assignment's name and the seed its variants are drawn from. */
export interface AssignmentStmt extends NodeBase {
  readonly kind: 'Assignment';
  readonly name: string;
  readonly seed: Expr | null;
}

/** `question T1 [points 4] [carry 0.5]`: the answers after it, up to the next question, belong to it. */
export interface QuestionStmt extends NodeBase {
  readonly kind: 'Question';
  readonly id: string;
  readonly idSpan: Span;
  readonly points: Expr | null;
  readonly carry: Expr | null;
}

/**
 * `answer EXPR [tolerance rel X | tolerance abs X | sigfig N | decdig N]` in the instructor's
 * source (the key is what EXPR computes); `answer EXPR == ?` (blank) or `answer EXPR == VALUE`
 * in a handout or a submission.
 */
export interface AnswerStmt extends NodeBase {
  readonly kind: 'Answer';
  readonly expr: Expr;
  /** null: no `==` (the source); 'blank': `== ?`; else the student's value. */
  readonly given: Expr | 'blank' | null;
  /** The `==` and what follows it, up to the tolerance clause. */
  readonly givenSpan: Span | null;
  readonly tolerance: ToleranceClause | null;
}

/** `handout student "s001" [released]`: this document is that student's handout (or submission). */
export interface HandoutStmt extends NodeBase {
  readonly kind: 'Handout';
  readonly student: string;
  readonly released: boolean;
}

/** `selfcheck T1.1 "salt" "step:hash" …`: one answer's salted hashes (docs/grading.md). */
export interface SelfcheckStmt extends NodeBase {
  readonly kind: 'Selfcheck';
  readonly answer: string;
  readonly salt: string;
  readonly records: readonly string[];
}

export type AssignmentMark = AssignmentStmt | QuestionStmt | AnswerStmt | HandoutStmt | SelfcheckStmt;

export type Statement = Assign | UnpackAssign | PrintStmt | GradStmt | CheckStmt | ExpectStmt | NetworkDecl | InvalidStmt | TrainStmt | AssignmentMark;

export interface Program {
  readonly kind: 'Program';
  readonly statements: readonly Statement[];
  readonly span: Span;
}
