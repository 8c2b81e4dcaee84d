/**
 * Training cases found by checking the `train` statement against PyTorch 1.13 (each was wrong
 * before its fix). Reference numbers are derived by hand below (plain SGD on one scalar), or
 * compared with an equivalent spelling that other tests check against PyTorch.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../src/core/index';

const run = (text: string) => analyze(text, { valuesOnly: true });
const value = (a: ReturnType<typeof run>, name: string) => a.values.find((v) => v.name === name)?.data;
const codes = (a: ReturnType<typeof run>) => a.diagnostics.map((d) => d.code);

describe('train: what the loss reads', () => {
  it('a name rebound on the line before `train` is replayed each step (not frozen at step 1)', () => {
    // w = 0.5: h = relu(2w) = 1, loss (1 − 3)² = 4, ∂/∂w = 2(h − 3)·2 = −8 → w = 1.3; h = 2.6, loss 0.16.
    const a = run('param w = 0.5\nh = w * 2\nh = relu(h)\ntrain w\n  loss (h - 3)^2\n  optimizer SGD(lr=0.1)\n  steps 2\n');
    expect(codes(a)).toEqual([]);
    expect(a.trainings![0].stepLosses.map((x) => +x.toFixed(12))).toEqual([4, 0.16]);
    // L = 2(w − 2)², ∂L/∂w = 4(w − 2): w = 1 → 1.4 → 1.64 → 1.784 (losses 2, 0.72, 0.2592).
    const b = run('param w = 1.0\nL = (w-2)^2\nL = L*2\ntrain w\n  loss L\n  optimizer SGD(lr=0.1)\n  steps 3\nv = w\n');
    expect(b.trainings![0].stepLosses.map((x) => +x.toFixed(12))).toEqual([2, 0.72, 0.2592]);
    expect(value(b, 'v')![0]).toBeCloseTo(1.784, 12);
    // A tensor chain (it was an internal error): full batch, by hand w = 0.5 → 1 → 4/3.
    const c = run('X = [[1.0], [2.0], [-1.0]]\ny = [[2.0], [4.0], [0.0]]\nparam w = [[0.5]]\nh = X @ w\nh = relu(h)\ntrain w on X, y\n  loss mean((h - y)^2)\n  optimizer SGD(lr=0.1)\n  steps 2\nv = w\n');
    expect(codes(c)).toEqual([]);
    expect(value(c, 'v')![0]).toBeCloseTo(4 / 3, 12);
  });

  it('a network called in the loss trains in training mode, as after model.train() (BatchNorm batch statistics)', () => {
    const base = readFileSync(join(__dirname, 'fixtures', 'bn-train-mode.nn'), 'utf8');
    const explicit = run(base);
    const implicit = run(base.replace('loss mse(net(X, train=true), y)', 'loss mse(net(X), y)'));
    expect(codes(implicit)).toEqual([]);
    // PyTorch 1.13, model in its default training mode (fixtures/gen_bn_train_mode.py): 1.3384868503804253, 0.6549415911197426, 0.7752651530687679.
    expect(implicit.trainings![0].losses).toEqual(explicit.trainings![0].losses);
    expect(implicit.trainings![0].losses.map((x) => +x.toFixed(10))).toEqual([1.3384868504, 0.6549415911, 0.7752651531]);
    // After training, a plain call is evaluation mode again (running statistics).
    expect(value(implicit, 'E')).toEqual(value(explicit, 'E'));
    const evalMode = run(base.replace('loss mse(net(X, train=true), y)', 'loss mse(net(X, train=false), y)'));
    expect(evalMode.trainings![0].losses[0]).not.toBeCloseTo(1.3384868504, 6);
  });
});

describe('train: clauses and diagnostics', () => {
  it('`steps K` runs K steps whatever `epochs` says, and notes the disagreement', () => {
    const a = run('param w = 1.0\ntrain w\n  loss (w - 2)^2\n  optimizer SGD(lr=0.1)\n  epochs 1\n  steps 5\n');
    expect(a.trainings![0].steps).toBe(5);
    expect(a.diagnostics.map((d) => [d.code, d.severity])).toEqual([['train.steps-over-epochs', 'info']]);
  });

  it('torch.optim.SGD(…) and optim.Adam(…) are the optimisers', () => {
    for (const opt of ['torch.optim.SGD(lr=0.1)', 'optim.Adam(lr=0.1)', 'torch.optim.AdamW(lr=0.1)']) {
      const a = run(`param w = 1.0\ntrain w\n  loss (w - 2)^2\n  optimizer ${opt}\n  steps 2\n`);
      expect(codes(a), opt).toEqual([]);
      expect(a.trainings![0].steps).toBe(2);
    }
  });

  it('a seed outside numpy’s range, a network as data, and a loss that reaches nothing trained are diagnostics', () => {
    const net = 'network net\n  input [N, 1]\n  Linear(1, 1)\n';
    expect(codes(run(`X = [[1.0], [2.0]]\ny = [[1.0], [0.0]]\n${net}train net on X, y\n  loss mean((net(X) - y)^2)\n  optimizer SGD(lr=0.1)\n  batch 1 shuffle\n  seed 4294967296\n`))).toEqual(['train.bad-option']);
    expect(codes(run(`y = [[1.0], [0.0]]\n${net}train net on net, y\n  loss mean(net(y))\n  optimizer SGD(lr=0.1)\n`))).toEqual(['train.data-shape']);
    const none = run('X = [[1.0], [2.0]]\nparam w = 1.0\ntrain w on X\n  loss mean(X)\n  optimizer SGD(lr=0.1)\n  epochs 2\nv = w\n');
    expect(none.diagnostics.map((d) => [d.code, d.severity])).toEqual([['train.no-gradient', 'warning']]);
    expect(value(none, 'v')).toEqual([1]);
  });

  it('a path target trains one layer (or one parameter) of a network and leaves the rest', () => {
    // x = 1, y = 0; h = 2·1 = 2 (layer 0), out = 0.5·2 = 1, loss (1 − 0)² = 1.
    // Layer C: ∂L/∂w = 2·(out − y)·h = 4 → 0.5 − 0.1·4 = 0.1; ∂L/∂b = 2 → −0.2. Layer 0 untouched.
    const net = 'X = [[1.0]]\ny = [[0.0]]\nnetwork mlp\n  input [N, 1]\n  Linear(1, 1)\n  C = Linear(1, 1)\nparam mlp.0.weight = [[2.0]]\nparam mlp.0.bias = [0.0]\nparam mlp.C.weight = [[0.5]]\nparam mlp.C.bias = [0.0]\n';
    const a = run(`${net}train mlp.C on X, y\n  loss mse(mlp(X), y)\n  optimizer SGD(lr=0.1)\n  steps 1\nw0 = mlp.0.weight\nw1 = mlp.1.weight\nb1 = mlp.C.bias\n`);
    expect(codes(a)).toEqual([]);
    expect(value(a, 'w0')).toEqual([2]);
    expect(value(a, 'w1')![0]).toBeCloseTo(0.1, 15);
    expect(value(a, 'b1')![0]).toBeCloseTo(-0.2, 15);
    // One parameter: only the bias of layer C moves.
    const b = run(`${net}train mlp.C.bias on X, y\n  loss mse(mlp(X), y)\n  optimizer SGD(lr=0.1)\n  steps 1\nw1 = mlp.C.weight\nb1 = mlp.C.bias\n`);
    expect(value(b, 'w1')).toEqual([0.5]);
    expect(value(b, 'b1')![0]).toBeCloseTo(-0.2, 15);
    expect(codes(run(`${net}train mlp.Z on X, y\n  loss mse(mlp(X), y)\n  optimizer SGD(lr=0.1)\n`))).toEqual(['train.not-trainable']);
  });
});
