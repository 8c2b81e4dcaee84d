#!/usr/bin/env node
// The `gradlens` command: the bundled CLI. `npm ci` builds dist/ (the `prepare` script); in a
// checkout where dist/ is missing, build it once first.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  const { execFileSync } = require('node:child_process');
  execFileSync(process.execPath, [join(__dirname, '..', 'esbuild.js')], { cwd: join(__dirname, '..'), stdio: 'inherit' });
}
const { main } = require(cli);
process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
