/**
 * Worked solutions (issue #7): the homework's answer, written out from the user's own graph —
 * the forward pass substituted and simplified, the backward pass by the chain rule with each
 * local derivative and its rule, network sizes and parameter counts, the softmax/cross-entropy
 * proof, and the results of `check` and `expect`. Markdown (with KaTeX math) or a standalone
 * LaTeX document. Pure: no mathjs, no I/O.
 */
import { evalSym } from '../autodiff/ops/elementwise';
import type { Gradients, Tape } from '../autodiff/tape';
import type { LayerInfo, NetworkInfo } from '../analysis';
import type { Binding } from '../eval/values';
import type { FullAnalysis } from '../index';
import type { Expr } from '../syntax/ast';
import { formatShape, numel } from '../tensor/tensor';
import { deriveGradient } from './derive';
import { texText } from './escape';
import { bold, code, m, renderLatex, renderMarkdown, type Block, type Inline } from './solution/doc';
import { ruleNames, ruleRows } from './solution/rules';
import { envOf, evaluableSym, foldCallArgs, isScalar, localDerivative, parentsOf, reduceStep, type LocalDerivative } from './solution/scalar';
import { detectSoftmaxCE, softmaxNumbers, softmaxProof, type SoftmaxCE } from './solution/softmax';
import { texCount, texExpr, texNum, texPartial, texSize, texSpace, texSymbolic, texTensor, texVar, type TexOptions } from './solution/tex';

export type { Block, Inline } from './solution/doc';
export { renderLatex, renderMarkdown } from './solution/doc';

export interface SolutionOptions {
  /** `md`: Markdown with `$…$`/`$$…$$` math; `tex`: a standalone LaTeX document. */
  readonly format: 'md' | 'tex';
  /** Explain ∂OF/∂… instead of the document's `grad` statements. */
  readonly of?: string;
  /** With `of`: the names to differentiate with respect to (default: every param OF depends on). */
  readonly wrt?: readonly string[];
  /** Title line (the file name, say). */
  readonly title?: string;
  /** Significant digits of computed numbers (default 4). */
  readonly digits?: number;
}

/** One gradient to explain. */
export interface SolutionRequest {
  readonly of: Binding;
  readonly wrt: Binding;
  readonly wrtText: string;
  readonly grads: Gradients;
}

export interface SolutionResult {
  readonly blocks: Block[];
  /** Problems with `of`/`wrt` (unknown names, a non-scalar output); empty when all is well. */
  readonly problems: string[];
}

/** The worked solution as Markdown or LaTeX text. */
export function workedSolution(full: FullAnalysis, opts: SolutionOptions): string {
  const { blocks } = solutionBlocks(full, opts);
  const title = `Worked solution${opts.title ? `: ${opts.title}` : ''}`;
  return opts.format === 'tex' ? renderLatex(blocks, title) : renderMarkdown(blocks);
}

/** The worked solution as a document model, with any problems resolving `of`/`wrt`. */
export function solutionBlocks(full: FullAnalysis, opts: Omit<SolutionOptions, 'format'>): SolutionResult {
  const digits = opts.digits ?? 4;
  const ctx: Ctx = { full, tape: full.eval.tape, digits, tex: { digits } };
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: [`Worked solution${opts.title ? `: ${opts.title}` : ''}`] }];
  const problems: string[] = [];

  const errors = full.analysis.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'expect.failed' && d.code !== 'check.failed');
  if (errors.length) {
    blocks.push({ kind: 'heading', level: 2, text: ['Problems'] });
    blocks.push({ kind: 'para', text: ['These lines have errors; what depends on them is left out below.'] });
    blocks.push({ kind: 'code', lines: errors.map((d) => `line ${full.eval.lines.lineOf(d.span.start) + 1}: ${d.message}`) });
  }

  blocks.push(...forwardPass(ctx));

  const pairs = detectSoftmaxCE(ctx.tape, full.eval.record.bindings);
  let requests: SolutionRequest[];
  if (opts.of) {
    const r = resolveRequests(full, opts.of, opts.wrt);
    requests = r.requests;
    problems.push(...r.problems);
  } else {
    requests = documentRequests(full);
  }
  const proved = new Set<SoftmaxCE>();
  if (requests.length || problems.length) {
    blocks.push({ kind: 'heading', level: 2, text: ['Backward pass'] });
    for (const p of problems) blocks.push({ kind: 'para', text: [bold('Cannot explain: '), p] });
    const shared: Shared = { shown: new Set(), rules: new Set() };
    const body: Block[] = [];
    for (const req of requests) body.push(...backward(ctx, req, pairs, proved, shared));
    const rules = ruleRows(shared.rules);
    if (rules.length) {
      blocks.push({ kind: 'para', text: ['The rules used below:'] });
      blocks.push({ kind: 'align', rows: rules });
    }
    blocks.push(...body);
  }
  for (const pair of pairs) if (!proved.has(pair)) blocks.push(...softmaxSection(ctx, pair, undefined, 2));

  for (const net of full.analysis.networks) blocks.push(...networkSection(net));
  blocks.push(...checksSection(ctx));
  return { blocks, problems };
}

/** What the backward pass has already stated (each local derivative is written out once). */
interface Shared {
  readonly shown: Set<string>;
  readonly rules: Set<string>;
}

interface Ctx {
  readonly full: FullAnalysis;
  readonly tape: Tape;
  readonly digits: number;
  readonly tex: TexOptions;
}

// ---- forward pass -------------------------------------------------------------------------

/** A number literal (possibly negated) as written, else undefined. */
function literalText(e: Expr): string | undefined {
  if (e.kind === 'Number') return e.raw.startsWith('.') ? `0${e.raw}` : /e/i.test(e.raw) ? undefined : e.raw;
  if (e.kind === 'Unary' && e.op === '-' && e.operand.kind === 'Number') {
    const t = literalText(e.operand);
    return t && `-${t}`;
  }
  if (e.kind === 'Paren') return literalText(e.inner);
  return undefined;
}

/** How a binding's value is substituted into a later statement. */
function substText(ctx: Ctx, b: Binding): string | undefined {
  const t = ctx.tape.value(b.node);
  if (t.shape.length === 0) return (b.kind !== 'value' && b.stmt && literalText(b.stmt.value)) || texNum(t.data[0], ctx.digits);
  if (numel(t.shape) <= 8 && t.shape.length <= 2) return texTensor(t.shape, t.data, ctx.digits);
  return undefined;
}

function valueTex(ctx: Ctx, b: Binding): string {
  const t = ctx.tape.value(b.node);
  if (t.shape.length === 0) return texNum(t.data[0], ctx.digits);
  if (numel(t.shape) <= 64) return texTensor(t.shape, t.data, ctx.digits);
  return texTensor(t.shape, t.data, ctx.digits);
}

function forwardPass(ctx: Ctx): Block[] {
  const bindings = ctx.full.eval.record.bindings.filter((b) => b.stmt);
  if (bindings.length === 0) return [];
  const out: Block[] = [{ kind: 'heading', level: 2, text: ['Forward pass'] }];
  const leaves = bindings.filter((b) => b.kind !== 'value');
  const scalars = leaves.filter((b) => isScalar(ctx.tape, b) && literalText(b.stmt!.value) !== undefined);
  if (scalars.length) {
    const text: Inline[] = ['Let '];
    scalars.forEach((b, i) => {
      if (i > 0) text.push(i === scalars.length - 1 ? ' and ' : ', ');
      text.push(m(`${texVar(b.name)} = ${literalText(b.stmt!.value)}`));
    });
    text.push('.');
    const params = scalars.filter((b) => b.kind === 'param');
    if (params.length) {
      text.push(' The learnable parameters are ');
      params.forEach((b, i) => {
        if (i > 0) text.push(i === params.length - 1 ? ' and ' : ', ');
        text.push(m(texVar(b.name)));
      });
      text.push('.');
    }
    out.push({ kind: 'para', text });
  }
  const others = leaves.filter((b) => !scalars.includes(b));
  if (others.length) {
    out.push({
      kind: 'align',
      rows: others.map((b) => {
        const t = ctx.tape.value(b.node);
        const lit = b.stmt!.value.kind === 'List' ? '' : ` = ${texExpr(b.stmt!.value, ctx.tex)}`;
        const val = numel(t.shape) <= 64 ? ` = ${valueTex(ctx, b)}` : '';
        return `${texVar(b.name)} &${lit ? lit.slice(1) : '='}${lit ? val : val.slice(2)} \\in ${texSpace(t.shape)}${b.kind === 'param' ? ' \\quad \\text{(parameter)}' : ''}`;
      }),
    });
  }
  for (const b of bindings) if (b.kind === 'value') out.push(forwardStatement(ctx, b));
  return out;
}

function forwardStatement(ctx: Ctx, b: Binding): Block {
  const name = texVar(b.name);
  const e = b.stmt!.value;
  const t = ctx.tape.value(b.node);
  const rows: string[] = [];
  const scalar = t.shape.length === 0;
  rows.push(`${name} &= ${texExpr(e, ctx.tex)}${scalar ? '' : ` \\in ${texSpace(t.shape)}`}`);
  const parents = parentsOf(b);
  const substs = new Map<string, string>();
  let all = true;
  for (const r of b.refs) {
    const key = r.ref.kind === 'Name' ? r.ref.name : r.ref.parts.join('.');
    const s = substText(ctx, r.binding);
    if (s === undefined) all = false;
    else substs.set(key, s);
  }
  const sub: TexOptions = { ...ctx.tex, subst: (n) => substs.get(n) };
  const last = (): string => rows[rows.length - 1].replace(/^.*?&= /, '');
  const push = (rhs: string, lhs = ''): void => {
    if (rhs !== last()) rows.push(`${lhs}&= ${rhs}`);
  };
  if (parents.length && all) {
    const at = [...substs.entries()].map(([k, v]) => `${texVar(k)} = ${v}`);
    const lhs = scalar && at.length <= 4 ? `${name}\\left(${at.join(', ')}\\right) ` : '';
    push(texExpr(e, sub), lhs);
  }
  const sym = scalar && all ? evaluableSym(ctx.tape, b) : undefined;
  if (sym) {
    const env = envOf(ctx.tape, b);
    let cur = sym;
    for (let k = 0; k < 16; k++) {
      const next = reduceStep(cur, env);
      if (next.k === 'num') break;
      push(texSymbolic(next, sub));
      if (JSON.stringify(next) === JSON.stringify(cur)) break;
      cur = next;
    }
  }
  rows.push(`\\therefore\\ ${name} &= ${valueTex(ctx, b)}`);
  return { kind: 'align', rows };
}

// ---- backward pass ------------------------------------------------------------------------

/** The `grad` statements' requests, deduplicated. */
function documentRequests(full: FullAnalysis): SolutionRequest[] {
  const out: SolutionRequest[] = [];
  for (const r of full.eval.gradRequests) {
    if (r.stmt.kind !== 'Grad') continue;
    if (out.some((x) => x.of === r.of && x.wrt === r.wrt)) continue;
    out.push(r);
  }
  return out;
}

/** Requests for `--of OUT [--wrt N…]`: the latest binding of OUT, and of each N the latest that OUT depends on. */
export function resolveRequests(full: FullAnalysis, of: string, wrt?: readonly string[]): { requests: SolutionRequest[]; problems: string[] } {
  const tape = full.eval.tape;
  const all = full.eval.record.bindings;
  const named = (n: string): Binding[] => all.filter((b) => b.name === n || b.aliases?.includes(n));
  const outs = named(of);
  const out = outs[outs.length - 1];
  if (!out) return { requests: [], problems: [`no binding named \`${of}\`.`] };
  if (numel(tape.shape(out.node)) !== 1) return { requests: [], problems: [`\`${of}\` has shape ${formatShape(tape.shape(out.node))}; a gradient needs a scalar output.`] };
  const grads = tape.backward(out.node);
  const requests: SolutionRequest[] = [];
  const problems: string[] = [];
  if (wrt && wrt.length) {
    for (const w of wrt) {
      const hist = named(w);
      if (!hist.length) {
        problems.push(`no binding named \`${w}\`.`);
        continue;
      }
      const chosen = [...hist].reverse().find((b) => grads.dependsOn(b.node)) ?? hist[hist.length - 1];
      requests.push({ of: out, wrt: chosen, wrtText: w, grads });
    }
  } else {
    const current = all.filter((b) => b.network || named(b.name).at(-1) === b);
    const deps = current.filter((b) => b !== out && grads.dependsOn(b.node));
    const params = deps.filter((b) => b.kind === 'param');
    for (const b of params.length ? params : deps.filter((x) => x.kind === 'leaf')) requests.push({ of: out, wrt: b, wrtText: b.name, grads });
  }
  return { requests, problems };
}

/** Paths of bindings from `of` down to `wrt` (parents in source order), or undefined if more than `max`. */
function bindingPaths(of: Binding, wrt: Binding, max: number): Binding[][] | undefined {
  const reach = new Map<Binding, boolean>();
  const reaches = (b: Binding): boolean => {
    if (b === wrt) return true;
    const c = reach.get(b);
    if (c !== undefined) return c;
    reach.set(b, false);
    const r = parentsOf(b).some(reaches);
    reach.set(b, r);
    return r;
  };
  const paths: Binding[][] = [];
  const walk = (b: Binding, acc: Binding[]): boolean => {
    if (paths.length > max) return false;
    if (b === wrt) {
      paths.push([...acc, b]);
      return true;
    }
    for (const p of parentsOf(b)) if (reaches(p)) walk(p, [...acc, b]);
    return true;
  };
  walk(of, []);
  return paths.length > max ? undefined : paths;
}

const wrapSum = (t: string, s: { k: string; op?: string }): string => (s.k === 'bin' && (s.op === '+' || s.op === '-') ? `\\left(${t}\\right)` : t);
const numFactor = (v: number, digits: number): string => (v < 0 ? `\\left(${texNum(v, digits)}\\right)` : texNum(v, digits));

function backward(ctx: Ctx, req: SolutionRequest, pairs: readonly SoftmaxCE[], proved: Set<SoftmaxCE>, shared: Shared): Block[] {
  const { tape, digits } = ctx;
  const head = texPartial(req.of.name, req.wrtText);
  const out: Block[] = [{ kind: 'heading', level: 3, text: [m(head)] }];
  const g = req.grads.of(req.wrt.node);
  const resultTex = g.shape.length === 0 ? texNum(g.data[0], digits) : texTensor(g.shape, g.data, digits);
  const conclude = (): Block => ({ kind: 'para', text: [m('\\therefore'), ' The gradient of ', m(texVar(req.of.name)), ' with respect to ', m(texVar(req.wrtText)), ' is ', m(resultTex), '.'] });

  const pair = pairs.find((p) => p.loss === req.of && p.logits === req.wrt);
  if (pair) {
    proved.add(pair);
    out.push(...softmaxSection(ctx, pair, req, 4));
    out.push(conclude());
    return out;
  }
  if (req.of === req.wrt) {
    out.push({ kind: 'display', tex: `${head} = 1` });
    return out;
  }

  const paths = bindingPaths(req.of, req.wrt, 12);
  const locals = new Map<string, LocalDerivative>();
  let symbolic = !!paths && paths.length > 0;
  if (paths && symbolic) {
    for (const p of paths)
      for (let k = 0; k + 1 < p.length; k++) {
        const key = `${p[k].node}:${p[k + 1].node}`;
        if (locals.has(key)) continue;
        const d = localDerivative(tape, p[k], p[k + 1]);
        if (!d) symbolic = false;
        else locals.set(key, d);
      }
  }
  if (!paths || !symbolic || paths.length === 0) {
    out.push(...tensorBackward(ctx, req));
    out.push(conclude());
    return out;
  }

  const factors = paths.map((p) => p.slice(0, -1).map((b, k) => locals.get(`${b.node}:${p[k + 1].node}`)!));
  const direct = (f: LocalDerivative[]): boolean => f.length === 1 && paths.length > 1;
  const partial = (f: LocalDerivative, path: LocalDerivative[]): string =>
    direct(path) ? `\\left.${texPartial(f.to.name, f.from.name)}\\right|_{\\text{direct}}` : texPartial(f.to.name, f.from.name);

  // 1. The chain rule over the statements.
  const intro: Inline[] = ['By the chain rule over the statements', paths.length > 1 ? ` (${paths.length} paths lead from ` : ''];
  if (paths.length > 1) intro.push(m(texVar(req.of.name)), ' to ', m(texVar(req.wrtText)), ': their products are summed)');
  intro.push(':');
  out.push({ kind: 'para', text: intro });

  // 2. Each local derivative not written out before, with its rules and value.
  const localRows: string[] = [];
  const cases: Inline[][] = [];
  for (const path of factors)
    for (const f of path) {
      const key = `${f.to.node}:${f.from.node}`;
      if (shared.shown.has(key)) continue;
      shared.shown.add(key);
      f.rules.forEach((r) => shared.rules.add(r));
      const env = envOf(tape, f.to);
      const sub: TexOptions = { digits, subst: (n) => substText(ctx, f.to.refs.find((r) => (r.ref.kind === 'Name' ? r.ref.name : r.ref.parts.join('.')) === n)?.binding ?? f.to) };
      const exprTex = texSymbolic(f.expr, ctx.tex);
      const names = ruleNames(f.rules);
      const parts = [texSymbolic(f.derivative, ctx.tex), texSymbolic(foldCallArgs(f.derivative, env), sub), texNum(f.value, digits)].filter((x, i, a) => i === 0 || (x !== a[i - 1] && !(i === 2 && Number(a[1]) === f.value)));
      localRows.push(
        `${partial(f, path)} &= \\frac{\\partial}{\\partial ${texVar(f.variable)}} ${wrapSum(exprTex, f.expr)}${names.length ? ` \\quad \\text{(${names.join(', ')})}` : ''}`,
      );
      localRows.push(`&= ${parts.join(' = ')}`);
      cases.push(...kinkNotes(f, env, digits));
    }
  if (localRows.length) out.push({ kind: 'align', rows: localRows });
  const uniqueCases = cases.filter((c, i) => cases.findIndex((d) => JSON.stringify(d) === JSON.stringify(c)) === i);
  if (uniqueCases.length) out.push({ kind: 'list', items: uniqueCases });
  if (localRows.length / 2 < new Set(factors.flat()).size) {
    out.push({ kind: 'para', text: [localRows.length ? 'The other local derivatives are written out above.' : 'Each local derivative is written out above.'] });
  }

  // 3. The chain, symbolically, then with numbers.
  const rows: string[] = [];
  const chain = factors.map((path) => path.map((f) => partial(f, path)).join(' \\cdot '));
  rows.push(`${head} &= ${chain.join(' + ')}`);
  const symRows = factors.map((path) => path.map((f) => wrapFactor(texSymbolic(f.derivative, ctx.tex), f)).join(' \\cdot '));
  if (paths.length > 1) symRows.forEach((r, i) => rows.push(`&${i === 0 ? '=' : '\\quad +'} ${r}`));
  else rows.push(`&= ${symRows[0]}`);
  const numRows = factors.map((path) => path.map((f) => numFactor(f.value, digits)).join(' \\cdot '));
  rows.push(`&= ${numRows.join(' + ')}`);
  if (paths.length > 1 && factors.some((p) => p.length > 1)) {
    const sums = factors.map((p) => p.reduce((a, f) => a * f.value, 1));
    rows.push(`&= ${sums.map((s, i) => (i > 0 ? numFactor(s, digits) : texNum(s, digits))).join(' + ')}`);
  }
  if (rows[rows.length - 1] !== `&= ${resultTex}`) rows.push(`&= ${resultTex}`);
  out.push({ kind: 'align', rows });
  out.push(conclude());
  return out;
}

function wrapFactor(t: string, f: LocalDerivative): string {
  const d = f.derivative;
  return d.k === 'bin' && (d.op === '+' || d.op === '-') ? `\\left(${t}\\right)` : t;
}

/** "here y1 + x0 = 0.62 > 0, so ReLU'(y1 + x0) = 1" for every ReLU'/H/sign in a local derivative. */
function kinkNotes(f: LocalDerivative, env: (n: string) => number, digits: number): Inline[][] {
  const out: Inline[][] = [];
  const seen = new Set<string>();
  const walk = (s: LocalDerivative['derivative']): void => {
    if (s.k === 'call') {
      if (["ReLU'", "LeakyReLU'", 'H', 'sign'].includes(s.f) && s.args[0].k !== 'num') {
        const argTex = texSymbolic(s.args[0], { digits });
        const whole = texSymbolic(s, { digits });
        if (!seen.has(whole)) {
          seen.add(whole);
          const v = evalSym(s.args[0], env);
          const w = evalSym(s, env);
          const cmp = v > 0 ? '> 0' : v < 0 ? '< 0' : '= 0';
          out.push(['here ', m(`${argTex} = ${texNum(v, digits)} ${cmp}`), ', so ', m(`${whole} = ${texNum(w, digits)}`), s.f === "ReLU'" && v === 0 ? ' (ReLU′(0) = 0, as PyTorch)' : '', '.']);
        }
      }
      s.args.forEach(walk);
    } else if (s.k === 'bin') {
      walk(s.a);
      walk(s.b);
    } else if (s.k === 'neg') walk(s.a);
  };
  walk(f.derivative);
  return out;
}

/** Tensors (or scalars through opaque operations): the backpropagation recurrence as derived by the core. */
function tensorBackward(ctx: Ctx, req: SolutionRequest): Block[] {
  const d = deriveGradient(ctx.tape, req.of, req.wrt, req.wrtText, req.grads);
  const out: Block[] = [];
  const g = req.grads.of(req.wrt.node);
  const w = ctx.tape.value(req.wrt.node);
  out.push({
    kind: 'para',
    text: [
      m(texPartial(req.of.name, req.wrtText)),
      ' has the shape of ',
      m(texVar(req.wrtText)),
      ': ',
      m(texSpace(w.shape)),
      g.shape.length ? ` (${numel(g.shape).toLocaleString('en-US')} entries).` : '.',
    ],
  });
  if (d.recurrence.length) {
    out.push({ kind: 'para', text: ['Backpropagation, from the output down (each gradient sums its uses):'] });
    out.push({
      kind: 'code',
      lines: d.recurrence.flatMap((r, i) => [
        ...(d.omitted && i === d.omitted.at ? [`… ${d.omitted.count.toLocaleString('en-US')} bindings left out …`] : []),
        `∂${d.of}/∂${r.name} = ${r.source ? `${r.source} — ` : ''}${r.terms.join(' + ')}   ${r.value !== undefined ? `= ${r.value}` : `shape ${formatShape(r.shape)}`}`,
      ]),
    });
  }
  if (d.paths.length) {
    out.push({ kind: 'code', lines: d.paths.map((p) => p.map((f) => `∂${f.to}/∂${f.from} = ${f.text}`).join('  ·  ')) });
  }
  for (const n of d.notes) out.push({ kind: 'para', text: [n] });
  out.push({ kind: 'align', rows: [`${texPartial(req.of.name, req.wrtText)} &= ${g.shape.length === 0 ? texNum(g.data[0], ctx.digits) : texTensor(g.shape, g.data, ctx.digits)}`] });
  return out;
}

// ---- softmax + cross-entropy ---------------------------------------------------------------

function softmaxSection(ctx: Ctx, pair: SoftmaxCE, req: SolutionRequest | undefined, level: 2 | 4): Block[] {
  const out: Block[] = [];
  const proof = softmaxProof(pair, ctx.tape);
  const { P, h, y, L } = proof.names;
  const index = proof.indexTarget;
  if (level === 2) out.push({ kind: 'heading', level: 2, text: ['Softmax with cross-entropy: ', m(`\\frac{\\partial ${L}}{\\partial ${h}} = ${P} - ${y}`)] });
  const def: Inline[] =
    pair.form === 'explicit'
      ? ['With ', m(`${P}_{j} = \\frac{\\exp(${h}_{j})}{\\sum_{k} \\exp(${h}_{k})}`), ' (the softmax) and ', m(`${L} = -\\sum_{j} ${y}_{j} \\log ${P}_{j}`), ' (the cross-entropy), where ', m(`${y}_{j}`), ' is 1 for the true class and 0 otherwise:']
      : [
          m(`${L} = \\operatorname{cross\\_entropy}(${h}, ${index ? texVar(pair.target.name) : y})`),
          ' is the cross-entropy of ',
          m(`${P} = \\operatorname{softmax}(${h})`),
          ': ',
          m(`${L} = -\\sum_{j} ${y}_{j} \\log ${P}_{j}`),
          ' with ',
          m(`${P}_{j} = \\frac{\\exp(${h}_{j})}{\\sum_{k} \\exp(${h}_{k})}`),
          ', where ',
          m(`${y}_{j}`),
          ' is 1 for the true class and 0 otherwise',
          ...(index ? [' (the class index ', m(texVar(pair.target.name)), ' gives ', m(`${y} = \\operatorname{onehot}(${texVar(pair.target.name)})`), ')'] : []),
          ':',
        ];
  out.push({ kind: 'para', text: def });
  out.push({ kind: 'para', text: ['First, ', m(`\\frac{\\partial ${P}_{j}}{\\partial ${h}_{i}}`), ' for ', m('j = i'), ':'] });
  out.push({ kind: 'align', rows: proof.blocks[0] });
  out.push({ kind: 'para', text: ['and for ', m('j \\neq i'), ':'] });
  out.push({ kind: 'align', rows: proof.blocks[1] });
  out.push({ kind: 'para', text: ['Then the chain rule through the sum over ', m('j'), ':'] });
  out.push({ kind: 'align', rows: proof.blocks[2] });

  const n = softmaxNumbers(ctx.tape, pair);
  const tP = texTensor(n.shape, n.P, ctx.digits);
  const tY = texTensor(n.shape, n.Y, ctx.digits);
  const tG = texTensor(n.shape, n.grad, ctx.digits);
  const rows = !n.normalised
    ? [
        `\\frac{\\partial ${L}}{\\partial ${h}} &= ${n.batch > 1 ? `\\frac{1}{${n.batch}}` : ''}\\left(${P} \\textstyle\\sum_{j} ${y}_{j} - ${y}\\right) \\quad \\text{(the rows of } ${y} \\text{ do not sum to 1: the last step above does not apply)}`,
        `&= ${tG}`,
      ]
    : n.batch > 1
    ? [
        `\\frac{\\partial ${L}}{\\partial ${h}} &= \\frac{1}{${n.batch}}\\left(${P} - ${y}\\right) \\quad \\text{(the mean over ${n.batch} examples)}`,
        `&= \\frac{1}{${n.batch}}\\left(${tP} - ${tY}\\right)`,
        `&= ${tG}`,
      ]
    : [`\\frac{\\partial ${L}}{\\partial ${h}} &= ${P} - ${y}`, `&= ${tP} - ${tY}`, `&= ${tG}`];
  out.push({ kind: 'para', text: ['With the numbers of this document:'] });
  out.push({ kind: 'align', rows });
  if (req) {
    const g = req.grads.of(req.wrt.node);
    let worst = 0;
    for (let i = 0; i < g.data.length; i++) worst = Math.max(worst, Math.abs(g.data[i] - n.grad[i]));
    const ok = worst <= 1e-9;
    out.push({
      kind: 'para',
      text: [{ ok }, ok ? ' Backpropagation gives the same gradient' : ' Backpropagation gives a different gradient', ` (largest difference ${worst === 0 ? '0' : worst.toExponential(1)}).`],
    });
  }
  return out;
}

// ---- networks ------------------------------------------------------------------------------

function layerName(l: LayerInfo): string {
  return l.label ? `${l.label} = ${l.type}` : `${l.index}: ${l.type}`;
}
const textTex = (s: string): string => `\\text{${texText(s)}}`;

function networkSection(net: NetworkInfo): Block[] {
  const out: Block[] = [{ kind: 'heading', level: 2, text: ['Network ', code(net.name)] }];
  out.push({ kind: 'para', text: ['Input: ', m(`[${net.inputShape.map((d) => texSize(d)).join(', ')}]`), '.'] });
  out.push({ kind: 'heading', level: 3, text: ['Output sizes'] });
  const sizeRows = net.layers.map((l) => {
    const dims = l.outputShape.map((d) => texSize(d));
    const size = typeof l.outputSize === 'number' ? texCount(l.outputSize) : texSize(l.outputSize);
    const prod = dims.length > 1 ? `${dims.join(' \\times ')} = ` : '';
    return `${textTex(layerName(l))} &: \\left[${dims.join(', ')}\\right], \\quad ${prod}${size}`;
  });
  out.push({ kind: 'align', rows: sizeRows });
  const labelled = net.layers.filter((l) => l.label);
  if (labelled.length) {
    out.push({
      kind: 'list',
      items: labelled.map((l) => {
        const dims = l.outputShape.map((d) => texSize(d));
        const size = typeof l.outputSize === 'number' ? texCount(l.outputSize) : texSize(l.outputSize);
        return [m('\\therefore'), ' Size of the output ', code(l.label!), ' = ', m(dims.length > 1 ? `${dims.join(' \\times ')} = ${size}` : size)];
      }),
    });
  }
  out.push({ kind: 'heading', level: 3, text: ['Learnable parameters'] });
  const withParams = net.layers.filter((l) => l.params > 0);
  if (withParams.length === 0) {
    out.push({ kind: 'para', text: ['The network has no learnable parameters.'] });
  } else {
    const rows = withParams.map((l) => `${textTex(l.label ?? `${l.index}: ${l.type}`)} &= ${l.paramFormula && l.paramFormula !== String(l.params) ? `${texSize(l.paramFormula)} = ` : ''}${texCount(l.params)}`);
    if (withParams.length > 1) {
      rows.push(`\\text{Total} &= ${withParams.map((l) => textTex(l.label ?? `${l.index}: ${l.type}`)).join(' + ')}`);
      rows.push(`&= ${withParams.map((l) => (l.paramFormula ? texSize(l.paramFormula) : texCount(l.params))).join(' + ')}`);
      rows.push(`&= ${texCount(net.params)}`);
    }
    out.push({ kind: 'align', rows });
    out.push({ kind: 'para', text: [m('\\therefore'), ' Total learnable parameters = ', m(texCount(net.params)), '.'] });
  }
  if (net.buffers > 0) out.push({ kind: 'para', text: [`BatchNorm's running statistics (${net.buffers.toLocaleString('en-US')} values) are buffers, not learnable parameters.`] });
  return out;
}

// ---- checks and expectations ----------------------------------------------------------------

function checksSection(ctx: Ctx): Block[] {
  const a = ctx.full.analysis;
  if (!a.checks.length && !a.expectations.length) return [];
  const out: Block[] = [{ kind: 'heading', level: 2, text: ['Checks'] }];
  const line = (n: number): string => `line ${n + 1}: `;
  if (a.checks.length) {
    out.push({ kind: 'para', text: ['Gradient checks (analytic against central differences):'] });
    out.push({
      kind: 'list',
      items: a.checks.map((c) => [
        { ok: c.passed },
        ` ${line(c.line)}`,
        m(texPartial(c.of, c.wrt)),
        ': largest relative error ',
        m(texNum(c.maxRelError, 2)),
        ` (tolerance `,
        m(texNum(c.tolerance, 2)),
        `)${c.kinks ? `; ${c.kinks} element${c.kinks > 1 ? 's' : ''} at a kink, not counted` : ''}.`,
      ]),
    });
  }
  if (a.expectations.length) {
    out.push({ kind: 'para', text: ['Answers checked with ', code('expect'), ':'] });
    const show = (s: { shape: number[]; data: number[] }): string => (s.shape.length === 0 ? texNum(s.data[0], 6) : numel(s.shape) <= 8 ? texTensor(s.shape, s.data, 6) : texSpace(s.shape));
    out.push({
      kind: 'list',
      items: a.expectations.map((e) => [
        { ok: e.passed },
        ` ${line(e.line)}`,
        code(`${e.left.text} == ${e.right.text}`),
        ': ',
        m(`${show(e.left)} ${e.passed ? '=' : '\\neq'} ${show(e.right)}`),
        ', error ',
        m(texNum(e.maxError, 2)),
        e.passed ? '' : ` > `,
        e.passed ? '' : m(texNum(e.tolerance, 2)),
        '.',
      ]),
    });
  }
  return out;
}

export type { LocalDerivative } from './solution/scalar';
export type { SoftmaxCE } from './solution/softmax';

export const SOLUTION_FORMATS = ['md', 'tex'] as const;
export type SolutionFormat = (typeof SOLUTION_FORMATS)[number];
export function isSolutionFormat(s: string): s is SolutionFormat {
  return (SOLUTION_FORMATS as readonly string[]).includes(s);
}
