// `npm run fuzz [-- --runs N --seed S]`: bundles test/fuzz/main.ts (TypeScript, the core and
// fast-check) into a temporary file and runs it; it prints the figures the README quotes.
const esbuild = require('esbuild');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-fuzz-'));
const out = path.join(dir, 'fuzz.js');
esbuild.buildSync({ entryPoints: [path.join(root, 'test/fuzz/main.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile: out, logLevel: 'warning' });
process.chdir(root);
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
require(out);
