import type { ExpectationDiagnosis } from '../analysis';

/** A table cell: one line, pipes escaped. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * A failed expectation's diagnosis as Markdown (hovers, the "Show both sides" document): each
 * named misconception, and the correct step beside the one the misconception changes.
 */
export function diagnosisMarkdown(ds: readonly ExpectationDiagnosis[]): string {
  const out: string[] = [];
  for (const d of ds) {
    out.push(d.code === 'carried-forward' ? '**Carried forward**' : `**Misconception: \`${d.code}\`**`, '', d.message.replace(/ \(misconception: [a-z-]+\)\.$/, '.'), '');
    if (d.step) out.push('| | step |', '|---|---|', `| correct | ${cell(d.step.correct)} |`, `| ${d.code === 'carried-forward' ? 'from your answers' : 'as the misconception has it'} | ${cell(d.step.changed)} |`, '');
  }
  return out.join('\n').trimEnd();
}
