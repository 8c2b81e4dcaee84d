/**
 * What keeps a keystroke's squiggle close behind it (pure: no vscode import, unit-tested in
 * test/unit/extension/typing.test.ts; measured in test/e2e/ui.ts, figures in docs/editor.md).
 */
import type { Diagnostic } from '../core/diagnostics';

/**
 * How long to wait after a keystroke before analysing the document's new version.
 *
 * - A quick document (its last analysis took at most `debounce` ms) with the worker idle starts
 *   at once: the analysis runs in the worker, off the typing path, and the next keystroke
 *   cancels it (it then finishes in a few ms, or is ended after `killSupersededAfterMs`).
 * - Otherwise (the worker is busy, or the document is slow or not analysed yet) the adaptive
 *   debounce: twice the last analysis' time, at least 8 ms, at most `debounce`, so the
 *   keystrokes typed meanwhile become one analysis.
 */
export function typingDelay(lastMs: number | undefined, debounce: number, workerIdle: boolean): number {
  if (lastMs === undefined) return debounce;
  if (workerIdle && lastMs <= debounce) return 0;
  return Math.min(debounce, Math.max(8, Math.round(2 * lastMs)));
}

/**
 * A key that is equal for two lists of diagnostics exactly when they would publish the same
 * markers. The values stage publishes a version's diagnostics first; the finished analysis
 * publishes again only if its later stages added one, because every publication restarts
 * VS Code's Problems-view debounce (64 ms) and redraws the squiggles.
 */
export function diagnosticsKey(diagnostics: readonly Diagnostic[], skipped?: string): string {
  return JSON.stringify([skipped ?? '', diagnostics.map((d) => [d.code, d.severity, d.message, d.span.start, d.span.end, (d.related ?? []).map((r) => [r.message, r.span.start, r.span.end])])]);
}
