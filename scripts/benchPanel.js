#!/usr/bin/env node
// @ts-check
/**
 * `node scripts/benchPanel.js`: the panel's graph layout at 50, 200 and 500 nodes, on synthetic
 * programs shaped like GradLens programs (chains of bindings reading an earlier one).
 *
 * For each size it prints
 *   - layout: dagre (src/webview/layout.ts, tight-tree ranker) on the whole graph, and on what the
 *     panel draws by default beyond FOCUS_LIMIT nodes (focusGraph: the last statements and their
 *     neighbours, or a selected gradient's paths);
 *   - prep: the main thread's own work before it hands the layout off (collapse, focus, the
 *     display graph, the request and its signature);
 *   - time to interactive: the longest the main thread is blocked while a structural edit is laid
 *     out, with the layout on the main thread (as before) and in a worker thread (as the panel's
 *     Web Worker does; measured as the largest gap between 1 ms timer ticks), and the time until
 *     the new layout is back.
 * The DOM update itself (a few ms to ~40 ms at 500 nodes in the real editor) is not included:
 * see docs/panel.md for the numbers measured in code-server. Asserts nothing (timings vary).
 */
const esbuild = require('esbuild');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Worker } = require('node:worker_threads');

const root = path.resolve(__dirname, '..');
const bundle = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradlens-bench-')), 'panel.js');
esbuild.buildSync({
  stdin: { contents: "export * from './graphModel'; export * from './layout';", resolveDir: path.join(root, 'src/webview'), loader: 'ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'warning',
});
/** @type {typeof import('../src/webview/graphModel') & typeof import('../src/webview/layout')} */
const m = require(bundle);

/**
 * A program of n bindings: a param every 5th, each statement reading the previous binding and
 * one earlier one: `near` picks it among the last 10 (how exercises are written), otherwise
 * anywhere before (long edges: dagre routes them through a dummy node per layer).
 */
function program(n, near) {
  const nodes = [];
  const edges = [];
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let i = 0; i < n; i++) {
    const leaf = i % 5 === 0;
    nodes.push({ id: i, key: `v${i}#0`, name: `v${i}`, op: leaf ? 'param' : ['+', '*', 'ReLU', 'tanh'][i % 4], line: i, shape: [], value: (rand() * 2 - 1).toFixed(4), grad: leaf ? (rand() - 0.5).toFixed(4) : undefined, kind: leaf ? 'param' : 'op' });
    if (!leaf) {
      edges.push({ from: i - 1, to: i });
      const j = near ? Math.max(0, i - 2 - Math.floor(rand() * 10)) : Math.floor(rand() * i);
      if (j !== i - 1) edges.push({ from: j, to: i });
    }
  }
  return { nodes, edges };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const timeIt = (f, runs) => {
  f(); // warm-up (JIT)
  const ts = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    f();
    ts.push(performance.now() - t);
  }
  return { median: median(ts), min: Math.min(...ts), max: Math.max(...ts) };
};
const fmt = (t) => `${t.median.toFixed(1)} ms (${t.min.toFixed(0)}–${t.max.toFixed(0)})`;

/** The main thread's longest block while `work` runs (1 ms ticks), and the time until it is done. */
async function blocked(work) {
  let last = performance.now();
  let worst = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 5));
  last = performance.now();
  worst = 0;
  const start = performance.now();
  await work();
  const doneMs = performance.now() - start;
  await new Promise((r) => setTimeout(r, 3));
  clearInterval(tick);
  void t0;
  return { worst, doneMs };
}

async function main() {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads'); const m = require(${JSON.stringify(bundle)});
     parentPort.on('message', (job) => { const t = performance.now(); const layout = m.layoutItems(job.request); parentPort.postMessage({ seq: job.seq, layout, ms: performance.now() - t }); });`,
    { eval: true },
  );
  let seq = 0;
  const inWorker = (request) =>
    new Promise((resolve) => {
      const s = ++seq;
      const on = (a) => {
        if (a.seq !== s) return;
        worker.off('message', on);
        resolve(a);
      };
      worker.on('message', on);
      worker.postMessage({ seq: s, request });
    });

  for (const near of [true, false]) {
    console.log(near ? 'inputs among the last 10 bindings:' : 'inputs anywhere before:');
    for (const n of [50, 200, 500]) {
      const { nodes, edges } = program(n, near);
      const runs = n >= 500 ? 3 : 7;
      const prepare = (focus) => {
        const all = m.visibleGraph(nodes, edges, new Set());
        const vis = focus ? m.focusGraph(all, undefined) : all;
        const d = m.displayGraph(vis, new Set());
        const request = m.displayRequest(d, 'LR');
        return { request, signature: m.requestSignature(request), shown: vis.nodes.length };
      };
      const prep = timeIt(() => prepare(true), runs);
      const full = prepare(false);
      const focused = prepare(true);
      const tFull = timeIt(() => m.layoutItems(full.request), runs);
      const tFocus = focused.shown < n ? timeIt(() => m.layoutItems(focused.request), runs) : undefined;
      await inWorker(focused.request); // warm-up
      const onMain = await blocked(async () => {
        m.layoutItems(prepare(false).request);
      });
      const off = await blocked(async () => {
        const { request } = prepare(true);
        await inWorker(request);
      });
      const offAll = await blocked(async () => {
        await inWorker(prepare(false).request);
      });
      console.log(
        `  ${n} nodes, ${edges.length} edges: layout ${fmt(tFull)}` +
          (tFocus ? `; focused (${focused.shown} shown) ${fmt(tFocus)}` : '') +
          `; main-thread prep ${fmt(prep)}\n` +
          `    structural edit, main thread blocked for: before (every node, dagre on the main thread) ${onMain.worst.toFixed(0)} ms;` +
          ` now (${focused.shown < n ? 'focused' : 'every node'}, worker) ${off.worst.toFixed(0)} ms, new layout back after ${off.doneMs.toFixed(0)} ms` +
          (focused.shown < n ? `; "Show all" (worker) ${offAll.worst.toFixed(0)} ms, back after ${offAll.doneMs.toFixed(0)} ms` : ''),
      );
    }
  }
  await worker.terminate();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
