/**
 * Issue #15: 10,000 seeded inputs — token soup, mutations of the examples, grammar-generated
 * programs (test/fuzz/generators.ts) — analysed in full: no exception, every range inside the
 * text, no internal error, the result JSON-serialisable and structured-clonable (the worker posts
 * it). `npm run fuzz` runs 10⁵ and reports the figures (README).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, fuzzInput, fuzzOne, grammar, mutation, soup } from '../../fuzz/generators';

describe('fuzz', () => {
  it('reads every example', () => expect(EXAMPLES.length).toBeGreaterThanOrEqual(10));

  it('10,000 seeded inputs: no exception, ranges inside the text, serialisable results', () => {
    const seen = { soup: 0, mutation: 0, grammar: 0 };
    const t0 = performance.now();
    fc.assert(
      fc.property(fuzzInput, (input) => {
        seen[input.kind]++;
        const p = fuzzOne(input);
        if (p) throw new Error(`${p}\ninput (${input.languageId}): ${JSON.stringify(input.text)}`);
      }),
      { numRuns: 10_000, seed: 15, endOnFailure: true },
    );
    const ms = performance.now() - t0;
    expect(seen.soup + seen.mutation + seen.grammar).toBe(10_000);
    for (const k of ['soup', 'mutation', 'grammar'] as const) expect(seen[k]).toBeGreaterThan(2500);
    expect(ms).toBeLessThan(60_000);
  }, 120_000);

  it('the generators are deterministic by seed', () => {
    for (const arb of [soup, mutation, grammar]) expect(fc.sample(arb, { numRuns: 5, seed: 7 })).toEqual(fc.sample(arb, { numRuns: 5, seed: 7 }));
  });
});
