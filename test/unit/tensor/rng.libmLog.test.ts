import { describe, expect, it } from 'vitest';
import { fma, glibcLog } from '../../../src/core/tensor/libmLog';
import fixture from './fixtures/rng.json';

const { glibcLog: logs, fma: fmas } = fixture as unknown as {
  /** [x, log(x)] with log(x) from Python's math.log, i.e. glibc 2.36's log on an FMA CPU. */
  glibcLog: [number, number][];
  /** [a, b, c, a·b + c rounded once] from exact rational arithmetic. */
  fma: [number, number, number, number][];
};

describe('glibcLog equals glibc log (x86_64, FMA variant) bit for bit', () => {
  it(`on ${logs.length} arguments, including ones where it is not correctly rounded`, () => {
    const bad = logs.filter(([x, want]) => !Object.is(glibcLog(x), want));
    expect(bad).toEqual([]);
  });

  it('special values as in C', () => {
    expect(glibcLog(1)).toBe(0);
    expect(Object.is(glibcLog(1), 0)).toBe(true);
    expect(glibcLog(0)).toBe(-Infinity);
    expect(glibcLog(-0)).toBe(-Infinity);
    expect(glibcLog(Infinity)).toBe(Infinity);
    expect(glibcLog(-1)).toBeNaN();
    expect(glibcLog(-Infinity)).toBeNaN();
    expect(glibcLog(NaN)).toBeNaN();
    expect(glibcLog(5e-324)).toBe(-744.4400719213812);
  });
});

describe('fma emulation rounds once', () => {
  it(`on ${fmas.length} cancellation and near-tie cases`, () => {
    const bad = fmas.filter(([a, b, c, want]) => !Object.is(fma(a, b, c), want));
    expect(bad).toEqual([]);
  });

  it('differs from the unfused expression where it should', () => {
    // (1 + 2^-52)^2 − 1 = 2^-51 + 2^-104: unfused loses the 2^-104.
    const a = 1 + 2 ** -52;
    expect(a * a - 1).toBe(2 ** -51);
    expect(fma(a, a, -1)).toBe(2 ** -51 + 2 ** -104);
  });
});
