#!/usr/bin/env node
/**
 * Writes the 30 synthetic submissions of examples/assignment/ and the scores they should get,
 * WITHOUT GradLens computing anything: each student's numbers are read from their handout
 * (`param w0 = 0.6`, `H1 = 768`, `h = [3.0, 1.0, -0.5]`), the answers come from the closed
 * forms derived by hand below, each mistake is the misconception applied by hand, and the
 * expected score of every answer follows the grading rules of docs/grading.md (1 point per T1
 * answer; a carried-forward answer earns T1's carry 0.5; 8/3 per T2 answer; a blank, missing or
 * unreadable answer 0).
 *
 *   node esbuild.js && node scripts/assignment-submissions.js
 *
 * runs `gradlens assign` into a temporary folder for the handouts, then writes
 * examples/assignment/submissions/ and examples/assignment/expected-scores.csv.
 */
const { execFileSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const root = join(__dirname, '..');
const ex = join(root, 'examples', 'assignment');
const tmp = mkdtempSync(join(tmpdir(), 'gradlens-hw4-'));
execFileSync(process.execPath, [join(root, 'bin', 'gradlens.js'), 'assign', join(ex, 'hw4.md'), '--roster', join(ex, 'roster.csv'), '--out', tmp], { stdio: 'inherit' });

const num = (text, re) => Number(re.exec(text)[1]);
const relu = (x) => Math.max(0, x);

/** The keys of one handout, by the hand derivation (homework 4; ReLU'(u) = 1 for u > 0). */
function keys(h) {
  const x0 = 1.0;
  const w0 = num(h, /param w0 = (\S+)/), w1 = num(h, /param w1 = (\S+)/), b0 = num(h, /param b0 = (\S+)/), b1 = num(h, /param b1 = (\S+)/);
  const H1 = num(h, /H1 = (\S+)/), H2 = num(h, /H2 = (\S+)/);
  const [, h0, h1, h2] = /h = \[(\S+), (\S+), (\S+)\]/.exec(h).map(Number);
  const pre = x0 * w0 + b0, x1 = relu(pre), y1 = x1 * w1 + b1, z = relu(y1 + x0);
  const dz = y1 + x0 > 0 ? 1 : 0, dx1 = pre > 0 ? 1 : 0;
  const e = [h0, h1, h2].map(Math.exp), s = e[0] + e[1] + e[2], P = e.map((v) => v / s), y = [1, 0, 0];
  return {
    v: { x0, w0, w1, b0, b1, H1, H2, P, y },
    T1: [x1, y1, z, dz * w1 * dx1 * x0, dz * x1, dz * w1 * dx1, dz, dz * (1 + w1 * dx1 * w0)],
    T2: [32 * H1, 32 * H2, 32],
    T3: [31 * H1 + (H1 + 1) * H2 + (H2 + 1)],
    CE: [P.map((p, i) => p - y[i])],
  };
}

const T1_EXPR = ['x1', 'y1', 'z', 'grad(z, w0)', 'grad(z, w1)', 'grad(z, b0)', 'grad(z, b1)', 'grad(z, x0)'];
const fmt = (v) => (Array.isArray(v) ? `[${v.map(String).join(', ')}]` : String(v));

/** Fill `answer EXPR == ?` lines: answers maps the expression to the text after `==` (undefined keeps `?`). */
function fill(h, answers) {
  return h.replace(/^answer (.+?) == \?$/gm, (line, expr) => (answers[expr] === undefined ? line : `answer ${expr} == ${answers[expr]}`));
}
function correctAnswers(k) {
  const a = {};
  T1_EXPR.forEach((e, i) => (a[e] = fmt(k.T1[i])));
  ['size(mlp.A)', 'size(mlp.B)', 'size(mlp.C)'].forEach((e, i) => (a[e] = fmt(k.T2[i])));
  a['params(mlp)'] = fmt(k.T3[0]);
  a['grad(L, h)'] = fmt(k.CE[0]);
  return a;
}

const FULL = { T1: 8, T2: 8, T3: 8, CE: 8 };
const per = { T1: 1, T2: 8 / 3, T3: 8, CE: 8 };
/** Expected score per question when the answers listed are wrong (0) or carried forward (half). */
function score({ wrong = {}, carried = {}, blank = [], all0 = false }) {
  if (all0) return { T1: 0, T2: 0, T3: 0, CE: 0 };
  const out = { ...FULL };
  for (const q of Object.keys(out)) {
    const w = wrong[q] ?? 0, c = carried[q] ?? 0;
    out[q] = blank.includes(q) ? 0 : per[q] * (FULL[q] / per[q] - w - c) + per[q] * 0.5 * c;
  }
  return out;
}

// The profiles: [description, make(handout, keys) → { text, file?, expected, note }].
const profiles = [];
for (let i = 0; i < 6; i++) profiles.push(['all correct', (h, k) => ({ text: fill(h, correctAnswers(k)), expected: score({}) })]);
profiles.push(['forgot-bias in x1; y1, z and ∂z/∂w1 carried forward', (h, k) => {
  const { x0, w0, w1, b1 } = k.v;
  const x1 = x0 * w0, y1 = x1 * w1 + b1, z = relu(y1 + x0);
  const a = correctAnswers(k);
  Object.assign(a, { x1: fmt(x1), y1: fmt(y1), z: fmt(z), 'grad(z, w1)': fmt(x1) });
  return { text: fill(h, a), expected: score({ wrong: { T1: 1 }, carried: { T1: 3 } }), note: 'forgot-bias' };
}]);
profiles.push(['missing-path: ∂z/∂x0 without the skip connection', (h, k) => {
  const a = correctAnswers(k);
  a['grad(z, x0)'] = fmt(k.v.w1 * k.v.w0);
  return { text: fill(h, a), expected: score({ wrong: { T1: 1 } }), note: 'missing-path' };
}]);
profiles.push(['missing-factor: ∂z/∂w0 with w1 left out', (h, k) => {
  const a = correctAnswers(k);
  a['grad(z, w0)'] = fmt(k.v.x0);
  return { text: fill(h, a), expected: score({ wrong: { T1: 1 } }), note: 'missing-factor' };
}]);
profiles.push(['sign-flip: y − P', (h, k) => {
  const a = correctAnswers(k);
  a['grad(L, h)'] = fmt(k.CE[0].map((x) => -x));
  return { text: fill(h, a), expected: score({ wrong: { CE: 1 } }), note: 'sign-flip' };
}]);
profiles.push(['softmax-diagonal-only: −y(1 − P)', (h, k) => {
  const a = correctAnswers(k);
  a['grad(L, h)'] = fmt(k.v.P.map((p, i) => -k.v.y[i] * (1 - p)));
  return { text: fill(h, a), expected: score({ wrong: { CE: 1 } }), note: 'softmax-diagonal-only' };
}]);
profiles.push(['size-without-batch in T2', (h, k) => {
  const a = correctAnswers(k);
  Object.assign(a, { 'size(mlp.A)': fmt(k.v.H1), 'size(mlp.B)': fmt(k.v.H2), 'size(mlp.C)': '1' });
  return { text: fill(h, a), expected: score({ wrong: { T2: 3 } }), note: 'size-without-batch' };
}]);
profiles.push(['forgot-bias in T3', (h, k) => {
  const a = correctAnswers(k);
  a['params(mlp)'] = fmt(30 * k.v.H1 + k.v.H1 * k.v.H2 + k.v.H2);
  return { text: fill(h, a), expected: score({ wrong: { T3: 1 } }), note: 'forgot-bias' };
}]);
profiles.push(['batch-in-params in T3', (h, k) => {
  const a = correctAnswers(k);
  a['params(mlp)'] = fmt(32 * k.T3[0]);
  return { text: fill(h, a), expected: score({ wrong: { T3: 1 } }), note: 'batch-in-params' };
}]);
profiles.push(['size-per-example: A with the batch twice', (h, k) => {
  const a = correctAnswers(k);
  a['size(mlp.A)'] = fmt(32 * 32 * k.v.H1);
  return { text: fill(h, a), expected: score({ wrong: { T2: 1 } }), note: 'size-per-example' };
}]);
profiles.push(['every answer blank', (h) => ({ text: h, expected: score({ all0: true }) })]);
profiles.push(['T1 and T2 answered, T3 and CE blank', (h, k) => {
  const a = correctAnswers(k);
  delete a['params(mlp)'];
  delete a['grad(L, h)'];
  return { text: fill(h, a), expected: score({ blank: ['T3', 'CE'] }) };
}]);
profiles.push(['a file that does not parse (no answer line)', () => ({ text: 'My answers are in the PDF.\n\n```nn\nx1 = = 0.4\n```\n', expected: score({ all0: true }), error: true })]);
profiles.push(['rounded to 3 significant figures (within tolerance)', (h, k) => {
  const a = correctAnswers(k);
  const r = (x) => Number(x.toPrecision(3));
  T1_EXPR.forEach((e, i) => (a[e] = fmt(r(k.T1[i]))));
  a['grad(L, h)'] = fmt(k.CE[0].map((x) => Number(x.toFixed(3))));
  return { text: fill(h, a), expected: score({}) };
}]);
profiles.push(['no `handout student` line: the id is the folder name', (h, k) => ({ text: fill(h, correctAnswers(k)).replace(/^handout student .*\n/m, ''), file: 'answers.md', expected: score({}) })]);
profiles.push(['a student id that is not in the key', (h, k) => ({ text: fill(h, correctAnswers(k)).replace(/handout student "[^"]*"/, 'handout student "s999"'), expected: score({ all0: true }), error: true, student: 's999' })]);
profiles.push(['Python: T1 and CE as `# answer` directives, T2 and T3 left out', (h, k) => {
  const { x0, w0, w1, b0, b1 } = k.v;
  const id = /handout student "([^"]*)"/.exec(h)[1];
  const [, h0, h1, h2] = /h = \[(\S+), (\S+), (\S+)\]/.exec(h);
  const a = correctAnswers(k);
  const text = [
    '# Homework 4 in PyTorch (docs/grading.md: the marks as comment directives)',
    `# handout student "${id}"`,
    'import torch',
    `x0 = torch.tensor(${x0.toFixed(1)})`,
    `w0 = torch.tensor(${w0}, requires_grad=True)`,
    `w1 = torch.tensor(${w1}, requires_grad=True)`,
    `b0 = torch.tensor(${b0}, requires_grad=True)`,
    `b1 = torch.tensor(${b1}, requires_grad=True)`,
    'x1 = torch.relu(x0 * w0 + b0)',
    'y1 = x1 * w1 + b1',
    'z = torch.relu(y1 + x0)',
    'z.backward()',
    '# question T1',
    ...T1_EXPR.map((e) => `# answer ${e} == ${a[e]}`),
    `h = torch.tensor([${h0}, 1.0, ${h2}], requires_grad=True)`,
    'L = torch.nn.functional.cross_entropy(h.unsqueeze(0), torch.tensor([0]))',
    'L.backward()',
    '# question CE',
    `# answer grad(L, h) == ${a['grad(L, h)']}`,
    '',
  ].join('\n');
  return { text, ext: 'py', expected: score({ blank: ['T2', 'T3'] }) };
}]);
profiles.push(['an answer that is not a number (`== x1`)', (h, k) => {
  const a = correctAnswers(k);
  a['grad(z, w1)'] = 'x1';
  return { text: fill(h, a), expected: score({ wrong: { T1: 1 } }) };
}]);
profiles.push(['relu-wrong-side: ∂z/∂w0 = 0', (h, k) => {
  const a = correctAnswers(k);
  a['grad(z, w0)'] = '0';
  return { text: fill(h, a), expected: score({ wrong: { T1: 1 } }) };
}]);
profiles.push(['a wrong number no misconception explains', (h, k) => {
  const a = correctAnswers(k);
  a['z'] = '42';
  return { text: fill(h, a), expected: score({ wrong: { T1: 1 } }) };
}]);
profiles.push(['CE with two numbers instead of three', (h, k) => {
  const a = correctAnswers(k);
  a['grad(L, h)'] = fmt(k.CE[0].slice(0, 2));
  return { text: fill(h, a), expected: score({ wrong: { CE: 1 } }) };
}]);
profiles.push(['extra-path: ∂z/∂x0 with the skip counted twice', (h, k) => {
  const a = correctAnswers(k);
  a['grad(z, x0)'] = fmt(2 + k.v.w1 * k.v.w0);
  return { text: fill(h, a), expected: score({ wrong: { T1: 1 } }), note: 'extra-path' };
}]);
profiles.push(['answers written as arithmetic', (h, k) => {
  const a = correctAnswers(k);
  a['grad(z, w0)'] = `${k.v.w1} * ${k.v.x0}`;
  a['params(mlp)'] = `(30 + 1) * ${k.v.H1} + (${k.v.H1} + 1) * ${k.v.H2} + (${k.v.H2} + 1) * 1`;
  return { text: fill(h, a), expected: score({}) };
}]);
profiles.push(['a size written with a thousands comma (does not parse)', (h, k) => {
  const a = correctAnswers(k);
  a['size(mlp.A)'] = (32 * k.v.H1).toLocaleString('en-US');
  return { text: fill(h, a), expected: score({ wrong: { T2: 1 } }) };
}]);
profiles.push(['the T3 answer line deleted', (h, k) => ({ text: fill(h, correctAnswers(k)).replace(/^answer params\(mlp\).*\n/m, ''), expected: score({ wrong: { T3: 1 } }) })]);
if (profiles.length !== 30) throw new Error(`expected 30 profiles, found ${profiles.length}`);

const subs = join(ex, 'submissions');
rmSync(subs, { recursive: true, force: true });
const roster = readFileSync(join(ex, 'roster.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[0]);
const rows = ['student,file,T1,T2,T3,CE,total,error,misconception,profile'];
roster.forEach((id, i) => {
  const h = readFileSync(join(tmp, id, 'handout.md'), 'utf8');
  const [desc, make] = profiles[i];
  const r = make(h, keys(h));
  const file = r.file ? `${id}/${r.file}` : `${id}.${r.ext ?? 'md'}`;
  mkdirSync(join(subs, file, '..'), { recursive: true });
  writeFileSync(join(subs, file), r.text);
  const e = r.expected;
  const total = e.T1 + e.T2 + e.T3 + e.CE;
  const n = (x) => String(Math.round(x * 1e6) / 1e6);
  rows.push([r.student ?? id, `submissions/${file}`, n(e.T1), n(e.T2), n(e.T3), n(e.CE), n(total), r.error ? 'yes' : 'no', r.note ?? '', `"${desc}"`].join(','));
});
writeFileSync(join(ex, 'expected-scores.csv'), rows.join('\n') + '\n');
rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${roster.length} submissions and expected-scores.csv in ${ex}`);
