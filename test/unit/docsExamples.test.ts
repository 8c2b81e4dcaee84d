/**
 * Every ```nn block in the README and docs/ is a program a reader may paste: each runs on its
 * own without an error diagnostic (load_csv reads from examples/, as next to an example file).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/core/index';
import { markdownSegments } from '../../src/core/syntax/markdown';

const ROOT = join(__dirname, '..', '..');
const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const readFile = (p: string): string | undefined => {
  const f = join(ROOT, 'examples', p);
  return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
};

describe('the ```nn blocks of the README and docs run without errors', () => {
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const seg of markdownSegments(text)) {
      const line = text.slice(0, seg.start).split('\n').length;
      it(`${file}:${line}`, () => {
        const a = analyze(text.slice(seg.start, seg.end), { valuesOnly: true, readFile });
        expect(a.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
      });
    }
  }
});
