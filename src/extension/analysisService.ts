import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import type { Diagnostic } from '../core/diagnostics';
import { NotebookAnalyses, isNotebookCell, notebookOf } from './notebooks';
import type { Span } from '../core/span';
import { withCutOff } from './cutOff';
import { Config } from './config';
import type { FileFields, Platform } from './platform';
import { LiveTrainings, Throttle, stoppedMessage, trainTargets, type LiveTraining } from './progressModel';
import type { Job, WorkerClient } from './workerClient';
import { ROSTER_FILE } from './roster';
import type { AssignResult } from './workerProtocol';
import type { DataRef, FullItem } from './valuePreview';
import { typingDelay } from './typing';

/**
 * Documents GradLens analyses: `.nn` files, Markdown (its ```nn blocks), Python files and the
 * Python cells of Jupyter notebooks (read together as one program, notebooks.ts).
 */
export const documentSelector: vscode.DocumentSelector = [
  { language: 'nn' },
  { language: 'markdown' },
  { language: 'python' },
  { notebookType: 'jupyter-notebook', language: 'python' },
];

export function isAnalyzable(document: vscode.TextDocument): boolean {
  // `gradlens:` documents are our own derivations and summaries, not user input.
  if (document.uri.scheme === 'gradlens') return false;
  if (document.languageId === 'python') return new Config().pythonEnabled;
  return document.languageId === 'nn' || document.languageId === 'markdown';
}

/** The analysis language of a document: `.nn`, Markdown fences, or Python. */
function languageOf(document: vscode.TextDocument): 'nn' | 'markdown' | 'python' {
  return document.languageId === 'markdown' ? 'markdown' : document.languageId === 'python' ? 'python' : 'nn';
}

/** A Markdown file without an `nn` fence needs no worker (and no mathjs). */
const NN_FENCE = /^[ \t>]*(?:[-*+]|\d+[.)])?[ \t]*(?:`{3,}|~{3,})[ \t]*nn(?:[\s{]|$)/im;
/** A ```python block (the core reads a Markdown file's Python blocks when it has no ```nn one). */
const PYTHON_FENCE = /^[ \t>]*(?:[-*+]|\d+[.)])?[ \t]*(?:`{3,}|~{3,})[ \t]*(?:python3?|py|ipython3?|pytorch|numpy)(?:[\s{]|$)/im;

export interface AnalysisEvent {
  readonly document: vscode.TextDocument;
  readonly analysis: Analysis;
  /** Milliseconds the worker spent in analyze(); 0 when no worker was needed. */
  readonly ms: number;
}

/** Training progress of a document's running analysis (at most ten a second), or its end. */
export interface ProgressEvent {
  readonly document: vscode.TextDocument;
  readonly version: number;
  /** False once the job has ended (result, stop, timeout or superseded): show the normal state again. */
  readonly running: boolean;
  /** Every `train` statement that has reported an epoch, in source order. */
  readonly trainings: readonly LiveTraining[];
  /** The one reporting now (the last to report). */
  readonly current?: LiveTraining;
  /** Its targets as written on its line (`mlp`). */
  readonly targets: string;
}

interface Entry {
  readonly version: number;
  readonly promise: Promise<Analysis | undefined>;
  readonly resolve: (a: Analysis | undefined) => void;
  analysis?: Analysis;
  /** The worker request whose full data backs `analysis` (its arrays are previews). */
  analysisId?: number;
  timer?: ReturnType<typeof setTimeout>;
  job?: Job;
  live?: LiveTrainings;
  throttle?: Throttle;
}

/** At most this many progress updates a second reach the panel and the status bar. */
const PROGRESS_PER_SECOND = 10;

/**
 * One analysis per document version. Typing schedules an analysis after a debounce; a newer
 * version cancels the older one's pending or running work. CodeLens, hovers, diagnostics, inlay
 * hints and the status bar only read from here (`get`, `peek`).
 */
export class AnalysisService implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  /** The last analysis time of each document (the adaptive debounce). */
  private readonly lastMs = new Map<string, number>();
  /** Documents whose version is to be trained fully ("Train fully"): uri → version. */
  private readonly fully = new Map<string, number>();
  private readonly emitter = new vscode.EventEmitter<AnalysisEvent>();
  readonly onDidAnalyze = this.emitter.event;
  private readonly valuesEmitter = new vscode.EventEmitter<AnalysisEvent>();
  /**
   * The values stage of the current version (values and diagnostics, before derivations, hovers
   * and the graph): the diagnostics are published from it, ahead of `onDidAnalyze`.
   */
  readonly onDidEvaluate = this.valuesEmitter.event;
  private readonly progressEmitter = new vscode.EventEmitter<ProgressEvent>();
  /** Live training progress (throttled), then `running: false` when the job ends. */
  readonly onDidProgress = this.progressEmitter.event;

  /** Notebooks, analysed as one program each; their cells read their part through get/peek. */
  readonly notebooks: NotebookAnalyses;

  constructor(
    private readonly client: WorkerClient,
    private readonly config: Config,
    private readonly log: (line: string) => void,
    private readonly platform: Pick<Platform, 'fileFields'>,
  ) {
    this.notebooks = new NotebookAnalyses(client, config, log);
    // Each cell of an analysed notebook gets its part, as if it had been analysed on its own.
    this.notebooks.onDidAnalyze((r) => {
      for (const c of r.cells) {
        const analysis = this.notebooks.slice(r, c.document);
        if (analysis) this.emitter.fire({ document: c.document, analysis, ms: r.ms });
      }
    });
  }

  /** Schedules an analysis of the document's current version (no-op if one exists). */
  schedule(document: vscode.TextDocument, delayMs: number): Promise<Analysis | undefined> {
    if (isNotebookCell(document)) {
      // A cell is never analysed on its own: only with the rest of its notebook.
      const nb = notebookOf(document);
      return nb ? this.notebooks.schedule(nb, delayMs).then((r) => (r ? this.notebooks.slice(r, document) : undefined)) : Promise.resolve(undefined);
    }
    const key = document.uri.toString();
    const existing = this.entries.get(key);
    if (existing && existing.version === document.version) return existing.promise;
    if (existing) this.cancel(existing);

    let resolve!: (a: Analysis | undefined) => void;
    const promise = new Promise<Analysis | undefined>((r) => (resolve = r));
    const entry: Entry = { version: document.version, promise, resolve };
    this.entries.set(key, entry);
    const start = () => this.start(document, entry);
    if (delayMs > 0) entry.timer = setTimeout(start, delayMs);
    else start();
    return promise;
  }

  /**
   * How long to wait after a keystroke (typing.ts): none for a quick document when the worker is
   * idle, else `gradlens.analysis.debounce` at most, less for a document whose last analysis was
   * quick (twice its time, at least 8 ms); a slow one still waits the full debounce.
   */
  delayFor(document: vscode.TextDocument, debounce: number): number {
    return typingDelay(this.lastMs.get(document.uri.toString()), debounce, this.client.idle);
  }

  /** The analysis of exactly this version, waiting for it if needed (undefined if superseded). */
  get(document: vscode.TextDocument): Promise<Analysis | undefined> {
    if (!isAnalyzable(document)) return Promise.resolve(undefined);
    if (isNotebookCell(document)) return this.notebooks.getCell(document);
    return this.schedule(document, 0);
  }

  /** The analysis of this version if it is already finished. */
  peek(document: vscode.TextDocument): Analysis | undefined {
    if (isNotebookCell(document)) return this.notebooks.peekCell(document);
    const e = this.entries.get(document.uri.toString());
    return e && e.version === document.version ? e.analysis : undefined;
  }

  /**
   * The full data of an item of this version's analysis (the host holds previews: the first
   * elements and statistics of a large tensor). Undefined when the worker no longer has it (a
   * newer analysis, or a restarted worker): the caller shows the preview.
   */
  async fullItem(document: vscode.TextDocument, ref: DataRef): Promise<FullItem | undefined> {
    const e = this.entries.get(document.uri.toString());
    if (!e || e.version !== document.version || e.analysisId === undefined) return undefined;
    const o = await this.client.fetch(document.uri.toString(), e.analysisId, ref).outcome;
    return o.kind === 'data' ? o.item : undefined;
  }

  /** A one-off analysis of text that is not a document version (not cached). */
  async analyzeText(text: string, languageId: 'nn' | 'markdown' | 'python', like?: vscode.TextDocument): Promise<Analysis | undefined> {
    // `like`: the document the text extends (its load_csv reads under the same rule).
    const files = like ? await this.platform.fileFields(like, text) : {};
    const o = await this.client.run({ text, languageId, budget: this.config.workBudget, checkTolerance: this.config.checkTolerance, ...files }, this.config.timeout).outcome;
    return o.kind === 'done' ? o.analysis : undefined;
  }

  /**
   * "Preview Assignment as Student…" (computed in the worker): without `student`, the roster next to
   * the document (read under the same policy as `load_csv`; `roster: undefined` when there is none);
   * with it, that student's handout and variant.
   */
  async assignment(document: vscode.TextDocument, student?: string): Promise<AssignResult | { problem: string }> {
    const kind = document.languageId === 'markdown' ? 'markdown' : 'nn';
    // The roster is read as a `load_csv("roster.csv")` would be (the browser build reads the
    // paths a text names, so it is given that text).
    const files = student === undefined ? await this.platform.fileFields(document, `load_csv("${ROSTER_FILE}")`) : {};
    const o = await this.client.assign({ text: document.getText(), kind, ...(student !== undefined ? { student } : {}), ...files }, this.config.timeout).outcome;
    switch (o.kind) {
      case 'assigned':
        return o.result;
      case 'timeout':
        return { problem: `it took longer than ${Math.round(o.ms)} ms` };
      case 'failed':
        this.log(`assignment preview of ${document.uri.toString(true)} failed: ${o.message}`);
        return { problem: o.message.split('\n')[0] };
      default:
        return { problem: 'it was cancelled' };
    }
  }

  /** The worked solution of a document's text, as Markdown (computed in the worker). */
  async solution(document: vscode.TextDocument, title: string, digits: number): Promise<{ markdown: string } | { problem: string }> {
    const languageId = languageOf(document);
    const text = document.getText();
    const files = await this.platform.fileFields(document, text);
    const o = await this.client.solve(
      { text, languageId, budget: this.config.workBudget, checkTolerance: this.config.checkTolerance, title, digits, ...files },
      this.config.timeout,
    ).outcome;
    switch (o.kind) {
      case 'solved':
        return { markdown: o.markdown };
      case 'timeout':
        return { problem: `the worked solution took longer than ${Math.round(o.ms)} ms` };
      case 'failed':
        this.log(`worked solution of ${document.uri.toString(true)} failed: ${o.message}`);
        return { problem: o.message.split('\n')[0] };
      default:
        return { problem: 'it was cancelled' };
    }
  }

  /**
   * "GradLens: Stop Training": stops the analysis the worker is running now (the given document's
   * if it has one running, else whichever document's). Its training ends where it is and the
   * rest of the document is analysed with the parameters trained so far (`train.stopped` says
   * so); an analysis that does not end within the grace period is terminated, and the document
   * then shows the epochs it had reported (`gradlens.stopped`). Undefined when nothing was running.
   */
  stopTraining(document?: vscode.TextDocument): { uri: vscode.Uri; training?: LiveTraining } | undefined {
    const preferred = document ? this.entries.get(document.uri.toString()) : undefined;
    const running = preferred?.job?.isRunning() ? preferred : [...this.entries.values()].find((e) => e.job?.isRunning());
    if (!running?.job) return undefined;
    const uri = [...this.entries.entries()].find(([, e]) => e === running)![0];
    const training = running.live?.current();
    return running.job.stop() ? { uri: vscode.Uri.parse(uri), ...(training ? { training } : {}) } : undefined;
  }

  /**
   * "Train fully" (the CodeLens of a `train` stopped by the time limit): analyses this version
   * again with no time limit on training, which then runs to its end or until Stop Training or an
   * edit. Resolves with that analysis.
   */
  trainFully(document: vscode.TextDocument): Promise<Analysis | undefined> {
    const key = document.uri.toString();
    const e = this.entries.get(key);
    if (e) this.cancel(e);
    this.entries.delete(key);
    this.fully.set(key, document.version);
    return this.schedule(document, 0);
  }

  /** Forgets a closed document. */
  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const e = this.entries.get(key);
    if (e) this.cancel(e);
    this.entries.delete(key);
    this.lastMs.delete(key);
    this.fully.delete(key);
  }

  /** Drops every cached result (a setting that changes the analysis changed) and re-analyses. */
  invalidate(documents: readonly vscode.TextDocument[]): void {
    for (const e of this.entries.values()) this.cancel(e);
    this.entries.clear();
    this.notebooks.invalidate();
    for (const d of documents) if (isAnalyzable(d) && !isNotebookCell(d)) void this.schedule(d, 0);
  }

  dispose(): void {
    this.notebooks.dispose();
    for (const e of this.entries.values()) this.cancel(e);
    this.entries.clear();
    this.emitter.dispose();
    this.valuesEmitter.dispose();
    this.progressEmitter.dispose();
  }

  private cancel(e: Entry): void {
    clearTimeout(e.timer);
    e.throttle?.cancel();
    e.job?.cancel();
    e.resolve(e.analysis);
  }

  private isCurrent(document: vscode.TextDocument, e: Entry): boolean {
    return this.entries.get(document.uri.toString()) === e && document.version === e.version;
  }

  private start(document: vscode.TextDocument, entry: Entry): void {
    entry.timer = undefined;
    if (!this.isCurrent(document, entry) || document.isClosed) return entry.resolve(undefined);
    const text = document.getText();
    const languageId = languageOf(document);
    // A Markdown file with neither ```nn nor ```python blocks has nothing to analyse.
    if (languageId === 'markdown' && !NN_FENCE.test(text) && !PYTHON_FENCE.test(text)) return this.finish(document, entry, emptyAnalysis([]), 0);
    const files = this.platform.fileFields(document, text);
    if (files instanceof Promise) {
      // The browser build reads `load_csv`'s files through workspace.fs first.
      void files.then(
        (f) => (this.isCurrent(document, entry) && !document.isClosed ? this.run(document, entry, text, languageId, f) : entry.resolve(undefined)),
        (e) => {
          this.log(`reading the files of ${document.uri.toString(true)} failed: ${e instanceof Error ? e.message : String(e)}`);
          if (this.isCurrent(document, entry)) this.run(document, entry, text, languageId, {});
          else entry.resolve(undefined);
        },
      );
    } else this.run(document, entry, text, languageId, files);
  }

  private run(document: vscode.TextDocument, entry: Entry, text: string, languageId: 'nn' | 'markdown' | 'python', files: FileFields): void {
    const live = new LiveTrainings();
    entry.live = live;
    entry.throttle = new Throttle(1000 / PROGRESS_PER_SECOND, () => {
      if (this.isCurrent(document, entry)) this.progressEmitter.fire(this.progressEvent(document, entry, true));
    });
    // Training is limited by time (and Stop Training), not by the work budget; "Train fully" lifts the time limit.
    const fully = this.fully.get(document.uri.toString()) === document.version;
    const job = this.client.run(
      {
        text,
        languageId,
        budget: this.config.workBudget,
        checkTolerance: this.config.checkTolerance,
        ...files,
        key: document.uri.toString(),
        deadlineMs: laterStagesDeadline(this.config.timeout),
        trainingBudget: Infinity,
        ...(fully ? {} : { trainingTimeLimit: this.config.trainingTimeLimit * 1000 }),
      },
      this.config.timeout,
      (m) => {
        live.add(m);
        entry.throttle?.request();
      },
      (values) => {
        if (this.isCurrent(document, entry)) this.valuesEmitter.fire({ document, analysis: values, ms: 0 });
      },
    );
    entry.job = job;
    void job.outcome.then((o) => {
      entry.throttle?.cancel();
      if (!live.isEmpty) this.progressEmitter.fire(this.progressEvent(document, entry, false));
      if (!this.isCurrent(document, entry)) return entry.resolve(undefined);
      switch (o.kind) {
        case 'done':
          entry.analysisId = job.id;
          return this.finish(document, entry, o.analysis, o.ms);
        case 'timeout':
        case 'out-of-memory':
          // What was delivered stays (the values stage, or the epochs a training reported); the
          // diagnostic says what was cut off, on the line it concerns.
          return this.finish(document, entry, this.cutOffAnalysis(document, o, live), o.ms);
        case 'stopped':
          return this.finish(document, entry, this.stoppedAnalysis(document, live.snapshot(), live.current()), o.ms);
        case 'failed':
          this.log(`analysis of ${document.uri.toString(true)} failed: ${o.message}`);
          return this.finish(document, entry, emptyAnalysis([failureDiagnostic(o.message)]), 0);
        case 'cancelled':
        case 'solved':
        case 'assigned':
        case 'data':
          return entry.resolve(undefined);
      }
    });
  }

  private progressEvent(document: vscode.TextDocument, entry: Entry, running: boolean): ProgressEvent {
    const current = entry.live?.current();
    return {
      document,
      version: entry.version,
      running,
      trainings: entry.live?.snapshot() ?? [],
      ...(current ? { current } : {}),
      targets: current ? this.targetsAt(document, current.line) : '',
    };
  }

  private targetsAt(document: vscode.TextDocument, line: number): string {
    return line < document.lineCount ? trainTargets(document.lineAt(line).text) : '';
  }

  /**
   * What a document stopped by the user shows: the epochs its trainings had reported (the panel
   * keeps the partial curves, the `train` CodeLens says it was stopped) and an information
   * diagnostic on the `train` line that was running.
   */
  private stoppedAnalysis(document: vscode.TextDocument, trainings: readonly LiveTraining[], current: LiveTraining | undefined, byUser = true): Analysis {
    const spanOf = (line: number) => {
      if (line >= document.lineCount) return { start: 0, end: 0 };
      const l = document.lineAt(line);
      return { start: document.offsetAt(l.range.start), end: document.offsetAt(l.range.end) };
    };
    const digits = this.config.precision;
    const message = stoppedMessage(current, current ? this.targetsAt(document, current.line) : '', digits);
    const diagnostic: Diagnostic = { code: 'gradlens.stopped', severity: 'info', message, span: current ? spanOf(current.line) : { start: 0, end: 0 } };
    return {
      ...emptyAnalysis(byUser ? [diagnostic] : []),
      trainings: trainings.map((t) => ({
        line: t.line,
        span: spanOf(t.line),
        targets: this.targetsAt(document, t.line).split(', ').filter(Boolean),
        optimizer: '',
        losses: [...t.losses],
        metrics: [...t.metrics],
        stepLosses: [],
        epochs: t.epoch,
        steps: t.steps,
        examples: 0,
        batch: 0,
        ms: 0,
        ...(t.line === current?.line || t.epochs === null || t.epoch < t.epochs ? { stopped: byUser ? 'by the user (GradLens: Stop Training)' : 'the analysis was ended (time or memory limit)' } : {}),
      })),
    };
  }

  /** The analysis shown when the worker was ended by the time limit or its memory limit (cutOff.ts). */
  private cutOffAnalysis(document: vscode.TextDocument, o: { kind: 'timeout' | 'out-of-memory'; ms: number; partial?: Analysis; limitMb?: number; line?: number }, live: LiveTrainings): Analysis {
    const current = live.current();
    const lineSpan = (line: number): Span | undefined => {
      if (line < 0 || line >= document.lineCount) return undefined;
      const l = document.lineAt(line);
      return { start: document.offsetAt(l.range.start), end: document.offsetAt(l.range.end) };
    };
    const base = o.partial ?? (live.isEmpty ? emptyAnalysis([]) : this.stoppedAnalysis(document, live.snapshot(), current, false));
    return withCutOff(base, {
      reason: o.kind === 'timeout' ? { kind: 'timeout', ms: o.ms } : { kind: 'out-of-memory', ms: o.ms, limitMb: o.limitMb ?? 0 },
      stage: o.partial ? 'explanation' : 'evaluation',
      ...(current && !o.partial ? { trainingLine: current.line, trainingTargets: this.targetsAt(document, current.line) } : {}),
      ...(o.line !== undefined && !o.partial ? { line: o.line } : {}),
      lineSpan,
    });
  }

  private finish(document: vscode.TextDocument, entry: Entry, analysis: Analysis, ms: number): void {
    if (ms > 0) this.lastMs.set(document.uri.toString(), ms);
    entry.analysis = analysis;
    entry.resolve(analysis);
    this.emitter.fire({ document, analysis, ms });
  }
}

export function emptyAnalysis(diagnostics: Diagnostic[]): Analysis {
  return {
    version: 1,
    diagnostics,
    values: [],
    gradients: [],
    checks: [],
    expectations: [],
    networks: [],
    symbols: [],
    graph: { nodes: [], edges: [] },
    stats: { nodes: 0, work: 0 },
  };
}

function failureDiagnostic(message: string): Diagnostic {
  const first = message.split('\n')[0];
  return {
    code: 'gradlens.internal',
    severity: 'error',
    message: `GradLens could not analyse this file (an internal error; see the GradLens output): ${first}`,
    span: { start: 0, end: 0 },
  };
}

/**
 * When the worker stops its later stages by itself (derivations, hovers, graph; ms from the start):
 * well before the host's time limit, so the worker usually ends with the stages it could write
 * and an `analysis.time-limit` note, instead of being terminated.
 */
export function laterStagesDeadline(timeoutMs: number): number {
  return Math.max(250, Math.round(timeoutMs * 0.8));
}
