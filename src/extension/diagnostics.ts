import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis';
import type { Diagnostic, Severity } from '../core/diagnostics';
import { toRange } from './ranges';

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export const SKIPPED_CODE = 'analysis.skipped';

/** Publishes an analysis' diagnostics (and a budget note) for the version that was analysed. */
export class DiagnosticsPublisher implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('gradlens');

  publish(document: vscode.TextDocument, analysis: Analysis): void {
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
  }

  clear(uri: vscode.Uri): void {
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
