/**
 * The hardening UI run (issue #15): code-server WITH Workspace Trust (the other runs start it with
 * --disable-workspace-trust), a folder that was never trusted — as a repository just cloned —
 * opened in Restricted Mode, driven through headless chromium:
 *  - `load_csv` there is refused with a diagnostic that says why and how to trust;
 *  - a hover whose text holds an image link (in a comment inside parentheses) shows it as text:
 *    no <img>, nothing fetched from 127.0.0.1:1;
 *  - the folder's `.vscode/settings.json` cannot turn `gradlens.answersHidden` off (issue #14).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cs from '../../scripts/lib/codeServer.js';
import { runAndClose } from './page';
import { assert, assertIncludes, createSuite, type TestResult } from './harness';

export interface TrustOptions {
  readonly vsix: string;
  readonly tmp: string;
  readonly artifacts: string;
}

/** The operator hover quotes `(a # … ) * b` with the comment: its backtick once ended the inline code. */
const HOVER_NN = 'a = 2\nb = 3\nc = (a # ` ![x](http://127.0.0.1:1/x.png)\n) * b\n';

export async function runTrustUi(o: TrustOptions): Promise<TestResult[]> {
  const root = path.join(o.tmp, 'trust');
  const workspace = path.join(root, 'cloned-repo');
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(path.join(workspace, 'data.csv'), 'x,y\n1,2\n3,4\n');
  fs.writeFileSync(path.join(workspace, 'read.nn'), 'D = load_csv("data.csv")\nn = sum(D)\n');
  fs.writeFileSync(path.join(workspace, 'hover.nn'), HOVER_NN);
  // Issue #14: the user hides answers; the cloned repository's settings try to show them again.
  fs.writeFileSync(path.join(workspace, 'hidden.nn'), 'param w = 0.5\nz = 3 * w\ngrad z wrt w\n');
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'gradlens.answersHidden': false }));
  const env = cs.sandboxEnv(root);
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  // Trust on, and no modal question at startup: the folder simply opens in Restricted Mode.
  cs.writeUserSettings(userDataDir, {
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'security.workspace.trust.emptyWindow': false,
    'editor.hover.delay': 200,
    'gradlens.answersHidden': true,
  });
  await cs.installExtension({ vsix: o.vsix, extensionsDir, userDataDir, env });
  const serverLog: string[] = [];
  const server = await cs.startServer({ userDataDir, extensionsDir, env, log: (s) => serverLog.push(s), workspaceTrust: true });
  const { browser, context } = await cs.launchBrowser({ root });
  const page = await context.newPage();
  const consoleLog: string[] = [];
  page.on('console', (m) => consoleLog.push(`[${m.type()}] ${cs.cleanConsole(m.text())}`));
  // Any request to the image's address would be the injection working.
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('127.0.0.1:1/')) fetched.push(r.url());
  });
  const shot = async (name: string) => {
    fs.mkdirSync(o.artifacts, { recursive: true });
    await page.screenshot({ path: path.join(o.artifacts, `trust-${name.replace(/[^\w-]+/g, '-').slice(0, 60)}.png`) });
  };
  const suite = createSuite(90_000, shot);

  suite.test('an untrusted folder opens in Restricted Mode', async () => {
    // A loaded machine (2 cores, several runs) took more than playwright's default 30 s here once.
    await page.goto(cs.workbenchUrl({ url: server.url, port: server.port, folder: workspace }), { timeout: 90_000 });
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'read.nn' }).waitFor({ timeout: 60_000 });
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 30_000 });
  });

  suite.test('load_csv in an untrusted workspace: a diagnostic says why and how to trust', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'read.nn' }).click();
    await page.locator('.monaco-editor .view-line', { hasText: /^D\s=\sload_csv/ }).waitFor();
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+1');
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'Restricted Mode' }).first();
    await row.waitFor({ timeout: 30_000 });
    const text = await row.innerText();
    assertIncludes(text, 'Manage Workspace Trust', 'the Problems entry');
    assertIncludes(text, 'csv.untrusted', 'the Problems entry');
    await shot('untrusted-load-csv');
  });

  suite.test('a hover whose text holds an image link shows it as text (no image, no request)', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hover.nn' }).click();
    const line = page.locator('.monaco-editor .view-line', { hasText: /^\)\s\*\sb/ }).first();
    await line.waitFor();
    // The analysis is there when `c` has its CodeLens (c = 2 · 3).
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'c = 6' }).waitFor({ timeout: 60_000 });
    const star = line.locator('span span', { hasText: /^\s*\*\s*$/ }).first();
    await star.hover();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'mul' }).first();
    await hover.waitFor({ state: 'visible', timeout: 20_000 });
    const text = await hover.innerText();
    assertIncludes(text, '![x](http://127.0.0.1:1/x.png)', 'the hover, as text');
    assert((await hover.locator('img').count()) === 0, 'the hover rendered an <img>');
    assert((await hover.locator('a[href*="127.0.0.1:1"]').count()) === 0, 'the hover rendered a link');
    assert(fetched.length === 0, `the page requested ${fetched.join(', ')}`);
    await shot('hover-image-as-text');
    await page.mouse.move(5, 5);
  });

  suite.test('#14: the folder\'s settings cannot turn hidden answers off in Restricted Mode (restrictedConfigurations)', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hidden.nn' }).click();
    await page.locator('.monaco-editor .view-line', { hasText: /^grad\sz\swrt\sw/ }).waitFor();
    // ∂z/∂w = 3 (by hand) stays hidden: the user's `true` holds, the workspace's `false` is ignored.
    await page.locator('.monaco-editor .codelens-decoration', { hasText: '∂z/∂w = ▢' }).first().waitFor({ timeout: 60_000 });
    assert((await page.locator('.monaco-editor .codelens-decoration', { hasText: '∂z/∂w = 3' }).count()) === 0, 'the gradient is shown: the workspace turned hidden answers off');
    await shot('answers-hidden-restricted');
  });

  const results = await runAndClose(suite, { artifacts: o.artifacts, prefix: 'trust', consoleLog, serverLog, browser, server });
  return results;
}
