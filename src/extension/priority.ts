/**
 * The order in which documents are analysed again after a setting that affects analysis
 * changes (pure: no vscode import, unit-tested in test/unit/extension/priority.test.ts).
 *
 * The worker runs one analysis at a time, in the order they are scheduled, so the order is
 * what the user waits for: the documents on screen first, then those open in a tab, then the
 * rest VS Code still holds (it keeps recently closed documents for a while; their diagnostics
 * stay in the Problems panel until it lets them go). Within a rank the given order is kept.
 */
export function reanalysisOrder<T>(documents: readonly T[], key: (d: T) => string, visible: ReadonlySet<string>, inTabs: ReadonlySet<string>): T[] {
  const rank = (d: T): number => {
    const k = key(d);
    return visible.has(k) ? 0 : inTabs.has(k) ? 1 : 2;
  };
  return documents
    .map((d, i) => ({ d, i, r: rank(d) }))
    .sort((x, y) => x.r - y.r || x.i - y.i)
    .map((x) => x.d);
}
