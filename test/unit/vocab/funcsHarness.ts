/**
 * The fixture cases of test/fixtures/torch/vocab/vocab_funcs.json (gen_vocab_funcs.py: PyTorch
 * 1.13 and numpy, float64), run through the public `analyze()`: the value of `y` and the
 * gradients of `S = sum(y * c)` must agree to 1e-10, relative (an exact 0 must be 0).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import type { Analysis } from '../../../src/core/analysis';

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
export interface VocabCase {
  id: string;
  group: string;
  source: string;
  values: { name: string; shape: number[]; data: Num[] }[];
  gradients: { of: string; wrt: string; shape: number[]; data: Num[]; source: string }[];
}

export const fixture = JSON.parse(readFileSync(new URL('../../fixtures/torch/vocab/vocab_funcs.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: VocabCase[];
};

export const REL = 1e-10;

const toNumber = (x: Num): number => (x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x);

export function mismatches(what: string, got: ArrayLike<number> | undefined, want: readonly Num[]): string[] {
  if (!got) return [`${what}: missing`];
  if (got.length !== want.length) return [`${what}: ${got.length} elements, expected ${want.length}`];
  const bad: string[] = [];
  want.forEach((w0, i) => {
    const w = toNumber(w0);
    const a = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(a) : !Number.isFinite(w) ? a === w : Math.abs(a - w) <= REL * Math.abs(w);
    if (!ok) bad.push(`${what}[${i}] = ${a}, expected ${w}`);
  });
  return bad;
}

export const errors = (a: Analysis) => a.diagnostics.filter((d) => d.severity === 'error');
const latest = (a: Analysis, name: string) => [...a.values].reverse().find((v) => v.name === name);

/** Problems of one case (empty when it matches). */
export function checkCase(c: VocabCase): string[] {
  const a = analyze(c.source);
  const problems: string[] = errors(a).map((d) => `error ${d.code}: ${d.message}`);
  for (const v of c.values) {
    const got = latest(a, v.name);
    if (!got) problems.push(`value ${v.name} missing`);
    else if (got.shape.join() !== v.shape.join()) problems.push(`value ${v.name}: shape [${got.shape}], expected [${v.shape}]`);
    else problems.push(...mismatches(`value ${v.name}`, got.data, v.data));
  }
  for (const e of c.gradients) {
    const g = a.gradients.find((x) => x.of === e.of && x.wrt === e.wrt);
    if (!g) problems.push(`∂${e.of}/∂${e.wrt} missing`);
    else if (g.shape.join() !== e.shape.join()) problems.push(`∂${e.of}/∂${e.wrt}: shape [${g.shape}], expected [${e.shape}]`);
    else problems.push(...mismatches(`∂${e.of}/∂${e.wrt} (${e.source})`, g.data, e.data));
  }
  return problems;
}

/** One `it` per fixture case of `group`. */
export function describeGroup(group: string, atLeast = 6): VocabCase[] {
  const cases = fixture.cases.filter((c) => c.group === group);
  describe(`${group}: PyTorch ${fixture.torch} / numpy values and gradients (float64, ${REL} relative)`, () => {
    it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(atLeast));
    for (const c of cases) {
      it(c.id, () => {
        const problems = checkCase(c);
        if (problems.length) expect.fail(`${c.id}:\n  - ${problems.slice(0, 12).join('\n  - ')}\n--- source ---\n${c.source}`);
      });
    }
  });
  return cases;
}
