/**
 * What the analysis worker does with its requests, for both builds: the node build's worker
 * thread (worker.ts) and the browser build's Web Worker (web/webWorker.ts) are thin shells around
 * this. It owns the core: mathjs, the evaluator and the worked-solution writer are loaded in the
 * worker, never on the extension host's thread. No Node API here.
 */
import type { Analysis } from '../core/analysis';
import { workedSolution } from '../core/explain/solution';
import { analyze, analyzeFull } from '../core/index';
import { FileRefusal } from './fileAccess';
import { ProgressBatcher } from './progressModel';
import { fullItem, previewAnalysis } from './valuePreview';
import { handoutFor, variantFor } from '../core/assign/index';
import { csvRows, readRoster } from '../core/assign/roster';
import { ROSTER_FILE, type Roster } from './roster';
import type { AnalyzeRequest, AssignRequest, AssignResult, FileContents, SolutionRequest, WorkerRequest, WorkerResponse } from './workerProtocol';

/** Why a training stopped when the user ran "GradLens: Stop Training" (the `train` CodeLens and diagnostic quote it). */
export const STOPPED_BY_USER = 'by the user (GradLens: Stop Training)';

export interface WorkerSide {
  post(response: WorkerResponse): void;
  /** `load_csv`'s reader for this request (undefined: the document reads no files). */
  readerFor(request: AnalyzeRequest | SolutionRequest | AssignRequest): ((relativePath: string) => string | undefined) | undefined;
}

/**
 * `load_csv`'s reader over the files the host read for the request (the browser build: see
 * web/files.ts). A refused path throws the refusal, which the core reports on the call as it is.
 */
export function readerOfContents(contents: FileContents | undefined): ((relativePath: string) => string | undefined) | undefined {
  if (!contents) return undefined;
  return (relativePath) => {
    if (!Object.prototype.hasOwnProperty.call(contents, relativePath)) return undefined;
    const c = contents[relativePath];
    if ('refusal' in c) throw new FileRefusal(c.refusal);
    return c.text;
  };
}

/** The full analyses behind the previews the host has, the latest per document (at most KEEP documents). */
const KEEP = 8;

export class WorkerCore {
  private readonly kept = new Map<string, { readonly id: number; readonly analysis: Analysis }>();

  constructor(private readonly side: WorkerSide) {}

  handle(request: WorkerRequest): void {
    const { side } = this;
    const started = performance.now();
    let response: WorkerResponse;
    if (request.type === 'data') {
      // The full data of an item of a kept analysis; nothing when that analysis was replaced (or the worker restarted).
      const k = this.kept.get(request.key);
      const item = k && k.id === request.analysis ? fullItem(k.analysis, request.ref) : undefined;
      side.post({ type: 'data', id: request.id, ...(item ? { item } : {}) });
      return;
    }
    if (request.type === 'assign') {
      try {
        side.post({ type: 'assigned', id: request.id, result: assign(request, side.readerFor(request)), ms: performance.now() - started });
      } catch (e) {
        side.post({ type: 'failure', id: request.id, message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      }
      return;
    }
    try {
      const options = {
        languageId: request.languageId,
        ...(request.type === 'analyze' && request.cellEnds ? { cellEnds: request.cellEnds } : {}),
        budget: request.budget,
        checkTolerance: request.checkTolerance,
        readFile: side.readerFor(request),
      };
      if (request.type === 'solution') {
        const full = analyzeFull(request.text, { ...options, digits: request.digits });
        const markdown = workedSolution(full, { format: 'md', title: request.title, digits: request.digits });
        response = { type: 'solution', id: request.id, markdown, ms: performance.now() - started };
      } else {
        // Training epochs go out as they finish (batched when they come faster than every 20 ms),
        // so the panel and the status bar can follow the training before the result.
        const id = request.id;
        const batcher = new ProgressBatcher((body) => side.post({ type: 'progress', id, ...body }));
        const stop = request.stop ? new Int32Array(request.stop) : undefined;
        const after = request.stopAfterSteps;
        let steps = 0;
        // Polled before every training step: the shared flag, or the replay's step count.
        const stopped = (): boolean => (stop !== undefined && Atomics.load(stop, 0) !== 0) || (after !== undefined && ++steps > after);
        const analysis = analyze(request.text, {
          ...options,
          // The editor's training: limited by time and Stop Training, not by the work budget.
          trainingBudget: request.trainingBudget,
          trainingTimeLimit: request.trainingTimeLimit,
          shouldStop: stop || after !== undefined ? () => (stopped() ? STOPPED_BY_USER : undefined) : undefined,
          // The line being evaluated, for the host to name if it must end this worker (slot 1: line + 1).
          onStatement: stop && stop.length > 1 ? (line) => Atomics.store(stop, 1, line + 1) : undefined,
          onProgress: (_epoch, _loss, p) => batcher.add({ line: p.line, epoch: p.epoch, epochs: p.epochs, loss: p.loss, metric: p.metric, steps: p.steps }),
          // Values and diagnostics go out first, then each later stage (derivations, hovers) as it
          // completes: a worker ended by the host's time limit loses only what came after.
          onStage: (_stage, partial) => side.post({ type: 'stage', id, analysis: previewAnalysis(partial) }),
          // The later stages stop by themselves before the host's limit (analysis.time-limit on the statement).
          // Counted from the end of evaluation, so a training that ran for a while (limited by its
          // own time) does not leave the derivations, hovers and graph no time at all.
          ...(request.deadlineMs !== undefined ? { laterStagesMs: request.deadlineMs } : {}),
        });
        if (request.key !== undefined) this.keep(request.key, id, analysis);
        response = { type: 'result', id: request.id, analysis: previewAnalysis(analysis), ms: performance.now() - started };
      }
    } catch (e) {
      // The core promises not to throw on user input; if it does, the editor shows it as a diagnostic.
      const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
      response = { type: 'failure', id: request.id, message };
    }
    side.post(response);
  }

  private keep(key: string, id: number, analysis: Analysis): void {
    this.kept.delete(key);
    this.kept.set(key, { id, analysis });
    if (this.kept.size > KEEP) this.kept.delete(this.kept.keys().next().value!);
  }
}


/** A student's handout and variant, or (no student named) the roster next to the source. */
function assign(request: AssignRequest, read: ((relativePath: string) => string | undefined) | undefined): AssignResult {
  if (request.student === undefined) {
    let text: string | undefined;
    try {
      text = read?.(ROSTER_FILE);
    } catch (e) {
      // Refused by the policy (Restricted Mode, outside the folder, not a file): no roster, and why.
      return { roster: { problem: e instanceof Error ? e.message : String(e) } };
    }
    return { roster: text === undefined ? undefined : rosterOf(text) };
  }
  const h = handoutFor(request.text, request.kind, request.student);
  const v = variantFor(request.text, request.kind, request.student);
  return { handout: h.handout, variant: v.text, key: v.key, diagnostics: h.diagnostics };
}

/** The students of roster.csv (the CLI's rules: src/core/assign/roster.ts), with a `name` column's names. */
function rosterOf(text: string): Roster {
  const r = readRoster(text);
  if ('error' in r) return { problem: `${ROSTER_FILE} ${r.error}` };
  const rows = csvRows(text);
  const names = new Map<string, string>();
  if (Array.isArray(rows) && rows.length) {
    const header = rows[0].map((h) => h.trim().toLowerCase());
    const idCol = header.findIndex((h) => ['id', 'student_id', 'sis_id', 'student id', 'sis id'].includes(h));
    const nameCol = header.findIndex((h) => h === 'name' || h === 'student_name');
    if (idCol >= 0 && nameCol >= 0) for (const row of rows.slice(1)) if (row[nameCol]?.trim()) names.set(row[idCol]?.trim(), row[nameCol].trim());
  }
  return { students: r.ids.map((id) => (names.has(id) ? { id, name: names.get(id)! } : { id })) };
}
