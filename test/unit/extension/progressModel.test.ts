import { describe, expect, it } from 'vitest';
import { liveTrainingsModel } from '../../../src/extension/panelModel';
import {
  LiveTrainings,
  ProgressBatcher,
  Throttle,
  progressStatusText,
  stoppedMessage,
  trainTargets,
  type Clock,
  type ProgressBody,
} from '../../../src/extension/progressModel';

/** A clock whose time moves only when the test says so. */
function fakeClock(): Clock & { advance(ms: number): void; pending(): number } {
  let now = 0;
  let timers: { at: number; f: () => void; id: number }[] = [];
  let next = 1;
  return {
    now: () => now,
    setTimeout: (f, ms) => {
      const id = next++;
      timers.push({ at: now + ms, f, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.f();
      }
      now = end;
    },
    pending: () => timers.length,
  };
}

describe('Throttle (at most one run per interval, the last request always honoured)', () => {
  it('runs the first request at once and folds the requests within the interval into one run at its end', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const t = new Throttle(100, () => runs.push(clock.now()), clock);
    t.request();
    expect(runs).toEqual([0]);
    clock.advance(10);
    t.request();
    clock.advance(30);
    t.request();
    t.request();
    expect(runs).toEqual([0]);
    clock.advance(60);
    expect(runs).toEqual([0, 100]);
    // A request after a quiet interval runs at once again.
    clock.advance(250);
    t.request();
    expect(runs).toEqual([0, 100, 350]);
  });

  it('never runs more than ten times a second under a flood of requests', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const t = new Throttle(100, () => runs.push(clock.now()), clock);
    for (let ms = 0; ms < 1000; ms++) {
      t.request();
      clock.advance(1);
    }
    clock.advance(100);
    expect(runs.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < runs.length; i++) expect(runs[i] - runs[i - 1]).toBeGreaterThanOrEqual(100);
    expect(runs[runs.length - 1]).toBeGreaterThanOrEqual(999 - 100);
  });

  it('cancel drops the pending run', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const t = new Throttle(100, () => runs.push(clock.now()), clock);
    t.request();
    t.request();
    expect(clock.pending()).toBe(1);
    t.cancel();
    clock.advance(500);
    expect(runs).toEqual([0]);
  });
});

describe('ProgressBatcher (worker side)', () => {
  const report = (epoch: number, extra: Partial<{ line: number; epochs: number; metric: number }> = {}) => ({
    line: extra.line ?? 4,
    epoch,
    epochs: extra.epochs ?? 5,
    loss: 1 / epoch,
    ...(extra.metric !== undefined ? { metric: extra.metric } : {}),
    steps: epoch * 10,
  });

  it('posts each epoch when they are far apart', () => {
    let now = 0;
    const posts: ProgressBody[] = [];
    const b = new ProgressBatcher((m) => posts.push(m), 20, () => now);
    for (let e = 1; e <= 3; e++) {
      b.add(report(e, { metric: 0.5 + e / 10 }));
      now += 50;
    }
    expect(posts.map((p) => p.epoch)).toEqual([1, 2, 3]);
    expect(posts[1]).toEqual({ trainingLine: 4, epoch: 2, epochs: 5, loss: 0.5, metric: 0.7, steps: 20, points: [{ epoch: 2, loss: 0.5, metric: 0.7 }] });
  });

  it('batches fast epochs and always posts the first and the last', () => {
    let now = 0;
    const posts: ProgressBody[] = [];
    const b = new ProgressBatcher((m) => posts.push(m), 20, () => now);
    for (let e = 1; e <= 100; e++) {
      b.add(report(e, { epochs: 100 }));
      now += 1;
    }
    expect(posts[0].epoch).toBe(1);
    expect(posts[posts.length - 1].epoch).toBe(100);
    expect(posts.length).toBeLessThanOrEqual(7);
    // Every epoch arrives exactly once, in order.
    expect(posts.flatMap((p) => p.points.map((q) => q.epoch))).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('starts afresh for the next train statement; Infinity epochs become null', () => {
    let now = 0;
    const posts: ProgressBody[] = [];
    const b = new ProgressBatcher((m) => posts.push(m), 20, () => now);
    b.add(report(1));
    b.add(report(2));
    b.add(report(1, { line: 9, epochs: Infinity }));
    expect(posts.map((p) => [p.trainingLine, p.epoch, p.epochs])).toEqual([
      [4, 1, 5],
      [9, 1, null],
    ]);
  });
});

describe('LiveTrainings (extension side)', () => {
  const body = (line: number, epoch: number, points: number[], epochs: number | null = 5): ProgressBody => ({
    trainingLine: line,
    epoch,
    epochs,
    loss: 1 / epoch,
    steps: epoch * 3,
    points: points.map((e) => ({ epoch: e, loss: 1 / e, metric: e / 10 })),
  });

  it('collects the curves per train line, in source order; the last to report is current', () => {
    const live = new LiveTrainings();
    expect(live.isEmpty).toBe(true);
    live.add(body(10, 1, [1]));
    live.add(body(10, 3, [2, 3]));
    live.add(body(20, 1, [1], null));
    expect(live.updates).toBe(3);
    const snap = live.snapshot();
    expect(snap.map((t) => [t.line, t.epoch, t.epochs, t.steps])).toEqual([
      [10, 3, 5, 9],
      [20, 1, null, 3],
    ]);
    expect(snap[0].losses).toEqual([1, 0.5, 1 / 3]);
    expect(snap[0].metrics).toEqual([0.1, 0.2, 0.3]);
    expect(live.current()?.line).toBe(20);
  });

  it('leaves a hole for an epoch that never arrived, and snapshots do not change afterwards', () => {
    const live = new LiveTrainings();
    live.add(body(0, 1, [1]));
    const before = live.snapshot();
    live.add(body(0, 3, [3]));
    expect(before[0].losses).toEqual([1]);
    expect(live.snapshot()[0].losses).toEqual([1, NaN, 1 / 3]);
  });

  it('becomes the panel model: non-finite entries null, only the current one running', () => {
    const live = new LiveTrainings();
    live.add(body(2, 2, [2]));
    live.add(body(7, 1, [1]));
    const m = liveTrainingsModel(live.snapshot(), live.current()?.line, (line) => (line === 2 ? 'mlp' : 'w, b'));
    expect(m).toEqual([
      { line: 2, targets: 'mlp', epoch: 2, epochs: 5, steps: 6, losses: [null, 0.5], metrics: [null, 0.2], running: false },
      { line: 7, targets: 'w, b', epoch: 1, epochs: 5, steps: 3, losses: [1], metrics: [0.1], running: true },
    ]);
  });
});

describe('texts', () => {
  it('reads the targets of a train line as written', () => {
    expect(trainTargets('train mlp on X, y')).toBe('mlp');
    expect(trainTargets('  train w,b loss (w - 2)^2 optimizer SGD(lr=0.1) epochs 10')).toBe('w, b');
    expect(trainTargets('train mlp   # the network')).toBe('mlp');
    expect(trainTargets('x = 1')).toBe('');
  });

  it('status bar: `training mlp: epoch 3/5 · loss 0.42`', () => {
    const t = { line: 4, epoch: 3, epochs: 5, steps: 42, losses: [0.9, 0.6, 0.4213], metrics: [] };
    expect(progressStatusText(t, 'mlp', 2)).toBe('training mlp: epoch 3/5 · loss 0.42');
    expect(progressStatusText({ ...t, epochs: null }, 'w, b', 4)).toBe('training w, b: epoch 3 · loss 0.4213');
  });

  it('the stop diagnostic says who stopped what, and where it got', () => {
    const t = { line: 4, epoch: 3, epochs: 5, steps: 42, losses: [0.9, 0.6, 0.4213], metrics: [] };
    expect(stoppedMessage(t, 'mlp', 2)).toBe(
      'Training stopped by the user (GradLens: Stop Training) after 3 of 5 epochs of `train mlp` (loss 0.42); the lines after it were not analysed. Edit the document to run it again.',
    );
    expect(stoppedMessage(undefined, '', 4)).toMatch(/^Training stopped by the user \(GradLens: Stop Training\) before its first epoch/);
  });
});
