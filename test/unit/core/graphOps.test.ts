import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GRAPH_OPS_PER_STATEMENT, GRAPH_OPS_TOTAL, type GraphNode } from '../../../src/core/analysis';
import { analyze } from '../../../src/core/index';

const T1 = readFileSync(new URL('../../../examples/hw4-t1-residual.nn', import.meta.url), 'utf8');
const byName = (nodes: GraphNode[], name: string): GraphNode => nodes.find((n) => n.name === name)!;

describe('graph nodes carry the operations inside their statement', () => {
  const g = analyze(T1).graph;

  it('x1 = ReLU(x0 * w0 + b0): mul, add, ReLU, inputs referring to the binding nodes', () => {
    const x1 = byName(g.nodes, 'x1');
    const ops = x1.ops!;
    expect(ops.map((o) => o.name)).toEqual(['mul', 'add', 'relu']);
    expect(ops.every((o) => o.kind === 'op')).toBe(true);
    const id = (name: string) => byName(g.nodes, name).id;
    expect(ops[0].inputs).toEqual([{ node: id('x0') }, { node: id('w0') }]);
    expect(ops[1].inputs).toEqual([{ op: 0 }, { node: id('b0') }]);
    expect(ops[2].inputs).toEqual([{ op: 1 }]);
    // Values (x0·w0 = 0.3, + b0 = 0.4, ReLU = 0.4) and ∂z/∂· from the grad line.
    expect(ops[0].value![0]).toBeCloseTo(0.3);
    expect(ops[2].value![0]).toBeCloseTo(0.4);
    expect(ops[2].shape).toEqual([]);
    expect(ops[2].grad![0]).toBeCloseTo(-0.2);
    expect(ops[0].grad![0]).toBeCloseTo(-0.2);
  });

  it('leaves and params have no ops; literals inside a statement are const entries', () => {
    expect(byName(g.nodes, 'x0').ops).toBeUndefined();
    expect(byName(g.nodes, 'w0').ops).toBeUndefined();
    const a = analyze('param w = 0.5\ny = 2 * w + 1\ngrad y wrt w\n').graph;
    const ops = byName(a.nodes, 'y').ops!;
    expect(ops.map((o) => o.kind)).toEqual(['const', 'op', 'const', 'op']);
    expect(ops[0].value).toEqual([2]);
    expect(ops[1].inputs).toEqual([{ op: 0 }, { node: byName(a.nodes, 'w').id }]);
    expect(ops[3].inputs).toEqual([{ op: 1 }, { op: 2 }]);
    expect(ops[0].grad).toBeUndefined();
    expect(ops[3].grad).toEqual([1]);
  });

  it('tensors beyond 16 elements keep their shape but not their values', () => {
    const a = analyze('x = randn(5, 5)\ny = ReLU(x * 2)\n').graph;
    const ops = byName(a.nodes, 'y').ops!;
    expect(ops[ops.length - 1].shape).toEqual([5, 5]);
    expect(ops[ops.length - 1].value).toBeUndefined();
  });

  it('bounded: no ops for a statement of more than the limit, and a total limit', () => {
    const long = `x = 1.0\ny = ${Array.from({ length: GRAPH_OPS_PER_STATEMENT + 5 }, () => 'x').join(' + ')}\n`;
    expect(byName(analyze(long).graph.nodes, 'y').ops).toBeUndefined();
    const many = ['x = 1.0', ...Array.from({ length: GRAPH_OPS_TOTAL / 3 + 50 }, (_, i) => `v${i} = x * 2 + 1`)].join('\n');
    const nodes = analyze(many).graph.nodes;
    const total = nodes.reduce((s, n) => s + (n.ops?.length ?? 0), 0);
    expect(total).toBeLessThanOrEqual(GRAPH_OPS_TOTAL);
    expect(nodes.filter((n) => n.ops).length).toBeGreaterThan(100);
  });
});
