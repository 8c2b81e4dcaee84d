/**
 * GradLens's own small Python AST (docs/python.md): what parse.ts makes of @lezer/python's
 * tree. Every node carries its span in the user's UTF-16 offsets. A construct outside the
 * subset is kept as `Unsupported` with the reason, so the interpreter can say why once.
 */
import type { Span } from '../span';

interface Node {
  readonly span: Span;
}

export type PyExpr =
  | { readonly kind: 'Num'; readonly span: Span; readonly value: number; readonly isInt: boolean; readonly raw: string }
  | { readonly kind: 'Str'; readonly span: Span; readonly value: string }
  | { readonly kind: 'FStr'; readonly span: Span; readonly parts: readonly FPart[] }
  | { readonly kind: 'Const'; readonly span: Span; readonly value: true | false | null | 'ellipsis' }
  | { readonly kind: 'Name'; readonly span: Span; readonly id: string }
  | { readonly kind: 'Attr'; readonly span: Span; readonly obj: PyExpr; readonly attr: string; readonly attrSpan: Span }
  | { readonly kind: 'Sub'; readonly span: Span; readonly obj: PyExpr; readonly items: readonly SubItem[]; readonly tuple: boolean }
  | { readonly kind: 'Call'; readonly span: Span; readonly fn: PyExpr; readonly args: readonly PyArg[] }
  | { readonly kind: 'Bin'; readonly span: Span; readonly op: string; readonly left: PyExpr; readonly right: PyExpr; readonly opSpan: Span }
  | { readonly kind: 'Unary'; readonly span: Span; readonly op: '-' | '+' | '~' | 'not'; readonly operand: PyExpr; readonly opSpan: Span }
  | { readonly kind: 'BoolOp'; readonly span: Span; readonly op: 'and' | 'or'; readonly left: PyExpr; readonly right: PyExpr }
  | { readonly kind: 'Compare'; readonly span: Span; readonly ops: readonly string[]; readonly operands: readonly PyExpr[]; readonly opSpans: readonly Span[] }
  | { readonly kind: 'IfExp'; readonly span: Span; readonly test: PyExpr; readonly body: PyExpr; readonly orelse: PyExpr }
  | { readonly kind: 'Lambda'; readonly span: Span; readonly params: readonly PyParam[]; readonly body: PyExpr }
  | { readonly kind: 'Seq'; readonly span: Span; readonly type: 'tuple' | 'list' | 'set'; readonly elts: readonly PyExpr[] }
  | { readonly kind: 'Dict'; readonly span: Span; readonly entries: readonly { readonly key: PyExpr | null; readonly value: PyExpr }[] }
  | { readonly kind: 'Comp'; readonly span: Span; readonly type: 'list' | 'gen' | 'set' | 'dict'; readonly elt: PyExpr; readonly key: PyExpr | null; readonly gens: readonly CompFor[] }
  | { readonly kind: 'Starred'; readonly span: Span; readonly value: PyExpr }
  | { readonly kind: 'Paren'; readonly span: Span; readonly inner: PyExpr }
  | { readonly kind: 'Unsupported'; readonly span: Span; readonly why: string };

export type FPart = string | { readonly expr: PyExpr; readonly conv: string | null; readonly spec: string; readonly selfDoc: string | null };

export interface SliceItem extends Node {
  readonly kind: 'Slice';
  readonly lower: PyExpr | null;
  readonly upper: PyExpr | null;
  readonly step: PyExpr | null;
}
export type SubItem = PyExpr | SliceItem;

export interface PyArg extends Node {
  /** Keyword name, or null; `star` for `*args` / `**kwargs` at the call. */
  readonly name: string | null;
  readonly nameSpan: Span | null;
  readonly star: '' | '*' | '**';
  readonly value: PyExpr;
}

export interface PyParam extends Node {
  readonly name: string;
  readonly kind: 'normal' | 'kwonly' | 'varargs' | 'varkw';
  readonly default: PyExpr | null;
}

export interface CompFor {
  readonly target: PyExpr;
  readonly iter: PyExpr;
  readonly ifs: readonly PyExpr[];
}

export type PyStmt =
  | { readonly kind: 'Expr'; readonly span: Span; readonly value: PyExpr }
  | { readonly kind: 'Assign'; readonly span: Span; readonly targets: readonly PyExpr[]; readonly value: PyExpr | null }
  | { readonly kind: 'AugAssign'; readonly span: Span; readonly target: PyExpr; readonly op: string; readonly value: PyExpr; readonly opSpan: Span }
  | { readonly kind: 'If'; readonly span: Span; readonly test: PyExpr; readonly body: readonly PyStmt[]; readonly orelse: readonly PyStmt[] }
  | { readonly kind: 'For'; readonly span: Span; readonly target: PyExpr; readonly iter: PyExpr; readonly body: readonly PyStmt[]; readonly orelse: readonly PyStmt[] }
  | { readonly kind: 'While'; readonly span: Span; readonly test: PyExpr; readonly body: readonly PyStmt[]; readonly orelse: readonly PyStmt[] }
  | { readonly kind: 'Def'; readonly span: Span; readonly name: string; readonly nameSpan: Span; readonly params: readonly PyParam[]; readonly body: readonly PyStmt[]; readonly decorators: readonly PyExpr[] }
  | { readonly kind: 'Class'; readonly span: Span; readonly name: string; readonly nameSpan: Span; readonly bases: readonly PyExpr[]; readonly body: readonly PyStmt[] }
  | { readonly kind: 'Return'; readonly span: Span; readonly value: PyExpr | null }
  | { readonly kind: 'Pass' | 'Break' | 'Continue'; readonly span: Span }
  | { readonly kind: 'Import'; readonly span: Span; readonly names: readonly ImportName[] }
  | { readonly kind: 'ImportFrom'; readonly span: Span; readonly module: string; readonly names: readonly ImportName[] }
  | { readonly kind: 'Assert'; readonly span: Span; readonly test: PyExpr; readonly msg: PyExpr | null }
  | { readonly kind: 'With'; readonly span: Span; readonly items: readonly { readonly expr: PyExpr; readonly as: PyExpr | null }[]; readonly body: readonly PyStmt[] }
  | { readonly kind: 'Try'; readonly span: Span; readonly body: readonly PyStmt[]; readonly final: readonly PyStmt[] }
  | { readonly kind: 'Global'; readonly span: Span; readonly names: readonly string[]; readonly nonlocal: boolean }
  | { readonly kind: 'Del'; readonly span: Span; readonly targets: readonly PyExpr[] }
  /** A statement outside the subset, or one that does not parse: `binds` become unknown. */
  | { readonly kind: 'Unsupported'; readonly span: Span; readonly why: string; readonly binds: readonly { readonly name: string; readonly span: Span }[] };

/** `import torch.nn as nn` → { name: 'torch.nn', as: 'nn' }; `from x import *` → name '*'. */
export interface ImportName {
  readonly name: string;
  readonly as: string | null;
  readonly span: Span;
}

/** A comment directive `# expect …` / `# check …` / `# grad …`: the .nn statement text and where it starts. */
export interface Directive {
  readonly text: string;
  readonly offset: number;
  readonly span: Span;
}

export interface PyModule {
  readonly body: readonly PyStmt[];
  readonly directives: readonly Directive[];
}
