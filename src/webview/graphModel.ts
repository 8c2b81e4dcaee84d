/**
 * Pure graph logic for the panel (no DOM): which nodes are visible when some are collapsed, which
 * edges lie on the paths of a gradient, which nodes sit on an editor line.
 */
import type { PanelEdge, PanelGradient, PanelNode } from '../shared/protocol';

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
