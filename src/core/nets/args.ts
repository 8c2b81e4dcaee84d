/**
 * Layer arguments: PyTorch's positional order, keyword names and defaults, evaluated from the
 * AST (numbers, document constants, tuples, strings, booleans, `None`, simple arithmetic)
 * and checked for kind. Problems are returned as messages, never thrown.
 */
import type { Arg, Expr } from '../syntax/ast';
import type { Span } from '../span';
import { nearest } from '../diagnostics';

export type ArgKind =
  | 'int' // a non-negative integer
  | 'ints' // an integer or a tuple of integers
  | 'intsOrNone' // an integer or a tuple whose entries may be None (AdaptiveAvgPool2d)
  | 'intOrNone'
  | 'number'
  | 'numberOrNone'
  | 'bool'
  | 'string'
  | 'padding' // an integer, a tuple, 'same' or 'valid'
  | 'net' // the name of a network declared earlier
  | 'any'; // accepted and ignored (inplace, padding_mode='zeros', …)

export interface ArgSpec {
  readonly name: string;
  readonly kind: ArgKind;
  /** Absent: required. */
  readonly default?: ArgVal;
  readonly aliases?: readonly string[];
  /** For 'string': the accepted values. */
  readonly choices?: readonly string[];
  /** For integer kinds: the largest magnitude accepted (default MAX_LAYER_SIZE); beyond it, `arg.too-large`. */
  readonly max?: number;
}

/**
 * The largest integer a layer argument may be (a size, a channel count, a kernel size, …):
 * 2³¹ − 1, PyTorch's int32 index range. Counts that build structure (num_layers) have their own
 * smaller `max`. Beyond it an argument is `arg.too-large` naming the limit (docs/language.md).
 */
export const MAX_LAYER_SIZE = 2_147_483_647;
/** The most layers a recurrent layer may stack (num_layers). */
export const MAX_LAYER_COUNT = 1000;
/** The most parameters one layer may have: 2⁵³ − 1, so that every count stays an exact integer. */
export const MAX_LAYER_PARAMS = Number.MAX_SAFE_INTEGER;

/** A network reference: kept opaque here so args does not depend on the model. */
export interface NetRef {
  readonly kind: 'netref';
  readonly name: string;
  readonly net: unknown;
}

export type ArgVal = number | readonly (number | null)[] | boolean | string | null | NetRef;

export interface ArgEnv {
  constant(name: string): number | undefined;
  network(name: string): unknown;
}

export interface BoundLayerArgs {
  readonly values: Record<string, ArgVal>;
  /** Span of each argument as written (absent for defaults). */
  readonly spans: Record<string, Span>;
  /** The arguments as written, for messages: `Linear(30, 10)`. */
  readonly text: string[];
}

export type ArgProblem = { readonly message: string; readonly span: Span | null; readonly code?: string };

interface EvalErr {
  readonly err: string;
}
const isErr = (v: unknown): v is EvalErr => typeof v === 'object' && v !== null && 'err' in v;

function evalExpr(e: Expr, env: ArgEnv, kind: ArgKind): ArgVal | EvalErr {
  switch (e.kind) {
    case 'Number':
      return e.value;
    case 'String':
      return e.value;
    case 'Bool':
      return e.value;
    case 'Paren':
      return evalExpr(e.inner, env, kind);
    case 'Unary': {
      const v = evalExpr(e.operand, env, kind);
      if (isErr(v)) return v;
      if (typeof v !== 'number') return { err: `a number after ${e.op}` };
      return e.op === '-' ? -v : v;
    }
    case 'Binary': {
      const a = evalExpr(e.left, env, kind);
      const b = evalExpr(e.right, env, kind);
      if (isErr(a)) return a;
      if (isErr(b)) return b;
      if (typeof a !== 'number' || typeof b !== 'number') return { err: 'numbers around the operator' };
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '^':
          return a ** b;
        default:
          return { err: `an arithmetic operator, found ${e.op}` };
      }
    }
    case 'Name': {
      if (e.name === 'None') return null;
      if (e.name === 'True' || e.name === 'true') return true;
      if (e.name === 'False' || e.name === 'false') return false;
      if (kind === 'net') {
        const n = env.network(e.name);
        if (n !== undefined) return { kind: 'netref', name: e.name, net: n };
        return { err: `a network declared earlier, found '${e.name}'` };
      }
      const c = env.constant(e.name);
      if (c !== undefined) return c;
      const n = env.network(e.name);
      if (n !== undefined) return { kind: 'netref', name: e.name, net: n };
      return { err: `a number or a constant defined earlier, found the undefined name '${e.name}'` };
    }
    case 'List': {
      const out: (number | null)[] = [];
      for (const el of e.elements) {
        const v = evalExpr(el, env, 'number');
        if (isErr(v)) return v;
        if (typeof v !== 'number' && v !== null) return { err: 'a tuple of numbers' };
        out.push(v);
      }
      return out;
    }
    default:
      return { err: `a literal argument, found an expression (${e.kind})` };
  }
}

/** A constant number (literal arithmetic over document constants), or undefined: input sizes, seeds. */
export function evalNumber(e: Expr, env: ArgEnv): number | undefined {
  const v = evalExpr(e, env, 'number');
  return typeof v === 'number' ? v : undefined;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function describe(v: ArgVal): string {
  if (v === null) return 'None';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Math.abs(v) >= 1e21 ? v.toExponential() : String(v);
  if (Array.isArray(v)) return `(${v.map((x) => (x === null ? 'None' : String(x))).join(', ')})`;
  return (v as NetRef).name;
}

const INT_KINDS: ReadonlySet<ArgKind> = new Set(['int', 'ints', 'intsOrNone', 'intOrNone', 'padding']);

/** An integer argument (or tuple entry) beyond its limit: the message naming the limit, or undefined. */
function checkLimit(v: ArgVal, spec: ArgSpec): string | undefined {
  if (!INT_KINDS.has(spec.kind)) return undefined;
  const max = spec.max ?? MAX_LAYER_SIZE;
  const xs = typeof v === 'number' ? [v] : Array.isArray(v) ? v : [];
  for (const x of xs) {
    if (typeof x === 'number' && Math.abs(x) > max)
      return `Expected ${spec.name} of at most ${max.toLocaleString('en-US')} (GradLens's limit), found ${describe(x)}.`;
  }
  return undefined;
}

/** Checks a value against a kind; returns what was expected on a mismatch. */
function checkKind(v: ArgVal, spec: ArgSpec): string | undefined {
  const ok = (() => {
    switch (spec.kind) {
      case 'int':
        return isInt(v) && v >= 0;
      case 'intOrNone':
        return v === null || isInt(v);
      case 'ints':
        // `None` where PyTorch's default is None (a pooling layer's stride: the kernel size).
        if (v === null && spec.default === null) return true;
        return (isInt(v) && v >= 0) || (Array.isArray(v) && v.length > 0 && v.every((x) => isInt(x) && x >= 0));
      case 'intsOrNone':
        return (isInt(v) && v >= 0) || (Array.isArray(v) && v.length > 0 && v.every((x) => x === null || (isInt(x) && x >= 0)));
      case 'number':
        return typeof v === 'number' && Number.isFinite(v);
      case 'numberOrNone':
        return v === null || (typeof v === 'number' && Number.isFinite(v));
      case 'bool':
        return typeof v === 'boolean' || v === 0 || v === 1;
      case 'string':
        return typeof v === 'string' && (!spec.choices || spec.choices.includes(v));
      case 'padding':
        return (isInt(v) && v >= 0) || (Array.isArray(v) && v.every((x) => isInt(x) && x >= 0)) || v === 'same' || v === 'valid';
      case 'net':
        return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as NetRef).kind === 'netref';
      case 'any':
        return true;
    }
  })();
  if (ok) return undefined;
  const expected: Record<ArgKind, string> = {
    int: 'a non-negative integer',
    intOrNone: 'an integer or None',
    ints: 'a non-negative integer or a tuple of them',
    intsOrNone: 'an integer or a tuple of integers and None',
    number: 'a number',
    numberOrNone: 'a number or None',
    bool: 'True or False',
    string: spec.choices ? spec.choices.map((c) => `'${c}'`).join(' or ') : 'a string',
    padding: "an integer, a tuple, 'same' or 'valid'",
    net: 'the name of a network declared earlier',
    any: 'anything',
  };
  return `Expected ${expected[spec.kind]} for ${spec.name}, found ${describe(v)}.`;
}

/** Binds positional and keyword arguments to `specs`; problems go to `problems`. */
export function bindLayerArgs(
  layerName: string,
  specs: readonly ArgSpec[],
  args: readonly Arg[] | null,
  env: ArgEnv,
  problems: ArgProblem[],
  lineSpan: Span,
): BoundLayerArgs | undefined {
  const values: Record<string, ArgVal> = {};
  const spans: Record<string, Span> = {};
  const text: string[] = [];
  /** got[i]: specs[i] has a value from the call. */
  const got: boolean[] = new Array<boolean>(specs.length).fill(false);
  let pos = 0;
  let failed = false;
  for (const a of args ?? []) {
    let spec: ArgSpec | undefined;
    let si: number;
    if (a.name) {
      const kw = a.name.name;
      si = specs.findIndex((s) => s.name === kw || s.aliases?.includes(kw));
      spec = si < 0 ? undefined : specs[si];
      if (!spec) {
        const near = nearest(kw, specs.map((s) => s.name));
        problems.push({
          message: `${layerName} has no argument '${kw}'${near ? `; did you mean '${near}'?` : specs.length ? ` (its arguments: ${specs.map((s) => s.name).join(', ')}).` : ' (it takes none).'}`,
          span: a.name.span,
        });
        failed = true;
        continue;
      }
      if (got[si]) {
        problems.push({ message: `${layerName} got ${spec.name} twice.`, span: a.span });
        failed = true;
        continue;
      }
    } else {
      si = pos++;
      spec = specs[si];
      if (!spec) {
        problems.push({ message: `${layerName} takes at most ${specs.length} positional argument${specs.length === 1 ? '' : 's'}, found more.`, span: a.span });
        failed = true;
        continue;
      }
    }
    const v = evalExpr(a.value, env, spec.kind);
    if (isErr(v)) {
      problems.push({ message: `Expected ${v.err} for ${spec.name}.`, span: a.value.span });
      failed = true;
      continue;
    }
    const val = v as ArgVal;
    const bad = checkKind(val, spec);
    if (bad) {
      problems.push({ message: bad, span: a.value.span });
      failed = true;
      continue;
    }
    const big = checkLimit(val, spec);
    if (big) {
      problems.push({ message: big, span: a.value.span, code: 'arg.too-large' });
      failed = true;
      continue;
    }
    values[spec.name] = spec.kind === 'bool' && typeof val === 'number' ? val === 1 : val;
    got[si] = true;
    spans[spec.name] = a.value.span;
    text.push(a.name ? `${a.name.name}=${describe(val)}` : describe(val));
  }
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    if (got[i]) continue;
    if (s.default === undefined) {
      if (!failed)
        problems.push({ message: `${layerName} needs ${s.name} (${specs.filter((x) => x.default === undefined).map((x) => x.name).join(', ')} are required).`, span: lineSpan });
      failed = true;
      continue;
    }
    values[s.name] = s.default;
  }
  return failed ? undefined : { values, spans, text };
}
