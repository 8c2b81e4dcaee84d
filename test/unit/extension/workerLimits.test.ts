/**
 * Issue #15, host side of "results survive" and Restricted Mode, against a stand-in worker:
 * a time limit after the values stage keeps that stage; a worker that reaches its memory limit
 * (resourceLimits) is reported as `out-of-memory` and the next job runs on a fresh worker; a
 * `data` request (full data of a preview) goes before queued analyses.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient } from '../../../src/extension/workerClient';
import { WORKER_LIMITS, nodeWorkerFactory } from '../../../src/extension/nodeWorker';

/** `text` says what the stand-in does: 'stage-then-hang', 'stage-then-oom', 'oom', 'quick', 'slow' (300 ms). */
const WORKER = `
const { parentPort, threadId } = require('node:worker_threads');
const hog = [];
parentPort.on('message', (r) => {
  if (r.type === 'data') {
    parentPort.postMessage({ type: 'data', id: r.id, item: { kind: 'value', value: { name: 'full', key: r.key, analysis: r.analysis, threadId } } });
    return;
  }
  if (r.text.startsWith('stage')) parentPort.postMessage({ type: 'stage', id: r.id, analysis: { stage: 'values', threadId } });
  if (r.text.endsWith('oom')) for (;;) hog.push(new Array(1e5).fill({ x: Math.random() }));
  const t0 = Date.now();
  if (r.text === 'stage-then-hang') while (Date.now() - t0 < 5000) {}
  if (r.text === 'line-then-hang') {
    // As the worker's onStatement does: line 2 (0-based) + 1 in slot 1 of the shared flag.
    Atomics.store(new Int32Array(r.stop), 1, 3);
    while (Date.now() - t0 < 5000) {}
  }
  if (r.text === 'slow') while (Date.now() - t0 < 300) {}
  parentPort.postMessage({ type: 'result', id: r.id, analysis: { threadId, text: r.text }, ms: Date.now() - t0 });
});
`;
const dir = mkdtempSync(join(tmpdir(), 'gradlens-limits-'));
const workerPath = join(dir, 'stand-in.cjs');
writeFileSync(workerPath, WORKER);
const request = (text: string) => ({ text, languageId: 'nn' as const, budget: 1, checkTolerance: 1e-6 });
const field = (o: object, k: string): unknown => (o as Record<string, Record<string, unknown>>).analysis?.[k];

/** A worker that takes 800 ms to load (as the core does on a loaded machine), then says `ready`, then answers in 100 ms. */
const SLOW_START = `
const { parentPort } = require('node:worker_threads');
const t0 = Date.now();
while (Date.now() - t0 < 800) {}
parentPort.on('message', (r) => {
  const t1 = Date.now();
  while (Date.now() - t1 < 100) {}
  parentPort.postMessage({ type: 'result', id: r.id, analysis: { ok: true }, ms: Date.now() - t1 });
});
parentPort.postMessage({ type: 'ready' });
`;
const slowStartPath = join(dir, 'slow-start.cjs');
writeFileSync(slowStartPath, SLOW_START);

let client: WorkerClient | undefined;
afterEach(() => client?.dispose());

describe('WorkerClient: limits', () => {
  it('the editor worker runs with memory limits (Node resourceLimits) under 1 GB of JS heap', () => {
    expect(WORKER_LIMITS.maxOldGenerationSizeMb).toBe(768);
    expect((WORKER_LIMITS.maxOldGenerationSizeMb ?? 0) + (WORKER_LIMITS.maxYoungGenerationSizeMb ?? 0)).toBeLessThanOrEqual(1024);
  });

  it('a time limit after the values stage keeps that stage (outcome timeout with partial)', async () => {
    client = new WorkerClient(nodeWorkerFactory(workerPath), () => {});
    // A started worker first: under load, starting one can take longer than the time limit below.
    await client.run(request('quick'), 20_000).outcome;
    const o = await client.run(request('stage-then-hang'), 1500).outcome;
    expect(o.kind).toBe('timeout');
    expect(o.kind === 'timeout' && o.partial).toMatchObject({ stage: 'values' });
    const q = await client.run(request('quick'), 5000).outcome;
    expect(q.kind).toBe('done');
  });

  it('a time limit before any stage names the line the worker was evaluating (shared memory)', async () => {
    client = new WorkerClient(nodeWorkerFactory(workerPath), () => {});
    await client.run(request('quick'), 20_000).outcome;
    const o = await client.run(request('line-then-hang'), 1500).outcome;
    expect(o).toMatchObject({ kind: 'timeout', line: 2 });
    expect('partial' in o).toBe(false);
  });

  it('a worker that reaches its memory limit is reported, with the stage it delivered, and replaced', async () => {
    const logs: string[] = [];
    client = new WorkerClient(nodeWorkerFactory(workerPath, { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 }), (l) => logs.push(l), 300, 3000);
    const warm = await client.run(request('quick'), 20_000).outcome;
    const o = await client.run(request('stage-then-oom'), 20_000).outcome;
    expect(o.kind).toBe('out-of-memory');
    if (o.kind !== 'out-of-memory') return;
    expect(o.limitMb).toBe(32);
    expect(o.partial).toMatchObject({ stage: 'values' });
    const plain = await client.run(request('oom'), 20_000).outcome;
    expect(plain).toMatchObject({ kind: 'out-of-memory' });
    expect(plain.kind === 'out-of-memory' && 'partial' in plain).toBe(false);
    const next = await client.run(request('quick'), 20_000).outcome;
    expect(next.kind).toBe('done');
    expect(field(next, 'threadId')).not.toBe(field(warm, 'threadId'));
    expect(logs.some((l) => l.includes('ERR_WORKER_OUT_OF_MEMORY') || l.includes('memory'))).toBe(true);
  }, 60_000);

  it('a data request goes before queued analyses and answers with the full item', async () => {
    client = new WorkerClient(nodeWorkerFactory(workerPath), () => {});
    const order: string[] = [];
    const running = client.run(request('slow'), 5000);
    const queued = client.run(request('quick'), 5000);
    const data = client.fetch('file:///a.nn', running.id, { kind: 'value', index: 0 });
    void queued.outcome.then(() => order.push('queued'));
    const d = await data.outcome;
    order.push('data');
    await queued.outcome;
    expect(order).toEqual(['data', 'queued']);
    expect(d).toMatchObject({ kind: 'data', item: { kind: 'value', value: { name: 'full', key: 'file:///a.nn', analysis: running.id } } });
  });

  it("a fresh worker's start-up does not count against the time limit: it starts at `ready`", async () => {
    client = new WorkerClient(nodeWorkerFactory(slowStartPath), () => {});
    const o = await client.run(request('x'), 500).outcome;
    expect(o).toMatchObject({ kind: 'done', analysis: { ok: true } });
  });
});
