/**
 * From an analysed document to the engine's inputs: the context (tape, text, bindings) and a
 * quantity named as the user writes it (`grad(z, w0)`, `x1`, `params(mlp)`, `size(mlp.A)`).
 * For callers outside the evaluator, such as a grader comparing a student's number with a key.
 */
import type { EvalResult } from '../eval/evaluator';
import type { Binding } from '../eval/values';
import { buildNetwork, type NetEnv, type NetworkModel } from '../nets/model';
import type { Expr, NetworkDecl, Program } from '../syntax/ast';
import { parseProgram } from '../syntax/parser';
import type { AnalysisContext, Quantity } from './types';

export function contextOf(r: Pick<EvalResult, 'tape' | 'record'>, text: string): AnalysisContext {
  return { tape: r.tape, text, bindings: r.record.bindings };
}

/** The latest binding of a name (or a network parameter's alias). */
function latest(bindings: readonly Binding[], name: string): Binding | undefined {
  for (let k = bindings.length - 1; k >= 0; k--) {
    const b = bindings[k];
    if (b.name === name || b.aliases?.includes(name)) return b;
  }
  return undefined;
}

const refName = (e: Expr): string | undefined => (e.kind === 'Name' ? e.name : e.kind === 'Path' ? e.parts.join('.') : undefined);

/**
 * An environment for rebuilding the program's networks: constants from the latest bindings,
 * earlier networks built on demand.
 */
export function networkEnv(program: Program, r: Pick<EvalResult, 'tape' | 'record'>): NetEnv {
  const decls = new Map<string, NetworkDecl>();
  for (const s of program.statements) if (s.kind === 'Network') decls.set(s.name.name, s);
  const built = new Map<string, NetworkModel | undefined>();
  const env: NetEnv = {
    constant: (n) => {
      const b = latest(r.record.bindings, n);
      if (!b) return undefined;
      const t = r.tape.value(b.node);
      return t.data.length === 1 ? t.data[0] : undefined;
    },
    network: (n) => {
      if (!built.has(n)) {
        built.set(n, undefined);
        const d = decls.get(n);
        built.set(n, d ? buildNetwork(d, env).model : undefined);
      }
      return built.get(n);
    },
  };
  return env;
}

/**
 * The quantity an expression names in the analysed program (`grad(z, w0)`, a binding's name,
 * `params(NET[.PATH])`, `size(NET.PATH)`), or undefined.
 */
export function quantityOf(r: Pick<EvalResult, 'tape' | 'record'>, program: Program, exprText: string): Quantity | undefined {
  const parsed = parseProgram(`__quantity = ${exprText}`);
  const s = parsed.program.statements[0];
  if (!s || s.kind !== 'Assign' || parsed.diagnostics.length) return undefined;
  const e = s.value;
  const bindings = r.record.bindings;
  const name = refName(e);
  if (name !== undefined) {
    const b = latest(bindings, name);
    return b && { kind: 'value', node: b.node, text: name };
  }
  if (e.kind !== 'Call') return undefined;
  const callee = e.callee.toLowerCase();
  const args = e.args.map((a) => refName(a.value));
  if (callee === 'grad' && args.length === 2 && args[0] && args[1]) {
    const of = latest(bindings, args[0]);
    const wrt = latest(bindings, args[1]);
    return of && wrt && { kind: 'grad', of: of.node, wrt: wrt.node, ofText: args[0], wrtText: args[1] };
  }
  if ((callee === 'params' || callee === 'size') && args.length === 1 && args[0]) {
    const parts = args[0].split('.');
    let decl: NetworkDecl | undefined;
    for (const st of program.statements) if (st.kind === 'Network' && st.name.name === parts[0]) decl = st;
    return decl && { kind: 'count', what: callee, decl, path: parts.slice(1), env: networkEnv(program, r), text: exprText.trim() };
  }
  return undefined;
}
