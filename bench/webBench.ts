/**
 * Issue #16's benchmark: the same documents analysed by the browser build's worker
 * (dist/web/worker.js in a Web Worker of Debian's headless chromium) and by the node build's
 * worker (dist/worker.js on a worker thread), in the same run. Each figure is the median of the
 * analysis time the worker itself reports (`ms` of its result: parse → values, gradients,
 * derivations, hovers and graph), after warm-up; the ratio is browser ÷ node.
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export interface WebBenchRow {
  readonly name: string;
  readonly nodeMs: number;
  readonly browserMs: number;
}

interface Doc {
  readonly name: string;
  readonly text: string;
}

const request = (id: number, text: string) => ({ type: 'analyze', id, text, languageId: 'nn', budget: 2e10, checkTolerance: 1e-6 });

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function nodeTimes(workerJs: string, text: string, n: number, warm: number): Promise<number> {
  const w = new Worker(workerJs);
  const ms: number[] = [];
  try {
    for (let i = 0; i < warm + n; i++) {
      const r = await new Promise<{ ms: number }>((resolve, reject) => {
        const on = (m: { type: string; id: number; ms: number }) => {
          if (m.type === 'result' && m.id === i) {
            w.off('message', on);
            resolve(m);
          } else if (m.type === 'failure') reject(new Error(JSON.stringify(m)));
        };
        w.on('message', on);
        w.postMessage(request(i, text));
      });
      if (i >= warm) ms.push(r.ms);
    }
  } finally {
    await w.terminate();
  }
  return median(ms);
}

/** Runs in the page: the median `ms` the Web Worker reports for `text` (plain JS: it is not type-checked as node code). */
const IN_PAGE = `async (text, n, warm) => {
  const w = new Worker('/worker.js');
  const ms = [];
  for (let i = 0; i < warm + n; i++) {
    const r = await new Promise((resolve, reject) => {
      w.onmessage = (e) => {
        if (e.data.type === 'result' && e.data.id === i) resolve(e.data);
        else if (e.data.type === 'failure') reject(new Error(e.data.message));
      };
      w.onerror = (e) => reject(new Error(e.message));
      w.postMessage({ type: 'analyze', id: i, text, languageId: 'nn', budget: 2e10, checkTolerance: 1e-6 });
    });
    if (i >= warm) ms.push(r.ms);
  }
  w.terminate();
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}`;

interface CodeServerLib {
  chromiumPath(): string;
  launchBrowser(o: { root: string }): Promise<{
    browser: { close(): Promise<void> };
    context: { newPage(): Promise<{ goto(url: string): Promise<unknown>; evaluate(expression: string): Promise<unknown> }> };
  }>;
}

/** Undefined (with the reason) where chromium or the builds are missing. */
export async function benchWebWorker(root: string, docs: readonly Doc[], n = 60, warm = 30): Promise<WebBenchRow[] | string> {
  const webWorker = join(root, 'dist', 'web', 'worker.js');
  const nodeWorker = join(root, 'dist', 'worker.js');
  if (!existsSync(webWorker) || !existsSync(nodeWorker)) return 'dist/web/worker.js or dist/worker.js missing (node esbuild.js)';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cs = require(join(root, 'scripts', 'lib', 'codeServer.js')) as CodeServerLib;
  try {
    cs.chromiumPath();
  } catch (e) {
    return `chromium missing: ${(e as Error).message}`;
  }
  const script = readFileSync(webWorker);
  const server = createServer((req, res) => {
    if (req.url === '/worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>GradLens web worker bench</title>');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const tmp = join(root, 'out', 'bench-web');
  const { browser, context } = await cs.launchBrowser({ root: tmp });
  const rows: WebBenchRow[] = [];
  try {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    for (const doc of docs) {
      const browserMs = (await page.evaluate(`(${IN_PAGE})(${JSON.stringify(doc.text)}, ${n}, ${warm})`)) as number;
      const nodeMs = await nodeTimes(nodeWorker, doc.text, n, warm);
      rows.push({ name: doc.name, nodeMs, browserMs });
    }
  } finally {
    await browser.close().catch(() => {});
    server.close();
  }
  return rows;
}
