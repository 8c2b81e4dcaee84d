import * as vscode from 'vscode';
import type { AnalysisService } from './analysisService';
import { isAnalyzable } from './analysisService';
import { Commands } from './commandIds';
import type { Config } from './config';
import { progressStatusText } from './progressModel';
import { statusSummary } from './render';
import { isNotebookCell, notebookOf } from './notebooks';
import type { Analysis } from '../core/analysis';

/**
 * The active file's parameter total and check results; clicking opens the panel. While the active
 * file's analysis trains: `$(sync~spin) training mlp: epoch 3/5 · loss 0.42`, and a click stops it.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gradlens.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private training = false;

  constructor(
    private readonly analyses: AnalysisService,
    private readonly config: Config,
  ) {
    this.item.name = 'GradLens';
    this.item.command = Commands.showPanel.id;
    this.subscriptions.push(
      analyses.onDidAnalyze((e) => {
        if (e.document === this.current()) this.update();
      }),
      analyses.onDidProgress((e) => {
        if (e.document !== this.current()) return;
        if (e.running && e.current) this.showTraining(progressStatusText(e.current, e.targets, this.config.precision));
        else if (this.training) {
          this.training = false;
          this.update();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // Focus moving to the panel (no text editor) keeps what the item shows, a training's progress too.
        if (editor && editor.document !== this.last) this.training = false;
        this.update();
      }),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.update()),
      analyses.notebooks.onDidAnalyze(() => this.update()),
    );
    this.update();
  }

  /** The last active GradLens document (for the status bar's purpose). */
  private last: vscode.TextDocument | undefined;

  /**
   * The document the item is about: the active editor's, or — while no text editor is active
   * (the GradLens panel, the Output panel or a preview has focus) — the last active GradLens
   * document, so the item does not disappear when the panel is clicked.
   */
  private current(): vscode.TextDocument | undefined {
    const active = vscode.window.activeTextEditor?.document;
    if (active) {
      if (isAnalyzable(active)) this.last = active;
      return active;
    }
    if (this.last?.isClosed) this.last = undefined;
    return this.last;
  }

  private showTraining(text: string): void {
    this.training = true;
    this.item.text = `$(sync~spin) ${text}`;
    this.item.tooltip = `GradLens: ${text}\nClick to stop training (GradLens: Stop Training); typing also stops it.`;
    this.item.command = Commands.stopTraining.id;
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  /** The text shown now (tests read it through the extension's API). */
  get text(): string | undefined {
    return this.item.text || undefined;
  }

  update(): void {
    if (this.training) return; // the training's progress shows until its job ends
    this.item.command = Commands.showPanel.id;
    const document = this.current();
    // In a notebook the total is the whole notebook's (its cells are one program).
    const notebook = document ? (isNotebookCell(document) ? notebookOf(document) : undefined) : vscode.window.activeNotebookEditor?.notebook;
    if (notebook && (document ? isAnalyzable(document) : this.config.pythonEnabled)) return this.show(this.analyses.notebooks.peek(notebook)?.analysis);
    const analysis = document && isAnalyzable(document) ? this.analyses.peek(document) : undefined;
    if (!document || !isAnalyzable(document)) {
      this.item.hide();
      return;
    }
    if (!analysis) {
      // Keep the previous text until this version is analysed, but not a finished training's.
      if (this.item.text.startsWith('$(sync~spin)')) {
        this.item.text = '';
        this.item.hide();
      }
      return;
    }
    this.show(analysis);
  }

  private show(analysis: Analysis | undefined): void {
    if (!analysis) return;
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
