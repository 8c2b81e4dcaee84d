/**
 * Inputs for the fuzz test (test/unit/hardening/fuzz.test.ts) and `npm run fuzz`
 * (scripts/fuzz.js): token soup, mutations of the examples, and grammar-generated programs.
 * All are fast-check arbitraries, so a seed reproduces a run exactly.
 */
import fc from 'fast-check';
import { analyze, type Analysis } from '../../src/core/index';
import type { Span } from '../../src/core/span';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The examples (examples/*.nn, *.md), read from the repository (tests and the script run at its root). */
export const EXAMPLES: readonly { readonly name: string; readonly text: string; readonly languageId: 'nn' | 'markdown' }[] = readdirSync('examples')
  .filter((f) => f.endsWith('.nn') || f.endsWith('.md'))
  .sort()
  .map((f) => ({ name: f, text: readFileSync(join('examples', f), 'utf8'), languageId: f.endsWith('.md') ? ('markdown' as const) : ('nn' as const) }));

export interface FuzzInput {
  readonly kind: 'soup' | 'mutation' | 'grammar';
  readonly text: string;
  readonly languageId: 'nn' | 'markdown';
}

// ---- token soup -------------------------------------------------------------------------------

const TOKENS = [
  'x', 'y', 'W', 'b', 'L', 'mlp', 'net', 'α', 'σ', '𝑥', 'x_1', 'mlp.A', 'mlp.0.weight', 'n.0.bias',
  '0', '1', '2.5', '-3', '1e308', '1e-308', '99999999', 'inf', 'nan', 'pi', '0x1', '1_000', '.5', '5.',
  '=', '+', '-', '*', '/', '^', '**', '@', '==', '<=', '!=', '.', ',', ':', ';', 'T', "'",
  '(', ')', '[', ']', '{', '}', '"', '"a`b"', '"<img src=x>"', "'s'",
  'param', 'grad', 'wrt', 'check', 'within', 'expect', 'network', 'input', 'train', 'on', 'loss', 'optimizer', 'epochs', 'batch', 'seed',
  'assignment "a"', 'question T1', 'points', 'carry', 'answer', '?', 'tolerance rel', 'tolerance abs', 'sigfig', 'decdig', 'handout student "s"', 'released', 'selfcheck T1.1 "s" "1e-2:0123456789abcdef"', 'vary(', 'uniform(', 'randint(', 'round=',
  'relu', 'sigmoid', 'tanh', 'softmax', 'sum', 'mean', 'max', 'log', 'exp', 'ones', 'zeros', 'randn', 'eye', 'onehot', 'reshape', 'load_csv',
  'cross_entropy', 'mse', 'bce', 'grad(', 'params(', 'size(',
  'Linear', 'Conv2d', 'LSTM', 'GRU', 'RNN', 'MaxPool2d', 'BatchNorm1d', 'MultiheadAttention', 'Residual', 'Flatten', 'ReLU', 'Embedding',
  'num_layers=', 'kernel_size=', 'axis=', 'dim=', 'train=true', 'SGD(lr=0.1)', 'Adam(lr=1e-3)',
  ' ', ' ', ' ', '  ', '\t', '\n', '\n', '\n  ', '\r\n', '\r', '# comment `x` ![i](u) <b>', '#', '```nn\n', '```\n', '~~~nn\n',
  '\ud800', '\udc00', '😀', '\u200b', '\ufeff', '\u2028', '\0', '\\', '`', '$(icon)', '[l](u)',
];

export const soup: fc.Arbitrary<FuzzInput> = fc
  .tuple(fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 60 }), fc.boolean())
  .map(([ts, md]) => ({ kind: 'soup' as const, text: ts.join(''), languageId: md ? ('markdown' as const) : ('nn' as const) }));

// ---- mutations of the examples ---------------------------------------------------------------

type Edit = { op: 'delete' | 'insert' | 'duplicate' | 'replace'; at: number; len: number; token: string };

const edit: fc.Arbitrary<Edit> = fc.record({
  op: fc.constantFrom('delete', 'insert', 'duplicate', 'replace') as fc.Arbitrary<Edit['op']>,
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 12 }),
  token: fc.constantFrom(...TOKENS),
});

function applyEdit(text: string, e: Edit): string {
  if (text.length === 0) return e.token;
  const at = e.at % (text.length + 1);
  const end = Math.min(text.length, at + e.len);
  switch (e.op) {
    case 'delete':
      return text.slice(0, at) + text.slice(end);
    case 'insert':
      return text.slice(0, at) + e.token + text.slice(at);
    case 'duplicate':
      return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    case 'replace':
      return text.slice(0, at) + e.token + text.slice(end);
  }
}

export const mutation: fc.Arbitrary<FuzzInput> = fc
  .tuple(fc.nat({ max: EXAMPLES.length - 1 }), fc.nat(), fc.integer({ min: 3, max: 25 }), fc.array(edit, { minLength: 1, maxLength: 6 }))
  .map(([ex, from, lines, edits]) => {
    const e = EXAMPLES[ex];
    // A window of the example's lines (the whole of a short one), then the edits.
    const all = e.text.split('\n');
    const start = all.length > lines ? from % (all.length - lines) : 0;
    let text = all.slice(start, start + lines).join('\n');
    for (const ed of edits) text = applyEdit(text, ed);
    return { kind: 'mutation' as const, text, languageId: e.languageId };
  });

// ---- grammar-generated programs --------------------------------------------------------------

const name = fc.constantFrom('x', 'y', 'z', 'w', 'b', 'h', 'L', 'p', 'q');
const number = fc.oneof(
  fc.integer({ min: -5, max: 9 }).map(String),
  fc.constantFrom('0.5', '1e-3', '2.5', '0', '1e308', '-0.0', 'inf'),
);
const vector = fc.array(number, { minLength: 1, maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`);
const matrix = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
  .chain(([r, c]) => fc.array(fc.array(number, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }))
  .map((rows) => `[${rows.map((r) => `[${r.join(', ')}]`).join(', ')}]`);
const FUNCS = ['relu', 'sigmoid', 'tanh', 'exp', 'log', 'sum', 'mean', 'softmax', 'abs', 'sqrt', 'max', 'transpose'];

const expr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    name,
    vector,
    matrix,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '@', '^'), tie('e')).map(([a, o, b]) => `${a} ${o} ${b}`),
    fc.tuple(fc.constantFrom(...FUNCS), tie('e')).map(([f, a]) => `${f}(${a})`),
    tie('e').map((a) => `(${a})`),
    tie('e').map((a) => `-${a}`),
    fc.tuple(tie('e'), fc.constantFrom('.T', '[0]', '.sum()')).map(([a, s]) => `${a}${s}`),
    fc.tuple(fc.constantFrom('ones', 'zeros', 'randn'), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).map(([f, a, b]) => `${f}(${a}, ${b})`),
  ),
})).e;

const LAYERS = ['Linear(3, 4)', 'ReLU()', 'Linear(4)', 'Sigmoid()', 'Tanh()', 'Dropout(0.5)', 'LayerNorm(4)', 'Linear(4, 2)', 'Flatten()', 'Softmax(dim=1)', 'GELU()'];
const network = fc
  .tuple(fc.constantFrom('mlp', 'net'), fc.constantFrom('[2, 3]', '[N, 3]', '[1, 3]'), fc.array(fc.tuple(fc.option(fc.constantFrom('A', 'B', 'C')), fc.constantFrom(...LAYERS)), { minLength: 1, maxLength: 5 }))
  .map(([n, inp, ls]) => [`network ${n}`, `  input ${inp}`, ...ls.map(([l, layer]) => `  ${l ? `${l} = ` : ''}${layer}`)].join('\n'));

const statement: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(name, expr).map(([n, e]) => `${n} = ${e}`) },
  { weight: 2, arbitrary: fc.tuple(name, expr).map(([n, e]) => `param ${n} = ${e}`) },
  { weight: 2, arbitrary: fc.tuple(name, name).map(([a, b]) => `grad ${a} wrt ${b}`) },
  { weight: 1, arbitrary: name.map((a) => `grad ${a}`) },
  { weight: 1, arbitrary: fc.tuple(name, name).map(([a, b]) => `check ${a} wrt ${b}`) },
  { weight: 1, arbitrary: fc.tuple(expr, expr).map(([a, b]) => `expect ${a} == ${b}`) },
  { weight: 1, arbitrary: network },
  { weight: 1, arbitrary: fc.constantFrom('y = mlp([[1, 2, 3]])', 'L = sum(mlp(ones(2, 3)))', 'grad L wrt mlp.A.weight', 'expect params(mlp) == 16', 'param mlp.0.bias = 1') },
);

export const grammar: fc.Arbitrary<FuzzInput> = fc
  .array(statement, { minLength: 1, maxLength: 10 })
  .map((ss) => ({ kind: 'grammar' as const, text: ss.join('\n') + '\n', languageId: 'nn' as const }));

/** One third of each kind. */
export const fuzzInput: fc.Arbitrary<FuzzInput> = fc.oneof(soup, mutation, grammar);

// ---- the properties --------------------------------------------------------------------------

/** The budget the fuzz runs analyse under: small, so that 10,000 inputs fit in a minute. */
export const FUZZ_BUDGET = 2e5;

/** What is wrong with the analysis of `input`, or undefined: a range outside the text, or a result that does not serialise. */
export function problemsOf(input: FuzzInput, a: Analysis): string | undefined {
  const n = input.text.length;
  const bad = (s: Span | undefined, what: string): string | undefined =>
    s === undefined || !(Number.isInteger(s.start) && Number.isInteger(s.end) && 0 <= s.start && s.start <= s.end && s.end <= n) ? `${what} range ${JSON.stringify(s)} outside [0, ${n}]` : undefined;
  for (const d of a.diagnostics) {
    const p = bad(d.span, `diagnostic ${d.code}`);
    if (p) return p;
    if (d.code === 'eval.internal' || d.code === 'explain.internal') return `internal error: ${d.message}`;
    for (const f of d.fixes ?? []) if (bad(f.span, `fix of ${d.code}`)) return bad(f.span, `fix of ${d.code}`);
  }
  for (const v of a.values) {
    const p = bad(v.span, `value ${v.name}`) ?? bad(v.nameSpan, `value ${v.name} name`);
    if (p) return p;
  }
  for (const g of a.gradients) {
    const p = bad(g.span, 'gradient') ?? bad(g.wrtSpan, 'gradient wrt');
    if (p) return p;
  }
  for (const s of a.symbols) {
    const p = bad(s.span, `symbol ${s.kind}`);
    if (p) return p;
  }
  for (const x of [...a.checks, ...a.expectations, ...a.networks, ...(a.trainings ?? [])]) {
    const p = bad(x.span, 'result');
    if (p) return p;
  }
  for (const g of a.graph.nodes) {
    const p = bad(g.span, 'graph node');
    if (p) return p;
  }
  try {
    const json = JSON.stringify(a);
    JSON.parse(json);
    structuredClone(a);
  } catch (e) {
    return `not serialisable: ${(e as Error).message}`;
  }
  return undefined;
}

/** Analyses one input: the problem found (an exception counts), or undefined. */
export function fuzzOne(input: FuzzInput): string | undefined {
  let a: Analysis;
  try {
    a = analyze(input.text, { languageId: input.languageId, budget: FUZZ_BUDGET, readFile: () => '1,2\n3,4\n' });
  } catch (e) {
    return `exception: ${(e as Error)?.stack ?? String(e)}`;
  }
  return problemsOf(input, a);
}
