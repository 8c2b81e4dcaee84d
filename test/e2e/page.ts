/**
 * What the browser-driven runs (ui.ts, web.ts, trust.ts) do alike: read CodeLens texts, run a
 * command from the palette, and run a suite, keeping the page's console and the server's log
 * when something failed, then closing the browser and the server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
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
