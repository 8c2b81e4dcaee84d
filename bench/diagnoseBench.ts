/**
 * The misconception engine's cost: the diagnosis of one failing `expect` (every catalogue entry
 * tried on the user's graph) on the homework's T1 graph (target ≤ 1 ms) and on the breast-cancer
 * MLP of examples/breast-cancer-mlp.nn (target ≤ 50 ms). It runs only for failing expectations.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFull } from '../src/core/index';
import { contextOf, diagnoseAnswer, quantityOf } from '../src/core/diagnose/index';
import { parseProgram } from '../src/core/syntax/parser';

export interface DiagnoseBenchRow {
  readonly name: string;
  readonly ms: number;
  readonly target: string;
  /** What the diagnosis said (so a row that silently found nothing is visible). */
  readonly found: string;
}

/** Median ms per call over ≥ minMs, after a warm-up as long. */
function time(fn: () => void, minMs = 300): number {
  const w0 = performance.now();
  while (performance.now() - w0 < minMs) fn();
  const xs: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < minMs || xs.length < 5) {
    const a = performance.now();
    fn();
    xs.push(performance.now() - a);
  }
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

const root = join(__dirname, '..');

/** The breast-cancer network and data of the example, its training left out (diagnosis runs on the graph as it is). */
function breastCancerDocument(rows: number): string {
  const src = readFileSync(join(root, 'examples', 'breast-cancer-mlp.nn'), 'utf8');
  const head = src.slice(0, src.indexOf('\ntrain '));
  return `${head}\nXb = X[0:${rows}]\nyb = y[0:${rows}]\nL = bce(mlp(Xb), yb)\n`;
}

export function benchDiagnose(): DiagnoseBenchRow[] {
  const out: DiagnoseBenchRow[] = [];
  const run = (name: string, text: string, q: string, answer: number, target: string, readFile?: (p: string) => string | undefined): void => {
    const full = analyzeFull(text, { valuesOnly: true, readFile });
    const quantity = quantityOf(full.eval, parseProgram(text).program, q);
    if (!quantity) throw new Error(`bench: no quantity ${q}`);
    const ctx = contextOf(full.eval, text);
    const once = () => diagnoseAnswer(ctx, { quantity, answer: [answer] });
    const found = once().map((d) => d.code).join(', ') || 'none';
    out.push({ name, ms: time(once), target, found });
  };
  const t1 = readFileSync(join(root, 'examples', 'hw4-t1-residual.nn'), 'utf8');
  run('diagnosis of a failing expect on T1: grad(z, x0) == -0.06 (missing-path)', t1, 'grad(z, x0)', -0.06, '≤ 1 ms');
  run('diagnosis of a failing expect on T1: grad(z, w0) == 0.123 (nothing matches: every entry tried)', t1, 'grad(z, w0)', 0.123, '≤ 1 ms');
  run('diagnosis of a failing expect on T1: z == 0.5 (a value; nothing matches)', t1, 'z', 0.5, '≤ 1 ms');
  const readFile = (p: string) => readFileSync(join(root, 'examples', p), 'utf8');
  const bc32 = breastCancerDocument(32);
  run('diagnosis on the breast-cancer MLP: params(mlp) == 555520 (forgot-bias)', bc32, 'params(mlp)', 555520, '≤ 50 ms', readFile);
  run('diagnosis on the breast-cancer MLP: params(mlp) == 123 (nothing matches)', bc32, 'params(mlp)', 123, '≤ 50 ms', readFile);
  run('diagnosis on the breast-cancer MLP, one minibatch of 32: grad(L, mlp.C.bias) == 0.123 (every entry tried)', bc32, 'grad(L, mlp.C.bias)', 0.123, '≤ 50 ms', readFile);
  run('diagnosis on the breast-cancer MLP, one minibatch of 32: grad(L, mlp.A.bias) (every entry tried)', bc32, 'grad(L, mlp.A.bias)', 0.123, '≤ 50 ms', readFile);
  run('diagnosis on the breast-cancer MLP, one minibatch of 32: L == 0.123 (a value; every entry tried)', bc32, 'L', 0.123, '≤ 50 ms', readFile);
  const bc455 = breastCancerDocument(455);
  run('diagnosis on the breast-cancer MLP, all 455 training rows: grad(L, mlp.C.bias) (every entry tried)', bc455, 'grad(L, mlp.C.bias)', 0.123, '', readFile);
  return out;
}
