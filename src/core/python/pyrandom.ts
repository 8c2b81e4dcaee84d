/**
 * CPython's `random` module (3.11), bit for bit after `random.seed(n)` for an integer n: the
 * Mersenne Twister seeded by `init_by_array` with |n| in 32-bit words, `random()` as 53-bit
 * doubles, `getrandbits`, and the pure-Python algorithms of Lib/random.py on top of them
 * (`_randbelow` by rejection on `getrandbits(n.bit_length())`, `shuffle`, `choice`, `sample`,
 * `choices`, `uniform`, `gauss` with its cached second value, `normalvariate`, `expovariate`).
 * micrograd's `Neuron` draws its weights with `random.uniform(-1, 1)`.
 */
import type { Span } from '../span';
import { glibcLog } from '../tensor/libmLog';
import { Mt19937 } from '../tensor/mt19937';
import type { Interp } from './interp';
import { PyError, PyList, PyModuleObj, PyNative, PyTensor, PyTuple, Skip, int, isIntLike, num, type CallSite, type PyVal } from './values';

export class CPythonRandom extends Mt19937 {
  /** False until `random.seed(n)`: CPython seeds from the OS at start-up, so earlier draws are GradLens's own. */
  seeded = false;
  private gaussNext: number | undefined;

  constructor() {
    super();
    this.seedWithArray([0]);
  }

  /** `random.seed(n)` for an integer n (CPython's `random_seed`: init_by_array of |n| in 32-bit words). */
  seed(n: number): void {
    let a = Math.abs(n);
    const key: number[] = [];
    while (a > 0) {
      key.push(a % 0x100000000);
      a = Math.floor(a / 0x100000000);
    }
    this.seedWithArray(key.length ? key : [0]);
    this.gaussNext = undefined;
    this.seeded = true;
  }

  /** random(): (a >> 5) · 2^26 + (b >> 6), over 2^53. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** getrandbits(k), k ≤ 53: 32-bit words, least significant first, the last one shifted right. */
  getrandbits(k: number): number {
    if (k <= 0) return 0;
    if (k <= 32) return this.nextUint32() >>> (32 - k);
    const lo = this.nextUint32();
    const hi = this.nextUint32() >>> (64 - k);
    return hi * 0x100000000 + lo;
  }

  /** _randbelow_with_getrandbits(n), 0 < n < 2^53. */
  below(n: number): number {
    const k = bitLength(n);
    let r = this.getrandbits(k);
    while (r >= n) r = this.getrandbits(k);
    return r;
  }

  gauss(mu: number, sigma: number): number {
    let z = this.gaussNext;
    this.gaussNext = undefined;
    if (z === undefined) {
      const x2pi = this.random() * 2 * Math.PI;
      const g2rad = Math.sqrt(-2 * glibcLog(1 - this.random()));
      z = Math.cos(x2pi) * g2rad;
      this.gaussNext = Math.sin(x2pi) * g2rad;
    }
    return mu + z * sigma;
  }

  normalvariate(mu: number, sigma: number): number {
    const NV_MAGICCONST = (4 * Math.exp(-0.5)) / Math.sqrt(2);
    for (;;) {
      const u1 = this.random();
      const u2 = 1 - this.random();
      const z = (NV_MAGICCONST * (u1 - 0.5)) / u2;
      if ((z * z) / 4 <= -glibcLog(u2)) return mu + z * sigma;
    }
  }
}

function bitLength(n: number): number {
  let k = 0;
  while (n >= 1) {
    n = Math.floor(n / 2);
    k++;
  }
  return k;
}

/** The `random` module over one generator; `onUnseeded` is told of a draw before any `random.seed`. */
export function randomModule(ip: Interp, onUnseeded: (span: Span) => void): PyModuleObj {
  const g = new CPythonRandom();
  const m = new Map<string, PyVal>();
  const fn = (name: string, f: (args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal, draws = true): void => {
    m.set(
      name,
      new PyNative(`random.${name}`, (args, kw, at) => {
        if (draws && !g.seeded) onUnseeded(at.nameSpan);
        return f(args, kw, at);
      }),
    );
  };
  const number = (v: PyVal | undefined, at: CallSite, fallback?: number): number => (v === undefined ? fallback! : num(ip.toNumber(v, at.span)));
  const index = (v: PyVal, at: CallSite): number => {
    const x = num(ip.toNumber(v, at.span));
    if (!Number.isInteger(x)) throw new PyError('TypeError', `'float' object cannot be interpreted as an integer`, at.span);
    if (!Number.isSafeInteger(x)) throw new Skip('random with integers beyond 2^53 is not followed');
    return x;
  };
  const below = (n: number): number => {
    if (n >= 2 ** 53) throw new Skip('random with integers beyond 2^53 is not followed');
    return g.below(n);
  };
  const randrange = (args: PyVal[], at: CallSite): number => {
    const start = index(args[0], at);
    if (args[1] === undefined || args[1] === null) {
      if (start > 0) return below(start);
      throw new PyError('ValueError', 'empty range for randrange()', at.span);
    }
    const stop = index(args[1], at);
    const step = args[2] === undefined ? 1 : index(args[2], at);
    const width = stop - start;
    if (step === 1) {
      if (width > 0) return start + below(width);
      throw new PyError('ValueError', `empty range for randrange() (${start}, ${stop}, ${width})`, at.span);
    }
    if (step === 0) throw new PyError('ValueError', 'zero step for randrange()', at.span);
    const n = step > 0 ? Math.floor((width + step - 1) / step) : Math.floor((width + step + 1) / step);
    if (n <= 0) throw new PyError('ValueError', 'empty range for randrange()', at.span);
    return start + step * below(n);
  };
  const sequence = (v: PyVal, at: CallSite): PyVal[] => (v instanceof PyList || v instanceof PyTuple ? [...v.items] : ip.iterate(v, at.span));

  fn(
    'seed',
    (args, _kw, at) => {
      const a = args[0];
      if (a === undefined || a === null) throw new Skip('random.seed() without a number seeds from the system clock');
      if (!isIntLike(a)) throw new Skip('random.seed with a string or float is not followed (give it an integer)');
      g.seed(num(a));
      void at;
      return null;
    },
    false,
  );
  fn('random', () => g.random());
  fn('uniform', (args, _kw, at) => {
    const a = number(args[0], at);
    const b = number(args[1], at);
    return a + (b - a) * g.random();
  });
  fn('randrange', (args, _kw, at) => int(randrange(args, at)));
  fn('randint', (args, _kw, at) => int(randrange([args[0], int(index(args[1], at) + 1)], at)));
  fn('getrandbits', (args, _kw, at) => {
    const k = index(args[0], at);
    if (k < 0) throw new PyError('ValueError', 'number of bits must be non-negative', at.span);
    if (k > 53) throw new Skip('getrandbits beyond 53 bits is not followed');
    return int(g.getrandbits(k));
  });
  fn('choice', (args, _kw, at) => {
    const seq = args[0];
    if (seq instanceof PyTensor) throw new Skip('random.choice of an array is not followed');
    const items = sequence(seq, at);
    if (!items.length) throw new PyError('IndexError', 'Cannot choose from an empty sequence', at.span);
    return items[below(items.length)];
  });
  fn('shuffle', (args, _kw, at) => {
    const x = args[0];
    if (!(x instanceof PyList)) throw new Skip('random.shuffle of anything but a list is not followed');
    for (let i = x.items.length - 1; i >= 1; i--) {
      const j = below(i + 1);
      [x.items[i], x.items[j]] = [x.items[j], x.items[i]];
    }
    void at;
    return null;
  });
  fn('sample', (args, kw, at) => {
    const population = sequence(args[0], at);
    const k = index(args[1] ?? kw.get('k') ?? int(0), at);
    const n = population.length;
    if (k < 0 || k > n) throw new PyError('ValueError', 'Sample larger than population or is negative', at.span);
    const result: PyVal[] = new Array(k);
    let setsize = 21;
    if (k > 5) setsize += 4 ** Math.ceil(glibcLog(k * 3) / glibcLog(4));
    if (n <= setsize) {
      const pool = population.slice();
      for (let i = 0; i < k; i++) {
        const j = below(n - i);
        result[i] = pool[j];
        pool[j] = pool[n - i - 1];
      }
    } else {
      const selected = new Set<number>();
      for (let i = 0; i < k; i++) {
        let j = below(n);
        while (selected.has(j)) j = below(n);
        selected.add(j);
        result[i] = population[j];
      }
    }
    return new PyList(result);
  });
  fn('choices', (args, kw, at) => {
    const population = sequence(args[0], at);
    const weights = args[1] ?? kw.get('weights') ?? null;
    const cumV = kw.get('cum_weights') ?? null;
    const k = index(kw.get('k') ?? int(1), at);
    const n = population.length;
    if (weights === null && cumV === null) return new PyList(Array.from({ length: k }, () => population[Math.floor(g.random() * n)]));
    let cum: number[];
    if (cumV !== null) cum = sequence(cumV, at).map((w) => number(w, at));
    else {
      let acc = 0;
      cum = sequence(weights!, at).map((w) => (acc += number(w, at)));
    }
    if (cum.length !== n) throw new PyError('ValueError', 'The number of weights does not match the population', at.span);
    const total = cum[n - 1];
    if (!(total > 0)) throw new PyError('ValueError', 'Total of weights must be greater than zero', at.span);
    const hi = n - 1;
    return new PyList(
      Array.from({ length: k }, () => {
        // bisect.bisect_right(cum, random() * total, 0, hi)
        const x = g.random() * total;
        let lo = 0;
        let h = hi;
        while (lo < h) {
          const mid = (lo + h) >> 1;
          if (x < cum[mid]) h = mid;
          else lo = mid + 1;
        }
        return population[lo];
      }),
    );
  });
  fn('gauss', (args, kw, at) => g.gauss(number(args[0] ?? kw.get('mu'), at, 0), number(args[1] ?? kw.get('sigma'), at, 1)));
  fn('normalvariate', (args, kw, at) => g.normalvariate(number(args[0] ?? kw.get('mu'), at, 0), number(args[1] ?? kw.get('sigma'), at, 1)));
  fn('expovariate', (args, _kw, at) => -glibcLog(1 - g.random()) / number(args[0], at));
  return new PyModuleObj('random', m);
}
