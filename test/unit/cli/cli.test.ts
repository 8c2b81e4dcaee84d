import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, (s) => (out += s + '\n'), (s) => (err += s + '\n'));
  return { code, out, err };
}
const dir = mkdtempSync(join(tmpdir(), 'gradlens-cli-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('gradlens eval --json (LANGUAGE.md §8)', () => {
  it('T1: values, gradients, checks, expectations with full precision and 0-based lines', () => {
    const r = run(['eval', 'examples/hw4-t1-residual.nn', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.version).toBe(1);
    expect(j.file).toBe('examples/hw4-t1-residual.nn');
    expect(j.diagnostics).toEqual([]);
    expect(j.values.find((v: { name: string }) => v.name === 'x1')).toEqual({ name: 'x1', line: 13, shape: [], data: [0.4] });
    // Full precision: -0.38 is -0.38000000000000006 in float64 (0.4·-0.2 + -0.3).
    expect(j.values.find((v: { name: string }) => v.name === 'y1').data[0]).toBe(0.4 * -0.2 + -0.3);
    expect(j.gradients.map((g: { wrt: string; data: number[]; line: number }) => [g.wrt, g.data[0], g.line])).toEqual([
      ['w0', -0.2, 17],
      ['w1', 0.4, 17],
      ['b0', -0.2, 17],
      ['b1', 1, 17],
    ]);
    expect(j.checks).toHaveLength(4);
    expect(j.checks[0]).toMatchObject({ of: 'z', wrt: 'w0', line: 18, passed: true, kinks: 0 });
    expect(j.expectations[0]).toEqual({ line: 20, passed: true, maxError: 0, diagnosis: [] });
  });
  it('networks: params, layers with formulas, MACs and Mult-Adds', () => {
    const j = JSON.parse(run(['eval', 'examples/hw4-t2-t3-mlp.nn', '--json']).out);
    expect(j.networks[0]).toMatchObject({ name: 'mlp', line: 5, params: 557057, trainableParams: 557057, buffers: 0 });
    expect(j.networks[0].layers[0]).toMatchObject({
      index: 0,
      label: 'A',
      type: 'Linear',
      line: 7,
      inputShape: [32, 30],
      outputShape: [32, 1024],
      outputSize: 32768,
      params: 31744,
      paramFormula: '(30 + 1) × 1024',
      macs: 983040,
      multAdds: 1015808,
    });
  });
  it('non-finite numbers are strings; errors give exit status 1 with ranged diagnostics', () => {
    const p = file('bad.nn', 'x = 0\ny = log(x)\nz = q + 1\n');
    const r = run(['eval', p, '--json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.values.find((v: { name: string }) => v.name === 'y').data).toEqual(['-Infinity']);
    expect(j.diagnostics.map((d: { code: string; range: unknown }) => [d.code, d.range])).toEqual([
      ['value.non-finite', { start: { line: 1, character: 4 }, end: { line: 1, character: 10 } }],
      ['name.undefined', { start: { line: 2, character: 4 }, end: { line: 2, character: 5 } }],
    ]);
  });
  it('several files give an array, each with its file', () => {
    const j = JSON.parse(run(['eval', 'examples/hw4-t1-residual.nn', 'examples/hw4-softmax-ce.nn', '--json']).out);
    expect(j.map((x: { file: string }) => x.file)).toEqual(['examples/hw4-t1-residual.nn', 'examples/hw4-softmax-ce.nn']);
  });
  it('a failed expect is exit status 1; a missing file is 2', () => {
    expect(run(['eval', file('e.nn', 'x = 2\nexpect x == 3\n')]).code).toBe(1);
    expect(run(['eval', join(dir, 'nope.nn')]).code).toBe(2);
    expect(run(['frobnicate']).code).toBe(2);
  });
  it('a file the budget stopped exits 1 (its later expects did not run)', () => {
    const f = file('b.nn', 'x = ones(100, 100)\ny = x @ x\nexpect 1 == 2\n');
    const r = run(['eval', f, '--json', '--budget', '100']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).expectations).toEqual([]);
  });
  it('several files with one missing: exit 2, and the JSON array keeps every file in its place', () => {
    const good = file('g.nn', 'x = 2\n');
    const r = run(['eval', good, join(dir, 'nope.nn'), '--json']);
    expect(r.code).toBe(2);
    const j = JSON.parse(r.out) as { file: string; diagnostics: { code: string; message: string }[]; values: unknown[] }[];
    expect(j.map((o) => o.file)).toEqual([good, join(dir, 'nope.nn')]);
    expect(j[0].values).toHaveLength(1);
    expect(j[1].diagnostics).toEqual([expect.objectContaining({ code: 'file.unreadable', message: 'Expected a readable file, found ENOENT.' })]);
  });
  it('Markdown ranges are the Markdown file’s own', () => {
    const p = file('hw.md', '# HW\n\nSome text.\n\n```nn\na = 1\nb = a + c\n```\n');
    const j = JSON.parse(run(['eval', p, '--json']).out);
    expect(j.diagnostics[0].range).toEqual({ start: { line: 6, character: 8 }, end: { line: 6, character: 9 } });
    expect(j.values[0]).toEqual({ name: 'a', line: 5, shape: [], data: [1] });
  });
});

describe('gradlens explain and the readable report', () => {
  it('explain prints the derivation as Markdown', () => {
    const r = run(['explain', 'examples/hw4-t1-residual.nn', '--of', 'z', '--wrt', 'w0']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('∂z/∂w0 = 1 · (−0.2) · 1 = −0.2');
  });
  it('explain --format tex prints an align* block', () => {
    const r = run(['explain', 'examples/hw4-t1-residual.nn', '--of', 'z', '--wrt', 'w1', '--format', 'tex']);
    expect(r.out).toContain('\\begin{align*}');
    expect(r.out).toContain('\\frac{\\partial z}{\\partial w_{1}}');
  });
  it('the report rounds for people: 0.62 and −0.38', () => {
    const r = run(['eval', 'examples/hw4-t1-residual.nn']);
    expect(r.out).toContain('y1 = −0.38');
    expect(r.out).toContain('z = 0.62');
    expect(r.out).not.toContain('0.6200000000000001');
  });
  it('summary prints the torchinfo-style table', () => {
    const r = run(['summary', 'examples/hw4-t2-t3-mlp.nn']);
    expect(r.out).toContain('Total params: 557,057');
  });
});

describe('files the CLI reads (issue #15, docs/security.md)', () => {
  // A FILE in its own folder `hw`; a data file beside that folder; a FIFO (mkfifo).
  const top = realpathSync(mkdtempSync(join(tmpdir(), 'gradlens-cli-files-')));
  const hw = join(top, 'hw');
  const shared = join(top, 'shared');
  mkdirSync(hw);
  mkdirSync(shared);
  writeFileSync(join(shared, 'xy.csv'), '1,2\n3,4\n');
  writeFileSync(join(hw, 'local.csv'), '5,6\n');
  const nn = join(hw, 'read.nn');
  writeFileSync(nn, 'A = load_csv("local.csv")\nB = load_csv("../shared/xy.csv")\n');
  const codes = (r: { out: string }) => (JSON.parse(r.out) as { diagnostics: { code: string; line: number }[] }).diagnostics.map((d) => d.code);

  it("load_csv reads inside the FILE's own folder only, whatever the current directory", () => {
    const r = run(['eval', nn, '--json']);
    expect(r.code).toBe(1);
    expect(codes(r)).toEqual(['csv.outside-folder']);
    const etc = join(hw, 'etc.nn');
    writeFileSync(etc, 'P = load_csv("../../../../../../../etc/passwd")\nQ = load_csv("/etc/passwd")\n');
    const e = run(['eval', etc, '--json']);
    expect(codes(e)).toEqual(['csv.outside-folder', 'csv.outside-folder']);
    expect(e.out).not.toContain('root:');
  });

  it('--allow-read DIR (repeatable) lets it read inside DIR too', () => {
    const r = run(['eval', nn, '--json', '--allow-read', shared]);
    expect(r.code).toBe(0);
    expect(codes(r)).toEqual([]);
    expect(JSON.parse(r.out).values.map((v: { shape: number[] }) => v.shape)).toEqual([
      [1, 2],
      [2, 2],
    ]);
    expect(run(['eval', nn, '--json', `--allow-read=${top}/nowhere`, `--allow-read=${shared}`]).code).toBe(2);
    expect(run(['eval', nn, '--json', '--allow-read', join(top, 'nowhere')]).err).toContain('--allow-read expects an existing folder');
    expect(codes(run(['eval', nn, '--json', '--allow-read', hw, '--allow-read', shared]))).toEqual([]);
    expect(run(['eval', nn, '--allow-read']).err).toContain('--allow-read needs a value');
  });

  it('a FIFO or a device given as FILE is refused at once (exit 2), not waited on', () => {
    const fifo = join(hw, 'pipe.nn');
    execFileSync('mkfifo', [fifo]);
    const t0 = performance.now();
    const r = run(['eval', fifo]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot read ${fifo}: not a regular file`);
    const z = run(['eval', '/dev/zero', '--json']);
    expect(z.code).toBe(2);
    expect(JSON.parse(z.out).diagnostics[0].message).toBe('Expected a readable file, found not a regular file (a device, pipe or socket).');
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('print in the CLI', () => {
  it('--json lists each print with its line; the report shows them under Printed', () => {
    const f = file('prints.nn', 'x = [1.0, 2.5]\nprint("x =", x); print(x > 2)\n');
    const j = JSON.parse(run(['eval', f, '--json']).out);
    // CPython + numpy: print("x =", np.array([1., 2.5])) and print(np.array([1., 2.5]) > 2).
    expect(j.prints).toEqual([
      { line: 1, text: 'x = [1.  2.5]' },
      { line: 1, text: '[False  True]' },
    ]);
    expect(run(['eval', f]).out).toContain('Printed\n  line 2    x = [1.  2.5]\n  line 2    [False  True]\n');
  });
});
