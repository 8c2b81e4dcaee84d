import type { Analysis, LayerInfo, SizeValue } from '../core/analysis';
import type { FullAnalysis } from '../core/index';
import { LineIndex } from '../core/span';
import { formatCount, formatNumber } from '../core/format';
import { derivationMarkdown } from '../core/explain/derive';
import { showValue } from '../core/explain/symbols';
import { formatSummary } from '../core/nets/index';
import { sparkline } from '../core/train/index';
import { cellAt, type NotebookProgram } from '../core/syntax/notebook';

/** A non-finite number becomes "NaN", "Infinity" or "-Infinity" (LANGUAGE.md §8). */
function num(x: number): number | string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return x;
}
const nums = (a: readonly number[]): (number | string)[] => a.map(num);

/**
 * Lines and positions as the JSON reports them: program lines for a file, and for a notebook
 * (docs/notebooks.md) the cell's index in the notebook with the line in that cell.
 */
function locator(li: LineIndex, notebook?: Pick<NotebookProgram, 'cells'>) {
  const cellOf = (line: number) => (notebook ? cellAt(notebook, li.lineStart(line)) : undefined);
  const at = (line: number): { line: number } | { cell: number | null; line: number } => {
    if (!notebook) return { line };
    const c = cellOf(line);
    return c ? { cell: c.cell, line: line - c.line } : { cell: null, line };
  };
  const pos = (offset: number): { line: number; character: number } | { cell: number | null; line: number; character: number } => {
    const p = li.position(offset);
    return { ...at(p.line), character: p.character };
  };
  return { at, pos };
}

/** The JSON of LANGUAGE.md §8: full precision, 0-based lines, UTF-16 characters. */
export function renderJson(file: string, text: string, a: Analysis, notebook?: Pick<NotebookProgram, 'cells'>): unknown {
  const li = new LineIndex(text);
  const { at, pos } = locator(li, notebook);
  const layer = (l: LayerInfo): unknown => ({
    index: l.index,
    label: l.label,
    type: l.type,
    ...at(l.line),
    inputShape: l.inputShape,
    outputShape: l.outputShape,
    outputSize: l.outputSize,
    params: l.params,
    paramFormula: l.paramFormula,
    macs: l.macs,
    multAdds: l.multAdds,
    ...(l.parameters ? { parameters: l.parameters } : {}),
    ...(l.buffers ? { buffers: l.buffers } : {}),
    ...(l.children ? { children: l.children.map(layer) } : {}),
  });
  return {
    version: 1,
    file,
    diagnostics: a.diagnostics.map((d) => ({
      severity: d.severity,
      code: d.code,
      message: d.message,
      range: { start: pos(d.span.start), end: pos(d.span.end) },
    })),
    values: a.values.map((v) => ({ name: v.name, ...at(v.line), shape: v.shape, data: nums(v.data) })),
    gradients: a.gradients.map((g) => ({ of: g.of, wrt: g.wrt, ...at(g.line), shape: g.shape, data: nums(g.data) })),
    checks: a.checks.map((c) => ({ of: c.of, wrt: c.wrt, ...at(c.line), maxRelError: num(c.maxRelError), passed: c.passed, kinks: c.kinks })),
    expectations: a.expectations.map((e) => ({
      ...at(e.line),
      passed: e.passed,
      maxError: num(e.maxError),
      // The misconceptions behind a failed answer (docs/misconceptions.md); the span is a range, as in `diagnostics`.
      diagnosis: (e.diagnosis ?? []).map((d) => ({
        code: d.code,
        message: d.message,
        ...(d.span ? { span: { start: li.position(d.span.start), end: li.position(d.span.end) } } : {}),
      })),
    })),
    networks: a.networks.map((n) => ({
      name: n.name,
      ...at(n.line),
      params: n.params,
      trainableParams: n.trainableParams,
      buffers: n.buffers,
      inputShape: n.inputShape,
      outputShape: n.outputShape,
      totalMacs: n.totalMacs,
      totalMultAdds: n.totalMultAdds,
      memory: n.memory,
      layers: n.layers.map(layer),
    })),
    ...(a.trainings?.length
      ? {
          trainings: a.trainings.map((t) => ({
            ...at(t.line),
            optimizer: t.optimizer,
            epochs: t.epochs,
            steps: t.steps,
            losses: nums(t.losses),
            metrics: nums(t.metrics),
            ...(t.stopped ? { stopped: t.stopped } : {}),
          })),
        }
      : {}),
    ...(a.prints?.length ? { prints: a.prints.map((p) => ({ ...at(p.line), text: p.text })) } : {}),
    // The grading marks (docs/grading.md): questions and answers with their status; the key only in a source.
    ...(a.assignment
      ? {
          assignment: {
            ...(a.assignment.name !== undefined ? { name: a.assignment.name } : {}),
            handout: a.assignment.handout,
            released: a.assignment.released,
            ...(a.assignment.student !== undefined ? { student: a.assignment.student } : {}),
            maxPoints: a.assignment.maxPoints,
            questions: a.assignment.questions.map((q) => ({
              id: q.id,
              points: q.points,
              carry: q.carry,
              ...at(q.line),
              answers: q.answers.map((x) => ({
                id: x.id,
                ...at(x.line),
                expr: x.exprText,
                ...(x.key ? { key: nums(x.key), keyShape: x.keyShape } : {}),
                tolerance: x.tolerance,
                ...(x.student !== undefined ? { student: x.student === 'blank' ? 'blank' : nums(x.student) } : {}),
                status: x.status,
                ...(x.diagnosis?.length ? { diagnosis: x.diagnosis.map((d) => ({ code: d.code, message: d.message })) } : {}),
              })),
            })),
          },
        }
      : {}),
    ...(a.stats.skipped ? { skipped: a.stats.skipped } : {}),
  };
}

const size = (v: SizeValue): string => (typeof v === 'number' ? formatCount(v) : v);

/** The readable report: values, gradients with derivations, checks, expectations, networks, problems. */
export function renderReport(file: string, text: string, full: FullAnalysis, digits: number, notebook?: Pick<NotebookProgram, 'cells'>): string {
  const a = full.analysis;
  const li = new LineIndex(text);
  const { at } = locator(li, notebook);
  const out: string[] = [`${file}`];
  const pad = (n: number): string => {
    const l = at(n);
    return 'cell' in l ? `cell ${String(l.cell ?? '?').padEnd(3)} line ${String(l.line + 1).padEnd(4)}` : `line ${String(n + 1).padEnd(4)}`;
  };
  if (a.values.length) {
    out.push('', 'Values');
    for (const v of a.values) {
      const t = { shape: v.shape, data: Float64Array.from(v.data) };
      const tag = v.isParam ? ' (param)' : '';
      out.push(`  ${pad(v.line)} ${v.name}${tag} = ${showValue(t, digits)}`);
    }
  }
  if (a.prints?.length) {
    out.push('', 'Printed');
    for (const p of a.prints) {
      const [first, ...rest] = p.text.split('\n');
      out.push(`  ${pad(p.line)} ${first}`, ...rest.map((r) => `  ${' '.repeat(pad(p.line).length)} ${r}`));
    }
  }
  if (a.gradients.length) {
    out.push('', 'Gradients');
    for (const g of a.gradients) {
      const t = { shape: g.shape, data: Float64Array.from(g.data) };
      out.push(`  ${pad(g.line)} ∂${g.of}/∂${g.wrt} = ${showValue(t, digits)}`);
    }
  }
  if (a.checks.length) {
    out.push('', 'Gradient checks (central differences)');
    for (const c of a.checks)
      out.push(
        `  ${pad(c.line)} ${c.passed ? '✓' : '✗'} ∂${c.of}/∂${c.wrt}  max relative error ${formatNumber(c.maxRelError, 2)}${c.kinks ? `, ${c.kinks} at a kink` : ''}`,
      );
  }
  if (a.expectations.length) {
    out.push('', 'Expectations');
    for (const e of a.expectations) {
      const l = e.left.data.length === 1 ? formatNumber(e.left.data[0], digits) : `[${e.left.shape.join(', ')}]`;
      out.push(`  ${pad(e.line)} ${e.passed ? '✓' : '✗'} ${e.left.text} == ${e.right.text}  (${l}; error ${formatNumber(e.maxError, 2)})`);
      for (const d of e.diagnosis ?? []) out.push(`  ${pad(e.line).replace(/./g, ' ')}   ↳ ${d.code}: ${d.message}`);
    }
  }
  for (const n of a.networks) {
    out.push('', formatSummary(n));
    out.push('', `Network ${n.name}: ${formatCount(n.params)} parameters${n.paramFormula ? ` = ${n.paramFormula}` : ''}`);
    const walk = (ls: LayerInfo[], indent: string): void => {
      for (const l of ls) {
        out.push(
          `  ${indent}${l.label ? l.label + ' = ' : ''}${l.type}: [${l.inputShape.join(', ')}] → [${l.outputShape.join(', ')}], size ${size(l.outputSize)}, params ${formatCount(l.params)}${l.params ? ` = ${l.paramFormula}` : ''}`,
        );
        if (l.children) walk(l.children, indent + '  ');
      }
    };
    walk(n.layers, '');
  }
  if (a.trainings?.length) {
    out.push('', 'Training');
    for (const t of a.trainings) {
      const last = (xs: readonly number[]): string => (xs.length ? formatNumber(xs[xs.length - 1], digits) : '—');
      const curve = t.losses.length > 1 ? t.losses : t.stepLosses;
      out.push(
        `  ${pad(t.line)} ${t.targets.join(', ')} with ${t.optimizer}: ${t.epochs} epoch${t.epochs === 1 ? '' : 's'}, ${t.steps} step${t.steps === 1 ? '' : 's'}` +
          `${t.batch ? ` (batch ${t.batch} of ${t.examples})` : ''} in ${formatNumber(t.ms / 1000, 3)} s`,
        `    loss ${last(t.losses)}${t.metrics.length ? `, metric ${last(t.metrics)}` : ''}   ${sparkline(curve)}`,
      );
      if (t.stopped) out.push(`    stopped early: ${t.stopped}`);
    }
  }
  if (full.derivations.length) {
    out.push('', 'Derivations');
    const seen = new Set<string>();
    for (const d of full.derivations) {
      const k = `${d.of}/${d.wrt}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push('', derivationMarkdown(d).replace(/^/gm, '  '));
    }
  }
  if (a.diagnostics.length) {
    out.push('', 'Problems');
    for (const d of a.diagnostics) {
      const p = li.position(d.span.start);
      const l = at(p.line);
      const where = 'cell' in l ? `${file} cell ${l.cell ?? '?'}:${l.line + 1}` : `${file}:${p.line + 1}`;
      out.push(`  ${where}:${p.character + 1} ${d.severity} [${d.code}] ${d.message}`);
    }
  }
  if (a.stats.skipped) out.push('', a.stats.skipped);
  return out.join('\n');
}
