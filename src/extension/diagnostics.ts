import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import type { Diagnostic, Severity } from '../core/diagnostics';
import { toRange } from './ranges';
import { diagnosticsKey } from './typing';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export const SKIPPED_CODE = 'analysis.skipped';

/**
 * Publishes an analysis' diagnostics (and a budget note) for the version that was analysed: first
 * from its values stage, then from the finished analysis only if that changed them (typing.ts).
 */
export class DiagnosticsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('gradlens');
  /** What was last published for each document: its version and diagnosticsKey. */
  private readonly last = new Map<string, { readonly version: number; readonly key: string }>();

  /** False when this version's markers are already these (nothing was sent). */
  publish(document: vscode.TextDocument, analysis: Analysis): boolean {
    const uri = document.uri.toString();
    const key = diagnosticsKey(analysis.diagnostics, analysis.stats.skipped);
    const last = this.last.get(uri);
    if (last && last.version === document.version && last.key === key) return false;
    this.last.set(uri, { version: document.version, key });
    const out = analysis.diagnostics.map((d) => toVscodeDiagnostic(document, d));
    if (analysis.stats.skipped) {
      const d = new vscode.Diagnostic(
        new vscode.Range(0, 0, 0, 0),
        `Part of this file was not evaluated (work budget "gradlens.analysis.workBudget"): ${analysis.stats.skipped}`,
        vscode.DiagnosticSeverity.Information,
      );
      d.source = 'GradLens';
      d.code = SKIPPED_CODE;
      out.push(d);
    }
    this.collection.set(document.uri, out);
    return true;
  }

  clear(uri: vscode.Uri): void {
    this.last.delete(uri.toString());
    this.collection.delete(uri);
  }

  dispose(): void {
    this.collection.dispose();
  }
}

export function toVscodeDiagnostic(document: vscode.TextDocument, d: Diagnostic): vscode.Diagnostic {
  const out = new vscode.Diagnostic(toRange(document, d.span), d.message, SEVERITY[d.severity] ?? vscode.DiagnosticSeverity.Error);
  out.source = 'GradLens';
  out.code = d.code;
  if (d.related?.length) {
    out.relatedInformation = d.related.map(
      (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(document.uri, toRange(document, r.span)), r.message),
    );
  }
  return out;
}
