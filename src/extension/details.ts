import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import type { AnalysisService } from './analysisService';
import type { AnswersView } from './answersView';
import type { Config } from './config';
import { checkMarkdown, expectationMarkdown, gradientMarkdown, networkMarkdown, valueMarkdown } from './render';
import { withFullData } from './valuePreview';

export type DetailKind = 'value' | 'gradient' | 'check' | 'expectation' | 'network';

/** What a CodeLens click asks for: an item of the analysis of one document version. */
export interface DetailRef {
  readonly uri: string;
  readonly version: number;
  readonly kind: DetailKind;
  readonly index: number;
}

export const DETAIL_SCHEME = 'gradlens';

/**
 * Read-only Markdown documents (`gradlens:` URIs) for derivations and summaries, opened in the
 * Markdown preview. The content lives here, keyed by path; nothing is written to disk.
 */
export class DetailDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  /** Stores the Markdown and shows it; returns the document's URI. */
  async show(title: string, markdown: string): Promise<vscode.Uri> {
    const path = `/${title.replace(/[\\/:*?"<>|#%]/g, '_')}.md`;
    const uri = vscode.Uri.from({ scheme: DETAIL_SCHEME, path });
    const changed = this.contents.has(path);
    this.contents.set(path, markdown);
    if (changed) this.emitter.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showLockedPreviewToSide', uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
    return uri;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

/** The Markdown for one item of an analysis, with a title; undefined if the item is gone. */
export function renderDetail(a: Analysis, kind: DetailKind, index: number, digits: number): { title: string; markdown: string } | undefined {
  switch (kind) {
    case 'value': {
      const v = a.values[index];
      return v && { title: `${v.name} (line ${v.line + 1})`, markdown: valueMarkdown(v, a.gradients, digits) };
    }
    case 'gradient': {
      const g = a.gradients[index];
      return g && { title: `Derivation of ∂${g.of}∕∂${g.wrt}`, markdown: gradientMarkdown(g, digits) };
    }
    case 'check': {
      const c = a.checks[index];
      const g = c && a.gradients.find((g) => g.of === c.of && g.wrt === c.wrt);
      return c && { title: `Gradient check of ∂${c.of}∕∂${c.wrt}`, markdown: checkMarkdown(c, g, digits) };
    }
    case 'expectation': {
      const e = a.expectations[index];
      return e && { title: `expect (line ${e.line + 1})`, markdown: expectationMarkdown(e, digits) };
    }
    case 'network': {
      const n = a.networks[index];
      return n && { title: `network ${n.name}`, markdown: networkMarkdown(n) };
    }
  }
}

/** `gradlens.showDetails`: resolves a DetailRef against the cache and opens its document. */
export async function showDetails(
  ref: DetailRef,
  analyses: AnalysisService,
  view: AnswersView,
  docs: DetailDocuments,
  config: Config,
): Promise<vscode.Uri | undefined> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === ref.uri);
  if (!document) return undefined;
  const preview = await view.get(document);
  if (!preview) return undefined;
  // The host holds previews of large tensors: the detail document fetches the full data. Not
  // while answers are hidden: the worker's items are the unredacted ones (and their indices differ).
  const analysis = preview.hidden ? preview : await withFullData(preview, ref.kind, ref.index, (r) => analyses.fullItem(document, r));
  const detail = renderDetail(analysis, ref.kind, ref.index, config.precision);
  if (!detail) return undefined;
  return docs.show(detail.title, detail.markdown);
}

