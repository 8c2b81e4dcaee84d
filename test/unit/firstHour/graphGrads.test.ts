/**
 * Issue #17 point 4: ∂OUT/∂node on every node on a path to the output (micrograd's draw_dot), in
 * the graph and in the hover; point 5: the hover shows ∂z/∂w0 once and its derivation's table as
 * aligned text. Reference: the homework's T1 (examples/hw4-t1-residual.nn), derived by hand:
 * x1 = ReLU(0.4), y1 = -0.38, z = ReLU(0.62); ∂z/∂y1 = 1, ∂z/∂x1 = w1 = -0.2,
 * ∂z/∂x0 = 1 + ∂z/∂x1 · ReLU'(0.4) · w0 = 1 − 0.06 = 0.94, ∂z/∂w0 = −0.2 · x0 = −0.2.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { tablesAsText } from '../../../src/core/explain/symbols';

const text = readFileSync('examples/hw4-t1-residual.nn', 'utf8');
const a = analyze(text);
const node = (name: string) => a.graph.nodes.find((n) => n.name === name)!;
const hover = (name: string) => a.symbols.find((s) => s.kind === 'binding' && s.name === name)!.detail;

describe('gradients on intermediate nodes', () => {
  it('every node on a path to z carries ∂z/∂node', () => {
    const g = (n: string) => node(n).grads?.find((x) => x.of === 'z')?.data[0];
    expect(g('z')).toBe(1);
    expect(g('y1')).toBe(1);
    expect(g('x1')).toBeCloseTo(-0.2, 15);
    expect(g('x0')).toBeCloseTo(0.94, 15);
    expect(g('w0')).toBeCloseTo(-0.2, 15);
    expect(g('b1')).toBe(1);
  });
  it('a node off every path to an output has none; two outputs are kept apart', () => {
    const b = analyze('a = 2.0\nb = 3.0\nc = a * b\nd = a + 1\ngrad c wrt a\ngrad d wrt a\n');
    const grads = (n: string) => b.graph.nodes.find((x) => x.name === n)!.grads;
    // ∂c/∂a = b = 3, ∂d/∂a = 1 (by hand); c is not on a path to d, nor d to c.
    expect(grads('a')).toEqual([{ of: 'c', data: [3] }, { of: 'd', data: [1] }]);
    expect(grads('b')).toEqual([{ of: 'c', data: [2] }]);
    expect(grads('c')).toEqual([{ of: 'c', data: [1] }]);
    expect(grads('d')).toEqual([{ of: 'd', data: [1] }]);
  });
  it('the hover of x1 and y1 shows ∂z/∂x1 and ∂z/∂y1', () => {
    expect(hover('x1')).toContain('x1 = 0.4\n∂z/∂x1 = −0.2\n```');
    expect(hover('y1')).toContain('y1 = −0.38\n∂z/∂y1 = 1\n```');
  });
});

describe('the hover of w0', () => {
  it('shows ∂z/∂w0 once (the derivation’s own heading) and its table as aligned columns', () => {
    const h = hover('w0');
    expect(h.match(/∂z\/∂w0 = −0\.2\b/g)?.length).toBe(1);
    expect(h).toContain('**∂z/∂w0 = −0.2**');
    expect(h).not.toMatch(/^\|/m);
    expect(h).toMatch(/^factor +local derivative +value$/m);
  });
  it('tablesAsText pads columns two spaces apart', () => {
    expect(tablesAsText('x\n| a | bb |\n| --- | --- |\n| ccc | d |\ny')).toBe('x\n```\na    bb\n───  ──\nccc  d\n```\ny');
  });
});

describe('the panel', () => {
  it('formats every node’s ∂OUT/∂node and a box shows the selected output’s (or the first’s)', async () => {
    const { buildPanelState } = await import('../../../src/extension/panelModel');
    const { nodeLines } = await import('../../../src/webview/layout');
    const s = buildPanelState(a, { file: 't1.nn', uri: 'file:///t1.nn', version: 1, lineOf: () => 0 }, 4);
    const x1 = s.graph.nodes.find((n) => n.name === 'x1')!;
    expect(x1.grads).toEqual([{ of: 'z', value: '-0.2' }]);
    expect(nodeLines(x1)).toEqual(['x1 = ReLU', '0.4', 'grad -0.2']);
    const two = analyze('a = 2.0\nb = 3.0\nc = a * b\nd = a + 1\ngrad c wrt a\ngrad d wrt a\n');
    const s2 = buildPanelState(two, { file: 't.nn', uri: 'file:///t.nn', version: 1, lineOf: () => 0 }, 4);
    const an = s2.graph.nodes.find((n) => n.name === 'a')!;
    expect(nodeLines(an, 'c')).toEqual(['a', '2', 'grad 3']);
    expect(nodeLines(an, 'd')).toEqual(['a', '2', 'grad 1']);
    // b is on no path to d: with d selected its box shows no gradient.
    const bn = s2.graph.nodes.find((n) => n.name === 'b')!;
    expect(nodeLines(bn, 'd')).toEqual(['b', '3']);
    expect(nodeLines(bn, 'c')).toEqual(['b', '3', 'grad 2']);
  });
});
