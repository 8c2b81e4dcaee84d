#!/usr/bin/env node
// The `gradlens` command: the bundled CLI (run `npm run build` first in a source checkout).
const { main } = require('../dist/cli.js');
process.exitCode = main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
