/**
 * A training with many parameters keeps them, their gradients and the step's arrays in a
 * WebAssembly arena (createArena, src/core/train/run.ts), where the kernels use them in place.
 * That is a matter of speed only: the losses, trained parameters and later gradients are bit
 * for bit those of the same training on ordinary arrays.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRng } from '../../../src/core/tensor/rng';

const MATMUL = '../../../src/core/tensor/matmul';

afterEach(() => {
  vi.doUnmock(MATMUL);
  vi.resetModules();
});

function rows(n: number, d: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from(rng.randn(d), (v) => Math.round(v * 1000) / 1000));
}

/** 30 → 256 → 256 → 1: 74,049 parameters (above the arena's threshold); 45 rows, batches of 16 (the last has 13). */
function documentText(optimizer: string): string {
  const X = rows(45, 30, 4);
  const y = X.map((r) => [r[0] - r[3] + 0.5 * r[7] > 0 ? 1 : 0]);
  return [
    `X = ${JSON.stringify(X)}`,
    `y = ${JSON.stringify(y)}`,
    'network net',
    '  input [N, 30]',
    '  Linear(30, 256)',
    '  ReLU()',
    '  Linear(256, 256)',
    '  ReLU()',
    '  Linear(256, 1)',
    '  Sigmoid()',
    'train net on X, y',
    '  loss bce(net(X), y)',
    `  optimizer ${optimizer}`,
    '  epochs 2',
    '  batch 16 shuffle',
    'w1 = net.2.weight',
    'b2 = net.4.bias',
    'L = bce(net(X), y)',
    'grad L wrt net.2.weight',
    '',
  ].join('\n');
}

interface Outcome {
  losses: number[];
  values: Record<string, ArrayLike<number>>;
  grad: ArrayLike<number>;
  arenas: number;
}

/** Runs the document with the arena as shipped, or with createArena refusing (ordinary arrays). */
async function run(text: string, arena: boolean): Promise<Outcome> {
  vi.resetModules();
  let arenas = 0;
  vi.doMock(MATMUL, async (importOriginal) => {
    const orig = await importOriginal<typeof import('../../../src/core/tensor/matmul')>();
    return {
      ...orig,
      createArena: (s: number, h: number) => {
        if (!arena) return undefined;
        const a = orig.createArena(s, h);
        if (a) arenas++;
        return a;
      },
    };
  });
  const { analyze } = await import('../../../src/core/index');
  const a = analyze(text, { valuesOnly: true });
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const t = a.trainings![0];
  expect(t.steps).toBe(6);
  const values: Record<string, ArrayLike<number>> = {};
  for (const name of ['w1', 'b2', 'L']) values[name] = a.values.find((v) => v.name === name)!.data;
  return { losses: t.stepLosses.slice(), values, grad: a.gradients[0].data, arenas };
}

describe('train: parameters in a WebAssembly arena', () => {
  for (const opt of [
    'SGD(lr=0.1)',
    'SGD(lr=0.05, momentum=0.9)',
    'Adam(lr=1e-3)', // the SIMD Adam step
    'AdamW(lr=1e-3, weight_decay=0.1)', // decay, then the SIMD step
    'Adam(lr=1e-3, weight_decay=0.01)', // L2 term: the JS loop on arena arrays
    'Adam(lr=1e-3, amsgrad=true)',
    'Adam(lr=1e-3, maximize=true)',
  ]) {
    it(`${opt}: losses, trained parameters and gradients equal a run on ordinary arrays, bit for bit`, async () => {
      const text = documentText(opt);
      const plain = await run(text, false);
      const inArena = await run(text, true);
      expect(plain.arenas).toBe(0);
      // Without WebAssembly there is no arena and nothing to compare.
      if ((globalThis as { WebAssembly?: unknown }).WebAssembly !== undefined) expect(inArena.arenas).toBe(1);
      expect(plain.losses.every(Number.isFinite)).toBe(true);
      expect(inArena.losses).toEqual(plain.losses);
      for (const name of ['w1', 'b2', 'L']) {
        expect(Array.from(inArena.values[name]), name).toEqual(Array.from(plain.values[name]));
      }
      expect(Array.from(inArena.grad)).toEqual(Array.from(plain.grad));
    });
  }
});
