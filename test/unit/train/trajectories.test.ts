/**
 * `train` against PyTorch: ten optimiser steps of SGD (plain, momentum, weight decay,
 * dampening, nesterov), Adam (defaults, settings, amsgrad) and AdamW on a fixed small network,
 * full batch and minibatches (in order, shuffled with numpy's stream), to 1e-9. After `steps k`
 * the parameters, and the full-batch gradient `grad L wrt …`, equal torch's after k steps.
 * Fixtures: test/fixtures/torch/train/generate.py (torch 1.13, float64).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { createRng } from '../../../src/core/tensor/rng';

interface Step {
  loss: number;
  fullLoss: number;
  params: Record<string, unknown>;
  grads: Record<string, unknown>;
}
interface Case {
  name: string;
  kind: 'binary' | 'multiclass';
  optimizer: [string, Record<string, number | boolean | number[]>];
  steps: number;
  batch?: number;
  shuffle?: boolean;
  seed?: number;
  X: number[][];
  y: number[][] | number[];
  init: Record<string, unknown>;
  orders: number[][];
  trajectory: Step[];
}
const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/torch/train/trajectories.json'), 'utf8')) as {
  cases: Case[];
  permutations: { seed: number; draws: { n: number; perm: number[] }[] };
};

const lit = (v: unknown): string => JSON.stringify(v);
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
const PARAMS = ['0.weight', '0.bias', '2.weight', '2.bias'];

function optimizerText(c: Case): string {
  const [name, kw] = c.optimizer;
  const args = Object.entries(kw).map(([k, v]) => `${k}=${Array.isArray(v) ? `(${v.join(', ')})` : v}`);
  return `${name}(${args.join(', ')})`;
}

function documentFor(c: Case, steps: number): string {
  const out = c.kind === 'binary' ? 1 : 3;
  const loss = c.kind === 'binary' ? 'bce(net(X), y)' : 'cross_entropy(net(X), y)';
  const lines = [
    `X = ${lit(c.X)}`,
    `y = ${lit(c.y)}`,
    'network net',
    '  input [N, 3]',
    '  Linear(3, 4)',
    '  Tanh()',
    `  Linear(4, ${out})`,
    ...(c.kind === 'binary' ? ['  Sigmoid()'] : []),
    ...PARAMS.map((p) => `param net.${p} = ${lit(c.init[p])}`),
    'train net on X, y',
    `  loss ${loss}`,
    `  optimizer ${optimizerText(c)}`,
    `  steps ${steps}`,
    ...(c.batch ? [`  batch ${c.batch}${c.shuffle ? ' shuffle' : ''}`] : []),
    ...(c.seed !== undefined && c.seed !== 0 ? [`  seed ${c.seed}`] : []),
    ...PARAMS.map((p, k) => `p${k} = net.${p}`),
    `L = ${loss}`,
    `grad L wrt ${PARAMS.map((p) => `net.${p}`).join(', ')}`,
  ];
  return lines.join('\n') + '\n';
}

function close(actual: readonly number[], expected: readonly number[], tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('train: trajectories against PyTorch (1e-9)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: losses, parameters and gradients after each of ${c.steps} steps`, () => {
      for (let k = 1; k <= c.steps; k++) {
        const a = analyze(documentFor(c, k), { valuesOnly: true });
        expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const t = a.trainings![0];
        expect(t.steps).toBe(k);
        close(t.stepLosses, c.trajectory.slice(0, k).map((s) => s.loss));
        const step = c.trajectory[k - 1];
        PARAMS.forEach((p, i) => {
          const v = a.values.find((x) => x.name === `p${i}`)!;
          close(v.data, flat(step.params[p]));
          const g = a.gradients.find((x) => x.wrt === `net.${p}`)!;
          close(g.data, flat(step.grads[p]));
        });
        expect(a.values.find((x) => x.name === 'L')!.data[0]).toBeCloseTo(step.fullLoss, 12);
      }
    });
  }
});

describe('train: minibatch order is numpy’s np.random.permutation stream', () => {
  it('createRng(0).permutation equals np.random.seed(0); np.random.permutation(n) draw after draw', () => {
    const rng = createRng(fixture.permutations.seed);
    for (const d of fixture.permutations.draws) expect(Array.from(rng.permutation(d.n))).toEqual(d.perm);
  });

  it('the epochs of a shuffled training visit the rows in numpy’s order', () => {
    const c = fixture.cases.find((x) => x.name === 'sgd-minibatch-shuffled')!;
    const rng = createRng(0);
    for (const order of c.orders) expect(Array.from(rng.permutation(c.X.length))).toEqual(order);
  });

  it('shuffling draws from the document stream after earlier draws (as a numpy script after np.random.seed(0))', () => {
    const doc = [
      'noise = randn(3)',
      'X = [[0.5], [1.0], [1.5], [2.0], [2.5]]',
      'y = [[1.0], [2.1], [2.9], [4.2], [5.0]]',
      'param w = [[0.1]]',
      'train w on X, y',
      '  loss mse(X @ w, y)',
      '  optimizer SGD(lr=0.05)',
      '  epochs 2',
      '  batch 2 shuffle',
      'after = randn(1)',
    ].join('\n');
    const a = analyze(doc, { valuesOnly: true });
    expect(a.diagnostics).toEqual([]);
    // numpy: seed(0); randn(3); permutation(5); permutation(5); randn(1)
    const rng = createRng(0);
    rng.randn(3);
    const p1 = rng.permutation(5);
    const p2 = rng.permutation(5);
    const after = rng.randn(1)[0];
    expect(a.values.find((v) => v.name === 'after')!.data[0]).toBe(after);
    // Replay the updates in the same order by hand.
    const X = [0.5, 1.0, 1.5, 2.0, 2.5];
    const y = [1.0, 2.1, 2.9, 4.2, 5.0];
    let w = 0.1;
    const losses: number[] = [];
    for (const p of [p1, p2])
      for (let s = 0; s < 5; s += 2) {
        const idx = Array.from(p.slice(s, s + 2));
        let g = 0;
        let l = 0;
        for (const i of idx) {
          const r = X[i] * w - y[i];
          l += r * r;
          g += 2 * r * X[i];
        }
        losses.push(l / idx.length);
        w -= 0.05 * (g / idx.length);
      }
    close(a.trainings![0].stepLosses, losses, 1e-12);
    close(a.values.filter((v) => v.name === 'w').pop()!.data, [w], 1e-12);
  });
});
