#!/usr/bin/env node
// @ts-check
/**
 * `npm run package`: production bundle, then `vsce package --no-dependencies` into gradlens.vsix
 * (esbuild has already bundled every dependency; .vscodeignore is an allowlist).
 * When another build rewrites dist/ while vsce zips it ("unexpected number of bytes"), it retries.
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
/** 1.5 MB: the most the .vsix may weigh with both builds (docs/web.md). */
const MAX_VSIX_BYTES = 1.5 * 1024 * 1024;
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
// README links are relative; vsce rewrites them against the repository, which it only infers for GitHub/GitLab.
const manifest = JSON.parse(require('node:fs').readFileSync(path.join(root, 'package.json'), 'utf8'));
const repo = String(manifest.repository?.url ?? manifest.repository ?? '').replace(/\.git$/, '');
const base = repo ? ['--baseContentUrl', `${repo}/blob/HEAD`, '--baseImagesUrl', `${repo}/raw/HEAD`] : [];
const run = (/** @type {string[]} */ args) => execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

for (let attempt = 1; ; attempt++) {
  try {
    process.stdout.write(run(['esbuild.js', '--production']));
    const out = run([vsce, 'package', '--no-dependencies', '--skip-license', ...base, '--out', 'gradlens.vsix']);
    process.stdout.write(out.split('\n').filter((l) => /DONE|WARNING|ERROR/.test(l)).join('\n') + '\n');
    // The .vsix carries the node and the browser build; it must stay small (issue #16: ≤ 1.5 MB).
    const size = require('node:fs').statSync(path.join(root, 'gradlens.vsix')).size;
    if (size > MAX_VSIX_BYTES) {
      console.error(`package: gradlens.vsix is ${(size / 1048576).toFixed(2)} MB, more than the ${(MAX_VSIX_BYTES / 1048576).toFixed(1)} MB allowed`);
      process.exit(1);
    }
    break;
  } catch (e) {
    const err = /** @type {{ stderr?: string, stdout?: string, message: string }} */ (e);
    const text = `${err.stdout ?? ''}${err.stderr ?? ''}` || err.message;
    if (attempt < 3 && /unexpected number of bytes|ENOENT/.test(text)) {
      console.warn(`package: dist/ changed while packaging (attempt ${attempt}); retrying`);
      continue;
    }
    console.error(text);
    process.exit(1);
  }
}
