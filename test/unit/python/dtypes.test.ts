/**
 * Integer dtypes, `requires_grad=True` on constructors and `a[i] op= v`, as student code meets
 * them: each program of test/fixtures/torch/python/dtypes.json (made by gen_dtypes.py there with
 * CPython, numpy 1.24 and PyTorch 1.13) prints exactly what Python printed.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../src/core/index';

const fx = JSON.parse(readFileSync(join(__dirname, '../../fixtures/torch/python/dtypes.json'), 'utf8')) as {
  programs: Record<string, { source: string; stdout: string }>;
};

describe('dtypes and augmented item assignment against CPython / numpy / PyTorch', () => {
  it.each(Object.keys(fx.programs))('%s prints what Python printed', (name) => {
    const p = fx.programs[name];
    const a = analyze(p.source, { languageId: 'python' });
    expect(a.diagnostics).toEqual([]);
    expect((a.prints ?? []).map((x) => x.text + '\n').join('')).toBe(p.stdout);
  });

  it('an integer tensor cannot require gradients, as in PyTorch', () => {
    const a = analyze('import torch\nr = torch.arange(3, requires_grad=True)\n', { languageId: 'python' });
    expect(a.diagnostics.map((d) => d.message)).toContainEqual(expect.stringContaining('Only Tensors of floating point dtype can require gradients'));
  });
});
