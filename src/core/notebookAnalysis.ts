/**
 * A notebook's analysis seen from one cell. The notebook is analysed as one program (its code
 * cells joined, syntax/notebook.ts); the editor shows each cell as its own document, so every
 * span and line of the program's Analysis is moved into the cell's own coordinates, and what
 * belongs to other cells is left out. Generic over the Analysis shape: every `{start, end}` object
 * is a span and every numeric `line` a 0-based program line, so fields added later (print
 * output, say) follow without changes here. Pure.
 */
import type { Analysis } from './analysis';
import type { CellRange } from './syntax/notebook';

const isSpan = (x: unknown): x is { start: number; end: number } =>
  typeof x === 'object' && x !== null && typeof (x as { start?: unknown }).start === 'number' && typeof (x as { end?: unknown }).end === 'number' && Object.keys(x).length === 2;

/** The lines of each cell: its first program line and its number of lines. */
function cellLines(text: string, cell: CellRange): { first: number; count: number } {
  let count = 1;
  for (let i = cell.start; i < cell.end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) count++;
  }
  return { first: cell.line, count };
}

/**
 * The part of a program's analysis that belongs to `cell`, in the cell's coordinates. Top-level
 * lists (diagnostics, values, gradients, networks, symbols, graph nodes, trainings, …) keep the
 * entries whose `span` starts in the cell; spans and lines nested inside a kept entry are moved
 * too and clamped to the cell (a layer defined in another cell points at the cell's start).
 * Graph edges are kept when both of their nodes are.
 */
export function analysisForCell(analysis: Analysis, programText: string, cell: CellRange): Analysis {
  const { first, count } = cellLines(programText, cell);
  const len = cell.end - cell.start;
  const inCell = (s: { start: number; end: number }): boolean => s.start >= cell.start && (s.start < cell.end || (s.start === cell.end && s.start === s.end) || len === 0);
  const clamp = (o: number): number => Math.max(0, Math.min(len, o - cell.start));
  const move = (x: unknown, key: string): unknown => {
    if (isSpan(x)) return { start: clamp(x.start), end: Math.max(clamp(x.start), clamp(x.end)) };
    if (key === 'line' && typeof x === 'number') return Math.max(0, Math.min(count - 1, x - first));
    if (Array.isArray(x)) return x.map((v) => move(v, ''));
    if (typeof x === 'object' && x !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x)) out[k] = move(v, k);
      return out;
    }
    return x;
  };
  const keep = (x: unknown): boolean => {
    const span = (x as { span?: unknown }).span;
    return !isSpan(span) || inCell(span);
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(analysis)) {
    if (k === 'graph') continue;
    out[k] = Array.isArray(v) ? v.filter(keep).map((e) => move(e, '')) : move(v, k);
  }
  const nodes = analysis.graph.nodes.filter(keep);
  const ids = new Set(nodes.map((n) => n.id));
  out.graph = { nodes: nodes.map((n) => move(n, '')), edges: analysis.graph.edges.filter((e) => ids.has(e.from) && ids.has(e.to)) };
  return out as unknown as Analysis;
}
