/**
 * Issue #16: where WebAssembly (or its SIMD) is missing — a browser worker without it — the core
 * falls back to its JS kernels with the same numbers. Forced here by loading the core afresh
 * with `WebAssembly` removed, then comparing a matmul-heavy document (well above the size where
 * the WebAssembly kernel takes over) and a training with the run that has the kernels.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const DOC = `
A = randn(48, 96, seed=1)
B = randn(96, 40, seed=2)
C = tanh(A @ B / 10)
L = sum(C * C)
grad L wrt A, B
network mlp
  input [N, 64]
  A = Linear(64, 128)
  ReLU()
  C = Linear(128, 4)
X = randn(100, 64, seed=3)
t = randn(100, 4, seed=4)
train mlp on X, t
  loss mse(mlp(X), t)
  optimizer Adam(lr=0.01)
  epochs 3
  batch 25
`;

type Core = typeof import('../../../src/core/index');

async function freshCore(): Promise<Core> {
  vi.resetModules();
  return import('../../../src/core/index');
}

afterEach(() => vi.unstubAllGlobals());

/** Element-wise equal to 1e-12 relative (1e-300 absolute for zeros). */
function close(actual: readonly number[], expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.length).toBeGreaterThan(0);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]), `element ${i}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected[i]) + 1e-300));
}

describe('WebAssembly fallback', () => {
  it('without WebAssembly the analysis gives the same values, gradients and training losses', async () => {
    const withWasm = (await freshCore()).analyze(DOC, { budget: 1e10 });
    expect(withWasm.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    vi.stubGlobal('WebAssembly', undefined);
    const core = await freshCore();
    const withoutWasm = core.analyze(DOC, { budget: 1e10 });
    // The forward products agree to the last bit; the kernels block the transposed products of
    // the backward pass differently, so gradients and losses agree to rounding (1e-12 relative).
    const byName = (a: typeof withWasm) => Object.fromEntries(a.values.map((v) => [v.name, v]));
    const w = byName(withWasm);
    const j = byName(withoutWasm);
    for (const name of ['C', 'L']) expect(j[name].data).toEqual(w[name].data);
    for (const name of ['A', 'B']) close(j[name].grads![0].data, w[name].grads![0].data);
    close(withoutWasm.trainings![0].losses, withWasm.trainings![0].losses);
    expect(withWasm.trainings?.[0].losses.length).toBe(3);
  });

  it('without SIMD (WebAssembly.validate refuses the kernels) it falls back the same way', async () => {
    const reference = (await freshCore()).analyze(DOC, { budget: 1e10 });
    const real = (globalThis as unknown as { WebAssembly: Record<string, unknown> }).WebAssembly;
    vi.stubGlobal('WebAssembly', { ...real, validate: () => false, Module: real.Module, Instance: real.Instance, Memory: real.Memory });
    const noSimd = (await freshCore()).analyze(DOC, { budget: 1e10 });
    expect(noSimd.values.find((v) => v.name === 'L')!.data).toEqual(reference.values.find((v) => v.name === 'L')!.data);
    close(noSimd.values.find((v) => v.name === 'A')!.grads![0].data, reference.values.find((v) => v.name === 'A')!.grads![0].data);
    close(noSimd.trainings![0].losses, reference.trainings![0].losses);
  });
});
