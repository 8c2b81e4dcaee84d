/**
 * WorkerClient.stop ("GradLens: Stop Training") against a stand-in worker: a running analysis is
 * asked to stop through the shared flag and finishes normally on the same worker; one that does
 * not react within the grace period is terminated (outcome `stopped`) and the next job gets a
 * fresh worker; a queued job ends at once; a superseded job's flag is set too.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerClient } from '../../../src/extension/workerClient';
import { nodeWorkerFactory } from '../../../src/extension/nodeWorker';

/** `text` says how the stand-in behaves: 'honour' polls the stop flag, 'ignore' does not (busy up to 5 s), 'quick' answers at once. */
const WORKER = `
const { parentPort, threadId } = require('node:worker_threads');
parentPort.on('message', (r) => {
  const flag = r.stop ? new Int32Array(r.stop) : undefined;
  const t0 = Date.now();
  if (r.text !== 'quick') {
    for (;;) {
      if (r.text === 'honour' && flag && Atomics.load(flag, 0) !== 0) break;
      if (Date.now() - t0 > 5000) break;
    }
  }
  parentPort.postMessage({ type: 'result', id: r.id, analysis: { threadId, text: r.text, flag: flag ? Atomics.load(flag, 0) : -1 }, ms: Date.now() - t0 });
});
`;

const dir = mkdtempSync(join(tmpdir(), 'gradlens-worker-'));
const workerPath = join(dir, 'stand-in.cjs');
writeFileSync(workerPath, WORKER);

const request = (text: string) => ({ text, languageId: 'nn' as const, budget: 1, checkTolerance: 1e-6 });
type Seen = { threadId: number; text: string; flag: number };
const seen = (o: { kind: string }): Seen => (o as unknown as { analysis: Seen }).analysis;

let client: WorkerClient | undefined;
afterEach(() => client?.dispose());

describe('WorkerClient: stopping a running analysis', () => {
  it('asks the analysis to stop; it finishes normally, on the same worker', async () => {
    client = new WorkerClient(nodeWorkerFactory(workerPath), () => {}, 300, 2000);
    const warm = await client.run(request('quick'), 10_000).outcome;
    const job = client.run(request('honour'), 10_000);
    expect(job.isRunning()).toBe(true);
    expect(job.stop()).toBe(true);
    expect(job.stop()).toBe(false); // already stopping
    const o = await job.outcome;
    expect(o.kind).toBe('done');
    expect(seen(o).flag).toBe(1);
    expect(seen(o).threadId).toBe(seen(warm).threadId);
    expect(job.isRunning()).toBe(false);
    expect(job.stop()).toBe(false);
  });

  it('terminates an analysis that does not stop within the grace period; the next job runs on a new worker', async () => {
    const logs: string[] = [];
    client = new WorkerClient(nodeWorkerFactory(workerPath), (l) => logs.push(l), 300, 150);
    const warm = await client.run(request('quick'), 10_000).outcome;
    const job = client.run(request('ignore'), 10_000);
    const next = client.run(request('quick'), 10_000);
    expect(next.isRunning()).toBe(false); // queued behind it
    expect(job.stop()).toBe(true);
    const o = await job.outcome;
    expect(o.kind).toBe('stopped');
    expect(logs.some((l) => /did not stop within 150 ms/.test(l))).toBe(true);
    const n = await next.outcome;
    expect(n.kind).toBe('done');
    expect(seen(n).threadId).not.toBe(seen(warm).threadId);
  });

  it('ends a queued job at once, and sets the flag of a superseded running one', async () => {
    client = new WorkerClient(nodeWorkerFactory(workerPath), () => {}, 5000, 2000);
    const warm = await client.run(request('quick'), 10_000).outcome;
    const running = client.run(request('honour'), 10_000);
    const queued = client.run(request('quick'), 10_000);
    expect(queued.stop()).toBe(true);
    expect((await queued.outcome).kind).toBe('stopped');
    // Superseded: the caller drops the result, but the flag lets the analysis end without a terminate.
    const after = client.run(request('quick'), 10_000);
    running.cancel();
    expect((await running.outcome).kind).toBe('cancelled');
    const a = await after.outcome;
    expect(a.kind).toBe('done');
    // It ended by itself (the flag), long before the 5 s after which it would have been terminated.
    expect(seen(a).threadId).toBe(seen(warm).threadId);
  });
});
