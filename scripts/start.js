#!/usr/bin/env node
// @ts-check
/**
 * Runs GradLens in a real VS Code (code-server 4.100.3) for you to use in a browser:
 * build, package (gradlens.vsix), install it into code-server, open a folder on 127.0.0.1.
 *
 *   node scripts/start.js [FOLDER]     (default: examples/)   — `npm start -- FOLDER` once wired
 *   GRADLENS_PORT=8080                 (default 8080, or a free port if 8080 is taken)
 *
 * Settings and extensions persist in $HOME/.cache/gradlens/editor. Ctrl+C stops the server.
 * `npm start` runs `bash scripts/ci-setup.sh` first (idempotent: installs code-server and chromium once).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const cs = require('./lib/codeServer.js');

async function portIsFree(/** @type {number} */ port) {
  const net = require('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function main() {
  const root = path.resolve(__dirname, '..');
  const folder = path.resolve(process.argv[2] || path.join(root, 'examples'));
  if (!fs.existsSync(folder)) throw new Error(`${folder} does not exist`);
  cs.codeServerBin();

  console.log('building and packaging…');
  execFileSync(process.execPath, [path.join(__dirname, 'package.js')], { cwd: root, stdio: 'inherit' });

  const home = path.join(process.env.GRADLENS_CACHE || path.join(os.homedir(), '.cache', 'gradlens'), 'editor');
  const userDataDir = path.join(home, 'user-data');
  const extensionsDir = path.join(home, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  if (!fs.existsSync(path.join(userDataDir, 'User', 'settings.json'))) cs.writeUserSettings(userDataDir);
  const env = cs.sandboxEnv(path.join(home, 'sandbox'));
  const dir = await cs.installExtension({ vsix: path.join(root, 'gradlens.vsix'), extensionsDir, userDataDir, env });
  console.log(`installed ${path.basename(dir)}`);

  const wanted = Number(process.env.GRADLENS_PORT || 8080);
  const port = (await portIsFree(wanted)) ? wanted : await cs.freePort();
  const server = await cs.startServer({ port, userDataDir, extensionsDir, env, log: (s) => process.env.GRADLENS_VERBOSE && console.log(s) });
  const url = cs.workbenchUrl({ url: server.url, port: server.port, folder });
  console.log(`\nGradLens in code-server ${cs.CODE_SERVER_VERSION}: ${url}\n(Ctrl+C stops it)`);

  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise(() => {});
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
