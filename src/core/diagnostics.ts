import type { Span } from './span';

export type Severity = 'error' | 'warning' | 'info';

/**
 * A problem in the user's text. User mistakes are data, never exceptions.
 * Codes are stable and dotted (`parse.expected-token`, `name.undefined`, `shape.mismatch`).
 */
export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  /** Machine-readable fix suggestions for quick fixes: replace `span` with `text`. */
  readonly fixes?: readonly Fix[];
  /** Related locations (e.g. the binding a warning refers to). */
  readonly related?: readonly { readonly message: string; readonly span: Span }[];
}

export interface Fix {
  readonly title: string;
  readonly span: Span;
  readonly text: string;
}

export function error(code: string, message: string, span: Span, fixes?: Fix[]): Diagnostic {
  return fixes && fixes.length ? { code, severity: 'error', message, span, fixes } : { code, severity: 'error', message, span };
}

export function warning(code: string, message: string, span: Span, fixes?: Fix[]): Diagnostic {
  return fixes && fixes.length ? { code, severity: 'warning', message, span, fixes } : { code, severity: 'warning', message, span };
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** The nearest candidate within a small edit distance, or undefined. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}
