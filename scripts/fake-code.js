#!/usr/bin/env node
// @ts-check
/**
 * A "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }) (and
 * @vscode/test-cli's useInstallation.fromPath): it understands the arguments they pass and runs
 * the extension tests in code-server through headless chromium, then exits with the tests' code.
 *
 *   fake-code.js [FOLDER] --extensionDevelopmentPath=P --extensionTestsPath=T
 *                [--user-data-dir=D] [--extensions-dir=E] [other VS Code flags, ignored]
 *
 * Environment: GRADLENS_E2E_ARTIFACTS (folder for a screenshot and the console log on failure,
 * default test-results/), GRADLENS_E2E_TIMEOUT (ms, default 300000).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const cs = require('./lib/codeServer.js');

function parseArgs(argv) {
  /** @type {{ folder?: string, dev: string[], tests?: string, userDataDir?: string, extensionsDir?: string }} */
  const o = { dev: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    if (flag === '--extensionDevelopmentPath') o.dev.push(value());
    else if (flag === '--extensionTestsPath') o.tests = value();
    else if (flag === '--user-data-dir') o.userDataDir = value();
    else if (flag === '--extensions-dir') o.extensionsDir = value();
    else if (!a.startsWith('-')) o.folder = a;
  }
  return o;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.tests || !args.dev.length) throw new Error('expected --extensionDevelopmentPath= and --extensionTestsPath=');
  if (args.dev.length > 1) console.warn('fake-code: only the first --extensionDevelopmentPath is used');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-fake-code-'));
  const artifacts = path.resolve(process.env.GRADLENS_E2E_ARTIFACTS || 'test-results');
  const timeoutMs = Number(process.env.GRADLENS_E2E_TIMEOUT || 300_000);
  const userDataDir = path.resolve(args.userDataDir || path.join(root, 'user-data'));
  const extensionsDir = path.resolve(args.extensionsDir || path.join(root, 'extensions'));
  fs.mkdirSync(extensionsDir, { recursive: true });
  cs.writeUserSettings(userDataDir);
  const env = cs.sandboxEnv(root);
  const consoleLog = [];
  const log = (/** @type {string} */ s) => consoleLog.push(s);

  const t0 = Date.now();
  const server = await cs.startServer({ userDataDir, extensionsDir, env, log: (s) => log(`[server] ${s}`) });
  const { browser, context } = await cs.launchBrowser({ root });
  let code = 1;
  try {
    const page = await context.newPage();
    /** @type {(code: number) => void} */
    let done = () => {};
    const exited = new Promise((resolve) => (done = resolve));
    await page.exposeFunction('codeAutomationLog', (/** @type {unknown[]} */ ...a) => log(`[automation] ${a.map(String).join(' ')}`));
    await page.exposeFunction('codeAutomationExit', (/** @type {number} */ c) => done(c));
    page.on('console', (m) => {
      log(`[console.${m.type()}] ${m.text()}`);
      // The extension host's console (the tests' own lines) goes to stdout.
      const text = cs.extensionHostLine(m.text());
      if (text !== undefined) process.stdout.write(`${text}\n`);
    });
    page.on('pageerror', (e) => log(`[pageerror] ${e.message}`));
    const url = cs.workbenchUrl({ url: server.url, port: server.port, folder: args.folder, extensionDevelopmentPath: args.dev[0], extensionTestsPath: args.tests });
    await page.goto(url);
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs));
    const result = await Promise.race([exited, timer]);
    if (result === 'timeout') {
      console.error(`fake-code: the tests did not finish within ${timeoutMs} ms`);
      code = 124;
    } else code = Number(result);
    if (code !== 0) {
      fs.mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, 'extension-host-failure.png') }).catch(() => {});
    }
  } finally {
    if (code !== 0) {
      fs.mkdirSync(artifacts, { recursive: true });
      fs.writeFileSync(path.join(artifacts, 'extension-host-console.log'), consoleLog.join('\n'));
    }
    await browser.close().catch(() => {});
    await server.stop();
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`fake-code: code-server run took ${((Date.now() - t0) / 1000).toFixed(1)} s (server ready in ${server.readyMs} ms)`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`fake-code: ${e instanceof Error ? e.stack : e}`);
    process.exit(1);
  },
);
