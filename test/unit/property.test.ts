/**
 * Robustness properties of the core facade: bad input never stops the analysis (LANGUAGE.md §7).
 * For random text over the language's alphabet, random token sequences, mutations of the
 * example programs and pathological inputs (deep nesting, huge numbers, tabs/CRLF, unbalanced
 * brackets), `analyze` must not throw, must finish promptly, and every diagnostic's span must lie
 * within the text. Sizes are kept small so the whole file runs in seconds on two cores.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Analysis } from '../../src/core/analysis';
import { analyze } from '../../src/core/index';

const SEED = 20240611; // fixed, so a failure reproduces; fast-check prints the counterexample

function example(name: string): string {
  return readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8');
}
const EXAMPLES_NN = ['hw4-t1-residual.nn', 'hw4-softmax-ce.nn', 'hw4-t2-t3-mlp.nn'].map(example);
const EXAMPLE_MD = example('hw4-answers.md');

type Lang = 'nn' | 'markdown';

function analyzeOk(text: string, languageId: Lang): void {
  let a: Analysis;
  try {
    a = analyze(text, { languageId } as never) as Analysis;
  } catch (e) {
    throw new Error(`analyze threw on ${JSON.stringify(text.slice(0, 400))}: ${(e as Error)?.stack ?? e}`);
  }
  // A hang is caught by vitest's test timeout, not by timing each call (no timed assertions).
  // The facade is synchronous by contract here; if it ever returns a promise this fails loudly.
  if (a && typeof (a as unknown as { then?: unknown }).then === 'function') throw new Error('analyze returned a Promise');
  if (!a || !Array.isArray(a.diagnostics)) throw new Error('analyze returned no diagnostics array');
  for (const d of a.diagnostics) {
    const { start, end } = d.span;
    if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= text.length)) {
      throw new Error(
        `diagnostic ${d.code} span ${start}..${end} outside text of length ${text.length}: ${JSON.stringify(text.slice(0, 200))}`,
      );
    }
    if (typeof d.message !== 'string' || typeof d.code !== 'string') throw new Error(`diagnostic without code/message`);
  }
}

// ---- generators ------------------------------------------------------------------------------

const ALPHABET = [
  ...'abcxyzwWXN_αση0123456789',
  ...'+-*/@^()[]{},.:=#\'"!<>%&|;~`',
  ' ', ' ', ' ', '\n', '\n', '\t', '\r\n', '\r', '.T', '**', '==', '1e308', '1e-5', '\u00a0', '\u{1F600}',
];
const charText = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 80 }).map((a) => a.join(''));

const TOKENS = [
  'param', 'grad', 'check', 'expect', 'network', 'wrt', 'within', 'input', 'x', 'y', 'z', 'w0', 'L', 'mlp',
  'mlp.0.weight', 'mlp.A', '.T', '=', '==', '+', '-', '*', '/', '@', '^', '**', '(', ')', '[', ']', ',', ':',
  '0', '1', '2.5', '.5', '1e-3', '-1', '1e400', 'true', 'False', "'same'", '"valid"', 'relu', 'ReLU',
  'softmax', 'sum', 'mean', 'max', 'min', 'reshape', 'transpose', 'cross_entropy', 'bce', 'mse', 'nll',
  'onehot', 'randn', 'rand', 'zeros', 'eye', 'arange', 'seed=1', 'axis=-1', 'dim=0', 'keepdims=true',
  'Linear(3, 4)', 'Conv2d(1, 2, 3)', 'MaxPool2d(2)', 'BatchNorm1d(4)', 'LayerNorm(4)', 'Flatten', 'Sigmoid()',
  'params', 'size', 'F.', 'torch.', 'np.', 'nn.', 'grad(', '#', '\n', '\n  ', '\n\t', '\r\n',
];
const tokenText = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(' ', '', ' ', '\n')), { maxLength: 40 })
  .map((a) => a.map(([t, s]) => t + s).join(''));

/** Statement-shaped lines, more likely to reach evaluation than raw tokens. */
const name = fc.constantFrom('a', 'b', 'x', 'y', 'h', 'L', 'W');
const atom = fc.oneof(
  name,
  fc.constantFrom('0', '1', '2.5', '-3', '1e308', '1e-320', '[1, 2, 3]', '[[1, 2], [3, 4]]', '[]', '[[1], [2, 3]]'),
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '@', '^', '**'), tie('e')).map(([l, o, r]) => `${l} ${o} ${r}`),
    fc
      .tuple(
        fc.constantFrom('relu', 'exp', 'log', 'sum', 'mean', 'softmax', 'max', 'transpose', 'reshape', 'sqrt', 'onehot', 'zeros', 'randn'),
        fc.array(tie('e'), { maxLength: 3 }),
      )
      .map(([f, args]) => `${f}(${args.join(', ')})`),
    tie('e').map((e) => `(${e})`),
    tie('e').map((e) => `-${e}`),
    fc.tuple(tie('e'), fc.constantFrom('[0]', '[:, 0]', '[-1]', '[::2]', '.T', '.sum()', '.reshape(2, 3)')).map(([e, s]) => `${e}${s}`),
  ),
})).e;
const statement = fc.oneof(
  fc.tuple(name, expr).map(([n, e]) => `${n} = ${e}`),
  fc.tuple(name, expr).map(([n, e]) => `param ${n} = ${e}`),
  fc.tuple(name, fc.array(name, { maxLength: 3 })).map(([n, w]) => (w.length ? `grad ${n} wrt ${w.join(', ')}` : `grad ${n}`)),
  fc.tuple(name, name).map(([n, w]) => `check ${n} wrt ${w}`),
  fc.tuple(expr, expr).map(([l, r]) => `expect ${l} == ${r}`),
  expr,
);
const program = fc.array(statement, { maxLength: 8 }).map((a) => a.join('\n'));

/** Mutations of a text: delete/insert/duplicate characters and lines, line-end and tab changes. */
type Mutation =
  | { k: 'delChar'; at: number }
  | { k: 'insChar'; at: number; c: string }
  | { k: 'dupChar'; at: number }
  | { k: 'delLine'; at: number }
  | { k: 'dupLine'; at: number }
  | { k: 'swapLines'; at: number; b: number }
  | { k: 'crlf' }
  | { k: 'tabs'; at: number }
  | { k: 'bigNum'; at: number; n: string };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ k: fc.constant('delChar' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('insChar' as const), at: fc.nat(), c: fc.constantFrom(...ALPHABET, '(', '[', ')', ']') }),
  fc.record({ k: fc.constant('dupChar' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('delLine' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('dupLine' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('swapLines' as const), at: fc.nat(), b: fc.nat() }),
  fc.record({ k: fc.constant('crlf' as const) }),
  fc.record({ k: fc.constant('tabs' as const), at: fc.nat() }),
  fc.record({ k: fc.constant('bigNum' as const), at: fc.nat(), n: fc.constantFrom('1e308', '1e309', '99999999999999999999999', '0.000000000000000000001', '-0', '123456789', '4096') }),
);

function mutate(text: string, ms: Mutation[]): string {
  let t = text;
  for (const m of ms) {
    const n = Math.max(1, t.length);
    const lines = t.split('\n');
    switch (m.k) {
      case 'delChar': {
        const i = m.at % n;
        t = t.slice(0, i) + t.slice(i + 1);
        break;
      }
      case 'insChar': {
        const i = m.at % (t.length + 1);
        t = t.slice(0, i) + m.c + t.slice(i);
        break;
      }
      case 'dupChar': {
        const i = m.at % n;
        t = t.slice(0, i + 1) + t.slice(i);
        break;
      }
      case 'delLine':
        lines.splice(m.at % lines.length, 1);
        t = lines.join('\n');
        break;
      case 'dupLine': {
        const i = m.at % lines.length;
        lines.splice(i, 0, lines[i]);
        t = lines.join('\n');
        break;
      }
      case 'swapLines': {
        const i = m.at % lines.length;
        const j = m.b % lines.length;
        [lines[i], lines[j]] = [lines[j], lines[i]];
        t = lines.join('\n');
        break;
      }
      case 'crlf':
        t = t.replace(/\r?\n/g, '\r\n');
        break;
      case 'tabs': {
        const i = m.at % lines.length;
        lines[i] = lines[i].replace(/^ +/, '\t');
        t = lines.join('\n');
        break;
      }
      case 'bigNum': {
        let k = 0;
        const target = m.at % 8;
        t = t.replace(/\d+(\.\d+)?/g, (s) => (k++ === target ? m.n : s));
        break;
      }
    }
  }
  return t;
}

/** GRADLENS_PROPERTY_RUNS=20 multiplies the run counts for a longer local hunt (with a random seed). */
const SCALE = Math.max(1, Number(process.env.GRADLENS_PROPERTY_RUNS ?? 1) || 1);
const RUNS = { seed: SCALE > 1 ? Date.now() % 2 ** 31 : SEED, numRuns: 60 * SCALE } as const;

// ---- properties ------------------------------------------------------------------------------

describe('analyze never throws and keeps spans inside the text (.nn)', () => {
  it('random text over the alphabet', () => {
    fc.assert(fc.property(charText, (t) => analyzeOk(t, 'nn')), RUNS);
  });

  it('random token sequences', () => {
    fc.assert(fc.property(tokenText, (t) => analyzeOk(t, 'nn')), RUNS);
  });

  it('random statement-shaped programs', () => {
    fc.assert(fc.property(program, (t) => analyzeOk(t, 'nn')), RUNS);
  });

  it('mutations of the example programs', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EXAMPLES_NN), fc.array(mutation, { minLength: 1, maxLength: 4 }), (src, ms) =>
        analyzeOk(mutate(src, ms), 'nn'),
      ),
      { ...RUNS, numRuns: 80 * SCALE },
    );
  });

  it('pathological inputs: deep nesting, huge numbers, unbalanced brackets, odd line ends', () => {
    const deep = (open: string, close: string, n: number, inner = '1') => open.repeat(n) + inner + close.repeat(n);
    const cases = [
      '',
      '\n\n\n',
      '\r\n\r\n',
      '\r',
      '\t',
      '#',
      '=',
      'x =',
      '= 1',
      'param',
      'grad',
      'grad wrt',
      'expect ==',
      'network',
      'network mlp',
      'network mlp\n  input',
      'network mlp\n  input [',
      'network mlp\n\tinput [2, 3]\n  Linear(3, 4)',
      `x = ${deep('(', ')', 500)}`,
      `x = ${deep('[', ']', 500)}`,
      `x = ${deep('relu(', ')', 300)}`,
      `x = ${'-'.repeat(1000)}1`,
      `x = ${Array(200).fill('2').join('^')}`,
      `x = ${Array(200).fill('2').join('**')}`,
      `x = ${deep('(', '', 500)}`,
      `x = ${deep('', ')', 500)}`,
      `x = ${deep('[', '', 200)}\ny = 2`,
      'x = (1 + 2\ny = 3\nz = [1, 2\n',
      'x = 1)\ny = ]\nz = }',
      'x = 1e999999\ny = -1e999999\nz = x - x\ngrad z',
      'x = 0.0000000000000000000000000000000000000000000000000001e-400',
      `x = ${'9'.repeat(5000)}`,
      'x = [1, 2, 3]\ny = x[99]\nz = x[-99]\nw = x[::0]',
      'x = ones(-1)',
      'x = reshape([1, 2, 3], 2, 2)',
      'x = softmax([1, 2], axis=5)',
      'x = [1, 2] @ [1, 2, 3]',
      'param x = 1\nx = x\ngrad x wrt x\ncheck x',
      'a = a',
      'a = 1\na = a + a\na = a * a\ngrad a wrt a',
      'grad(1, 2)\ny = grad(x, x)',
      'network n\n  input [2, 3]\n  n()\n',
      'network a\n  input [2, 3]\n  b\nnetwork b\n  input [2, 3]\n  a\ny = a([[1, 2, 3], [4, 5, 6]])',
      'network n\n  input [2, 3]\n  Linear(3, 2)\nparam n.0.weight = [1, 2]\ny = n([[1, 2, 3]])',
      'x = 1 # ( [ unbalanced in a comment\ny = x',
      'x = "unterminated\ny = \'also',
      'x\u00a0= 1\n\u2028y = 2\u2029',
      'é = 1\n😀 = 2\nα = 3',
      'x = 1;y = 2',
      'x = 1 if 2 else 3',
    ];
    for (const t of cases) analyzeOk(t, 'nn');
  });

  it('resource limits: huge tensors and layers are refused or budgeted, not allocated', () => {
    const cases = [
      'x = zeros(100000, 100000)',
      'x = randn(1e9, seed=1)',
      'x = ones(3000, 3000)\ny = x @ x @ x',
      'network n\n  input [N, 3]\n  Linear(3, 1e12)\nexpect params(n) == 0',
      'network n\n  input [100000, 100000]\n  Linear(100000, 100000)\ny = n(zeros(100000, 100000))',
    ];
    for (const t of cases) analyzeOk(t, 'nn');
  });
});

describe('analyze never throws and keeps spans inside the text (Markdown)', () => {
  const fence = fc.constantFrom('```nn', '~~~nn', '```nn extra', '````nn', '  ```nn', '- ```nn', '```', '```python', '~~~ nn');
  const close = fc.constantFrom('```', '~~~', '````', '  ```', '', '``', '~~~~');
  const block = fc
    .tuple(fence, fc.oneof(program, tokenText, charText), close)
    .map(([f, body, c]) => `${f}\n${body}\n${c}`);
  const md = fc
    .array(fc.oneof(block, fc.constantFrom('# Title', 'Some text.', '', '- item', '  continued', '> quote')), {
      maxLength: 6,
    })
    .map((a) => a.join('\n'));

  it('random Markdown documents with nn blocks', () => {
    fc.assert(fc.property(md, (t) => analyzeOk(t, 'markdown')), RUNS);
  });

  it('mutations of the Markdown example', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => analyzeOk(mutate(EXAMPLE_MD, ms), 'markdown')),
      RUNS,
    );
  });

  it('pathological Markdown', () => {
    const cases = [
      '',
      '```nn',
      '```nn\n',
      '```nn\nx = (1 +\n```\n```nn\ny = 2\n```',
      '```nn\nx = [[[[\n```',
      '~~~nn\nnetwork mlp\n  input [2, 3]\n~~~\n  Linear(3, 4)\n',
      '- item\n\n  ```nn\n  x = 1\n  y = x +\n  ```\n',
      '```nn\r\nx = 1\r\n```\r\n',
      '```nn\n' + '('.repeat(500) + '\n```',
      '````nn\n```\nx = 1\n````',
    ];
    for (const t of cases) analyzeOk(t, 'markdown');
  });
});
