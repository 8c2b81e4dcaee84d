import * as vscode from 'vscode';
import type { AnswersView } from './answersView';
import { toRange } from './ranges';

/** Quick fixes from `Diagnostic.fixes` of the cached analysis of this exact version. */
export class FixProvider implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  constructor(private readonly analyses: AnswersView) {}

  async provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    const analysis = await this.analyses.get(document);
    if (!analysis || token.isCancellationRequested) return [];
    const actions: vscode.CodeAction[] = [];
    for (const d of analysis.diagnostics) {
      if (!d.fixes?.length) continue;
      const dRange = toRange(document, d.span);
      if (!dRange.intersection(range) && !dRange.contains(range)) continue;
      const matching = context.diagnostics.filter((vd) => vd.code === d.code && vd.range.isEqual(dRange));
      d.fixes.forEach((fix, i) => {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.edit = new vscode.WorkspaceEdit();
        action.edit.replace(document.uri, toRange(document, fix.span), fix.text);
        action.diagnostics = matching;
        action.isPreferred = i === 0 && d.fixes!.length === 1;
        actions.push(action);
      });
    }
    return actions;
  }
}
