/**
 * The misconception engine: given a wrong answer to a quantity of the user's own graph, try
 * every misconception of the catalogue on that graph and name the ones that reproduce the
 * answer; and, before that, see whether the answer is right given the user's own earlier wrong
 * answers (a carried-forward error). Runs only for failing expectations.
 */
import { K } from '../autodiff/tape';
import { formatCount, formatNumber } from '../format';
import { tensor, type Tensor } from '../tensor/tensor';
import { RESULT_CATALOGUE, TAPE_CATALOGUE, type Proposal, type Scope } from './catalogue';
import { countProposals } from './counting';
import { GraphView, OutOfBudget, type NodePatch } from './graph';
import type { AnalysisContext, AnswerExpectation, Diagnosis, EarlierAnswer, Quantity } from './types';

const num = (x: number): string => formatNumber(x, 6).replace(/^-/, '−');

function show(d: ArrayLike<number>): string {
  if (d.length === 1) return num(d[0]);
  const head = Array.from({ length: Math.min(4, d.length) }, (_, k) => num(d[k]));
  return `[${head.join(', ')}${d.length > 4 ? ', …' : ''}]`;
}

/** How the quantity reads in a message: `∂z/∂w1`, `x1`, `params(mlp)`. */
export function quantityText(q: Quantity): string {
  return q.kind === 'grad' ? `∂${q.ofText}/∂${q.wrtText}` : q.text;
}

/** Every element within tol·max(1, |answer|) of the candidate, and finite. */
function matches(c: ArrayLike<number>, answer: ArrayLike<number>, tol: number): boolean {
  if (c.length !== answer.length) return false;
  for (let k = 0; k < c.length; k++) {
    const a = answer[k];
    const x = c[k];
    if (!Number.isFinite(x) || !(Math.abs(x - a) <= tol * Math.max(1, Math.abs(a)))) return false;
  }
  return true;
}

/** The same numbers (up to rounding): a misconception that changes nothing here says nothing. */
function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return matches(a, b, 1e-12);
}

/** Elements above which a gradient's diagnosis does not try forward changes at a node (see above). */
const FORWARD_PATCH_LIMIT = 1024;

interface Found {
  readonly d: Diagnosis;
  readonly specificity: number;
  readonly order: number;
}

/**
 * The misconceptions that reproduce `exp.answer` for `exp.quantity` on the user's graph, most
 * specific first; or one `carried-forward` diagnosis when the answer is right given `earlier`
 * wrong answers; or [] when nothing explains it (or the answer is right).
 */
export function diagnoseAnswer(ctx: AnalysisContext, exp: AnswerExpectation, earlier: readonly EarlierAnswer[] = []): Diagnosis[] {
  const tol = exp.tolerance ?? 1e-6;
  const collide = exp.collisions === true;
  /** Skip a candidate: equal to the correct value (unless collisions are asked for), or not the answer. */
  const skip = (r: ArrayLike<number>, c: ArrayLike<number>): boolean => (!collide && same(r, c)) || !matches(r, ans, tol);
  const q = exp.quantity;
  const ans = exp.answer;
  const yours = `Your ${q.kind === 'count' && ans.length === 1 && Number.isInteger(ans[0]) ? formatCount(ans[0]) : show(ans)}`;
  const qt = quantityText(q);
  const found: Found[] = [];
  const add = (code: string, specificity: number, phrase: string, span: Diagnosis['span'], step: Diagnosis['step']): void => {
    const message = `${yours} is ${qt} ${phrase} (misconception: ${code}).`;
    if (found.some((f) => f.d.message === message)) return;
    found.push({ d: { code, message, ...(span && span.end > span.start ? { span } : {}), ...(step ? { step } : {}) }, specificity, order: found.length });
  };

  if (q.kind === 'count') {
    const r = countProposals(q);
    if (!r || (!collide && matches([r.correct], ans, tol))) return [];
    for (const p of r.proposals) {
      if ((!collide && p.value === r.correct) || !matches([p.value], ans, tol)) continue;
      add(p.code, p.specificity, p.phrase, p.span, { correct: `${qt} = ${p.step.correct}`, changed: `${show([p.value])}: ${p.step.changed}` });
    }
    return ranked(found);
  }

  const v = new GraphView(ctx);
  const root = q.kind === 'grad' ? q.of : q.node;
  try {
    const between = q.kind === 'grad' ? v.between(q.wrt, q.of) : undefined;
    const evaluate = (patch?: NodePatch, overrides?: ReadonlyMap<number, Tensor>, adjoints?: ReadonlyMap<number, Tensor>): Tensor => {
      const vals = v.replay(root, patch, overrides);
      if (q.kind === 'value') return vals.get(root);
      return v.gradient(q.of, q.wrt, between!, vals, patch, adjoints);
    };
    // The correct gradient, keeping every node's adjoint: a patch of one node's local derivatives
    // then costs only the backward pass below that node (patchDelta).
    const baseAdj: (Float64Array | undefined)[] = [];
    const correct = q.kind === 'value' ? v.value(root) : v.gradient(q.of, q.wrt, between!, v.replay(root), undefined, undefined, baseAdj);
    // The nodes from which the output is a copy (the output and the bindings of it): a patch that
    // only scales such a node scales the result.
    const spine = new Set<number>([root]);
    for (let k = root; v.opName(k) === 'identity'; k = v.tape.in0[k]) spine.add(v.tape.in0[k]);
    const evaluatePatch = (patch: NodePatch, scale?: number): Tensor => {
      if (scale !== undefined && spine.has(patch.node)) return { shape: correct.shape, data: correct.data.map((x) => x * scale) };
      if (q.kind !== 'grad' || patch.forward || !patch.backward) return evaluate(patch);
      const g = baseAdj[patch.node];
      if (!g) return correct;
      const d = v.patchDelta(patch, g, q.wrt, between!);
      return { shape: correct.shape, data: correct.data.map((x, e) => x + d.data[e]) };
    };
    if (!collide && matches(correct.data, ans, tol)) return [];

    const carried = collide ? undefined : carriedForward(v, q, root, between, earlier, ans, tol, correct, evaluate);
    if (carried) return [carried];

    const reach = v.tape.reach(root);
    let fanOut: Int32Array | undefined;
    if (between) {
      fanOut = new Int32Array(between.length);
      for (let i = 0; i < between.length; i++) if (between[i] && v.tape.kind[i] === K.OP) for (const k of v.inputs(i)) fanOut[k]++;
    }
    const scope: Scope = { kind: q.kind, reach, between, fanOut };
    for (let i = root; i >= 0; i--) {
      if (!reach[i] || v.tape.kind[i] !== K.OP) continue;
      for (const m of TAPE_CATALOGUE) {
        for (const p of m.propose(v, i, scope)) {
          if (q.kind === 'grad' && !p.patch.forward && !between![p.patch.node]) continue;
          // A forward change inside a large tensor graph would cost a forward and a backward pass
          // of the whole network; a gradient there is not computed by hand forward-first.
          if (q.kind === 'grad' && p.patch.forward && p.scale === undefined && v.size(p.patch.node) > FORWARD_PATCH_LIMIT) continue;
          const r = evaluatePatch(p.patch, p.scale);
          if (skip(r.data, correct.data)) continue;
          add(m.code, m.specificity, p.phrase, v.span(p.at), stepOf(qt, correct, r, p));
        }
      }
    }
    if (q.kind === 'grad') {
      for (const m of RESULT_CATALOGUE) {
        const r = m.apply(correct);
        if (!r || skip(r.data, correct.data)) continue;
        add(m.code, m.specificity, m.phrase, undefined, { correct: `${qt} = ${show(correct.data)}`, changed: `${show(r.data)}: ${m.phrase}` });
      }
    }
  } catch (e) {
    // The budget ends the search; what was found stands.
    if (!(e instanceof OutOfBudget)) throw e;
  }
  return ranked(found);
}

function stepOf(qt: string, correct: Tensor, r: Tensor, p: Proposal): Diagnosis['step'] {
  return { correct: `${qt} = ${show(correct.data)}, with ${p.step.correct}`, changed: `${show(r.data)}, with ${p.step.changed}` };
}

function ranked(found: Found[]): Diagnosis[] {
  return found.sort((a, b) => b.specificity - a.specificity || a.order - b.order).map((f) => f.d);
}

/**
 * The answer recomputed from the user's own earlier wrong answers (values upstream, and
 * gradients of the same output on the way back): a match is a carried-forward error.
 */
function carriedForward(
  v: GraphView,
  q: Extract<Quantity, { kind: 'value' | 'grad' }>,
  root: number,
  between: Uint8Array | undefined,
  earlier: readonly EarlierAnswer[],
  ans: ArrayLike<number>,
  tol: number,
  correct: Tensor,
  evaluate: (patch?: NodePatch, overrides?: ReadonlyMap<number, Tensor>, adjoints?: ReadonlyMap<number, Tensor>) => Tensor,
): Diagnosis | undefined {
  if (!earlier.length) return undefined;
  const reach = v.tape.reach(root);
  type Used = { node: number; t: Tensor; e: EarlierAnswer; adjoint: boolean };
  const used: Used[] = [];
  for (const e of earlier) {
    const eq = e.quantity;
    if (eq.kind === 'value' && eq.node < root && reach[eq.node] && v.tape.kind[eq.node] !== K.CONST) {
      const shape = v.tape.shape(eq.node);
      if (e.answer.length !== v.size(eq.node)) continue;
      used.push({ node: eq.node, t: tensor(shape, Array.from(e.answer)), e, adjoint: false });
    } else if (q.kind === 'grad' && eq.kind === 'grad' && eq.of === q.of && eq.wrt !== q.wrt && between![eq.wrt] && eq.wrt > q.wrt) {
      if (e.answer.length !== v.size(eq.wrt)) continue;
      used.push({ node: eq.wrt, t: tensor(v.tape.shape(eq.wrt), Array.from(e.answer)), e, adjoint: true });
    }
  }
  if (!used.length) return undefined;
  const run = (list: readonly Used[]): Tensor =>
    evaluate(undefined, new Map(list.filter((u) => !u.adjoint).map((u) => [u.node, u.t])), new Map(list.filter((u) => u.adjoint).map((u) => [u.node, u.t])));
  let list = used;
  const r = run(list);
  if (same(r.data, correct.data) || !matches(r.data, ans, tol)) return undefined;
  // Name only the earlier answers the match needs.
  for (const u of used) {
    if (list.length === 1) break;
    const without = list.filter((x) => x !== u);
    const r2 = run(without);
    if (!same(r2.data, correct.data) && matches(r2.data, ans, tol)) list = without;
  }
  const names = list.map((u) => `${quantityText(u.e.quantity)} = ${show(u.e.answer)} (line ${u.e.line + 1})`);
  const first = Math.min(...list.map((u) => u.e.cause ?? u.e.line));
  return {
    code: 'carried-forward',
    cause: first,
    message: `Your ${show(ans)} is consistent with your ${names.join(' and ')}: ${quantityText(q)} is right given ${list.length > 1 ? 'those answers' : 'that answer'}, so fix line ${first + 1} first.`,
    step: { correct: `${quantityText(q)} = ${show(correct.data)}`, changed: `${show(r.data)} from ${names.join(', ')}` },
  };
}
