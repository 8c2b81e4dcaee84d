/**
 * Text for CodeLens, inlay hints, the status bar and the detail documents. Pure functions of an
 * Analysis (no vscode import), so unit tests can pin the wording.
 */
import type {
  Analysis,
  AnswerInfo,
  CheckInfo,
  ExpectationInfo,
  GradientInfo,
  LayerInfo,
  NetworkInfo,
  SizeValue,
  TrainingInfo,
  ValueInfo,
  DataSummary,
} from '../core/analysis';
import { mdCode, mdText } from '../core/explain/escape';
import { float32Differs, formatBytes, formatCount, formatNumber } from '../core/format';
import { diagnosisMarkdown } from '../core/diagnose/markdown';
import { previewTensor } from '../core/tensor/preview';
import { toleranceText } from '../core/assign/tolerance';

const PREVIEW = 6;

export function formatShape(shape: readonly SizeValue[]): string {
  return `[${shape.map((d) => (typeof d === 'number' ? String(d) : d)).join(', ')}]`;
}

export function formatSize(n: SizeValue): string {
  return typeof n === 'number' ? formatCount(n) : n;
}

/** `0.62`; `[3] [2, 1, 0.1]`; `[32, 1024] [0.1, -0.3, …]` (shape, then the first elements). */
export function formatValue(shape: readonly number[], data: readonly number[], digits: number): string {
  if (shape.length === 0) return data.length ? formatNumber(data[0], digits) : '?';
  const shown = data.slice(0, PREVIEW).map((x) => formatNumber(x, digits));
  if (data.length > PREVIEW) shown.push('…');
  return `${formatShape(shape)} [${shown.join(', ')}]`;
}

/** `min −1.2, max 3.4, mean 0.5` of a preview's statistics (and how many elements are NaN or infinite). */
export function formatSummary(s: DataSummary, digits: number): string {
  const parts = [`min ${formatNumber(s.min, digits)}`, `max ${formatNumber(s.max, digits)}`, `mean ${formatNumber(s.mean, digits)}`];
  if (s.nonFinite) parts.push(`${formatCount(s.nonFinite)} NaN or infinite`);
  return parts.join(', ');
}

/**
 * A tensor written out in full (nested brackets), for detail documents. Past `maxElements`, the
 * first and last three entries of each axis (numpy's summarisation). `summary`: `data` is only a
 * preview (its first elements; the full data could not be fetched), with these statistics.
 */
export function formatTensorFull(shape: readonly number[], data: readonly number[], digits: number, maxElements = 400, summary?: DataSummary): string {
  if (shape.length === 0) return data.length ? formatNumber(data[0], digits) : '?';
  const count = shape.reduce((a, b) => a * b, 1);
  if (summary || data.length < count) return `${formatValue(shape, data, digits)}  (${formatCount(count)} elements${summary ? `; ${formatSummary(summary, digits)}` : ''})`;
  if (count > maxElements) return `${previewTensor({ shape: [...shape], data: Float64Array.from(data) }, { digits, maxElements, edgeItems: 3 })}  (${formatCount(count)} elements)`;
  const strides: number[] = [];
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const walk = (axis: number, offset: number, indent: string): string => {
    if (axis === shape.length - 1) {
      const row: string[] = [];
      for (let i = 0; i < shape[axis]; i++) row.push(formatNumber(data[offset + i], digits));
      return `[${row.join(', ')}]`;
    }
    const parts: string[] = [];
    for (let i = 0; i < shape[axis]; i++) parts.push(walk(axis + 1, offset + i * strides[axis], indent + ' '));
    return `[${parts.join(`,\n${indent} `)}]`;
  };
  return walk(0, 0, '');
}

export function gradientName(of: string, wrt: string): string {
  return `∂${of}/∂${wrt}`;
}

type BindingGradient = NonNullable<ValueInfo['grads']>[number];

/**
 * The gradients requested of a binding: `ValueInfo.grads` when the core fills it, otherwise the
 * `grad` results whose `wrt` names this binding (the latest binding of that name before the grad line).
 */
export function gradientsOf(a: Analysis, index: number): BindingGradient[] {
  const v = a.values[index];
  if (v.grads?.length) return v.grads;
  return a.gradients
    .filter((g) => g.wrt === v.name && g.line >= v.line)
    .filter((g) => !a.values.some((w, j) => j !== index && w.name === v.name && w.line > v.line && w.line <= g.line))
    .map((g) => ({ of: g.of, shape: g.shape, data: g.data }));
}

export function valueLens(v: ValueInfo, digits: number, gradients: readonly BindingGradient[] = v.grads ?? [], literal = false): string {
  // A literal's value is on its line already: only its gradients.
  if (literal && gradients.length) return gradients.map((g) => `${gradientName(g.of, v.name)} = ${formatValue(g.shape, g.data, digits)}`).join('   ');
  let text = `${v.isParam ? 'param ' : ''}${v.name} = ${formatValue(v.shape, v.data, digits)}`;
  if (gradients.length) text += '   ' + gradients.map((g) => `${gradientName(g.of, v.name)} = ${formatValue(g.shape, g.data, digits)}`).join('   ');
  return text;
}

export function gradientLens(g: GradientInfo, digits: number): string {
  return `${gradientName(g.of, g.wrt)} = ${formatValue(g.shape, g.data, digits)}`;
}

export function checkLens(c: CheckInfo): string {
  const kinks = c.kinks ? `, ${c.kinks} at a kink` : '';
  const err = formatNumber(c.maxRelError, 2);
  return c.passed
    ? `✓ check ${gradientName(c.of, c.wrt)}: rel. error ${err}${kinks}`
    : `✗ check ${gradientName(c.of, c.wrt)}: rel. error ${err} > ${formatNumber(c.tolerance, 2)}${kinks}`;
}

export function expectationLens(e: ExpectationInfo, digits: number): string {
  if (e.passed) return `✓ holds (error ${formatNumber(e.maxError, 2)})`;
  return `✗ ${e.left.text} = ${formatValue(e.left.shape, e.left.data, digits)}, expected ${formatValue(e.right.shape, e.right.data, digits)} (error ${formatNumber(e.maxError, 2)})`;
}

/**
 * An answer line of the instructor's source or of a variant (answers not hidden): its key beside it,
 * `key T1.2 = -0.2 · tolerance rel 0.01`; an answer given with `==` is checked against it,
 * `✗ T1.2 = 0.2, key -0.2 · sign-flip`.
 */
export function answerLens(ans: AnswerInfo, digits: number): string {
  const key = ans.key ? formatValue(ans.keyShape ?? [], ans.key, digits) : '?';
  if (ans.student === undefined) return `key ${ans.id} = ${key} · ${toleranceText(ans.tolerance)}`;
  if (ans.student === 'blank') return `○ ${ans.id} blank · key ${key}`;
  const given = formatValue(ans.student.length === 1 ? [] : [ans.student.length], ans.student, digits);
  const named = ans.status === 'wrong' && ans.diagnosis?.length ? ` · ${ans.diagnosis.map((d) => d.code).join(' or ')}` : '';
  return `${ans.status === 'correct' ? '✓' : ans.status === 'wrong' ? '✗' : '·'} ${ans.id} = ${given}, key ${key}${named}`;
}

export function layerLens(l: LayerInfo): string {
  const name = l.label ? `${l.label}: ${l.type}` : l.type;
  const params = l.params ? ` · ${formatCount(l.params)} params${l.paramFormula && l.paramFormula !== String(l.params) ? ` = ${l.paramFormula}` : ''}` : ' · no params';
  return `${name} → ${formatShape(l.outputShape)} · ${formatSize(l.outputSize)} values${params}`;
}

/** `trained 5 epochs · loss 0.0821 · metric 0.9714 · 1.2 s` (or why it stopped). */
export function trainingLens(t: TrainingInfo, digits: number): string {
  const parts = [`trained ${t.epochs} epoch${t.epochs === 1 ? '' : 's'} (${formatCount(t.steps)} step${t.steps === 1 ? '' : 's'})`];
  const loss = t.losses[t.losses.length - 1];
  if (loss !== undefined) parts.push(`loss ${formatNumber(loss, digits)}`);
  const metric = t.metrics[t.metrics.length - 1];
  if (metric !== undefined) parts.push(`metric ${formatNumber(metric, digits)}`);
  // A training whose worker was terminated (a stop that did not end in time) has no measured time: ms is 0.
  if (t.ms > 0) parts.push(t.ms >= 1000 ? `${(t.ms / 1000).toFixed(1)} s` : `${Math.round(t.ms)} ms`);
  return `${t.stopped ? '⚠ ' : ''}${parts.join(' · ')}${t.stopped ? ` · stopped: ${t.stopped}` : ''}`;
}

/** A training that stopped early for a reason that running longer would lift (time, budget, Stop Training): offer "Train fully". */
export function trainFullyOffered(t: TrainingInfo): boolean {
  return t.stopped !== undefined && /time limit|budget|by the user/.test(t.stopped);
}

/**
 * Whether a binding's value is just what its line says (`x0 = 1.0`, `param w0 = -0.3`): its
 * lens then shows only the gradients asked of it, and inline values leave it alone.
 */
export function isLiteralBinding(statement: string): boolean {
  return /^\s*(?:param\s+)?[^=]+=\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(?:#.*)?$/.test(statement);
}

/** A print's text on one lens line: its lines joined by ⏎, cut at 120 characters. */
export function printLens(text: string): string {
  const one = `▸ ${text.split('\n').map((l) => l.trim()).join(' ⏎ ')}`;
  return one.length > 120 ? `${one.slice(0, 119)}…` : one;
}

export function networkLens(n: NetworkInfo): string {
  return `${n.name}: ${formatCount(n.params)} params · ${formatShape(n.inputShape)} → ${formatShape(n.outputShape)} · ${formatSize(n.totalMacs)} MACs`;
}

/** Status bar text and tooltip for a document's analysis (undefined: nothing worth showing). */
export function statusSummary(a: Analysis): { text: string; tooltip: string; failed: boolean } | undefined {
  const parts: string[] = [];
  const tips: string[] = [];
  let failed = false;
  if (a.networks.length) {
    const total = a.networks.reduce((s, n) => s + n.params, 0);
    parts.push(`${formatCount(total)} params`);
    for (const n of a.networks) tips.push(`${n.name}: ${formatCount(n.params)} parameters`);
  }
  const results = [...a.checks.map((c) => c.passed), ...a.expectations.map((e) => e.passed)];
  if (results.length) {
    const ok = results.filter(Boolean).length;
    failed = ok < results.length;
    parts.push(`${failed ? '✗' : '✓'} ${ok}/${results.length}`);
    tips.push(`${a.checks.filter((c) => c.passed).length}/${a.checks.length} gradient checks and ${a.expectations.filter((e) => e.passed).length}/${a.expectations.length} expectations hold`);
  }
  // An assignment's answer lines (issue #14): how many are right so far. Statuses are no secret in a handout.
  const answers = (a.assignment?.questions ?? []).flatMap((q) => q.answers);
  const checked = answers.filter((x) => x.status === 'correct' || x.status === 'wrong');
  if (checked.length) {
    const ok = checked.filter((x) => x.status === 'correct').length;
    failed ||= ok < checked.length;
    parts.push(`answers ${ok}/${answers.length}`);
    tips.push(`${ok} of ${answers.length} answers right, ${checked.length - ok} wrong, ${answers.length - checked.length} blank or unchecked`);
  }
  if (a.stats.skipped) {
    parts.push('budget');
    tips.push(`Stopped by the work budget: ${a.stats.skipped}`);
  }
  if (!parts.length) return undefined;
  return { text: parts.join(' · '), tooltip: tips.join('\n'), failed };
}

// ---- detail documents (Markdown) ----------------------------------------------------------

export function gradientMarkdown(g: GradientInfo, digits: number): string {
  const value = `${gradientName(g.of, g.wrt)} = ${formatValue(g.shape, g.data, digits)}`;
  // The core's derivation starts with the result itself; without one, state the value.
  const body = g.derivation?.trim() ? g.derivation.trim() : `**${value}** (line ${g.line + 1})\n\n_No derivation was produced for this gradient._`;
  const full = g.shape.length ? `\n\n## Value\n\n\`\`\`text\n${formatTensorFull(g.shape, g.data, digits, 400, g.summary)}\n\`\`\`` : '';
  // The Markdown preview renders $$ … $$ with KaTeX (VS Code's built-in markdown-math): the
  // derivation as math first, then as text.
  const tex = g.derivationTex?.trim() ? `$$\n\\begin{aligned}\n${g.derivationTex.trim()}\n\\end{aligned}\n$$\n\n## As text\n\n` : '';
  return `# ${gradientName(g.of, g.wrt)}\n\n${tex}${body}${full}\n`;
}

/** The derivation as LaTeX for a homework: display math around the core's `aligned` body; undefined without one. */
export function derivationLatex(g: GradientInfo): string | undefined {
  const tex = g.derivationTex?.trim();
  return tex ? `\\[\n\\begin{aligned}\n${tex}\n\\end{aligned}\n\\]\n` : undefined;
}

export function valueMarkdown(v: ValueInfo, gradients: readonly GradientInfo[], digits: number): string {
  let md = `# ${v.name}\n\n${v.isParam ? 'A learnable parameter' : v.isLeaf ? 'A leaf' : 'An intermediate value'}, shape ${formatShape(v.shape)}, line ${v.line + 1}.\n\n\`\`\`text\n${formatTensorFull(v.shape, v.data, digits, 400, v.summary)}\n\`\`\`\n`;
  for (const g of v.grads ?? []) md += `\n## ${gradientName(g.of, v.name)}\n\n\`\`\`text\n${formatTensorFull(g.shape, g.data, digits, 400, g.summary)}\n\`\`\`\n`;
  for (const g of gradients.filter((g) => g.wrt === v.name)) if (g.derivation) md += `\n## Derivation of ${gradientName(g.of, g.wrt)}\n\n${g.derivation.trim()}\n`;
  return md;
}

export function expectationMarkdown(e: ExpectationInfo, digits: number): string {
  return [
    `# expect ${mdText(`${e.left.text} == ${e.right.text}`)}`,
    '',
    `${e.passed ? '✓ Holds' : '✗ Does not hold'}: largest |L − R| / max(1, |R|) = ${formatNumber(e.maxError, 3)}, tolerance ${formatNumber(e.tolerance, 3)} (line ${e.line + 1}).`,
    '',
    `## Left: ${mdCode(e.left.text)}`,
    '```text',
    formatTensorFull(e.left.shape, e.left.data, digits, 400, e.left.summary),
    '```',
    `## Right: ${mdCode(e.right.text)}`,
    '```text',
    formatTensorFull(e.right.shape, e.right.data, digits, 400, e.right.summary),
    '```',
    '',
    ...(e.diagnosis?.length ? ['## Why this answer', '', diagnosisMarkdown(e.diagnosis), ''] : []),
  ].join('\n');
}

export function checkMarkdown(c: CheckInfo, gradient: GradientInfo | undefined, digits: number): string {
  const lines = [
    `# Gradient check of ${gradientName(c.of, c.wrt)}`,
    '',
    `${c.passed ? '✓ Passed' : '✗ Failed'}: largest relative error |a − n| / max(|a|, |n|) = ${formatNumber(c.maxRelError, 3)}, tolerance ${formatNumber(c.tolerance, 3)}` +
      `${c.kinks ? `; ${c.kinks} element(s) at a kink, not counted` : ''} (line ${c.line + 1}).`,
    '',
    'The analytic gradient is compared with central differences in float64, step h = 1e-6·max(1, |x|).',
  ];
  if (gradient) lines.push('', gradientMarkdown(gradient, digits).replace(/^# /, '## '));
  return lines.join('\n') + '\n';
}

function layerRows(layers: readonly LayerInfo[], depth: number, rows: string[]): void {
  for (const l of layers) {
    const name = `${'  '.repeat(depth)}${l.index}${l.label ? ` (${l.label})` : ''} ${l.type}`;
    rows.push(
      `| ${name} | ${formatShape(l.inputShape)} | ${formatShape(l.outputShape)} | ${formatSize(l.outputSize)} | ${formatCount(l.params)} | ${l.paramFormula || '—'} | ${formatSize(l.macs)} |`,
    );
    if (l.children) layerRows(l.children, depth + 1, rows);
  }
}

export function networkMarkdown(n: NetworkInfo): string {
  const rows = ['| layer | input | output | output size | params | formula | MACs |', '|---|---|---|---|---|---|---|'];
  layerRows(n.layers, 0, rows);
  return [
    `# network ${n.name}`,
    '',
    rows.join('\n'),
    '',
    `- **Parameters:** ${formatCount(n.params)}${n.paramFormula ? ` = ${n.paramFormula}` : ''} (trainable ${formatCount(n.trainableParams)})`,
    `- **Buffers:** ${formatCount(n.buffers)}`,
    `- **MACs:** ${formatSize(n.totalMacs)} (Mult-Adds with bias: ${formatSize(n.totalMultAdds)})`,
    `- **Memory, float32:** parameters ${formatBytes(n.memory.float32.params)}, activations ${typeof n.memory.float32.activations === 'number' ? formatBytes(n.memory.float32.activations) : n.memory.float32.activations}`,
    `- **Memory, float64:** parameters ${formatBytes(n.memory.float64.params)}, activations ${typeof n.memory.float64.activations === 'number' ? formatBytes(n.memory.float64.activations) : n.memory.float64.activations}`,
    '',
  ].join('\n');
}

/**
 * For a PyTorch tensor (float32 in PyTorch, float64 here): a note when float32 would show other
 * digits at the displayed precision, with PyTorch's digits for the first elements that differ.
 */
export function float32Note(a: Analysis, span: { start: number; end: number }, digits: number): string | undefined {
  const v = a.values.find((x) => x.dtype === 'float32' && x.nameSpan.start === span.start && x.nameSpan.end === span.end);
  if (!v) return undefined;
  const differing = v.data.map((x, i) => [x, i] as const).filter(([x]) => float32Differs(x, digits));
  if (!differing.length) return undefined;
  const shown = differing
    .slice(0, 3)
    .map(([x, i]) => `${v.data.length > 1 ? `[${i}] ` : ''}${formatNumber(Math.fround(x), digits)} (here ${formatNumber(x, digits)})`)
    .join(', ');
  const more = differing.length > 3 ? `, and ${differing.length - 3} more` : '';
  return `_PyTorch keeps this tensor in float32 and would show ${shown}${more}: GradLens computes in float64._`;
}
