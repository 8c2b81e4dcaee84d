/**
 * Speed of the `train` statement: epochs per second for the homework MLP (30 → 1024 → 512 → 1,
 * ReLU, sigmoid, bce) on the 569 × 30 breast-cancer data, minibatches of 32 shuffled, plain SGD
 * and Adam, each beside the same training written from scratch in numpy (bench/numpy_train.py,
 * one BLAS thread), measured in the same run. `ratio` is our time per epoch over numpy's
 * (target ≤ 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../src/core/index';

export interface TrainBenchRow {
  readonly name: string;
  /** Our epochs per second. */
  readonly ours: number;
  /** numpy's epochs per second (NaN when python3/numpy is missing). */
  readonly reference: number;
  /** Our time per epoch ÷ numpy's (lower is better; NaN without a reference). */
  readonly ratio: number;
  readonly note?: string;
}

/** The repository root: the working directory when run from it (npm run bench), else next to the bundle in dist/. */
const ROOT = existsSync(join(process.cwd(), 'examples', 'data')) ? process.cwd() : resolve(__dirname, '..');

function documentText(epochs: number, optimizer: string): string {
  return `D = load_csv("data/breast_cancer.csv")
X = D[:, 0:30]
y = D[:, 30:31]
network mlp
  input [N, 30]
  Linear(30, 1024)
  ReLU()
  Linear(1024, 512)
  ReLU()
  Linear(512, 1)
  Sigmoid()
train mlp on X, y
  loss bce(mlp(X), y)
  optimizer ${optimizer}
  epochs ${epochs}
  batch 32 shuffle
`;
}

function readExample(p: string): string | undefined {
  const f = join(ROOT, 'examples', p);
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
}

/** Median ms per epoch of our training (after one warm-up epoch in a separate run). */
function oursEpochMs(epochs: number, optimizer: string): { ms: number; min: number; max: number; losses: number[] } {
  analyze(documentText(1, optimizer), { valuesOnly: true, budget: 1e12, readFile: readExample }); // warm-up: JIT, wasm tier-up
  const per: number[] = [];
  let losses: number[] = [];
  const a = analyze(documentText(epochs, optimizer), {
    valuesOnly: true,
    budget: 1e12,
    readFile: readExample,
    onProgress: (() => {
      let last = performance.now();
      return () => {
        const t = performance.now();
        per.push(t - last);
        last = t;
      };
    })(),
  });
  const t = a.trainings?.[0];
  if (!t || t.epochs !== epochs) throw new Error(`training did not run: ${a.diagnostics.map((d) => d.message).join('; ')}`);
  losses = t.losses;
  // The first interval includes parsing, loading and the network's initialisation.
  const xs = per.slice(1).sort((p, q) => p - q);
  const ms = xs[Math.floor(xs.length / 2)] ?? t.ms / epochs;
  return { ms, min: xs[0] ?? ms, max: xs[xs.length - 1] ?? ms, losses };
}

function numpyEpochMs(epochs: number, optimizer: 'sgd' | 'adam'): { ms: number; note: string } | string {
  const script = join(ROOT, 'bench', 'numpy_train.py');
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', [script, String(epochs), optimizer], { env, encoding: 'utf8', timeout: 600_000 });
  if (r.error || r.status !== 0) return `numpy skipped: ${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()}`;
  try {
    const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { epoch_ms: number; numpy: string; blas: string };
    return { ms: j.epoch_ms, note: `numpy ${j.numpy}${j.blas ? `, ${j.blas}` : ''}` };
  } catch {
    return `numpy skipped: unreadable output ${r.stdout.slice(0, 200)}`;
  }
}

export async function benchTraining(epochs = 5): Promise<TrainBenchRow[]> {
  const rows: TrainBenchRow[] = [];
  for (const [label, opt, npOpt] of [
    ['SGD(lr=0.01)', 'SGD(lr=0.01)', 'sgd'],
    ['Adam(lr=1e-3)', 'Adam(lr=1e-3)', 'adam'],
  ] as const) {
    const np = numpyEpochMs(epochs, npOpt);
    const ours = oursEpochMs(epochs, opt);
    const ref = typeof np === 'string' ? NaN : 1000 / np.ms;
    rows.push({
      name: `homework MLP, 569 × 30, batch 32 shuffled, ${label}: epochs/s`,
      ours: 1000 / ours.ms,
      reference: ref,
      ratio: typeof np === 'string' ? NaN : ours.ms / np.ms,
      note: `ours ${ours.ms.toFixed(1)} ms/epoch (median of ${epochs}; ${ours.min.toFixed(1)}–${ours.max.toFixed(1)})` + (typeof np === 'string' ? `; ${np}` : `; numpy ${np.ms.toFixed(1)} ms/epoch (${np.note})`),
    });
  }
  return rows;
}

// Run directly (bundled on its own); bench/main.ts imports it into the same bundle, where `require.main === module` holds too.
if (require.main === module && /trainBench/.test(process.argv[1] ?? '')) {
  void benchTraining(Number(process.argv[2] ?? 5)).then((rows) => {
    for (const r of rows)
      console.log(`${r.name}: ours ${r.ours.toFixed(2)}, numpy ${Number.isNaN(r.reference) ? '—' : r.reference.toFixed(2)}, ratio ${Number.isNaN(r.ratio) ? '—' : r.ratio.toFixed(2) + '×'} — ${r.note}`);
  });
}
