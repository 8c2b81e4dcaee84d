import * as vscode from 'vscode';
import type { Span } from '../core/span';

/**
 * The one place where core offsets (UTF-16, end exclusive, into the analysed text) become editor
 * ranges. Only valid for the document version that was analysed; callers check the version.
 */
export function toRange(document: vscode.TextDocument, span: Span): vscode.Range {
  return new vscode.Range(document.positionAt(span.start), document.positionAt(Math.max(span.start, span.end)));
}

export function toOffset(document: vscode.TextDocument, position: vscode.Position): number {
  return document.offsetAt(position);
}
