import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { LineIndex } from '../../../src/core/span';
import { buildPanelState } from '../../../src/extension/panelModel';
import { trainingLens } from '../../../src/extension/render';

const root = join(__dirname, '..', '..', '..');
const text = readFileSync(join(root, 'examples', 'hw4-t1-residual.nn'), 'utf8');

function state(src: string, languageId = 'nn') {
  const lines = new LineIndex(src);
  return buildPanelState(analyze(src, { languageId }), { file: 'f.nn', uri: 'file:///f.nn', version: 1, lineOf: (o) => lines.lineOf(o) }, 4);
}

describe('buildPanelState', () => {
  const s = state(text);

  it('a node per binding with formatted value and gradient, keyed by name', () => {
    const by = Object.fromEntries(s.graph.nodes.map((n) => [n.name, n]));
    expect(by.x1).toMatchObject({ key: 'x1#0', value: '0.4', kind: 'op', op: 'ReLU' });
    expect(by.w0).toMatchObject({ kind: 'param', value: '0.3', grad: '-0.2' });
    expect(by.x0.kind).toBe('leaf');
    expect(by.z.value).toBe('0.62');
  });

  it('a statement node carries its operations, formatted, with inputs to other bindings', () => {
    const id = (name: string) => s.graph.nodes.find((n) => n.name === name)!.id;
    const x1 = s.graph.nodes.find((n) => n.name === 'x1')!;
    expect(x1.ops?.map((o) => [o.op, o.value, o.grad])).toEqual([
      ['·', '0.3', '-0.2'],
      ['+', '0.4', '-0.2'],
      ['ReLU', '0.4', '-0.2'],
    ]);
    expect(x1.ops?.[0].inputs).toEqual([{ node: id('x0') }, { node: id('w0') }]);
    expect(s.graph.nodes.find((n) => n.name === 'w0')!.ops).toBeUndefined();
  });

  it('edges carry the local derivative and its value; x0 forks', () => {
    const id = (name: string) => s.graph.nodes.find((n) => n.name === name)!.id;
    const fromX0 = s.graph.edges.filter((e) => e.from === id('x0'));
    expect(fromX0.map((e) => e.to).sort()).toEqual([id('x1'), id('z')].sort());
    const zy = s.graph.edges.find((e) => e.from === id('y1') && e.to === id('z'))!;
    expect(zy.local).toBe("ReLU'(y1 + x0)");
    expect(zy.localValue).toBe('1');
  });

  it('gradients carry the LaTeX derivation for KaTeX and the Markdown one', () => {
    const g = s.gradients.find((g) => g.wrt === 'w0')!;
    expect(g.value).toBe('-0.2');
    expect(g.tex).toMatch(/\\frac\{\\partial z\}\{\\partial w_\{?0\}?\} &=/);
    expect(g.markdown).toContain('∂z/∂w0');
  });

  it('checks and expectations, in line order, all passing', () => {
    expect(s.checks).toHaveLength(8);
    expect(s.checks.every((c) => c.passed)).toBe(true);
    expect(s.checks[0].label).toBe('check ∂z/∂w0');
    expect(s.checks.map((c) => c.line)).toEqual([...s.checks.map((c) => c.line)].sort((a, b) => a - b));
  });

  it('problems get their line; failed expectations show both sides', () => {
    const bad = state('a = 2\nb = a * q\nexpect a == 3\n');
    expect(bad.problems).toEqual([expect.objectContaining({ line: 1, severity: 'error', code: 'name.undefined' })]);
    const e = bad.checks.find((c) => c.kind === 'expect')!;
    expect(e.passed).toBe(false);
    expect(e.detail).toContain('2 ≠ 3');
  });

  it('networks: one row per layer, totals and memory', () => {
    const mlp = state(readFileSync(join(root, 'examples', 'hw4-t2-t3-mlp.nn'), 'utf8'));
    const n = mlp.networks[0];
    expect(n.totals.params).toBe('557,057');
    expect(n.rows[0]).toMatchObject({ label: 'A', type: 'Linear', output: '[32, 1024]', params: '31,744', formula: '(30 + 1) × 1024' });
    expect(n.totals.memory32).toMatch(/^parameters /);
  });

  it('trainings: losses per epoch, and the CodeLens text', () => {
    const src = 'param w = 0.0\ntrain w loss (w - 2)^2 optimizer SGD(lr=0.1) epochs 5\n';
    const t = state(src).trainings[0];
    expect(t.line).toBe(1);
    expect(t.losses).toHaveLength(5);
    expect(t.losses[4]).toBeLessThan(t.losses[0]);
    const info = analyze(src).trainings![0];
    expect(trainingLens(info, 4)).toMatch(/^trained 5 epochs \(5 steps\) · loss 0\.\d+ · \d+ ms$/);
  });
});
