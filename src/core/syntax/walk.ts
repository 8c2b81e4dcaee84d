import type { Expr } from './ast';

/**
 * Calls `visit` on `e` and on every expression inside it (operands, call and method arguments,
 * the object of a method, transpose or index, index items and slice bounds, list elements),
 * parents before children. The one traversal of expressions that only look at their names.
 */
export function walkExpr(e: Expr, visit: (x: Expr) => void): void {
  visit(e);
  switch (e.kind) {
    case 'Unary':
      return walkExpr(e.operand, visit);
    case 'Binary':
      walkExpr(e.left, visit);
      return walkExpr(e.right, visit);
    case 'Compare':
      for (const x of e.operands) walkExpr(x, visit);
      return;
    case 'Call':
      for (const a of e.args) walkExpr(a.value, visit);
      return;
    case 'Method':
      walkExpr(e.object, visit);
      for (const a of e.args) walkExpr(a.value, visit);
      return;
    case 'Transpose':
      return walkExpr(e.object, visit);
    case 'Index':
      walkExpr(e.object, visit);
      for (const it of e.items) {
        if (it.kind === 'Ellipsis') continue;
        if (it.kind !== 'Slice') walkExpr(it, visit);
        else for (const b of [it.start, it.stop, it.step]) if (b) walkExpr(b, visit);
      }
      return;
    case 'List':
      for (const x of e.elements) walkExpr(x, visit);
      return;
    case 'Paren':
      return walkExpr(e.inner, visit);
    default:
      return;
  }
}
