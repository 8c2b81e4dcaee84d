/**
 * Pure graph logic for the panel (no DOM): which nodes are visible when some are collapsed, which
 * edges lie on the paths of a gradient, which nodes sit on an editor line.
 */
import type { PanelEdge, PanelGradient, PanelNode, PanelOp } from '../shared/protocol';
import { boxSize, clip, nodeLines, opSize, type Direction, type LayoutRequest } from './layout';

export interface VisibleGraph {
  readonly nodes: readonly PanelNode[];
  readonly edges: readonly PanelEdge[];
  /** For a collapsed node: how many nodes upstream of it are hidden. */
  readonly hiddenBehind: ReadonlyMap<number, number>;
}

export const edgeId = (e: { from: number; to: number }): string => `${e.from}-${e.to}`;

/**
 * Collapsing a node hides what feeds only into it: a node is hidden when it has consumers and
 * every consumer is collapsed or hidden. Node ids are in creation order (a topological order),
 * so one reverse pass decides it.
 */
export function visibleGraph(nodes: readonly PanelNode[], edges: readonly PanelEdge[], collapsed: ReadonlySet<string>): VisibleGraph {
  const consumers = new Map<number, number[]>();
  for (const e of edges) {
    let list = consumers.get(e.from);
    if (!list) consumers.set(e.from, (list = []));
    list.push(e.to);
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const hidden = new Set<number>();
  const ordered = [...nodes].sort((a, b) => b.id - a.id);
  for (const n of ordered) {
    const cs = consumers.get(n.id);
    if (!cs || !cs.length) continue;
    if (cs.every((c) => hidden.has(c) || collapsed.has(byId.get(c)?.key ?? ''))) hidden.add(n.id);
  }
  const hiddenBehind = new Map<number, number>();
  if (hidden.size) {
    // Count, for each visible collapsed node, the hidden nodes that reach it.
    const producers = new Map<number, number[]>();
    for (const e of edges) {
      let list = producers.get(e.to);
      if (!list) producers.set(e.to, (list = []));
      list.push(e.from);
    }
    for (const n of nodes) {
      if (hidden.has(n.id) || !collapsed.has(n.key)) continue;
      const seen = new Set<number>();
      const stack = [...(producers.get(n.id) ?? [])];
      while (stack.length) {
        const p = stack.pop()!;
        if (seen.has(p) || !hidden.has(p)) continue;
        seen.add(p);
        stack.push(...(producers.get(p) ?? []));
      }
      hiddenBehind.set(n.id, seen.size);
    }
  }
  return {
    nodes: nodes.filter((n) => !hidden.has(n.id)),
    edges: edges.filter((e) => !hidden.has(e.from) && !hidden.has(e.to)),
    hiddenBehind,
  };
}

/** Beyond this many bindings the panel shows a focused part of the graph until "Show all". */
export const FOCUS_LIMIT = 120;

/**
 * A large graph, focused: the nodes on the selected gradient's paths (or, with none selected, the
 * last FOCUS_LIMIT bindings: where the output usually is) and their direct neighbours. Dagre's
 * time grows faster than linearly, so this keeps a 500-node program's layout near a 100-node one.
 */
export function focusGraph(vis: VisibleGraph, onPath: ReadonlySet<number> | undefined, limit = FOCUS_LIMIT): VisibleGraph & { readonly focused: boolean } {
  if (vis.nodes.length <= limit) return { ...vis, focused: false };
  const core = onPath && onPath.size ? new Set(onPath) : new Set([...vis.nodes].sort((a, b) => b.id - a.id).slice(0, limit).map((n) => n.id));
  const keep = new Set(core);
  for (const e of vis.edges) {
    if (core.has(e.to)) keep.add(e.from);
    if (core.has(e.from)) keep.add(e.to);
  }
  return {
    nodes: vis.nodes.filter((n) => keep.has(n.id)),
    edges: vis.edges.filter((e) => keep.has(e.from) && keep.has(e.to)),
    hiddenBehind: vis.hiddenBehind,
    focused: true,
  };
}

/** The binding a gradient's name refers to at its `grad` line: the latest one before it. */
export function bindingAt(nodes: readonly PanelNode[], name: string, line: number): PanelNode | undefined {
  let found: PanelNode | undefined;
  for (const n of nodes) if (n.name === name && n.line <= line && (!found || n.line >= found.line)) found = n;
  return found;
}

export interface GradientPaths {
  readonly of?: number;
  readonly wrt?: number;
  readonly nodes: ReadonlySet<number>;
  readonly edges: ReadonlySet<string>;
}

/** Every edge on a path from the variable to the output (a fork gives several paths). */
export function gradientPaths(nodes: readonly PanelNode[], edges: readonly PanelEdge[], g: Pick<PanelGradient, 'of' | 'wrt' | 'line'>): GradientPaths {
  const of = bindingAt(nodes, g.of, g.line);
  const wrt = bindingAt(nodes, g.wrt, g.line);
  if (!of || !wrt) return { of: of?.id, wrt: wrt?.id, nodes: new Set(), edges: new Set() };
  const reach = (start: number, next: Map<number, number[]>): Set<number> => {
    const seen = new Set<number>([start]);
    const stack = [start];
    while (stack.length) for (const m of next.get(stack.pop()!) ?? []) if (!seen.has(m)) seen.add(m), stack.push(m);
    return seen;
  };
  const fwd = new Map<number, number[]>();
  const back = new Map<number, number[]>();
  for (const e of edges) {
    (fwd.get(e.from) ?? fwd.set(e.from, []).get(e.from)!).push(e.to);
    (back.get(e.to) ?? back.set(e.to, []).get(e.to)!).push(e.from);
  }
  const down = reach(wrt.id, fwd);
  const up = reach(of.id, back);
  const onPath = new Set([...down].filter((n) => up.has(n)));
  const pathEdges = new Set(edges.filter((e) => onPath.has(e.from) && onPath.has(e.to)).map(edgeId));
  return { of: of.id, wrt: wrt.id, nodes: onPath, edges: pathEdges };
}

/** Ids of the nodes whose statement is on this line. */
export function nodesOnLine(nodes: readonly PanelNode[], line: number): number[] {
  return nodes.filter((n) => n.line === line).map((n) => n.id);
}

// ---- the drawing: bindings, and the operations of expanded statements ---------------------------

/** One thing drawn: a binding box, or inside an expanded statement an op circle or a value box. */
export interface DisplayItem {
  /** Layout and DOM key, stable across edits: `b:x1#0`, `x1#0/o2`, `x1#0/v2`. */
  readonly id: string;
  readonly kind: 'binding' | 'op' | 'value';
  /** The binding this belongs to. */
  readonly node: PanelNode;
  /** Index into node.ops (op and value items). */
  readonly opIndex?: number;
  readonly op?: PanelOp;
  /** Text lines (binding and value boxes) or the op's label (one line). */
  readonly lines: readonly string[];
  readonly width: number;
  readonly height: number;
  /** The statement's result box of an expanded node (it carries the fold-back control). */
  readonly result?: boolean;
}

export interface DisplayLink {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  /** The binding edge it draws (between statements), with its local derivative. */
  readonly edge?: PanelEdge;
}

export interface DisplayGraph {
  readonly items: readonly DisplayItem[];
  readonly links: readonly DisplayLink[];
  /** The box that stands for a binding: its own box, or its result box when expanded. */
  readonly outOf: ReadonlyMap<number, string>;
  /** The boxes that stand for a binding as a consumer (itself, or all its items when expanded). */
  readonly itemsOf: ReadonlyMap<number, readonly string[]>;
}

export const bindingItemId = (n: Pick<PanelNode, 'key'>): string => `b:${n.key}`;

/**
 * The visible binding graph with each expanded statement (key in `expanded`, and carrying `ops`)
 * replaced by its operations, micrograd-style: a circle per op, a box per value, edges from the
 * inputs' bindings into the ops that read them.
 */
export function displayGraph(vis: VisibleGraph, expanded: ReadonlySet<string>, of?: string): DisplayGraph {
  const items: DisplayItem[] = [];
  const links: DisplayLink[] = [];
  const outOf = new Map<number, string>();
  const itemsOf = new Map<number, string[]>();
  const isOpen = (n: PanelNode) => expanded.has(n.key) && !!n.ops && n.ops.length > 0;
  for (const n of vis.nodes) {
    if (!isOpen(n)) {
      const id = bindingItemId(n);
      const lines = nodeLines(n, of);
      const hidden = vis.hiddenBehind.get(n.id);
      if (hidden !== undefined) lines.push(`+${hidden} hidden`);
      items.push({ id, kind: 'binding', node: n, lines, ...boxSize(lines) });
      outOf.set(n.id, id);
      itemsOf.set(n.id, [id]);
      continue;
    }
    const ops = n.ops!;
    const mine: string[] = [];
    ops.forEach((op, i) => {
      const last = i === ops.length - 1;
      const vid = `${n.key}/v${i}`;
      const lines = last ? [clip(`${n.name} = ${op.op}`), clip(op.value)] : [clip(op.kind === 'op' ? op.value : `${op.kind} ${op.value}`)];
      if (op.grad !== undefined) lines.push(clip(`grad ${op.grad}`));
      items.push({ id: vid, kind: 'value', node: n, opIndex: i, op, lines, ...boxSize(lines, false, last), ...(last ? { result: true } : {}) });
      mine.push(vid);
      if (op.kind === 'op') {
        const oid = `${n.key}/o${i}`;
        items.push({ id: oid, kind: 'op', node: n, opIndex: i, op, lines: [op.op], ...opSize(op.op) });
        links.push({ id: `${oid}>${vid}`, from: oid, to: vid });
        mine.push(oid);
      }
    });
    outOf.set(n.id, `${n.key}/v${ops.length - 1}`);
    itemsOf.set(n.id, mine);
  }
  const byId = new Map(vis.nodes.map((n) => [n.id, n]));
  // Inside expanded statements: value → op.
  for (const n of vis.nodes) {
    if (!isOpen(n)) continue;
    n.ops!.forEach((op, i) => {
      for (const inp of op.inputs) if ('op' in inp) links.push({ id: `${n.key}/v${inp.op}>${n.key}/o${i}`, from: `${n.key}/v${inp.op}`, to: `${n.key}/o${i}` });
    });
  }
  // Between statements: the binding edges, into the ops that read the input when expanded.
  for (const e of vis.edges) {
    const from = outOf.get(e.from);
    const to = byId.get(e.to);
    if (!from || !to) continue;
    if (!isOpen(to)) {
      links.push({ id: `${from}>${bindingItemId(to)}`, from, to: bindingItemId(to), edge: e });
      continue;
    }
    const readers = to.ops!.flatMap((op, i) => (op.inputs.some((x) => 'node' in x && x.node === e.from) ? [i] : []));
    if (!readers.length) readers.push(to.ops!.length - 1);
    for (const i of readers) {
      const target = to.ops![i].kind === 'op' ? `${to.key}/o${i}` : `${to.key}/v${i}`;
      links.push({ id: `${from}>${target}`, from, to: target, edge: e });
    }
  }
  return { items, links, outOf, itemsOf };
}

export function displayRequest(d: DisplayGraph, direction: Direction): LayoutRequest {
  return {
    items: d.items.map((i) => ({ id: i.id, width: i.width, height: i.height })),
    links: d.links.map((l) => ({ from: l.from, to: l.to })),
    direction,
  };
}

/** The items and links on a path from the variable's box to the output's box. */
export function displayPaths(d: DisplayGraph, ofId: number | undefined, wrtId: number | undefined): { items: ReadonlySet<string>; links: ReadonlySet<string> } {
  const of = ofId === undefined ? undefined : d.outOf.get(ofId);
  const wrt = wrtId === undefined ? undefined : d.outOf.get(wrtId);
  if (!of || !wrt) return { items: new Set(), links: new Set() };
  const fwd = new Map<string, string[]>();
  const back = new Map<string, string[]>();
  for (const l of d.links) {
    (fwd.get(l.from) ?? fwd.set(l.from, []).get(l.from)!).push(l.to);
    (back.get(l.to) ?? back.set(l.to, []).get(l.to)!).push(l.from);
  }
  const reach = (start: string, next: Map<string, string[]>): Set<string> => {
    const seen = new Set([start]);
    const stack = [start];
    while (stack.length) for (const m of next.get(stack.pop()!) ?? []) if (!seen.has(m)) seen.add(m), stack.push(m);
    return seen;
  };
  const down = reach(wrt, fwd);
  const up = reach(of, back);
  const items = new Set([...down].filter((x) => up.has(x)));
  return { items, links: new Set(d.links.filter((l) => items.has(l.from) && items.has(l.to)).map((l) => l.id)) };
}
