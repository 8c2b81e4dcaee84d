#!/usr/bin/env node
// @ts-check
/**
 * `npm run bench:panel`: the panel's layout time (src/webview/layout.ts: @dagrejs/dagre) on
 * synthetic graphs shaped like GradLens programs (chains of bindings with forks back to earlier
 * ones), at 50, 200 and 500 nodes. Prints numbers; asserts nothing (timings vary by machine).
 */
const esbuild = require('esbuild');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = esbuild.buildSync({
  entryPoints: [path.join(root, 'src/webview/layout.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  write: false,
  logLevel: 'warning',
});
const mod = { exports: {} };
new Function('module', 'exports', 'require', out.outputFiles[0].text)(mod, mod.exports, require);
const { layoutGraph } = /** @type {typeof import('../src/webview/layout')} */ (mod.exports);

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

for (const near of [true, false]) {
  for (const n of [50, 200, 500]) {
    const { nodes, edges } = program(n, near);
    layoutGraph(nodes, edges, 'LR'); // warm-up (JIT)
    const runs = n >= 500 ? 3 : 10;
    const times = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      layoutGraph(nodes, edges, 'LR');
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`layout ${n} nodes, ${edges.length} edges (${near ? 'inputs among the last 10 bindings' : 'inputs anywhere before'}): median ${times[Math.floor(times.length / 2)].toFixed(1)} ms (min ${times[0].toFixed(1)}, max ${times[times.length - 1].toFixed(1)}; ${runs} runs)`);
  }
}
