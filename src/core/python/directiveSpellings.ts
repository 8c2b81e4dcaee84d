/**
 * A `# expect`/`# check`/`# grad` directive holds a `.nn` statement, but a student writing
 * PyTorch spells the quantities as PyTorch does: `# expect h.grad == p - y` after one
 * `L.backward()`, `# expect L.item() == 0.4644`. Before the directive runs, its syntax tree is
 * rewritten (spans kept, so every diagnostic still points at what was written):
 * - `NAME.grad` → `grad(ROOT, NAME)`, where ROOT is the name whose `.backward()` ran — only when
 *   exactly one backward pass has run, since `.grad` accumulates over several;
 * - `X.item()` → `X` (a one-element value is already a number in `.nn`).
 */
import type { Expr, Program } from '../syntax/ast';

export interface DirectiveContext {
  /** The name of the tensor whose `.backward()` ran, when exactly one backward pass has run. */
  readonly root?: string;
}

export function rewriteDirective(program: Program, ctx: DirectiveContext): Program {
  return mapNode(program, ctx) as Program;
}

function mapNode(n: unknown, ctx: DirectiveContext): unknown {
  if (Array.isArray(n)) return n.map((x) => mapNode(x, ctx));
  if (n === null || typeof n !== 'object') return n;
  const o = n as Record<string, unknown> & { kind?: string };
  const spelled = o.kind ? respell(o as unknown as Expr, ctx) : undefined;
  if (spelled) return spelled;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) out[k] = k === 'span' || k.endsWith('Span') || k.endsWith('Spans') ? o[k] : mapNode(o[k], ctx);
  return out;
}

function respell(e: Expr, ctx: DirectiveContext): Expr | undefined {
  if (e.kind === 'Path' && e.parts.length === 2 && e.parts[1] === 'grad' && ctx.root !== undefined) {
    const wrt: Expr = { kind: 'Name', name: e.parts[0], span: e.partSpans[0] };
    const of: Expr = { kind: 'Name', name: ctx.root, span: e.partSpans[1] };
    return {
      kind: 'Call',
      callee: 'grad',
      calleeSpan: e.partSpans[1],
      args: [
        { name: null, value: of, span: e.partSpans[1] },
        { name: null, value: wrt, span: e.partSpans[0] },
      ],
      span: e.span,
    } as Expr;
  }
  if (e.kind === 'Method' && e.method.name === 'item' && e.args.length === 0) return mapNode(e.object, ctx) as Expr;
  return undefined;
}
