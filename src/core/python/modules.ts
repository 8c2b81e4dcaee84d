/**
 * The modules a student's file imports: `math`, `numpy` (with `np.random`) and `torch` (with
 * `torch.nn`, `torch.nn.functional`, `torch.optim` from nn.ts), and the attributes and
 * methods of arrays and tensors (`x.shape`, `x.T`, `.item()`, `.backward()`, `.grad`, …).
 * Every numpy/torch function GradLens has in its built-in table is reachable under its
 * library name; the rest are unknown with one hint naming them.
 */
import { K } from '../autodiff/tape';
import { glibcLog } from '../tensor/libmLog';
import { createRng } from '../tensor/rng';
import { torchRand, torchRandint, torchRandn, torchRandperm } from '../tensor/torchRng';
import { formatShape, numel, tensor, type Tensor } from '../tensor/tensor';
import { findBuiltin, type Rng } from '../builtins/types';
import type { Span } from '../span';
import type { Interp } from './interp';
import { TorchSize, dtypeIsInt, type Tensors } from './tensors';
import { installNumpyExtras, numpyLinalg } from './numpyExtra';
import { splitFns } from './splits';
import {
  PyClass,
  PyError,
  PyInstance,
  PyList,
  PyModuleObj,
  PyNamedTuple,
  PyNative,
  PyOpaque,
  PyTensor,
  PyTuple,
  Skip,
  int,
  isIntLike,
  isNumber,
  num,
  type CallSite,
  type PyVal,
} from './values';

type Fn = (args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal;

/** What the analysis wants to hear about (run.ts). */
export interface TensorEvents {
  /** `.backward()` ran from `root`. */
  backward(root: PyTensor, at: CallSite): void;
  /** `.grad` was read at module level. */
  gradRead(t: PyTensor, grad: PyTensor | null, span: Span): void;
  /** Random numbers that are GradLens's own (torch's generator is not reproduced yet). */
  ownRandom(span: Span): void;
}

export function mathModule(ip: Interp): PyModuleObj {
  const m = new Map<string, PyVal>();
  const f = (name: string, fn: (...xs: number[]) => number, intResult = false): void => {
    m.set(name, new PyNative(`math.${name}`, (args, _kw, at) => {
      const xs = args.map((a) => num(ip.toNumber(a, at.span)));
      for (const x of xs) if (Number.isNaN(x) && name !== 'isnan') return NaN;
      const r = fn(...xs);
      if (Number.isNaN(r) && !xs.some(Number.isNaN)) throw new PyError('ValueError', 'math domain error', at.span);
      return intResult ? int(r) : r;
    }));
  };
  f('sqrt', Math.sqrt);
  f('exp', Math.exp);
  // CPython's math.log is the C library's; glibc's, bit for bit (libmLog.ts). log(x, b) = log(x) / log(b), as CPython computes it.
  f('log', (x, b) => (x <= 0 ? NaN : b === undefined ? glibcLog(x) : glibcLog(x) / glibcLog(b)));
  f('log2', (x) => (x <= 0 ? NaN : Math.log2(x)));
  f('log10', (x) => (x <= 0 ? NaN : Math.log10(x)));
  f('log1p', Math.log1p);
  f('expm1', Math.expm1);
  for (const n of ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'atan2', 'hypot'] as const) f(n, Math[n] as (...xs: number[]) => number);
  f('fabs', Math.abs);
  f('pow', (a, b) => a ** b);
  f('floor', Math.floor, true);
  f('ceil', Math.ceil, true);
  f('trunc', Math.trunc, true);
  // Integer combinatorics, exact while the result stays below 2^53.
  const exactInt = (name: string, fn: (...xs: number[]) => number, anySign = false): void => {
    m.set(name, new PyNative(`math.${name}`, (args, _kw, at) => {
      const xs = args.map((a) => {
        if (!isIntLike(a)) throw new PyError('TypeError', `'float' object cannot be interpreted as an integer`, at.span);
        const x = num(a);
        if (x < 0 && !anySign) throw new PyError('ValueError', `${name}() not defined for negative values`, at.span);
        return Math.abs(x);
      });
      const r = fn(...xs);
      if (!Number.isSafeInteger(r)) throw new Skip(`math.${name} beyond 2^53 is not followed`);
      return int(r);
    }));
  };
  const falling = (n: number, k: number): number => {
    let r = 1;
    for (let i = 0; i < k; i++) r *= n - i;
    return r;
  };
  exactInt('factorial', (n) => falling(n, n));
  exactInt('perm', (n, k = n) => (k > n ? 0 : falling(n, k)));
  exactInt('comb', (n, k) => {
    if (k > n) return 0;
    k = Math.min(k, n - k);
    let r = 1;
    for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
    return Math.round(r);
  });
  exactInt('gcd', (...xs) => xs.reduce((a, b) => {
    while (b) [a, b] = [b, a % b];
    return a;
  }, 0), true);
  f('degrees', (x) => (x * 180) / Math.PI);
  f('radians', (x) => (x * Math.PI) / 180);
  m.set('isnan', new PyNative('math.isnan', (a, _k, at) => Number.isNaN(num(ip.toNumber(a[0], at.span)))));
  m.set('isinf', new PyNative('math.isinf', (a, _k, at) => Math.abs(num(ip.toNumber(a[0], at.span))) === Infinity));
  m.set('isfinite', new PyNative('math.isfinite', (a, _k, at) => Number.isFinite(num(ip.toNumber(a[0], at.span)))));
  m.set('isclose', new PyNative('math.isclose', (a, kw, at) => {
    const [x, y] = a.map((v) => num(ip.toNumber(v, at.span)));
    const rel = kw.has('rel_tol') ? num(ip.toNumber(kw.get('rel_tol')!, at.span)) : 1e-9;
    const abs = kw.has('abs_tol') ? num(ip.toNumber(kw.get('abs_tol')!, at.span)) : 0;
    return x === y || Math.abs(x - y) <= Math.max(rel * Math.max(Math.abs(x), Math.abs(y)), abs);
  }));
  m.set('fsum', new PyNative('math.fsum', (a, _k, at) => ip.iterate(a[0], at.span).reduce<number>((s, v) => s + num(ip.toNumber(v, at.span)), 0)));
  m.set('prod', new PyNative('math.prod', (a, _k, at) => ip.iterate(a[0], at.span).reduce<PyVal>((s, v) => ip.binop('*', s, v, at.span), int(1))));
  m.set('pi', Math.PI);
  m.set('e', Math.E);
  m.set('tau', 2 * Math.PI);
  m.set('inf', Infinity);
  m.set('nan', NaN);
  return new PyModuleObj('math', m);
}

/** Shared by numpy and torch: functions written in terms of the built-in table or as constants. */
/** PyTorch's dtype aliases print as their canonical names (`torch.long` is `torch.int64`). */
const TORCH_DTYPE_NAMES: Record<string, string> = { long: 'int64', float: 'float32', double: 'float64' };

function common(ip: Interp, T: Tensors, lib: 'np' | 'torch', m: Map<string, PyVal>, ev: TensorEvents): void {
  const fn = (name: string, f: Fn): void => {
    m.set(name, new PyNative(`${lib}.${name}`, f));
  };
  const like = (fill: number | 'rand' | 'randn'): Fn => (args, kw, at) => {
    const x = args[0] instanceof PyTensor ? args[0] : new PyTensor(T.toNode(args[0], at.span), lib);
    const shape = T.shape(x).slice();
    const t = tensor(shape);
    if (typeof fill === 'number') t.data.fill(fill);
    else t.data.set(fill === 'rand' ? T.rng().rand(t.data.length) : T.rng().randn(t.data.length));
    const dtype = kw.get('dtype');
    const isInt = dtype !== undefined && dtype !== null ? dtypeIsInt(dtype) : x.isInt;
    return new PyTensor(T.ev.constant(t, at.span), x.lib, false, true, isInt && typeof fill === 'number');
  };
  fn('zeros_like', like(0));
  fn('ones_like', like(1));
  fn('max', extremum(ip, T, 'max', lib));
  fn('min', extremum(ip, T, 'min', lib));
  fn('amax', extremum(ip, T, 'max', 'np'));
  fn('amin', extremum(ip, T, 'min', 'np'));
  fn('argmax', argReduce(ip, T, 'max', lib));
  fn('argmin', argReduce(ip, T, 'min', lib));
  fn('allclose', (args, kw, at) => {
    const [a, b] = args.map((x) => T.tape.value(T.toNode(x, at.span)));
    const rtol = kw.has('rtol') ? num(ip.toNumber(kw.get('rtol')!, at.span)) : args[2] !== undefined ? num(ip.toNumber(args[2], at.span)) : 1e-5;
    const atol = kw.has('atol') ? num(ip.toNumber(kw.get('atol')!, at.span)) : args[3] !== undefined ? num(ip.toNumber(args[3], at.span)) : 1e-8;
    const n = Math.max(a.data.length, b.data.length);
    for (let k = 0; k < n; k++) {
      const x = a.data[a.data.length === 1 ? 0 : k];
      const y = b.data[b.data.length === 1 ? 0 : k];
      if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
    }
    return true;
  });
  m.set('pi', Math.PI);
  m.set('e', Math.E);
  m.set('inf', Infinity);
  m.set('nan', NaN);
  for (const d of ['float32', 'float64', 'int64', 'int32', 'long', 'float', 'double', 'bool', 'uint8', 'float16']) {
    const label = `${lib === 'np' ? 'numpy' : 'torch'}.${lib === 'torch' ? (TORCH_DTYPE_NAMES[d] ?? d) : d}`;
    // numpy's scalar types convert a number: np.float64(x), np.int64(3) (a PyTorch dtype is not callable).
    m.set(d, new PyOpaque(label, lib === 'np' && d !== 'bool' ? numpyScalar(ip, d) : undefined));
  }
  void ev;
}

function argReduce(ip: Interp, T: Tensors, which: 'max' | 'min', lib: 'np' | 'torch'): Fn {
  return (args, kw, at) => {
    const x = args[0] instanceof PyTensor ? args[0] : new PyTensor(T.toNode(args[0], at.span), lib);
    const axisV = args[1] ?? kw.get('axis') ?? kw.get('dim') ?? null;
    const t = T.value(x);
    const better = which === 'max' ? (a: number, b: number) => a > b || (Number.isNaN(a) && !Number.isNaN(b)) : (a: number, b: number) => a < b || (Number.isNaN(a) && !Number.isNaN(b));
    if (axisV === null) {
      let best = 0;
      for (let k = 1; k < t.data.length; k++) if (better(t.data[k], t.data[best])) best = k;
      return new PyTensor(T.ev.constant(tensor([], [best]), at.span), x.lib, false, true, true);
    }
    let axis = num(ip.toNumber(axisV, at.span));
    const nd = t.shape.length;
    if (axis < 0) axis += nd;
    if (axis < 0 || axis >= nd) throw new PyError('IndexError', `axis ${axis} is out of bounds for an array of dimension ${nd}`, at.span);
    const outer = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
    const n = t.shape[axis];
    const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    const out = tensor([...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)]);
    for (let o = 0; o < outer; o++)
      for (let i = 0; i < inner; i++) {
        let best = 0;
        for (let k = 1; k < n; k++) if (better(t.data[(o * n + k) * inner + i], t.data[(o * n + best) * inner + i])) best = k;
        out.data[o * inner + i] = best;
      }
    T.ev.spend(t.data.length, at.span);
    const keep = kw.get('keepdim') ?? kw.get('keepdims');
    const shaped = keep !== undefined && ip.truthOf(keep, at.span) ? tensor([...t.shape.slice(0, axis), 1, ...t.shape.slice(axis + 1)], out.data) : out;
    return new PyTensor(T.ev.constant(shaped, at.span), x.lib, false, true, true);
  };
}

/**
 * max/min as each library reads its arguments: `torch.max(x, 1)` and `x.max(dim=1)` give the
 * named tuple (values, indices); `torch.max(a, b)` with a tensor b is the element-wise maximum;
 * numpy's second positional argument is the axis (`np.max(a, 1)`).
 */
function extremum(ip: Interp, T: Tensors, which: 'max' | 'min', lib: 'np' | 'torch'): Fn {
  const def = findBuiltin(which)!;
  const arg = argReduce(ip, T, which, lib);
  return (args, kw, at) => {
    const [x, second] = args;
    const other = second instanceof PyTensor && !(T.shape(second).length === 0 && second.isInt) ? second : kw.get('other');
    if (other !== undefined) return T.callBuiltin(def, [x, other], new Map(), at, T.libOf(x, other));
    const dim = second ?? kw.get('dim') ?? kw.get('axis');
    const keep = kw.get('keepdim') ?? kw.get('keepdims');
    const reduceKw = new Map<string, PyVal>();
    if (dim !== undefined && dim !== null) reduceKw.set('axis', dim);
    if (keep !== undefined) reduceKw.set('keepdims', keep);
    for (const [k, v] of kw) if (!['dim', 'axis', 'keepdim', 'keepdims', 'other'].includes(k)) reduceKw.set(k, v);
    const values = T.callBuiltin(def, [x], reduceKw, at, lib);
    const tensorLib = x instanceof PyTensor ? x.lib : lib;
    if (tensorLib !== 'torch' || dim === undefined || dim === null) return values;
    const indices = arg([x, dim], keep === undefined ? new Map() : new Map([['keepdim', keep]]), at);
    return new PyNamedTuple(`torch.return_types.${which}`, ['values', 'indices'], [values, indices]);
  };
}

/** `np.float64(x)`, `np.int64(x)`, `np.float32(x)`: the number as that scalar type (held as a Python int or float). */
function numpyScalar(ip: Interp, d: string): Fn {
  return (args, _kw, at) => {
    const v = args[0] ?? int(0);
    if (v instanceof PyTensor && ip.tensors.len(v) !== 1) throw new Skip(`np.${d}(array) is not supported; use \`x.astype(np.${d})\``);
    const x = num(ip.toNumber(v, at.span));
    if (/int/.test(d)) return int(Math.trunc(x));
    return d === 'float32' ? Math.fround(x) : x;
  };
}

/** np.dot and ndarray.dot: the inner product of 1-D arrays, a matrix product otherwise, a product with a scalar. */
function numpyDot(ip: Interp, T: Tensors): Fn {
  return (args, kw, at) => {
    const [a, b] = args;
    const nd = (v: PyVal): number => (v instanceof PyTensor ? T.shape(v).length : isNumber(v) ? 0 : T.tape.shape(T.toNode(v, at.span)).length);
    const name = nd(a) === 0 || nd(b) === 0 ? 'mul' : nd(a) === 1 && nd(b) === 1 ? 'dot' : 'matmul';
    if (name === 'mul') return ip.binop('*', a, b, at.span);
    return T.callBuiltin(findBuiltin(name)!, args, kw, at, 'np');
  };
}

export function numpyModule(ip: Interp, T: Tensors, ev: TensorEvents): PyModuleObj {
  const m = new Map<string, PyVal>();
  common(ip, T, 'np', m, ev);
  const fn = (name: string, f: Fn): void => {
    m.set(name, new PyNative(`np.${name}`, f));
  };
  const array: Fn = (args, kw, at) => {
    const v = args[0];
    if (v instanceof PyTensor) return new PyTensor(T.ev.constant(copyT(T.value(v)), at.span), 'np', false, true, v.isInt);
    const t = T.fromNested(v, at.span);
    const dtype = kw.get('dtype');
    const isInt = dtype instanceof PyOpaque ? /int/.test(dtype.label) : T.allInts(v);
    return new PyTensor(T.ev.constant(t, at.span), 'np', false, true, isInt);
  };
  fn('array', array);
  fn('asarray', array);
  fn('dot', numpyDot(ip, T));
  const sp = splitFns(ip, T);
  fn('split', sp.npSplit);
  fn('array_split', sp.npArraySplit);
  installNumpyExtras(ip, T, m);
  // np.linalg.norm and the rest of the table's `linalg.*` functions.
  m.set('linalg', new PyModuleObj('numpy.linalg', numpyLinalg(ip, T), (name) => T.builtinFn(`linalg.${name}`, 'np', `np.linalg.${name}`)));
  m.set('newaxis', null);
  const random = new Map<string, PyVal>();
  const rfn = (name: string, f: Fn): void => {
    random.set(name, new PyNative(`np.random.${name}`, f));
  };
  rfn('seed', (args, _kw, at) => {
    T.npRng = createRng(num(ip.toNumber(args[0] ?? int(0), at.span)) >>> 0);
    return null;
  });
  const draw = (kind: 'randn' | 'rand'): Fn => (args, _kw, at) => {
    const shape = T.ints(args, at.span);
    const n = numel(shape);
    T.ev.spend(n, at.span);
    const data = kind === 'randn' ? T.rng().randn(n) : T.rng().rand(n);
    if (!shape.length) return data[0];
    return new PyTensor(T.ev.constant(tensor(shape, data), at.span), 'np');
  };
  rfn('randn', draw('randn'));
  rfn('rand', draw('rand'));
  rfn('random', (args, kw, at) => draw('rand')(args.length ? T.ints(args, at.span).map(int) : kw.has('size') ? T.ints([kw.get('size')!], at.span).map(int) : [], new Map(), at));
  // The legacy RandomState's distributions, draw for draw: normal = loc + scale·gauss, uniform = low + (high − low)·double.
  const sizeOf = (v: PyVal | undefined, at: CallSite): number[] | null => (v === undefined || v === null ? null : T.ints([v], at.span));
  const scalarArg = (v: PyVal | undefined, fallback: number, what: string, at: CallSite): number => {
    if (v === undefined || v === null) return fallback;
    if (v instanceof PyTensor && T.shape(v).length > 0) throw new Skip(`np.random.${what} with array parameters is not followed`);
    return num(ip.toNumber(v, at.span));
  };
  const drawn = (shape: number[] | null, data: Float64Array, at: CallSite, isInt = false): PyVal => {
    if (shape === null) return isInt ? int(data[0]) : data[0];
    return new PyTensor(T.ev.constant(tensor(shape, data), at.span), 'np', false, true, isInt);
  };
  const count = (shape: number[] | null, at: CallSite): number => {
    const n = shape === null ? 1 : numel(shape);
    T.ev.spend(n, at.span);
    return n;
  };
  rfn('normal', (args, kw, at) => {
    const loc = scalarArg(args[0] ?? kw.get('loc'), 0, 'normal', at);
    const scale = scalarArg(args[1] ?? kw.get('scale'), 1, 'normal', at);
    const shape = sizeOf(args[2] ?? kw.get('size'), at);
    return drawn(shape, T.rng().randn(count(shape, at)).map((g) => loc + scale * g), at);
  });
  rfn('standard_normal', (args, kw, at) => {
    const shape = sizeOf(args[0] ?? kw.get('size'), at);
    return drawn(shape, T.rng().randn(count(shape, at)), at);
  });
  rfn('uniform', (args, kw, at) => {
    const low = scalarArg(args[0] ?? kw.get('low'), 0, 'uniform', at);
    const high = scalarArg(args[1] ?? kw.get('high'), 1, 'uniform', at);
    const shape = sizeOf(args[2] ?? kw.get('size'), at);
    return drawn(shape, T.rng().rand(count(shape, at)).map((u) => low + (high - low) * u), at);
  });
  rfn('random_sample', (args, kw, at) => {
    const shape = sizeOf(args[0] ?? kw.get('size'), at);
    return drawn(shape, T.rng().rand(count(shape, at)), at);
  });
  // choice: randint(0, n, size) with replacement, permutation(n)[:size] without, a searchsorted of uniform draws in p's cdf with p.
  rfn('choice', (args, kw, at) => {
    const a = args[0];
    const shape = sizeOf(args[1] ?? kw.get('size'), at);
    const replaceV = args[2] ?? kw.get('replace');
    const replace = replaceV === undefined || ip.truthOf(replaceV, at.span);
    const pV = args[3] ?? kw.get('p') ?? null;
    const pool = isIntLike(a) ? null : T.asArray(a, 'np', at.span);
    if (pool && T.shape(pool).length !== 1) throw new PyError('ValueError', 'a must be 1-dimensional', at.span);
    const n = pool ? T.shape(pool)[0] : num(ip.toNumber(a, at.span));
    if (n <= 0) throw new PyError('ValueError', "'a' cannot be empty unless no samples are taken", at.span);
    const cnt = count(shape, at);
    const rng = T.rng();
    const idx = new Float64Array(cnt);
    if (pV !== null) {
      if (!replace) throw new Skip('np.random.choice without replacement and with p is not followed');
      const p = T.value(new PyTensor(T.toNode(pV, at.span), 'np')).data;
      if (p.length !== n) throw new PyError('ValueError', "'a' and 'p' must have same size", at.span);
      const cdf = new Float64Array(n);
      let acc = 0;
      for (let k = 0; k < n; k++) cdf[k] = acc += p[k];
      for (let k = 0; k < n; k++) cdf[k] /= cdf[n - 1];
      const u = rng.rand(cnt);
      for (let i = 0; i < cnt; i++) {
        let lo = 0;
        let hi = n;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (cdf[mid] <= u[i]) lo = mid + 1;
          else hi = mid;
        }
        idx[i] = lo;
      }
    } else if (replace) {
      if (!rng.interval) throw new Skip('np.random.choice needs the generator interface (not available)');
      for (let i = 0; i < cnt; i++) idx[i] = rng.interval(n - 1);
    } else {
      if (cnt > n) throw new PyError('ValueError', "Cannot take a larger sample than population when 'replace=False'", at.span);
      const perm = rng.permutation(n);
      for (let i = 0; i < cnt; i++) idx[i] = perm[i];
    }
    if (!pool) return drawn(shape, idx, at, true);
    const values = T.value(pool).data;
    return drawn(shape, idx.map((k) => values[k]), at, pool.isInt);
  });
  // permutation(n) shuffles arange(n); permutation(x) a copy of x along its first axis; shuffle(x) x itself (Fisher–Yates from the end).
  const permuted = (t: PyTensor, at: CallSite): PyTensor => {
    const v = T.value(t);
    if (!v.shape.length) throw new PyError('ValueError', 'x must be an integer or at least 1-dimensional', at.span);
    const perm = T.rng().permutation(v.shape[0]);
    const row = v.data.length / v.shape[0];
    T.ev.spend(v.data.length, at.span);
    const out = tensor(v.shape.slice());
    for (let i = 0; i < perm.length; i++) out.data.set(v.data.subarray(perm[i] * row, (perm[i] + 1) * row), i * row);
    return new PyTensor(T.ev.constant(out, at.span), t.lib, false, true, t.isInt);
  };
  rfn('permutation', (args, _kw, at) => {
    const a = args[0];
    if (isIntLike(a)) {
      const p = T.rng().permutation(num(a));
      return new PyTensor(T.ev.constant(tensor([p.length], Float64Array.from(p)), at.span), 'np', false, true, true);
    }
    return permuted(T.asArray(a, 'np', at.span), at);
  });
  rfn('shuffle', (args, _kw, at) => {
    const x = args[0];
    if (x instanceof PyList) {
      const perm = T.rng().permutation(x.items.length);
      const items = x.items.slice();
      x.items = Array.from(perm, (k) => items[k]);
      return null;
    }
    if (!(x instanceof PyTensor)) throw new PyError('TypeError', 'shuffle takes an array or a list', at.span);
    T.inplace(x, permuted(x, at), at.span);
    return null;
  });
  rfn('randint', (args, kw, at) => {
    let lo = num(ip.toNumber(args[0], at.span));
    let hi = args[1] !== undefined && args[1] !== null ? num(ip.toNumber(args[1], at.span)) : kw.has('high') ? num(ip.toNumber(kw.get('high')!, at.span)) : undefined;
    if (hi === undefined) {
      hi = lo;
      lo = 0;
    }
    const sizeV = args[2] ?? kw.get('size') ?? null;
    const shape = sizeV === null ? [] : T.ints([sizeV], at.span);
    const rng = T.rng() as Rng & { interval?: (max: number) => number };
    if (!rng.interval) throw new Skip('np.random.randint needs the generator interface (not available)');
    const n = numel(shape);
    const data = new Float64Array(n);
    for (let k = 0; k < n; k++) data[k] = lo + rng.interval(hi - lo - 1);
    if (!shape.length) return int(data[0]);
    return new PyTensor(T.ev.constant(tensor(shape, data), at.span), 'np', false, true, true);
  });
  m.set('random', new PyModuleObj('numpy.random', random));
  return new PyModuleObj('numpy', m, (name) => T.builtinFn(name, 'np', `np.${name}`));
}

function copyT(t: Tensor): Tensor {
  return { shape: t.shape.slice(), data: Float64Array.from(t.data) };
}

export function torchModule(ip: Interp, T: Tensors, ev: TensorEvents, nn: PyModuleObj, F: PyModuleObj, optim: PyModuleObj): PyModuleObj {
  const m = new Map<string, PyVal>();
  common(ip, T, 'torch', m, ev);
  const fn = (name: string, f: Fn): void => {
    m.set(name, new PyNative(`torch.${name}`, f));
  };
  fn('tensor', (args, kw, at) => {
    const v = args[0];
    const t = v instanceof PyTensor ? copyT(T.value(v)) : T.fromNested(v, at.span);
    const dtype = kw.get('dtype');
    const isInt = dtype instanceof PyOpaque ? /int|long/.test(dtype.label) : v instanceof PyTensor ? v.isInt : T.allInts(v);
    const req = kw.has('requires_grad') && ip.truthOf(kw.get('requires_grad')!, at.span);
    if (req && isInt) throw new PyError('RuntimeError', 'Only Tensors of floating point dtype can require gradients', at.span);
    const node = req ? T.tape.leaf(t, K.PARAM, at.span.start, at.span.end) : T.ev.constant(t, at.span);
    const out = new PyTensor(node, 'torch', req, true, isInt);
    if (req) T.leaves.push(out);
    return out;
  });
  m.set('from_numpy', m.get('tensor')!);
  m.set('as_tensor', m.get('tensor')!);
  fn('manual_seed', (args, _kw, at) => {
    T.torchGen.manualSeed(num(ip.toNumber(args[0], at.span)));
    return null;
  });
  // PyTorch's CPU generator bit for bit (float32 draws, computed on in float64).
  const draw = (kind: 'randn' | 'rand'): Fn => (args, kw, at) => {
    const shape = T.ints(args, at.span);
    const n = numel(shape);
    T.ev.spend(n, at.span);
    // Before any torch.manual_seed PyTorch's numbers are random at start-up: say these are GradLens's own.
    if (!T.torchGen.seeded) ev.ownRandom(at.nameSpan);
    const d = kw.get('dtype');
    const dtype = d instanceof PyOpaque && /float64|double/.test(d.label) ? 'float64' : 'float32';
    const data = kind === 'randn' ? torchRandn(T.torchGen, n, dtype) : torchRand(T.torchGen, n, dtype);
    const req = kw.has('requires_grad') && ip.truthOf(kw.get('requires_grad')!, at.span);
    const node = req ? T.tape.leaf(tensor(shape, data), K.PARAM, at.span.start, at.span.end) : T.ev.constant(tensor(shape, data), at.span);
    const out = new PyTensor(node, 'torch', req, true);
    if (req) T.leaves.push(out);
    return out;
  };
  fn('randn', draw('randn'));
  fn('rand', draw('rand'));
  fn('randint', (args, kw, at) => {
    const xs = args.filter((a) => !(a instanceof PyTuple || a instanceof PyList));
    const sizeV = args.find((a) => a instanceof PyTuple || a instanceof PyList) ?? kw.get('size');
    if (sizeV === undefined) throw new PyError('TypeError', 'randint() missing the size argument (a tuple)', at.span);
    const [low, high] = xs.length === 1 ? [0, num(ip.toNumber(xs[0], at.span))] : [num(ip.toNumber(xs[0], at.span)), num(ip.toNumber(xs[1] ?? kw.get('high')!, at.span))];
    const shape = T.ints([sizeV], at.span);
    if (!T.torchGen.seeded) ev.ownRandom(at.nameSpan);
    const data = torchRandint(T.torchGen, low, high, numel(shape));
    return new PyTensor(T.ev.constant(tensor(shape, data), at.span), 'torch', false, true, true);
  });
  fn('randperm', (args, _kw, at) => {
    const n = num(ip.toNumber(args[0], at.span));
    return new PyTensor(T.ev.constant(tensor([n], torchRandperm(T.torchGen, n)), at.span), 'torch', false, true, true);
  });
  fn('initial_seed', () => int(T.torchGen.seed));
  const sp = splitFns(ip, T);
  fn('split', sp.torchSplit);
  fn('chunk', sp.torchChunk);
  fn('unbind', sp.unbind);
  // torch.autograd.grad(outputs, inputs): first derivatives, without touching .grad.
  m.set('autograd', new PyModuleObj('torch.autograd', new Map<string, PyVal>([['grad', new PyNative('torch.autograd.grad', (args, kw, at) => {
    const outputs = args[0] ?? kw.get('outputs');
    const inputsV = args[1] ?? kw.get('inputs');
    if (kw.has('create_graph') && ip.truthOf(kw.get('create_graph')!, at.span)) throw new Skip('second derivatives (create_graph=True) are not followed');
    if (kw.has('grad_outputs') && kw.get('grad_outputs') !== null) throw new Skip('torch.autograd.grad with grad_outputs is not followed');
    const root = outputs instanceof PyTuple || outputs instanceof PyList ? outputs.items[0] : outputs;
    if ((outputs instanceof PyTuple || outputs instanceof PyList) && outputs.items.length !== 1) throw new Skip('torch.autograd.grad of several outputs is not followed');
    const inputs = inputsV instanceof PyTuple || inputsV instanceof PyList ? [...inputsV.items] : [inputsV];
    if (!(root instanceof PyTensor) || inputs.some((x) => !(x instanceof PyTensor))) throw new PyError('TypeError', 'torch.autograd.grad expects tensors', at.span);
    const allowUnused = kw.has('allow_unused') && ip.truthOf(kw.get('allow_unused')!, at.span);
    return new PyTuple(T.gradients(root, inputs as PyTensor[], allowUnused, at.span));
  })]])));
  const ctxObj = (payload: string): PyInstance => {
    const o = new PyInstance(new PyClass(payload, []));
    o.payload = payload;
    return o;
  };
  fn('no_grad', () => ctxObj('no_grad'));
  fn('enable_grad', () => ctxObj('enable_grad'));
  fn('is_tensor', (a) => a[0] instanceof PyTensor);
  const tensorCls = new PyNative('torch.Tensor', () => {
    throw new Skip('torch.Tensor(...) is not supported (use torch.tensor)');
  });
  (tensorCls as PyNative & { instanceCheck?: (v: PyVal) => boolean }).instanceCheck = (v) => v instanceof PyTensor;
  m.set('Tensor', tensorCls);
  m.set('nn', nn);
  m.set('optim', optim);
  m.set('device', new PyNative('torch.device', (a) => new PyOpaque(`device(type='${String(a[0])}')`)));
  const cuda = new Map<string, PyVal>([['is_available', new PyNative('torch.cuda.is_available', () => false)]]);
  m.set('cuda', new PyModuleObj('torch.cuda', cuda));
  void F;
  return new PyModuleObj('torch', m, (name) => T.builtinFn(name, 'torch', `torch.${name}`));
}

/** Attributes and methods of arrays and tensors. */
export function installTensorMembers(ip: Interp, T: Tensors, ev: TensorEvents): void {
  const attr = (name: string, f: (t: PyTensor, span: Span) => PyVal): void => {
    T.attrs.set(name, f);
  };
  const method = (name: string, f: (t: PyTensor, args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal): void => {
    T.methods.set(name, f);
  };
  attr('shape', (t) => {
    const s = T.shape(t).map((d) => int(d));
    return t.lib === 'torch' ? new TorchSize(s) : new PyTuple(s);
  });
  attr('ndim', (t) => int(T.shape(t).length));
  attr('T', (t, span) => T.wrap(T.ev.apply('permute', [t.node], { perm: [...T.shape(t).keys()].reverse() }, span), t.lib, [t], t.isInt));
  attr('mT', (t, span) => {
    const n = T.shape(t).length;
    const perm = [...Array(n).keys()];
    [perm[n - 1], perm[n - 2]] = [perm[n - 2], perm[n - 1]];
    return T.wrap(T.ev.apply('permute', [t.node], { perm }, span), t.lib, [t], t.isInt);
  });
  attr('grad', (t, span) => {
    ev.gradRead(t, t.grad, span);
    return t.grad;
  });
  attr('requires_grad', (t) => t.requiresGrad);
  attr('is_leaf', (t) => t.isLeaf || !t.requiresGrad);
  attr('dtype', (t) => new PyOpaque(t.lib === 'np' ? (t.isInt ? 'int64' : 'float64') : t.isInt ? 'torch.int64' : 'torch.float32'));
  attr('device', () => new PyOpaque("device(type='cpu')"));
  attr('data', (t) => {
    const d = new PyTensor(t.node, t.lib, false, true, t.isInt);
    (d as PyTensor & { dataOf?: PyTensor }).dataOf = t;
    return d;
  });
  // numpy's `x.size` is the element count; PyTorch's `x.size()` a method (`x.size(0)` the first dimension).
  attr('size', (t) => (t.lib === 'np' ? int(numel(T.shape(t))) : new PyNative('size', (a, _k, at) => torchSize(t, a, at))));
  const torchSize = (t: PyTensor, a: PyVal[], at: CallSite): PyVal => {
    if (!a.length) return sizeMethod(T, t);
    const s = T.shape(t);
    let d = num(ip.toNumber(a[0], at.span));
    if (d < -s.length || d >= s.length) throw new PyError('IndexError', `Dimension out of range (expected to be in range of [${-s.length}, ${s.length - 1}], but got ${d})`, at.span);
    if (d < 0) d += s.length;
    return int(s[d]);
  };
  // `X.dot(W)` on a numpy array is np.dot (a matrix product for 2-D); torch's `t.dot(u)` stays 1-D only.
  const npDot = numpyDot(ip, T);
  const dotDef = findBuiltin('dot')!;
  method('dot', (t, a, k, at) => (t.lib === 'np' ? npDot([t, ...a], k, { ...at, argSpans: [at.nameSpan, ...at.argSpans] }) : T.callBuiltin(dotDef, [t, ...a], k, { ...at, argSpans: [at.nameSpan, ...at.argSpans] }, 'torch')));
  const splits = splitFns(ip, T);
  method('split', (t, a, kw, at) => splits.torchSplit([t, ...a], kw, at));
  method('chunk', (t, a, kw, at) => splits.torchChunk([t, ...a], kw, at));
  method('unbind', (t, a, kw, at) => splits.unbind([t, ...a], kw, at));
  method('item', (t, _a, _k, at) => T.item(t, at.span));
  method('tolist', (t) => toList(T.value(t), t.isInt));
  method('numpy', (t, _a, _k, at) => {
    if (t.requiresGrad) throw new PyError('RuntimeError', "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.", at.span);
    return new PyTensor(t.node, 'np', false, true, t.isInt);
  });
  method('detach', (t, _a, _k, at) => new PyTensor(T.ev.constant(copyT(T.value(t)), at.span), t.lib, false, true, t.isInt));
  const clone = (t: PyTensor, _a: PyVal[], _k: Map<string, PyVal>, at: CallSite): PyVal => T.wrap(T.ev.apply('identity', [t.node], undefined, at.span), t.lib, [t], t.isInt);
  method('clone', clone);
  method('copy', clone);
  method('cpu', (t) => t);
  method('to', (t) => t);
  method('contiguous', (t) => t);
  const cast = (toInt: boolean) => (t: PyTensor, _a: PyVal[], _k: Map<string, PyVal>, at: CallSite): PyVal => {
    if (toInt === t.isInt) return t;
    const v = T.value(t);
    const data = toInt ? v.data.map(Math.trunc) : Float64Array.from(v.data);
    return new PyTensor(T.ev.constant({ shape: v.shape.slice(), data }, at.span), t.lib, false, true, toInt);
  };
  method('float', cast(false));
  method('double', cast(false));
  method('long', cast(true));
  method('int', cast(true));
  method('astype', (t, a, k, at) => {
    const d = a[0];
    const label = d instanceof PyOpaque ? d.label : d instanceof PyNative ? d.name : String(d);
    return cast(/int|long/.test(label))(t, a, k, at);
  });
  method('dim', (t) => int(T.shape(t).length));
  method('view', (t, a, _k, at) => {
    const shape = T.ints(a, at.span);
    const out = T.callBuiltin(findBuiltin('reshape')!, [t, new PyTuple(shape.map(int))], new Map(), at, t.lib);
    (out as PyTensor & { gradFn?: string }).gradFn = 'ViewBackward0';
    return out;
  });
  method('requires_grad_', (t, a, _k, at) => {
    const on = a.length ? ip.truthOf(a[0], at.span) : true;
    if (on && !t.requiresGrad) {
      t.node = T.tape.leaf(copyT(T.value(t)), K.PARAM, at.span.start, at.span.end);
      T.leaves.push(t);
    }
    t.requiresGrad = on;
    return t;
  });
  method('zero_', (t, _a, _k, at) => {
    const v = T.value(t);
    const z = tensor(v.shape);
    t.node = t.requiresGrad ? T.tape.leaf(z, K.PARAM, at.span.start, at.span.end) : T.ev.constant(z, at.span);
    return t;
  });
  method('fill_', (t, a, _k, at) => {
    const v = T.value(t);
    const z = tensor(v.shape);
    z.data.fill(num(ip.toNumber(a[0], at.span)));
    t.node = t.requiresGrad ? T.tape.leaf(z, K.PARAM, at.span.start, at.span.end) : T.ev.constant(z, at.span);
    return t;
  });
  method('backward', (t, a, kw, at) => {
    if (!t.requiresGrad) throw new PyError('RuntimeError', 'element 0 of tensors does not require grad and does not have a grad_fn', at.span);
    const g = a[0] ?? kw.get('gradient') ?? null;
    let root = t;
    if (g !== null) {
      const prod = T.ev.apply('mul', [t.node, T.toNode(g, at.span)], undefined, at.span);
      const s = prod === undefined ? undefined : T.ev.apply('sum', [prod], { axes: null, keepdims: false } as never, at.span);
      if (s === undefined) {
        const sumDef = findBuiltin('sum')!;
        root = T.callBuiltin(sumDef, [T.wrap(prod, 'torch', [t])], new Map(), at, 'torch');
      } else root = T.wrap(s, 'torch', [t]);
    } else if (numel(T.shape(t)) !== 1) throw new PyError('RuntimeError', `grad can be implicitly created only for scalar outputs (the tensor has shape ${formatShape(T.shape(t))})`, at.span);
    T.backward(root, at.span);
    ev.backward(t, at);
    return null;
  });
  method('argmax', (t, a, kw, at) => argReduce(ip, T, 'max', t.lib)([t, ...a], kw, at));
  // `x.masked_fill(mask, v)`: v where the mask holds, x elsewhere (torch.where(mask, v, x)); the gradient reaches x where it is kept.
  const whereDef = findBuiltin('where')!;
  method('masked_fill', (t, a, kw, at) => T.callBuiltin(whereDef, [a[0] ?? kw.get('mask')!, a[1] ?? kw.get('value')!, t], new Map(), at, t.lib));
  method('max', (t, a, kw, at) => extremum(ip, T, 'max', t.lib)([t, ...a], kw, { ...at, argSpans: [at.nameSpan, ...at.argSpans] }));
  method('min', (t, a, kw, at) => extremum(ip, T, 'min', t.lib)([t, ...a], kw, { ...at, argSpans: [at.nameSpan, ...at.argSpans] }));
  method('argmin', (t, a, kw, at) => argReduce(ip, T, 'min', t.lib)([t, ...a], kw, at));
  method('numel', (t) => int(numel(T.shape(t))));
  method('__setattr__', (t, a, _k, at) => {
    if (a[0] === 'requires_grad') return T.methods.get('requires_grad_')!(t, [a[1]], new Map(), at);
    throw new Skip(`setting \`${String(a[0])}\` on a tensor is not followed`);
  });
  void isNumber;
  void PyList;
}

function sizeMethod(T: Tensors, t: PyTensor): PyVal {
  return new TorchSize(T.shape(t).map((d) => int(d)));
}

function toList(t: Tensor, isInt: boolean): PyVal {
  const conv = (x: number): PyVal => (isInt ? int(x) : x);
  if (!t.shape.length) return conv(t.data[0]);
  const rec = (d: number, off: number): PyVal => {
    const n = t.shape[d];
    const size = t.shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const items: PyVal[] = [];
    for (let k = 0; k < n; k++) items.push(d === t.shape.length - 1 ? conv(t.data[off + k]) : rec(d + 1, off + k * size));
    return new PyList(items);
  };
  return rec(0, 0);
}
