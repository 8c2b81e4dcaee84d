import * as vscode from 'vscode';
import type { AnswersView } from './answersView';
import type { Config } from './config';
import { toRange } from './ranges';
import { float32Note } from './render';

/** Hovers from `analysis.symbols`: the innermost symbol whose span holds the position. */
export class SymbolHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly analyses: AnswersView,
    private readonly config?: Config,
  ) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const version = document.version;
    const a = await this.analyses.get(document);
    if (!a || token.isCancellationRequested || document.version !== version) return undefined;
    const offset = document.offsetAt(position);
    let best: (typeof a.symbols)[number] | undefined;
    for (const s of a.symbols) {
      if (s.span.start <= offset && offset <= s.span.end && s.span.end > s.span.start) {
        if (!best || s.span.end - s.span.start < best.span.end - best.span.start) best = s;
      }
    }
    if (!best || !best.detail) return undefined;
    const note = this.config ? float32Note(a, best.span, this.config.precision) : undefined;
    const md = new vscode.MarkdownString(note ? `${best.detail}\n\n${note}` : best.detail);
    md.isTrusted = false;
    md.supportHtml = false;
    return new vscode.Hover(md, toRange(document, best.span));
  }
}
