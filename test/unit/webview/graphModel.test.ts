import { describe, expect, it } from 'vitest';
import type { PanelEdge, PanelNode, PanelOp } from '../../../src/shared/protocol';
import { bindingAt, displayGraph, displayPaths, displayRequest, edgeId, focusGraph, gradientPaths, nodesOnLine, visibleGraph } from '../../../src/webview/graphModel';

const node = (id: number, name: string, line: number, kind: PanelNode['kind'] = 'op', k = 0): PanelNode => ({ id, key: `${name}#${k}`, name, op: '+', line, shape: [], value: '0', kind });

// hw4-t1: x0, w0, w1, b0, b1 → x1 = ReLU(x0*w0+b0), y1 = x1*w1+b1, z = ReLU(y1 + x0) (x0 forks).
const nodes: PanelNode[] = [
  node(0, 'x0', 7, 'leaf'),
  node(1, 'w0', 8, 'param'),
  node(2, 'w1', 9, 'param'),
  node(3, 'b0', 10, 'param'),
  node(4, 'b1', 11, 'param'),
  node(5, 'x1', 13),
  node(6, 'y1', 14),
  node(7, 'z', 15),
];
const edges: PanelEdge[] = [
  { from: 0, to: 5 },
  { from: 1, to: 5 },
  { from: 3, to: 5 },
  { from: 5, to: 6 },
  { from: 2, to: 6 },
  { from: 4, to: 6 },
  { from: 6, to: 7 },
  { from: 0, to: 7 },
];

describe('gradientPaths', () => {
  it('marks every edge on a path from the variable to the output (both paths of a fork)', () => {
    const p = gradientPaths(nodes, edges, { of: 'z', wrt: 'x0', line: 17 });
    expect(p.of).toBe(7);
    expect(p.wrt).toBe(0);
    expect([...p.edges].sort()).toEqual(['0-5', '0-7', '5-6', '6-7'].sort());
    expect([...p.nodes].sort()).toEqual([0, 5, 6, 7]);
  });

  it('a parameter used once has one path', () => {
    const p = gradientPaths(nodes, edges, { of: 'z', wrt: 'w1', line: 17 });
    expect([...p.edges].sort()).toEqual(['2-6', '6-7']);
  });

  it('no path when a name is unknown', () => {
    expect(gradientPaths(nodes, edges, { of: 'z', wrt: 'nope', line: 17 }).edges.size).toBe(0);
  });

  it('takes the latest binding of a name before the grad line', () => {
    const rebound = [...nodes, node(8, 'z', 20, 'op', 1)];
    expect(bindingAt(rebound, 'z', 17)?.id).toBe(7);
    expect(bindingAt(rebound, 'z', 25)?.id).toBe(8);
  });
});

describe('visibleGraph (collapse)', () => {
  it('shows everything when nothing is collapsed', () => {
    const v = visibleGraph(nodes, edges, new Set());
    expect(v.nodes).toHaveLength(8);
    expect(v.edges).toHaveLength(8);
  });

  it('collapsing x1 hides w0 and b0 (they feed only x1) but not x0 (it also feeds z)', () => {
    const v = visibleGraph(nodes, edges, new Set(['x1#0']));
    expect(v.nodes.map((n) => n.name)).toEqual(['x0', 'w1', 'b1', 'x1', 'y1', 'z']);
    expect(v.hiddenBehind.get(5)).toBe(2);
    expect(v.edges.map(edgeId)).not.toContain('1-5');
  });

  it('collapsing the output hides everything upstream', () => {
    const v = visibleGraph(nodes, edges, new Set(['z#0']));
    expect(v.nodes.map((n) => n.name)).toEqual(['z']);
    expect(v.hiddenBehind.get(7)).toBe(7);
    expect(v.edges).toHaveLength(0);
  });
});

it('nodesOnLine finds the statement under the cursor', () => {
  expect(nodesOnLine(nodes, 14)).toEqual([6]);
  expect(nodesOnLine(nodes, 0)).toEqual([]);
});

describe('displayGraph (a statement expanded into its operations)', () => {
  // x1 = ReLU(x0 * w0 + b0): mul, add, ReLU.
  const ops: PanelOp[] = [
    { op: '·', kind: 'op', value: '0.3', grad: '-0.2', inputs: [{ node: 0 }, { node: 1 }] },
    { op: '+', kind: 'op', value: '0.4', grad: '-0.2', inputs: [{ op: 0 }, { node: 3 }] },
    { op: 'ReLU', kind: 'op', value: '0.4', grad: '-0.2', inputs: [{ op: 1 }] },
  ];
  const withOps = nodes.map((n) => (n.name === 'x1' ? { ...n, ops } : n));
  const vis = visibleGraph(withOps, edges, new Set());

  it('folded: one box per binding, one link per edge', () => {
    const d = displayGraph(vis, new Set());
    expect(d.items).toHaveLength(8);
    expect(d.items.every((i) => i.kind === 'binding')).toBe(true);
    expect(d.links).toHaveLength(8);
    expect(d.outOf.get(5)).toBe('b:x1#0');
  });

  it('expanded: op circles and value boxes, inputs from the binding boxes, the result feeds the consumers', () => {
    const d = displayGraph(vis, new Set(['x1#0']));
    expect(d.items.filter((i) => i.kind === 'op').map((i) => i.lines[0])).toEqual(['·', '+', 'ReLU']);
    expect(d.items.filter((i) => i.kind === 'value')).toHaveLength(3);
    expect(d.items.find((i) => i.result)?.lines).toEqual(['x1 = ReLU', '0.4', 'grad -0.2']);
    expect(d.items.some((i) => i.id === 'b:x1#0')).toBe(false);
    const ids = d.links.map((l) => `${l.from}>${l.to}`);
    expect(ids).toContain('b:x0#0>x1#0/o0');
    expect(ids).toContain('b:w0#0>x1#0/o0');
    expect(ids).toContain('b:b0#0>x1#0/o1');
    expect(ids).toContain('x1#0/v0>x1#0/o1');
    expect(ids).toContain('x1#0/o2>x1#0/v2');
    expect(ids).toContain('x1#0/v2>b:y1#0');
    expect(d.outOf.get(5)).toBe('x1#0/v2');
    // The request has every item and link.
    const r = displayRequest(d, 'LR');
    expect(r.items).toHaveLength(d.items.length);
    expect(r.links).toHaveLength(d.links.length);
  });

  it('gradient paths go through the operations: ∂z/∂b0 skips the mul', () => {
    const d = displayGraph(vis, new Set(['x1#0']));
    const p = displayPaths(d, 7, 3);
    expect(p.items.has('x1#0/o1')).toBe(true);
    expect(p.items.has('x1#0/o0')).toBe(false);
    expect(p.links.has('b:b0#0>x1#0/o1')).toBe(true);
    expect(p.links.has('x1#0/v2>b:y1#0')).toBe(true);
  });

  it('a node without ops stays folded even when asked', () => {
    expect(displayGraph(vis, new Set(['y1#0'])).items.some((i) => i.id === 'b:y1#0')).toBe(true);
  });
});

describe('focusGraph (large graphs)', () => {
  const chain = Array.from({ length: 300 }, (_, i) => node(i, `v${i}`, i));
  const links: PanelEdge[] = chain.slice(1).map((n) => ({ from: n.id - 1, to: n.id }));
  const all = visibleGraph(chain, links, new Set());

  it('below the limit: everything', () => {
    expect(focusGraph(visibleGraph(chain.slice(0, 50), links.slice(0, 49), new Set()), undefined).focused).toBe(false);
  });

  it('no gradient selected: the last statements and their neighbours', () => {
    const f = focusGraph(all, undefined, 100);
    expect(f.focused).toBe(true);
    expect(f.nodes).toHaveLength(101);
    expect(f.nodes[0].id).toBe(199);
    expect(f.edges).toHaveLength(100);
  });

  it('a gradient selected: its paths and their neighbours', () => {
    const f = focusGraph(all, new Set([10, 11, 12]), 100);
    expect(f.nodes.map((n) => n.id)).toEqual([9, 10, 11, 12, 13]);
  });
});
