import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldens } from './helpers';

function hasPdflatex(): boolean {
  try {
    execFileSync('pdflatex', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const available = hasPdflatex();
if (!available) console.warn('pdflatex is not installed: skipping the LaTeX compile tests (apt-get install texlive-latex-base texlive-latex-recommended)');

describe.skipIf(!available)('the .tex worked solutions compile with pdflatex (amsmath, amssymb only)', () => {
  for (const g of goldens('.tex'))
    it(g.name, () => {
      expect(g.text).not.toMatch(/\\usepackage\{(?!amsmath\}|amssymb\})/);
      const dir = mkdtempSync(join(tmpdir(), 'gradlens-tex-'));
      try {
        writeFileSync(join(dir, 'solution.tex'), g.text);
        const r = spawnSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', 'solution.tex'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
        const errors = (r.stdout ?? '').split('\n').filter((l) => l.startsWith('!'));
        expect(errors, r.stdout?.slice(-2000)).toEqual([]);
        expect(r.status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
});
