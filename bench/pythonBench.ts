/**
 * The Python front end (docs/python.md) beside its references, in the same run:
 * - the homework as a student's PyTorch file (bench/homework_torch.py) against the same program
 *   in GradLens's language (bench/homework.nn); target ≤ 2×;
 * - a student's micrograd (bench/student_micrograd.py: Value class with operator methods, an MLP
 *   2-16-16-1, one training step on 100 points) interpreted by GradLens against CPython running
 *   the same file; target ≤ 1×. Both wall time and CPU time are given: on a machine shared with
 *   other work, wall times include waiting for a core, CPU times do not.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../src/core/index';

export interface PythonBenchRow {
  readonly name: string;
  readonly ms: number;
  readonly cpuMs: number;
  readonly ref?: { readonly name: string; readonly ms: number; readonly cpuMs: number };
  readonly note?: string;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median wall and CPU milliseconds of f over n runs (after one warm-up). */
function measure(f: () => void, n: number): { ms: number; cpuMs: number } {
  f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let k = 0; k < n; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(wall), cpuMs: median(cpu) };
}

/** CPython on a file: wall and CPU time of running it (interpreter start-up excluded), median of n. */
function cpython(file: string, n: number): { ms: number; cpuMs: number; stdout: string } | undefined {
  const driver = [
    'import io, contextlib, runpy, sys, time, json',
    'walls, cpus = [], []',
    `for _ in range(${n}):`,
    '    buf = io.StringIO()',
    '    t0, c0 = time.perf_counter(), time.process_time()',
    '    with contextlib.redirect_stdout(buf):',
    '        runpy.run_path(sys.argv[1], run_name="__main__")',
    '    walls.append((time.perf_counter() - t0) * 1000); cpus.append((time.process_time() - c0) * 1000)',
    'walls.sort(); cpus.sort()',
    'print(json.dumps({"ms": walls[len(walls) // 2], "cpuMs": cpus[len(cpus) // 2], "stdout": buf.getvalue()}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', driver, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.error || r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as { ms: number; cpuMs: number; stdout: string };
}

export function benchPython(): PythonBenchRow[] {
  const dir = join(__dirname, '..', 'bench');
  const rows: PythonBenchRow[] = [];
  const torchSrc = readFileSync(join(dir, 'homework_torch.py'), 'utf8');
  const nnSrc = readFileSync(join(dir, 'homework.nn'), 'utf8');
  const py = measure(() => analyze(torchSrc, { languageId: 'python', valuesOnly: true }), 3);
  const nn = measure(() => analyze(nnSrc, { valuesOnly: true }), 3);
  rows.push({ name: 'homework as PyTorch (.py, T1 + T2/T3 + 3 SGD steps)', ms: py.ms, cpuMs: py.cpuMs, ref: { name: 'the same program in .nn', ms: nn.ms, cpuMs: nn.cpuMs } });

  const mgFile = join(dir, 'student_micrograd.py');
  const mgSrc = readFileSync(mgFile, 'utf8');
  let printed = '';
  const mg = measure(() => {
    printed = (analyze(mgSrc, { languageId: 'python', valuesOnly: true }).prints ?? []).map((p) => p.text + '\n').join('');
  }, 3);
  const ref = cpython(mgFile, 3);
  if (!ref) rows.push({ name: "student's micrograd (MLP 2-16-16-1, one step on 100 points)", ms: mg.ms, cpuMs: mg.cpuMs, note: 'python3 is missing: no CPython reference in this run' });
  else
    rows.push({
      name: "student's micrograd (MLP 2-16-16-1, one step on 100 points)",
      ms: mg.ms,
      cpuMs: mg.cpuMs,
      ref: { name: 'CPython on the same file', ms: ref.ms, cpuMs: ref.cpuMs },
      note: printed === ref.stdout ? 'output equal to CPython' : `output differs from CPython: ${JSON.stringify(printed)} vs ${JSON.stringify(ref.stdout)}`,
    });
  return rows;
}
