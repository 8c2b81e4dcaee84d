/**
 * `npm run fuzz [-- --runs N] [-- --seed S]`: analyses N seeded inputs (default 100,000, seed 15)
 * from test/fuzz/generators.ts and reports the figures: inputs per kind, time, the slowest input,
 * the diagnostics seen, and every problem (an exception, a range outside the text, an internal
 * error, a result that does not serialise) with its input. Exit status 1 when there is a problem.
 */
import fc from 'fast-check';
import { analyze } from '../../src/core/index';
import { FUZZ_BUDGET, fuzzInput, problemsOf, type FuzzInput } from './generators';

const arg = (flag: string, def: number): number => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const runs = arg('--runs', 100_000);
const seed = arg('--seed', 15);

const kinds = { soup: 0, mutation: 0, grammar: 0 };
const codes = new Map<string, number>();
const problems: { input: FuzzInput; problem: string }[] = [];
let slowest = { ms: 0, input: undefined as FuzzInput | undefined };
let chars = 0;
let diagnostics = 0;
const t0 = performance.now();
// fc.sample draws the same inputs as fc.assert with this seed, in batches to bound memory.
const BATCH = 2000;
let done = 0;
for (let b = 0; done < runs; b++) {
  const inputs = fc.sample(fuzzInput, { numRuns: Math.min(BATCH, runs - done), seed: seed + b });
  for (const input of inputs) {
    kinds[input.kind]++;
    chars += input.text.length;
    const s = performance.now();
    let problem: string | undefined;
    try {
      const a = analyze(input.text, { languageId: input.languageId, budget: FUZZ_BUDGET, readFile: () => '1,2\n3,4\n' });
      diagnostics += a.diagnostics.length;
      for (const d of a.diagnostics) codes.set(d.code, (codes.get(d.code) ?? 0) + 1);
      problem = problemsOf(input, a);
    } catch (e) {
      problem = `exception: ${(e as Error)?.stack ?? String(e)}`;
    }
    const ms = performance.now() - s;
    if (ms > slowest.ms) slowest = { ms, input };
    if (problem) problems.push({ input, problem });
  }
  done += inputs.length;
  if (b % 10 === 9) process.stderr.write(`  ${done.toLocaleString('en-US')} inputs…\n`);
}
const total = performance.now() - t0;
const fmt = (n: number): string => n.toLocaleString('en-US');
console.log(`GradLens fuzz: ${fmt(done)} inputs, seed ${seed}, budget ${fmt(FUZZ_BUDGET)} work units`);
console.log(`  kinds: token soup ${fmt(kinds.soup)}, mutations of the examples ${fmt(kinds.mutation)}, grammar-generated ${fmt(kinds.grammar)}`);
console.log(`  text: ${fmt(chars)} characters (mean ${(chars / done).toFixed(0)} per input)`);
console.log(`  time: ${(total / 1000).toFixed(1)} s (${(total / done).toFixed(2)} ms per input); slowest ${slowest.ms.toFixed(0)} ms (${slowest.input?.kind}, ${slowest.input?.text.length} characters)`);
console.log(`  diagnostics: ${fmt(diagnostics)}; most frequent: ${[...codes].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([c, n]) => `${c} ${fmt(n)}`).join(', ')}`);
console.log(`  problems (exception, range outside the text, internal error, not serialisable): ${problems.length}`);
for (const p of problems.slice(0, 10)) console.log(`\n  ${p.problem.split('\n')[0]}\n  input (${p.input.languageId}): ${JSON.stringify(p.input.text)}`);
process.exit(problems.length ? 1 : 0);
