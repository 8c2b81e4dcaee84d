/**
 * The real-editor tests (`npm run test:e2e`; `--host`, `--ui` or `--web` for one part):
 *  (a) the extension-host suite (suite/index.ts) through @vscode/test-electron's runTests, whose
 *      "VS Code executable" is scripts/fake-code.js (code-server + headless chromium);
 *  (b) a UI run (ui.ts) that drives the workbench with playwright as a user would;
 *  (c) the browser build in the web worker extension host (web.ts, issue #16, `--web` alone);
 *  (d) a UI run with Workspace Trust on (trust.ts, `--trust` alone): Restricted Mode and hovers.
 * Both use the packaged gradlens.vsix, installed with code-server's own installer.
 * Ends with the line `N passed, N failed`; exit code 1 if anything failed.
 */
import { runTests } from '@vscode/test-electron';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as cs from '../../scripts/lib/codeServer.js';
import { summary, type TestResult } from './harness';
import { runTrustUi } from './trust';
import { runUi } from './ui';
import { runWeb } from './web';

const root = path.resolve(__dirname, '..', '..');

function copyExamples(to: string): string {
  fs.mkdirSync(to, { recursive: true });
  fs.cpSync(path.join(root, 'examples'), to, { recursive: true });
  return to;
}

async function runHost(tmp: string, vsix: string, artifacts: string): Promise<TestResult[]> {
  const started = performance.now();
  const installEnv = cs.sandboxEnv(path.join(tmp, 'install'));
  const installed = await cs.installExtension({ vsix, extensionsDir: path.join(tmp, 'staging-extensions'), userDataDir: path.join(tmp, 'install', 'user-data'), env: installEnv });
  const resultsFile = path.join(tmp, 'host-results.json');
  let failure: string | undefined;
  try {
    await runTests({
      vscodeExecutablePath: path.join(root, 'scripts', 'fake-code.js'),
      extensionDevelopmentPath: installed,
      extensionTestsPath: path.join(root, 'out', 'e2e', 'suite', 'index.js'),
      launchArgs: [copyExamples(path.join(tmp, 'ws-host')), `--user-data-dir=${path.join(tmp, 'host-user-data')}`, `--extensions-dir=${path.join(tmp, 'host-extensions')}`],
      extensionTestsEnv: { GRADLENS_E2E_RESULTS: resultsFile, GRADLENS_E2E_ARTIFACTS: artifacts },
    });
  } catch (e) {
    failure = e instanceof Error ? e.message : String(e);
  }
  console.log(`extension-host run: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (!fs.existsSync(resultsFile)) return [{ name: 'extension-host suite ran', passed: false, ms: performance.now() - started, error: failure ?? 'no results were written' }];
  return (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { results: TestResult[] }).results;
}

async function main(): Promise<number> {
  const only = process.argv.includes('--host') ? 'host' : process.argv.includes('--ui') ? 'ui' : process.argv.includes('--trust') ? 'trust' : process.argv.includes('--web') ? 'web' : undefined;
  const vsix = path.join(root, 'gradlens.vsix');
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first`);
  cs.codeServerBin(); // fails early with the install hint
  const artifacts = path.join(root, 'test-results');
  fs.rmSync(artifacts, { recursive: true, force: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-e2e-'));
  const results: TestResult[] = [];
  try {
    if (only === undefined || only === 'host') {
      console.log('extension host (code-server via @vscode/test-electron + scripts/fake-code.js):');
      results.push(...(await runHost(tmp, vsix, artifacts)));
    }
    if (only === undefined || only === 'ui') {
      console.log('UI (code-server + chromium via playwright-core):');
      results.push(...(await runUi({ root, vsix, tmp, artifacts, workspace: copyExamples(path.join(tmp, 'ws-ui')) })));
    }
    if (only === undefined || only === 'web') {
      console.log('browser build (code-server\'s web worker extension host + chromium):');
      results.push(...(await runWeb({ root, vsix, tmp, artifacts, workspace: copyExamples(path.join(tmp, 'ws-web')) })));
    }
    if (only === undefined || only === 'ui' || only === 'trust') {
      console.log('UI with Workspace Trust (an untrusted folder in Restricted Mode):');
      results.push(...(await runTrustUi({ vsix, tmp, artifacts })));
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.passed);
  if (failed.length) console.log(`failed: ${failed.map((r) => r.name).join('; ')}\nscreenshots and logs: ${artifacts}`);
  console.log(summary(results));
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.stack : e);
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
