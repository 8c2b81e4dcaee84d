/**
 * The panel's view model: an Analysis (plus where it came from) → PanelState, with every number
 * formatted at the user's precision. Pure (no vscode import), unit-tested in
 * test/unit/extension/panelModel.test.ts.
 */
import type { Analysis, ExpectationDiagnosis, GraphOp, LayerInfo, NetworkInfo, SizeValue } from '../core/analysis';
import { formatBytes, formatCount, formatNumber } from '../core/format';
import type { PanelLayerRow, PanelLiveTraining, PanelMisconception, PanelNetwork, PanelNode, PanelOp, PanelQuestion, PanelState } from '../shared/protocol';
import { HIDDEN, type ShownAnalysis } from './hiddenAnswers';
import { toleranceText } from '../core/assign/tolerance';
import type { LiveTraining } from './progressModel';
import { formatShape, formatSize, formatValue, gradientName } from './render';

export interface PanelSource {
  readonly file: string;
  readonly uri: string;
  readonly version: number;
  /** 0-based line of an offset into the analysed text. */
  readonly lineOf: (offset: number) => number;
}

export function emptyPanelState(): PanelState {
  return { file: null, uri: null, version: 0, graph: { nodes: [], edges: [] }, gradients: [], checks: [], problems: [], networks: [], trainings: [] };
}

export function buildPanelState(a: ShownAnalysis, source: PanelSource, digits: number): PanelState {
  const seen = new Map<string, number>();
  const hasInput = new Set(a.graph.edges.map((e) => e.to));
  const nodes: PanelNode[] = a.graph.nodes.map((n) => {
    const k = seen.get(n.name) ?? 0;
    seen.set(n.name, k + 1);
    return {
      id: n.id,
      key: `${n.name}#${k}`,
      name: n.name,
      op: n.op,
      line: n.line,
      shape: n.shape,
      // A value hidden as an answer (hiddenAnswers.ts) arrives without data.
      value: n.value.length === 0 && n.shape.every((d) => d > 0) ? HIDDEN : formatValue(n.shape, n.value, digits),
      ...(n.grad ? { grad: formatValue(n.shape, n.grad, digits) } : {}),
      ...(n.grads ? { grads: n.grads.map((g) => ({ of: g.of, value: formatValue(n.shape, g.data, digits) })) } : {}),
      kind: n.isParam ? 'param' : hasInput.has(n.id) ? 'op' : 'leaf',
      ...(n.ops ? { ops: n.ops.map((o) => opModel(o, digits)) } : {}),
    };
  });
  const edges = a.graph.edges.map((e) => ({
    from: e.from,
    to: e.to,
    ...(e.local !== undefined ? { local: e.local } : {}),
    ...(e.localValue !== undefined ? { localValue: formatNumber(e.localValue, digits) } : {}),
  }));
  return {
    file: source.file,
    uri: source.uri,
    version: source.version,
    graph: { nodes, edges },
    gradients: a.gradients.map((g) => ({
      of: g.of,
      wrt: g.wrt,
      line: g.line,
      value: formatValue(g.shape, g.data, digits),
      ...(g.derivationTex ? { tex: g.derivationTex } : {}),
      ...(g.derivation ? { markdown: g.derivation } : {}),
      ...misconceptionsOf(a, `grad(${g.of},${g.wrt})`),
    })),
    checks: [
      ...a.checks.map((c) => ({
        kind: 'check' as const,
        line: c.line,
        passed: c.passed,
        label: `check ${gradientName(c.of, c.wrt)}`,
        detail: `rel. error ${formatNumber(c.maxRelError, 2)} ${c.passed ? '≤' : '>'} ${formatNumber(c.tolerance, 2)}${c.kinks ? `, ${c.kinks} at a kink` : ''}`,
      })),
      ...a.expectations.map((e) => ({
        kind: 'expect' as const,
        line: e.line,
        passed: e.passed,
        label: `expect ${e.left.text} == ${e.right.text}`,
        detail: e.passed
          ? `error ${formatNumber(e.maxError, 2)}`
          : `${formatValue(e.left.shape, e.left.data, digits)} ≠ ${formatValue(e.right.shape, e.right.data, digits)} (error ${formatNumber(e.maxError, 2)} > ${formatNumber(e.tolerance, 2)})`,
        ...(e.diagnosis?.length ? { misconceptions: e.diagnosis.map(panelMisconception) } : {}),
      })),
    ].sort((x, y) => x.line - y.line),
    problems: a.diagnostics
      .filter((d) => d.code !== 'check.failed' && d.code !== 'expect.failed')
      .map((d) => ({ line: source.lineOf(d.span.start), severity: d.severity, code: d.code, message: d.message })),
    networks: a.networks.map(networkModel),
    ...(a.assignment?.questions.length ? { questions: questionsModel(a, digits) } : {}),
    ...(a.hidden ? { hiddenNote: a.hidden.message } : {}),
    trainings: (a.trainings ?? []).map((t) => ({
      line: t.line,
      targets: t.targets,
      optimizer: t.optimizer,
      losses: t.losses,
      metrics: t.metrics,
      epochs: t.epochs,
      steps: t.steps,
      ms: t.ms,
      ...(t.stopped ? { stopped: t.stopped } : {}),
    })),
  };
}

/** The questions with each answer's status and (for the instructor: answers not hidden) its key. */
function questionsModel(a: ShownAnalysis, digits: number): PanelQuestion[] {
  return a.assignment!.questions.map((q) => ({
    id: q.id,
    points: q.points,
    line: q.line,
    answers: q.answers.map((x) => ({
      id: x.id,
      line: x.line,
      expr: x.exprText,
      status: x.status,
      ...(x.key && !a.hidden ? { key: `${formatValue(x.keyShape ?? [], x.key, digits)} · ${toleranceText(x.tolerance)}` } : {}),
      ...(x.status === 'wrong' && x.diagnosis?.length ? { misconceptions: x.diagnosis.map((d) => d.code) } : {}),
    })),
  }));
}

function panelMisconception(d: ExpectationDiagnosis): PanelMisconception {
  return { code: d.code, message: d.message, ...(d.step ? { correct: d.step.correct, changed: d.step.changed } : {}) };
}

/** The misconceptions of failed `expect grad(of, wrt) == …` lines, for that gradient's derivation. */
function misconceptionsOf(a: Analysis, grad: string): { misconceptions?: PanelMisconception[] } {
  const list = a.expectations.filter((e) => e.diagnosis?.length && e.left.text.replace(/\s+/g, '') === grad).flatMap((e) => e.diagnosis!.map(panelMisconception));
  return list.length ? { misconceptions: list } : {};
}

/** The panel's view of the trainings of a running job (the one reporting now is `running`). */
export function liveTrainingsModel(trainings: readonly LiveTraining[], current: number | undefined, targetsAt: (line: number) => string): PanelLiveTraining[] {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return trainings.map((t) => ({
    line: t.line,
    targets: targetsAt(t.line),
    epoch: t.epoch,
    epochs: t.epochs,
    steps: t.steps,
    losses: t.losses.map(finite),
    metrics: t.metrics.map(finite),
    running: t.line === current,
  }));
}

function opModel(o: GraphOp, digits: number): PanelOp {
  return {
    op: o.op,
    kind: o.kind,
    value: o.value ? formatValue(o.shape, o.value, digits) : formatShape(o.shape),
    ...(o.grad ? { grad: formatValue(o.shape, o.grad, digits) } : {}),
    inputs: o.inputs.map((i) => ('op' in i ? { op: i.op } : { node: i.node })),
  };
}

const memory = (m: { params: number; activations: SizeValue }): string =>
  `parameters ${formatBytes(m.params)}, activations ${typeof m.activations === 'number' ? formatBytes(m.activations) : m.activations}`;

function networkModel(n: NetworkInfo): PanelNetwork {
  const rows: PanelLayerRow[] = [];
  const walk = (layers: readonly LayerInfo[], depth: number) => {
    for (const l of layers) {
      rows.push({
        depth,
        index: l.index,
        label: l.label,
        type: l.type,
        line: l.line,
        input: formatShape(l.inputShape),
        output: formatShape(l.outputShape),
        params: formatCount(l.params),
        formula: l.paramFormula && l.paramFormula !== String(l.params) ? l.paramFormula : '',
        macs: formatSize(l.macs),
      });
      if (l.children) walk(l.children, depth + 1);
    }
  };
  walk(n.layers, 0);
  return {
    name: n.name,
    line: n.line,
    input: formatShape(n.inputShape),
    output: formatShape(n.outputShape),
    rows,
    totals: {
      params: formatCount(n.params),
      trainable: formatCount(n.trainableParams),
      formula: n.paramFormula,
      buffers: formatCount(n.buffers),
      macs: formatSize(n.totalMacs),
      multAdds: formatSize(n.totalMultAdds),
      memory32: memory(n.memory.float32),
      memory64: memory(n.memory.float64),
    },
  };
}
