// Bundles: the extension (node, cjs, vscode external), the analysis worker, the CLI and the bench.
const esbuild = require('esbuild');
const fs = require('node:fs');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = { loader: { '.nn': 'text', '.md': 'text' }, bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: !production, minify: production, logLevel: 'warning' };
const entries = [
  { entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { entryPoints: ['src/extension/worker.ts'], outfile: 'dist/worker.js' },
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' },
  { entryPoints: ['bench/main.ts'], outfile: 'dist/bench.js' },
  { entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
].filter((e) => fs.existsSync(e.entryPoints[0]));

async function main() {
  for (const e of entries) {
    const opts = { ...common, ...e };
    if (watch) await (await esbuild.context(opts)).watch();
    else await esbuild.build(opts);
  }
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
