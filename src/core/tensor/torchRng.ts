/**
 * PyTorch 1.13's default CPU generator, bit for bit: after `torch.manual_seed(s)`, `torch.rand`,
 * `torch.randn`, `torch.randint`, `torch.randperm` and the default initialisation of
 * `nn.Linear` / `nn.Conv1d` / `nn.Conv2d` give the numbers PyTorch gives on an x86-64 CPU with AVX2.
 *
 * What PyTorch does (ATen `CPUGeneratorImpl`, `core/DistributionsHelper.h`,
 * `core/TransformationHelper.h`, `native/cpu/DistributionTemplates.h`, `native/cpu/avx_mathfun.h`;
 * re-derived here, not copied):
 * - the engine is MT19937 seeded with the low 32 bits of the seed (`init_genrand`); `random()` is
 *   one 32-bit output, `random64()` two outputs, the first as the high word;
 * - a uniform float32 takes the low 24 bits of `random()` times 2^-24, a float64 the low 53 bits
 *   of `random64()` times 2^-53, then `x * (to - from) + from` in the tensor's precision (one
 *   fused multiply-add in float32: the AVX2 build contracts it);
 * - `normal_` on a float32 tensor of 16 or more contiguous elements first fills it with uniform
 *   floats, then turns each chunk of 16 into Gaussians by Box–Muller (u1 = 1 − first eight, u2 = the
 *   next eight: r·cos θ into the first half, r·sin θ into the second), with avx_mathfun's float
 *   polynomials for log and sin/cos; when the size is not a multiple of 16 the last 16 elements
 *   are drawn again and recomputed. Smaller tensors (and float64 ones under 16) draw each element
 *   from the double-precision Box–Muller, which caches its second value (r·sin θ) in the generator
 *   for the next draw; `manual_seed` clears the cache;
 * - `randint(low, high)` is `low + random() % (high − low)`; `randperm(n)` swaps element i with
 *   element i + random() % (n − i), from the front.
 *
 * All results are float32 (or int64) values carried in float64, which is exact. Float64 tensors
 * (`dtype=torch.float64`) take the 53-bit paths; their Gaussians use the double `log`, `sin` and
 * `cos`, which here are glibc's log (libmLog.ts) and the JavaScript engine's sin/cos: these can
 * differ from glibc's in the last bit (GradLens's own numbers in that bit). On CPUs where PyTorch
 * does not use its AVX2 kernels (Apple silicon and other ARM machines, or very old x86), `randn`
 * of 16 or more elements uses the C library's float log/sin/cos instead and its values differ
 * from these in the last bits.
 */
import { glibcLog } from './libmLog';
import { Mt19937 } from './mt19937';


/** PyTorch's default seed when `manual_seed` is never called is random; GradLens uses this one. */
export const TORCH_DEFAULT_SEED = 67280421310721;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fround = Math.fround;
const MIN_SUB = 1.401298464324817e-45; // the smallest float32 subnormal

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0];
}

function fromBits(b: number): number {
  u32[0] = b >>> 0;
  return f32[0];
}

/** A float32 fused multiply-add, a·b + c rounded once (a, b, c float32 values). */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b; // exact in double: 24 + 24 bits
  const s = p + c;
  // Two-sum: the exact error of s.
  const bb = s - p;
  const e = p - (s - bb) + (c - bb);
  const r = fround(s);
  if (e === 0 || r === s) return r;
  // s may sit exactly half-way between r and its neighbour towards s; the error then decides.
  const up = s > r;
  const rb = bitsOf(r);
  const other = r === 0 ? (up ? MIN_SUB : -MIN_SUB) : fromBits((r > 0) === up ? rb + 1 : rb - 1);
  if ((r + other) / 2 !== s) return r;
  return e > 0 ? Math.max(r, other) : Math.min(r, other);
}

/** float32 a·b + c as the AVX2 build computes it (contracted to one rounding). */
const madd = fmaf;

/** The generator: MT19937 plus the cached second Gaussians of the double and float paths. */
export class TorchGenerator extends Mt19937 {
  private nextDoubleNormal: number | undefined;
  /** The seed last set, as `torch.initial_seed()` reports it. */
  seed = 0;
  /** True once `manual_seed` was called: the numbers are PyTorch's. */
  seeded = false;

  constructor(seed: number = TORCH_DEFAULT_SEED) {
    super();
    this.reseed(seed);
    this.seeded = false;
  }

  /** `torch.manual_seed(seed)`: an integer; PyTorch keeps its low 32 bits for MT19937. */
  manualSeed(seed: number): void {
    this.reseed(seed);
    this.seeded = true;
  }

  private reseed(seed: number): void {
    this.seed = seed;
    this.seedWith(low32(seed));
    this.nextDoubleNormal = undefined;
  }

  /** `random()`: one tempered 32-bit output. */
  random(): number {
    return this.nextUint32();
  }

  /** A float32 uniform in [0, 1): the low 24 bits of random() over 2^24. */
  uniformFloat(): number {
    return (this.random() & 0xffffff) / 16777216;
  }

  /** A float64 uniform in [0, 1): the low 53 bits of random64() over 2^53. */
  uniformDouble(): number {
    const hi = this.random();
    const lo = this.random();
    return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
  }

  /** One draw of `at::normal_distribution<double>` (mean 0, std 1), with its cached sine. */
  normalDouble(): number {
    if (this.nextDoubleNormal !== undefined) {
      const r = this.nextDoubleNormal;
      this.nextDoubleNormal = undefined;
      return r;
    }
    const u1 = this.uniformDouble();
    const u2 = this.uniformDouble();
    const r = Math.sqrt(-2 * glibcLog(1 - u2));
    const theta = 2 * Math.PI * u1;
    this.nextDoubleNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

function low32(seed: number): number {
  if (Number.isSafeInteger(seed)) return Number(BigInt.asUintN(32, BigInt(seed)));
  return (Math.trunc(seed) % 4294967296) >>> 0;
}

export type TorchDtype = 'float32' | 'float64';

/** `tensor.uniform_(from, to)` on a fresh tensor of n elements: `torch.rand` is uniform(0, 1). */
export function torchUniform(g: TorchGenerator, n: number, from = 0, to = 1, dtype: TorchDtype = 'float32'): Float64Array {
  const out = new Float64Array(n);
  if (dtype === 'float64') {
    const range = to - from;
    for (let i = 0; i < n; i++) out[i] = g.uniformDouble() * range + from;
    return out;
  }
  const f = fround(from);
  const range = fround(fround(to) - f);
  for (let i = 0; i < n; i++) out[i] = madd(g.uniformFloat(), range, f);
  return out;
}

/** `torch.rand(n)`. */
export function torchRand(g: TorchGenerator, n: number, dtype: TorchDtype = 'float32'): Float64Array {
  return torchUniform(g, n, 0, 1, dtype);
}

/** `torch.randn(n)` = `normal_(0, 1)` on a fresh contiguous tensor of n elements. */
export function torchRandn(g: TorchGenerator, n: number, dtype: TorchDtype = 'float32'): Float64Array {
  return torchNormal(g, n, 0, 1, dtype);
}

/** `tensor.normal_(mean, std)` on a fresh contiguous tensor of n elements. */
export function torchNormal(g: TorchGenerator, n: number, mean = 0, std = 1, dtype: TorchDtype = 'float32'): Float64Array {
  const out = new Float64Array(n);
  if (n >= 16) {
    if (dtype === 'float32') fillNormalFloat(g, out, fround(mean), fround(std));
    else fillNormalDouble(g, out, mean, std);
    return out;
  }
  for (let i = 0; i < n; i++) {
    const v = g.normalDouble() * std + mean;
    out[i] = dtype === 'float32' ? fround(v) : v;
  }
  return out;
}

function fillNormalFloat(g: TorchGenerator, out: Float64Array, mean: number, std: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = g.uniformFloat();
  for (let i = 0; i + 16 <= n; i += 16) boxMullerFloat16(out, i, mean, std);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) out[i] = g.uniformFloat();
    boxMullerFloat16(out, n - 16, mean, std);
  }
}

const TWO_PI_F = fround(2 * Math.PI);

/** normal_fill_16_AVX2: eight Box–Muller pairs in float32 with avx_mathfun's log and sincos. */
function boxMullerFloat16(d: Float64Array, at: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = fround(1 - d[at + j]);
    const u2 = d[at + j + 8];
    const radius = fround(Math.sqrt(fround(-2 * logf(u1))));
    const theta = fround(TWO_PI_F * u2);
    const [s, c] = sincosf(theta);
    d[at + j] = fmaf(fround(radius * c), std, mean);
    d[at + j + 8] = fmaf(fround(radius * s), std, mean);
  }
}

function fillNormalDouble(g: TorchGenerator, out: Float64Array, mean: number, std: number): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = g.uniformDouble();
  const chunk = (at: number): void => {
    for (let j = 0; j < 8; j++) {
      const u1 = 1 - out[at + j];
      const u2 = out[at + j + 8];
      const radius = Math.sqrt(-2 * glibcLog(u1));
      const theta = 2 * Math.PI * u2;
      out[at + j] = radius * Math.cos(theta) * std + mean;
      out[at + j + 8] = radius * Math.sin(theta) * std + mean;
    }
  };
  for (let i = 0; i + 16 <= n; i += 16) chunk(i);
  if (n % 16 !== 0) {
    for (let i = n - 16; i < n; i++) out[i] = g.uniformDouble();
    chunk(n - 16);
  }
}

// avx_mathfun's Cephes-derived float constants (each rounded to float32 as the C initialisers are).
const SQRTHF = fround(0.707106781186547524);
const LOG_P = [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1].map(fround);
const LOG_Q1 = fround(-2.1219444e-4);
const LOG_Q2 = fround(0.693359375);
const MIN_NORM = fromBits(0x00800000);

/** avx_mathfun's log256_ps for one lane (x > 0), with the AVX2 build's fused multiply-adds. */
export function logf(xIn: number): number {
  if (!(xIn > 0)) return NaN;
  let x = Math.max(xIn, MIN_NORM);
  const bits = bitsOf(x);
  let e = fround(((bits >>> 23) - 127) + 1);
  x = fromBits((bits & ~0x7f800000) | 0x3f000000);
  const small = x < SQRTHF;
  const tmp = small ? x : 0;
  x = fround(x - 1);
  if (small) e = fround(e - 1);
  x = fround(x + tmp);
  const z = fround(x * x);
  let y = LOG_P[0];
  for (let k = 1; k < LOG_P.length; k++) y = madd(y, x, LOG_P[k]);
  y = fround(y * x);
  y = madd(y, z, fround(e * LOG_Q1));
  y = madd(-z, 0.5, y);
  x = fround(x + y);
  return madd(e, LOG_Q2, x);
}

const DP1 = fround(-0.78515625);
const DP2 = fround(-2.4187564849853515625e-4);
const DP3 = fround(-3.77489497744594108e-8);
const SIN_P = [-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1].map(fround);
const COS_P = [2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2].map(fround);
const FOPI = fround(1.27323954473516);

/** avx_mathfun's sincos256_ps for one lane: [sin x, cos x], with the AVX2 build's fused multiply-adds. */
export function sincosf(xIn: number): [number, number] {
  const negative = xIn < 0 || Object.is(xIn, -0);
  let x = Math.abs(xIn);
  let j = Math.trunc(fround(x * FOPI)) | 0;
  j = (j + 1) & ~1;
  const y = fround(j);
  const sinFlip = (j & 4) !== 0;
  const cosFlip = ((~(j - 2)) & 4) !== 0;
  const firstPoly = (j & 2) === 0;
  x = madd(y, DP1, x);
  x = madd(y, DP2, x);
  x = madd(y, DP3, x);
  const z = fround(x * x);
  let c = madd(COS_P[0], z, COS_P[1]);
  c = madd(c, z, COS_P[2]);
  c = fround(c * z);
  c = madd(c, z, -fround(z * 0.5));
  c = fround(c + 1);
  let s = madd(SIN_P[0], z, SIN_P[1]);
  s = madd(s, z, SIN_P[2]);
  s = fround(s * z);
  s = madd(s, x, x);
  let sin = firstPoly ? s : c;
  let cos = firstPoly ? c : s;
  if (negative !== sinFlip) sin = -sin;
  if (cosFlip) cos = -cos;
  return [sin, cos];
}

/** `torch.randint(low, high, (n,))`: int64 values low + random() % (high − low). */
export function torchRandint(g: TorchGenerator, low: number, high: number, n: number): Float64Array {
  const range = high - low;
  const out = new Float64Array(n);
  if (range >= 4294967296) {
    const r = BigInt(range);
    for (let i = 0; i < n; i++) {
      const v = (BigInt(g.random()) << 32n) | BigInt(g.random());
      out[i] = Number(v % r) + low;
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = (g.random() % range) + low;
  return out;
}

/** `torch.randperm(n)`. */
export function torchRandperm(g: TorchGenerator, n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = 0; i < n - 1; i++) {
    const z = g.random() % (n - i);
    const t = a[i];
    a[i] = a[z + i];
    a[z + i] = t;
  }
  return a;
}

/**
 * `reset_parameters()` of nn.Linear / nn.Conv* / nn.ConvTranspose*: the weight by
 * `kaiming_uniform_(w, a=sqrt(5))`, i.e. uniform(−b, b) with b = sqrt(3)·sqrt(2 / (1 + a²)) / sqrt(fan_in),
 * then the bias by uniform(−1/sqrt(fan_in), 1/sqrt(fan_in)). `weightShape` as PyTorch stores it
 * ([out, in] or [out, in/groups, *kernel]; [in, out/groups, *kernel] for a transposed convolution);
 * fan_in = shape[1] · prod(kernel), as PyTorch's `_calculate_fan_in_and_fan_out`. `bias` is the bias's
 * length (true: shape[0]; false or 0: none). The bounds are computed in double as Python does, then
 * the draws are float32.
 */
export function torchLayerInit(g: TorchGenerator, weightShape: readonly number[], bias: boolean | number): { weight: Float64Array; bias?: Float64Array } {
  const count = weightShape.reduce((a, b) => a * b, 1);
  const fanIn = weightShape.length < 2 ? weightShape[0] ?? 0 : weightShape.slice(1).reduce((a, b) => a * b, 1);
  const a = Math.sqrt(5);
  const gain = Math.sqrt(2.0 / (1 + a * a));
  const bound = fanIn > 0 ? Math.sqrt(3.0) * (gain / Math.sqrt(fanIn)) : 0;
  const weight = torchUniform(g, count, -bound, bound);
  const biasLength = bias === true ? weightShape[0] : bias === false ? 0 : bias;
  if (!biasLength) return { weight };
  const bb = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return { weight, bias: torchUniform(g, biasLength, -bb, bb) };
}

/**
 * A layer's initial parameters as PyTorch's constructor draws them, in state_dict order, for the
 * layers whose initialisation is reproduced: Linear, Conv1d/2d/3d, ConvTranspose1d/2d/3d
 * (kaiming_uniform_ + bias), Embedding (normal_), RNN/LSTM/GRU (every parameter uniform(−1/√hidden,
 * 1/√hidden), in order). Undefined for other layers that draw random numbers (their values are
 * GradLens's own); layers without random initialisation (norms, activations) need none.
 */
export function torchModuleInit(g: TorchGenerator, type: string, params: readonly { name: string; shape: readonly number[] }[]): Float64Array[] | undefined {
  const short = (n: string) => n.slice(n.lastIndexOf('.') + 1);
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  if (/^(Linear|Conv[123]d|ConvTranspose[123]d|LazyLinear)$/.test(type)) {
    const w = params.find((p) => short(p.name) === 'weight');
    const b = params.find((p) => short(p.name) === 'bias');
    if (!w || params.length > 2) return undefined;
    const r = torchLayerInit(g, w.shape, b ? size(b.shape) : 0);
    return params.map((p) => (short(p.name) === 'weight' ? r.weight : r.bias!));
  }
  if (type === 'Embedding') {
    if (params.length !== 1) return undefined;
    return [torchNormal(g, size(params[0].shape))];
  }
  if (/^(RNN|LSTM|GRU)$/.test(type)) {
    const hh = params.find((p) => short(p.name).startsWith('weight_hh'));
    if (!hh) return undefined;
    const stdv = 1 / Math.sqrt(hh.shape[1]);
    return params.map((p) => torchUniform(g, size(p.shape), -stdv, stdv));
  }
  return undefined;
}

/** Layers whose constructor draws no random numbers (their initial values are constants). */
export const TORCH_DETERMINISTIC_INIT = /^(BatchNorm[123]d|LayerNorm|GroupNorm|InstanceNorm[123]d|PReLU|ReLU|LeakyReLU|Sigmoid|Tanh|GELU|SiLU|ELU|Softmax|LogSoftmax|Softplus|Dropout\d?d?|Flatten|Unflatten|Identity|MaxPool[123]d|AvgPool[123]d|AdaptiveAvgPool[123]d|AdaptiveMaxPool[123]d|Hardtanh|ReLU6|Mish|Softsign|Tanhshrink|Threshold|Upsample)$/;

/** Whether float32 would show other digits (format.ts; for the hover note on PyTorch tensors). */
export { float32Differs } from '../format';
