import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFull, type FullAnalysis } from '../../../src/core/index';
import { workedSolution, type SolutionOptions } from '../../../src/core/explain/solution';

export const ROOT = join(__dirname, '..', '..', '..');
export const GOLDEN_DIR = join(ROOT, 'test', 'golden', 'solution');

/** The examples with golden worked solutions, and the options each is rendered with. */
export const CASES: { readonly name: string; readonly file: string; readonly of?: string; readonly wrt?: string[] }[] = [
  { name: 'hw4-t1-residual', file: 'examples/hw4-t1-residual.nn' },
  { name: 'hw4-t2-t3-mlp', file: 'examples/hw4-t2-t3-mlp.nn' },
  { name: 'hw4-softmax-ce', file: 'examples/hw4-softmax-ce.nn' },
  { name: 'hw4-answers', file: 'examples/hw4-answers.md' },
  { name: 'hw4-t1-residual.of-z-wrt-x0', file: 'examples/hw4-t1-residual.nn', of: 'z', wrt: ['x0'] },
  { name: 'solution-tanh-sigmoid', file: 'examples/solution-tanh-sigmoid.nn' },
  { name: 'solution-fork', file: 'examples/solution-fork.nn' },
  { name: 'solution-ce4', file: 'examples/solution-ce4.nn' },
  { name: 'solution-cnn', file: 'examples/solution-cnn.nn' },
  { name: 'solution-mlp-batch-n', file: 'examples/solution-mlp-batch-n.nn' },
];

export function analyseExample(file: string): FullAnalysis {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return analyzeFull(text, { languageId: file.endsWith('.md') ? 'markdown' : 'nn' });
}

export function render(c: (typeof CASES)[number], format: SolutionOptions['format']): string {
  return workedSolution(analyseExample(c.file), { format, of: c.of, wrt: c.wrt, title: c.file.replace(/^.*\//, '') });
}

/** Every golden file's text, by file name. */
export function goldens(ext: '.md' | '.tex'): { name: string; text: string }[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(GOLDEN_DIR, f), 'utf8') }));
}

/** The formulas of a Markdown solution: `$$…$$` blocks and `$…$` spans (code spans skipped). */
export function markdownFormulas(md: string): { tex: string; display: boolean }[] {
  const out: { tex: string; display: boolean }[] = [];
  const noCode = md.replace(/```[\s\S]*?```/g, '').replace(/``[^`]*``|`[^`\n]*`/g, '');
  const rest = noCode.replace(/\$\$([\s\S]*?)\$\$/g, (_m, t: string) => {
    out.push({ tex: t.trim(), display: true });
    return '';
  });
  for (const m of rest.matchAll(/(?<!\\)\$([^$\n]+?)(?<!\\)\$/g)) out.push({ tex: m[1], display: false });
  return out;
}

/** The formulas of a LaTeX solution: align* bodies (as aligned), \[…\] and $…$. */
export function latexFormulas(tex: string): { tex: string; display: boolean }[] {
  const out: { tex: string; display: boolean }[] = [];
  const body = tex.slice(tex.indexOf('\\begin{document}'));
  let rest = body.replace(/\\begin\{align\*\}([\s\S]*?)\\end\{align\*\}/g, (_m, t: string) => {
    out.push({ tex: `\\begin{aligned}${t}\\end{aligned}`, display: true });
    return '';
  });
  rest = rest.replace(/\\\[([\s\S]*?)\\\]/g, (_m, t: string) => {
    out.push({ tex: t.trim(), display: true });
    return '';
  });
  for (const m of rest.matchAll(/(?<!\\)\$([^$]+?)(?<!\\)\$/g)) out.push({ tex: m[1], display: false });
  return out;
}
