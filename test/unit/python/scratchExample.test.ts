/**
 * examples/breast-cancer-scratch.py: the from-scratch breast-cancer network as the student's
 * numpy code, read by the Python front end — no error, every `# expect` of the hand-written
 * gradients against `grad` holds, and its loss and accuracy equal those of
 * examples/breast-cancer-scratch.nn analysed in the same test (and so numpy's:
 * L = 1.8191510964964166, accuracy 0.5912087912087912; see test/unit/vocab/example.test.ts).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';

const ROOT = join(__dirname, '..', '..', '..');
const readFile = (p: string) => (existsSync(join(ROOT, 'examples', p)) ? readFileSync(join(ROOT, 'examples', p), 'utf8') : undefined);
const example = (name: string) => readFileSync(join(ROOT, 'examples', name), 'utf8');

it('breast-cancer-scratch.py runs, its expects hold, and it equals the .nn example', () => {
  const py = analyze(example('breast-cancer-scratch.py'), { languageId: 'python', readFile, budget: 2e10 });
  const diag = py.diagnostics.filter((d) => d.severity !== 'info' || d.code === 'python.unknown' || d.code === 'budget.exceeded');
  expect(diag.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  expect(py.expectations.length).toBe(6);
  for (const e of py.expectations) expect(e.passed, `line ${e.line}`).toBe(true);

  const nn = analyze(example('breast-cancer-scratch.nn'), { readFile, budget: 2e10 });
  expect(nn.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const v = (a: typeof py, n: string) => [...a.values].reverse().find((x) => x.name === n)!.data[0];
  // np.loadtxt(…, skiprows=1) drops the header line: the whole table, as load_csv reads it.
  expect(py.values.find((x) => x.name === 'D')!.shape).toEqual([569, 31]);
  const L = v(py, 'L');
  expect(Math.abs(L - v(nn, 'L'))).toBeLessThanOrEqual(1e-12 * Math.abs(v(nn, 'L')));
  expect(Math.abs(L - 1.8191510964964166)).toBeLessThanOrEqual(1e-12 * 1.82);
  expect(v(py, 'accuracy0')).toBe(v(nn, 'accuracy0'));
  expect(v(py, 'accuracy0')).toBe(0.5912087912087912);
}, 240_000);
