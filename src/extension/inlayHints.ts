import * as vscode from 'vscode';
import type { AnswersView } from './answersView';
import type { Config } from './config';
import { formatValue, isLiteralBinding, printLens } from './render';

/** Values at the end of their statements, behind `gradlens.inlineValues.enabled`. */
export class ValueHintsProvider implements vscode.InlayHintsProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeInlayHints = this.emitter.event;

  constructor(
    private readonly analyses: AnswersView,
    private readonly config: Config,
  ) {}

  refresh(): void {
    this.emitter.fire();
  }

  async provideInlayHints(document: vscode.TextDocument, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.InlayHint[]> {
    if (!this.config.inlineValues) return [];
    const version = document.version;
    const a = await this.analyses.get(document);
    if (!a || token.isCancellationRequested || document.version !== version) return [];
    const digits = this.config.precision;
    const hints: vscode.InlayHint[] = [];
    for (const v of a.values) {
      const end = document.positionAt(v.span.end);
      if (!range.contains(end)) continue;
      // A literal's value is what the line says.
      if (isLiteralBinding(document.getText(new vscode.Range(document.positionAt(v.span.start), end)))) continue;
      const hint = new vscode.InlayHint(end, `= ${formatValue(v.shape, v.data, digits)}`, vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      hints.push(hint);
    }
    // What print(...) wrote, at the end of the printing statement's last line.
    const printed = new Map<number, string[]>();
    for (const p of a.prints ?? []) {
      const list = printed.get(p.span.end) ?? [];
      list.push(p.text);
      printed.set(p.span.end, list);
    }
    for (const [end, texts] of printed) {
      const at = document.positionAt(end);
      if (!range.contains(at)) continue;
      const hint = new vscode.InlayHint(at, printLens(texts.join('\n')), vscode.InlayHintKind.Type);
      hint.paddingLeft = true;
      hints.push(hint);
    }
    return hints;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
