import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { evalSym } from '../../../src/core/autodiff/ops/elementwise';
import { localDerivative, parentsOf } from '../../../src/core/explain/solution/scalar';
import { loadSymbolicMath, toMathjs } from '../../../src/core/math/index';
import { analyzeFull } from '../../../src/core/index';
import { ROOT } from './helpers';
import { readFileSync } from 'node:fs';

describe('mathjs stays out of the core until symbolic work asks for it', () => {
  it('the bundled core (src/core/index) contains no mathjs, and loading it does not load mathjs (its load time is measured by npm run bench, not here)', async () => {
    const r = await build({
      entryPoints: [join(ROOT, 'src/core/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      write: false,
      metafile: true,
      external: ['mathjs'],
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile!.inputs);
    expect(inputs.some((i) => /node_modules[\\/]mathjs/.test(i))).toBe(false);
    expect(inputs.some((i) => /src[\\/]core[\\/]math[\\/]/.test(i))).toBe(false);
    expect(r.outputFiles[0].text).not.toMatch(/require\(["']mathjs["']\)|import\(["']mathjs["']\)/);
    const dir = mkdtempSync(join(tmpdir(), 'gradlens-core-'));
    try {
      writeFileSync(join(dir, 'core.js'), r.outputFiles[0].text);
      const script = `const t = performance.now(); require(${JSON.stringify(join(dir, 'core.js'))}); const ms = performance.now() - t;
        console.log(JSON.stringify({ ms, mathjs: Object.keys(require.cache).some((k) => /[\\\\/]mathjs[\\\\/]/.test(k)) }));`;
      // Three cold starts: none of them may pull mathjs in.
      const runs = [0, 1, 2].map(() => JSON.parse(spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' }).stdout) as { ms: number; mathjs: boolean });
      expect(runs.every((x) => !x.mathjs)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CLI bundle reaches mathjs only through src/core/math (the lazy loader)', async () => {
    const r = await build({ entryPoints: [join(ROOT, 'src/cli/main.ts')], bundle: true, platform: 'node', format: 'cjs', write: false, metafile: true, logLevel: 'silent', loader: { '.nn': 'text', '.md': 'text' } });
    const importers = Object.entries(r.metafile!.inputs)
      .filter(([, v]) => v.imports.some((i) => /node_modules[\\/]mathjs[\\/]/.test(i.path)))
      .map(([k]) => k)
      .filter((k) => !/node_modules/.test(k));
    for (const k of importers) expect(k).toMatch(/src[\\/]core[\\/]math[\\/]/);
  });
});

describe('the chain-rule factors of worked solutions agree with mathjs derivatives', () => {
  const files = ['examples/hw4-t1-residual.nn', 'examples/solution-tanh-sigmoid.nn', 'examples/solution-fork.nn'];
  for (const file of files)
    it(file, async () => {
      const math = await loadSymbolicMath();
      const text = readFileSync(join(ROOT, file), 'utf8');
      const full = analyzeFull(text);
      const tape = full.eval.tape;
      let compared = 0;
      for (const b of full.eval.record.bindings) {
        if (b.kind !== 'value' || !b.stmt) continue;
        const scope: Record<string, number> = {};
        for (const r of b.refs) if (r.ref.kind === 'Name') scope[r.ref.name] = tape.value(r.binding.node).data[0];
        const src = text.slice(b.stmt.value.span.start, b.stmt.value.span.end);
        const expr = toMathjs(src, (u) => math.evaluate(u, scope));
        expect(expr, src).toBeDefined();
        for (const p of parentsOf(b)) {
          const d = localDerivative(tape, b, p)!;
          expect(d, `${b.name}/${p.name}`).toBeDefined();
          const variable = d.variable;
          const theirs = math.evaluate(math.derivative(expr!, variable), scope);
          const ours = evalSym(d.derivative, (n) => scope[n]);
          expect(ours).toBeCloseTo(theirs, 12);
          expect(d.value).toBeCloseTo(theirs, 12);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(2);
      expect(math.toTex('x0 * w0 + b0')).toContain('\\cdot');
    });
});
