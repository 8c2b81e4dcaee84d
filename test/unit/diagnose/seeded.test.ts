/**
 * The misconception engine against seeded wrong answers. Every wrong number below is derived by
 * hand from the misconception it is filed under (the arithmetic is in the comment), on the
 * homework's T1, T2, T3 and softmax-CE questions and on other exercises (a fork, a sigmoid
 * neuron, a conv network's sizes, a batched MSE, a square matmul, a ReLU at its kink).
 * Correct answers get no diagnosis; random wrong numbers almost never get one.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { analyzeFull } from '../../../src/core/index';
import { contextOf, diagnoseAnswer, quantityOf } from '../../../src/core/diagnose/index';
import { parseProgram } from '../../../src/core/syntax/parser';
import { createRng } from '../../../src/core/tensor/rng';

const example = (name: string): string => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');

const PROGRAMS: Record<string, string> = {
  // Homework T1: x1 = 0.4, y1 = −0.38, z = 0.62; ∂z/∂w0 = −0.2, ∂z/∂w1 = 0.4, ∂z/∂b0 = −0.2, ∂z/∂b1 = 1, ∂z/∂x0 = 0.94.
  t1: example('hw4-t1-residual.nn'),
  // Homework T2/T3: input [32, 30], Linear 1024, 512, 1; sizes 32,768 / 16,384 / 32; 557,057 parameters.
  mlp: example('hw4-t2-t3-mlp.nn'),
  // Homework softmax-CE: h = [2, 1, 0.1], y = onehot(0, 3); ∂L/∂h = P − y.
  ce: example('hw4-softmax-ce.nn'),
  // cross_entropy with a class index: h = [1.5, −0.3, 0.8, 0.1], class 2.
  ce4: example('solution-ce4.nn'),
  // A fork: a = w·x = 1, b = ReLU(a + c) = 1.5, y = a·b + x·x = 5.5; ∂y/∂w = (b + a)·x = 5, ∂y/∂x = (b + a)·w + 2x = 5.25.
  fork: example('solution-fork.nn'),
  // A small CNN: conv1 [8, 16, 32, 32] = 131,072; conv2 [8, 32, 16, 16] = 65,536; 5,482 parameters.
  cnn: example('solution-cnn.nn'),
  // A sigmoid neuron with a squared error: s = 0.8·0.5 − 0.1 = 0.3, p = σ(0.3), L = (p − 1)².
  sigmoid: ['x = 0.5', 't = 1.0', 'param w = 0.8', 'param b = -0.1', 'p = sigmoid(w * x + b)', 'L = (p - t)^2'].join('\n'),
  // A batched MSE: P = X@W + b = [−0.4, −0.4, 1.1, 0.1], E = P − Y = [−1.4, −0.4, −0.9, −0.9], L = ΣE²/4 = 0.935.
  mse: [
    'X = [[1, 2], [0, 1], [2, 0], [1, 1]]',
    'Y = [[1], [0], [2], [1]]',
    'param W = [[0.5], [-0.5]]',
    'param b = 0.1',
    'P = X @ W + b',
    'L = mse(P, Y)',
    'M = mean((P - Y)^2)',
  ].join('\n'),
  // A square matmul: h = W@x = [−1, −1], L = Σh² = 2, ∂L/∂W = 2·h·xᵀ = [[−2, 2], [−2, 2]].
  square: ['x = [1, -1]', 'param W = [[1, 2], [3, 4]]', 'h = W @ x', 'L = sum(h * h)'].join('\n'),
  // A ReLU exactly at its kink: a = 2·0.5 − 1 = 0, L = 3·ReLU(a) + a; ∂L/∂w = (3·ReLU'(0) + 1)·x = 0.5.
  kink: ['x = 0.5', 'param w = 2', 'param b = -1', 'a = w * x + b', 'r = relu(a)', 'L = 3 * r + a'].join('\n'),
  // A tanh unit: s = 0.8·0.5 − 0.1 = 0.3, a = tanh(0.3), L = 2·a.
  tanh: ['x = 0.5', 'param w = 0.8', 'param b = -0.1', 'a = tanh(w * x + b)', 'L = 2 * a'].join('\n'),
  // Batched cross-entropy: H [2, 3], classes [0, 2]; ∂L/∂H = (softmax(H) − onehot)/2.
  ceBatch: ['H = [[2.0, 1.0, 0.1], [0.5, 0.5, 1.0]]', 'c = [0, 2]', 'L = cross_entropy(H, c)'].join('\n'),
};

const analysed = new Map<string, { full: ReturnType<typeof analyzeFull>; program: ReturnType<typeof parseProgram>['program']; text: string }>();
function get(name: string) {
  let a = analysed.get(name);
  if (!a) {
    const text = PROGRAMS[name];
    a = { full: analyzeFull(text, { valuesOnly: true }), program: parseProgram(text).program, text };
    analysed.set(name, a);
  }
  return a;
}

function diagnose(name: string, q: string, answer: number | number[], tolerance?: number) {
  const a = get(name);
  const quantity = quantityOf(a.full.eval, a.program, q);
  if (!quantity) throw new Error(`no quantity ${q} in ${name}`);
  return diagnoseAnswer(contextOf(a.full.eval, a.text), { quantity, answer: typeof answer === 'number' ? [answer] : answer, tolerance });
}

// Hand-computed helpers (the same arithmetic as the comments).
const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const softmax = (h: number[]): number[] => {
  const m = Math.max(...h);
  const e = h.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const P3 = softmax([2, 1, 0.1]);
const P4 = softmax([1.5, -0.3, 0.8, 0.1]);
const Pb = [softmax([2, 1, 0.1]), softmax([0.5, 0.5, 1])];
const p = sig(0.3); // the sigmoid neuron's output
const tnh = Math.tanh(0.3);

/** [program, quantity, wrong answer, code, how the number was derived] */
const SEEDED: [string, string, number | number[], string, string][] = [
  // ---- T1 forward values
  ['t1', 'x1', 0.3, 'forgot-bias', 'ReLU(1·0.3) without + b0'],
  ['t1', 'y1', -0.08, 'forgot-bias', '0.4·(−0.2) without + b1'],
  ['t1', 'z', 0, 'missing-path', 'ReLU(−0.38) without the skip + x0'],
  ['t1', 'z', 0.92, 'forgot-bias', 'ReLU(−0.08 + 1): b1 left out of y1'],
  ['t1', 'z', 0.64, 'forgot-bias', 'x1 = 0.3 (no b0), y1 = −0.36, z = ReLU(0.64)'],
  // ---- T1 gradients
  ['t1', 'grad(z, w0)', 0.2, 'sign-flip', '−(−0.2)'],
  ['t1', 'grad(z, w0)', 0, 'relu-wrong-side', "ReLU'(y1 = −0.38) = 0 instead of ReLU'(0.62) = 1"],
  ['t1', 'grad(z, w0)', 1, 'missing-factor', '1·[w1 left out]·1·x0 = 1'],
  ['t1', 'grad(z, w1)', -0.4, 'sign-flip', '−0.4'],
  ['t1', 'grad(z, w1)', 0.3, 'forgot-bias', 'x1 = 0.3 without b0, then ∂z/∂w1 = x1'],
  ['t1', 'grad(z, w1)', 0, 'relu-wrong-side', "ReLU'(−0.38)·x1 = 0"],
  ['t1', 'grad(z, w1)', 1, 'missing-factor', '1·[x1 left out] = 1'],
  ['t1', 'grad(z, b0)', 0.2, 'sign-flip', '−(−0.2)'],
  ['t1', 'grad(z, b0)', 0, 'relu-wrong-side', "ReLU'(−0.38)·w1·1 = 0"],
  ['t1', 'grad(z, b1)', -1, 'sign-flip', '−1'],
  ['t1', 'grad(z, b1)', 0, 'relu-wrong-side', "ReLU'(−0.38)·1 = 0"],
  ['t1', 'grad(z, x0)', -0.06, 'missing-path', '1·(−0.2)·1·0.3 (the path through x1 only)'],
  ['t1', 'grad(z, x0)', 1, 'missing-path', 'the skip x0 → z only'],
  ['t1', 'grad(z, x0)', 1.94, 'extra-path', '0.94 + 1 (the skip counted twice)'],
  ['t1', 'grad(z, x0)', 0.88, 'extra-path', '0.94 − 0.06 (the path through x1 counted twice)'],
  // ---- T2 sizes
  ['mlp', 'size(mlp.A)', 1024, 'size-without-batch', '1024 per example instead of 32·1024'],
  ['mlp', 'size(mlp.B)', 512, 'size-without-batch', '512 instead of 32·512'],
  ['mlp', 'size(mlp.C)', 1, 'size-without-batch', '1 instead of 32·1'],
  ['mlp', 'size(mlp.A)', 32768 * 32, 'size-per-example', '32·1024 multiplied by the batch 32 again'],
  // ---- T3 parameters
  // (Issue #13 prints this sum as 556,032; 30·1024 + 1024·512 + 512·1 is 30,720 + 524,288 + 512 = 555,520.)
  ['mlp', 'params(mlp)', 555520, 'forgot-bias', '30·1024 + 1024·512 + 512·1'],
  ['mlp', 'params(mlp)', 557057 * 32, 'batch-in-params', '557,057 × 32'],
  ['mlp', 'params(mlp.A)', 30720, 'forgot-bias', '30·1024'],
  ['mlp', 'params(mlp)', 557056, 'forgot-bias', "557,057 − C's bias 1"],
  // ---- softmax + cross-entropy (homework) and cross_entropy with a class index
  ['ce', 'grad(L, h)', [1 - P3[0], -P3[1], -P3[2]], 'sign-flip', 'y − P'],
  ['ce', 'grad(L, h)', [-(1 - P3[0]), 0, 0], 'softmax-diagonal-only', '−y_i/P_i · P_i(1 − P_i) = −y_i(1 − P_i)'],
  ['ce4', 'grad(L, h)', [-P4[0], -P4[1], 1 - P4[2], -P4[3]], 'sign-flip', 'onehot(2) − softmax(h)'],
  ['ce4', 'grad(L, h)', [0, 0, -(1 - P4[2]), 0], 'softmax-diagonal-only', '−y(1 − p)'],
  ['ceBatch', 'grad(L, H)', [Pb[0][0] - 1, Pb[0][1], Pb[0][2], Pb[1][0], Pb[1][1], Pb[1][2] - 1], 'mean-vs-sum', 'softmax(H) − onehot, without the 1/2 of the mean'],
  ['ceBatch', 'L', -Math.log(Pb[0][0]) - Math.log(Pb[1][2]), 'mean-vs-sum', '−log p₀₀ − log p₁₂ (a sum over the batch)'],
  // ---- a fork
  ['fork', 'grad(y, w)', 2, 'missing-path', 'a·ReLU\'·x = 1·1·2 (the path a → a·b left out)'],
  ['fork', 'grad(y, w)', 3, 'missing-path', 'b·x = 1.5·2 (the path a → a + c left out)'],
  ['fork', 'grad(y, w)', 7, 'extra-path', '5 + 2'],
  ['fork', 'grad(y, w)', 8, 'extra-path', '5 + 3'],
  ['fork', 'grad(y, x)', 3.25, 'missing-path', '(b + a)·w + x: x·x differentiated as x'],
  ['fork', 'y', 5, 'forgot-bias', 'a·ReLU(a) + x·x = 1 + 4 (c left out)'],
  // ---- a sigmoid neuron
  ['sigmoid', 'grad(L, w)', 2 * (p - 1) * p * 0.5, 'activation-derivative', "2(p − t)·σ·x: σ' written as σ"],
  ['sigmoid', 'grad(L, w)', 2 * (p - 1) * sig(p) * (1 - sig(p)) * 0.5, 'relu-wrong-side', "σ' evaluated at the output p"],
  ['sigmoid', 'grad(L, w)', 2 * (p - 1) * 0.3 * (1 - 0.3) * 0.5, 'relu-wrong-side', 's(1 − s) with s = 0.3, the input'],
  ['sigmoid', 'grad(L, w)', (p - 1) * p * (1 - p) * 0.5, 'missing-factor', "the power rule's 2 left out"],
  ['sigmoid', 'grad(L, w)', -2 * (p - 1) * p * (1 - p) * 0.5, 'sign-flip', 'the whole gradient negated'],
  ['sigmoid', 'p', 0.3, 'missing-activation', 'w·x + b without σ'],
  ['sigmoid', 'p', sig(0.4), 'forgot-bias', 'σ(0.8·0.5) without b'],
  // ---- a tanh unit
  ['tanh', 'grad(L, w)', 2 * (1 - tnh) * 0.5, 'activation-derivative', "tanh' written as 1 − tanh"],
  ['tanh', 'grad(L, w)', 2 * (1 - 0.3 * 0.3) * 0.5, 'relu-wrong-side', '1 − s² with s = 0.3, the input'],
  // ---- a conv network's sizes and parameters
  ['cnn', 'size(cnn.conv1)', 8 * 16 * 30 * 30, 'conv-arithmetic', '(32 − 3)/1 + 1 = 30 without padding'],
  ['cnn', 'size(cnn.conv1)', 16 * 32 * 32, 'size-without-batch', '16·32·32 per example'],
  ['cnn', 'size(cnn.conv1)', 8 * 16 * 31 * 31, 'conv-arithmetic', '(32 + 2 − 3)/1 = 31: the + 1 left out'],
  ['cnn', 'size(cnn.conv2)', 8 * 32 * 31 * 31, 'conv-arithmetic', 'MaxPool2d(2) with stride 1: 31×31'],
  ['cnn', 'size(cnn.conv2)', 8 * 32 * 14 * 14, 'conv-arithmetic', 'conv2 without padding: 16 − 3 + 1 = 14'],
  ['cnn', 'params(cnn)', 5482 - 16 - 32 - 32 - 10, 'forgot-bias', 'every bias (conv1 16, conv2 32, BatchNorm 32, fc 10) left out'],
  // ---- a batched MSE
  ['mse', 'grad(L, b)', -7.2, 'mean-vs-sum', '2·ΣE = 2·(−3.6) (no 1/4)'],
  ['mse', 'grad(L, b)', -0.9, 'missing-factor', 'ΣE/4: the 2 of the square left out'],
  ['mse', 'grad(L, b)', 1.8, 'sign-flip', '−2·ΣE/4'],
  ['mse', 'L', 3.74, 'mean-vs-sum', 'ΣE² = 1.96 + 0.16 + 0.81 + 0.81'],
  ['mse', 'grad(L, W)', [-8.2, -8.2], 'mean-vs-sum', '2·XᵀE = 2·[−4.1, −4.1]'],
  ['mse', 'grad(M, b)', -7.2, 'mean-vs-sum', 'mean written as a sum: 2·ΣE'],
  ['mse', 'grad(M, b)', -0.9, 'missing-factor', "the power rule's 2 left out: ΣE/4"],
  // ---- a square matmul
  ['square', 'grad(L, W)', [-2, -2, 2, 2], 'transposed', '(2·h·xᵀ)ᵀ'],
  ['square', 'h', [-2, -2], 'transposed', 'Wᵀ·x = [1 − 3, 2 − 4]'],
  // ---- a ReLU at its kink
  ['kink', 'grad(L, w)', 2, 'relu-at-kink', "(3·ReLU'(0) + 1)·x with ReLU'(0) = 1: 4·0.5"],
];

describe('seeded wrong answers are named with the misconception they come from', () => {
  it(`the table has at least 40 rows (${SEEDED.length})`, () => expect(SEEDED.length).toBeGreaterThanOrEqual(40));
  for (const [prog, q, answer, code, how] of SEEDED) {
    it(`${prog}: ${q} = ${Array.isArray(answer) ? `[${answer.map((x) => +x.toFixed(4)).join(', ')}]` : answer} is ${code} (${how})`, () => {
      const d = diagnose(prog, q, answer);
      expect(d.map((x) => x.code)).toContain(code);
      expect(d[0].message).toMatch(/^Your .* \(misconception: [a-z-]+\)\.$/);
    });
  }
});

/** The right answers, computed by the same hand arithmetic. */
const CORRECT: [string, string, number | number[]][] = [
  ['t1', 'x1', 0.4],
  ['t1', 'y1', -0.38],
  ['t1', 'z', 0.62],
  ['t1', 'grad(z, w0)', -0.2],
  ['t1', 'grad(z, w1)', 0.4],
  ['t1', 'grad(z, b0)', -0.2],
  ['t1', 'grad(z, b1)', 1],
  ['t1', 'grad(z, x0)', 0.94],
  ['mlp', 'size(mlp.A)', 32768],
  ['mlp', 'size(mlp.B)', 16384],
  ['mlp', 'size(mlp.C)', 32],
  ['mlp', 'params(mlp)', 557057],
  ['ce', 'grad(L, h)', [P3[0] - 1, P3[1], P3[2]]],
  ['ce4', 'grad(L, h)', [P4[0], P4[1], P4[2] - 1, P4[3]]],
  ['fork', 'grad(y, w)', 5],
  ['fork', 'grad(y, x)', 5.25],
  ['sigmoid', 'grad(L, w)', 2 * (p - 1) * p * (1 - p) * 0.5],
  ['tanh', 'grad(L, w)', 2 * (1 - tnh * tnh) * 0.5],
  ['cnn', 'size(cnn.conv1)', 131072],
  ['cnn', 'params(cnn)', 5482],
  ['mse', 'grad(L, b)', -1.8],
  ['mse', 'L', 0.935],
  ['square', 'grad(L, W)', [-2, 2, -2, 2]],
  ['kink', 'grad(L, w)', 0.5],
];

describe('a correct answer gets no diagnosis', () => {
  for (const [prog, q, answer] of CORRECT) it(`${prog}: ${q}`, () => expect(diagnose(prog, q, answer, 1e-9)).toEqual([]));
});

describe('random wrong numbers are rarely diagnosed (no over-eager matching)', () => {
  const quantities = CORRECT;
  const draw = (rounded: boolean): { hits: number; draws: number } => {
    const rng = createRng(2024);
    let hits = 0;
    for (let k = 0; k < 1000; k++) {
      const [prog, q, right] = quantities[Math.floor(rng.rand(1)[0] * quantities.length)];
      const rs = typeof right === 'number' ? [right] : right;
      // A number within ±2·max(1, |right|) of the right one (for counts, an integer).
      const wrong = rs.map((r) => {
        const x = r + (2 * rng.rand(1)[0] - 1) * 2 * Math.max(1, Math.abs(r));
        if (Number.isInteger(r) && Math.abs(r) > 100) return Math.round(x);
        return rounded ? Number(x.toPrecision(3)) : x;
      });
      if (diagnose(prog, q, wrong).length) hits++;
    }
    return { hits, draws: 1000 };
  };
  it('1,000 seeded draws: fewer than 1% diagnosed', () => {
    const { hits } = draw(false);
    expect(hits).toBeLessThan(10);
  });
  it('1,000 seeded draws rounded to 3 significant digits: fewer than 1% diagnosed', () => {
    const { hits } = draw(true);
    expect(hits).toBeLessThan(10);
  });
});
