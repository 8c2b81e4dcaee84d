/**
 * Speed: the homework network's training step (batch 32, 30 → 1024 → 512 → 1, ReLU, sigmoid +
 * binary cross-entropy, float64, forward + backward + SGD) written directly against the core's
 * kernels, against the same step in numpy as a student writes it (bench/numpy_train_step.py,
 * single-threaded BLAS). Median over repeats.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { matmulNN, matmulNT, matmulTN, wasmGemm } from '../src/core/tensor/matmul';
import { createRng } from '../src/core/tensor/rng';

export interface BenchResult {
  rows: { name: string; ms: number }[];
  ratio?: number;
  note?: string;
}

const N = 32;
const D0 = 30;
const D1 = 1024;
const D2 = 512;

function scaled(a: Float64Array, s: number): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] *= s;
  return a;
}

/** One network with its inputs, drawn as numpy_train_step.py draws them (np.random.seed(0)). */
function makeNetwork() {
  const rng = createRng(0);
  const X = rng.randn(N * D0);
  const y = rng.rand(N).map((u) => (u > 0.5 ? 1 : 0));
  return {
    X,
    y,
    W1: scaled(rng.randn(D0 * D1), Math.sqrt(2 / D0)),
    b1: new Float64Array(D1),
    W2: scaled(rng.randn(D1 * D2), Math.sqrt(2 / D1)),
    b2: new Float64Array(D2),
    W3: scaled(rng.randn(D2), Math.sqrt(2 / D2)),
    b3: new Float64Array(1),
  };
}

type Net = ReturnType<typeof makeNetwork>;

/** Buffers reused across steps (numpy allocates; we need not). */
function makeWork() {
  return {
    z1: new Float64Array(N * D1),
    z2: new Float64Array(N * D2),
    z3: new Float64Array(N),
    dz3: new Float64Array(N),
    dW3: new Float64Array(D2),
    dh2: new Float64Array(N * D2),
    dW2: new Float64Array(D1 * D2),
    dh1: new Float64Array(N * D1),
    dW1: new Float64Array(D0 * D1),
  };
}

function addBiasRelu(z: Float64Array, b: Float64Array, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = z[o + j] + b[j];
      z[o + j] = v > 0 ? v : 0;
    }
  }
}

/** dz = dh ⊙ (h > 0) in place, and the bias gradient step b -= lr·Σ_rows dz. */
function reluBackwardAndBias(dh: Float64Array, h: Float64Array, b: Float64Array, rows: number, cols: number, lr: number): void {
  const db = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const v = h[o + j] > 0 ? dh[o + j] : 0;
      dh[o + j] = v;
      db[j] += v;
    }
  }
  for (let j = 0; j < cols; j++) b[j] -= lr * db[j];
}

function sgd(w: Float64Array, g: Float64Array, lr: number): void {
  for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
}

/** One training step; returns the loss before the update. */
export function trainStep(net: Net, w: ReturnType<typeof makeWork>, lr = 0.1): number {
  const { X, y, W1, b1, W2, b2, W3, b3 } = net;
  // Forward. h1 and h2 overwrite z1 and z2 (ReLU in place); h > 0 ⇔ z > 0.
  matmulNN(X, W1, N, D0, D1, w.z1);
  addBiasRelu(w.z1, b1, N, D1);
  matmulNN(w.z1, W2, N, D1, D2, w.z2);
  addBiasRelu(w.z2, b2, N, D2);
  matmulNN(w.z2, W3, N, D2, 1, w.z3);
  let loss = 0;
  let db3 = 0;
  for (let i = 0; i < N; i++) {
    const p = 1 / (1 + Math.exp(-(w.z3[i] + b3[0])));
    loss -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
    w.dz3[i] = (p - y[i]) / N;
    db3 += w.dz3[i];
  }
  loss /= N;
  // Backward.
  matmulTN(w.z2, w.dz3, D2, N, 1, w.dW3); // h2ᵀ · dz3
  matmulNT(w.dz3, W3, N, 1, D2, w.dh2); // dz3 · W3ᵀ
  reluBackwardAndBias(w.dh2, w.z2, b2, N, D2, lr);
  matmulTN(w.z1, w.dh2, D1, N, D2, w.dW2); // h1ᵀ · dz2
  matmulNT(w.dh2, W2, N, D2, D1, w.dh1); // dz2 · W2ᵀ
  reluBackwardAndBias(w.dh1, w.z1, b1, N, D1, lr);
  matmulTN(X, w.dh1, D0, N, D1, w.dW1); // Xᵀ · dz1
  // Update (the biases were updated above).
  sgd(W1, w.dW1, lr);
  sgd(W2, w.dW2, lr);
  sgd(W3, w.dW3, lr);
  b3[0] -= lr * db3;
  return loss;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function runNumpy(repeats: number): { ms: number; loss: number; blas: string } | string {
  const script = resolve(process.cwd(), 'bench/numpy_train_step.py');
  if (!existsSync(script)) return `numpy skipped: ${script} not found (run from the repository root)`;
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  // These slow a current OpenBLAS; they are unset for this command only.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', [script, String(repeats)], { env, encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop();
    return `numpy skipped: ${why}`;
  }
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { ms: number; loss: number; blas: string };
  } catch {
    return `numpy skipped: unreadable output ${r.stdout.slice(0, 200)}`;
  }
}

export async function benchTrainStep(repeats = 50): Promise<BenchResult> {
  const net = makeNetwork();
  const work = makeWork();
  const firstLoss = trainStep(net, work);
  // Warm up: lets V8 optimise the JS and tier the wasm kernel up from its baseline compiler.
  for (let i = 0; i < 30; i++) trainStep(net, work);
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    trainStep(net, work);
    times.push(performance.now() - t);
  }
  const js = median(times);
  const kernel = wasmGemm() ? 'wasm SIMD gemm + JS' : 'JS only';
  const rows = [{ name: `GradLens kernels (${kernel}, float64)`, ms: js }];
  const load = `load average ${loadavg()[0].toFixed(2)} on 2 cores`;
  const np = runNumpy(repeats);
  if (typeof np === 'string') return { rows, note: `${np}; ${load}` };
  rows.push({ name: 'numpy (1 thread)', ms: np.ms });
  const agree = Math.abs(np.loss - firstLoss) <= 1e-12 * Math.max(1, Math.abs(np.loss));
  return {
    rows,
    ratio: js / np.ms,
    note:
      `first loss ${firstLoss} (numpy ${np.loss}${agree ? ', same inputs' : ', DIFFERENT'}); ` +
      `median of ${repeats}; ${load}${np.blas ? `; BLAS: ${np.blas}` : ''}`,
  };
}
