/**
 * The worked solution's document model and its two renderings: Markdown (math as `$…$` and
 * `$$\begin{aligned}…\end{aligned}$$`, which KaTeX, VS Code's preview and GitHub render) and a
 * standalone LaTeX document (amsmath and amssymb only, compiles with pdflatex).
 *
 * Every formula is LaTeX in both formats; only the prose around it differs.
 */

/** A piece of running text. */
export type Inline =
  | string
  | { readonly m: string } /** inline math (LaTeX) */
  | { readonly code: string } /** source text, as written */
  | { readonly b: string } /** bold prose */
  | { readonly ok: boolean }; /** ✓ / ✗ */

export type Block =
  | { readonly kind: 'heading'; readonly level: 1 | 2 | 3; readonly text: Inline[] }
  | { readonly kind: 'para'; readonly text: Inline[] }
  /** Rows of an aligned display (each row a LaTeX string with one `&`). */
  | { readonly kind: 'align'; readonly rows: string[] }
  /** One display formula without alignment. */
  | { readonly kind: 'display'; readonly tex: string }
  | { readonly kind: 'list'; readonly items: Inline[][] }
  /** Verbatim lines (tensor backpropagation recurrences, diagnostics). */
  | { readonly kind: 'code'; readonly lines: string[] };

import { mdCode, mdFence, mdText, texText } from '../escape';

export const m = (tex: string): Inline => ({ m: tex });
export const code = (s: string): Inline => ({ code: s });
export const bold = (s: string): Inline => ({ b: s });

// ---- Markdown -----------------------------------------------------------------------------

function mdInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return mdText(p);
      if ('m' in p) return `$${p.m}$`;
      if ('code' in p) return mdCode(p.code);
      if ('b' in p) return `**${mdText(p.b)}**`;
      return p.ok ? '✓' : '✗';
    })
    .join('');
}

export function renderMarkdown(blocks: readonly Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(`${'#'.repeat(b.level)} ${mdInline(b.text)}`);
        break;
      case 'para':
        out.push(mdInline(b.text));
        break;
      case 'align':
        out.push(['$$', '\\begin{aligned}', b.rows.join(' \\\\\n'), '\\end{aligned}', '$$'].join('\n'));
        break;
      case 'display':
        out.push(['$$', b.tex, '$$'].join('\n'));
        break;
      case 'list':
        out.push(b.items.map((it) => `- ${mdInline(it)}`).join('\n'));
        break;
      case 'code':
        out.push(mdFence(b.lines));
        break;
    }
  }
  return out.join('\n\n') + '\n';
}

// ---- LaTeX --------------------------------------------------------------------------------

export { texText } from '../escape';

function texInline(parts: readonly Inline[]): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return texText(p);
      if ('m' in p) return `$${p.m}$`;
      if ('code' in p) return `\\texttt{${texText(p.code)}}`;
      if ('b' in p) return `\\textbf{${texText(p.b)}}`;
      return p.ok ? '$\\checkmark$' : '$\\times$';
    })
    .join('');
}

export function renderLatex(blocks: readonly Block[], title: string): string {
  const out: string[] = [
    '\\documentclass[11pt]{article}',
    '\\usepackage{amsmath}',
    '\\usepackage{amssymb}',
    '\\allowdisplaybreaks',
    '\\setlength{\\parindent}{0pt}',
    '\\setlength{\\parskip}{0.6em}',
    `\\title{${texText(title)}}`,
    '\\date{}',
    '\\begin{document}',
    '\\maketitle',
    '',
  ];
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        // Level 1 is the document's title (printed by \maketitle).
        if (b.level === 1) continue;
        out.push(`\\${b.level === 2 ? 'section' : 'subsection'}*{${texInline(b.text)}}`);
        break;
      case 'para':
        out.push(texInline(b.text));
        break;
      case 'align':
        out.push(['\\begin{align*}', b.rows.join(' \\\\\n'), '\\end{align*}'].join('\n'));
        break;
      case 'display':
        out.push(['\\[', b.tex, '\\]'].join('\n'));
        break;
      case 'list':
        out.push(['\\begin{itemize}', ...b.items.map((it) => `  \\item ${texInline(it)}`), '\\end{itemize}'].join('\n'));
        break;
      case 'code':
        out.push(['\\begin{quote}\\small', b.lines.map((l) => `\\texttt{${texText(l)}}`).join('\\\\\n'), '\\end{quote}'].join('\n'));
        break;
    }
    out.push('');
  }
  out.push('\\end{document}');
  return out.join('\n') + '\n';
}
