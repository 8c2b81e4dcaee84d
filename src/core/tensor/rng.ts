/**
 * numpy's legacy `RandomState`, bit for bit: MT19937 seeded as `np.random.seed(S)` does for an
 * integer S (Matsumoto–Nishimura `init_genrand`, numpy's `mt19937_seed`), `random_sample`
 * (53-bit doubles), the legacy polar Box–Muller Gaussian with its cached second value, and
 * `permutation` (Fisher–Yates from the end with masked rejection sampling, `random_interval`).
 *
 * The Gaussian's `log` is a bit-exact port of the one numpy gets from glibc (x86_64, FMA variant;
 * see libmLog.ts), so `randn` matches numpy on such machines in every bit, not just to an ulp.
 */
import type { Rng } from '../builtins/types';
import { glibcLog } from './libmLog';
import { Mt19937 } from './mt19937';

class MersenneTwister extends Mt19937 implements Rng {
  private hasGauss = false;
  private gauss = 0;

  constructor(seed: number) {
    super();
    this.seedWith(seed);
  }

  /** random_sample: (a >> 5) · 2^26 + (b >> 6), over 2^53. */
  nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** numpy's legacy_gauss. */
  nextGauss(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const t = this.gauss;
      this.gauss = 0;
      return t;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    // numpy: f = sqrt(-2.0 * log(r2) / r2), with glibc's log (see libmLog.ts); sqrt is exact.
    const f = Math.sqrt((-2 * glibcLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** random_interval(max): uniform in [0, max] by masked rejection (max < 2^32). */
  nextInterval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  interval(max: number): number {
    return this.nextInterval(max);
  }

  randn(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextGauss();
    return out;
  }

  rand(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.nextDouble();
    return out;
  }

  permutation(n: number): Int32Array {
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.nextInterval(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/** A generator equal to `np.random.seed(seed)` followed by legacy draws. `seed` in [0, 2^32). */
export function createRng(seed: number): Rng {
  return new MersenneTwister(seed);
}
