import { describe, expect, it } from 'vitest';
import type { PanelEdge, PanelNode } from '../../../src/shared/protocol';
import { bindingAt, edgeId, gradientPaths, nodesOnLine, visibleGraph } from '../../../src/webview/graphModel';

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
