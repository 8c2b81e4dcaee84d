/**
 * numpy's legacy `RandomState`, bit for bit: MT19937 seeded as `np.random.seed(S)` does for an
 * integer S (Matsumoto–Nishimura `init_genrand`, numpy's `mt19937_seed`), `random_sample`
 * (53-bit doubles), the legacy polar Box–Muller Gaussian with its cached second value, and
 * `permutation` (Fisher–Yates from the end with masked rejection sampling, `random_interval`).
 */
import type { Rng } from '../builtins/types';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

class MersenneTwister implements Rng {
  private readonly key = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gauss = 0;

  constructor(seed: number) {
    let s = seed >>> 0;
    const key = this.key;
    for (let i = 0; i < N; i++) {
      key[i] = s;
      // 1812433253 * (s ^ (s >>> 30)) + i + 1, modulo 2^32.
      const x = (s ^ (s >>> 30)) >>> 0;
      s = (Math.imul(1812433253, x) + i + 1) >>> 0;
    }
  }

  private generate(): void {
    const k = this.key;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (k[i] & UPPER) | (k[i + 1] & LOWER);
      k[i] = k[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; i < N - 1; i++) {
      y = (k[i] & UPPER) | (k[i + 1] & LOWER);
      k[i] = k[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    y = (k[N - 1] & UPPER) | (k[0] & LOWER);
    k[N - 1] = k[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.pos = 0;
  }

  /** The next 32-bit output (tempered), as an unsigned number. */
  nextUint32(): number {
    if (this.pos === N) this.generate();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
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
    const f = Math.sqrt((-2 * logCorrectlyRounded(r2)) / r2);
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

// ---- A correctly rounded natural logarithm ----
// numpy's legacy Gaussian calls the C library's `log`, which glibc rounds correctly in all but
// vanishingly rare cases; V8's `Math.log` is off by one ulp now and then, which would break
// bit-for-bit equality. This evaluates ln(x) in double-double arithmetic (~100 bits) and
// rounds once.

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const SPLITTER = 134217729; // 2^27 + 1

/** hi + lo = a · b exactly (Dekker). */
function twoProd(a: number, b: number, out: Float64Array): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  out[0] = p;
  out[1] = ah * bh - p + ah * bl + al * bh + al * bl;
}

const tmp = new Float64Array(2);

/** (ah, al) · (bh, bl) into out. */
function ddMul(ah: number, al: number, bh: number, bl: number, out: Float64Array): void {
  twoProd(ah, bh, tmp);
  const p = tmp[0];
  const e = tmp[1] + (ah * bl + al * bh);
  const s = p + e;
  out[0] = s;
  out[1] = e - (s - p);
}

/** (ah, al) + (bh, bl) into out. */
function ddAdd(ah: number, al: number, bh: number, bl: number, out: Float64Array): void {
  const s = ah + bh;
  const v = s - ah;
  const e = ah - (s - v) + (bh - v) + al + bl;
  const r = s + e;
  out[0] = r;
  out[1] = e - (r - s);
}

/** (ah, al) / (bh, bl) into out. */
function ddDiv(ah: number, al: number, bh: number, bl: number, out: Float64Array): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl, out);
  const rh = ah - out[0];
  const r = rh - out[1] + al; // remainder (rh is exact enough: out[0] ≈ ah)
  const q2 = r / bh;
  const s = q1 + q2;
  out[0] = s;
  out[1] = q2 - (s - q1);
}

const bits = new DataView(new ArrayBuffer(8));
const dd = new Float64Array(2);
const acc = new Float64Array(2);
const s2 = new Float64Array(2);
/** 1/(2k+1) as double-double, k = 0..24. */
const INV_ODD: number[][] = [];
for (let k = 0; k <= 24; k++) {
  const d = 2 * k + 1;
  const hi = 1 / d;
  // lo = (1 − hi·d) / d, with hi·d evaluated exactly.
  twoProd(hi, d, tmp);
  INV_ODD.push([hi, (1 - tmp[0] - tmp[1]) / d]);
}

/** ln(x) for finite x > 0, correctly rounded (to within ~2^-100 relative before rounding). */
export function logCorrectlyRounded(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Math.log(x);
  if (x === 1) return 0;
  let e = 0;
  let m = x;
  if (m < 2.2250738585072014e-308) {
    m *= 18014398509481984; // 2^54: make subnormals normal
    e -= 54;
  }
  bits.setFloat64(0, m);
  const hiWord = bits.getUint32(0);
  e += ((hiWord >>> 20) & 0x7ff) - 1023;
  bits.setUint32(0, (hiWord & 0x800fffff) | (1023 << 20));
  m = bits.getFloat64(0); // in [1, 2)
  if (m > Math.SQRT2) {
    m /= 2; // exact
    e += 1;
  }
  // s = (m − 1)/(m + 1); ln m = 2·atanh(s) = 2·Σ s^(2k+1)/(2k+1).
  const num = m - 1; // exact (Sterbenz)
  const den = m + 1;
  const bv = den - m; // Knuth's twoSum: den + denLo = m + 1 exactly
  const denLo = m - (den - bv) + (1 - bv);
  ddDiv(num, 0, den, denLo, dd);
  const sh = dd[0];
  const sl = dd[1];
  ddMul(sh, sl, sh, sl, s2);
  // Horner in s²: Σ_k s^(2k)/(2k+1), from the top term down.
  acc[0] = INV_ODD[24][0];
  acc[1] = INV_ODD[24][1];
  for (let k = 23; k >= 0; k--) {
    ddMul(acc[0], acc[1], s2[0], s2[1], acc);
    ddAdd(acc[0], acc[1], INV_ODD[k][0], INV_ODD[k][1], acc);
  }
  ddMul(acc[0], acc[1], sh, sl, acc);
  const lnmH = 2 * acc[0];
  const lnmL = 2 * acc[1];
  if (e === 0) return lnmH + lnmL;
  // e·ln2 as double-double: e·LN2_HI exactly split, plus e·LN2_LO.
  twoProd(e, LN2_HI, tmp);
  const eh = tmp[0];
  const el = tmp[1] + e * LN2_LO;
  ddAdd(eh, el, lnmH, lnmL, acc);
  return acc[0] + acc[1];
}
