/**
 * Every accepted keyword takes effect or is refused (issue #19). The test enumerates every
 * layer's arguments (LAYERS) and every built-in's parameters (allBuiltins) that have a default,
 * and requires for each one piece of evidence:
 *  - fixture: a committed PyTorch fixture program (test/fixtures/torch/**, test/unit/{tensor,train}/fixtures)
 *    calls it with that keyword set to a value other than the default — its test checks the
 *    effect against PyTorch;
 *  - probe: two programs, the default and the keyword set, whose `y` differ (the effect is real);
 *  - refused: a program that sets it and gets an error naming it;
 *  - same: PyTorch's result does not change with it either (the reason is given).
 * A keyword with none of these fails the test: add it to the table when adding a keyword.
 * Also: Embedding(scale_grad_by_freq=True) against PyTorch 1.13 (group 'kwargs' of vocab_funcs.json).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../src/core/index';
import { allBuiltins } from '../../../src/core/builtins/types';
import { LAYERS } from '../../../src/core/nets/layers';
import { describeGroup } from './funcsHarness';

describeGroup('kwargs', 1);

type Evidence = { probe: [string, string] } | { refused: string } | { same: string };

const X4 = 'x = [[0.5, -1.2, 2.0, 0.3], [1.5, 0.7, -0.4, -2.2], [0.1, 0.9, -1.3, 0.8]]\n';
const NET = (layer: string, input = '[N, 2, 6]') => `network net\n  input ${input}\n  ${layer}\n`;
const SEQ = 's = [[[0.5, -1.2, 2.0, 0.3, 1.0, -0.5], [1.5, 0.7, -0.4, -2.2, 0.2, 0.9]]]\n';
const IMG = 'm = randn(1, 2, 5, 5, seed=3)\n';
const INPLACE = 'inplace=True changes only where PyTorch stores the result, not the values or gradients';

/** Evidence for the keywords that no fixture sets. */
const TABLE: Record<string, Evidence> = {
  'Linear.in_features': { same: 'a required size (the default −1 only marks it as given positionally)' },
  'Linear.out_features': { same: 'a required size (the default −1 only marks it as given positionally)' },
  'Conv1d.bias': { probe: [`${NET('Conv1d(2, 3, 2)')}y = params(net)`, `${NET('Conv1d(2, 3, 2, bias=False)')}y = params(net)`] },
  'Conv1d.padding_mode': { refused: `${NET("Conv1d(2, 3, 2, padding_mode='reflect')")}` },
  'Conv2d.padding_mode': { refused: `${NET("Conv2d(2, 3, 2, padding_mode='circular')", '[N, 2, 5, 5]')}` },
  'ConvTranspose2d.padding_mode': { refused: `${NET("ConvTranspose2d(2, 3, 2, padding_mode='reflect')", '[N, 2, 5, 5]')}` },
  'MaxPool1d.padding': { probe: [`${SEQ}${NET('MaxPool1d(2)')}y = net(s)`, `${SEQ}${NET('MaxPool1d(2, padding=1)')}y = net(s)`] },
  'MaxPool1d.dilation': { probe: [`${SEQ}${NET('MaxPool1d(2)')}y = net(s)`, `${SEQ}${NET('MaxPool1d(2, dilation=2)')}y = net(s)`] },
  'MaxPool1d.return_indices': { refused: NET('MaxPool1d(2, return_indices=True)') },
  'MaxPool2d.return_indices': { refused: NET('MaxPool2d(2, return_indices=True)', '[N, 2, 5, 5]') },
  'AvgPool1d.ceil_mode': { probe: [`${SEQ}${NET('AvgPool1d(4)')}y = net(s)`, `${SEQ}${NET('AvgPool1d(4, ceil_mode=True)')}y = net(s)`] },
  'AvgPool1d.count_include_pad': { probe: [`${SEQ}${NET('AvgPool1d(2, padding=1)')}y = net(s)`, `${SEQ}${NET('AvgPool1d(2, padding=1, count_include_pad=False)')}y = net(s)`] },
  'AvgPool2d.divisor_override': { probe: [`${IMG}${NET('AvgPool2d(2)', '[N, 2, 5, 5]')}y = net(m)`, `${IMG}${NET('AvgPool2d(2, divisor_override=3)', '[N, 2, 5, 5]')}y = net(m)`] },
  'BatchNorm1d.track_running_stats': { probe: [`${X4}${NET('BatchNorm1d(4)', '[N, 4]')}y = net(x)`, `${X4}${NET('BatchNorm1d(4, track_running_stats=False)', '[N, 4]')}y = net(x)`] },
  'BatchNorm2d.eps': { probe: [`${IMG}${NET('BatchNorm2d(2, track_running_stats=False)', '[N, 2, 5, 5]')}y = net(m)`, `${IMG}${NET('BatchNorm2d(2, eps=0.5, track_running_stats=False)', '[N, 2, 5, 5]')}y = net(m)`] },
  'BatchNorm2d.momentum': { same: 'momentum only updates the running statistics during training (the BatchNorm1d fixtures check it; BatchNorm2d shares the code)' },
  'BatchNorm2d.affine': { probe: [`${NET('BatchNorm2d(2)', '[N, 2, 5, 5]')}y = params(net)`, `${NET('BatchNorm2d(2, affine=False)', '[N, 2, 5, 5]')}y = params(net)`] },
  'BatchNorm2d.track_running_stats': { probe: [`${IMG}${NET('BatchNorm2d(2)', '[N, 2, 5, 5]')}y = net(m)`, `${IMG}${NET('BatchNorm2d(2, track_running_stats=False)', '[N, 2, 5, 5]')}y = net(m)`] },
  'LayerNorm.elementwise_affine': { probe: [`${NET('LayerNorm(4)', '[N, 4]')}y = params(net)`, `${NET('LayerNorm(4, elementwise_affine=False)', '[N, 4]')}y = params(net)`] },
  'LayerNorm.bias': { probe: [`${NET('LayerNorm(4)', '[N, 4]')}y = params(net)`, `${NET('LayerNorm(4, bias=False)', '[N, 4]')}y = params(net)`] },
  'GroupNorm.eps': { probe: [`${IMG}${NET('GroupNorm(1, 2)', '[N, 2, 5, 5]')}y = net(m)`, `${IMG}${NET('GroupNorm(1, 2, eps=0.5)', '[N, 2, 5, 5]')}y = net(m)`] },
  'Embedding.max_norm': { refused: `i = [[0, 1]]\n${NET('Embedding(4, 2, max_norm=1.0)', '[N, 2]')}y = net(i)` },
  'Embedding.norm_type': { same: 'PyTorch reads norm_type only with max_norm, which is refused' },
  'Embedding.sparse': { same: "sparse=True changes the gradient's storage (a sparse tensor), not its values" },
  'Embedding.scale_grad_by_freq': { same: 'checked against PyTorch by the kwargs fixture group above (embedding.scale_grad_by_freq=True)' },
  // The default stream is torch.manual_seed(0) at the top; seed=7 is PyTorch's numbers after torch.manual_seed(7) (torchRng.test.ts checks them against PyTorch).
  'torch_randn.seed': { probe: ['y = torch_randn(3)', 'y = torch_randn(3, seed=7)'] },
  'torch_rand.seed': { probe: ['y = torch_rand(3)', 'y = torch_rand(3, seed=7)'] },
  'Dropout.p': { probe: [`${X4}y = dropout(x, 0.5)`, `${X4}y = dropout(x, 0.2)`] },
  'Dropout.inplace': { same: INPLACE },
  'Flatten.start_dim': { probe: [`m = ones(2, 3, 4)\n${NET('Flatten()', '[2, 3, 4]')}y = shape(net(m))`, `m = ones(2, 3, 4)\n${NET('Flatten(start_dim=0)', '[2, 3, 4]')}y = shape(net(m))`] },
  'Flatten.end_dim': { probe: [`m = ones(2, 3, 4, 5)\n${NET('Flatten()', '[2, 3, 4, 5]')}y = shape(net(m))`, `m = ones(2, 3, 4, 5)\n${NET('Flatten(end_dim=2)', '[2, 3, 4, 5]')}y = shape(net(m))`] },
  'LeakyReLU.negative_slope': { probe: [`${X4}${NET('LeakyReLU()', '[N, 4]')}y = net(x)`, `${X4}${NET('LeakyReLU(negative_slope=0.2)', '[N, 4]')}y = net(x)`] },
  'RNN.dropout': { same: 'dropout between stacked layers acts only in training, as PyTorch; a network call evaluates (the RNN fixtures run it at 0)' },
  'GRU.dropout': { same: 'dropout between stacked layers acts only in training, as PyTorch; a network call evaluates' },
  'MultiheadAttention.kdim': { refused: NET('MultiheadAttention(4, 2, kdim=3)', '[N, 3, 4]') },
  'MultiheadAttention.vdim': { refused: NET('MultiheadAttention(4, 2, vdim=3)', '[N, 3, 4]') },
  'Residual.shortcut': {
    probe: [
      `${X4}network inner\n  input [N, 4]\n  Linear(4, 4)\nnetwork sc\n  input [N, 4]\n  Linear(4, 4)\nnetwork net\n  input [N, 4]\n  Residual(inner)\ny = params(net)`,
      `${X4}network inner\n  input [N, 4]\n  Linear(4, 4)\nnetwork sc\n  input [N, 4]\n  Linear(4, 4)\nnetwork net\n  input [N, 4]\n  Residual(inner, shortcut=sc)\ny = params(net)`,
    ],
  },
  'max.other': { probe: [`${X4}y = max(x)`, `${X4}y = max(x, other=0.0)`] },
  'max.keepdims': { probe: [`${X4}y = shape(max(x, axis=1))`, `${X4}y = shape(max(x, axis=1, keepdims=True))`] },
  'min.other': { probe: [`${X4}y = min(x)`, `${X4}y = min(x, other=0.0)`] },
  'transpose.dim0': { probe: [`m = ones(2, 3, 4)\ny = shape(transpose(m))`, `m = ones(2, 3, 4)\ny = shape(transpose(m, dim0=0, dim1=1))`] },
  'transpose.dim1': { probe: [`m = ones(2, 3, 4)\ny = shape(transpose(m, 0, 1))`, `m = ones(2, 3, 4)\ny = shape(transpose(m, 0, dim1=2))`] },
  'flatten.start_dim': { probe: [`m = ones(2, 3, 4)\ny = shape(flatten(m))`, `m = ones(2, 3, 4)\ny = shape(flatten(m, start_dim=1))`] },
  'flatten.end_dim': { probe: [`m = ones(2, 3, 4)\ny = shape(flatten(m))`, `m = ones(2, 3, 4)\ny = shape(flatten(m, end_dim=1))`] },
  'eye.m': { probe: ['y = shape(eye(3))', 'y = shape(eye(3, m=5))'] },
  'arange.stop': { probe: ['y = arange(2)', 'y = arange(2, stop=5)'] },
  'arange.step': { probe: ['y = arange(0, 6)', 'y = arange(0, 6, step=2)'] },
  'std.correction': { probe: [`${X4}y = torch.std(x)`, `${X4}y = torch.std(x, correction=0)`] },
  'argmin.keepdims': { probe: [`${X4}y = shape(argmin(x, axis=1))`, `${X4}y = shape(argmin(x, axis=1, keepdims=True))`] },
  'cosine_similarity.eps': { probe: ['a = [[0.001, 0.0], [1.0, 2.0]]\nb = [[0.002, 0.0], [2.0, 1.0]]\ny = cosine_similarity(a, b)', 'a = [[0.001, 0.0], [1.0, 2.0]]\nb = [[0.002, 0.0], [2.0, 1.0]]\ny = cosine_similarity(a, b, eps=0.1)'] },
  'normalize.eps': { probe: ['a = [[0.001, 0.0], [1.0, 2.0]]\ny = normalize(a)', 'a = [[0.001, 0.0], [1.0, 2.0]]\ny = normalize(a, eps=0.1)'] },
  // vocab-index's built-ins (comparisons, masks, shape functions).
  'unbind.dim': { probe: ['m = [[1.0, 2.0], [3.0, 4.0]]\na, b = unbind(m)\ny = a', 'm = [[1.0, 2.0], [3.0, 4.0]]\na, b = unbind(m, dim=1)\ny = a'] },
  'flip.axis': { probe: ['m = [[1.0, 2.0], [3.0, 4.0]]\ny = flip(m)', 'm = [[1.0, 2.0], [3.0, 4.0]]\ny = flip(m, axis=0)'] },
  'pad.mode': { refused: "m = [[1.0, 2.0], [3.0, 4.0]]\ny = pad(m, [1, 1], mode='reflect')" },
  'any.keepdims': { probe: ['m = [[1.0, 2.0], [3.0, 4.0]]\ny = shape(any(m > 2, axis=1))', 'm = [[1.0, 2.0], [3.0, 4.0]]\ny = shape(any(m > 2, axis=1, keepdims=True))'] },
  'load_csv.header': { same: 'the loader tests (test/unit/train) check header detection and header=True/False on files; a probe needs a file' },
  'load_csv.skiprows': { same: 'test/unit/python/scratchExample.test.ts reads examples/data/breast_cancer.csv with np.loadtxt(…, skiprows=1) and checks its values against load_csv\'s header detection; a probe needs a file' },
  'load_csv.delimiter': { same: "the loader tests (test/unit/train) check delimiter=';' on a file; a probe needs a file" },
};
for (const k of ['ELU', 'Hardtanh', 'SELU', 'SiLU', 'Mish', 'ReLU6', 'Hardsigmoid', 'Hardswish', 'LeakyReLU']) TABLE[`${k}.inplace`] = { same: INPLACE };
for (let k = 0; k < 6; k++) TABLE[`einsum.operand${k}`] = { probe: ["a = [[1.0, 2.0], [3.0, 4.0]]\ny = einsum('ij->', a)", "a = [[1.0, 2.0], [3.0, 4.0]]\ny = einsum('ij->', operand0=[[1.0, 0.0], [0.0, 1.0]])"] };

function walk(d: string, out: string[]): string[] {
  for (const f of readdirSync(d)) {
    const p = join(d, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.json')) out.push(p);
  }
  return out;
}
function strings(v: unknown, out: string[]): string[] {
  if (typeof v === 'string') {
    if (v.includes('(')) out.push(v);
  } else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}
const root = new URL('../../../', import.meta.url).pathname;
const FIXTURE_TEXT = [...walk(join(root, 'test/fixtures/torch'), []), ...walk(join(root, 'test/unit/tensor/fixtures'), []), ...walk(join(root, 'test/unit/train/fixtures'), [])]
  .flatMap((f) => strings(JSON.parse(readFileSync(f, 'utf8')), []))
  .join('\n');

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a fixture program calls one of `names` with keyword `kw` set to something other than `def`. */
function inFixture(names: string[], kws: string[], def: unknown): boolean {
  const re = new RegExp(`\\b(?:${names.map(esc).join('|')})\\(([^\\n]*)`, 'gi');
  for (const m of FIXTURE_TEXT.matchAll(re)) {
    for (const kw of kws) {
      const v = new RegExp(`\\b${esc(kw)}=([^,)]+)`).exec(m[1]);
      if (!v) continue;
      const given = v[1].trim().replace(/^'(.*)'$/, '$1');
      const d = def === null ? 'None' : def === true ? 'True' : def === false ? 'False' : String(def);
      if (given !== d && !(Number(given) === Number(def) && given !== '' && typeof def === 'number')) return true;
    }
  }
  return false;
}

const latestY = (src: string) => {
  const a = analyze(`${src}\n`);
  const errs = a.diagnostics.filter((d) => d.severity === 'error');
  const y = [...a.values].reverse().find((v) => v.name === 'y');
  return { errs, y: y ? `${y.shape.join('×')}:${Array.from(y.data ?? []).join(',')}` : undefined };
};

function check(key: string, names: string[], kws: string[], def: unknown): void {
  it(key, () => {
    if (inFixture(names, kws, def)) return;
    const e = TABLE[key];
    expect(e, `${key}: no fixture sets it and the table has no evidence; add a probe, a refusal or a reason`).toBeDefined();
    if ('probe' in e) {
      const a = latestY(e.probe[0]);
      const b = latestY(e.probe[1]);
      expect(a.errs.map((d) => d.message)).toEqual([]);
      expect(b.errs.map((d) => d.message)).toEqual([]);
      expect(a.y).toBeDefined();
      expect(b.y, `${key} changes nothing`).not.toEqual(a.y);
    } else if ('refused' in e) {
      const r = latestY(e.refused);
      expect(r.errs.some((d) => kws.some((k) => d.message.includes(k))), `${key}: ${r.errs.map((d) => d.message).join(' | ')}`).toBe(true);
    } else expect(e.same.length).toBeGreaterThan(20);
  });
}

describe('every layer keyword with a default takes effect, is refused, or changes nothing in PyTorch either', () => {
  for (const l of LAYERS) for (const a of l.args) if (a.default !== undefined) check(`${l.name}.${a.name}`, [l.name], [a.name, ...(a.aliases ?? [])], a.default);
});

describe('every built-in keyword with a default takes effect, is refused, or changes nothing in PyTorch either', () => {
  for (const b of allBuiltins())
    for (const p of b.params) if (p.default !== undefined) check(`${b.name}.${p.name}`, [b.name, ...(b.aliases ?? [])], [p.name, ...(p.aliases ?? [])], p.default);
});
