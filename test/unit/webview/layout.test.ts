import { describe, expect, it } from 'vitest';
import type { PanelEdge, PanelNode } from '../../../src/shared/protocol';
import { clip, edgeMidpoint, edgePath, fitView, layoutGraph, layoutSignature, nodeLines, nodeSize, zoomAt } from '../../../src/webview/layout';

const n = (id: number, name: string, value = '0.4', grad?: string): PanelNode => ({ id, key: `${name}#0`, name, op: 'ReLU', line: id, shape: [], value, grad, kind: id === 0 ? 'leaf' : 'op' });

describe('node boxes', () => {
  it('show name and op, the value and the gradient', () => {
    expect(nodeLines(n(1, 'x1', '0.4', '-0.2'))).toEqual(['x1 = ReLU', '0.4', 'grad -0.2']);
    expect(nodeLines({ name: 'w0', op: 'param', value: '0.3', kind: 'param' })).toEqual(['param w0', '0.3']);
  });

  it('clip long values with an ellipsis', () => {
    expect(clip('x'.repeat(40), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(clip('short')).toBe('short');
  });

  it('sizes are stable when a digit changes (16 px steps)', () => {
    expect(nodeSize(n(1, 'x1', '0.4123'))).toEqual(nodeSize(n(1, 'x1', '0.4124')));
    expect(nodeSize(n(1, 'x1', '0.4', '1')).height).toBeGreaterThan(nodeSize(n(1, 'x1', '0.4')).height);
  });
});

describe('layoutGraph (dagre)', () => {
  const nodes = [n(0, 'x0'), n(1, 'x1'), n(2, 'y1'), n(3, 'z')];
  const edges: PanelEdge[] = [
    { from: 0, to: 1 },
    { from: 1, to: 2 },
    { from: 2, to: 3 },
    { from: 0, to: 3 },
  ];

  it('places inputs left of their consumers (LR) and routes every edge', () => {
    const l = layoutGraph(nodes, edges, 'LR');
    const x = (id: number) => l.nodes.get(String(id))!.x;
    expect(x(0)).toBeLessThan(x(1));
    expect(x(1)).toBeLessThan(x(2));
    expect(x(2)).toBeLessThan(x(3));
    expect(l.edges).toHaveLength(4);
    for (const e of l.edges) expect(e.points.length).toBeGreaterThanOrEqual(2);
    expect(l.width).toBeGreaterThan(0);
  });

  it('top to bottom puts inputs above', () => {
    const l = layoutGraph(nodes, edges, 'TB');
    expect(l.nodes.get('0')!.y).toBeLessThan(l.nodes.get('3')!.y);
  });

  it('boxes do not overlap', () => {
    const l = layoutGraph(nodes, edges, 'LR');
    const b = [...l.nodes.values()];
    for (let i = 0; i < b.length; i++)
      for (let j = i + 1; j < b.length; j++) {
        const overlapX = Math.abs(b[i].x - b[j].x) < (b[i].width + b[j].width) / 2;
        const overlapY = Math.abs(b[i].y - b[j].y) < (b[i].height + b[j].height) / 2;
        expect(overlapX && overlapY).toBe(false);
      }
  });

  it('the signature ignores a changed digit but not a new edge or direction', () => {
    const a = layoutSignature(nodes, edges, 'LR');
    expect(layoutSignature([n(0, 'x0', '0.5'), ...nodes.slice(1)], edges, 'LR')).toBe(a);
    expect(layoutSignature(nodes, edges.slice(1), 'LR')).not.toBe(a);
    expect(layoutSignature(nodes, edges, 'TB')).not.toBe(a);
  });
});

describe('paths and view', () => {
  it('edgePath and its midpoint', () => {
    expect(edgePath([{ x: 0, y: 0 }, { x: 10, y: 5 }])).toBe('M0.0,0.0 L10.0,5.0');
    expect(edgeMidpoint([{ x: 0, y: 0 }, { x: 10, y: 4 }])).toEqual({ x: 5, y: 2 });
    expect(edgeMidpoint([{ x: 0, y: 0 }, { x: 4, y: 4 }, { x: 10, y: 0 }])).toEqual({ x: 4, y: 4 });
  });

  it('fitView centres the drawing and never enlarges past 1.5×', () => {
    expect(fitView(100, 50, 1000, 1000).scale).toBe(1.5);
    const v = fitView(1000, 500, 500, 500);
    expect(v.scale).toBe(0.5);
    expect(v.y).toBe(125);
  });

  it('zoomAt keeps the point under the mouse still', () => {
    const v = zoomAt({ scale: 1, x: 10, y: 20 }, 2, 110, 120);
    expect(v.scale).toBe(2);
    // The drawing point under (110, 120) was (100, 100); it still is.
    expect((110 - v.x) / v.scale).toBeCloseTo(100);
    expect((120 - v.y) / v.scale).toBeCloseTo(100);
  });
});
