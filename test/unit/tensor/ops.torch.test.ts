import { describe, expect, it } from 'vitest';
import fixture from '../../fixtures/torch/ops/ops.json';
import { getOp } from '../../../src/core/autodiff/op';
import { backward, fixtureNumber, forward, fromFixture, maxRelError, numericGrad, type FixtureCase } from './opHarness';

const cases = (fixture as unknown as { cases: FixtureCase[] }).cases;

function close(got: ArrayLike<number>, wantRaw: (number | string)[], tol = 1e-10): void {
  const want = wantRaw.map(fixtureNumber);
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const ok = Math.abs(got[i] - w) <= tol * Math.max(1, Math.abs(w)) || Object.is(got[i], w) || (Number.isNaN(w) && Number.isNaN(got[i]));
    if (!ok) expect(got[i], `element ${i}`).toBeCloseTo(w, 10);
  }
}

describe('ops match PyTorch (forward and vector-Jacobian products)', () => {
  for (const c of cases) {
    it(`${c.op}: ${c.name}`, () => {
      const inputs = c.inputs.map(fromFixture);
      const attrs = c.attrs as never;
      const out = forward(c.op, inputs, attrs);
      expect(out.shape).toEqual(c.out.shape);
      close(out.data, c.out.data);
      const grads = backward(c.op, fromFixture(c.g), inputs, attrs);
      c.grads.forEach((want, i) => {
        if (want === null) {
          expect(getOp(c.op).nondiff?.includes(i) || grads[i] === null).toBe(true);
          return;
        }
        expect(grads[i], `gradient of input ${i}`).not.toBeNull();
        close(grads[i]!.data, want);
      });
    });
  }
});

/** Cases where central differences are not the derivative: ties of max/min, clamped logs. */
const kinked = (c: FixtureCase): boolean => /ties|clamp/.test(c.name);

describe('ops pass central-difference gradient checks in float64', () => {
  for (const c of cases.filter((x) => !kinked(x))) {
    it(`${c.op}: ${c.name}`, () => {
      const inputs = c.inputs.map(fromFixture);
      const attrs = c.attrs as never;
      const g = fromFixture(c.g);
      const grads = backward(c.op, g, inputs, attrs);
      grads.forEach((gr, i) => {
        if (!gr) return;
        const n = numericGrad(c.op, inputs, g, i, attrs);
        expect(maxRelError(gr.data, n)).toBeLessThan(1e-6);
      });
    });
  }
});
