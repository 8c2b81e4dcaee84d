/**
 * Acceptance suite: whole `.nn` programs written to LANGUAGE.md, with expected results computed
 * by PyTorch in float64 (test/fixtures/torch/programs/gen_programs.py → programs.json).
 *
 * Per case: every binding's value (name, line, shape, data; source order), every gradient
 * (of, wrt, line, shape, data), check and expect pass flags, network parameter counts and layer
 * output shapes, and the diagnostics the spec pins down (line and severity; for
 * `name.undefined` also the code and the exact range). Numbers agree when
 * |a − e| ≤ 1e-9·max(1, |e|). No error diagnostics are allowed beyond the expected ones.
 *
 * Every mismatch of a case is collected and reported together, so one failing `it` reads as a
 * list of what differs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import type { Analysis } from '../../../src/core/analysis';
import { LineIndex } from '../../../src/core/span';

type Num = number | 'NaN' | 'Infinity' | '-Infinity';

interface ExpValue {
  name: string;
  line: number;
  shape: number[];
  data: Num[];
  optional?: boolean;
}
interface ExpGradient {
  of: string;
  wrt: string;
  line: number;
  shape: number[];
  data: Num[];
}
interface ExpCheck {
  of: string;
  wrt: string;
  line: number;
  passed: boolean;
  kinks?: number;
}
interface ExpExpectation {
  line: number;
  passed: boolean;
}
interface ExpLayer {
  index: number;
  type: string;
  outputShape?: number[];
}
interface ExpNetwork {
  name: string;
  line: number;
  params: number;
  layers: ExpLayer[];
}
interface ExpDiagnostic {
  severity: 'error' | 'warning' | 'info';
  line: number | null;
  lineIn?: [number, number];
  code?: string;
  range?: { start: { line: number; character: number }; end: { line: number; character: number } };
}
interface Case {
  id: string;
  group: string;
  features: string[];
  languageId: 'nn' | 'markdown';
  source: string;
  values: ExpValue[];
  gradients: ExpGradient[];
  checks: ExpCheck[];
  expectations: ExpExpectation[];
  networks: ExpNetwork[];
  diagnostics: ExpDiagnostic[];
  absent?: string[];
  noWarningLines?: number[];
  note?: string;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/torch/programs/programs.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

const REL = 1e-9;

function toNumber(x: Num): number {
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  return x;
}

function close(a: number, e: number): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  if (!Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= REL * Math.max(1, Math.abs(e));
}

function fmtArr(xs: readonly number[], max = 8): string {
  const s = xs.slice(0, max).map((x) => (Number.isFinite(x) ? String(x) : String(x)));
  return `[${s.join(', ')}${xs.length > max ? `, … (${xs.length})` : ''}]`;
}

/** Compare data arrays; returns a problem string or undefined. */
function compareData(what: string, actual: readonly number[] | undefined, expected: Num[]): string | undefined {
  if (!actual) return `${what}: no data`;
  const exp = expected.map(toNumber);
  if (actual.length !== exp.length) return `${what}: ${actual.length} elements, expected ${exp.length}`;
  const bad: string[] = [];
  for (let i = 0; i < exp.length; i++) {
    if (!close(actual[i], exp[i])) bad.push(`[${i}] ${actual[i]} ≠ ${exp[i]}`);
  }
  if (bad.length) return `${what}: ${bad.slice(0, 4).join('; ')}${bad.length > 4 ? ` (+${bad.length - 4} more)` : ''}`;
  return undefined;
}

function sameShape(a: readonly unknown[] | undefined, e: readonly unknown[]): boolean {
  return !!a && a.length === e.length && a.every((x, i) => x === e[i]);
}

// The facade may be sync or async; accept both.
async function run(c: Case): Promise<Analysis> {
  return (await Promise.resolve(analyze(c.source, { languageId: c.languageId } as never))) as Analysis;
}

function checkCase(c: Case, a: Analysis): string[] {
  const problems: string[] = [];
  const idx = new LineIndex(c.source);
  const lineOf = (off: number) => idx.position(off).line;

  // ---- diagnostics
  const diags = a.diagnostics.map((d) => ({
    ...d,
    line: lineOf(d.span.start),
    start: idx.position(d.span.start),
    end: idx.position(d.span.end),
  }));
  const describeDiag = (d: (typeof diags)[number]) => `${d.severity} ${d.code} @${d.line}: ${d.message}`;
  const expErrLines = new Set<number>();
  for (const e of c.diagnostics) {
    const inLine = (l: number) =>
      e.lineIn ? l >= e.lineIn[0] && l <= e.lineIn[1] : e.line === null ? true : l === e.line;
    const hit = diags.find(
      (d) => d.severity === e.severity && inLine(d.line) && (e.code === undefined || d.code === e.code),
    );
    if (!hit) {
      problems.push(
        `missing ${e.severity}${e.code ? ` ${e.code}` : ''} on line ${e.lineIn ? e.lineIn.join('–') : e.line}` +
          ` (got: ${diags.map(describeDiag).join(' | ') || 'none'})`,
      );
      continue;
    }
    if (e.severity === 'error') diags.filter((d) => d.severity === 'error' && inLine(d.line)).forEach((d) => expErrLines.add(d.line));
    if (e.range) {
      const r = e.range;
      if (
        hit.start.line !== r.start.line ||
        hit.start.character !== r.start.character ||
        hit.end.line !== r.end.line ||
        hit.end.character !== r.end.character
      ) {
        problems.push(
          `${e.code} range ${hit.start.line}:${hit.start.character}-${hit.end.line}:${hit.end.character},` +
            ` expected ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`,
        );
      }
    }
  }
  for (const d of diags) {
    if (d.severity === 'error' && !expErrLines.has(d.line)) problems.push(`unexpected ${describeDiag(d)}`);
  }
  for (const l of c.noWarningLines ?? []) {
    for (const d of diags) if (d.severity === 'warning' && d.line === l) problems.push(`unexpected ${describeDiag(d)}`);
  }

  // ---- values: required bindings in source order; optional ones (path params) checked if present
  const optional = new Set(c.values.filter((v) => v.optional).map((v) => v.name));
  const required = c.values.filter((v) => !v.optional);
  const actualVals = a.values.filter((v) => !optional.has(v.name));
  const gotNames = actualVals.map((v) => v.name);
  const expNames = required.map((v) => v.name);
  if (gotNames.join(',') !== expNames.join(',')) {
    problems.push(`values: bindings [${gotNames.join(', ')}], expected [${expNames.join(', ')}]`);
  }
  // Pair by name occurrence so one missing binding does not misalign the rest.
  const used = new Set<number>();
  for (const e of required) {
    const i = actualVals.findIndex((v, k) => !used.has(k) && v.name === e.name);
    if (i < 0) continue;
    used.add(i);
    const v = actualVals[i];
    const tag = `value ${e.name}@${e.line}`;
    if (v.line !== e.line) problems.push(`${tag}: line ${v.line}`);
    if (!sameShape(v.shape, e.shape)) problems.push(`${tag}: shape [${v.shape}], expected [${e.shape}]`);
    else {
      const p = compareData(tag, v.data, e.data);
      if (p) problems.push(p);
    }
  }
  for (const e of c.values.filter((v) => v.optional)) {
    const v = a.values.find((x) => x.name === e.name);
    if (!v) continue;
    if (!sameShape(v.shape, e.shape)) problems.push(`value ${e.name}: shape [${v.shape}], expected [${e.shape}]`);
    else {
      const p = compareData(`value ${e.name}`, v.data, e.data);
      if (p) problems.push(p);
    }
  }
  for (const n of c.absent ?? []) {
    if (a.values.some((v) => v.name === n)) problems.push(`value ${n} should be unbound (its line has an error)`);
  }

  // ---- gradients, in order
  if (a.gradients.length !== c.gradients.length) {
    problems.push(
      `gradients: ${a.gradients.length} [${a.gradients.map((g) => `${g.of}/${g.wrt}`).join(', ')}],` +
        ` expected ${c.gradients.length} [${c.gradients.map((g) => `${g.of}/${g.wrt}`).join(', ')}]`,
    );
  }
  const gUsed = new Set<number>();
  for (const e of c.gradients) {
    const i = a.gradients.findIndex((g, k) => !gUsed.has(k) && g.of === e.of && g.wrt === e.wrt);
    if (i < 0) {
      problems.push(`gradient ∂${e.of}/∂${e.wrt} missing`);
      continue;
    }
    gUsed.add(i);
    const g = a.gradients[i];
    const tag = `∂${e.of}/∂${e.wrt}`;
    if (g.line !== e.line) problems.push(`${tag}: line ${g.line}, expected ${e.line}`);
    if (!sameShape(g.shape, e.shape)) problems.push(`${tag}: shape [${g.shape}], expected [${e.shape}]`);
    else {
      const p = compareData(tag, g.data, e.data);
      if (p) problems.push(`${p} (got ${fmtArr(g.data)})`);
    }
  }

  // ---- checks
  for (const e of c.checks) {
    const k = a.checks.find((x) => x.of === e.of && x.wrt === e.wrt && x.line === e.line);
    if (!k) {
      problems.push(
        `check ${e.of} wrt ${e.wrt} (line ${e.line}) missing (got: ${a.checks.map((x) => `${x.of}/${x.wrt}@${x.line}`).join(', ') || 'none'})`,
      );
      continue;
    }
    if (k.passed !== e.passed) problems.push(`check ${e.of} wrt ${e.wrt}: passed=${k.passed} (maxRelError ${k.maxRelError})`);
    if (e.kinks !== undefined && k.kinks !== e.kinks) problems.push(`check ${e.of} wrt ${e.wrt}: kinks=${k.kinks}, expected ${e.kinks}`);
  }

  // ---- expectations
  if (a.expectations.length !== c.expectations.length) {
    problems.push(`expectations: ${a.expectations.length}, expected ${c.expectations.length}`);
  }
  for (const e of c.expectations) {
    const x = a.expectations.find((y) => y.line === e.line);
    if (!x) problems.push(`expect on line ${e.line} missing`);
    else if (x.passed !== e.passed)
      problems.push(
        `expect on line ${e.line}: passed=${x.passed}, expected ${e.passed}` +
          ` (left ${fmtArr(x.left?.data ?? [])}, right ${fmtArr(x.right?.data ?? [])})`,
      );
  }

  // ---- networks
  for (const e of c.networks) {
    const n = a.networks.find((x) => x.name === e.name);
    if (!n) {
      problems.push(`network ${e.name} missing`);
      continue;
    }
    if (n.line !== e.line) problems.push(`network ${e.name}: line ${n.line}, expected ${e.line}`);
    if (n.params !== e.params) problems.push(`network ${e.name}: params ${n.params}, expected ${e.params}`);
    if (n.layers.length !== e.layers.length) {
      problems.push(`network ${e.name}: ${n.layers.length} layers, expected ${e.layers.length}`);
      continue;
    }
    for (const l of e.layers) {
      const got = n.layers[l.index];
      if (got.type.toLowerCase() !== l.type.toLowerCase()) problems.push(`layer ${l.index}: type ${got.type}, expected ${l.type}`);
      if (l.outputShape && !sameShape(got.outputShape, l.outputShape))
        problems.push(`layer ${l.index} (${l.type}): outputShape [${got.outputShape}], expected [${l.outputShape}]`);
    }
  }
  return problems;
}

const groups = new Map<string, Case[]>();
for (const c of fixture.cases) {
  if (!groups.has(c.group)) groups.set(c.group, []);
  groups.get(c.group)!.push(c);
}

for (const [group, cases] of groups) {
  describe(`acceptance: ${group}`, () => {
    for (const c of cases) {
      it(c.id, async () => {
        const a = await run(c);
        const problems = checkCase(c, a);
        if (problems.length) {
          expect.fail(
            `${c.id}: ${problems.length} problem(s)${c.note ? ` — note: ${c.note}` : ''}\n  - ${problems.join('\n  - ')}` +
              `\n--- source ---\n${c.source}`,
          );
        }
      });
    }
  });
}
