/**
 * "Answers hidden" (issue #14): what the editor shows of an analysis when the quantities a
 * question asks for must not be given away — in a student's handout (the core's
 * `assignment.handout` flag, whatever the settings say) or with `gradlens.answersHidden` on.
 *
 * `redactAnalysis` returns a copy of the analysis from which those quantities are gone: `grad`
 * results and their derivations, the values of answer lines and of bindings computed from a
 * gradient, both sides of `expect`, the counts a `params(…)`/`size(…)` question asks for, the
 * gradients in hovers, the panel's graph and the failure messages. The student's own lines keep
 * their values, shapes and errors. Each removed item leaves a placeholder (`hidden.items`) whose
 * text says why; answer lines get ✓/✗ marks (`hidden.answers`). CodeLens, hovers, inlay hints,
 * diagnostics, the panel and the detail documents all read the copy, so no provider can show
 * what it did not get. Pure (no vscode import): unit-tested in test/unit/extension/hiddenAnswers.test.ts.
 */
import type { Analysis, AnswerInfo, AssignmentInfo, ExpectationDiagnosis, GraphEdge, GraphNode, GraphOp, LayerInfo, NetworkInfo, SymbolInfo, ValueInfo } from '../core/analysis';
import type { Diagnostic } from '../core/diagnostics';
import { mdText } from '../core/explain/escape';
import type { Span } from '../core/span';

/** Why answers are hidden: the document is a handout, or the user's setting says so. */
export interface HiddenMode {
  readonly reason: 'handout' | 'setting';
  /** The instructor released the worked solutions (the handout's release flag). */
  readonly released: boolean;
  /** The handout's student id, when it names one. */
  readonly student?: string;
}

/** A removed item's placeholder: a CodeLens above it and a hover on it say what is hidden and why. */
export interface HiddenItem {
  readonly span: Span;
  readonly line: number;
  /** `∂z/∂w0 = ▢`, `x1 = ▢`. */
  readonly title: string;
}

/** The ✓/✗ of one answer line (a handout's answer, or an `expect` line). */
export interface AnswerMark {
  readonly span: Span;
  readonly line: number;
  readonly status: 'correct' | 'wrong' | 'blank' | 'unchecked';
  /** `✓ T1 grad(z, w0)`, `✗ T1 grad(z, w1) · missing-path`. */
  readonly title: string;
  readonly tooltip: string;
}

export interface HiddenView {
  readonly mode: HiddenMode;
  /** One line for messages and tooltips: what is hidden and why. */
  readonly message: string;
  readonly items: readonly HiddenItem[];
  readonly answers: readonly AnswerMark[];
}

/** An analysis as the editor shows it: with `hidden` set when answers are hidden. */
export type ShownAnalysis = Analysis & { readonly hidden?: HiddenView };

/** What the placeholders show instead of a number. */
export const HIDDEN = '▢';

/** Whether answers are hidden for this analysis: a handout always, otherwise as the setting says. */
export function hiddenModeOf(a: Analysis, settingOn: boolean): HiddenMode | undefined {
  const asg = a.assignment;
  if (asg?.handout) return { reason: 'handout', released: !!asg.released, ...(asg.student !== undefined ? { student: asg.student } : {}) };
  return settingOn ? { reason: 'setting', released: false } : undefined;
}

/** The sentence that says why something is hidden (tooltips, hovers, refusals of commands). */
export function hiddenMessage(mode: HiddenMode): string {
  const why =
    mode.reason === 'handout'
      ? `this is a handout${mode.student !== undefined ? ` (student ${mode.student})` : ''}: your answer lines show only ✓ or ✗ against the self-check`
      : 'the setting gradlens.answersHidden is on: answers show only ✓ or ✗ against the key';
  return `Answers hidden — ${why}; the values, gradients and derivations a question asks for are not shown (your own lines still get values, shapes and errors).`;
}

/** Why a worked solution or derivation command does nothing (undefined: it may run). */
export function solutionsRefusal(mode: HiddenMode | undefined): string | undefined {
  if (!mode || mode.released) return undefined;
  return mode.reason === 'handout'
    ? 'GradLens: worked solutions and derivations are off in this handout until your instructor releases them (the handout\'s release flag).'
    : 'GradLens: worked solutions and derivations are off while answers are hidden (the setting gradlens.answersHidden).';
}

/** A statement that computes a gradient (`grad(z, w0)`, `w.grad`, `autograd.grad`, `.backward()`). */
const GRADIENT_TEXT = /\bgrad\b|\.backward\s*\(/;
/** `params(mlp)`, `size(mlp.A)`: a counting question about network `mlp`. */
const COUNT_TEXT = /\b(?:params|size)\s*\(\s*([A-Za-z_][\w]*)/g;
const IDENT = /^\s*([A-Za-z_][\w]*)\s*$/;

/** Whether a span lies inside one of a set of spans: merged and sorted once, then a binary search per question. */
function spanSet(spans: readonly Span[]): (s: Span) => boolean {
  const merged: { start: number; end: number }[] = [];
  for (const x of [...spans].sort((p, q) => p.start - q.start)) {
    const last = merged[merged.length - 1];
    if (last && x.start <= last.end) last.end = Math.max(last.end, x.end);
    else merged.push({ start: x.start, end: x.end });
  }
  return (s) => {
    let lo = 0;
    let hi = merged.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (merged[mid].start > s.start) hi = mid - 1;
      else lo = mid + 1;
    }
    return hi >= 0 && s.end <= merged[hi].end;
  };
}

export interface RedactOptions {
  /** Keep the `grad` results with their derivations (the panel after the instructor's release). */
  readonly keepDerivations?: boolean;
}

/**
 * The analysis with the asked-for quantities removed (see the file comment). `text` is the
 * analysed text (spans are offsets into it). Without a mode, the analysis itself.
 */
export function redactAnalysis(a: Analysis, text: string, mode: HiddenMode | undefined, options: RedactOptions = {}): ShownAnalysis {
  if (!mode) return a;
  const items: HiddenItem[] = [];
  const asg = a.assignment;
  const answers = asg?.questions.flatMap((q) => q.answers.map((ans) => ({ ans }))) ?? [];

  // What the questions ask for: answer lines' expressions and expect left-hand sides.
  const asked = [...answers.map((x) => x.ans.exprText), ...a.expectations.map((e) => e.left.text)];
  const askedNames = new Set(asked.map((t) => IDENT.exec(t)?.[1]).filter((n): n is string => !!n));
  const countedNets = new Set<string>();
  for (const t of asked) for (const m of t.matchAll(COUNT_TEXT)) countedNets.add(m[1]);

  // Statements that are answers themselves: grad lines, expect lines, answer lines.
  const answerSpans: Span[] = [...a.gradients.map((g) => g.span), ...a.expectations.map((e) => e.span), ...answers.map((x) => x.ans.span)];

  // Hidden values: answer subjects, bindings that compute a gradient, and everything computed from them.
  const hiddenValue = new Set<number>();
  const inAnswer = spanSet(answerSpans);
  a.values.forEach((v, i) => {
    if (askedNames.has(v.name) || GRADIENT_TEXT.test(text.slice(v.span.start, v.span.end)) || inAnswer(v.span)) hiddenValue.add(i);
  });
  const hiddenNodes = hiddenGraphNodes(a, hiddenValue);
  const hiddenNodeKeys = new Set(a.graph.nodes.filter((n) => hiddenNodes.has(n.id)).map((n) => `${n.name}@${n.line}`));
  a.values.forEach((v, i) => {
    if (hiddenNodeKeys.has(`${v.name}@${v.line}`)) hiddenValue.add(i);
  });
  const hiddenNames = new Set([...hiddenValue].map((i) => a.values[i].name));
  const hiddenSpans: Span[] = [...answerSpans, ...[...hiddenValue].map((i) => a.values[i].span)];
  const inHidden = spanSet(hiddenSpans);

  const values: ValueInfo[] = [];
  a.values.forEach((v, i) => {
    if (hiddenValue.has(i)) {
      items.push({ span: v.span, line: v.line, title: `${v.name} = ${HIDDEN}` });
      return;
    }
    const { grads: _grads, ...rest } = v;
    values.push(rest);
  });
  for (const g of a.gradients) items.push({ span: g.span, line: g.line, title: `∂${g.of}/∂${g.wrt} = ${HIDDEN}` });

  const networks: NetworkInfo[] = [];
  const hiddenNetSpans: Span[] = [];
  for (const n of a.networks) {
    if (!countedNets.has(n.name)) {
      networks.push(n);
      continue;
    }
    hiddenNetSpans.push(n.span);
    items.push({ span: n.span, line: n.line, title: `${n.name}: ${HIDDEN} params` });
    const walk = (ls: readonly LayerInfo[]) => {
      for (const l of ls) {
        hiddenNetSpans.push(l.span);
        items.push({ span: l.span, line: l.line, title: `${l.label ? `${l.label}: ` : ''}${l.type} → ${HIDDEN}` });
        if (l.children) walk(l.children);
      }
    };
    walk(n.layers);
  }

  const view: HiddenView = { mode, message: hiddenMessage(mode), items, answers: answerMarks(a, answers) };
  const message = view.message;
  const inHiddenNet = spanSet(hiddenNetSpans);
  const symbols: SymbolInfo[] = [];
  for (const s of a.symbols) {
    if (inHidden(s.span) || inHiddenNet(s.span)) continue;
    if ((s.kind === 'binding' || s.kind === 'reference') && hiddenNames.has(s.name)) continue;
    symbols.push({ ...s, detail: redactHover(s) });
  }
  // Hovering a hidden item, or an answer line, says why it is hidden (the titles quote the document: escaped).
  for (const it of items) symbols.push({ span: it.span, kind: 'keyword', name: 'hidden', detail: `**${mdText(it.title)}**\n\n${message}` });
  for (const m of view.answers) symbols.push({ span: m.span, kind: 'keyword', name: 'hidden', detail: `**${mdText(m.title)}**\n\n${mdText(m.tooltip)}\n\n${message}` });
  symbols.sort((x, y) => x.span.start - y.span.start || x.span.end - y.span.end);

  return {
    ...a,
    diagnostics: a.diagnostics.map((d) => redactDiagnostic(d, inHidden)),
    values,
    gradients: options.keepDerivations ? a.gradients : [],
    expectations: a.expectations.map((e) => ({
      ...e,
      maxError: NaN,
      left: { text: e.left.text, shape: e.left.shape, data: [] },
      // The right-hand side is the key (in a template, the instructor's number): a blank, as in a handout.
      right: { text: '?', shape: e.right.shape, data: [] },
      ...(e.diagnosis ? { diagnosis: e.diagnosis.map(stepless) } : {}),
    })),
    networks,
    symbols,
    graph: {
      nodes: a.graph.nodes.map((n) => redactNode(n, hiddenNodes.has(n.id))),
      edges: a.graph.edges.map(({ localValue: _lv, ...e }): GraphEdge => e),
    },
    prints: a.prints?.filter((p) => !GRADIENT_TEXT.test(text.slice(p.span.start, p.span.end))),
    ...(asg ? { assignment: redactAssignment(asg) } : {}),
    hidden: view,
  };
}

/** Graph nodes of hidden values and every node computed from them (edges run from input to output). */
function hiddenGraphNodes(a: Analysis, hiddenValue: ReadonlySet<number>): Set<number> {
  const hidden = new Set<number>();
  const keys = new Set([...hiddenValue].map((i) => `${a.values[i].name}@${a.values[i].line}`));
  for (const n of a.graph.nodes) if (keys.has(`${n.name}@${n.line}`)) hidden.add(n.id);
  const out = new Map<number, number[]>();
  for (const e of a.graph.edges) {
    const list = out.get(e.from);
    if (list) list.push(e.to);
    else out.set(e.from, [e.to]);
  }
  const stack = [...hidden];
  while (stack.length) {
    const id = stack.pop()!;
    for (const to of out.get(id) ?? []) {
      if (!hidden.has(to)) {
        hidden.add(to);
        stack.push(to);
      }
    }
  }
  return hidden;
}

function redactNode(n: GraphNode, hideValue: boolean): GraphNode {
  const { grad: _g, grads: _gs, ops, ...rest } = n;
  const redactedOps = ops?.map(({ grad: _og, ...o }): GraphOp => (hideValue ? { ...o, value: undefined } : o));
  return { ...rest, ...(hideValue ? { value: [] } : {}), ...(redactedOps ? { ops: redactedOps } : {}) };
}

/** A hover without gradients, derivations and local derivative values; the student's own value stays. */
export function redactHover(s: SymbolInfo): string {
  let d = s.detail;
  if (s.kind === 'binding' || s.kind === 'reference') {
    // Cheap checks first: most hovers have no derivation and no gradient line.
    const cut = d.indexOf('\n---\n');
    if (cut >= 0) d = d.slice(0, cut).trimEnd();
    if (d.includes('\n∂')) d = d.split('\n').filter((l) => !l.startsWith('∂')).join('\n');
  } else if ((s.kind === 'operator' || s.kind === 'builtin') && (d.includes(' here') || d.includes('At this point:'))) {
    d = d
      .split('\n')
      .filter((l) => !/ here$/.test(l) && !/^At this point:/.test(l))
      .join('\n');
  }
  return d;
}

function stepless(d: ExpectationDiagnosis): ExpectationDiagnosis {
  const { step: _s, ...rest } = d;
  return rest;
}

/** Failure messages of checks and expectations quote the gradient and the key: only that it failed stays. */
function redactDiagnostic(d: Diagnostic, inHidden: (s: Span) => boolean): Diagnostic {
  if (d.code === 'expect.failed' || d.code === 'expect.carried-forward' || d.code === 'check.failed') {
    const what = d.code === 'check.failed' ? 'This gradient check fails' : d.code === 'expect.failed' ? 'This answer does not hold' : 'This answer follows from an earlier wrong one';
    const named = (d.related ?? []).map((r) => r.message).filter((m) => /\(misconception: [a-z-]+\)/.test(m));
    const { fixes: _f, ...rest } = d;
    return { ...rest, message: `${what} (answers hidden: the expected value is not shown).${named.length ? ` ${named.join(' Or: ')}` : ''}` };
  }
  if (d.fixes && inHidden(d.span)) {
    const { fixes: _f, ...rest } = d;
    return rest;
  }
  return d;
}

/** The key (the instructor's source has it) and the correct steps of diagnoses go; statuses stay. */
function redactAssignment(asg: AssignmentInfo): AssignmentInfo {
  const { seed: _seed, ...rest } = asg;
  return {
    ...rest,
    questions: asg.questions.map((q) => ({
      ...q,
      answers: q.answers.map(({ key: _k, keyShape: _ks, ...ans }) => ({ ...ans, ...(ans.diagnosis ? { diagnosis: ans.diagnosis.map(stepless) } : {}) })),
    })),
  };
}

const STATUS_MARK = { correct: '✓', wrong: '✗', blank: '○', unchecked: '·' } as const;
const STATUS_WORD = { correct: 'correct', wrong: 'wrong', blank: 'not answered yet', unchecked: 'not checked (no key or self-check for it)' } as const;

/** ✓/✗ per answer line: the assignment's answers, else the `expect` lines. */
function answerMarks(a: Analysis, answers: readonly { ans: AnswerInfo }[]): AnswerMark[] {
  const marks: AnswerMark[] = answers.map(({ ans }) => {
    const named = ans.status === 'wrong' ? (ans.diagnosis ?? []).map((d) => d.code) : [];
    return {
      span: ans.span,
      line: ans.line,
      status: ans.status,
      title: `${STATUS_MARK[ans.status]} ${ans.id} ${ans.exprText}${named.length ? ` · ${named.join(' or ')}` : ''}`,
      tooltip: `${ans.id}, ${ans.exprText}: ${STATUS_WORD[ans.status]}.${ans.status === 'wrong' && ans.diagnosis?.length ? ` ${ans.diagnosis.map((d) => d.message).join(' Or: ')}` : ''}`,
    };
  });
  const answerSpans = answers.map((x) => x.ans.span);
  for (const e of a.expectations) {
    if (answerSpans.some((s) => s.start < e.span.end && e.span.start < s.end)) continue;
    const named = !e.passed ? (e.diagnosis ?? []).map((d) => d.code) : [];
    const status = e.passed ? 'correct' : 'wrong';
    marks.push({
      span: e.span,
      line: e.line,
      status,
      title: `${STATUS_MARK[status]} ${e.left.text}${named.length ? ` · ${named.join(' or ')}` : ''}`,
      tooltip: `expect ${e.left.text}: ${e.passed ? 'holds' : 'does not hold'}.${!e.passed && e.diagnosis?.length ? ` ${e.diagnosis.map((d) => d.message).join(' Or: ')}` : ''}`,
    });
  }
  return marks;
}

/**
 * A template with its answers blanked, for "New Exercise from Template" while answers are hidden:
 * each `expect LHS == RHS` becomes `answer LHS == ?` (the handout's blank, docs/grading.md), and a
 * comment block that starts with "Expected" (the homework's numbers) becomes one line saying where
 * the answers go. Everything else is kept as written.
 */
export function blankTemplate(text: string): string {
  const out: string[] = [];
  let inExpected = false;
  for (const line of text.split('\n')) {
    if (inExpected && /^\s*#\s{2,}\S/.test(line)) continue;
    inExpected = false;
    if (/^\s*#.*\bExpected\b/.test(line)) {
      inExpected = true;
      out.push(`${/^\s*/.exec(line)![0]}# Your answers go on the \`answer … == ?\` lines (answers are hidden).`);
      continue;
    }
    const m = /^(\s*)expect\s+(.+?)\s*==\s*[^#]*?(\s*#.*)?$/.exec(line);
    out.push(m ? `${m[1]}answer ${m[2]} == ?${m[3] ?? ''}` : line);
  }
  return out.join('\n');
}
