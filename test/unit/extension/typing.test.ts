/**
 * The keystroke → squiggle path (issue #17.8): no debounce for a quick document when the worker
 * is idle; the diagnostics go out from the values stage, and the finished analysis publishes again
 * only when its later stages changed them.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Analysis } from '../../../src/core/analysis';
import type { Diagnostic } from '../../../src/core/diagnostics';
import { nodeWorkerFactory } from '../../../src/extension/nodeWorker';
import { diagnosticsKey, typingDelay } from '../../../src/extension/typing';
import { WorkerClient } from '../../../src/extension/workerClient';
import { WorkerCore } from '../../../src/extension/workerCore';
import type { WorkerResponse } from '../../../src/extension/workerProtocol';

describe('typingDelay', () => {
  it('starts a quick document at once when the worker is idle', () => {
    expect(typingDelay(3, 50, true)).toBe(0);
    expect(typingDelay(50, 50, true)).toBe(0);
  });

  it('keeps the adaptive debounce when the worker is busy: twice the last time, at least 8 ms, at most the setting', () => {
    expect(typingDelay(3, 50, false)).toBe(8);
    expect(typingDelay(14, 50, false)).toBe(28);
    expect(typingDelay(40, 50, false)).toBe(50);
  });

  it('waits the full debounce for a slow document, or one not analysed yet', () => {
    expect(typingDelay(51, 50, true)).toBe(50);
    expect(typingDelay(900, 50, true)).toBe(50);
    expect(typingDelay(undefined, 50, true)).toBe(50);
    // `gradlens.analysis.debounce: 0` turns every wait off.
    expect(typingDelay(900, 0, false)).toBe(0);
  });
});

describe('diagnosticsKey', () => {
  const d: Diagnostic = { code: 'name.undefined', severity: 'error', message: 'Expected a defined name, found `w00`.', span: { start: 10, end: 13 } };

  it('is equal for equal markers, whatever the fixes (they are read by the quick fixes, not published)', () => {
    expect(diagnosticsKey([d])).toBe(diagnosticsKey([{ ...d, fixes: [{ title: 'Change to `w0`', span: d.span, text: 'w0' }] }]));
  });

  it('differs when a marker differs: message, range, severity, related information, or the budget note', () => {
    const k = diagnosticsKey([d]);
    expect(diagnosticsKey([{ ...d, message: 'other' }])).not.toBe(k);
    expect(diagnosticsKey([{ ...d, span: { start: 10, end: 14 } }])).not.toBe(k);
    expect(diagnosticsKey([{ ...d, severity: 'warning' }])).not.toBe(k);
    expect(diagnosticsKey([{ ...d, related: [{ message: 'bound here', span: { start: 0, end: 2 } }] }])).not.toBe(k);
    expect(diagnosticsKey([d], 'line 9')).not.toBe(k);
    expect(diagnosticsKey([d, d])).not.toBe(k);
  });
});

describe('the values stage carries the final diagnostics', () => {
  it('T1 with a typo: the worker posts the values stage, then a result whose markers are the same (published once)', () => {
    const text = `${readFileSync(join(__dirname, '../../../examples/hw4-t1-residual.nn'), 'utf8')}\nq0 = x1 * w00\n`;
    const posted: WorkerResponse[] = [];
    new WorkerCore({ post: (m) => posted.push(m), readerFor: () => undefined }).handle({ type: 'analyze', id: 1, text, languageId: 'nn', budget: 5e7, checkTolerance: 1e-6 });
    expect(posted.map((m) => m.type)).toEqual(['stage', 'stage', 'stage', 'result']);
    const values = posted[0] as { analysis: Analysis };
    const result = posted[3] as { analysis: Analysis };
    expect(values.analysis.stage).toBe('values');
    // `w00` is not bound (params w0, w1, b0, b1): one error, on it.
    const typo = values.analysis.diagnostics.filter((x) => x.severity === 'error');
    expect(typo.map((x) => [x.code, text.slice(x.span.start, x.span.end)])).toEqual([['name.undefined', 'w00']]);
    expect(diagnosticsKey(result.analysis.diagnostics, result.analysis.stats.skipped)).toBe(diagnosticsKey(values.analysis.diagnostics, values.analysis.stats.skipped));
  });
});

/** A stand-in worker: posts the values stage, then the result after `r.text` ms. */
const WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (r) => {
  parentPort.postMessage({ type: 'stage', id: r.id, analysis: { stage: 'values', text: r.text } });
  const t0 = Date.now();
  while (Date.now() - t0 < Number(r.text)) {}
  parentPort.postMessage({ type: 'result', id: r.id, analysis: { text: r.text }, ms: Date.now() - t0 });
});
`;
const dir = mkdtempSync(join(tmpdir(), 'gradlens-typing-'));
const workerPath = join(dir, 'stand-in.cjs');
writeFileSync(workerPath, WORKER);
const request = (text: string) => ({ text, languageId: 'nn' as const, budget: 1, checkTolerance: 1e-6 });

let client: WorkerClient | undefined;
afterEach(() => client?.dispose());

describe('WorkerClient: the values stage and idleness', () => {
  it('hands the values stage to onValues before the outcome; idle before and after, not while running', async () => {
    client = new WorkerClient(nodeWorkerFactory(workerPath), () => {});
    expect(client.idle).toBe(true);
    const events: string[] = [];
    const job = client.run(request('200'), 20_000, undefined, (a) => events.push(`values ${(a as unknown as { text: string }).text}`));
    expect(client.idle).toBe(false);
    const o = await job.outcome;
    events.push(o.kind);
    expect(events).toEqual(['values 200', 'done']);
    expect(client.idle).toBe(true);
  });

  it('a job cancelled before its values stage arrives never hands it over', async () => {
    client = new WorkerClient(nodeWorkerFactory(workerPath), () => {}, 5000);
    await client.run(request('0'), 20_000).outcome;
    const blocker = client.run(request('300'), 20_000);
    const seen: string[] = [];
    const queued = client.run(request('1'), 20_000, undefined, () => seen.push('values'));
    queued.cancel();
    expect((await queued.outcome).kind).toBe('cancelled');
    await blocker.outcome;
    expect(seen).toEqual([]);
  });
});
