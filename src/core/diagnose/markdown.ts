import type { ExpectationDiagnosis } from '../analysis';
import { mdCell, mdCode, mdText } from '../explain/escape';

/**
 * A failed expectation's diagnosis as Markdown (hovers, the "Show both sides" document): each
 * named misconception, and the correct step beside the one the misconception changes. The
 * messages quote the user's text, so everything is escaped (docs/security.md).
 */
export function diagnosisMarkdown(ds: readonly ExpectationDiagnosis[]): string {
  const out: string[] = [];
  for (const d of ds) {
    out.push(d.code === 'carried-forward' ? '**Carried forward**' : `**Misconception: ${mdCode(d.code)}**`, '', mdText(d.message.replace(/ \(misconception: [a-z-]+\)\.$/, '.')), '');
    if (d.step)
      out.push('| | step |', '|---|---|', `| correct | ${mdCell(d.step.correct)} |`, `| ${d.code === 'carried-forward' ? 'from your answers' : 'as the misconception has it'} | ${mdCell(d.step.changed)} |`, '');
  }
  return out.join('\n').trimEnd();
}
