/**
 * examples/breast-cancer-scratch.nn — the breast-cancer network from scratch over the 455
 * training rows: load the CSV, standardise, forward, −log P[arange(N), y] and the hand-written
 * backward with masks — as one `analyze` of the document (values only, without the `grad` and
 * `expect` lines that check it), against the same program in numpy (bench/numpy_scratch.py,
 * single-threaded BLAS), in the same run. Median over repeats of the whole program each side,
 * in CPU time (process.cpuUsage, time.process_time), which a shared machine disturbs less than
 * wall time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze } from '../src/core/index';

export interface ScratchResult {
  readonly ms: number;
  readonly loss: number;
  readonly numpy?: { ms: number; loss: number; blas: string };
  readonly note?: string;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function benchScratch(repeats = 5): ScratchResult {
  const dir = resolve(process.cwd(), 'examples');
  const full = readFileSync(join(dir, 'breast-cancer-scratch.nn'), 'utf8');
  // The program without its checks: everything before the `grad` line, and the accuracy line.
  const lines = full.split('\n');
  const g = lines.findIndex((l) => l.startsWith('grad L'));
  const text = [...lines.slice(0, g), ...lines.filter((l) => l.startsWith('accuracy0'))].join('\n') + '\n';
  const readFile = (p: string) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p), 'utf8') : undefined);
  let loss = NaN;
  const run = (): void => {
    const a = analyze(text, { readFile, valuesOnly: true, budget: 2e10 });
    const errs = a.diagnostics.filter((d) => d.severity === 'error');
    if (errs.length) throw new Error(`breast-cancer-scratch.nn: ${errs[0].message}`);
    loss = [...a.values].reverse().find((v) => v.name === 'L')!.data[0];
  };
  run();
  // CPU time of this process (user + system), not wall time: the machine may be shared.
  const xs: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = process.cpuUsage();
    run();
    const d = process.cpuUsage(t0);
    xs.push((d.user + d.system) / 1000);
  }
  const ms = median(xs);
  const script = resolve(process.cwd(), 'bench/numpy_scratch.py');
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const r = spawnSync('python3', [script, join(dir, 'data', 'breast_cancer.csv'), String(repeats)], { env, encoding: 'utf8', timeout: 300_000 });
  if (r.error || r.status !== 0) return { ms, loss, note: `numpy skipped: ${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()}` };
  const numpy = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { ms: number; loss: number; blas: string };
  return { ms, loss, numpy, note: Math.abs(numpy.loss - loss) > 1e-12 * Math.abs(loss) ? `losses differ: ${loss} vs numpy ${numpy.loss}` : undefined };
}
