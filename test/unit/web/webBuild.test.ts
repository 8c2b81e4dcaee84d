/**
 * Issue #16: the browser build. Nothing Node-only is reachable from the web bundles (built here
 * with esbuild.js's own options and its metafile), the manifest names them and the .vsix carries
 * them, and `load_csv`'s literal paths are what the host reads through workspace.fs.
 */
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { literalPaths } from '../../../src/extension/web/literalPaths';

const root = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { webBuilds } = require(join(root, 'esbuild.js')) as { webBuilds: esbuild.BuildOptions[] };
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('the browser build', () => {
  it('bundles the extension and its worker with no Node built-in module among their inputs or imports', async () => {
    expect(webBuilds.map((b) => b.entryPoints)).toEqual([['src/extension/web/extension.ts'], ['src/extension/web/webWorker.ts']]);
    const builtins = new Set(builtinModules);
    for (const options of webBuilds) {
      const r = await esbuild.build({ ...options, absWorkingDir: root, write: false, metafile: true, sourcemap: false, logLevel: 'silent' });
      const inputs = Object.keys(r.metafile.inputs);
      expect(inputs.length).toBeGreaterThan(10);
      for (const input of inputs) {
        expect(input.startsWith('node:') || builtins.has(input), input).toBe(false);
        for (const imp of r.metafile.inputs[input].imports) {
          expect(imp.path.startsWith('node:') || builtins.has(imp.path.split('/')[0]), `${input} imports ${imp.path}`).toBe(false);
        }
      }
      // What the bundle still requires at run time: only `vscode` (the extension), nothing (the worker).
      const [out] = Object.values(r.metafile.outputs).filter((o) => o.entryPoint);
      const external = [...new Set(out.imports.filter((i) => i.external).map((i) => i.path))];
      expect(external).toEqual(options.outfile === 'dist/web/extension.js' ? ['vscode'] : []);
      // The node build's modules stay out: worker_threads, the Node file reader, the node entry.
      expect(inputs.some((i) => /src\/extension\/(?:worker|nodeWorker|fileAccessNode|extension)\.ts$/.test(i))).toBe(false);
      if (options.outfile === 'dist/web/extension.js') expect(inputs.some((i) => /node_modules\/mathjs\//.test(i))).toBe(false);
      else expect(inputs.some((i) => /src\/core\/index\.ts$/.test(i))).toBe(true);
    }
  });

  it('is the manifest\'s `browser` entry beside `main`, and the .vsix allowlist carries both builds', () => {
    expect(manifest.main).toBe('./dist/extension.js');
    expect(manifest.browser).toBe('./dist/web/extension.js');
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const f of ['dist/extension.js', 'dist/worker.js', 'dist/web/extension.js', 'dist/web/worker.js']) expect(ignore).toContain(`!${f}`);
  });
});

describe('the browser build reads the files a document names as string literals', () => {
  it.each([
    ['X = load_csv("data/wdbc.csv")', ['data/wdbc.csv']],
    ["t = np.loadtxt('a.csv', delimiter=',')\nu = read_csv(path='b.csv')", ['a.csv', 'b.csv']],
    ['a = load_csv("x.csv")\nb = load_csv("x.csv")', ['x.csv']],
    ['p = "x.csv"\na = load_csv(p)', []],
    ['# genfromtxt ( "../secret" )', ['../secret']],
  ])('%j', (text, paths) => {
    expect(literalPaths(text)).toEqual(paths);
  });
});
