import type * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import type { AnalysisService } from './analysisService';
import type { Config } from './config';
import { hiddenModeOf, redactAnalysis, type HiddenMode, type RedactOptions, type ShownAnalysis } from './hiddenAnswers';

/**
 * The analyses as the editor may show them: through `redactAnalysis` when answers are hidden (a
 * handout, or `gradlens.answersHidden`). CodeLens, hovers, inlay hints, quick fixes, diagnostics,
 * the panel and the detail documents read this, never `AnalysisService.get` directly, so what is
 * hidden cannot leak through one of them. One redaction per analysis and mode (a WeakMap on the
 * analysis object, which the service keeps per document version).
 */
export class AnswersView {
  private readonly cache = new WeakMap<Analysis, Map<string, ShownAnalysis>>();

  constructor(
    private readonly analyses: AnalysisService,
    private readonly config: Config,
  ) {}

  /** Whether (and why) answers are hidden in this analysis. */
  modeOf(a: Analysis): HiddenMode | undefined {
    return hiddenModeOf(a, this.config.answersHidden);
  }

  /** The shown analysis of the document's current version (undefined as AnalysisService.get). */
  async get(document: vscode.TextDocument, options: RedactOptions = {}): Promise<ShownAnalysis | undefined> {
    const a = await this.analyses.get(document);
    return a && this.shown(a, document.getText(), options);
  }

  /** `a` as shown; `text` is the text it was computed from. */
  shown(a: Analysis, text: string, options: RedactOptions = {}): ShownAnalysis {
    const mode = this.modeOf(a);
    if (!mode) return a;
    const key = `${mode.reason}|${mode.released}|${mode.student ?? ''}|${options.keepDerivations ? 1 : 0}`;
    let byMode = this.cache.get(a);
    if (!byMode) this.cache.set(a, (byMode = new Map()));
    let r = byMode.get(key);
    if (!r) byMode.set(key, (r = redactAnalysis(a, text, mode, options)));
    return r;
  }
}
