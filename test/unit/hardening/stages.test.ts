/**
 * Issue #15, "Results survive": values and diagnostics first, then derivations, hovers and the
 * graph; a time limit or a too-deep expression costs only the later stages, with a diagnostic on
 * the statement it concerns (never 0:0, never the file's values).
 */
import { describe, expect, it } from 'vitest';
import { analyze, ANALYSIS_STAGES, type Analysis, type AnalysisStage } from '../../../src/core/index';
import { longDocument } from '../../../bench/analysisBench';

const longDoc = longDocument;

const noZeroRange = (a: Analysis): void => {
  for (const d of a.diagnostics) expect(d.span.end > 0 || d.span.start > 0, `${d.code} at 0:0`).toBe(true);
};

describe('stages', () => {
  it('are delivered in order: values, derivations, hovers; then the complete analysis', () => {
    const seen: [AnalysisStage, Analysis][] = [];
    const text = 'x = 2\ny = x * x\ngrad y wrt x\nz = q\n';
    const full = analyze(text, { onStage: (s, a) => seen.push([s, a]) });
    expect(ANALYSIS_STAGES).toEqual(['values', 'derivations', 'hovers', 'graph']);
    expect(seen.map((s) => s[0])).toEqual(['values', 'derivations', 'hovers']);
    const [, v] = seen[0];
    expect(v.stage).toBe('values');
    // Values and every diagnostic of evaluation are there first; no derivation, hover or graph yet.
    expect(v.values.map((x) => [x.name, x.data])).toEqual([
      ['x', [2]],
      ['y', [4]],
    ]);
    expect(v.gradients[0].data).toEqual([4]);
    expect(v.gradients[0].derivation).toBeUndefined();
    expect(v.diagnostics.map((d) => d.code)).toEqual(['name.undefined']);
    expect(v.symbols).toEqual([]);
    expect(v.graph.nodes).toEqual([]);
    expect(seen[1][1].gradients[0].derivation).toContain('∂y/∂x');
    expect(seen[2][1].symbols.length).toBeGreaterThan(0);
    expect(full.stage).toBeUndefined();
    expect(full.graph.nodes.length).toBe(2);
    expect(() => JSON.stringify(seen.map((s) => s[1]))).not.toThrow();
  });

  it('stages: [values, hovers] skips derivations and the graph', () => {
    const a = analyze('x = 2\ny = x * x\ngrad y wrt x\n', { stages: ['values', 'hovers'] });
    expect(a.gradients[0].derivation).toBeUndefined();
    expect(a.symbols.length).toBeGreaterThan(0);
    expect(a.graph.nodes).toEqual([]);
  });

  it('a time limit costs the later stages only, said on the line where they stopped', () => {
    const text = 'x = 2\ny = x * x\ngrad y wrt x\n';
    const a = analyze(text, { deadline: Date.now() - 1 });
    expect(a.values.map((v) => v.name)).toEqual(['x', 'y']);
    expect(a.gradients[0].data).toEqual([4]);
    expect(a.gradients[0].derivation).toBeUndefined();
    expect(a.symbols).toEqual([]);
    const d = a.diagnostics.find((x) => x.code === 'analysis.time-limit')!;
    expect(text.slice(d.span.start, d.span.end)).toBe('grad y wrt x');
    expect(d.message).toBe(
      'The analysis reached its time limit here: derivations, hovers and the statement graph from this line on are left out (values, diagnostics and gradients are complete).',
    );
  });

  it('a 10,000-line document with grad lines keeps its values and diagnostics (under a time limit too)', () => {
    const text = longDoc(10_000);
    const full = analyze(text, { budget: 5e7 });
    expect(full.values.length).toBe(9998);
    expect(full.gradients).toHaveLength(2);
    expect(full.gradients.every((g) => g.derivation)).toBe(true);
    noZeroRange(full);
    const cut = analyze(text, { budget: 5e7, deadline: Date.now() - 1 });
    expect(cut.values.length).toBe(9998);
    expect(cut.gradients.map((g) => g.data)).toEqual(full.gradients.map((g) => g.data));
    const d = cut.diagnostics.filter((x) => x.code === 'analysis.time-limit');
    expect(d).toHaveLength(1);
    expect(text.slice(d[0].span.start, d[0].span.end)).toBe('grad L wrt x0');
    noZeroRange(cut);
  });

  it('the long derivation is bounded: 150 + 50 bindings listed, the rest counted', () => {
    const a = analyze(longDoc(2000), { budget: 5e7 });
    const md = a.gradients[1].derivation!;
    expect(md).toMatch(/- … [\d,]+ bindings left out …/);
    expect(md.length).toBeLessThan(200_000);
  });

  it('an expression too deep to write out loses its own hover/graph edges, on its own line (not 0:0)', () => {
    const n = 5000;
    const text = `x = 1\nw = x${' + x'.repeat(n)}\nv = x * 2\n`;
    const a = analyze(text);
    expect(a.values.map((v) => [v.name, v.data])).toEqual([
      ['x', [1]],
      ['w', [n + 1]],
      ['v', [2]],
    ]);
    noZeroRange(a);
    for (const d of a.diagnostics.filter((x) => x.code === 'explain.too-deep')) {
      expect(a.values.find((v) => v.name === 'w')!.span).toEqual(d.span);
    }
    // v's hover and its graph edge are still there.
    expect(a.symbols.some((s) => s.kind === 'binding' && s.name === 'v')).toBe(true);
    expect(a.graph.nodes.map((g) => g.name)).toEqual(['x', 'w', 'v']);
  });
});
