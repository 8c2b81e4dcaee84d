import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import { formatCount } from '../core/format';
import type { FromPanel, PanelState, ToPanel } from '../shared/protocol';
import type { AnalysisService } from './analysisService';
import { isAnalyzable } from './analysisService';

/** The GradLens panel (placeholder): one webview beside the editor, fed by messages. */
export class Panel implements vscode.Disposable {
  static readonly viewType = 'gradlens.panel';
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly analyses: AnalysisService,
  ) {
    this.subscriptions.push(
      analyses.onDidAnalyze((e) => {
        if (e.document === this.activeDocument()) void this.post(e.document, e.analysis);
      }),
      vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
    );
  }

  show(): vscode.WebviewPanel {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      return this.panel;
    }
    const panel = vscode.window.createWebviewPanel(Panel.viewType, 'GradLens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist')],
    });
    this.panel = panel;
    this.ready = false;
    panel.webview.html = this.html(panel.webview);
    panel.webview.onDidReceiveMessage((m: FromPanel) => {
      if (m.type === 'ready') {
        this.ready = true;
        void this.update();
      }
    });
    panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
    return panel;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private activeDocument(): vscode.TextDocument | undefined {
    const d = vscode.window.activeTextEditor?.document;
    return d && isAnalyzable(d) ? d : undefined;
  }

  private async update(): Promise<void> {
    const document = this.activeDocument();
    if (!document) return; // keep showing the last document while e.g. the panel itself has focus
    const analysis = await this.analyses.get(document);
    if (analysis) await this.post(document, analysis);
  }

  private async post(document: vscode.TextDocument, analysis: Analysis): Promise<void> {
    if (!this.panel || !this.ready) return;
    const message: ToPanel = { type: 'state', state: panelState(document, analysis) };
    await this.panel.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'panel.css'));
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>GradLens</title>
</head>
<body>
<div id="root"><p>Loading…</p></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
  }
}

export function panelState(document: vscode.TextDocument, a: Analysis): PanelState {
  return {
    file: vscode.workspace.asRelativePath(document.uri),
    values: a.values.length,
    gradients: a.gradients.length,
    checks: { passed: a.checks.filter((c) => c.passed).length, total: a.checks.length },
    expectations: { passed: a.expectations.filter((e) => e.passed).length, total: a.expectations.length },
    networks: a.networks.map((n) => ({ name: n.name, params: formatCount(n.params), layers: n.layers.length })),
    diagnostics: {
      errors: a.diagnostics.filter((d) => d.severity === 'error').length,
      warnings: a.diagnostics.filter((d) => d.severity === 'warning').length,
    },
  };
}
