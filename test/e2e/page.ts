/**
 * What the browser-driven runs (ui.ts, web.ts, trust.ts) do alike: read CodeLens texts, run a
 * command from the palette, and run a suite, keeping the page's console and the server's log
 * when something failed, then closing the browser and the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import type { Suite, TestResult } from './harness';

export async function lensTexts(page: Page): Promise<string[]> {
  return page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/**
 * The webview (its content frame, two iframes deep) in which `selector` with `hasText` shows, for
 * up to `timeoutMs`. Webviews are overlaid at the workbench's root, hidden ones too, so the panel
 * and the side-bar view are told apart by what they show.
 */
export async function webviewShowing(page: Page, selector: string, hasText: string | RegExp, timeoutMs = 30_000): Promise<FrameLocator> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const n = await page.locator('iframe.webview.ready').count();
    for (let i = n - 1; i >= 0; i--) {
      const f = page.frameLocator(`iframe.webview.ready >> nth=${i}`).frameLocator('iframe#active-frame');
      if (await f.locator(selector, { hasText }).count()) return f;
    }
    if (Date.now() > end) throw new Error(`no webview shows ${selector} with ${String(hasText)}`);
    await page.waitForTimeout(200);
  }
}

/**
 * Whether a box of the webview fits its width and, when its content is wider, scrolls it rather
 * than clipping it (scrollLeft moves). Runs in the webview.
 */
export interface FitReport {
  readonly within: boolean;
  readonly overflows: boolean;
  readonly scrolls: boolean;
  readonly width: number;
  readonly content: number;
}

export function fitReport(e: Element): FitReport {
  const r = e.getBoundingClientRect();
  const vw = document.documentElement.clientWidth;
  const overflows = e.scrollWidth > e.clientWidth + 1;
  let scrolls = false;
  if (overflows) {
    e.scrollLeft = 40;
    scrolls = e.scrollLeft > 0;
    e.scrollLeft = 0;
  }
  return { within: r.left >= -1 && r.right <= vw + 1, overflows, scrolls, width: Math.round(r.width), content: e.scrollWidth };
}

export interface RunResources {
  /** Where `<prefix>-console.log` and `<prefix>-server.log` go when a test failed. */
  readonly artifacts: string;
  readonly prefix: string;
  readonly consoleLog: readonly string[];
  readonly serverLog: readonly string[];
  readonly browser: { close(): Promise<void> };
  readonly server: { stop(): Promise<void> };
}

export async function runAndClose(suite: Suite, r: RunResources): Promise<TestResult[]> {
  let results: TestResult[] = [];
  try {
    results = await suite.run();
  } finally {
    if (results.some((t) => !t.passed) || !results.length) {
      fs.mkdirSync(r.artifacts, { recursive: true });
      fs.writeFileSync(path.join(r.artifacts, `${r.prefix}-console.log`), r.consoleLog.join('\n'));
      fs.writeFileSync(path.join(r.artifacts, `${r.prefix}-server.log`), r.serverLog.join('\n'));
    }
    await r.browser.close().catch(() => {});
    await r.server.stop();
  }
  return results;
}
