/**
 * StatementPartials (src/core/explain/statementPartials.ts) builds a statement's local partial
 * once per form of statement and puts the statement's own names back. It must give what
 * differentiating each statement on its own gives — printSym(simplify(diffSym(sym, x))) and
 * evalSym of it — on every statement of the examples/ programs and of the benchmark's long
 * document, and the graph edges built with it must carry exactly those texts and values.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { longDocument } from '../../../bench/analysisBench';
import { evalSym } from '../../../src/core/autodiff/ops/elementwise';
import type { Sym } from '../../../src/core/autodiff/sym';
import { diffSym, exprToSym } from '../../../src/core/explain/derive';
import { printSym, simplify } from '../../../src/core/explain/print';
import { StatementPartials } from '../../../src/core/explain/statementPartials';
import { analyzeFull } from '../../../src/core/index';
import { parseProgram } from '../../../src/core/syntax/parser';

const dir = new URL('../../../examples/', import.meta.url);
const readFile = (p: string): string | undefined => {
  try {
    return readFileSync(new URL(p, dir), 'utf8');
  } catch {
    return undefined;
  }
};
const PROGRAMS: [string, string][] = [
  ...readdirSync(dir)
    .filter((f) => f.endsWith('.nn'))
    .map((f): [string, string] => [f, readFileSync(new URL(f, dir), 'utf8')]),
  ['the benchmark document, 400 lines', longDocument(400)],
];

/** The partial as it was computed before StatementPartials: differentiated, simplified and printed on its own. */
function reference(sym: Sym, x: string, digits: number): { text: string; s: Sym } | undefined {
  const d = diffSym(sym, x);
  if (!d) return undefined;
  const s = simplify(d);
  return { text: printSym(s, digits), s };
}

/** The symbolic form of a one-line assignment's right-hand side. */
function symOf(line: string): Sym {
  const stmt = parseProgram(`${line}\n`).program.statements[0];
  if (stmt.kind !== 'Assign') throw new Error(`not an assignment: ${line}`);
  return exprToSym(stmt.value);
}

/** Every name a statement reads, with a value for each (distinct, so that a mixed-up name shows). */
function namesOf(sym: Sym, out = new Set<string>()): Set<string> {
  if (sym.k === 'var') out.add(sym.name);
  else if (sym.k === 'neg') namesOf(sym.a, out);
  else if (sym.k === 'bin') {
    namesOf(sym.a, out);
    namesOf(sym.b, out);
  } else if (sym.k === 'call') for (const a of sym.args) namesOf(a, out);
  return out;
}

describe('StatementPartials gives each statement the partial it would get on its own', () => {
  // One cache across all programs, as within one long document: forms repeat across them too.
  const partials = new StatementPartials(4);
  it.each(PROGRAMS)('%s', (_name, text) => {
    const { program } = parseProgram(text);
    for (const stmt of program.statements) {
      if (stmt.kind !== 'Assign') continue;
      const sym = exprToSym(stmt.value);
      const names = [...namesOf(sym)];
      const env = (n: string): number => (names.includes(n) ? 0.25 + 0.5 * names.indexOf(n) : n === 'n' ? 7 : NaN);
      const st = partials.statement(sym);
      for (const x of names) {
        const want = reference(sym, x, 4);
        const got = st.of(x);
        expect(got?.text, `${text.slice(stmt.span.start, stmt.span.end)} ∂/∂${x}`).toBe(want?.text);
        if (want && got) expect(got.value(env)).toBe(evalSym(want.s, env));
      }
    }
  });

  it('the graph edges of the examples carry those texts and values', () => {
    let compared = 0;
    // The programs that train a network are left to the test above (their analysis is seconds of training).
    for (const [name, text] of PROGRAMS.filter(([, t]) => !/^\s*train\b/m.test(t))) {
      const { analysis, eval: r } = analyzeFull(text, { readFile });
      const ids = new Map(analysis.graph.nodes.map((n) => [`${n.name}@${n.line}`, n.id]));
      for (const b of r.record.bindings) {
        if (!b.stmt || b.refs.length === 0) continue;
        const to = ids.get(`${b.name}@${b.line}`);
        const sym = exprToSym(b.stmt.value);
        for (const e of analysis.graph.edges.filter((x) => x.to === to)) {
          const from = analysis.graph.nodes[e.from];
          const ref = b.refs.find((x) => x.binding.name === from.name && x.binding.line === from.line)!;
          const want = reference(sym, ref.ref.kind === 'Name' ? ref.ref.name : ref.ref.parts.join('.'), 4);
          expect(e.local, `${name}: ∂${b.name}/∂${from.name}`).toBe(want?.text);
          compared++;
        }
      }
    }
    // The benchmark document alone: one edge per scalar line, two (W and the previous v) per tensor line.
    expect(compared).toBeGreaterThan(550);
  });

  it('a form is derived once: x7 = tanh(x6)·0.9 + 0.1 and x8 = tanh(x7)·0.9 + 0.1 share it, with their own names', () => {
    const p = new StatementPartials(4);
    const a = p.statement(symOf('x7 = tanh(x6) * 0.9 + 0.1'));
    const b = p.statement(symOf('x8 = tanh(x7) * 0.9 + 0.1'));
    // d/du (tanh(u)·0.9 + 0.1) = 0.9·(1 − tanh(u)²), the op table's tanh partial; at u = 0 it is 0.9.
    expect(a.of('x6')!.text).toBe(reference(symOf('x7 = tanh(x6) * 0.9 + 0.1'), 'x6', 4)!.text);
    expect(a.of('x6')!.text).toContain('tanh(x6)');
    expect(b.of('x7')!.text).toBe(a.of('x6')!.text.replace(/x6/g, 'x7'));
    expect(b.of('x7')!.value(() => 0)).toBeCloseTo(0.9);
    expect(b.of('x7')!.value(() => 1)).toBeCloseTo(0.9 * (1 - Math.tanh(1) ** 2));
  });

  it('a statement reading a variable called n (the count in a mean’s partial) is derived on its own', () => {
    const sym: Sym = { k: 'bin', op: '*', a: { k: 'call', f: 'mean', args: [{ k: 'var', name: 'x' }] }, b: { k: 'var', name: 'n' } };
    const p = new StatementPartials(4);
    expect(p.statement(sym).of('x')!.text).toBe(reference(sym, 'x', 4)!.text);
    expect(p.statement(sym).of('n')!.text).toBe(reference(sym, 'n', 4)!.text);
  });
});
