/**
 * Issue #15, "the host receives previews": the worker posts the first elements, the shape and
 * statistics of a large tensor (valuePreview.ts), the detail documents fetch the full data, and
 * a time or memory limit keeps what was delivered with a diagnostic on the line it concerns
 * (cutOff.ts). The statistics are checked against the full data (hand derivations noted).
 */
import { describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/core/analysis';
import { analyze } from '../../../src/core/index';
import { LineIndex } from '../../../src/core/index';
import { withCutOff } from '../../../src/extension/cutOff';

import { formatTensorFull, valueMarkdown } from '../../../src/extension/render';
import { fullItem, PREVIEW_ELEMENTS, previewAnalysis, summarize, withFullData } from '../../../src/extension/valuePreview';

const bytes = (a: unknown) => JSON.stringify(a).length;

describe('previews instead of every value', () => {
  const text = 'x = ones(1000, 1000)\ny = x * 2\ns = sum(y)\ngrad s wrt x\nexpect y == x + x\n';
  const full = analyze(text, { valuesOnly: true });
  const preview = previewAnalysis(full);

  it('a large value becomes a bounded message: first elements, shape and statistics', () => {
    // 1,000,000 elements per value: the full analysis is megabytes, the preview a few kilobytes.
    expect(bytes(full)).toBeGreaterThan(8_000_000);
    expect(bytes(preview)).toBeLessThan(8_000);
    const y = preview.values.find((v) => v.name === 'y')!;
    expect(y.shape).toEqual([1000, 1000]);
    expect(y.data).toHaveLength(PREVIEW_ELEMENTS);
    expect(y.data.slice(0, 3)).toEqual([2, 2, 2]);
    // y = 2·ones: min = max = mean = 2 (by hand).
    expect(y.summary).toEqual({ count: 1_000_000, min: 2, max: 2, mean: 2, nonFinite: 0 });
    // ∂s/∂x = 2 everywhere (s = Σ 2x); the gradient attached to x is cut too.
    const x = preview.values.find((v) => v.name === 'x')!;
    expect(x.grads?.[0].summary).toEqual({ count: 1_000_000, min: 2, max: 2, mean: 2, nonFinite: 0 });
    expect(preview.gradients[0].data).toHaveLength(PREVIEW_ELEMENTS);
    expect(preview.expectations[0].left.summary?.count).toBe(1_000_000);
  });

  it('small values, the scalar and everything else pass unchanged', () => {
    expect(preview.values.find((v) => v.name === 's')).toEqual(full.values.find((v) => v.name === 's'));
    expect(preview.diagnostics).toEqual(full.diagnostics);
    const small = analyze('a = [1, 2, 3]\n', { valuesOnly: true });
    expect(previewAnalysis(small).values).toEqual(small.values);
  });

  it('the worker answers a data request with the full item', () => {
    const item = fullItem(full, { kind: 'value', index: 1 });
    expect(item?.kind === 'value' && item.value.data.length).toBe(1_000_000);
    expect(fullItem(full, { kind: 'gradient', index: 7 })).toBeUndefined();
  });

  it('statistics over finite elements, counting NaN and ±inf apart', () => {
    // Hand: finite {-1, 3, 4} → min −1, max 4, mean 2; two non-finite.
    expect(summarize([3, NaN, -1, Infinity, 4])).toEqual({ count: 5, min: -1, max: 4, mean: 2, nonFinite: 2 });
    expect(summarize([NaN])).toEqual({ count: 1, min: NaN, max: NaN, mean: NaN, nonFinite: 1 });
  });
});

describe('detail documents fetch the full data', () => {
  const full = analyze('v = arange(1000)\n', { valuesOnly: true });
  const preview = previewAnalysis(full);

  it('Show Details of a preview asks the worker once, and shows numpy-style summarised data', async () => {
    const asked: unknown[] = [];
    const a = await withFullData(preview, 'value', 0, async (ref) => (asked.push(ref), fullItem(full, ref)));
    expect(asked).toEqual([{ kind: 'value', index: 0 }]);
    // numpy: print(np.arange(1000.)) with edgeitems=3 → [0. 1. 2. ... 997. 998. 999.]
    expect(valueMarkdown(a.values[0], [], 4)).toContain('[0, 1, 2, …, 997, 998, 999]  (1,000 elements)');
    // A complete (small) value is not fetched.
    const small = analyze('w = [1, 2]\n', { valuesOnly: true });
    await withFullData(small, 'value', 0, async () => expect.unreachable());
  });

  it('when the worker no longer has it, the preview is shown with its statistics', async () => {
    const a = await withFullData(preview, 'value', 0, async () => undefined);
    // arange(1000): min 0, max 999, mean 499.5 (by hand).
    expect(formatTensorFull(a.values[0].shape, a.values[0].data, 4, 400, a.values[0].summary)).toBe(
      '[1000] [0, 1, 2, 3, 4, 5, …]  (1,000 elements; min 0, max 999, mean 499.5)',
    );
  });
});

describe('a time or memory limit keeps what was delivered (cutOff.ts)', () => {
  const text = 'a = 1\nb = a * 2\n\ngrad b wrt a\nc = b + 1\n';
  const lines = new LineIndex(text);
  const lineSpan = (line: number) => {
    const starts = text.split('\n').map((_, i, all) => all.slice(0, i).join('\n').length + (i ? 1 : 0));
    return line < starts.length ? { start: starts[line], end: starts[line] + text.split('\n')[line].length } : undefined;
  };
  const values = analyze(text, { valuesOnly: true });

  it('after the values stage: the values stay, the warning sits on the grad line (not 0:0)', () => {
    const a = withCutOff(values, { reason: { kind: 'timeout', ms: 10_000 }, stage: 'explanation', lineSpan });
    expect(a.values).toEqual(values.values);
    const d = a.diagnostics.find((d) => d.code === 'gradlens.timeout')!;
    expect(lines.position(d.span.start).line).toBe(3);
    expect(d.severity).toBe('warning');
    expect(d.message).toContain('stopped after 10.0 s');
    expect(d.message).toContain('derivations, hovers and the statement graph');
  });

  it('during a training: on the train line; out of memory says so', () => {
    const empty: Analysis = { ...values, values: [], gradients: [], diagnostics: [] };
    const a = withCutOff(empty, { reason: { kind: 'out-of-memory', ms: 2500, limitMb: 768 }, stage: 'evaluation', trainingLine: 4, trainingTargets: 'mlp', lineSpan });
    const d = a.diagnostics[0];
    expect(d.code).toBe('gradlens.out-of-memory');
    expect(d.span).toEqual(lineSpan(4));
    expect(d.message).toContain('768 MB');
    expect(d.message).toContain('during this training of mlp');
  });
});

describe('a cut-off before the values stage names the line being evaluated', () => {
  it('puts the warning on that line, not on the first', () => {
    const text = 'a = 1\nb = a @ a\nc = 2\n';
    const lineSpan = (line: number) => {
      const ls = text.split('\n');
      const start = ls.slice(0, line).join('\n').length + (line ? 1 : 0);
      return line < ls.length ? { start, end: start + ls[line].length } : undefined;
    };
    const empty = analyze('', { valuesOnly: true });
    const d = withCutOff(empty, { reason: { kind: 'timeout', ms: 500 }, stage: 'evaluation', line: 1, lineSpan }).diagnostics[0];
    expect(d.span).toEqual({ start: 6, end: 15 });
    expect(d.message).toContain('while evaluating this line');
  });

  it('the core tells each top-level statement\'s line before running it (AnalyzeOptions.onStatement)', () => {
    const seen: number[] = [];
    analyze('x = 1\n\n# note\ny = x + 1\nnetwork n\n  Linear(2, 1)\nz = y\n', { valuesOnly: true, onStatement: (l) => seen.push(l) });
    expect(seen).toEqual([0, 3, 4, 6]);
  });
});

describe('the stages the worker posts (AnalyzeOptions.onStage) and what a cut-off says of them', () => {
  it('values first (no derivations, no hovers), then derivations, then hovers; the last is the result', () => {
    const stages: Analysis[] = [];
    const a = analyze('x = 2\ny = x * x\ngrad y wrt x\nz = q\n', { onStage: (_s, v) => stages.push(previewAnalysis(v)) });
    expect(stages.map((s) => s.stage)).toEqual(['values', 'derivations', 'hovers']);
    expect(stages[0].values.map((v) => v.name)).toEqual(['x', 'y']);
    expect(stages[0].gradients[0].data).toEqual([4]); // ∂(x²)/∂x at 2 = 4
    expect(stages[0].gradients[0].derivation).toBeUndefined();
    expect(stages[0].symbols).toEqual([]);
    expect(stages[0].diagnostics.map((d) => d.code)).toEqual(a.diagnostics.map((d) => d.code));
    expect(a.stage).toBeUndefined();
  });

  it('names the stages that were cut off after the one delivered, and drops `stage` from the result', () => {
    const text = 'x = 2\ny = x * x\ngrad y wrt x\n';
    const lineSpan = (line: number) => ({ start: line, end: line });
    const stages: Analysis[] = [];
    analyze(text, { onStage: (_s, v) => stages.push(v) });
    const cut = (i: number) => withCutOff(stages[i], { reason: { kind: 'timeout', ms: 1000 }, stage: 'explanation', lineSpan });
    expect(cut(0).diagnostics.at(-1)!.message).toContain('while writing derivations, hovers and the statement graph: those are cut off');
    expect(cut(1).diagnostics.at(-1)!.message).toContain('while writing hovers and the statement graph');
    expect(cut(2).diagnostics.at(-1)!.message).toContain('while writing the statement graph: it is cut off');
    expect(cut(2).stage).toBeUndefined();
    expect(cut(1).gradients[0].derivation).toBeTruthy();
  });
});
