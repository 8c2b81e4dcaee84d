/**
 * MT19937, the engine under both generators GradLens reproduces bit for bit: numpy's legacy
 * `RandomState` (rng.ts) and PyTorch's CPU generator (torchRng.ts). Both seed it with
 * Matsumoto–Nishimura's `init_genrand` (CPython's `random` uses their `init_by_array`) and temper its outputs the same way; they differ only in
 * how they turn the 32-bit outputs into numbers, which stays in their own files.
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

export class Mt19937 {
  private readonly key = new Uint32Array(N);
  private pos = N;

  /** `init_genrand(seed)`: the state for a 32-bit seed; the next output starts a fresh block. */
  protected seedWith(seed: number): void {
    let s = seed >>> 0;
    const key = this.key;
    for (let i = 0; i < N; i++) {
      key[i] = s;
      // 1812433253 * (s ^ (s >>> 30)) + i + 1, modulo 2^32.
      const x = (s ^ (s >>> 30)) >>> 0;
      s = (Math.imul(1812433253, x) + i + 1) >>> 0;
    }
    this.pos = N;
  }

  /**
   * `init_by_array(key)`: the state for a key of 32-bit words (CPython's `random.seed(n)` passes
   * |n| in 32-bit words, least significant first).
   */
  protected seedWithArray(key: readonly number[]): void {
    this.seedWith(19650218);
    const mt = this.key;
    let i = 1;
    let j = 0;
    const len = Math.max(1, key.length);
    for (let k = Math.max(N, len); k > 0; k--) {
      const x = (mt[i - 1] ^ (mt[i - 1] >>> 30)) >>> 0;
      mt[i] = ((mt[i] ^ Math.imul(x, 1664525)) + (key[j] ?? 0) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const x = (mt[i - 1] ^ (mt[i - 1] >>> 30)) >>> 0;
      mt[i] = ((mt[i] ^ Math.imul(x, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.pos = N;
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
}
