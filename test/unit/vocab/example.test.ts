/**
 * examples/breast-cancer-scratch.nn: the breast-cancer network from scratch (standardise,
 * forward, −log P[arange(N), y], the hand-written backward with masks) — no error, every
 * `expect` of the hand-written gradients against `grad` holds, and the loss and accuracy equal
 * the same numpy program's (numpy 2.4, float64: L = 1.8191510964964166, accuracy 0.5912087912087912).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';

const ROOT = join(__dirname, '..', '..', '..');

it('breast-cancer-scratch.nn runs, its expects hold, and it equals numpy', () => {
  const text = readFileSync(join(ROOT, 'examples', 'breast-cancer-scratch.nn'), 'utf8');
  const readFile = (p: string) => (existsSync(join(ROOT, 'examples', p)) ? readFileSync(join(ROOT, 'examples', p), 'utf8') : undefined);
  const a = analyze(text, { readFile, budget: 2e10 });
  expect(a.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  expect(a.expectations.length).toBe(6);
  for (const e of a.expectations) expect(e.passed, `line ${e.line}`).toBe(true);
  const v = (n: string) => [...a.values].reverse().find((x) => x.name === n)!.data[0];
  expect(Math.abs(v('L') - 1.8191510964964166)).toBeLessThan(1e-12 * 1.82);
  expect(v('accuracy0')).toBe(0.5912087912087912);
}, 120_000);
