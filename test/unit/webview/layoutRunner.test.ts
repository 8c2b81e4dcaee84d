import { describe, expect, it } from 'vitest';
import { layoutItems, requestSignature, type LayoutRequest } from '../../../src/webview/layout';
import { LayoutRunner, type LayoutAnswer, type LayoutJob, type LayoutResult, type WorkerLike } from '../../../src/webview/layoutRunner';

/** A worker that answers only when told to (runs layoutItems, as dist/layoutWorker.js does). */
class FakeWorker implements WorkerLike {
  onmessage: ((e: { data: LayoutAnswer }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  readonly jobs: LayoutJob[] = [];
  terminated = false;
  postMessage(job: LayoutJob): void {
    this.jobs.push(job);
  }
  terminate(): void {
    this.terminated = true;
  }
  /** Answers the oldest job. */
  finish(): void {
    const job = this.jobs.shift()!;
    this.onmessage!({ data: { seq: job.seq, layout: layoutItems(job.request), ms: 1 } });
  }
}

const req = (n: number): LayoutRequest => ({
  items: Array.from({ length: n }, (_, i) => ({ id: `b:v${i}#0`, width: 64, height: 44 })),
  links: Array.from({ length: n - 1 }, (_, i) => ({ from: `b:v${i}#0`, to: `b:v${i + 1}#0` })),
  direction: 'LR',
});

describe('LayoutRunner', () => {
  it('lays out in the worker; one job in flight, the newest replaces the queued one, stale results are dropped', () => {
    const w = new FakeWorker();
    const got: LayoutResult[] = [];
    const r = new LayoutRunner(() => w, (x) => got.push(x));
    expect(r.usesWorker).toBe(true);
    r.request(req(2), requestSignature(req(2)));
    r.request(req(3), requestSignature(req(3)));
    r.request(req(4), requestSignature(req(4)));
    expect(w.jobs).toHaveLength(1);
    expect(r.pending).toBe(true);
    // The 2-node layout is no longer wanted: dropped; the 4-node job (3 was replaced) goes out.
    w.finish();
    expect(got).toHaveLength(0);
    expect(r.dropped).toBe(1);
    expect(w.jobs).toHaveLength(1);
    expect(w.jobs[0].request.items).toHaveLength(4);
    expect(w.jobs[0].seq).toBe(3);
    w.finish();
    expect(got).toHaveLength(1);
    expect(got[0].where).toBe('worker');
    expect(got[0].layout.nodes.size).toBe(4);
    expect(r.pending).toBe(false);
  });

  it('an answer with an unknown sequence number is ignored', () => {
    const w = new FakeWorker();
    const got: LayoutResult[] = [];
    const r = new LayoutRunner(() => w, (x) => got.push(x));
    r.request(req(2), requestSignature(req(2)));
    w.onmessage!({ data: { seq: 99, layout: layoutItems(req(5)), ms: 1 } });
    expect(got).toHaveLength(0);
    w.finish();
    expect(got[0].layout.nodes.size).toBe(2);
  });

  it('asking again for the layout in flight does not queue a second one', () => {
    const w = new FakeWorker();
    const got: LayoutResult[] = [];
    const r = new LayoutRunner(() => w, (x) => got.push(x));
    r.request(req(3), requestSignature(req(3)));
    r.request(req(4), requestSignature(req(4)));
    r.request(req(3), requestSignature(req(3)));
    w.finish();
    expect(got).toHaveLength(1);
    expect(w.jobs).toHaveLength(0);
  });

  it('falls back to the main thread when no worker can be made, or when it fails', () => {
    const got: LayoutResult[] = [];
    const logs: string[] = [];
    const none = new LayoutRunner(
      () => {
        throw new Error('SecurityError');
      },
      (x) => got.push(x),
      (m) => logs.push(m),
    );
    none.request(req(3), requestSignature(req(3)));
    expect(got).toHaveLength(1);
    expect(got[0].where).toBe('main');
    expect(logs[0]).toMatch(/SecurityError/);

    const w = new FakeWorker();
    const r = new LayoutRunner(() => w, (x) => got.push(x), (m) => logs.push(m));
    r.request(req(5), requestSignature(req(5)));
    w.onerror!({ message: 'failed to load' });
    expect(w.terminated).toBe(true);
    expect(got[1]).toMatchObject({ where: 'main' });
    expect(got[1].layout.nodes.size).toBe(5);
    expect(r.usesWorker).toBe(false);
  });

  it('an asynchronous factory: requests wait for it, then go to the worker (or here if it fails)', async () => {
    const w = new FakeWorker();
    const got: LayoutResult[] = [];
    const r = new LayoutRunner(() => Promise.resolve(w), (x) => got.push(x));
    r.request(req(2), requestSignature(req(2)));
    expect(r.pending).toBe(true);
    await Promise.resolve();
    await Promise.resolve();
    expect(w.jobs).toHaveLength(1);
    w.finish();
    expect(got[0].where).toBe('worker');

    const got2: LayoutResult[] = [];
    const failing = new LayoutRunner(() => Promise.reject(new Error('no fetch')), (x) => got2.push(x));
    failing.request(req(2), requestSignature(req(2)));
    await new Promise((res) => setTimeout(res, 0));
    expect(got2).toHaveLength(1);
    expect(got2[0].where).toBe('main');
  });
});

it('settle: a layout already on hand makes the one in flight stale', () => {
  const w = new FakeWorker();
  const got: LayoutResult[] = [];
  const r = new LayoutRunner(() => w, (x) => got.push(x));
  r.request(req(3), requestSignature(req(3)));
  r.request(req(4), requestSignature(req(4)));
  r.settle(requestSignature(req(2)));
  w.finish();
  expect(got).toHaveLength(0);
  expect(w.jobs).toHaveLength(0);
  expect(r.pending).toBe(false);
});
