/**
 * Training reuses the arrays of a step's values and gradients in the next step (ScratchPool).
 * A reused array must never alias a value that is still live: the results are bit for bit those
 * of a run that allocates every array afresh, and stay so when every recycled array is
 * overwritten with NaN (a live value sharing one would turn the parameters into NaN).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyze } from '../../../src/core/index';
import { K, ScratchPool, Tape } from '../../../src/core/autodiff/tape';
import { getOp } from '../../../src/core/autodiff/op';
import { createRng } from '../../../src/core/tensor/rng';

type Mode = 'reuse' | 'fresh' | 'poison';

/** Runs `fn` with the pool reusing arrays (as shipped), allocating afresh, or poisoning recycled arrays. */
function inMode<T>(mode: Mode, fn: () => T): T {
  const spies: { mockRestore(): void }[] = [];
  if (mode === 'fresh') {
    spies.push(vi.spyOn(ScratchPool.prototype, 'alloc').mockImplementation((n: number) => new Float64Array(n)));
  } else if (mode === 'poison') {
    const recycle = ScratchPool.prototype.recycle;
    spies.push(
      vi.spyOn(ScratchPool.prototype, 'recycle').mockImplementation(function (this: ScratchPool) {
        const used = (this as unknown as { used: Float64Array[] }).used;
        for (const a of used) a.fill(NaN);
        recycle.call(this);
      }),
    );
  }
  try {
    return fn();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

function rows(n: number, d: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from(rng.randn(d), (v) => Math.round(v * 1000) / 1000));
}

/** 45 rows in batches of 8 (the last has 5): the wasm gemm path (8 · 64 · 64 MACs) and the JS one. */
function documentText(optimizer: string): string {
  const X = rows(45, 6, 1);
  const y = X.map((r) => [r[0] + 0.5 * r[1] > 0 ? 1 : 0]);
  return [
    `X = ${JSON.stringify(X)}`,
    `y = ${JSON.stringify(y)}`,
    'network net',
    '  input [N, 6]',
    '  Linear(6, 64)',
    '  ReLU()',
    '  Linear(64, 64)',
    '  Tanh()',
    '  Linear(64, 1)',
    '  Sigmoid()',
    'train net on X, y',
    '  loss bce(net(X), y)',
    `  optimizer ${optimizer}`,
    '  epochs 3',
    '  batch 8 shuffle',
    'w0 = net.0.weight',
    'b0 = net.0.bias',
    'w1 = net.2.weight',
    'w2 = net.4.weight',
    'L = bce(net(X), y)',
    'grad L wrt net.0.weight, net.4.bias',
    '',
  ].join('\n');
}

function outcome(text: string): { losses: number[]; values: Record<string, number[]>; grads: Record<string, number[]> } {
  const a = analyze(text, { valuesOnly: true });
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const t = a.trainings![0];
  expect(t.steps).toBe(18);
  const values: Record<string, number[]> = {};
  for (const name of ['w0', 'b0', 'w1', 'w2', 'L']) values[name] = Array.from(a.values.find((v) => v.name === name)!.data);
  const grads: Record<string, number[]> = {};
  for (const g of a.gradients) grads[g.wrt] = Array.from(g.data);
  return { losses: t.stepLosses.slice(), values, grads };
}

describe('train: scratch arrays reused across steps', () => {
  for (const opt of ['SGD(lr=0.1, momentum=0.9)', 'Adam(lr=1e-2)']) {
    it(`${opt}: parameters, losses and gradients equal a run without reuse, bit for bit`, () => {
      const text = documentText(opt);
      const fresh = inMode('fresh', () => outcome(text));
      const reuse = inMode('reuse', () => outcome(text));
      const poison = inMode('poison', () => outcome(text));
      expect(fresh.values.w0.every(Number.isFinite)).toBe(true);
      expect(Object.keys(fresh.grads).length).toBe(2);
      // toEqual compares numbers with Object.is: bit for bit (up to NaN payloads, which are absent).
      expect(reuse).toEqual(fresh);
      expect(poison).toEqual(fresh);
    });
  }

  it('the pool hands out an array at most once between recycles, and reuses it after', () => {
    const pool = new ScratchPool();
    const a = pool.alloc(4);
    const b = pool.alloc(4);
    const c = pool.alloc(3);
    expect(a).not.toBe(b);
    pool.recycle();
    const again = [pool.alloc(4), pool.alloc(4), pool.alloc(4), pool.alloc(3)];
    expect(new Set(again).size).toBe(4);
    expect(again.slice(0, 2)).toContain(a);
    expect(again.slice(0, 2)).toContain(b);
    expect(again[3]).toBe(c);
  });

  it('on the tape, only nodes after the scratch mark take scratch arrays; values before it are untouched', () => {
    const tape = new Tape();
    const rng = createRng(3);
    const x = tape.leaf({ shape: [4, 40], data: Float64Array.from(rng.randn(160)) }, K.CONST);
    const w = tape.leaf({ shape: [40, 40], data: Float64Array.from(rng.randn(1600)) }, K.PARAM);
    const before = tape.apply('nn_relu', [tape.apply('linear', [x, w], undefined)], undefined);
    const keep = tape.value(before).data;
    const copy = keep.slice();
    const pool = new ScratchPool();
    const mark = tape.n;
    tape.useScratch(pool, mark);
    let last: Float64Array | undefined;
    for (let s = 0; s < 3; s++) {
      const h = tape.apply('nn_sigmoid', [tape.apply('linear', [before, w], undefined)], undefined);
      const g = tape.backward(tape.apply('sum', [h], undefined), pool).of(w).data;
      if (last) expect(g).toEqual(last);
      last = g.slice();
      tape.truncate(mark);
      pool.recycle();
    }
    tape.useScratch(undefined);
    expect(tape.value(before).data).toBe(keep);
    expect(keep).toEqual(copy);
    // Recomputing a node before the mark with the scratch set still allocates afresh.
    tape.useScratch(pool, mark);
    tape.compute(before);
    tape.useScratch(undefined);
    expect(tape.value(before).data).not.toBe(keep);
    expect(tape.value(before).data).toEqual(copy);
  });

  it('ReLU without branches gives PyTorch’s relu and threshold_backward, special values included', () => {
    const special = [0, -0, 1, -1, 5e-324, -5e-324, Infinity, -Infinity, NaN, 1.5e308, -1.5e308, 0.1];
    const relu = getOp('nn_relu');
    // torch.relu keeps NaN; threshold_backward is where(x <= 0, 0, g): 0 even for an infinite g,
    // g for a NaN x. Compared up to the sign of zero (+ 0 turns −0 into +0, NaN stays NaN).
    const same = (a: number, b: number): boolean => Object.is(a + 0, b + 0);
    const check = (xs: number[]): void => {
      const x = { shape: [xs.length], data: Float64Array.from(xs) };
      const y = relu.forward([x], {});
      xs.forEach((v, i) => expect(same(y.data[i], v > 0 ? v : Number.isNaN(v) ? NaN : 0), `relu(${v})`).toBe(true));
      const g = { shape: [xs.length], data: Float64Array.from(xs, (_v, i) => special[(i * 7) % special.length]) };
      const [r] = relu.backward(g, [x], y, {});
      xs.forEach((v, i) => expect(same(r!.data[i], v <= 0 ? 0 : g.data[i]), `relu'(${v}) · ${g.data[i]}`).toBe(true));
    };
    check(special.filter((v) => !Number.isNaN(v) && v !== -Infinity));
    check(special);
    check([1.5e308, 1.5e308, -3]);
  });
});

