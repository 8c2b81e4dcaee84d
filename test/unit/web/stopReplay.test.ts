/**
 * Issue #16: Stop Training where the host has no SharedArrayBuffer (a browser page that is not
 * cross-origin isolated). The client ends the busy worker and analyses again with
 * `stopAfterSteps` = the steps the worker had reported; the worker core stops the training there,
 * so the lines after it run with the parameters trained so far — the same numbers as a document
 * that asks for that many steps (deterministic training, checked here).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyze } from '../../../src/core/index';
import { WorkerClient } from '../../../src/extension/workerClient';
import { WorkerCore } from '../../../src/extension/workerCore';
import type { WorkerEvents } from '../../../src/extension/workerPort';
import type { AnalyzeRequest, WorkerRequest, WorkerResponse } from '../../../src/extension/workerProtocol';

const doc = (steps: number) => `
X = randn(40, 3, seed=1)
t = randn(40, 1, seed=2)
network net
  input [N, 3]
  A = Linear(3, 1)
train net on X, t
  loss mse(net(X), t)
  optimizer SGD(lr=0.1)
  steps ${steps}
  batch 10
after = net(X)
`;

afterEach(() => vi.unstubAllGlobals());

describe('Stop Training without shared memory', () => {
  it('the worker core stops the trainings after stopAfterSteps steps, as a document asking for that many', () => {
    const out: WorkerResponse[] = [];
    const core = new WorkerCore({ post: (m) => out.push(m), readerFor: () => undefined });
    const request: AnalyzeRequest = { type: 'analyze', id: 1, text: doc(50), languageId: 'nn', budget: 1e9, checkTolerance: 1e-6, stopAfterSteps: 7 };
    core.handle(request);
    const result = out.find((m) => m.type === 'result');
    expect(result?.type).toBe('result');
    if (result?.type !== 'result') return;
    const training = result.analysis.trainings![0];
    expect(training.steps).toBe(7);
    expect(training.stopped).toMatch(/^by the user \(GradLens: Stop Training\) after 1 epoch \(7 steps\)/);
    expect(result.analysis.diagnostics.map((d) => d.code)).toContain('train.stopped');
    // The line after the training ran with the parameters of step 7.
    const reference = analyze(doc(7), { budget: 1e9 });
    const after = (a: typeof reference) => a.values.find((v) => v.name === 'after')!.data;
    expect(after(result.analysis)).toEqual(after(reference));
  });

  it('the client ends the busy worker and replays the request with the steps it had reported', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const seen: WorkerRequest[] = [];
    let terminated = 0;
    const factory = (events: WorkerEvents) => ({
      post: (r: WorkerRequest) => {
        seen.push(r);
        if (r.type !== 'analyze') return;
        if (r.stopAfterSteps === undefined) {
          // A long training: two trainings report steps, then the worker stays busy.
          const progress = (line: number, steps: number) => ({ type: 'progress' as const, id: r.id, trainingLine: line, epoch: 1, epochs: 5, loss: 1, steps, points: [] });
          setTimeout(() => {
            events.message(progress(6, 4));
            events.message(progress(6, 8));
            events.message(progress(12, 3));
          }, 5);
        } else {
          setTimeout(() => events.message({ type: 'result', id: r.id, analysis: { replayedAfter: r.stopAfterSteps } as never, ms: 1 }), 5);
        }
      },
      terminate: () => {
        terminated++;
      },
    });
    const client = new WorkerClient(factory, () => {}, 300, 2000);
    const job = client.run({ text: 'train …', languageId: 'nn', budget: 1, checkTolerance: 1e-6 }, 10_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(job.isRunning()).toBe(true);
    expect(job.stop()).toBe(true);
    const o = await job.outcome;
    expect(o.kind).toBe('done');
    expect(o.kind === 'done' && (o.analysis as unknown as { replayedAfter: number }).replayedAfter).toBe(8 + 3);
    expect(terminated).toBe(1);
    expect(seen.filter((r) => r.type === 'analyze').map((r) => (r as AnalyzeRequest).stopAfterSteps)).toEqual([undefined, 11]);
    client.dispose();
  });
});
