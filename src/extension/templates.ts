import residual from '../../examples/hw4-t1-residual.nn';
import mlp from '../../examples/hw4-t2-t3-mlp.nn';
import softmax from '../../examples/hw4-softmax-ce.nn';
import answers from '../../examples/hw4-answers.md';

/** Exercise templates (the project's examples/, embedded by esbuild's text loader). */
export interface Template {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly languageId: 'nn' | 'markdown';
  readonly text: string;
}

export const templates: readonly Template[] = [
  { id: 't1-graph', label: 'T1: computational graph', description: 'forward and backward pass of a residual connection', languageId: 'nn', text: residual },
  { id: 't2-t3-network', label: 'T2/T3: network sizes', description: 'output sizes and parameter counts of an MLP', languageId: 'nn', text: mlp },
  { id: 'softmax-ce', label: 'Softmax + cross-entropy', description: 'the gradient P − y, checked numerically', languageId: 'nn', text: softmax },
  { id: 'markdown-answers', label: 'Answers in Markdown', description: '```nn blocks in a homework write-up', languageId: 'markdown', text: answers },
];
