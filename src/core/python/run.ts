/**
 * `runPython(text)`: parses a Python file, interprets it on an evaluator's tape and returns the
 * same EvalResult a `.nn` document gives (docs/python.md), plus `prints`. Comment directives
 * (`# expect dW1 == grad(loss, W1)`, `# check …`, `# grad …`) are .nn statements run by the
 * evaluator against the Python bindings, where they stand between module-level statements.
 */
import { K } from '../autodiff/tape';
import type { NetworkInfo, SymbolInfo, TrainingInfo } from '../analysis';
import { showValue } from '../explain/symbols';
import { formatShape } from '../tensor/tensor';
import { error, type Diagnostic } from '../diagnostics';
import { BudgetExceeded } from '../eval/common';
import { Evaluator, type EvalOptions, type EvalResult } from '../eval/evaluator';
import type { Binding } from '../eval/values';
import { formatNumber } from '../format';
import type { Span } from '../span';
import { parseProgram } from '../syntax/parser';
import type { Directive, PyStmt } from './ast';
import { installBuiltins } from './builtins';
import { Interp } from './interp';
import { installTensorMembers, mathModule, numpyModule, torchModule, type TensorEvents } from './modules';
import { randomModule } from './pyrandom';
import { dataModule } from './data';
import { rewriteDirective } from './directiveSpellings';
import { Nn, type OptimizerPayload } from './nn';
import { parsePython } from './parse';
import { Tensors } from './tensors';
import { PyError, PyInstance, PyModuleObj, PyNative, PyInt, PyList, PyTensor, PyTuple, Skip, Unknown, isNumber, num, type PyVal } from './values';

/** One `print(...)` (or torchinfo table) with the line that printed it. */
export interface PrintInfo {
  readonly line: number;
  /** The module-level statement that printed (a loop prints many times at its line). */
  readonly span: Span;
  readonly text: string;
}

export interface PythonResult extends EvalResult {
  readonly prints: PrintInfo[];
}

const MAX_PRINTS = 2000;

export function runPython(text: string, options: EvalOptions = {}): PythonResult {
  const ev = new Evaluator(text, { ...options, recordExpressions: false });
  const module = parsePython(text);
  const prints: PrintInfo[] = [];
  const hinted = new Set<string>();
  const valueIndex = new Map<string, number>();
  /** ev.values index → the tape node whose value it reports. */
  const valueNodes = new Map<number, number>();
  const bindings = new Map<string, Binding>();
  const networks = new Map<string, NetworkInfo>();
  const optimizers: { p: OptimizerPayload; span: Span }[] = [];
  const gradSeen = new Map<number, number>();
  let lastRoot: { t: PyTensor; name: string; loss: number } | undefined;
  let backwardPasses = 0;
  let printsCut = false;
  let polled = 0;

  const hint = (why: string, span: Span): void => {
    const key = `${span.start}:${why}`;
    if (hinted.has(key)) return;
    hinted.add(key);
    ev.diagnostics.push({ code: 'python.unknown', severity: 'info', message: why, span });
  };

  const ip = new Interp(text, {
    spend(units, span) {
      ev.spend(units, span);
      if (options.shouldStop && ++polled % 4096 === 0) {
        const why = options.shouldStop();
        if (why) throw new Stopped(why);
      }
    },
    bound(name, v, stmtSpan, nameSpan) {
      record(name, v, stmtSpan, nameSpan);
    },
    hint,
  });
  const T = new Tensors(ev, ip);
  ip.tensors = T;
  const events: TensorEvents = {
    backward(root, at) {
      const v = T.value(root).data[0];
      lastRoot = { t: root, name: nameOf(root) ?? ip.text.slice(at.span.start, at.span.end).replace(/\.backward\(.*$/s, ''), loss: v };
      backwardPasses++;
    },
    gradRead(t, g, span) {
      if (!g || ip.topSpan.start !== ip.topSpan.start) return;
      const v = T.value(g);
      const info = {
        of: lastRoot?.name ?? 'loss',
        wrt: nameOf(t) ?? text.slice(span.start, span.end),
        line: ev.lines.lineOf(span.start),
        span: ip.topSpan,
        wrtSpan: span,
        shape: v.shape.slice(),
        data: Array.from(v.data),
      };
      const k = gradSeen.get(span.start);
      if (k !== undefined) ev.gradients[k] = info;
      else {
        gradSeen.set(span.start, ev.gradients.length);
        ev.gradients.push(info);
      }
    },
    ownRandom(span) {
      hint("GradLens's own random numbers: no torch.manual_seed(...) ran before this line (PyTorch then seeds its generator randomly at start-up), so these values differ from the ones your notebook prints.", span);
    },
  };
  const nn = new Nn(ip, T, {
    lastLoss: () => lastRoot?.loss,
    optimizer: (p) => optimizers.push({ p, span: ip.topSpan }),
    print: (s, at) => print(s, at.span),
  });
  const F = nn.functionalModule();
  const nnMod = nn.nnModule(F);
  const optim = nn.optimModule();
  const torch = torchModule(ip, T, events, nnMod, F, optim);
  const np = numpyModule(ip, T, events);
  installTensorMembers(ip, T, events);
  installBuiltins(ip, (s, at) => print(s, at.span));
  const data = dataModule(ip, T, (span) =>
    hint("GradLens's own order: a shuffled DataLoader draws its order from PyTorch's generator in a way GradLens does not reproduce, so the batches (and what is computed from them) differ from PyTorch's.", span),
  );
  torch.attrs.set('utils', new PyModuleObj('torch.utils', new Map([['data', data]])));
  // tqdm's progress bars change nothing a program computes: tqdm(it) and trange(n) iterate as it and range(n) do.
  const tqdmModule = (name: string): PyModuleObj =>
    new PyModuleObj(
      name,
      new Map<string, PyVal>([
        ['tqdm', new PyNative('tqdm', (args, kw) => args[0] ?? kw.get('iterable') ?? new PyList([]))],
        ['trange', new PyNative('trange', (args, kw, at) => ip.call(ip.builtins.get('range')!, args, kw, at))],
      ]),
    );
  const tqdm = tqdmModule('tqdm');
  for (const [k, v] of [
    ['numpy', np],
    ['numpy.random', np.attrs.get('random')],
    ['numpy.linalg', np.attrs.get('linalg')],
    ['torch', torch],
    ['torch.nn', nnMod],
    ['torch.nn.functional', F],
    ['torch.nn.init', nnMod.attrs.get('init')],
    ['torch.autograd', torch.attrs.get('autograd')],
    ['tqdm', tqdm],
    ['tqdm.auto', tqdmModule('tqdm.auto')],
    ['tqdm.notebook', tqdmModule('tqdm.notebook')],
    ['torch.utils.data', data],
    ['torch.utils', new PyModuleObj('torch.utils', new Map([['data', data]]))],
    ['torch.optim', optim],
    ['math', mathModule(ip)],
    ['random', randomModule(ip, (span) => hint("GradLens's own random numbers: no random.seed(...) ran before this line (CPython then seeds its generator from the system at start-up), so these values differ from the ones Python prints.", span))],
    ['torchinfo', nn.torchinfoModule()],
  ] as const)
    ip.modules.set(k, v as never);

  function print(s: string, _span: Span): void {
    if (prints.length >= MAX_PRINTS) {
      printsCut = true;
      return;
    }
    prints.push({ line: ev.lines.lineOf(ip.topSpan.start), span: ip.topSpan, text: s.replace(/\n$/, '') });
  }

  function nameOf(t: PyTensor): string | undefined {
    for (const [k, v] of ip.globals.vars) if (v === t) return k;
    return undefined;
  }

  /** A module-level binding: its value (numbers, tensors, lists of numbers), binding and network report. */
  function record(name: string, v: PyVal, stmtSpan: Span, nameSpan: Span): void {
    const tape = ev.tape;
    let node: number | undefined;
    let kind: Binding['kind'] = 'value';
    if (v instanceof PyTensor) {
      // A numpy array bound at module level is a leaf, as `W = randn(3, 4)` in .nn: grad(loss, W) works.
      if (v.lib === 'np' && tape.req[v.node] !== 1) {
        const val = tape.value(v.node);
        v.node = tape.leaf({ shape: val.shape.slice(), data: Float64Array.from(val.data) }, K.LEAF, nameSpan.start, nameSpan.end);
      }
      node = v.node;
      kind = tape.kind[node] === K.PARAM ? 'param' : tape.kind[node] === K.OP ? 'value' : 'leaf';
    } else if (isNumber(v) && !(typeof v === 'boolean')) {
      node = tape.scalarLeaf(num(v), K.LEAF, nameSpan.start, nameSpan.end);
      kind = 'leaf';
    } else if ((v instanceof PyList || v instanceof PyTuple) && v.items.length > 0 && v.items.length <= 100000 && v.items.every((x) => isNumber(x))) {
      node = ev.constant({ shape: [v.items.length], data: Float64Array.from(v.items.map((x) => num(x as PyInt))) }, stmtSpan);
      kind = 'leaf';
    }
    if (v instanceof PyInstance && nn.isModule(v) && !(v.payload && (v.payload as { kind?: string }).kind === 'layer')) {
      const info = nn.networkInfo(v, name, stmtSpan);
      if (info) networks.set(`${name}@${stmtSpan.start}`, info);
    }
    if (node === undefined) {
      if (v instanceof Unknown || v instanceof PyInstance || typeof v === 'string') ev.env.delete(name);
      return;
    }
    const b: Binding = { name, node, kind, stmt: null, line: ev.lines.lineOf(stmtSpan.start), span: stmtSpan, nameSpan, refs: [] };
    bindings.set(name, b);
    ev.env.set(name, b);
    ev.poisoned.delete(name);
    let h = ev.history.get(name);
    if (!h) ev.history.set(name, (h = []));
    h.push(b);
    if (h.length > 64) h.shift();
    const key = `${name}@${nameSpan.start}`;
    const t = tape.isScalar[node] === 1 ? undefined : tape.value(node);
    const info = {
      name,
      line: b.line,
      span: stmtSpan,
      nameSpan,
      shape: t ? t.shape.slice() : [],
      // Filled in at the end from the node (a loop rebinding a big array copies it once, not per iteration).
      data: [] as number[],
      isParam: kind === 'param',
      isLeaf: kind !== 'value',
      ...(v instanceof PyTensor && v.lib === 'torch' && !v.isInt ? { dtype: 'float32' as const } : {}),
    };
    const at = valueIndex.get(key);
    valueNodes.set(at ?? ev.values.length, node);
    if (at !== undefined) {
      ev.values[at] = info;
      ev.bindings[ev.bindings.indexOf(ev.bindings.find((x) => x.name === name && x.nameSpan.start === nameSpan.start)!)] = b;
    } else {
      valueIndex.set(key, ev.values.length);
      ev.values.push(info);
      ev.bindings.push(b);
    }
  }

  /** Runs the directives written before `offset`. */
  let di = 0;
  const directives = module.directives;
  function runDirectives(offset: number): void {
    while (di < directives.length && directives[di].offset < offset) runDirective(directives[di++]);
  }
  function runDirective(d: Directive): void {
    // Python names the directive reads that are unknown: the directive is skipped quietly.
    const parsed = parseProgram(text, [{ start: d.offset, end: d.span.end, baseIndent: 0 }], 'block');
    if (parsed.diagnostics.length) {
      hint(`GradLens could not read this directive as a .nn statement: ${parsed.diagnostics[0].message}`, d.span);
      return;
    }
    for (const [name, v] of ip.globals.vars) if (v instanceof Unknown) ev.poisoned.add(name);
    const root = backwardPasses === 1 && lastRoot && /^[A-Za-z_]\w*$/.test(lastRoot.name) ? lastRoot.name : undefined;
    ev.run(rewriteDirective(parsed.program, { root }));
  }

  /** The cells' last statements that are expressions: Jupyter displays their values. */
  const displayed = new Set<PyStmt>();
  if (options.cellEnds) {
    const body = module.body;
    for (const end of options.cellEnds) {
      let last: PyStmt | undefined;
      for (const st of body) if (st.span.end <= end) last = st;
      if (last && last.kind === 'Expr' && !/^[ \t]*;/.test(text.slice(last.span.end, text.indexOf('\n', last.span.end) < 0 ? text.length : text.indexOf('\n', last.span.end)))) displayed.add(last);
    }
  }

  let skipped: string | undefined;
  for (const stmt of module.body) {
    runDirectives(stmt.span.start);
    ip.topSpan = stmt.span;
    ev.currentLine = ev.lines.lineOf(stmt.span.start);
    options.onStatement?.(ev.currentLine);
    const r = runTop(stmt);
    if (r) {
      skipped = r;
      break;
    }
  }
  if (!skipped) runDirectives(Infinity);

  function runTop(stmt: PyStmt): string | undefined {
    try {
      if (stmt.kind === 'Expr' && displayed.has(stmt)) {
        const v = ip.eval(stmt.value, ip.globals);
        if (v !== null) print(ip.repr(v), stmt.span);
      } else ip.exec(stmt, ip.globals);
    } catch (e) {
      const unknown = (why: string): void => ip.makeUnknown(stmt, ip.globals, why);
      if (e instanceof BudgetExceeded || e instanceof Stopped) {
        const why =
          e instanceof Stopped
            ? `Stopped at line ${ev.currentLine + 1} ${e.why}; later lines were not evaluated.`
            : `Stopped at line ${ev.currentLine + 1}: the work budget (${formatNumber(ev.budget, 3)} element operations and multiply-accumulates) is used up; later lines were not evaluated.`;
        ev.diagnostics.push({ code: 'budget.exceeded', severity: 'info', message: why + (e instanceof Stopped ? '' : ' Raise the work budget (gradlens.analysis.workBudget in the editor, --budget in the CLI) to evaluate them.'), span: stmt.span });
        return why;
      }
      if (e instanceof Skip) {
        unknown(e.why ?? 'it depends on a value GradLens cannot follow');
        return undefined;
      }
      if (e instanceof PyError) {
        unknown(`Python raises ${e.type} here`);
        if (e.type === 'AssertionError') ev.diagnostics.push(error('python.assert', `Expected the assertion to hold, found it false${e.message ? `: ${e.message}` : ''}.`, e.span ?? stmt.span));
        else ev.diagnostics.push({ code: 'python.exception', severity: 'warning', message: `Python would raise ${e.type} here: ${e.message}`, span: e.span ?? stmt.span });
        return undefined;
      }
      if (e instanceof RangeError && /call stack/i.test(e.message)) {
        unknown('too deeply nested');
        hint('GradLens could not follow this statement: it nests too deeply.', stmt.span);
        return undefined;
      }
      unknown('an internal error');
      ev.diagnostics.push({ code: 'python.internal', severity: 'info', message: `GradLens could not follow this statement (internal error, please report it): ${(e as Error)?.message ?? String(e)}`, span: stmt.span });
    }
    return undefined;
  }

  for (const [i, node] of valueNodes) {
    const tape = ev.tape;
    ev.values[i] = { ...ev.values[i], data: tape.isScalar[node] === 1 ? [tape.sv[node]] : Array.from(tape.value(node).data) };
  }
  const trainings: TrainingInfo[] = optimizers
    .filter((o) => o.p.losses.length > 0)
    .map(({ p, span }) => {
      const at = p.firstStep ?? span;
      return {
        line: ev.lines.lineOf(at.start),
        span: at,
        targets: [],
        optimizer: p.text,
        losses: p.losses.slice(),
        metrics: [],
        stepLosses: p.losses.slice(),
        epochs: p.losses.length,
        steps: p.losses.length,
        examples: 0,
        batch: 0,
        ms: Math.round(performance.now() - p.started),
      };
    });
  if (printsCut) ev.diagnostics.push({ code: 'python.prints', severity: 'info', message: `Only the first ${MAX_PRINTS} lines printed are kept.`, span: { start: 0, end: 0 } });
  const diagnostics: Diagnostic[] = ev.diagnostics;
  return {
    tape: ev.tape,
    record: { bindings: ev.bindings, exprNodes: ev.exprNodes },
    diagnostics,
    values: ev.values,
    gradients: ev.gradients,
    gradRequests: ev.gradRequests,
    checks: ev.checks,
    expectations: ev.expectations,
    networks: [...ev.networkInfos, ...networks.values()].sort((a, b) => a.span.start - b.span.start),
    work: ev.work,
    skipped,
    lines: ev.lines,
    trainings,
    prints,
    marks: ev.marks,
    answers: ev.answers,
  };
}

class Stopped {
  constructor(readonly why: string) {}
}

/**
 * Hovers for a Python file: each module-level binding's value (its latest) and its gradient from
 * the last `.backward()` where a line read `.grad` (the editor adds the float32 note from the
 * value's dtype).
 */
export function pythonSymbols(r: PythonResult, digits = 4): SymbolInfo[] {
  const out: SymbolInfo[] = [];
  for (const b of r.record.bindings) {
    const t = r.tape.value(b.node);
    const kind = b.kind === 'param' ? 'tensor that requires grad' : b.kind === 'leaf' ? 'leaf' : 'intermediate value';
    const lines = [`**${b.name}** — ${kind}, shape ${formatShape(t.shape)} (line ${b.line + 1})`, '', '```', `${b.name} = ${showValue(t, digits)}`, '```'];
    out.push({ span: b.nameSpan, kind: 'binding', name: b.name, detail: lines.join('\n') });
  }
  for (const g of r.gradients) out.push({ span: g.wrtSpan, kind: 'reference', name: `${g.wrt}.grad`, detail: `**∂${g.of}/∂${g.wrt}** after \`${g.of}.backward()\`, shape ${formatShape(g.shape)}\n\n\`\`\`\n${showValue({ shape: g.shape, data: Float64Array.from(g.data) }, digits)}\n\`\`\`` });
  return out.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}
