/**
 * Runs the cases of test/fixtures/torch/vocab/vocab_index.json (gen_vocab_index.py: PyTorch 1.13
 * and numpy, float64) through `analyze`: each case's inputs become `.nn` bindings (`param` for
 * the differentiated ones), its lines run as written, and L = Σ sum(out · G) is differentiated
 * with respect to every differentiated input. Values and gradients agree when
 * |a − e| ≤ 1e-10·|e| + 1e-15 (rel 1e-10). No error diagnostics are allowed.
 */
import { expect } from 'vitest';
import fixture from '../../fixtures/torch/vocab/vocab_index.json';
import { analyze } from '../../../src/core/index';
import type { Analysis } from '../../../src/core/analysis';

export interface FixtureArray {
  shape: number[];
  data: number[];
  diff?: boolean;
  bool?: boolean;
}
export interface FixtureOut extends FixtureArray {
  name: string;
  g?: number[];
}
export interface FixtureCase {
  group: string;
  name: string;
  inputs: Record<string, FixtureArray>;
  nn: string[];
  outs: FixtureOut[];
  grads: Record<string, number[] | null>;
}

export const CASES = (fixture as unknown as { cases: FixtureCase[] }).cases;
export const PRINTS = (fixture as unknown as { prints: { floats: { value: number; text: string }[]; arrays: { shape: number[]; data: (number | null)[]; text: string }[]; bools: { shape: number[]; data: number[]; text: string }[] } }).prints;

/** A tensor literal in `.nn` (numbers written with JavaScript's round-trip digits). */
export function literal(shape: readonly number[], data: readonly number[], bool = false): string {
  const num = (v: number): string => (bool ? (v !== 0 ? 'True' : 'False') : Object.is(v, -0) ? '-0.0' : String(v));
  if (shape.length === 0) return num(data[0]);
  const size = data.length / shape[0];
  const rows = Array.from({ length: shape[0] }, (_, k) => literal(shape.slice(1), data.slice(k * size, (k + 1) * size), bool));
  return `[${rows.join(', ')}]`;
}

export function close(a: number, e: number): boolean {
  if (Number.isNaN(e)) return Number.isNaN(a);
  return Math.abs(a - e) <= 1e-10 * Math.abs(e) + 1e-15;
}

/** The program a case runs, and the analysis. */
export function runCase(c: FixtureCase): { text: string; analysis: Analysis } {
  const lines: string[] = [];
  for (const [name, a] of Object.entries(c.inputs)) lines.push(`${a.diff ? 'param ' : ''}${name} = ${literal(a.shape, a.data, a.bool)}`);
  lines.push(...c.nn);
  const terms: string[] = [];
  for (const o of c.outs) {
    if (!o.g) continue;
    lines.push(`G_${o.name} = ${literal(o.shape, o.g)}`);
    terms.push(`sum(${o.name} * G_${o.name})`);
  }
  const diff = Object.entries(c.inputs).filter(([, a]) => a.diff).map(([n]) => n);
  if (terms.length) {
    lines.push(`L = ${terms.join(' + ')}`);
    if (diff.length) lines.push(`grad L wrt ${diff.join(', ')}`);
  }
  const text = lines.join('\n') + '\n';
  return { text, analysis: analyze(text) };
}

/** Checks every output value and every gradient of a case; reports all mismatches at once. */
export function checkCase(c: FixtureCase): void {
  const { text, analysis: a } = runCase(c);
  const problems: string[] = [];
  for (const d of a.diagnostics) if (d.severity === 'error') problems.push(`error ${d.code}: ${d.message} at ${JSON.stringify(text.slice(d.span.start, d.span.end))}`);
  for (const o of c.outs) {
    const v = [...a.values].reverse().find((x) => x.name === o.name);
    if (!v) {
      problems.push(`no value for ${o.name}`);
      continue;
    }
    if (JSON.stringify(v.shape) !== JSON.stringify(o.shape)) problems.push(`${o.name}: shape ${JSON.stringify(v.shape)}, expected ${JSON.stringify(o.shape)}`);
    else
      o.data.forEach((e, k) => {
        if (!close(v.data[k], e)) problems.push(`${o.name}[${k}] = ${v.data[k]}, expected ${e}`);
      });
  }
  for (const [name, g] of Object.entries(c.grads)) {
    const got = a.gradients.find((x) => x.wrt === name && x.of === 'L');
    if (g === null) {
      // PyTorch computes no gradient (only comparisons reach it): GradLens's is zero.
      if (got && got.data.some((v) => v !== 0)) problems.push(`∂L/∂${name} should be zero, found ${JSON.stringify(got.data)}`);
      continue;
    }
    if (!got) {
      problems.push(`no gradient ∂L/∂${name}`);
      continue;
    }
    g.forEach((e, k) => {
      if (!close(got.data[k], e)) problems.push(`∂L/∂${name}[${k}] = ${got.data[k]}, expected ${e}`);
    });
  }
  expect(problems, `${c.name}\n${text}`).toEqual([]);
}
