/**
 * The browser build in a real browser extension host (issue #16): code-server's Web Worker
 * extension host, which is what vscode.dev and github.dev run. The packaged gradlens.vsix is
 * installed as usual; the user settings `extensions.webWorker: true` and
 * `remote.extensionKind: { "gradlens.gradlens": ["web"] }` make the workbench run it from its
 * `browser` entry in the web worker host instead of the Node host (docs/web.md). The extension
 * then says where it runs on its console, which code-server forwards to the page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as cs from '../../scripts/lib/codeServer.js';
import { runAndClose, runCommand, lensTexts } from './page';
import { assert, assertIncludes, createSuite, type TestResult } from './harness';
import type { UiOptions } from './ui';

const FILE = 'hw4-t1-residual.nn';



export async function runWeb(o: UiOptions): Promise<TestResult[]> {
  const root = path.join(o.tmp, 'web');
  const env = cs.sandboxEnv(root);
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  cs.writeUserSettings(userDataDir, {
    'extensions.webWorker': true,
    'remote.extensionKind': { [cs.EXTENSION_ID]: ['web'] },
    'editor.hover.delay': 200,
    'workbench.editor.enablePreview': false,
  });
  await cs.installExtension({ vsix: o.vsix, extensionsDir, userDataDir, env });
  const serverLog: string[] = [];
  const server = await cs.startServer({ userDataDir, extensionsDir, env, log: (s) => serverLog.push(s) });
  const { browser, context } = await cs.launchBrowser({ root });
  const page = await context.newPage();
  const consoleLog: string[] = [];
  page.on('console', (m) => consoleLog.push(`[${m.type()}] ${m.text()}`));
  const shot = async (name: string) => {
    fs.mkdirSync(o.artifacts, { recursive: true });
    await page.screenshot({ path: path.join(o.artifacts, `web-${name.replace(/[^\w-]+/g, '-').slice(0, 60)}.png`) });
  };
  const suite = createSuite(120_000, shot);
  const metrics: Record<string, number> = {};

  suite.test('the browser build activates in the web worker extension host', async () => {
    const t = performance.now();
    // Not 'load': the workbench keeps loading resources long after it is usable.
    await page.goto(cs.workbenchUrl({ url: server.url, port: server.port, folder: o.workspace }), { waitUntil: 'domcontentloaded', timeout: 90_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: FILE }).waitFor({ timeout: 90_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: FILE }).click();
    const deadline = Date.now() + 60_000;
    let line: string | undefined;
    while (!line && Date.now() < deadline) {
      line = consoleLog.find((l) => l.includes('GradLens: activated'));
      if (!line) await page.waitForTimeout(200);
    }
    assert(line, 'GradLens did not report its activation on the console');
    // The web entry reports the host it found: no Node `process` object, a Web Worker global scope.
    assertIncludes(line, 'GradLens: activated (browser build) in a web worker extension host', 'activation line');
    assert(!consoleLog.some((l) => l.includes('GradLens: activated (node build)')), 'the node build was activated too');
    metrics.activationMs = performance.now() - t;
  });

  suite.test(`${FILE}: CodeLens values and gradients computed in the browser worker`, async () => {
    const t = performance.now();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'x1 = 0.4' }).waitFor({ timeout: 60_000 });
    metrics.openToCodeLensMs = performance.now() - t;
    const texts = await lensTexts(page);
    assertIncludes(texts, '∂z/∂w0 = -0.2', 'CodeLens');
    await page.locator('.statusbar-item', { hasText: /✓ \d+\/\d+/ }).first().waitFor({ timeout: 20_000 });
    await shot('t1-codelens');
  });

  suite.test('a hover on a name', async () => {
    const token = page.locator('.monaco-editor .view-line span span', { hasText: /^x1$/ }).first();
    await token.hover();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'x1' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    assertIncludes(await hover.innerText(), '0.4', 'hover');
    await page.mouse.move(5, 5);
  });

  suite.test('the panel draws the graph with values and gradients', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+1');
    await runCommand(page, 'GradLens: Show Panel');
    const panel = page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('iframe#active-frame');
    const x1 = panel.locator('.node', { hasText: 'x1 = ReLU' });
    await x1.waitFor({ timeout: 30_000 });
    assertIncludes((await x1.textContent()) ?? '', '0.4', 'x1 node');
    assertIncludes((await panel.locator('.node', { hasText: 'param w0' }).textContent()) ?? '', 'grad -0.2', 'w0 node');
    await shot('panel');
  });

  suite.test('a Markdown homework gets CodeLens from its ```nn blocks', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hw4-answers.md' }).click();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'x1 = 0.4' }).waitFor({ timeout: 30_000 });
    await shot('markdown');
  });

  suite.test('load_csv reads through workspace.fs (the breast-cancer data)', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'breast-cancer-mlp.nn' }).click();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: /D: \[569, 31\]|D = \[569, 31\]|569 × 31|\[569, 31\]/ }).first().waitFor({ timeout: 60_000 });
    await shot('load-csv');
  });

  const results = await runAndClose(suite, { artifacts: o.artifacts, prefix: 'web', consoleLog, serverLog, browser, server });
  console.log(`web metrics: ${JSON.stringify(Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Math.round(v)])))}`);
  return results;
}
