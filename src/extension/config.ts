import * as vscode from 'vscode';
import { SECTION, Settings } from './settings';

/** Typed getters over `gradlens.*`, read at use (never cached), clamped to sane ranges. */
export class Config {
  private get section(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION);
  }

  private number(s: { key: string; default: number }, min: number, max: number): number {
    const v = this.section.get<number>(s.key, s.default);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, v)) : s.default;
  }

  private flag(s: { key: string; default: boolean }): boolean {
    const v = this.section.get<boolean>(s.key, s.default);
    return typeof v === 'boolean' ? v : s.default;
  }

  /** Significant digits for numbers shown in the editor. */
  get precision(): number {
    return Math.round(this.number(Settings.precision, 1, 17));
  }
  get codeLensEnabled(): boolean {
    return this.flag(Settings.codeLensEnabled);
  }
  get codeLensGradients(): boolean {
    return this.flag(Settings.codeLensGradients);
  }
  get inlineValues(): boolean {
    return this.flag(Settings.inlineValues);
  }
  get checkTolerance(): number {
    return this.number(Settings.checkTolerance, 0, 1);
  }
  /** Milliseconds between the last keystroke and the analysis. */
  get debounce(): number {
    return this.number(Settings.debounce, 0, 5_000);
  }
  /** Work units (elements + multiply-accumulates) one analysis may spend. */
  get workBudget(): number {
    return this.number(Settings.workBudget, 1_000, 1e12);
  }
  /** Milliseconds after which a running analysis is ended by terminating its worker. */
  get timeout(): number {
    return this.number(Settings.timeout, 500, 600_000);
  }

  /** Seconds each `train` statement may run in the editor before it stops ("Train fully" lifts it). */
  get trainingTimeLimit(): number {
    return this.number(Settings.trainingTimeLimit, 1, 86_400);
  }

  /** Analyse Python files and notebook cells (off: leave Python to Pylance alone). */
  get pythonEnabled(): boolean {
    return this.flag(Settings.pythonEnabled);
  }

  /** Hide the quantities questions ask for (hiddenAnswers.ts); a handout hides them whatever this says. */
  get answersHidden(): boolean {
    return this.flag(Settings.answersHidden);
  }

  async setInlineValues(enabled: boolean): Promise<void> {
    const inspected = this.section.inspect<boolean>(Settings.inlineValues.key);
    const target =
      inspected?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : inspected?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : vscode.ConfigurationTarget.Global;
    await this.section.update(Settings.inlineValues.key, enabled, target);
  }

  /** Settings that change what an analysis computes (the cache must be dropped). */
  static affectsAnalysis(e: vscode.ConfigurationChangeEvent): boolean {
    return (
      e.affectsConfiguration(`${SECTION}.${Settings.workBudget.key}`) ||
      e.affectsConfiguration(`${SECTION}.${Settings.trainingTimeLimit.key}`) ||
      e.affectsConfiguration(`${SECTION}.${Settings.checkTolerance.key}`) ||
      e.affectsConfiguration(`${SECTION}.${Settings.pythonEnabled.key}`)
    );
  }

  /** `gradlens.answersHidden` changed: the diagnostics already published are sent again (not re-analysed). */
  static affectsAnswers(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(`${SECTION}.${Settings.answersHidden.key}`);
  }

  /** Settings that only change how results are shown. */
  static affectsPresentation(e: vscode.ConfigurationChangeEvent): boolean {
    return e.affectsConfiguration(SECTION);
  }
}
