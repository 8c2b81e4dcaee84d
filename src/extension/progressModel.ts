/**
 * Live training progress (issue #8), pure: no vscode import, unit-tested in
 * test/unit/extension/progressModel.test.ts.
 *
 * The worker batches the core's per-epoch callbacks into `progress` messages (ProgressBatcher),
 * the analysis service collects them per document (LiveTrainings) and hands them to the panel and
 * the status bar at most ten times a second (Throttle).
 */
import { formatNumber } from '../core/format';

/** One finished epoch of a `train` statement. */
export interface EpochPoint {
  readonly epoch: number;
  readonly loss: number;
  readonly metric?: number;
}

/** What the core reports after an epoch (AnalyzeOptions.onProgress's third argument). */
export interface EpochReport extends EpochPoint {
  /** 0-based line of the `train` keyword in the analysed text. */
  readonly line: number;
  /** Epochs requested (Infinity when only `steps` bounds the training). */
  readonly epochs: number;
  /** Optimiser steps so far. */
  readonly steps: number;
}

/** The worker's message body: the latest epoch, and every epoch since the previous message. */
export interface ProgressBody {
  readonly trainingLine: number;
  readonly epoch: number;
  /** Epochs requested; null when only `steps` bounds the training (Infinity does not survive JSON). */
  readonly epochs: number | null;
  readonly loss: number;
  readonly metric?: number;
  readonly steps: number;
  /** The epochs since the previous message of this training, oldest first, ending with `epoch`. */
  readonly points: readonly EpochPoint[];
}

export interface Clock {
  now(): number;
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (f, ms) => setTimeout(f, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Worker side. Epochs can be microseconds apart (a scalar fit over 10,000 epochs): posting each
 * would flood the extension host. An epoch is posted at once when `minGapMs` has passed since the
 * last post, when it is the training's first or last epoch, or when the training changed; the
 * others wait in the batch and ride along with the next post. Timers cannot help here (the worker
 * is busy in a synchronous analysis), so the check runs on each epoch.
 */
export class ProgressBatcher {
  private pending: EpochPoint[] = [];
  private line = -1;
  private lastPost = -Infinity;

  constructor(
    private readonly post: (body: ProgressBody) => void,
    private readonly minGapMs = 20,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(r: EpochReport): void {
    if (r.line !== this.line) {
      this.pending = [];
      this.line = r.line;
      this.lastPost = -Infinity;
    }
    this.pending.push(r.metric === undefined ? { epoch: r.epoch, loss: r.loss } : { epoch: r.epoch, loss: r.loss, metric: r.metric });
    const t = this.now();
    if (t - this.lastPost < this.minGapMs && r.epoch !== r.epochs) return;
    this.lastPost = t;
    const points = this.pending;
    this.pending = [];
    this.post({
      trainingLine: r.line,
      epoch: r.epoch,
      epochs: Number.isFinite(r.epochs) ? r.epochs : null,
      loss: r.loss,
      ...(r.metric !== undefined ? { metric: r.metric } : {}),
      steps: r.steps,
      points,
    });
  }
}

/** The curves of one `train` statement so far. */
export interface LiveTraining {
  readonly line: number;
  readonly epoch: number;
  readonly epochs: number | null;
  readonly steps: number;
  /** Loss (and metric) per epoch, index = epoch − 1; a hole (NaN) where a batch was lost. */
  readonly losses: readonly number[];
  readonly metrics: readonly number[];
}

/** The progress of one analysis job: every `train` statement that has reported an epoch. */
export class LiveTrainings {
  private readonly byLine = new Map<number, { line: number; epoch: number; epochs: number | null; steps: number; losses: number[]; metrics: number[] }>();
  private latest: number | undefined;
  /** Messages received. */
  updates = 0;

  add(b: ProgressBody): void {
    this.updates++;
    let t = this.byLine.get(b.trainingLine);
    if (!t) {
      t = { line: b.trainingLine, epoch: 0, epochs: b.epochs, steps: 0, losses: [], metrics: [] };
      this.byLine.set(b.trainingLine, t);
    }
    const points = b.points.length ? b.points : [{ epoch: b.epoch, loss: b.loss, ...(b.metric !== undefined ? { metric: b.metric } : {}) }];
    for (const p of points) {
      while (t.losses.length < p.epoch - 1) t.losses.push(NaN);
      t.losses[p.epoch - 1] = p.loss;
      if (p.metric !== undefined) {
        while (t.metrics.length < p.epoch - 1) t.metrics.push(NaN);
        t.metrics[p.epoch - 1] = p.metric;
      }
    }
    t.epoch = Math.max(t.epoch, b.epoch);
    t.epochs = b.epochs;
    t.steps = Math.max(t.steps, b.steps);
    this.latest = b.trainingLine;
  }

  get isEmpty(): boolean {
    return this.byLine.size === 0;
  }

  /** The training that reported last (the one running now). */
  current(): LiveTraining | undefined {
    return this.latest === undefined ? undefined : this.copy(this.byLine.get(this.latest)!);
  }

  /** Every training so far, in source order (copies: later epochs do not change them). */
  snapshot(): LiveTraining[] {
    return [...this.byLine.values()].sort((a, b) => a.line - b.line).map((t) => this.copy(t));
  }

  private copy(t: LiveTraining): LiveTraining {
    return { line: t.line, epoch: t.epoch, epochs: t.epochs, steps: t.steps, losses: [...t.losses], metrics: [...t.metrics] };
  }
}

/**
 * Calls `run` at most once per `intervalMs`: a request after a quiet interval runs at once, the
 * requests within the interval after it are folded into one run at its end (so the last state is
 * always shown). `cancel` drops a pending run.
 */
export class Throttle {
  private last = -Infinity;
  private handle: unknown;
  private scheduled = false;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => void,
    private readonly clock: Clock = systemClock,
  ) {}

  request(): void {
    if (this.scheduled) return;
    const wait = this.last + this.intervalMs - this.clock.now();
    if (wait <= 0) {
      this.fire();
      return;
    }
    this.scheduled = true;
    this.handle = this.clock.setTimeout(() => {
      this.scheduled = false;
      this.fire();
    }, wait);
  }

  cancel(): void {
    if (this.scheduled) this.clock.clearTimeout(this.handle);
    this.scheduled = false;
  }

  private fire(): void {
    this.last = this.clock.now();
    this.run();
  }
}

/** The targets of a `train` line as written (`train mlp on X, y` → `mlp`; `train w, b loss …` → `w, b`). */
export function trainTargets(lineText: string): string {
  const m = /^\s*train\b\s*(.*)$/.exec(lineText);
  if (!m) return '';
  const clause = /\s(?:on|loss|optimizer|epochs|steps|batch|shuffle|seed|metric)\b/.exec(` ${m[1]}`);
  const head = clause ? ` ${m[1]}`.slice(0, clause.index) : ` ${m[1]}`;
  return head.replace(/#.*$/, '').trim().replace(/\s*,\s*/g, ', ');
}

/** `epoch 3/5`, or `epoch 3` when only `steps` bounds the training. */
export function epochText(t: { epoch: number; epochs: number | null }): string {
  return t.epochs === null ? `epoch ${t.epoch}` : `epoch ${t.epoch}/${t.epochs}`;
}

/** The status bar while training runs: `training mlp: epoch 3/5 · loss 0.42`. */
export function progressStatusText(t: LiveTraining, targets: string, digits: number): string {
  const loss = t.losses[t.epoch - 1];
  return `training ${targets || 'parameters'}: ${epochText(t)}${loss !== undefined && !Number.isNaN(loss) ? ` · loss ${formatNumber(loss, digits)}` : ''}`;
}

/** The info diagnostic's text when "GradLens: Stop Training" ended a job. */
export function stoppedMessage(t: LiveTraining | undefined, targets: string, digits: number): string {
  if (!t) return 'Training stopped by the user (GradLens: Stop Training) before its first epoch finished; nothing after that point was analysed. Edit the document to run it again.';
  const loss = t.losses[t.epoch - 1];
  const done = t.epochs === null ? `${t.epoch} epoch${t.epoch === 1 ? '' : 's'}` : `${t.epoch} of ${t.epochs} epochs`;
  return `Training stopped by the user (GradLens: Stop Training) after ${done} of \`train ${targets || '…'}\`${loss !== undefined && !Number.isNaN(loss) ? ` (loss ${formatNumber(loss, digits)})` : ''}; the lines after it were not analysed. Edit the document to run it again.`;
}
