/**
 * PyTorch's loss and activation options: `reduction`, `weight`, `ignore_index`,
 * `label_smoothing`, `pos_weight`, `softplus(x, beta, threshold)`, `gelu(x, approximate)`.
 *
 * The programs and PyTorch 1.13's float64 numbers are in
 * test/fixtures/torch/loss_options/loss_options.json (gen_loss_options.py). Each is evaluated
 * through the public `analyze()`; values and gradients must agree to 1e-12, relative. Every
 * gradient is also checked against central differences with the program's own `check` line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeFull } from '../../../src/core/index';
import type { Analysis } from '../../../src/core/analysis';
import { getOp, type Attrs } from '../../../src/core/autodiff/op';
import { evalSym, OPTION_ELEMENTWISE } from '../../../src/core/autodiff/ops/elementwise';
import { findBuiltin } from '../../../src/core/builtins/types';
import { derivationMarkdown } from '../../../src/core/explain/derive';
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';

type Num = number | 'NaN' | 'Infinity' | '-Infinity';
interface FixtureCase {
  id: string;
  group: string;
  features: string[];
  source: string;
  values: { name: string; shape: number[]; data: Num[] }[];
  gradients: { of: string; wrt: string; shape: number[]; data: Num[]; source: 'torch' | 'formula' }[];
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/torch/loss_options/loss_options.json', import.meta.url), 'utf8')) as {
  torch: string;
  cases: FixtureCase[];
};

const REL = 1e-12;

function toNumber(x: Num): number {
  return x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : x === '-Infinity' ? -Infinity : x;
}

/** Mismatches of `got` against `want` at REL relative (NaN matches NaN; a zero must be zero). */
function mismatches(what: string, got: readonly number[] | undefined, want: readonly Num[]): string[] {
  if (!got) return [`${what}: missing`];
  if (got.length !== want.length) return [`${what}: ${got.length} elements, expected ${want.length}`];
  const bad: string[] = [];
  want.forEach((w0, i) => {
    const w = toNumber(w0);
    const a = got[i];
    const ok = Number.isNaN(w) ? Number.isNaN(a) : !Number.isFinite(w) ? a === w : Math.abs(a - w) <= REL * Math.abs(w);
    if (!ok) bad.push(`${what}[${i}] = ${a}, expected ${w} (relative error ${Math.abs(a - w) / Math.abs(w)})`);
  });
  return bad;
}

const run = (src: string): Analysis => analyze(src);
const errors = (a: Analysis) => a.diagnostics.filter((d) => d.severity === 'error');
const latest = (a: Analysis, name: string) => [...a.values].reverse().find((v) => v.name === name);

describe('loss and activation options match PyTorch 1.13 (values and gradients, float64, 1e-12 relative)', () => {
  const groups = new Map<string, FixtureCase[]>();
  for (const c of fixture.cases) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  for (const [group, cases] of groups) {
    describe(group, () => {
      for (const c of cases) {
        it(c.id, () => {
          const a = run(c.source);
          const problems: string[] = errors(a).map((d) => `error ${d.code}: ${d.message}`);
          for (const v of c.values) {
            const got = latest(a, v.name);
            if (!got) problems.push(`value ${v.name} missing`);
            else if (got.shape.join() !== v.shape.join()) problems.push(`value ${v.name}: shape [${got.shape}], expected [${v.shape}]`);
            else problems.push(...mismatches(`value ${v.name}`, got.data, v.data));
          }
          expect(a.gradients.map((g) => `${g.of}/${g.wrt}`)).toEqual(c.gradients.map((g) => `${g.of}/${g.wrt}`));
          for (const e of c.gradients) {
            const g = a.gradients.find((x) => x.of === e.of && x.wrt === e.wrt);
            if (g && g.shape.join() !== e.shape.join()) problems.push(`∂${e.of}/∂${e.wrt}: shape [${g.shape}], expected [${e.shape}]`);
            else problems.push(...mismatches(`∂${e.of}/∂${e.wrt} (${e.source})`, g?.data, e.data));
          }
          if (problems.length) expect.fail(`${c.id}:\n  - ${problems.slice(0, 12).join('\n  - ')}\n--- source ---\n${c.source}`);
        });
      }
    });
  }

  it('covers every option', () => {
    const src = fixture.cases.map((c) => c.source).join('\n');
    for (const needle of ["reduction='none'", "reduction='sum'", "reduction='mean'", 'weight=w', 'ignore_index=', 'label_smoothing=', 'pos_weight=pw', 'beta=', 'threshold=', "approximate='tanh'"]) {
      expect(src, needle).toContain(needle);
    }
    for (const fn of ['cross_entropy(', 'nll(', 'mse(', 'bce(', 'bce_with_logits(']) {
      for (const r of ['none', 'sum']) expect(fixture.cases.some((c) => c.source.includes(fn) && c.source.includes(`reduction='${r}'`)), `${fn} ${r}`).toBe(true);
    }
  });
});

describe('every gradient passes a central-difference check', () => {
  // Not the all-ignored cases: their loss is NaN (0/0), as PyTorch's.
  for (const c of fixture.cases.filter((x) => !x.id.includes('all-ignored.mean') && !x.id.includes('all-ignored.weight'))) {
    it(c.id, () => {
      const grads = c.gradients;
      const src = `${c.source}check ${grads[0].of} wrt ${grads.map((g) => g.wrt).join(', ')}\n`;
      const a = run(src);
      expect(errors(a)).toEqual([]);
      expect(a.checks.length).toBe(grads.length);
      for (const k of a.checks) expect(k.passed, `${k.of}/${k.wrt}: max relative error ${k.maxRelError}`).toBe(true);
    });
  }
});

/**
 * The results of calls without options, recorded before the options existed (same inputs as
 * DEFAULTS below): they must stay the same to the last bit.
 */
const GOLDEN_VALUES: Record<string, number> = {
  ce1: 0.262999119100221,
  ce2: 0.5677222447515027,
  ce3: 1.7875262714685654,
  cep: 2.2910555780848365,
  nl2: 3.2010555780848358,
  nlp: 2.2910555780848365,
  ms: 0.07598333333333335,
  msb: 0.13698333333333335,
  bc: 0.4192811345760929,
  bl: 1.0440609956833964,
  sp: 168.25366047005707,
  ge: 161.58314963110715,
};
const GOLDEN_GRADIENTS: Record<string, number[]> = {
  'ce1/z1': [0.0851791052217514, 0.019006027389429348, -0.231257425503974, 0.1270722928927933],
  'ce2/z2': [0.028393035073917133, 0.006335342463143116, -0.07708580850132468, 0.04235743096426443, -0.1735254981066901, 0.07935822240427011, 0.029194258510441926, 0.06497301719197804, 0.006074783203284924, 0.11040399302435112, 0.05215115359375577, -0.16862992982139177],
  'ce3/z3': [-0.22959276035457665, 0.019780160344086334, 0.1841756132861329, 0.1322480641119196, 0.045417147068443776, -0.15202822445600594, 0.07432519455966541, 0.041542601546753995, -0.2316716326772173, -0.1663434736598569, 0.15734643811755195, 0.1248008721131029],
  'cep/z2': [-0.004940298259416201, -0.06033132420352355, 0.15624752483200866, -0.0909759023690689, 0.07647450189330987, -0.003975110929063219, -0.13747240815622475, 0.06497301719197804, -0.2272585501300484, 0.07707065969101777, 0.018817820260422426, 0.1313700701786082],
  'cep/q2': [0.8209997063667404, 1.3209997063667402, 0.08766637303340699, 0.6876663730334069, 0.24505697557600525, 0.47839030890933865, 0.8117236422426719, 0.5450569755760053, 1.3349988961420902, 0.36833222947542377, 0.6183322294754238, 0.2349988961420904],
  'nl2/z2': [0.028393035073917133, -0.3269979908701902, 0.25624752483200863, 0.04235743096426443, 0.1598078352266432, 0.07935822240427011, 0.029194258510441926, -0.26836031614135525, -0.3272585501300484, 0.11040399302435112, 0.05215115359375577, 0.16470340351194154],
  'nlp/z2': [-0.004940298259416196, -0.06033132420352355, 0.1562475248320087, -0.0909759023690689, 0.07647450189330988, -0.003975110929063219, -0.13747240815622475, 0.06497301719197804, -0.2272585501300484, 0.07707065969101778, 0.01881782026042244, 0.13137007017860822],
  'nlp/q2': [0.8209997063667404, 1.3209997063667402, 0.08766637303340699, 0.6876663730334069, 0.24505697557600525, 0.47839030890933865, 0.8117236422426719, 0.5450569755760053, 1.3349988961420902, 0.36833222947542377, 0.6183322294754238, 0.2349988961420904],
  'ms/p2': [0.06666666666666667, -0.033333333333333326, 0.05, -0.13333333333333333, 0.016666666666666666, -0.15666666666666668],
  'ms/y2': [-0.06666666666666667, 0.033333333333333326, -0.05, 0.13333333333333333, -0.016666666666666666, 0.15666666666666668],
  'msb/p2': [-0.09999999999999999, 0.26666666666666666, 0.08333333333333333, 0.033333333333333326, -0.016666666666666666, 0.043333333333333335],
  'bc/p2': [0.2083333333333333, -0.18518518518518517, 0.10101010101010101, -0.2777777777777778, 0.17543859649122806, -0.35428916025930957],
  'bc/y2': [0.23104906018664842, -0.3662040962227032, 0.033445115910358536, -0.06757751801802737, 0.49073982986107334, 0.1180308429874143],
  'bl/z2': [0.09574041946860984, -0.12808746391650294, 0.10402363666312608, 0, -0.04162331573414705, 0.09978127668540866, -0.07427605103763257, 0, 0, 0, 0, 0],
  'bl/y2': [-0.049999999999999996, 0.19999999999999998, -0.41666666666666663, -0.18333333333333335, -0.06666666666666667, 0.09999999999999999],
  'sp/u1': [0.04742587317756679, 0.7550813375962909, 1.5, 2.394750640449808, 4.501247554401574, 6],
  'ge/u1': [-0.011945647204183918, 0.26500975068767424, 1.5, 3.210919190926614, 5.320703283741053, 6],
};

const DEFAULTS = `param z1 = [0.3, -1.2, 2.5, 0.7]
param z2 = [[0.3, -1.2, 2.5, 0.7], [1.1, 0.4, -0.6, 0.2], [-2.0, 0.9, 0.15, 1.3]]
param z3 = [[[0.3, -1.2], [2.5, 0.7], [1.1, 0.4]], [[-0.6, 0.2], [-2.0, 0.9], [0.15, 1.3]]]
param q2 = [[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.5, 0.0], [0.7, 0.1, 0.1, 0.1]]
param p2 = [[0.2, 0.9, 0.45], [0.6, 0.05, 0.33]]
param y2 = [[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]]
param u1 = [-3.0, -0.5, 0.0, 0.4, 2.2, 25.0]
ce1 = cross_entropy(z1, 2)
ce2 = cross_entropy(z2, [2, 0, 3])
ce3 = cross_entropy(z3, [[0, 2], [1, 1]])
cep = cross_entropy(z2, q2)
lp2 = log_softmax(z2, axis=1)
nl2 = nll(lp2, [1, 3, 0])
nlp = nll(lp2, q2)
ms = mse(p2, y2)
msb = mse(p2, [0.5, 0.1, 0.2])
bc = bce(p2, y2)
bl = bce_with_logits(z2[:2, :3], y2)
sp = sum(softplus(u1) * [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
ge = sum(gelu(u1) * [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
grad ce1 wrt z1
grad ce2 wrt z2
grad ce3 wrt z3
grad cep wrt z2, q2
grad nl2 wrt z2
grad nlp wrt z2, q2
grad ms wrt p2, y2
grad msb wrt p2
grad bc wrt p2, y2
grad bl wrt z2, y2
grad sp wrt u1
grad ge wrt u1
`;

/** The same calls with every option spelled out at its default. */
const EXPLICIT = DEFAULTS.replace('cross_entropy(z1, 2)', "cross_entropy(z1, 2, ignore_index=-100, reduction='mean', label_smoothing=0)")
  .replace('cross_entropy(z2, [2, 0, 3])', "cross_entropy(z2, [2, 0, 3], reduction='mean', label_smoothing=0.0)")
  .replace('cross_entropy(z2, q2)', "cross_entropy(z2, q2, reduction='mean', ignore_index=-100)")
  .replace('nll(lp2, [1, 3, 0])', "nll(lp2, [1, 3, 0], ignore_index=-100, reduction='mean')")
  .replace('mse(p2, y2)', "mse(p2, y2, reduction='mean')")
  .replace('bce(p2, y2)', "bce(p2, y2, reduction='mean')")
  .replace('bce_with_logits(z2[:2, :3], y2)', "bce_with_logits(z2[:2, :3], y2, reduction='mean')")
  .replace('softplus(u1)', 'softplus(u1, beta=1, threshold=20)')
  .replace('gelu(u1)', "gelu(u1, approximate='none')");

/** Bit for bit (a === b; the recorded numbers are shortest round-trip decimals). */
function expectBits(a: Analysis, what: string): void {
  for (const [name, v] of Object.entries(GOLDEN_VALUES)) expect(latest(a, name)!.data[0] === v, `${what}: ${name} = ${latest(a, name)!.data[0]}, recorded ${v}`).toBe(true);
  for (const [key, want] of Object.entries(GOLDEN_GRADIENTS)) {
    const [of, wrt] = key.split('/');
    const got = a.gradients.find((g) => g.of === of && g.wrt === wrt)!.data;
    expect(got.length).toBe(want.length);
    got.forEach((x, i) => expect(x === want[i], `${what}: ∂${of}/∂${wrt}[${i}] = ${x}, recorded ${want[i]}`).toBe(true));
  }
}

describe('calls without options are unchanged', () => {
  it('the same numbers, to the last bit, as before the options existed', () => {
    const a = run(DEFAULTS);
    expect(errors(a)).toEqual([]);
    expectBits(a, 'no options');
  });
  it('options spelled out at their defaults change nothing', () => {
    expect(EXPLICIT).not.toBe(DEFAULTS);
    const a = run(EXPLICIT);
    expect(errors(a)).toEqual([]);
    expectBits(a, 'explicit defaults');
  });
  it('the ops get no attributes from defaults, so derivations and hovers read as before', () => {
    const full = analyzeFull('param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nL = cross_entropy(z, [2, 0], reduction=\'mean\')\ngrad L wrt z\n');
    const md = derivationMarkdown(full.derivations[0]);
    expect(md).toContain(getOp('cross_entropy').rule(['z', '([2, 0])'], {})[0]);
    expect(md).toContain('(softmax(z) − onehot(([2, 0]))) / N  (N = number of examples)');
  });
  it('a target of −100 is ignored by default (it was an error before), as in PyTorch', () => {
    const a = run('param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nL = cross_entropy(z, [2, -100])\nM = cross_entropy(z[:1], [2])\ngrad L wrt z\n');
    expect(errors(a)).toEqual([]);
    expect(latest(a, 'L')!.data[0]).toBe(latest(a, 'M')!.data[0]);
    expect(a.gradients[0].data.slice(3)).toEqual([0, 0, 0]);
  });
});

describe('options read as PyTorch spells them', () => {
  it('weight is the third positional argument; the others are keyword-only', () => {
    const a = run("z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nw = [0.2, 1.0, 3.0]\nA = cross_entropy(z, [2, 0], w)\nB = cross_entropy(z, [2, 0], weight=w)\nC = F.cross_entropy(z, [2, 0], w, -100)\n");
    expect(latest(a, 'A')!.data).toEqual(latest(a, 'B')!.data);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['call.arity']);
  });
  it('aliases and prefixes: F.nll_loss, torch.nn.functional.binary_cross_entropy_with_logits, F.softplus, F.gelu', () => {
    const a = run(
      [
        'z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]',
        'y = [[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]]',
        "A = F.nll_loss(F.log_softmax(z, dim=1), [2, 0], weight=[1.0, 2.0, 3.0], reduction='sum')",
        "B = torch.nn.functional.binary_cross_entropy_with_logits(z, y, pos_weight=[1.0, 2.0, 3.0], reduction='none')",
        'C = F.softplus(z, beta=2, threshold=10)',
        "D = F.gelu(z, approximate='tanh')",
        "E = nn.functional.mse_loss(z, y, reduction='sum')",
      ].join('\n'),
    );
    expect(a.diagnostics).toEqual([]);
    expect(latest(a, 'B')!.shape).toEqual([2, 3]);
  });
  it("nll with probability targets (a GradLens extension) and a weight equals cross_entropy of the logits", () => {
    const a = run(
      [
        'param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]',
        'param q = [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]',
        'param w = [0.5, 1.5, 2.0]',
        "A = cross_entropy(z, q, weight=w, reduction='sum')",
        "B = nll(log_softmax(z, axis=1), q, weight=w, reduction='sum')",
        'grad A wrt z, q, w',
        'grad B wrt z, q, w',
        'check B wrt z, q, w',
      ].join('\n'),
    );
    expect(errors(a)).toEqual([]);
    expect(latest(a, 'B')!.data[0]).toBeCloseTo(latest(a, 'A')!.data[0], 14);
    for (let k = 0; k < 3; k++) a.gradients[k].data.forEach((g, i) => expect(a.gradients[k + 3].data[i]).toBeCloseTo(g, 14));
    expect(a.checks.every((c) => c.passed)).toBe(true);
  });
  it('a weight may be computed: its gradient flows back to what it is made of', () => {
    const a = run(
      [
        'param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6], [0.2, 0.2, 0.9]]',
        'param v = [0.1, -0.4, 0.3]',
        'L = cross_entropy(z, [2, 0, 1], weight=exp(v), label_smoothing=0.2)',
        'M = bce_with_logits(z, [[1, 0, 1], [0, 0, 1], [1, 1, 0]], weight=exp(v), pos_weight=exp(-v))',
        'check L wrt v',
        'check M wrt v',
      ].join('\n'),
    );
    expect(errors(a)).toEqual([]);
    expect(a.checks.map((c) => c.passed)).toEqual([true, true]);
    expect(a.checks.every((c) => c.maxRelError < 1e-7)).toBe(true);
  });
  it('with every target ignored the mean is NaN (0/0) and the gradients are 0, as PyTorch gives for the logits', () => {
    const a = run(
      'param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nparam w = [0.5, 1.5, 2.0]\nL = cross_entropy(z, [-100, -100], weight=w, label_smoothing=0.1)\ngrad L wrt z, w\n',
    );
    expect(errors(a)).toEqual([]);
    expect(latest(a, 'L')!.data[0]).toBeNaN();
    expect(a.gradients.map((g) => g.data)).toEqual([[0, 0, 0, 0, 0, 0], [0, 0, 0]]);
  });
  it("reduction='none' gives a value to index and reduce; grad of it asks for a scalar", () => {
    const a = run("param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nL = cross_entropy(z, [2, 0], reduction='none')\nM = L[1]\ngrad M wrt z\ngrad L wrt z\n");
    expect(latest(a, 'L')!.shape).toEqual([2]);
    expect(a.gradients[0].data.slice(0, 3)).toEqual([0, 0, 0]);
    expect(a.diagnostics.map((d) => d.code)).toEqual(['grad.non-scalar']);
  });
});

/** [program line, code, the text the diagnostic's range covers, message]. */
const BAD: [string, string, string, string][] = [
  ["L = cross_entropy(z, t, reduction='avg')", 'call.bad-argument', "'avg'", "Expected reduction='mean', 'sum' or 'none', found 'avg'."],
  ["L = nll(z, t, reduction='batchmean')", 'call.bad-argument', "'batchmean'", "Expected reduction='mean', 'sum' or 'none', found 'batchmean'."],
  ["L = mse(p, y, reduction='Mean')", 'call.bad-argument', "'Mean'", "Expected reduction='mean', 'sum' or 'none', found 'Mean'."],
  ["L = bce(p, y, reduction='avg')", 'call.bad-argument', "'avg'", "Expected reduction='mean', 'sum' or 'none', found 'avg'."],
  ["L = bce_with_logits(z, p, reduction='')", 'call.bad-argument', "''", "Expected reduction='mean', 'sum' or 'none', found ''."],
  ['L = mse(p, y, reduction=1)', 'type.expected-string', '1', "Expected a string for `reduction` (such as 'mean'), found the number 1."],
  ['L = cross_entropy(z, t, label_smoothing=2)', 'call.bad-argument', '2', 'Expected label_smoothing between 0 and 1, found 2.'],
  ['L = cross_entropy(z, q, label_smoothing=-0.1)', 'call.bad-argument', '-0.1', 'Expected label_smoothing between 0 and 1, found -0.1.'],
  ['L = cross_entropy(z, t, weight=[1.0, 2.0])', 'shape.mismatch', '[1.0, 2.0]', 'Expected a cross_entropy weight of shape [3] (one per class), found [2].'],
  ['L = nll(z, t, weight=[[1.0, 2.0, 3.0]])', 'shape.mismatch', '[[1.0, 2.0, 3.0]]', 'Expected a nll weight of shape [3] (one per class), found [1, 3].'],
  ['L = cross_entropy(z, q, weight=2.0)', 'shape.mismatch', '2.0', 'Expected a cross_entropy weight of shape [3] (one per class), found [].'],
  ['L = bce(p, y, weight=[1.0, 2.0])', 'shape.mismatch', '[1.0, 2.0]', "Expected a bce weight whose shape broadcasts to the input's [2, 3], found [2]."],
  ['L = bce(p, y, weight=ones(3, 2, 3))', 'shape.mismatch', 'ones(3, 2, 3)', "Expected a bce weight whose shape broadcasts to the input's [2, 3], found [3, 2, 3]."],
  ['L = bce_with_logits(z, p, pos_weight=[1.0, 2.0])', 'shape.mismatch', '[1.0, 2.0]', "Expected a bce_with_logits pos_weight whose shape broadcasts to the input's [2, 3], found [2]."],
  ['L = bce_with_logits(z, p, weight=ones(4))', 'shape.mismatch', 'ones(4)', "Expected a bce_with_logits weight whose shape broadcasts to the input's [2, 3], found [4]."],
  ['L = cross_entropy(z, q, ignore_index=0)', 'call.bad-argument', '0', 'Expected class-index targets with ignore_index=0 (probability targets ignore nothing), found probabilities of shape [2, 3].'],
  ['L = cross_entropy(z, [0, 5], ignore_index=1)', 'value.class-index', '[0, 5]', 'Expected class indices in [0, 3) or the ignore_index 1, found 5.'],
  ['L = nll(z, [0, -1])', 'value.class-index', '[0, -1]', 'Expected class indices in [0, 3), found -1.'],
  ['L = cross_entropy(z, t, ignore_index=0.5)', 'type.expected-int', '0.5', 'Expected an integer for `ignore_index`, found 0.5.'],
  ["L = gelu(z, approximate='fast')", 'call.bad-argument', "'fast'", "Expected approximate='none' or 'tanh', found 'fast'."],
  ["L = gelu(z, 'tanh')", 'call.arity', "'tanh'", 'Expected at most 1 positional argument for `gelu(x, approximate=\'none\')`, found 2.'],
  ['L = softplus(z, beta=[1, 2])', 'type.expected-scalar', '[1, 2]', 'Expected a number for `beta`, found a tensor of shape [2].'],
  ['L = cross_entropy(z, t, smoothing=0.1)', 'call.unknown-keyword', 'smoothing', expect.stringContaining('found `smoothing`') as unknown as string],
];

describe('invalid options are ranged diagnostics, never exceptions', () => {
  const prelude = 'z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nt = [2, 0]\nq = [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]\np = [[0.2, 0.9, 0.45], [0.6, 0.05, 0.33]]\ny = [[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]]\n';
  for (const [line, code, text, message] of BAD) {
    it(line, () => {
      const src = `${prelude}${line}\nafter = 1 + 1\n`;
      let a: Analysis | undefined;
      expect(() => (a = run(src))).not.toThrow();
      const d = a!.diagnostics.filter((x) => x.severity === 'error');
      expect(d.length, d.map((x) => x.message).join(' | ')).toBe(1);
      expect(d[0].code).toBe(code);
      expect(src.slice(d[0].span.start, d[0].span.end)).toBe(text);
      expect(d[0].message).toEqual(message);
      // The line binds nothing; the rest of the program still runs.
      expect(latest(a!, 'L')).toBeUndefined();
      expect(latest(a!, 'after')!.data).toEqual([2]);
    });
  }
});

describe('derivative text names the options', () => {
  it("the built-ins' derivative fields", () => {
    expect(findBuiltin('cross_entropy')!.derivative).toMatch(/ε.*w\[target\].*ignored.*sum.*none/s);
    expect(findBuiltin('nll')!.derivative).toMatch(/w\[target\].*sum.*none/s);
    expect(findBuiltin('mse')!.derivative).toMatch(/sum.*none/s);
    expect(findBuiltin('bce')!.derivative).toMatch(/w·.*sum.*none/s);
    expect(findBuiltin('bce_with_logits')!.derivative).toMatch(/pos_weight.*sum.*none/s);
    expect(findBuiltin('softplus')!.derivative).toContain('σ(β·x)');
    expect(findBuiltin('softplus')!.derivative).toContain('threshold');
    expect(findBuiltin('gelu')!.derivative).toContain("approximate='tanh'");
    expect(findBuiltin('cross_entropy')!.signature).toBe("cross_entropy(logits, target, weight=None, ignore_index=-100, reduction='mean', label_smoothing=0)");
  });
  it('the op rules, with the options of the call', () => {
    const ce = getOp('cross_entropy').rule(['z', 't', 'w'], { label_smoothing: 0.1, ignore_index: 3, reduction: 'sum' });
    expect(ce[0]).toBe(
      '∂L/∂z = (softmax(z)·Σ_c a_c − a)·s with a = (1 − 0.1)·w[t]·onehot(t) + 0.1·w/C (0 where t = 3) for class indices, a = w ⊙ ((1 − 0.1)·t + 0.1/C) for probabilities; s = 1 (reduction=sum)',
    );
    expect(ce[2]).toContain('∂L/∂w_c');
    expect(getOp('cross_entropy').rule(['z', 't', 'w'], {})[0]).toContain('1/Σ w[t] (reduction=mean');
    expect(getOp('nll').rule(['lp', 't'], { reduction: 'none' })[0]).toContain('reduction=none');
    expect(getOp('mse').rule(['p', 'y'], { reduction: 'sum' })[0]).toBe('∂L/∂p = 2(p − y) (reduction=sum)');
    expect(getOp('bce').rule(['p', 'y', 'w'], {})[0]).toBe('∂L/∂p = w ⊙ (p − y) / (p(1 − p)) / n');
    expect(getOp('bce_with_logits').rule(['z', 'y', 'pw'], { pos_weight: true })[0]).toBe('∂L/∂z = ((pw·y + 1 − y)·σ(z) − pw·y) / n');
    expect(getOp('softplus_beta').rule(['x'], { beta: 2, threshold: 20 })[0]).toBe('∂softplus(x)/∂x = σ(2·x) (β = 2; 1 where 2·x > 20, the threshold)');
    expect(getOp('gelu_tanh').rule(['x'], {})[0]).toContain("approximate='tanh'");
  });
  it('a derivation through a loss with options shows them', () => {
    const full = analyzeFull(
      "param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nparam w = [0.5, 1.5, 2.0]\nL = cross_entropy(z, [2, 0], w, label_smoothing=0.25)\ngrad L wrt z, w\n",
    );
    expect(errors(full.analysis)).toEqual([]);
    const md = derivationMarkdown(full.derivations[0]);
    expect(md).toContain('(1 − 0.25)·w[[2, 0]]·onehot([2, 0])');
    expect(derivationMarkdown(full.derivations[1])).toContain('∂L/∂w_c');
  });
  // A call with options is opaque to the symbolic rules (exprToSym): the op's own rule derives it,
  // so the weight's gradient is not "0 (element-wise)" and softplus(x, beta=3) is not σ(x).
  it('a derivation reads keyword arguments (weight=w, beta=3)', () => {
    const full = analyzeFull(
      "param z = [[0.3, -1.2, 2.5], [1.1, 0.4, -0.6]]\nparam w = [0.5, 1.5, 2.0]\nL = cross_entropy(z, [2, 0], weight=w)\ngrad L wrt w\nparam x = 0.7\ny = softplus(x, beta=3)\ngrad y wrt x\n",
    );
    expect(derivationMarkdown(full.derivations[0])).toContain('∂L/∂w_c');
    expect(derivationMarkdown(full.derivations[1])).not.toContain('σ(x)');
  });
});

describe('softplus_beta and gelu_tanh: backward against central differences and their printed rules', () => {
  const X = [-3.1, -0.8, 0.37, 1.9, 4.4, 12.5];
  const G = [0.3, -1.1, 0.7, 2.0, -0.4, 1.3];
  const attrsOf: Record<string, Attrs[]> = {
    softplus_beta: [{ beta: 2, threshold: 20 }, { beta: 0.5, threshold: 20 }, { beta: -1.5, threshold: 20 }, { beta: 1, threshold: 3 }],
    gelu_tanh: [{}],
  };
  for (const def of OPTION_ELEMENTWISE) {
    for (const attrs of attrsOf[def.name]) {
      it(`${def.name} ${JSON.stringify(attrs)}`, () => {
        const op = getOp(def.name);
        const x = tensor([6], X);
        const out = op.forward([x], attrs);
        const [gx] = op.backward(tensor([6], G), [x], out, attrs);
        const f = (t: Tensor) => op.forward([t], attrs);
        for (let i = 0; i < X.length; i++) {
          const h = 1e-6 * Math.max(1, Math.abs(X[i]));
          const xp = Float64Array.from(X);
          const xm = Float64Array.from(X);
          xp[i] += h;
          xm[i] -= h;
          const num = (G[i] * (f(tensor([6], xp)).data[i] - f(tensor([6], xm)).data[i])) / (2 * h);
          expect(gx!.data[i]).toBeCloseTo(num, 6);
          // The printed partial, where no threshold is crossed, equals backward.
          const b = typeof attrs.beta === 'number' ? attrs.beta : 1;
          if (def.name === 'gelu_tanh' || X[i] * b <= (attrs.threshold as number)) {
            const p = evalSym(def.partials([{ k: 'var', name: 'a' }], attrs)[0], () => X[i]);
            expect(p * G[i]).toBeCloseTo(gx!.data[i], 12);
          }
        }
      });
    }
  }
  it('scalars take the general path and agree with tensors', () => {
    const a = run("param x = 0.7\nA = softplus(x, beta=3)\nB = gelu(x, approximate='tanh')\nv = [0.7]\nC = softplus(v, beta=3)\nD = gelu(v, approximate='tanh')\ngrad A wrt x\ngrad B wrt x\n");
    expect(latest(a, 'A')!.data[0]).toBe(latest(a, 'C')!.data[0]);
    expect(latest(a, 'B')!.data[0]).toBe(latest(a, 'D')!.data[0]);
    expect(a.gradients[0].data[0]).toBeCloseTo(1 / (1 + Math.exp(-2.1)), 14);
  });
});
