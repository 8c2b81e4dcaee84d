/**
 * GradLens's activation, shared by the node build (extension.ts) and the browser build
 * (web/extension.ts), which differ only in their `Platform`: how the analysis worker starts and
 * how `load_csv` files reach it. `activateWith` builds the services and passes them down; nothing
 * lives in module-level mutable state. The core (and mathjs) is never loaded here: analyses run in
 * the worker. Only `../core/format` and type imports come from core. No Node API here.
 */
import * as vscode from 'vscode';
import { AnalysisService, documentSelector, isAnalyzable } from './analysisService';
import { AnswersView } from './answersView';
import { reanalysisOrder } from './priority';
import { FixProvider } from './codeActions';
import { LensProvider } from './codeLens';
import { registerCommands } from './commands';
import { Config } from './config';
import { DETAIL_SCHEME, DetailDocuments } from './details';
import { DiagnosticsPublisher } from './diagnostics';
import { SymbolHoverProvider } from './hover';
import { ValueHintsProvider } from './inlayHints';
import type { PanelState } from '../shared/protocol';
import { Panel, type PanelStats } from './panel';
import { StatusBar } from './statusBar';
import { WorkerClient } from './workerClient';
import type { Platform } from './platform';

/** What `activate` returns (`vscode.extensions.getExtension('gradlens.gradlens').exports`), for tests. */
export interface GradLensApi {
  /** Which build is running: `node` (worker thread) or `web` (Web Worker, vscode.dev and the like). */
  readonly platform: 'node' | 'web';
  /** Milliseconds spent in activate() (VS Code's "activate call time"). */
  readonly activationMs: number;
  /** Milliseconds from the start of this module's evaluation to the end of activate(), including
   * the time VS Code spends creating the extension context in between. */
  readonly loadToActivatedMs: number;
  /** The status bar text now. */
  statusText(): string | undefined;
  /** The panel's last render (latency, layout time) and the state it shows. */
  panelStats(): PanelStats | undefined;
  panelState(): PanelState;
  /** Events for the extension-host tests, in the order they happened (see GradLensReport). */
  readonly onDidReport: vscode.Event<GradLensReport>;
}

/** What the tests observe of live training (issue #8) and of finished analyses. */
export type GradLensReport =
  /** A throttled progress update reached the status bar (`status`: its text then). */
  | { readonly kind: 'progress'; readonly uri: string; readonly version: number; readonly epoch: number; readonly status: string | undefined }
  /** A panel webview drew a progress update. */
  | { readonly kind: 'panelProgress'; readonly uri: string; readonly version: number; readonly epoch: number }
  /** The training job ended (result, stop, timeout or superseded). */
  | { readonly kind: 'progressEnd'; readonly uri: string; readonly version: number }
  /** Diagnostics of this version were sent to VS Code: from its values stage, or from the finished analysis (they changed). */
  | { readonly kind: 'published'; readonly uri: string; readonly version: number; readonly stage: 'values' | 'final' }
  /** An analysis of this version is available (`codes`: its diagnostics' codes). */
  | { readonly kind: 'analysed'; readonly uri: string; readonly version: number; readonly trainings: number; readonly codes: readonly string[] };

const moduleStart = performance.now();

export function activateWith(context: vscode.ExtensionContext, platform: Platform): GradLensApi {
  const activateStart = performance.now();
  const output = vscode.window.createOutputChannel('GradLens', { log: true });
  const log = (line: string) => output.info(line);
  const config = new Config();
  const client = new WorkerClient(platform.workerFactory(context, log), log);
  const analyses = new AnalysisService(client, config, log, platform);
  // What the editor shows of an analysis: without the answers when they are hidden (hiddenAnswers.ts).
  const view = new AnswersView(analyses, config);
  const diagnostics = new DiagnosticsPublisher();
  const lenses = new LensProvider(view, config);
  const hints = new ValueHintsProvider(view, config);
  const details = new DetailDocuments();
  const panel = new Panel(context.extensionUri, analyses, config, log, view);
  const status = new StatusBar(analyses, config);
  const reports = new vscode.EventEmitter<GradLensReport>();

  context.subscriptions.push(
    output,
    { dispose: () => client.dispose() },
    analyses,
    diagnostics,
    lenses,
    hints,
    details,
    panel,
    status,
    reports,
    vscode.languages.registerCodeLensProvider(documentSelector, lenses),
    vscode.languages.registerHoverProvider(documentSelector, new SymbolHoverProvider(view, config)),
    vscode.languages.registerCodeActionsProvider(documentSelector, new FixProvider(view), FixProvider.metadata),
    vscode.languages.registerInlayHintsProvider(documentSelector, hints),
    vscode.workspace.registerTextDocumentContentProvider(DETAIL_SCHEME, details),
    vscode.window.registerWebviewViewProvider(Panel.sidebarId, panel),
    ...registerCommands({ analyses, view, config, details, panel, refreshInlayHints: () => hints.refresh() }),
    // After the status bar's own listener (registered in its constructor), so `status` is its new text.
    analyses.onDidProgress((e) => {
      const uri = e.document.uri.toString();
      if (e.running) reports.fire({ kind: 'progress', uri, version: e.version, epoch: e.current?.epoch ?? 0, status: status.text });
      else reports.fire({ kind: 'progressEnd', uri, version: e.version });
    }),
    panel.onDidRenderProgress((e) => reports.fire({ kind: 'panelProgress', uri: e.uri, version: e.version, epoch: e.epoch })),
    // The values stage's diagnostics go out at once; the finished analysis re-publishes only changed ones.
    analyses.onDidEvaluate((e) => {
      // The current version's values stage: answers hidden apply to it as to the finished analysis.
      if (diagnostics.publish(e.document, view.shown(e.analysis, e.document.getText()))) reports.fire({ kind: 'published', uri: e.document.uri.toString(), version: e.document.version, stage: 'values' });
    }),
    analyses.onDidAnalyze((e) => {
      // Fired when the current version's analysis arrives: getText() is the analysed text.
      if (diagnostics.publish(e.document, view.shown(e.analysis, e.document.getText()))) reports.fire({ kind: 'published', uri: e.document.uri.toString(), version: e.document.version, stage: 'final' });
      reports.fire({ kind: 'analysed', uri: e.document.uri.toString(), version: e.document.version, trainings: e.analysis.trainings?.length ?? 0, codes: e.analysis.diagnostics.map((d) => d.code) });
      if (e.ms > 0) log(`analysed ${vscode.workspace.asRelativePath(e.document.uri)} v${e.document.version} in ${e.ms.toFixed(1)} ms (${e.analysis.stats.work} work units)`);
    }),
    vscode.workspace.onDidOpenTextDocument((d) => {
      if (isAnalyzable(d)) void analyses.schedule(d, 0);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      if (isAnalyzable(e.document) && e.contentChanges.length) void analyses.schedule(e.document, analyses.delayFor(e.document, config.debounce));
    }),
    vscode.workspace.onDidCloseTextDocument((d) => {
      analyses.forget(d.uri);
      diagnostics.clear(d.uri);
    }),
    // Notebooks: the Python cells are one program (notebooks.ts); a change in one cell can change
    // every later cell's lenses and hints.
    vscode.workspace.onDidOpenNotebookDocument((nb) => {
      if (config.pythonEnabled) void analyses.notebooks.schedule(nb, 0);
    }),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      // Cells added, removed or moved (cell text edits arrive as text document changes).
      if (config.pythonEnabled && e.contentChanges.length) void analyses.notebooks.schedule(e.notebook, config.debounce);
    }),
    vscode.workspace.onDidCloseNotebookDocument((nb) => {
      analyses.notebooks.forget(nb);
      for (const c of nb.getCells()) diagnostics.clear(c.document.uri);
    }),
    analyses.notebooks.onDidAnalyze(() => {
      lenses.refresh();
      hints.refresh();
    }),
    // Trusting the workspace lets load_csv read files: analyse again (docs/security.md).
    vscode.workspace.onDidGrantWorkspaceTrust(() => analyses.invalidate(vscode.workspace.textDocuments)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (Config.affectsAnalysis(e)) {
        // One worker runs the analyses in turn: what is on screen goes first (see priority.ts).
        const visible = new Set(vscode.window.visibleTextEditors.map((ed) => ed.document.uri.toString()));
        const inTabs = new Set<string>();
        for (const g of vscode.window.tabGroups.all) for (const t of g.tabs) if (t.input instanceof vscode.TabInputText) inTabs.add(t.input.uri.toString());
        analyses.invalidate(reanalysisOrder(vscode.workspace.textDocuments, (d) => d.uri.toString(), visible, inTabs));
        // Python turned off: its findings go (Pylance keeps the file).
        if (!config.pythonEnabled) for (const d of vscode.workspace.textDocuments) if (d.languageId === 'python') diagnostics.clear(d.uri);
      }
      if (Config.affectsAnswers(e)) {
        // The diagnostics of finished analyses again, with or without the answers (the same versions: peek).
        for (const d of vscode.workspace.textDocuments) {
          const a = analyses.peek(d);
          if (a) diagnostics.publish(d, view.shown(a, d.getText()));
        }
      }
      if (Config.affectsPresentation(e)) {
        lenses.refresh();
        hints.refresh();
        status.update();
        panel.refresh();
      }
    }),
  );

  for (const d of vscode.workspace.textDocuments) if (isAnalyzable(d)) void analyses.schedule(d, 0);
  // Start the analysis worker now (loading its bundle takes longer than activating): the first
  // lens of a file opened later does not wait for it.
  client.warm();
  if (config.pythonEnabled) for (const nb of vscode.workspace.notebookDocuments) void analyses.notebooks.schedule(nb, 0);

  const end = performance.now();
  const activationMs = end - activateStart;
  const loadToActivatedMs = end - moduleStart;
  log(`activated in ${activationMs.toFixed(1)} ms (${loadToActivatedMs.toFixed(1)} ms since the module was loaded); ${platform.description}`);
  // One line on the extension host's console (the workbench forwards it to the developer tools):
  // the browser-build test reads from it which host runs GradLens (docs/web.md).
  console.log(`GradLens: activated (${platform.kind === 'web' ? 'browser' : 'node'} build) in ${platform.host()}`);
  return {
    platform: platform.kind,
    activationMs,
    loadToActivatedMs,
    statusText: () => status.text,
    panelStats: () => panel.stats(),
    panelState: () => panel.currentState(),
    onDidReport: reports.event,
  };
}
