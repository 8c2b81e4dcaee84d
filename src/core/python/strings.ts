/** Python string literals: prefixes, quotes and escapes (parse.ts). */

/** A Python string literal's value (prefixes r, b, u; single or triple quotes; escapes). */
export function decodeString(raw: string): string {
  const m = /^([a-zA-Z]*)('''|"""|'|")/.exec(raw);
  if (!m) return raw;
  const q = m[2];
  let body = raw.slice(m[0].length);
  if (body.endsWith(q)) body = body.slice(0, -q.length);
  return /r/i.test(m[1]) ? body : unescape(body);
}

export function unescape(s: string): string {
  return s.replace(/\\(\n|[\\'"abfnrtv0]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|N\{[^}]*\})/g, (_, c: string) => {
    switch (c[0]) {
      case '\n':
        return '';
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '0':
        return '\0';
      case 'a':
        return '\x07';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case 'x':
      case 'u':
        return String.fromCharCode(parseInt(c.slice(1), 16));
      case 'N':
        return c;
      default:
        return c;
    }
  });
}
