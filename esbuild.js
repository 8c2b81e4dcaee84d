// Bundles GradLens. Usage: node esbuild.js [--production] [--watch] | node esbuild.js --e2e
//   dist/extension.js  extension host (node, cjs, vscode external); must not contain mathjs
//   dist/worker.js     the analysis worker thread (runs core: analyze)
//   dist/cli.js        the CLI (src/cli/main.ts), dist/bench.js (bench/main.ts) when present
//   dist/webview.js    the panel's browser script (KaTeX and @dagrejs/dagre bundled in)
//   dist/layoutWorker.js the panel's layout worker (dagre), created by dist/webview.js
//   dist/katex/        KaTeX's CSS and its woff2 fonts, loaded by the panel under its CSP
//   dist/web/extension.js  the browser build's extension (web worker extension host: vscode.dev,
//                      github.dev; package.json `browser`), dist/web/worker.js its analysis Web
//                      Worker (docs/web.md). No Node API may be reachable from either.
//   out/e2e/*          with --e2e, instead of the above: the real-editor test bundles (test/e2e),
//                      so that the `npm run package` output in dist/ stays what is tested
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const e2e = process.argv.includes('--e2e');
const root = __dirname;
const exists = (p) => fs.existsSync(path.join(root, p));

/** @type {import('esbuild').BuildOptions} */
const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  // The exercise templates (examples/*.nn, *.md) are embedded as text.
  loader: { '.nn': 'text', '.md': 'text' },
};

/** Fails the build if a bundle pulls in a module it must not contain. */
const forbid = (pattern, why) => ({
  name: 'forbid',
  setup(build) {
    build.onLoad({ filter: pattern }, (args) => ({ errors: [{ text: `${path.relative(root, args.path)} must not be bundled here: ${why}` }] }));
  },
});

/** Keeps only the woff2 source of each @font-face (so the ttf/woff files are not emitted). */
const woff2Only = {
  name: 'woff2-only',
  setup(build) {
    build.onLoad({ filter: /katex\.css$/ }, (args) => ({
      contents: fs.readFileSync(args.path, 'utf8').replace(/,\s*url\([^)]*\.(?:woff|ttf)\)\s*format\("(?:woff|truetype)"\)/g, ''),
      loader: 'css',
    }));
  },
};

const appBuilds = [
  {
    ...node,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [forbid(/[\\/]node_modules[\\/]mathjs[\\/]/, 'the extension host never loads mathjs (the analysis worker does)')],
  },
  { ...node, entryPoints: ['src/extension/worker.ts'], outfile: 'dist/worker.js' },
  { ...node, entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022' },
  // The panel's layout worker: dagre off the webview's main thread (src/webview/layoutWorker.ts).
  { ...node, entryPoints: ['src/webview/layoutWorker.ts'], outfile: 'dist/layoutWorker.js', platform: 'browser', format: 'iife', target: 'es2022' },
  {
    // KaTeX's stylesheet with its fonts beside it (dist/katex/fonts/*.woff2): every webview
    // supports woff2, so the woff/ttf fallbacks are dropped from the @font-face rules.
    entryPoints: { katex: 'node_modules/katex/dist/katex.css' },
    outdir: 'dist/katex',
    bundle: true,
    minify: true,
    logLevel: 'warning',
    loader: { '.woff2': 'file' },
    assetNames: 'fonts/[name]',
    plugins: [woff2Only],
  },
];
/** The browser build (issue #16): same code as the node build behind a Platform, no Node APIs. */
const noNode = {
  name: 'no-node',
  setup(build) {
    const builtins = new Set(require('node:module').builtinModules);
    build.onResolve({ filter: /.*/ }, (args) =>
      args.path.startsWith('node:') || builtins.has(args.path.split('/')[0])
        ? { errors: [{ text: `${args.path} (imported by ${path.relative(root, args.importer)}) must not be bundled here: the browser build has no Node APIs` }] }
        : undefined,
    );
  },
};
const web = { ...node, platform: 'browser', target: 'es2022', plugins: [noNode] };
const webBuilds = [
  {
    ...web,
    entryPoints: ['src/extension/web/extension.ts'],
    outfile: 'dist/web/extension.js',
    format: 'cjs',
    external: ['vscode'],
    plugins: [...web.plugins, forbid(/[\\/]node_modules[\\/]mathjs[\\/]/, 'the extension host never loads mathjs (the analysis worker does)')],
  },
  { ...web, entryPoints: ['src/extension/web/webWorker.ts'], outfile: 'dist/web/worker.js', format: 'iife' },
];
appBuilds.push(...webBuilds);
if (exists('src/cli/main.ts')) appBuilds.push({ ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js' });
if (exists('bench/main.ts')) appBuilds.push({ ...node, entryPoints: ['bench/main.ts'], outfile: 'dist/bench.js' });

const test = { ...node, sourcemap: 'inline', minify: false, packages: 'external' };
const testBuilds = [
  { ...test, entryPoints: ['test/e2e/suite/index.ts'], outfile: 'out/e2e/suite/index.js', external: ['vscode'] },
  { ...test, entryPoints: ['test/e2e/run.ts'], outfile: 'out/e2e/run.js' },
];

const builds = e2e ? testBuilds : appBuilds;

async function main() {
  if (watch) {
    const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
    await Promise.all(contexts.map((c) => c.watch()));
    console.log('esbuild: watching');
    return;
  }
  await Promise.all(builds.map((b) => esbuild.build(b)));
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e.message ?? e);
    process.exit(1);
  });
}

module.exports = { webBuilds };
