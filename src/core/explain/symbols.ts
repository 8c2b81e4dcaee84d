import { GRAPH_OPS_PER_STATEMENT, GRAPH_OPS_TOTAL, type GraphEdge, type GraphInfo, type GraphNode, type GraphOp, type GraphOpInput, type LayerInfo, type NetworkInfo, type SymbolInfo } from '../analysis';
import { getOp, type OpDef } from '../autodiff/op';
import type { Sym } from '../autodiff/sym';
import { K, type Gradients, type Tape } from '../autodiff/tape';
import { findBuiltin } from '../builtins/types';
import type { EvalResult } from '../eval/evaluator';
import type { Binding } from '../eval/values';
import { formatCount, formatMinus } from '../format';
import type { Expr } from '../syntax/ast';
import type { Span } from '../span';
import { previewTensor } from '../tensor/preview';
import { formatShape, numel, type Tensor } from '../tensor/tensor';
import { diffSym, exprToSym } from './derive';
import { evalSym } from '../autodiff/ops/elementwise';
import { printSym, simplify } from './print';
import { clip, mdCode, mdFence, mdText } from './escape';
import { StatementPartials } from './statementPartials';

const fmt = formatMinus;

export function showValue(t: Tensor, digits = 4): string {
  if (t.shape.length === 0) return fmt(t.data[0], digits);
  return `${formatShape(t.shape)} ${previewTensor(t, { digits })}`;
}

/** showValue of a tape node's value; a scalar is read as a number (no tensor is made for it). */
function showNode(tape: Tape, node: number, digits: number): string {
  return tape.isScalar[node] === 1 ? fmt(tape.sv[node], digits) : showValue(tape.value(node), digits);
}

/** showValue of the adjoint of a node in a backward pass; a scalar's read as a number. */
function showAdjoint(tape: Tape, grads: Gradients, node: number, digits: number): string {
  return tape.isScalar[node] === 1 ? fmt(grads.scalarOf(node), digits) : showValue(grads.of(node), digits);
}

/** The first element of a node's value (a scalar's value), without making a tensor for it. */
export function firstValue(tape: Tape, node: number): number {
  return tape.isScalar[node] === 1 ? tape.sv[node] : tape.value(node).data[0];
}

/** A statement reading more names than this gets its graph edges without local derivatives (each would rewalk it). */
const MAX_LOCALS = 64;

const BIN_OPS: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow', '@': 'matmul' };
const CMP_OPS: Record<string, string> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

/**
 * How a later stage of the analysis (hovers, the graph) stops early without losing what it has:
 * polled between bindings, and told where an expression too deep to write out was skipped.
 */
export interface StageControl {
  /** True once the analysis' time limit has passed: the stage stops at the next binding. */
  expired(): boolean;
  /** The stage stopped at this statement (the time limit): what is before it is kept. */
  cut(span: Span): void;
  /** This statement's text could not be written (nested too deeply); the stage goes on without it. */
  tooDeep(span: Span): void;
}

const NO_CONTROL: StageControl = { expired: () => false, cut: () => undefined, tooDeep: () => undefined };

/** A stack overflow (an expression nested deeper than the writers' recursion): not a bug to report. */
export function isTooDeep(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

/** mdText (or mdCode) of GradLens's own fixed texts (signatures, docs, conventions, operators), escaped once each. */
const STATIC_MD = new Map<string, string>();
const STATIC_CODE = new Map<string, string>();
function mdStatic(s: string, escape: typeof mdText = mdText): string {
  const cache = escape === mdText ? STATIC_MD : STATIC_CODE;
  let m = cache.get(s);
  if (m === undefined) cache.set(s, (m = escape(s)));
  return m;
}

/** A built-in's hover up to its value: signature, group, documentation and derivative, written once per built-in. */
const BUILTIN_HEAD = new WeakMap<object, string>();
function builtinHead(def: NonNullable<ReturnType<typeof findBuiltin>>): string {
  let head = BUILTIN_HEAD.get(def);
  if (head === undefined) {
    head = `**${mdText(def.signature)}** — ${def.group}\n\n${mdText(def.doc)}`;
    if (def.derivative) head += `\n\nDerivative: ${mdText(def.derivative)}`;
    BUILTIN_HEAD.set(def, head);
  }
  return head;
}

/** An operand as written (at most 40 characters), parenthesised when it is itself a sum or a product. */
function operandText(text: string, x: Expr): string {
  const t = clip(text.slice(x.span.start, x.span.end), 40);
  return /\s/.test(t) && x.kind !== 'Paren' && x.kind !== 'Call' && x.kind !== 'Method' ? `(${t})` : t;
}

/** The attributes of an operator written in the source (none). */
const NO_ATTRS = Object.freeze({});

/** An operator's symbolic partials in the operands a and b, built once per op. */
const PARTIALS = new Map<string, Sym[]>();
function partialsOf(op: OpDef): Sym[] {
  let p = PARTIALS.get(op.name);
  if (p === undefined) PARTIALS.set(op.name, (p = op.partials!([{ k: 'var', name: 'a' }, { k: 'var', name: 'b' }], {})));
  return p;
}

/** A one-argument call's derivative in u (simplified, and as text), built once per function. */
const LOCAL_DERIVATIVE = new Map<string, { sym: Sym; text: string } | null>();
function localDerivative(call: Extract<Sym, { k: 'call' }>): { sym: Sym; text: string } | undefined {
  const u = { k: 'var', name: 'u' } as const;
  const make = (): { sym: Sym; text: string } | null => {
    const d = diffSym({ ...call, args: [u, ...call.args.slice(1)] }, 'u');
    if (!d) return null;
    const s = simplify(d);
    return { sym: s, text: printSym(s) };
  };
  // Further arguments (a slope, a power) make it particular to this call: not cached.
  if (call.args.length !== 1) return make() ?? undefined;
  let hit = LOCAL_DERIVATIVE.get(call.f);
  if (hit === undefined) LOCAL_DERIVATIVE.set(call.f, (hit = make()));
  return hit ?? undefined;
}

/** How many bindings between two looks at the clock. */
const POLL = 64;

/** Hover material for every name, operator, built-in and layer. */
export function buildSymbols(text: string, r: EvalResult, derivations: Map<Binding, string[]>, digits = 4, ctl: StageControl = NO_CONTROL): SymbolInfo[] {
  const out: SymbolInfo[] = [];
  const tape = r.tape;
  // The gradients asked for each binding, indexed once (not searched per reference).
  const requestsFor = new Map<Binding, (typeof r.gradRequests)[number][]>();
  for (const g of r.gradRequests) {
    let list = requestsFor.get(g.wrt);
    if (!list) requestsFor.set(g.wrt, (list = []));
    list.push(g);
  }
  const outputList = [...gradOutputs(r).values()];
  // One text per binding, however often it is referenced.
  const described = new Map<Binding, string>();
  const referenced = new Map<Binding, string>();
  /**
   * A binding's hover; with its derivation on the binding itself, and on a reference a pointer to
   * it instead (a weight used on 5,000 lines would otherwise copy its derivation 5,000 times into
   * the analysis the worker posts).
   */
  const describe = (b: Binding, own = true): string => {
    const ds = derivations.get(b);
    if (!own && b.stmt && ds && ds.length) {
      const known = referenced.get(b);
      if (known !== undefined) return known;
      const text = describe(b).split('\n---\n')[0] + `\n---\n\nThe derivation is in the hover of \`${b.name}\` on line ${b.line + 1}.`;
      referenced.set(b, text);
      return text;
    }
    const known = described.get(b);
    if (known !== undefined) return known;
    const kind = b.kind === 'param' ? 'parameter' : b.kind === 'leaf' ? 'leaf' : 'intermediate value';
    const lines = [`**${mdText(b.name)}** — ${kind}, shape ${formatShape(tape.shape(b.node))} (line ${b.line + 1})`, ''];
    const code = [`${b.name} = ${showNode(tape, b.node, digits)}`];
    // ∂OUT/∂b once per output: the requested ones (as written, `∂z/∂mlp.A`), then every other
    // output whose backward pass reached b (an intermediate such as x1: ∂z/∂x1). The derivation
    // below starts with its own ∂OUT/∂b, so that one is not listed twice.
    const derived = ds && ds.length ? /^\*\*(∂[^=*]+) =/.exec(ds[0])?.[1] : undefined;
    const shown: string[] = [];
    const gradLine = (of: string, wrtText: string, grads: Gradients): void => {
      if (shown.includes(of)) return;
      shown.push(of);
      const head = `∂${of}/∂${wrtText}`;
      if (head !== derived) code.push(`${head} = ${showAdjoint(tape, grads, b.node, digits)}`);
    };
    for (const g of requestsFor.get(b) ?? []) gradLine(g.of.name, g.wrtText, g.grads);
    for (const { of, grads } of outputList) if (grads.dependsOn(b.node)) gradLine(of, b.name, grads);
    lines.push(mdFence(code));
    // Hovers draw Markdown tables without cell padding: the derivation's tables as aligned text.
    if (ds && ds.length) lines.push('', '---', '', tablesAsText(ds[0]));
    const text = lines.join('\n');
    described.set(b, text);
    return text;
  };
  // Stopped at the time limit: the hovers of the statements from `stop` on are left out.
  let stop = Infinity;
  const bindings = r.record.bindings;
  for (let i = 0; i < bindings.length; i++) {
    const b = bindings[i];
    if (i % POLL === POLL - 1 && ctl.expired()) {
      stop = b.span.start;
      ctl.cut(b.span);
      break;
    }
    if (b.stmt) out.push({ span: b.nameSpan, kind: 'binding', name: b.name, detail: describe(b) });
    for (const ref of b.refs) out.push({ span: ref.ref.span, kind: 'reference', name: ref.binding.name, detail: describe(ref.binding, false) });
  }
  let k = 0;
  r.record.exprNodes.forEach((node, e) => {
    if (e.span.start >= stop) return;
    if (++k % (POLL * 4) === 0 && stop === Infinity && ctl.expired()) {
      stop = e.span.start;
      ctl.cut(e.span);
      return;
    }
    try {
      const s = exprSymbol(text, e, node, tape, digits);
      if (s) out.push(s);
    } catch (err) {
      // One expression too deep to write out loses its own hover, not the file's.
      if (!isTooDeep(err)) throw err;
      ctl.tooDeep(e.span);
    }
  });
  for (const n of r.networks) networkSymbols(n, out);
  out.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return out;
}

function exprSymbol(text: string, e: Expr, node: number, tape: Tape, digits: number): SymbolInfo | undefined {
  if (e.kind === 'Binary') {
    const op = getOp(BIN_OPS[e.op]);
    const l = operandText(text, e.left);
    const rt = operandText(text, e.right);
    const rules = op.rule([l, rt], NO_ATTRS);
    let detail = `**${mdStatic(e.op, mdCode)}** — ${op.name}: ${mdCode(clip(text.slice(e.span.start, e.span.end)))} = ${mdText(showNode(tape, node, digits))}\n`;
    const scalar = numel(tape.shape(node)) === 1;
    // The operands' values (scalars), read once for both partials.
    let vals: [number, number] | undefined;
    for (let k = 0; k < 2; k++) {
      let local = '';
      // A rule that already ends in a number needs no value beside it.
      if (scalar && op.partials && !/= −?[\d.]+$/.test(rules[k])) {
        const ins = tape.inputs(node);
        vals ??= [firstValue(tape, ins[0] ?? node), firstValue(tape, ins[1] ?? node)];
        const ab = vals;
        const v = evalSym(partialsOf(op)[k], (n) => (n === 'a' ? ab[0] : ab[1]));
        local = ` = ${fmt(v, digits)} here`;
      }
      detail += `\n- ${mdText(rules[k] + local)}`;
    }
    if (op.convention) detail += `\n\n${mdStatic(op.convention)}`;
    return { span: e.opSpan, kind: 'operator', name: e.op, detail };
  }
  if (e.kind === 'Compare') {
    // The first operator of a comparison (a chain is `and` of its links): its op, value and rule.
    const op = getOp(CMP_OPS[e.ops[0]]);
    const l = text.slice(e.operands[0].span.start, e.operands[0].span.end);
    const rt = text.slice(e.operands[1].span.start, e.operands[1].span.end);
    const lines = [`**\`${e.ops[0]}\`** — ${op.name}: \`${text.slice(e.span.start, e.span.end)}\` = ${showValue(tape.value(node), digits)}`, ''];
    for (const rule of op.rule([l, rt], {})) lines.push(`- ${rule}`);
    return { span: e.opSpans[0], kind: 'operator', name: e.ops[0], detail: lines.join('\n') };
  }
  if (e.kind === 'Call' || e.kind === 'Method') {
    const name = e.kind === 'Call' ? e.callee : e.method.name;
    const span = e.kind === 'Call' ? e.calleeSpan : e.method.span;
    const def = findBuiltin(name);
    let detail = def ? builtinHead(def) : `**${mdText(clip(name))}(…)**`;
    // The local derivative at this point, for scalar element-wise calls.
    const sym = numel(tape.shape(node)) === 1 ? exprToSym(e) : undefined;
    if (sym && sym.k === 'call' && sym.args.length >= 1) {
      const arg0 = e.kind === 'Call' ? e.args[0]?.value : e.object;
      const argText = arg0 ? clip(text.slice(arg0.span.start, arg0.span.end), 40) : '';
      const d = localDerivative(sym);
      const inNode = tape.inputs(node)[0];
      if (d && inNode !== undefined && numel(tape.shape(inNode)) === 1) {
        const uv = firstValue(tape, inNode);
        const local = evalSym(d.sym, () => uv);
        detail += `\n\n${mdText(`At this point: u = ${argText} = ${fmt(uv, digits)}, ${d.text} = ${fmt(local, digits)}`)}`;
      }
    }
    detail += `\n\nValue: ${mdText(showNode(tape, node, digits))}`;
    return { span, kind: 'builtin', name, detail };
  }
  return undefined;
}

function layerDetail(l: LayerInfo): string {
  const lines = [
    `**${l.label ? `${l.label} = ` : ''}${l.type}** (layer ${l.index})`,
    '',
    `- input ${formatShapeV(l.inputShape)} → output ${formatShapeV(l.outputShape)}`,
    `- output size: ${typeof l.outputSize === 'number' ? formatCount(l.outputSize) : l.outputSize}`,
    `- parameters: ${formatCount(l.params)}${l.paramFormula ? ` = ${l.paramFormula}` : ''}`,
    `- MACs: ${typeof l.macs === 'number' ? formatCount(l.macs) : l.macs}`,
  ];
  if (l.parameters?.length) lines.push(`- ${l.parameters.map((p) => `${p.name} ${formatShape(p.shape)}`).join(', ')}`);
  return lines.join('\n');
}

function formatShapeV(s: (number | string)[]): string {
  return `[${s.join(', ')}]`;
}

function networkSymbols(n: NetworkInfo, out: SymbolInfo[]): void {
  out.push({
    span: n.span,
    kind: 'network',
    name: n.name,
    detail: [
      `**network ${n.name}**`,
      '',
      `- parameters: ${formatCount(n.params)}${n.paramFormula ? ` = ${n.paramFormula}` : ''}`,
      `- buffers: ${formatCount(n.buffers)}`,
      `- input ${formatShapeV(n.inputShape)} → output ${formatShapeV(n.outputShape)}`,
      `- MACs: ${typeof n.totalMacs === 'number' ? formatCount(n.totalMacs) : n.totalMacs}`,
    ].join('\n'),
  });
  const walk = (ls: LayerInfo[]): void => {
    for (const l of ls) {
      out.push({ span: l.span, kind: 'layer', name: l.type, detail: layerDetail(l) });
      if (l.children) walk(l.children);
    }
  };
  walk(n.layers);
}

/** The statement-level graph for the panel: a node per binding, an edge per reference. */
export function buildGraph(r: EvalResult, digits = 4, ctl: StageControl = NO_CONTROL): GraphInfo {
  const tape = r.tape;
  // Local derivatives once per form of statement (a long document repeats a few).
  const locals = new StatementPartials(digits);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const ids = new Map<Binding, number>();
  const used = new Set<Binding>();
  for (const b of r.record.bindings) for (const ref of b.refs) used.add(ref.binding);
  const gradOf = new Map<Binding, number[]>();
  for (const g of r.gradRequests) gradOf.set(g.wrt, Array.from(g.grads.of(g.wrt.node).data));
  const outputs = [...gradOutputs(r).values()];
  for (const b of r.record.bindings) {
    if (!b.stmt && !used.has(b) && !gradOf.has(b)) continue;
    const id = nodes.length;
    ids.set(b, id);
    // A scalar's value is read as a number (no tensor is made for it).
    const scalar = tape.isScalar[b.node] === 1;
    const t = scalar ? undefined : tape.value(b.node);
    const top = b.stmt ? b.stmt.value : undefined;
    // In the protocol's key order; `grads` only when some output reached b.
    const node: { -readonly [K in keyof GraphNode]?: GraphNode[K] } = {
      id,
      name: b.name,
      op: top ? opLabel(top) : b.kind,
      line: b.line,
      span: b.nameSpan,
      shape: scalar ? [] : t!.shape.slice(),
      value: scalar ? [tape.sv[b.node]] : t!.data.length <= 64 ? Array.from(t!.data) : Array.from(t!.data.subarray(0, 64)),
      grad: gradOf.get(b),
    };
    const grads = nodeGrads(tape, outputs, b);
    if (grads) node.grads = grads;
    node.isParam = b.kind === 'param';
    nodes.push(node as GraphNode);
  }
  let polled = 0;
  let stop = Infinity;
  for (const b of r.record.bindings) {
    const to = ids.get(b);
    if (to === undefined || !b.stmt) continue;
    if (++polled % POLL === 0 && ctl.expired()) {
      // The time limit: the edges from here on are left out (the nodes are all there).
      stop = b.span.start;
      ctl.cut(b.span);
      break;
    }
    try {
      bindingEdges(b, to);
    } catch (err) {
      if (!isTooDeep(err)) throw err;
      ctl.tooDeep(b.span);
    }
  }
  function bindingEdges(b: Binding, to: number): void {
    if (!b.stmt) return;
    // The statement's symbolic form once (not once per reference), and its references by name.
    const partials = locals.statement(exprToSym(b.stmt.value));
    const byName = new Map<string, Binding>();
    for (const x of b.refs) {
      const n = x.ref.kind === 'Name' ? x.ref.name : x.ref.parts.join('.');
      if (!byName.has(n)) byName.set(n, x.binding);
    }
    const allScalar = numel(tape.shape(b.node)) === 1 && b.refs.every((x) => numel(tape.shape(x.binding.node)) === 1);
    // A statement reading very many names (a sum of a thousand terms) gets its edges without local derivatives.
    const withLocals = byName.size <= MAX_LOCALS;
    const seen = new Set<Binding>();
    for (const ref of b.refs) {
      if (seen.has(ref.binding)) continue;
      seen.add(ref.binding);
      const from = ids.get(ref.binding);
      if (from === undefined) continue;
      let local: string | undefined;
      let localValue: number | undefined;
      const d = withLocals ? partials.of(ref.ref.kind === 'Name' ? ref.ref.name : ref.ref.parts.join('.')) : undefined;
      if (d) {
        local = d.text;
        if (allScalar) {
          localValue = d.value((n) => {
            const rb = byName.get(n);
            return rb ? firstValue(tape, rb.node) : NaN;
          });
        }
      }
      edges.push({ from, to, local, localValue });
    }
  }
  // Each statement's operations (expandable in the panel), bounded per statement and in all.
  const adjoints = r.gradRequests.filter((g) => g.stmt.kind === 'Grad').map((g) => g.grads);
  const nodeId = new Map<number, number>();
  for (const [b, id] of ids) if (!nodeId.has(b.node)) nodeId.set(b.node, id);
  let total = 0;
  for (const b of r.record.bindings) {
    const id = ids.get(b);
    if (id === undefined || !b.stmt || total >= GRAPH_OPS_TOTAL || b.span.start >= stop) continue;
    const refIds = new Map<number, number>();
    for (const ref of b.refs) {
      const from = ids.get(ref.binding);
      if (from !== undefined && ref.binding.node !== b.node) refIds.set(ref.binding.node, from);
    }
    let ops: GraphOp[] | undefined;
    try {
      ops = statementOps(tape, b.node, refIds, nodeId, id, adjoints, Math.min(GRAPH_OPS_PER_STATEMENT, GRAPH_OPS_TOTAL - total));
    } catch {
      // The operations are an extra: a statement whose tape nodes cannot be read has none.
      ops = undefined;
    }
    if (!ops) continue;
    total += ops.length;
    (nodes[id] as { ops?: GraphOp[] }).ops = ops;
  }
  return { nodes, edges };
}

/**
 * GFM tables (`| a | b |` rows with a `| --- |` rule) as code blocks whose columns are padded to
 * line up, two spaces apart: VS Code's hover renders tables with no space between the columns.
 */
export function tablesAsText(md: string): string {
  const lines = md.split('\n');
  const out: string[] = [];
  const isRow = (l: string | undefined): boolean => l !== undefined && /^\s*\|.*\|\s*$/.test(l);
  const isRule = (l: string | undefined): boolean => l !== undefined && /^\s*\|(\s*:?-{3,}:?\s*\|)+\s*$/.test(l);
  for (let i = 0; i < lines.length; i++) {
    if (!(isRow(lines[i]) && isRule(lines[i + 1]))) {
      out.push(lines[i]);
      continue;
    }
    const rows: string[][] = [];
    let j = i;
    for (; j < lines.length && isRow(lines[j]); j++) {
      if (j === i + 1) continue;
      rows.push(lines[j].trim().slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|').replace(/`/g, '')));
    }
    const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => [...(r[k] ?? '')].length)));
    const fmtRow = (r: string[]): string => r.map((c, k) => (k === r.length - 1 ? c : c + ' '.repeat(widths[k] - [...c].length))).join('  ').trimEnd();
    out.push('```', fmtRow(rows[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(fmtRow), '```');
    i = j - 1;
  }
  return out.join('\n');
}

/**
 * Each output of a `grad` line with its backward pass (the first request's: later ones share or
 * repeat it), in source order: what ∂OUT/∂node is read from for every node (micrograd's draw_dot).
 */
export function gradOutputs(r: EvalResult): Map<Binding, { of: string; grads: Gradients }> {
  const out = new Map<Binding, { of: string; grads: Gradients }>();
  for (const g of r.gradRequests) if (g.stmt.kind === 'Grad' && !out.has(g.of)) out.set(g.of, { of: g.of.name, grads: g.grads });
  return out;
}

/** ∂OUT/∂b for every output whose backward pass reached b (b is on a path to it); at most 64 elements each, as the value. */
function nodeGrads(tape: Tape, outputs: readonly { of: string; grads: Gradients }[], b: Binding): { of: string; data: number[] }[] | undefined {
  let list: { of: string; data: number[] }[] | undefined;
  for (const { of, grads } of outputs) {
    if (!grads.dependsOn(b.node) || list?.some((x) => x.of === of)) continue;
    let data: number[];
    if (tape.isScalar[b.node] === 1) data = [grads.scalarOf(b.node)];
    else {
      const d = grads.of(b.node).data;
      data = d.length <= 64 ? Array.from(d) : Array.from(d.subarray(0, 64));
    }
    (list ??= []).push({ of, data });
  }
  return list;
}

const SMALL = 16;
const small = (t: Tensor): number[] | undefined => (t.data.length <= SMALL ? Array.from(t.data) : undefined);

/**
 * The tape nodes of one statement, from its value back to the values of other bindings (which
 * become `{ node }` inputs): operations, and the constants and leaves they read. Undefined when
 * there is no operation or more than `max` entries.
 */
function statementOps(tape: Tape, root: number, refIds: ReadonlyMap<number, number>, nodeId: ReadonlyMap<number, number>, self: number, adjoints: readonly Gradients[], max: number): GraphOp[] | undefined {
  // The binding's own `identity` node (a statement's value is copied into its binding) is not shown.
  while (tape.opOf(root)?.name === 'identity' && tape.inputs(root).length === 1) {
    const i = tape.inputs(root)[0];
    if (refIds.has(i) || (nodeId.has(i) && nodeId.get(i) !== self)) return undefined;
    root = i;
  }
  const inside = new Set<number>();
  const external = (n: number): number | undefined => {
    if (n === root) return undefined;
    const r = refIds.get(n);
    if (r !== undefined) return r;
    const g = nodeId.get(n);
    return g !== undefined && g !== self ? g : undefined;
  };
  const stack = [root];
  let anyOp = false;
  while (stack.length) {
    const n = stack.pop()!;
    if (inside.has(n) || external(n) !== undefined) continue;
    inside.add(n);
    if (inside.size > max) return undefined;
    if (tape.kind[n] === K.OP) {
      anyOp = true;
      for (const i of tape.inputs(n)) stack.push(i);
    }
  }
  if (!anyOp) return undefined;
  const order = [...inside].sort((a, b) => a - b);
  const index = new Map<number, number>();
  for (let i = 0; i < order.length; i++) index.set(order[i], i);
  return order.map((n): GraphOp => {
    // A scalar's value and adjoint are read as numbers (no tensor is made for them).
    const scalar = tape.isScalar[n] === 1;
    const t = scalar ? undefined : tape.value(n);
    const def = tape.opOf(n);
    const kind = def ? 'op' : tape.kind[n] === K.PARAM ? 'param' : tape.kind[n] === K.LEAF ? 'leaf' : 'const';
    const inputs: GraphOpInput[] = def ? tape.inputs(n).map((i) => (index.has(i) ? { op: index.get(i)! } : { node: external(i)! })) : [];
    let grad: number[] | undefined;
    if (tape.req[n] && (scalar || t!.data.length <= SMALL)) {
      const g = adjoints.find((a) => a.dependsOn(n));
      if (g) grad = scalar ? [g.scalarOf(n)] : Array.from(g.of(n).data);
    }
    const value = scalar ? [tape.sv[n]] : small(t!);
    // Built in the protocol's key order (op, name, kind, shape, value, grad, inputs), absent keys left out.
    const entry: { -readonly [K in keyof GraphOp]?: GraphOp[K] } = def ? { op: def.display, name: def.name, kind } : { op: kind, kind };
    entry.shape = scalar ? [] : t!.shape.slice();
    if (value) entry.value = value;
    if (grad) entry.grad = grad;
    entry.inputs = inputs;
    return entry as GraphOp;
  });
}

function opLabel(e: Expr): string {
  switch (e.kind) {
    case 'Binary':
      return e.op;
    case 'Unary':
      return e.op === '-' ? 'neg' : '+';
    case 'Call':
      return e.callee;
    case 'Method':
      return e.method.name;
    case 'Paren':
      return opLabel(e.inner);
    case 'Index':
      return 'index';
    case 'Transpose':
      return 'T';
    case 'List':
      return 'literal';
    default:
      return 'value';
  }
}
