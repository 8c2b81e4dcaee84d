/** Test helpers: build the networks of a text with the real parser, and a minimal tape that runs them. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getOp, isShapeError, type Attrs } from '../../../src/core/autodiff/op';
import type { NodeId, Rng } from '../../../src/core/builtins/types';
import type { Diagnostic } from '../../../src/core/diagnostics';
import type { NetworkInfo } from '../../../src/core/analysis';
import type { Span } from '../../../src/core/span';
import { parseProgram } from '../../../src/core/syntax/parser';
import { createRng } from '../../../src/core/tensor/rng';
import { TorchGenerator } from '../../../src/core/tensor/torchRng';

/** A PyTorch generator after torch.manual_seed(seed). */
function seededTorch(seed: number): TorchGenerator {
  const g = new TorchGenerator();
  g.manualSeed(seed);
  return g;
}
import { tensor, type Tensor } from '../../../src/core/tensor/tensor';
import { buildNetwork, callNetwork, type NetCallContext, type NetworkModel } from '../../../src/core/nets/index';

export interface Built {
  nets: Map<string, NetworkModel>;
  infos: Map<string, NetworkInfo>;
  diagnostics: Diagnostic[];
  text: string;
}

export function build(text: string): Built {
  const { program, diagnostics } = parseProgram(text);
  const consts = new Map<string, number>();
  const nets = new Map<string, NetworkModel>();
  const infos = new Map<string, NetworkInfo>();
  const diags = [...diagnostics];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (o: number) => {
    let l = 0;
    while (l + 1 < lineStarts.length && lineStarts[l + 1] <= o) l++;
    return l;
  };
  for (const s of program.statements) {
    if (s.kind === 'Assign' && s.target.kind === 'Name' && s.value.kind === 'Number') consts.set(s.target.name, s.value.value);
    if (s.kind === 'Network') {
      const r = buildNetwork(s, { constant: (n) => consts.get(n), network: (n) => nets.get(n), lineOf });
      diags.push(...r.diagnostics);
      if (r.model) nets.set(s.name.name, r.model);
      if (r.info) infos.set(s.name.name, r.info);
    }
  }
  return { nets, infos, diagnostics: diags, text };
}

/** The source text a diagnostic points at. */
export function at(b: Built, d: Diagnostic): string {
  return b.text.slice(d.span.start, d.span.end);
}

interface Node {
  value: Tensor;
  op?: string;
  inputs: NodeId[];
  attrs: Attrs;
}

/** A minimal tape: apply runs forward; backward is a reverse loop over creation order. */
export class MiniTape {
  readonly nodes: Node[] = [];
  readonly errors: { code: string; message: string; span?: Span }[] = [];
  readonly params = new Map<string, NodeId>();
  readonly buffers = new Map<string, Tensor>();
  private rngInst: Rng | undefined;

  constructor(readonly model: NetworkModel, netSeed = 1) {
    for (const p of model.parameters()) this.params.set(p.name, this.leaf(tensor(p.shape, p.init.data.slice())));
    for (const b of model.buffers()) this.buffers.set(b.name, tensor(b.shape, b.init.data.slice()));
    this.netSeed = netSeed;
  }
  private netSeed: number;

  leaf(t: Tensor): NodeId {
    this.nodes.push({ value: t, inputs: [], attrs: {} });
    return this.nodes.length - 1;
  }
  setParam(name: string, data: ArrayLike<number>): void {
    const id = this.params.get(name);
    if (id === undefined) throw new Error(`no parameter ${name}; have ${[...this.params.keys()].join(', ')}`);
    this.nodes[id].value.data.set(data);
  }

  ctx(): NetCallContext {
    const span = { start: 0, end: 0 };
    return {
      span,
      nameSpan: span,
      apply: (op, inputs, attrs = {}, sp) => {
        const def = getOp(op);
        const shapes = inputs.map((i) => this.nodes[i].value.shape);
        const s = def.inferShape(shapes, attrs);
        if (isShapeError(s)) {
          this.errors.push({ code: s.code ?? 'shape.mismatch', message: s.error, span: sp });
          return undefined;
        }
        const value = def.forward(
          inputs.map((i) => this.nodes[i].value),
          attrs,
        );
        this.nodes.push({ value, op, inputs: [...inputs], attrs });
        return this.nodes.length - 1;
      },
      constant: (t) => this.leaf(t),
      shape: (n) => this.nodes[n].value.shape,
      value: (n) => this.nodes[n].value,
      error: (code, message, sp) => {
        this.errors.push({ code, message, span: sp });
        return undefined;
      },
      warn: () => {},
      rng: (seed) => createRng(seed ?? 0),
      torchRng: (seed) => seededTorch(seed ?? 0),
      param: (n) => {
        const id = this.params.get(n);
        if (id === undefined) throw new Error(`no parameter ${n}`);
        return id;
      },
      buffer: (n) => this.buffers.get(n)!,
      setBuffer: (n, t) => void this.buffers.set(n, t),
      netRng: () => (this.rngInst ??= createRng(this.netSeed)),
    };
  }

  run(x: Tensor, train = false): { x: NodeId; y: NodeId | undefined } {
    const xi = this.leaf(x);
    return { x: xi, y: callNetwork(this.model, xi, train, this.ctx()) };
  }

  /** Gradients of Σ(y ⊙ seed) with respect to every node. */
  backward(y: NodeId, seed: Tensor): (Tensor | undefined)[] {
    const grads: (Tensor | undefined)[] = new Array(this.nodes.length);
    grads[y] = seed;
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      const g = grads[i];
      if (!g || !n.op) continue;
      const gs = getOp(n.op).backward(
        g,
        n.inputs.map((k) => this.nodes[k].value),
        n.value,
        n.attrs,
      );
      gs.forEach((gi, k) => {
        if (!gi) return;
        const to = n.inputs[k];
        const prev = grads[to];
        if (!prev) grads[to] = tensor(gi.shape, gi.data.slice());
        else for (let j = 0; j < gi.data.length; j++) prev.data[j] += gi.data[j];
      });
    }
    return grads;
  }
}

/** A tensor in a fixture: shape and row-major data. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** One case of a PyTorch fixture (nets.json layout, written by test/fixtures/torch/nets/*.py). */
export interface TorchCase {
  name: string;
  text: string;
  train: boolean;
  input: FixtureTensor;
  state: Record<string, FixtureTensor>;
  seed: FixtureTensor;
  output: FixtureTensor;
  gradInput: FixtureTensor | null;
  gradParams: Record<string, FixtureTensor>;
  buffersAfter: Record<string, FixtureTensor>;
}

/** Largest |actual − expected| / max(1, |expected|); Infinity on a shape or length mismatch. */
export function worstRelError(actual: Tensor | undefined, expected: FixtureTensor): number {
  if (!actual || actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const r = Math.abs(actual.data[i] - e) / Math.max(1, Math.abs(e));
    worst = Math.max(worst, Number.isNaN(r) ? Infinity : r);
  }
  return worst;
}

/**
 * Runs a fixture case: builds `net`, sets the fixture's parameters, runs forward and the
 * backward of Σ(y ⊙ seed). Returns every compared quantity's worst relative error by name
 * ('output', 'grad input', 'grad net.0.weight', …) and the diagnostics met on the way.
 */
export function runTorchCase(c: TorchCase): { errors: Record<string, number>; problems: unknown[] } {
  const b = build(c.text);
  if (b.diagnostics.length) return { errors: {}, problems: b.diagnostics };
  const model = b.nets.get('net')!;
  const tape = new MiniTape(model);
  const names = new Set(model.parameters().map((p) => p.name));
  const problems: unknown[] = [];
  for (const [k, v] of Object.entries(c.state)) {
    if (names.has(k)) tape.setParam(k, v.data);
    else if (tape.buffers.has(k)) tape.buffers.set(k, tensor(v.shape, v.data));
    else problems.push(`unknown state ${k}`);
  }
  for (const n of names) if (!(n in c.gradParams)) problems.push(`parameter ${n} not in the fixture`);
  const { x, y } = tape.run(tensor(c.input.shape, c.input.data), c.train);
  if (y === undefined || tape.errors.length) return { errors: {}, problems: [...problems, ...tape.errors] };
  const errors: Record<string, number> = { output: worstRelError(tape.nodes[y].value, c.output) };
  const grads = tape.backward(y, tensor(c.seed.shape, c.seed.data));
  if (c.gradInput) errors['grad input'] = worstRelError(grads[x], c.gradInput);
  for (const [k, g] of Object.entries(c.gradParams)) errors[`grad ${k}`] = worstRelError(grads[tape.params.get(k)!] ?? tensor(g.shape), g);
  for (const [k, v] of Object.entries(c.buffersAfter)) errors[`buffer ${k}`] = worstRelError(tape.buffers.get(k), v);
  return { errors, problems };
}

/** The cases of test/fixtures/torch/nets/FILE. */
export function torchCases(file: string): TorchCase[] {
  const path = fileURLToPath(new URL(`../../fixtures/torch/nets/${file}`, import.meta.url));
  return (JSON.parse(readFileSync(path, 'utf8')) as { cases: TorchCase[] }).cases;
}

/** Quantities of a fixture case off by more than `tol` (relative): {} when all agree. */
export function torchMismatches(c: TorchCase, tol = 1e-10): Record<string, unknown> {
  const { errors, problems } = runTorchCase(c);
  const bad: Record<string, unknown> = {};
  if (problems.length) bad.problems = problems;
  if (!('output' in errors) && !problems.length) bad.output = 'not computed';
  for (const [k, e] of Object.entries(errors)) if (!(e < tol)) bad[k] = e;
  return bad;
}
