/**
 * Derivation factors agree with the gradient they explain. Cases found by checking explain's
 * numbers against PyTorch autograd on each statement; values below are by hand (noted).
 */
import { describe, expect, it } from 'vitest';
import { analyzeFull } from '../../../src/core/index';
import { derivationMarkdown } from '../../../src/core/explain/derive';

function explain(text: string, of: string, wrt: string): string {
  const full = analyzeFull(`${text}\ngrad ${of} wrt ${wrt}\n`);
  const d = full.derivations.find((x) => x.of === of && x.wrt === wrt)!;
  expect(d).toBeDefined();
  return derivationMarkdown(d);
}

describe('derivation factors', () => {
  it('an op with options is evaluated by its own rule, not the plain function’s', () => {
    // 1/softplus(0.5; β = 2) = 1/(ln(1 + e)/2) = 1.523
    expect(explain('param a = 1.0\nparam b = 0.5\np = a / softplus(b, beta=2)', 'p', 'a')).toContain('| 1.523 |');
    // x·GELU_tanh'(1.5) with x = 0.8: 0.8 · 1.1277 = 0.9022
    expect(explain('param x = 0.8\nparam w = 1.5\na = x * gelu(w, approximate="tanh")', 'a', 'w')).toContain('| 0.9022 |');
  });

  it('a direct factor whose statement also reads a value depending on the same variable has its own number', () => {
    // a = softplus(w + h; β = 2), h = 2w, w = 0.5: the direct partial is σ(2·1.5) = 0.9526; total 0.9526·3 = 2.858
    const md = explain('param w = 0.5\nh = w * 2\na = softplus(w + h, beta=2)', 'a', 'w');
    expect(md).toContain('∂a/∂w = 0.9526 + 0.9526 · 2 = 0.9526 + 1.905 = 2.858');
    expect(md).not.toContain('NaN');
  });

  it('names inside an opaque part (a list, an index) are not taken for constants', () => {
    // z = sum([x·w, x]): ∂z/∂x = w + 1 = 3 (not 0)
    expect(explain('param x = 0.5\nparam w = 2.0\nz = sum([x*w, x])', 'z', 'x')).toContain('∂z/∂x = 3 = 3');
  });

  it('grad(…) inside an expression is a constant: no path through it', () => {
    // d = grad(c, x)·x with c = x², x = 0.8: ∂d/∂c = 0 and the direct factor is grad(c, x) = 1.6
    expect(explain('param x = 0.8\nc = x * x\nd = grad(c, x) * x', 'd', 'x')).toContain('∂d/∂x = 0 · 1.6 + 1.6 = 0 + 1.6 = 1.6');
  });

  it('x^c at x = 0 with respect to c: 0, as the tape and PyTorch give, not NaN', () => {
    expect(explain('param x = 0.0\nparam c = 2.0\nz = x ^ c', 'z', 'c')).toContain('∂z/∂c = 0 = 0');
  });

  it('the softmax/cross-entropy shortcut says P − y only when each row of y sums to 1', () => {
    const base = 'param h = [1.0, 2.0, 0.5]\nP = softmax(h)\nL = -sum(y * log(P))';
    expect(explain(`y = [0, 1, 0]\n${base}`, 'L', 'h')).toContain('∂L/∂h = P − y = [0.2312 − 0, 0.6285 − 1, 0.1402 − 0]');
    // y sums to 2: ∂L/∂h = 2P − y = [0.4624, −0.7429, 0.2805]
    expect(explain(`y = [0, 2, 0]\n${base}`, 'L', 'h')).toContain('∂L/∂h = P·Σy − y (each row of y sums to 2, not 1, so it is not P − y)');
  });

  it('leaky_relu’s slope as written: negative, a name, two slopes in one statement', () => {
    expect(explain('param x = -2.0\nz = leaky_relu(x, -0.1) * 3', 'z', 'x')).toContain("| 3·LeakyReLU'(x; slope -0.1) | −0.3 |");
    expect(explain('param x = -2.0\ns = 0.2\nz = leaky_relu(x, slope=s)', 'z', 'x')).toContain('∂z/∂x = 0.2 = 0.2');
    // 0.1 + 0.3 (not 2 × 0.1)
    expect(explain('param x = -1.0\nz = leaky_relu(x, 0.1) + leaky_relu(x, 0.3)', 'z', 'x')).toContain('∂z/∂x = 0.4 = 0.4');
  });

  it('the max/min tie and abs′(0) conventions are stated where they matter', () => {
    expect(explain('param a = 0.5\nparam b = 0.5\nz = max(a, b) * 3', 'z', 'a')).toContain('at a tie of max/min each side gets ½');
    expect(explain('param x = 0.0\nz = abs(x) + 2*x', 'z', 'x')).toContain("abs'(0) = 0. It matters here");
    expect(explain('param a = 0.7\nparam b = 0.5\nz = max(a, b) * 3', 'z', 'a')).not.toContain('tie');
  });

  it('a name bound twice: its factors get rows of their own, with their lines', () => {
    const md = explain('param x = 0.5\nparam w = -1.5\nh = x * w\nh = h * h + x\nh = tanh(h) * w\nz = h + x', 'z', 'w');
    expect(md).toContain('| ∂h/∂h (line 5 → line 4) | (1 − tanh(h)²)·w | −0.5718 |');
    expect(md).toContain('| ∂h/∂h (line 4 → line 3) | 2·h | −1.5 |');
    expect(md).toContain('| ∂h/∂w (line 5 → line 2) | tanh(h) | 0.7866 |');
  });

  it('through a network, each operation’s adjoint is shown first, then the rule that passes it down', () => {
    const net = 'network mlp\n  input [N, 2]\n  A = Linear(2, 3)\n  ReLU()\n  B = Linear(3, 1)\nparam mlp.A.weight = [[1.0, -1.0], [0.5, 2.0], [-1.0, 1.0]]\nparam mlp.A.bias = [0.1, -0.2, 0.3]\nparam mlp.B.weight = [[1.0, 2.0, -1.0]]\nparam mlp.B.bias = [0.0]\nX = [[1.0, 2.0], [0.5, -1.0]]\ny = mlp(X)\nL = sum(y * y)';
    // ∂L/∂y = 2y = [14.6, 3.2] (PyTorch y.grad with retain_grad): the value of the Linear's adjoint.
    expect(explain(net, 'L', 'mlp.A')).toContain('- ∂L/∂Linear [2, 1] = [2, 1] [[14.6], [3.2]]; passed down by `B = Linear(3, 1)` — ∂L/∂X = ∂L/∂Y · W');
  });

  it('an element-wise factor the formula cannot evaluate (a reduction inside) shows no NaNs', () => {
    const md = explain('param o = [1.0, 2.0]\nparam d = [3.0, 4.0]\nL = sum(d * sum(o))', 'L', 'd');
    expect(md).toContain('**∂L/∂d = [2] [3, 3]**');
    expect(md).not.toContain('NaN');
  });

  it('a step H of an argument with no formula value is not taken for 0', () => {
    // s = max(r, softplus(p; β = 2)) with r = 3.42 > softplus(…) = 0.0033: ∂s/∂r = 1
    const md = explain('param b = -1.36\nh = b\np = h * (b * h)\nq = h ^ 3.0\nr = h * q\ns = max(r, softplus(p, beta=2.0))\nz = s - 1.0', 'z', 'b');
    expect(md).toContain('| ∂s/∂r | H(r − softplus(p, beta=(2))) | 1 |');
  });

  it('tensor statements state the conventions when an element sits at the kink', () => {
    const md = explain('param x = [0.0, -1.0, 2.0]\nparam w = 2.0\nL = sum(relu(x) + abs(x) * w)', 'L', 'x');
    expect(md).toContain("ReLU'(0) = 0 (as PyTorch). It matters here: 1 element is at the kink.");
    expect(md).toContain("abs'(0) = 0. It matters here: 1 element is at the kink.");
    expect(explain('param x = [0.5, -1.0, 2.0]\nL = sum(relu(x))', 'L', 'x')).not.toContain('kink');
  });
});
