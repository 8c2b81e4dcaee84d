import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import { isAnalyzable } from './analysisService';
import { Commands } from './commandIds';
import { statusSummary } from './render';

/** The active file's parameter total and check results; clicking opens the panel. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gradlens.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly analyses: AnalysisService) {
    this.item.name = 'GradLens';
    this.item.command = Commands.showPanel.id;
    this.subscriptions.push(
      analyses.onDidAnalyze((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.update();
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  /** The text shown now (tests read it through the extension's API). */
  get text(): string | undefined {
    return this.item.text || undefined;
  }

  update(): void {
    const document = vscode.window.activeTextEditor?.document;
    const analysis = document && isAnalyzable(document) ? this.analyses.peek(document) : undefined;
    if (!document || !isAnalyzable(document)) {
      this.item.hide();
      return;
    }
    if (!analysis) return; // keep the previous text until this version is analysed
    const s = statusSummary(analysis);
    if (!s) {
      this.item.text = '';
      this.item.hide();
      return;
    }
    this.item.text = `$(${s.failed ? 'error' : 'pulse'}) ${s.text}`;
    this.item.tooltip = `GradLens\n${s.tooltip}`;
    this.item.backgroundColor = s.failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
