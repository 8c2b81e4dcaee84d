import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { goldens, latexFormulas, markdownFormulas } from './helpers';

const md = goldens('.md');
const tex = goldens('.tex');

describe('every formula of the golden worked solutions parses with KaTeX', () => {
  it('finds the goldens', () => {
    expect(md.length).toBeGreaterThanOrEqual(8);
    expect(tex.length).toBe(md.length);
  });
  for (const g of md)
    it(g.name, () => {
      const formulas = markdownFormulas(g.text);
      expect(formulas.length).toBeGreaterThan(0);
      for (const f of formulas) expect(() => katex.renderToString(f.tex, { throwOnError: true, displayMode: f.display }), f.tex).not.toThrow();
    });
  for (const g of tex)
    it(g.name, () => {
      const formulas = latexFormulas(g.text);
      expect(formulas.length).toBeGreaterThan(0);
      for (const f of formulas) expect(() => katex.renderToString(f.tex, { throwOnError: true, displayMode: f.display }), f.tex).not.toThrow();
    });
});
