import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyzeFull } from '../../../src/core/index';
import { derivationMarkdown } from '../../../src/core/explain/derive';

describe('tensor derivations', () => {
  it('softmax followed by cross-entropy states the P − y identity with the user’s numbers (homework)', () => {
    const text = readFileSync(new URL('../../../examples/hw4-softmax-ce.nn', import.meta.url), 'utf8');
    const full = analyzeFull(text);
    const d = full.derivations[0];
    expect(d.mode).toBe('tensor');
    const md = derivationMarkdown(d);
    // P = softmax([2, 1, 0.1]) = [0.659, 0.2424, 0.09857] (numpy: np.exp(h)/np.exp(h).sum()).
    expect(md).toContain('∂L/∂h = P − y = [0.659 − 1, 0.2424 − 0, 0.09857 − 0] = [3] [-0.341, 0.2424, 0.09857]');
    expect(md).toContain('∂L/∂P = −y/P (element-wise) = [3] [-1.517, 0, 0]');
    expect(md).toContain('diag(p) − ppᵀ');
  });
  it('matmul factors name the rule with the user’s operands and shapes', () => {
    const src = 'X = [[1, 2], [3, 4], [5, 6]]\nparam W = [[0.1, -0.2], [0.3, 0.4]]\nparam b = [0.5, -0.5]\nY = X @ W + b\nL = mean(Y ^ 2)\ngrad L wrt W\n';
    const md = derivationMarkdown(analyzeFull(src).derivations[0]);
    expect(md).toContain('∂L/∂W = Xᵀ · ∂L/∂(X @ W)   [@: X [3, 2], W [2, 2] → [3, 2]]');
    expect(md).toContain('∂L/∂Y [3, 2] = ∂L/∂L ⊙ ∂L/∂Y [∂L/∂Y = 2·Y/n (element-wise)');
  });
});

describe('derivations through a network call', () => {
  it('list each layer from the output down with its rule and gradient', () => {
    const src = 'X = randn(4, 3, seed=1)\ny = [0, 2, 1, 2]\nnetwork mlp\n  input [N, 3]\n  A = Linear(3, 5)\n  ReLU\n  Linear(5, 3)\nL = cross_entropy(mlp(X), y)\ngrad L wrt mlp.A.weight\n';
    const full = analyzeFull(src);
    const d = full.derivations[0];
    expect(d.recurrence.map((r) => r.name)).toEqual(['cross_entropy', 'Linear', 'ReLU', 'Linear']);
    const md = derivationMarkdown(d);
    expect(md).toContain('`A = Linear(3, 5)` — ∂L/∂mlp.0.weight = (∂L/∂Y)ᵀ · X');
    expect(md).toContain('`ReLU` — ∂L/∂x = ∂L/∂y · 𝟙[x > 0]');
    // The gradient itself is the tape's (checked against PyTorch elsewhere): the derivation only explains it.
    expect(d.result.data).toEqual(full.analysis.gradients[0].data);
  });
});
