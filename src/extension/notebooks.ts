import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import type { Diagnostic } from '../core/diagnostics';
import { analysisForCell } from '../core/notebookAnalysis';
import { notebookProgram, type CellRange, type NotebookProgram } from '../core/syntax/notebook';
import type { Config } from './config';
import type { WorkerClient } from './workerClient';

/** The URI scheme of a notebook cell's TextDocument. */
export const CELL_SCHEME = 'vscode-notebook-cell';

export function isNotebookCell(document: vscode.TextDocument): boolean {
  return document.uri.scheme === CELL_SCHEME;
}

/** The notebook a cell document belongs to (undefined if it is not open as a notebook). */
export function notebookOf(document: vscode.TextDocument): vscode.NotebookDocument | undefined {
  const key = document.uri.toString();
  return vscode.workspace.notebookDocuments.find((nb) => nb.uri.fsPath === document.uri.fsPath && nb.getCells().some((c) => c.document.uri.toString() === key));
}

/** A notebook's analysis: the program of its Python code cells and that program's Analysis. */
export interface NotebookResult {
  readonly notebook: vscode.NotebookDocument;
  readonly program: NotebookProgram;
  /** The cell documents in program order (one per `program.cells` entry) with the versions analysed. */
  readonly cells: readonly { readonly document: vscode.TextDocument; readonly version: number; readonly range: CellRange }[];
  readonly analysis: Analysis;
  readonly ms: number;
}

interface Entry {
  readonly fingerprint: string;
  readonly promise: Promise<NotebookResult | undefined>;
  readonly resolve: (r: NotebookResult | undefined) => void;
  result?: NotebookResult;
  timer?: NodeJS.Timeout;
  cancel?: () => void;
  readonly slices: Map<string, Analysis>;
}

/** The Python code cells of a notebook, in order (VS Code's cell indices). */
function codeCells(nb: vscode.NotebookDocument): vscode.NotebookCell[] {
  return nb.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'python');
}

/** What identifies the text analysed: every Python cell's URI and version, in order. */
function fingerprint(nb: vscode.NotebookDocument): string {
  return codeCells(nb)
    .map((c) => `${c.document.uri.toString()}@${c.document.version}`)
    .join('|');
}

/**
 * Notebooks analysed as one program. VS Code gives each cell its own TextDocument; the cells'
 * texts are joined in document order (syntax/notebook.ts), analysed once per set of cell
 * versions, and each cell reads its part of the result in its own coordinates (analysisForCell).
 */
export class NotebookAnalyses implements vscode.Disposable {
  private readonly entries = new Map<string, Entry>();
  private readonly emitter = new vscode.EventEmitter<NotebookResult>();
  /** A notebook's analysis finished: every cell's lenses, hints and diagnostics may have changed. */
  readonly onDidAnalyze = this.emitter.event;

  constructor(
    private readonly client: WorkerClient,
    private readonly config: Config,
    private readonly log: (line: string) => void,
  ) {}

  /** Schedules an analysis of the notebook's current cells (no-op if one exists). */
  schedule(nb: vscode.NotebookDocument, delayMs: number): Promise<NotebookResult | undefined> {
    const key = nb.uri.toString();
    const fp = fingerprint(nb);
    const existing = this.entries.get(key);
    if (existing && existing.fingerprint === fp) return existing.promise;
    if (existing) this.cancel(existing);
    let resolve!: (r: NotebookResult | undefined) => void;
    const promise = new Promise<NotebookResult | undefined>((r) => (resolve = r));
    const entry: Entry = { fingerprint: fp, promise, resolve, slices: new Map() };
    this.entries.set(key, entry);
    const start = () => this.start(nb, entry);
    if (delayMs > 0) entry.timer = setTimeout(start, delayMs);
    else start();
    return promise;
  }

  /** The analysis of this cell's current version in its own coordinates, waiting if needed. */
  async getCell(document: vscode.TextDocument): Promise<Analysis | undefined> {
    const nb = notebookOf(document);
    if (!nb) return undefined;
    const version = document.version;
    const r = await this.schedule(nb, 0);
    if (!r || document.version !== version) return undefined;
    return this.slice(r, document);
  }

  /** The finished analysis of this cell's current version, or undefined. */
  peekCell(document: vscode.TextDocument): Analysis | undefined {
    const nb = notebookOf(document);
    const r = nb ? this.peek(nb) : undefined;
    return r ? this.slice(r, document) : undefined;
  }

  /** The finished analysis of the notebook's current cells (program coordinates), or undefined. */
  peek(nb: vscode.NotebookDocument): NotebookResult | undefined {
    const e = this.entries.get(nb.uri.toString());
    return e && e.fingerprint === fingerprint(nb) ? e.result : undefined;
  }

  /** The cell's part of a result; cached per cell. */
  slice(r: NotebookResult, document: vscode.TextDocument): Analysis | undefined {
    const key = document.uri.toString();
    const cell = r.cells.find((c) => c.document.uri.toString() === key);
    if (!cell || cell.version !== document.version) return undefined;
    const e = this.entries.get(r.notebook.uri.toString());
    const cached = e?.result === r ? e.slices.get(key) : undefined;
    if (cached) return cached;
    const a = analysisForCell(r.analysis, r.program.text, cell.range);
    if (e?.result === r) e.slices.set(key, a);
    return a;
  }

  forget(nb: vscode.NotebookDocument): void {
    const key = nb.uri.toString();
    const e = this.entries.get(key);
    if (e) this.cancel(e);
    this.entries.delete(key);
  }

  /** Drops every result (a setting changed) and re-analyses the open notebooks. */
  invalidate(): void {
    for (const e of this.entries.values()) this.cancel(e);
    this.entries.clear();
    if (this.config.pythonEnabled) for (const nb of vscode.workspace.notebookDocuments) if (codeCells(nb).length) void this.schedule(nb, 0);
  }

  dispose(): void {
    for (const e of this.entries.values()) this.cancel(e);
    this.entries.clear();
    this.emitter.dispose();
  }

  private cancel(e: Entry): void {
    clearTimeout(e.timer);
    e.cancel?.();
    e.resolve(e.result);
  }

  private start(nb: vscode.NotebookDocument, entry: Entry): void {
    entry.timer = undefined;
    const key = nb.uri.toString();
    if (this.entries.get(key) !== entry || nb.isClosed) return entry.resolve(undefined);
    const cells = codeCells(nb);
    const program = notebookProgram(cells.map((c) => ({ kind: 'code', source: c.document.getText() })));
    const snapshot = cells.map((c, i) => ({ document: c.document, version: c.document.version, range: { ...program.cells[i], cell: c.index } }));
    const finish = (analysis: Analysis, ms: number) => {
      const result: NotebookResult = { notebook: nb, program: { ...program, cells: snapshot.map((s) => s.range) }, cells: snapshot, analysis, ms };
      entry.result = result;
      entry.resolve(result);
      this.emitter.fire(result);
    };
    const job = this.client.run(
      { text: program.text, languageId: 'python', cellEnds: program.cells.map((c) => c.end), budget: this.config.workBudget, checkTolerance: this.config.checkTolerance, ...(nb.uri.scheme === 'file' ? { folder: dirname(nb.uri.fsPath) } : {}) },
      this.config.timeout,
    );
    entry.cancel = () => job.cancel();
    void job.outcome.then((o) => {
      if (this.entries.get(key) !== entry) return entry.resolve(undefined);
      switch (o.kind) {
        case 'done':
          return finish(o.analysis, o.ms);
        case 'timeout':
          return finish(only(problem('gradlens.timeout', 'warning', `The analysis was stopped after ${Math.round(o.ms)} ms. Lower "gradlens.analysis.workBudget" or raise "gradlens.analysis.timeout".`)), o.ms);
        case 'failed':
          this.log(`analysis of ${nb.uri.toString(true)} failed: ${o.message}`);
          return finish(only(problem('gradlens.internal', 'error', `GradLens could not analyse this notebook (an internal error; see the GradLens output): ${o.message.split('\n')[0]}`)), 0);
        default:
          return entry.resolve(undefined);
      }
    });
  }
}

function dirname(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i > 0 ? p.slice(0, i) : p;
}

function problem(code: string, severity: Diagnostic['severity'], message: string): Diagnostic {
  return { code, severity, message, span: { start: 0, end: 0 } };
}

function only(d: Diagnostic): Analysis {
  return { version: 1, diagnostics: [d], values: [], gradients: [], checks: [], expectations: [], networks: [], symbols: [], graph: { nodes: [], edges: [] }, stats: { nodes: 0, work: 0 } };
}
