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
  message = boundMessage(message);
  return fixes && fixes.length ? { code, severity: 'error', message, span, fixes: boundFixes(fixes) } : { code, severity: 'error', message, span };
}

export function warning(code: string, message: string, span: Span, fixes?: Fix[]): Diagnostic {
  message = boundMessage(message);
  return fixes && fixes.length ? { code, severity: 'warning', message, span, fixes: boundFixes(fixes) } : { code, severity: 'warning', message, span };
}

/** The most characters of the user's text a message quotes (escape.ts's MAX_QUOTE). */
const MAX_QUOTE = 80;
/** The longest message, whatever it holds. */
const MAX_MESSAGE = 1000;

/** At most `max` code points of s (a surrogate pair is never split), with `…` when cut; line breaks as spaces. */
function clipQuote(s: string, max = MAX_QUOTE): string {
  if (s.length <= max) return s.replace(/[\r\n\u2028\u2029]+/g, ' ');
  let units = 0;
  for (let k = 0; k < max && units < s.length; k++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(units + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return units >= s.length ? s : `${s.slice(0, units).replace(/[\r\n\u2028\u2029]+/g, ' ')}…`;
}

/**
 * A message quotes at most 80 characters of the user's text: every `code` or "quoted" part longer
 * than that is cut (a 10 MB identifier is not copied into a message), and the whole message is
 * at most 1,000 characters.
 */
export function boundMessage(message: string): string {
  if (message.length <= MAX_QUOTE) return message;
  const out = message.replace(/(`+)([^`]*?)\1|"([^"\n]*)"/g, (m, fence: string | undefined, code: string | undefined, quoted: string | undefined) => {
    if (fence !== undefined && code !== undefined && code.length > MAX_QUOTE) return `${fence}${clipQuote(code)}${fence}`;
    if (quoted !== undefined && quoted.length > MAX_QUOTE) return `"${clipQuote(quoted)}"`;
    return m;
  });
  return out.length > MAX_MESSAGE ? clipQuote(out, MAX_MESSAGE) : out;
}

function boundFixes(fixes: readonly Fix[]): Fix[] {
  return fixes.map((f) => (f.title.length > MAX_QUOTE * 2 ? { ...f, title: clipQuote(f.title, MAX_QUOTE * 2) } : f));
}

/** A diagnostic whose message (and related messages) quote at most 80 characters of user text. */
export function boundDiagnostic(d: Diagnostic): Diagnostic {
  const message = boundMessage(d.message);
  const related = d.related?.some((r) => r.message.length > MAX_QUOTE) ? d.related.map((r) => ({ ...r, message: boundMessage(r.message) })) : d.related;
  return message === d.message && related === d.related ? d : { ...d, message, ...(related ? { related } : {}) };
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
  if (name.length > 200) return undefined;
  let best: string | undefined;
  let bestD = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of candidates) {
    // The distance is at least the difference of the lengths: a 10 MB name is not compared letter by letter.
    if (Math.abs(c.length - name.length) > Math.min(limit, bestD)) continue;
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD || (d === bestD && best !== undefined && c < best)) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= limit ? best : undefined;
}
