// @ts-check
/**
 * Running GradLens in a real VS Code: code-server 4.100.3 (installed by scripts/ci-setup.sh)
 * driven by Debian's chromium through playwright-core. Shared by scripts/fake-code.js (the
 * "VS Code executable" @vscode/test-electron runs), the UI test and scripts/start.js.
 * The facts behind each flag are in docs/editor.md ("Testing in a real editor").
 */
const { spawn, execFile } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const CODE_SERVER_VERSION = '4.100.3';
const EXTENSION_ID = 'gradlens.gradlens';

/** The installed code-server binary, or an error that says how to install it. */
function codeServerBin() {
  if (process.env.GRADLENS_CODE_SERVER) return process.env.GRADLENS_CODE_SERVER;
  const cache = process.env.GRADLENS_CACHE || path.join(os.homedir(), '.cache', 'gradlens');
  const dir = path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const bin = path.join(dir, 'node_modules', '.bin', 'code-server');
  if (!fs.existsSync(path.join(dir, '.gradlens-complete')) || !fs.existsSync(bin)) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed in ${dir}: run \`bash scripts/ci-setup.sh\` (npm run setup:editor).`);
  }
  return bin;
}

function chromiumPath() {
  const p = process.env.GRADLENS_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(p)) throw new Error(`${p} not found: run \`bash scripts/ci-setup.sh\` (it installs Debian's chromium).`);
  return p;
}

/**
 * A throw-away home for one run: code-server and chromium write into HOME/XDG folders even for
 * `--version`, so each run gets its own.
 * @param {string} root
 */
function sandboxEnv(root) {
  const env = {
    HOME: path.join(root, 'home'),
    XDG_CONFIG_HOME: path.join(root, 'home', '.config'),
    XDG_DATA_HOME: path.join(root, 'home', '.local', 'share'),
    XDG_CACHE_HOME: path.join(root, 'home', '.cache'),
  };
  for (const d of Object.values(env)) fs.mkdirSync(d, { recursive: true });
  return { ...process.env, ...env };
}

/** User settings that keep the workbench quiet and deterministic. */
const QUIET_SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.commandCenter.enabled': false,
  'editor.codeLens': true,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

/**
 * @param {string} userDataDir
 * @param {Record<string, unknown>} [extra]
 */
function writeUserSettings(userDataDir, extra = {}) {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...extra }, null, 2));
}

/**
 * `code-server --install-extension VSIX`: the real installer, so a packaging mistake fails here.
 * Returns the folder the extension was unpacked into.
 * @param {{ vsix: string, extensionsDir: string, userDataDir: string, env: NodeJS.ProcessEnv }} o
 */
async function installExtension(o) {
  const bin = codeServerBin();
  await new Promise((resolve, reject) => {
    execFile(
      bin,
      ['--install-extension', o.vsix, '--force', '--extensions-dir', o.extensionsDir, '--user-data-dir', o.userDataDir],
      { env: o.env, timeout: 120_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`install-extension failed: ${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout)),
    );
  });
  const version = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
  const dir = path.join(o.extensionsDir, `${EXTENSION_ID}-${version}`);
  if (!fs.existsSync(path.join(dir, 'package.json'))) throw new Error(`the extension was not installed into ${dir}`);
  return dir;
}

/** @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/**
 * Starts code-server in its own process group and waits for /healthz.
 * @param {{ port?: number, userDataDir: string, extensionsDir: string, env: NodeJS.ProcessEnv, log?: (s: string) => void, host?: string, workspaceTrust?: boolean }} o
 */
async function startServer(o) {
  const bin = codeServerBin();
  const host = o.host || '127.0.0.1';
  const port = o.port || (await freePort());
  const args = [
    '--bind-addr', `${host}:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--user-data-dir', o.userDataDir,
    '--extensions-dir', o.extensionsDir,
    '--ignore-last-opened',
  ];
  // Workspace Trust stays off (every folder trusted) unless a run tests Restricted Mode.
  if (!o.workspaceTrust) args.push('--disable-workspace-trust');
  const log = o.log || (() => {});
  const child = spawn(bin, args, { env: o.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => log(String(d).trimEnd()));
  child.stderr?.on('data', (d) => log(String(d).trimEnd()));
  let exited = false;
  // If this process dies without stop() (a crash, an uncaught exception), take the server with it.
  const killOnExit = () => {
    try { if (!exited && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  process.on('exit', killOnExit);
  // A signal (the `timeout` wrapper's SIGTERM, Ctrl+C) ends node without 'exit' handlers unless it exits itself.
  for (const sig of /** @type {const} */ (['SIGTERM', 'SIGINT', 'SIGHUP'])) {
    if (process.listenerCount(sig) === 0) process.once(sig, () => process.exit(128 + (sig === 'SIGINT' ? 2 : sig === 'SIGHUP' ? 1 : 15)));
  }
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => { exited = true; process.off('exit', killOnExit); resolve(code ?? signal); }));
  const started = Date.now();
  const base = `http://${host}:${port}`;
  for (;;) {
    if (exited) throw new Error('code-server exited before it was ready');
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 60_000) throw new Error('code-server did not become ready within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    url: base,
    readyMs: Date.now() - started,
    /** Stops the process group: SIGTERM, then SIGKILL after 5 s. */
    async stop() {
      if (exited || child.pid === undefined) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
      const timer = setTimeout(() => { try { process.kill(-/** @type {number} */ (child.pid), 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * The workbench URL for a folder, optionally as an Extension Development Host (with tests).
 * @param {{ url: string, port: number, folder?: string, extensionDevelopmentPath?: string, extensionTestsPath?: string }} o
 */
function workbenchUrl(o) {
  const remote = (/** @type {string} */ p) => `vscode-remote://127.0.0.1:${o.port}${path.resolve(p)}`;
  const params = new URLSearchParams();
  if (o.folder) params.set('folder', path.resolve(o.folder));
  const payload = [];
  if (o.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(o.extensionDevelopmentPath)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${o.url}/?${params.toString()}`;
}

/**
 * Debian's chromium, headless, through playwright-core.
 * @param {{ root: string, viewport?: { width: number, height: number } }} o
 */
async function launchBrowser(o) {
  const { chromium } = require('playwright-core');
  const env = sandboxEnv(path.join(o.root, 'chromium'));
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    env: /** @type {Record<string, string>} */ (env),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: o.viewport || { width: 1400, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: 'http://127.0.0.1' }).catch(() => {});
  return { browser, context };
}

/** A page console line without the `%c … color: …` styling. @param {string} text */
function cleanConsole(text) {
  const host = extensionHostLine(text);
  return host !== undefined ? `[extension host] ${host}` : text;
}

/**
 * The extension host's console arrives as page console messages whose text is
 * `%c INFO color: #33f <message>` (also WARN, ERR, LOG): returns <message>, or undefined for
 * the workbench's own console output.
 * @param {string} raw
 */
function extensionHostLine(raw) {
  const m = /^%c\s*(INFO|LOG|WARN|ERR|DEBUG|TRACE)\s+color:\s*[^ ]+ ?([\s\S]*)$/.exec(raw);
  return m ? (m[1] === 'ERR' || m[1] === 'WARN' ? `${m[1]} ${m[2]}` : m[2]) : undefined;
}

module.exports = {
  extensionHostLine,
  CODE_SERVER_VERSION,
  EXTENSION_ID,
  codeServerBin,
  chromiumPath,
  sandboxEnv,
  writeUserSettings,
  installExtension,
  freePort,
  startServer,
  workbenchUrl,
  launchBrowser,
  cleanConsole,
};
