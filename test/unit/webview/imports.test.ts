import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const dir = join(__dirname, '..', '..', '..', 'src', 'webview');

it('the webview imports shared/, its own modules, katex and @dagrejs/dagre only (never core or vscode)', () => {
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const src = readFileSync(join(dir, f), 'utf8');
    for (const m of src.matchAll(/^\s*import\s[^'"]*['"]([^'"]+)['"]/gm)) {
      expect(m[1], `${f} imports ${m[1]}`).toMatch(/^(\.\/[\w]+|\.\.\/shared\/protocol|katex|@dagrejs\/dagre)$/);
    }
    // User text goes through textContent; KaTeX builds its own DOM.
    expect(src, `${f} uses innerHTML`).not.toMatch(/\.innerHTML\s*=|insertAdjacentHTML|outerHTML\s*=/);
  }
});
