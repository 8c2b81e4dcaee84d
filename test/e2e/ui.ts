/**
 * The UI run: code-server with the packaged extension installed, driven through headless
 * chromium as a user would. Selectors are VS Code 1.100's DOM (re-check after an upgrade).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import * as cs from '../../scripts/lib/codeServer.js';
import { fitReport, runAndClose, runCommand, lensTexts, webviewShowing } from './page';
import { assert, assertIncludes, createSuite, type TestResult } from './harness';

export interface UiOptions {
  readonly root: string;
  readonly vsix: string;
  readonly tmp: string;
  readonly artifacts: string;
  readonly workspace: string;
}

const FILE = 'hw4-t1-residual.nn';
/** The `x1 = ReLU(…)` statement (not the comment above it that quotes it). */
const X1_LINE = /^x1\s=\sReLU/;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}


/** Puts the keyboard focus in the text editor (Ctrl+1: View: Focus First Editor Group); a click could land on a CodeLens. */
async function focusEditor(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+1');
  await page.locator('.part.editor .monaco-editor.focused').waitFor();
}


async function pick(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { has: page.locator('.label-name', { hasText: new RegExp(`^${label}$`) }) }).first();
  await row.waitFor({ state: 'visible' });
  await row.click();
}

export async function runUi(o: UiOptions): Promise<TestResult[]> {
  const root = path.join(o.tmp, 'ui');
  const env = cs.sandboxEnv(root);
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  // Word-based suggestions would pop up while typing and swallow the next Enter.
  cs.writeUserSettings(userDataDir, { 'editor.hover.delay': 200, 'workbench.editor.enablePreview': false, 'editor.quickSuggestions': { other: false, comments: false, strings: false }, 'editor.wordBasedSuggestions': 'off', 'editor.suggestOnTriggerCharacters': false });
  let t = performance.now();
  await cs.installExtension({ vsix: o.vsix, extensionsDir, userDataDir, env });
  const installMs = performance.now() - t;
  const serverLog: string[] = [];
  const server = await cs.startServer({ userDataDir, extensionsDir, env, log: (s) => serverLog.push(s) });
  const { browser, context } = await cs.launchBrowser({ root });
  const page = await context.newPage();
  const consoleLog: string[] = [];
  page.on('console', (m) => consoleLog.push(`[${m.type()}] ${cs.cleanConsole(m.text())}`));
  const metrics: Record<string, number> = { installMs, serverReadyMs: server.readyMs };
  const shot = async (name: string) => {
    fs.mkdirSync(o.artifacts, { recursive: true });
    await page.screenshot({ path: path.join(o.artifacts, `ui-${name.replace(/[^\w-]+/g, '-').slice(0, 60)}.png`) });
  };
  const suite = createSuite(60_000, shot);

  suite.test('the workbench loads with the examples folder', async () => {
    t = performance.now();
    await page.goto(cs.workbenchUrl({ url: server.url, port: server.port, folder: o.workspace }));
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: FILE }).waitFor({ timeout: 60_000 });
    metrics.workbenchMs = performance.now() - t;
  });

  suite.test(`opening ${FILE} shows CodeLens values and gradients`, async () => {
    t = performance.now();
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: FILE }).click();
    await page.locator('.monaco-editor .view-line', { hasText: X1_LINE }).waitFor();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'x1 = 0.4' }).waitFor({ timeout: 60_000 });
    metrics.openToCodeLensMs = performance.now() - t;
    const texts = await lensTexts(page);
    assertIncludes(texts, 'x1 = 0.4', 'CodeLens');
    assertIncludes(texts, '∂z/∂w0 = -0.2', 'CodeLens');
    await shot('t1-codelens');
  });

  suite.test('hovering a name shows its detail', async () => {
    const token = page.locator('.monaco-editor .view-line span span', { hasText: /^x1$/ }).first();
    await token.hover();
    const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'x1' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const text = await hover.innerText();
    assert(text.trim().length > 0, 'empty hover');
    await page.mouse.move(5, 5);
  });

  suite.test('status bar shows the check results', async () => {
    await page.locator('.statusbar-item', { hasText: /✓ \d+\/\d+/ }).first().waitFor({ timeout: 20_000 });
  });

  suite.test('a typed broken line appears in Problems (keystroke → diagnostic latency)', async () => {
    await page.locator('.monaco-editor .view-line', { hasText: X1_LINE }).first().click();
    await page.keyboard.press('Control+Shift+M');
    await page.locator('.markers-panel').waitFor();
    const samples: number[] = [];
    const squiggles: number[] = [];
    for (let i = 0; i < 7; i++) {
      // `q0 = x1 * w0` is valid (its lens is 0.4 · 0.3 = 0.12); one more key makes `w0` the
      // undefined `w00`: that keystroke's squiggle and Problems row are the only change timed.
      const bad = `w0${i}`;
      await focusEditor(page);
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type(`q${i} = x1 * w0`);
      await page.locator('.monaco-editor .codelens-decoration', { hasText: `q${i} = 0.12` }).first().waitFor({ timeout: 20_000 });
      // In-page clocks: the keydown, the first Problems row naming the typo, the first new squiggle.
      await page.evaluate((name) => {
        const w = window as unknown as Record<string, unknown>;
        const state = { key: 0, problem: 0, squiggle: 0, before: document.querySelectorAll('.monaco-editor .squiggly-error').length };
        w.__gl = state;
        window.addEventListener('keydown', () => (state.key ||= performance.now()), { capture: true, once: true });
        const obs = new MutationObserver(() => {
          const now = performance.now();
          if (!state.key) return;
          if (!state.problem && [...document.querySelectorAll('.markers-panel .monaco-list-row')].some((r) => r.textContent?.includes(name))) state.problem = now;
          if (!state.squiggle && document.querySelectorAll('.monaco-editor .squiggly-error').length > state.before) state.squiggle = now;
          if (state.problem && state.squiggle) obs.disconnect();
        });
        obs.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      }, bad);
      await page.keyboard.press(String(i));
      await page.locator('.markers-panel .monaco-list-row', { hasText: bad }).first().waitFor({ timeout: 20_000 });
      await page.waitForFunction(() => (window as unknown as { __gl: { squiggle: number } }).__gl.squiggle > 0, undefined, { timeout: 20_000 });
      const m = await page.evaluate(() => (window as unknown as { __gl: { key: number; problem: number; squiggle: number } }).__gl);
      samples.push(m.problem - m.key);
      squiggles.push(m.squiggle - m.key);
    }
    metrics.keystrokeToProblemMedianMs = median(samples);
    metrics.keystrokeToProblemMaxMs = Math.max(...samples);
    metrics.keystrokeToSquiggleMedianMs = median(squiggles);
    console.log(`    keystroke → squiggle: ${squiggles.map((x) => Math.round(x)).join(', ')} ms; → Problems entry: ${samples.map((x) => Math.round(x)).join(', ')} ms`);
    await shot('problems');
  });

  suite.test('a typed line gets its CodeLens at VS Code\'s own lens refresh (keystroke → lens latency)', async () => {
    const samples: number[] = [];
    for (let i = 0; i < 3; i++) {
      const name = `lens${i}`;
      await focusEditor(page);
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.evaluate((text) => {
        const w = window as unknown as Record<string, unknown>;
        w.__lens = { key: 0, lens: 0 };
        const state = w.__lens as { key: number; lens: number };
        window.addEventListener('keydown', () => (state.key = performance.now()), { capture: true });
        const obs = new MutationObserver(() => {
          if (!state.lens && [...document.querySelectorAll('.monaco-editor .codelens-decoration')].some((e) => e.textContent?.includes(text))) {
            state.lens = performance.now();
            obs.disconnect();
          }
        });
        obs.observe(document.body, { subtree: true, childList: true, characterData: true });
      }, `${name} = 0.8`);
      // x1 = 0.4 in T1, so x1 * 2 = 0.8.
      await page.keyboard.type(`${name} = x1 * 2`);
      await page.locator('.monaco-editor .codelens-decoration', { hasText: `${name} = 0.8` }).first().waitFor({ timeout: 20_000 });
      const m = await page.evaluate(() => (window as unknown as { __lens: { key: number; lens: number } }).__lens);
      samples.push(m.lens - m.key);
    }
    metrics.keystrokeToLensMedianMs = median(samples);
    console.log(`    keystroke → CodeLens: ${samples.map((x) => Math.round(x)).join(', ')} ms (VS Code refreshes lenses after its own ≥ 250 ms debounce)`);
  });

  suite.test('Explain Gradient… from the palette opens the derivation', async () => {
    await focusEditor(page);
    await runCommand(page, 'GradLens: Explain Gradient');
    await pick(page, 'z');
    await pick(page, 'w0');
    const preview = page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('iframe#active-frame');
    await preview.locator('body', { hasText: '∂z/∂w0' }).waitFor({ timeout: 30_000 });
    await shot('derivation');
  });

  suite.test('GradLens: Show Panel: graph values, a KaTeX derivation, highlighted paths, two-way links', async () => {
    await focusEditor(page);
    await runCommand(page, 'GradLens: Show Panel');
    const panel = page.frameLocator('iframe.webview.ready >> nth=-1').frameLocator('iframe#active-frame');
    await panel.locator('.file', { hasText: FILE }).waitFor({ timeout: 30_000 });
    // Node values, read from the SVG.
    const x1 = panel.locator('.node', { hasText: 'x1 = ReLU' });
    await x1.waitFor({ timeout: 30_000 });
    assertIncludes((await x1.textContent()) ?? '', '0.4', 'x1 node');
    // ∂z/∂node on every node on a path to z (#17; by hand ∂z/∂x1 = w1 = −0.2, ∂z/∂y1 = 1).
    assertIncludes((await x1.textContent()) ?? '', 'grad -0.2', 'x1 node: ∂z/∂x1');
    assertIncludes((await panel.locator('.node', { hasText: 'y1 = +' }).textContent()) ?? '', 'grad 1', 'y1 node: ∂z/∂y1');
    assertIncludes((await panel.locator('.node', { hasText: 'param w0' }).textContent()) ?? '', 'grad -0.2', 'w0 node');
    assertIncludes((await panel.locator('.node', { hasText: 'z = ReLU' }).textContent()) ?? '', '0.62', 'z node');
    assert((await panel.locator('.node.fork').count()) >= 1, 'x0 is not drawn as a fork');
    // Select ∂z/∂x0: both paths of the fork light up, with their local derivatives.
    await panel.locator('.chip', { hasText: '∂z/∂w0' }).click();
    await panel.locator('.edge.on-path').first().waitFor();
    // The click gave the panel the focus (no text editor is active): the status-bar item stays (#17.6).
    assert(await page.evaluate(() => document.activeElement?.matches('iframe.webview') ?? false), 'the panel does not have the focus');
    await page.locator('.statusbar-item', { hasText: /✓ \d+\/\d+/ }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert((await panel.locator('.edge.on-path').count()) === 3, `∂z/∂w0 paths: ${await panel.locator('.edge.on-path').count()} edges`);
    assert((await panel.locator('.edge-label').count()) === 3, 'edge labels with local derivatives');
    // The derivation, rendered by KaTeX with its bundled fonts (no network).
    const tex = panel.locator('#derivation .katex-display');
    await tex.waitFor({ timeout: 10_000 });
    const rendered = await panel.locator('#derivation .katex-html').innerText();
    assertIncludes(rendered, '∂', 'rendered derivation');
    assertIncludes(rendered, /[−-]0\.2/, 'rendered derivation value');
    assertIncludes((await panel.locator('#derivation annotation').first().textContent()) ?? '', '\\frac{\\partial z}', 'the LaTeX source');
    const fontOk = await panel.locator('#derivation .katex').evaluate(async () => {
      await document.fonts.ready;
      return document.fonts.check('16px KaTeX_Main') && [...document.fonts].some((f) => f.family.replace(/"/g, '') === 'KaTeX_Main' && f.status === 'loaded');
    });
    assert(fontOk, 'the KaTeX fonts did not load under the CSP');
    assert((await panel.locator('#checks .check-row .pass').count()) === 8, 'checks and expectations: 8 passing rows');
    // The layout ran in the worker (dist/layoutWorker.js, started from a data: URL): no fallback warning.
    assert(!consoleLog.some((l) => l.includes('layout worker')), `layout worker: ${consoleLog.filter((l) => l.includes('layout worker')).join(' | ')}`);
    // x1's ⋯ expands its statement into its operations (micrograd-style): ·, +, ReLU with their values.
    await panel.locator('.node.kind-op', { hasText: 'x1 = ReLU' }).locator('.expand').dispatchEvent('click');
    await panel.locator('.node.op-node').nth(2).waitFor({ timeout: 10_000 });
    const opLabels = await panel.locator('.node.op-node > text').allTextContents();
    assert(['·', '+', 'ReLU'].every((x) => opLabels.includes(x)) && opLabels.length === 3, `op nodes: ${opLabels.join(', ')}`);
    assertIncludes((await panel.locator('.node.value-box.result').textContent()) ?? '', 'grad -0.2', 'x1 result box');
    // ∂z/∂w0 now runs through the operations: w0 → · → + → ReLU → y1 → z.
    await panel.locator('.node.op-node.on-path').nth(2).waitFor({ timeout: 10_000 });
    const onPath = await panel.locator('.edge.on-path').count();
    assert(onPath === 8, `∂z/∂w0 paths through x1's operations: ${onPath} edges`);
    // Before the picture: let the webview's CSS transitions finish (an event, not a sleep).
    await panel.locator('body').evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
    await shot('panel');
    // The panel as a user sees it: kept with the run's artifacts; GRADLENS_UPDATE_SCREENSHOT=1
    // refreshes docs/panel.png (a test run must not change tracked files).
    const frame = page.locator('iframe.webview.ready').last();
    await frame.screenshot({ path: path.join(o.artifacts, 'panel-webview.png') });
    if (process.env.GRADLENS_UPDATE_SCREENSHOT === '1') await frame.screenshot({ path: path.join(o.root, 'docs', 'panel.png') });
    // Fold it back.
    await panel.locator('.node.value-box.result .expand').dispatchEvent('click');
    await panel.locator('.node.kind-op', { hasText: 'x1 = ReLU' }).waitFor({ timeout: 10_000 });
    assert((await panel.locator('.node.op-node').count()) === 0, 'x1 did not fold back');
    // Panel → editor: clicking y1 puts the cursor on its line (Ln 15).
    await panel.locator('.node', { hasText: 'y1 = ' }).dispatchEvent('click');
    await page.locator('.statusbar-item', { hasText: /Ln 15, Col 1/ }).first().waitFor({ timeout: 10_000 });
    // Editor → panel: moving the cursor to z's line highlights z.
    await page.locator('.monaco-editor .view-line', { hasText: /^z\s+=\sReLU/ }).first().click();
    await panel.locator('.node.at-cursor', { hasText: 'z = ReLU' }).waitFor({ timeout: 10_000 });
    // Close every editor (Ctrl+K Ctrl+W), the panel and the preview too, so later tests see one group.
    await focusEditor(page);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('Control+W');
    await page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 10_000 });
  });

  suite.test('the GradLens side-bar view shows the same panel; a long KaTeX derivation scrolls in it, not clipped', async () => {
    const before = await page.locator('iframe.webview.ready').count();
    await page.locator('.activitybar [aria-label^="GradLens"]').first().click();
    try {
      await page.locator('iframe.webview.ready').nth(before).waitFor({ timeout: 30_000 });
      const side = await webviewShowing(page, '.node', 'x1 = ReLU');
      await side.locator('#derivation .katex-display').first().waitFor({ timeout: 10_000 });
      // The side bar is narrower than the derivation (#17.6): each display fits the view and scrolls.
      const displays = side.locator('#derivation .katex-display');
      const fits = [];
      for (let i = 0; i < (await displays.count()); i++) fits.push(await displays.nth(i).evaluate(fitReport));
      assert(fits.length > 0 && fits.every((f) => f.within && (!f.overflows || f.scrolls)), `derivation in the side bar: ${JSON.stringify(fits)}`);
      assert(fits.some((f) => f.overflows), `the derivation is not wider than the side bar, so this checks nothing: ${JSON.stringify(fits)}`);
      await shot('sidebar');
    } finally {
      await page.keyboard.press('Control+Shift+E');
    }
  });

  suite.test('T2/T3: layer and network CodeLens', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hw4-t2-t3-mlp.nn' }).click();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'mlp: 557,057 params' }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .codelens-decoration', { hasText: '31,744 params = (30 + 1) × 1024' }).waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: '557,057 params' }).first().waitFor({ timeout: 20_000 });
    await shot('mlp');
  });

  suite.test('side bar on a network-only file: a message instead of an empty graph, no stale derivation heading, the layer table scrolls, the status bar stays', async () => {
    // hw4-t2-t3-mlp.nn (active since the test above) binds no statement: only a network and expects.
    await page.locator('.activitybar [aria-label^="GradLens"]').first().click();
    try {
      const side = await webviewShowing(page, '.file', 'hw4-t2-t3-mlp.nn');
      await side.locator('.graph-empty').waitFor({ state: 'visible', timeout: 10_000 });
      assertIncludes((await side.locator('.graph-empty').textContent()) ?? '', 'No statements to draw', 'the graph section');
      assert(!(await side.locator('.graph-frame').isVisible()), 'an empty graph box is drawn');
      // The side bar showed ∂z/∂w0 of hw4-t1-residual.nn before: its heading must not stay.
      assert((await side.locator('#derivation > summary').textContent()) === 'Derivation', `derivation heading: ${await side.locator('#derivation > summary').textContent()}`);
      assertIncludes((await side.locator('#derivation').textContent()) ?? '', 'No gradient yet', 'the derivation section');
      // The layer table (five columns) is wider than the side bar: it scrolls in its box.
      await side.locator('.table-scroll table.layers').waitFor({ timeout: 10_000 });
      const table = await side.locator('.table-scroll').first().evaluate(fitReport);
      assert(table.within && table.overflows && table.scrolls, `layer table in the side bar: ${JSON.stringify(table)}`);
      // Focus in the side bar: the status-bar item keeps the file's parameter total.
      await side.locator('.graph-empty').click();
      assert(await page.evaluate(() => document.activeElement?.matches('iframe.webview') ?? false), 'the side bar does not have the focus');
      await page.locator('.statusbar-item', { hasText: '557,057 params' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await shot('sidebar-network');
    } finally {
      await page.keyboard.press('Control+Shift+E');
    }
  });

  suite.test('Markdown: a ```nn block is highlighted and gets CodeLens', async () => {
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'hw4-answers.md' }).click();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'x1 = 0.4' }).waitFor({ timeout: 30_000 });
    // The injection grammar gives `param` inside the fence a keyword colour, unlike the prose.
    const param = page.locator('.monaco-editor .view-line span span', { hasText: /^param$/ }).first();
    const prose = page.locator('.monaco-editor .view-line span span', { hasText: /^The\sresidual\sblock/ }).first();
    const [pc, tc] = await Promise.all([param.evaluate((e) => getComputedStyle(e).color), prose.evaluate((e) => getComputedStyle(e).color)]);
    assert(pc !== tc, `\`param\` in the nn block has the prose colour ${pc}`);
    await shot('markdown');
  });

  const results = await runAndClose(suite, { artifacts: o.artifacts, prefix: 'ui', consoleLog, serverLog, browser, server });
  console.log(`UI metrics: ${JSON.stringify(Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, Math.round(v)])))}`);
  return results;
}
