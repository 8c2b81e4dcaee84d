import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import type { ExportFormat, FromPanel, PanelState, ToPanel } from '../shared/protocol';
import type { AnalysisService, ProgressEvent } from './analysisService';
import type { AnswersView } from './answersView';
import { isAnalyzable } from './analysisService';
import type { Config } from './config';
import { buildPanelState, emptyPanelState, liveTrainingsModel } from './panelModel';
import { trainTargets } from './progressModel';

/** A `progress` message the webview has drawn (tests and the log). */
export interface ProgressRendered {
  readonly uri: string;
  readonly version: number;
  readonly seq: number;
  /** The highest epoch on screen. */
  readonly epoch: number;
}

/** What the last `rendered` answer said (for the log and the tests). */
export interface PanelStats {
  readonly seq: number;
  readonly nodes: number;
  /** Milliseconds from posting the state to the webview's answer after its next frame. */
  readonly roundTripMs: number;
  readonly layoutMs: number;
  readonly renderMs: number;
  readonly relayout: boolean;
  /** Where the layout ran ('worker', or 'main' when no worker could be created). */
  readonly layoutIn?: 'worker' | 'main';
  /** The webview's time from receiving the state to drawing its graph. */
  readonly toScreenMs?: number;
  readonly file: string | null;
  /** The document version whose state was rendered. */
  readonly version: number;
}

/** One webview showing the panel (the side-bar view or the editor-side panel). */
class PanelHost {
  ready = false;
  constructor(readonly webview: vscode.Webview) {}
  post(m: ToPanel): void {
    if (this.ready) void this.webview.postMessage(m);
  }
}

/**
 * The GradLens panel: the same webview in the side bar (a WebviewView in the GradLens activity-bar
 * container) and, through "GradLens: Show Panel", beside the editor (a WebviewPanel). It follows the
 * active `.nn` or Markdown document: after each analysis it posts a PanelState, and it forwards the
 * editor's cursor line. The webview asks for reveals and exports by message.
 *
 * Not retainContextWhenHidden: the webview keeps its zoom/pan/selection with setState and gets
 * its state again after `ready`, which is cheaper than keeping a hidden page alive.
 */
export class Panel implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewType = 'gradlens.panel';
  static readonly sidebarId = 'gradlens.sidebar';
  private panel: vscode.WebviewPanel | undefined;
  private readonly hosts = new Set<PanelHost>();
  private document: vscode.TextDocument | undefined;
  private state: PanelState = emptyPanelState();
  private seq = 0;
  private readonly posted = new Map<number, { at: number; file: string | null; version: number }>();
  private last: PanelStats | undefined;
  private readonly progressPosted = new Map<number, { uri: string; version: number }>();
  private readonly progressEmitter = new vscode.EventEmitter<ProgressRendered>();
  /** A webview drew a `progress` message (live training curves). */
  readonly onDidRenderProgress = this.progressEmitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly analyses: AnalysisService,
    private readonly config: Config,
    private readonly log: (line: string) => void,
    private readonly view: AnswersView,
  ) {
    this.subscriptions.push(
      analyses.onDidAnalyze((e) => {
        if (this.hosts.size && e.document === this.currentDocument()) this.publish(e.document, e.analysis);
      }),
      analyses.onDidProgress((e) => {
        if (this.hosts.size && e.running && e.document === this.currentDocument()) this.postProgress(e);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => void this.follow()),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (e.textEditor.document === this.document) this.postCursor(e.textEditor);
      }),
    );
  }

  /** "GradLens: Show Panel": the editor-side panel. */
  show(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(Panel.viewType, 'GradLens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.options());
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'gradlens.svg');
    this.panel = panel;
    const host = this.attach(panel.webview);
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.hosts.delete(host);
    });
    return panel;
  }

  /** The side-bar view (WebviewViewProvider). */
  resolveWebviewView(view: vscode.WebviewView): void {
    view.webview.options = this.options();
    const host = this.attach(view.webview);
    view.onDidDispose(() => this.hosts.delete(host));
  }

  /** Posts the active document's state again (a presentation setting changed). */
  refresh(): void {
    void this.follow();
  }

  /** The last render the webview reported. */
  stats(): PanelStats | undefined {
    return this.last;
  }

  /** The state last posted (tests). */
  currentState(): PanelState {
    return this.state;
  }

  dispose(): void {
    this.panel?.dispose();
    this.progressEmitter.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private options(): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
  }

  private attach(webview: vscode.Webview): PanelHost {
    const host = new PanelHost(webview);
    this.hosts.add(host);
    webview.html = this.html(webview);
    webview.onDidReceiveMessage((m: FromPanel) => this.onMessage(host, m));
    return host;
  }

  private onMessage(host: PanelHost, m: FromPanel): void {
    switch (m.type) {
      case 'ready':
        host.ready = true;
        this.post(host);
        void this.follow();
        return;
      case 'reveal':
        void this.reveal(m.uri, m.line);
        return;
      case 'export':
        void this.export(m.format, m.name, m.content, m.copy === true);
        return;
      case 'progressRendered': {
        const sent = this.progressPosted.get(m.seq);
        if (sent) this.progressEmitter.fire({ ...sent, seq: m.seq, epoch: m.epoch });
        return;
      }
      case 'rendered': {
        const sent = this.posted.get(m.seq);
        if (sent === undefined) return;
        this.posted.delete(m.seq);
        this.last = {
          seq: m.seq,
          nodes: m.nodes,
          roundTripMs: performance.now() - sent.at,
          layoutMs: m.layoutMs,
          renderMs: m.renderMs,
          relayout: m.relayout,
          ...(m.layoutIn ? { layoutIn: m.layoutIn } : {}),
          ...(m.toScreenMs !== undefined ? { toScreenMs: m.toScreenMs } : {}),
          file: sent.file,
          version: sent.version,
        };
        this.log(
          `panel: ${m.nodes} nodes on screen ${this.last.roundTripMs.toFixed(1)} ms after the analysis was posted (layout ${m.relayout ? `${m.layoutMs.toFixed(1)} ms in the ${m.layoutIn === 'worker' ? 'worker' : 'main thread'}` : 'reused'}, main thread ${m.renderMs.toFixed(1)} ms)`,
        );
        return;
      }
    }
  }

  private currentDocument(): vscode.TextDocument | undefined {
    const d = vscode.window.activeTextEditor?.document;
    return d && isAnalyzable(d) ? d : this.document;
  }

  /** Shows the active document (or keeps the last one while, say, the panel has focus). */
  private async follow(): Promise<void> {
    if (!this.hosts.size) return;
    const document = this.currentDocument();
    if (!document) return;
    const version = document.version;
    const analysis = await this.analyses.get(document);
    // The same version only: publish() reads the document's text beside its analysis.
    if (analysis && document === this.currentDocument() && document.version === version) this.publish(document, analysis);
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === document);
    if (editor) this.postCursor(editor);
  }

  private publish(document: vscode.TextDocument, raw: Analysis): void {
    this.document = document;
    // Answers hidden: derivations only after the instructor's release (hiddenAnswers.ts). Called
    // when the analysis of the current version arrives, so the text is the analysed one.
    const analysis = this.view.shown(raw, document.getText(), { keepDerivations: this.view.modeOf(raw)?.released });
    this.state = buildPanelState(
      analysis,
      {
        file: vscode.workspace.asRelativePath(document.uri),
        uri: document.uri.toString(),
        version: document.version,
        lineOf: (offset) => document.positionAt(offset).line,
      },
      this.config.precision,
    );
    for (const h of this.hosts) this.post(h);
  }

  /**
   * Live training curves. A document the panel does not show yet (just opened; its first
   * analysis is still training) gets an empty state of its own first, so the curves do not
   * appear under another file's name.
   */
  private postProgress(e: ProgressEvent): void {
    const uri = e.document.uri.toString();
    if (this.state.uri !== uri) {
      this.document = e.document;
      this.state = { ...emptyPanelState(), file: vscode.workspace.asRelativePath(e.document.uri), uri, version: e.version };
      for (const h of this.hosts) this.post(h);
    }
    const seq = ++this.seq;
    this.progressPosted.set(seq, { uri, version: e.version });
    if (this.progressPosted.size > 50) this.progressPosted.delete(this.progressPosted.keys().next().value!);
    const trainings = liveTrainingsModel(e.trainings, e.current?.line, (line) => (line < e.document.lineCount ? trainTargets(e.document.lineAt(line).text) : ''));
    const m: ToPanel = { type: 'progress', uri, version: e.version, seq, trainings };
    for (const h of this.hosts) h.post(m);
  }

  private post(host: PanelHost): void {
    if (!host.ready) return;
    const seq = ++this.seq;
    this.posted.set(seq, { at: performance.now(), file: this.state.file, version: this.state.version });
    if (this.posted.size > 50) this.posted.delete(this.posted.keys().next().value!);
    host.post({ type: 'state', state: this.state, seq });
  }

  private postCursor(editor: vscode.TextEditor): void {
    const m: ToPanel = { type: 'cursor', uri: editor.document.uri.toString(), line: editor.selection.active.line };
    for (const h of this.hosts) h.post(m);
  }

  private async reveal(uri: string, line: number): Promise<void> {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    if (!document || line < 0 || line >= document.lineCount) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === document);
    const text = document.lineAt(line);
    const pos = new vscode.Position(line, text.firstNonWhitespaceCharacterIndex);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(text.range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async export(format: ExportFormat, name: string, content: string, copy: boolean): Promise<void> {
    if (copy) {
      await vscode.env.clipboard.writeText(content);
      void vscode.window.setStatusBarMessage(`GradLens: ${name} copied`, 3000);
      return;
    }
    const folder = this.document ? vscode.Uri.joinPath(this.document.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const filters: Record<ExportFormat, Record<string, string[]>> = {
      svg: { 'SVG image': ['svg'] },
      png: { 'PNG image': ['png'] },
      md: { Markdown: ['md'] },
      csv: { CSV: ['csv'] },
    };
    const target = await vscode.window.showSaveDialog({ defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined, filters: filters[format], saveLabel: 'Export' });
    if (!target) return;
    const bytes = format === 'png' ? base64Bytes(content) : new TextEncoder().encode(content);
    await vscode.workspace.fs.writeFile(target, bytes);
    this.log(`panel: exported ${format} to ${target.toString(true)} (${bytes.length} bytes)`);
    void vscode.window.setStatusBarMessage(`GradLens: saved ${vscode.workspace.asRelativePath(target)}`, 3000);
  }

  private html(webview: vscode.Webview): string {
    const nonce = nonceText();
    const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p));
    const csp = [
      "default-src 'none'",
      `style-src ${webview.cspSource}`,
      `font-src ${webview.cspSource}`,
      `img-src ${webview.cspSource} data:`,
      `script-src 'nonce-${nonce}'`,
      // The layout worker: dist/layoutWorker.js is fetched from the extension and started from a
      // data: URL (a webview's resource origin differs from its own, so new Worker(url) is refused).
      `connect-src ${webview.cspSource}`,
      `worker-src ${webview.cspSource} data:`,
    ].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp};">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dist', 'katex', 'katex.css')}">
<link rel="stylesheet" href="${asset('media', 'panel.css')}">
<title>GradLens</title>
</head>
<body data-layout-worker="${asset('dist', 'layoutWorker.js')}">
<div id="root"><p>Loading…</p></div>
<script nonce="${nonce}" src="${asset('dist', 'webview.js')}"></script>
</body>
</html>`;
  }
}

/** A CSP nonce: 16 random bytes, base64 (Web Crypto, in the node and the browser build alike). */
function nonceText(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Decodes base64 (atob: in the node and the browser build alike). */
function base64Bytes(b64: string): Uint8Array {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
