/**
 * torch.nn, torch.nn.functional, torch.optim and torchinfo for the interpreter. A layer
 * (`nn.Linear(30, 1024)`) is built by the network catalogue (src/core/nets) as a one-layer
 * network, so its parameter shapes, formula and forward pass are the catalogue's; its
 * parameters are torch leaves that `.backward()` fills and optimisers update. `nn.Module`
 * subclasses, `nn.Sequential` and `nn.ModuleList` register their children in assignment order,
 * as PyTorch does, which gives `named_parameters()` PyTorch's names.
 */
import { K } from '../autodiff/tape';
import type { NetworkInfo } from '../analysis';
import { findBuiltin } from '../builtins/types';
import { buildNetwork, callNetwork, findLayer, formatSummary, type NetCallContext, type NetworkModel } from '../nets/index';
import type { Span } from '../span';
import type { Arg, Expr, LayerLine, NetworkDecl } from '../syntax/ast';
import { createOptimizer, ADAM_DEFAULTS, ADAMW_DEFAULTS, SGD_DEFAULTS, type Optimizer, type OptimizerSpec } from '../train/optim';
import type { Tensor } from '../tensor/tensor';
import { torchModuleInit } from '../tensor/torchRng';
import type { Interp } from './interp';
import type { Tensors } from './tensors';
import { PyBound, PyClass, PyDict, PyError, PyInstance, PyIter, PyList, PyModuleObj, PyNative, PyTensor, PyTuple, Skip, int, isIntLike, isNumber, num, type CallSite, type PyVal } from './values';
import { nnInitModule } from './nnInit';

type Fn = (args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal;

/** What a built-in layer keeps: its one-layer network and how it was written. */
export interface LayerPayload {
  readonly kind: 'layer';
  readonly type: string;
  readonly model: NetworkModel;
  readonly line: LayerLine;
  readonly buffers: Map<string, Tensor>;
}

export interface OptimizerPayload {
  readonly kind: 'optimizer';
  readonly params: PyTensor[];
  readonly opt: Optimizer;
  readonly text: string;
  /** Loss of every step (the last backward root's value before the step). */
  readonly losses: number[];
  firstStep: Span | undefined;
  readonly started: number;
}

export interface NnHooks {
  /** The value of the last `.backward()` root, taken when it ran. */
  lastLoss(): number | undefined;
  optimizer(p: OptimizerPayload): void;
  print(text: string, at: CallSite): void;
}

export class Nn {
  readonly moduleClass: PyClass;
  readonly sequentialClass: PyClass;
  readonly moduleListClass: PyClass;
  private layerCount = 0;
  private readonly layerClasses = new Map<string, PyClass>();

  constructor(
    readonly ip: Interp,
    readonly T: Tensors,
    readonly hooks: NnHooks,
  ) {
    this.moduleClass = new PyClass('Module', [ip.objectClass], 'Module');
    this.installModuleMethods();
    this.sequentialClass = new PyClass('Sequential', [this.moduleClass], 'Module');
    this.moduleListClass = new PyClass('ModuleList', [this.moduleClass], 'Module');
    this.installContainers();
  }

  isModule(v: PyVal): v is PyInstance {
    return v instanceof PyInstance && v.cls.isSubclassOf(this.moduleClass);
  }

  // ---- nn.Module -------------------------------------------------------------------------

  private installModuleMethods(): void {
    const c = this.moduleClass.attrs;
    const m = (name: string, f: (self: PyInstance, args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal): void => {
      c.set(name, new PyNative(name, (args, kw, at) => f(args[0] as PyInstance, args.slice(1), kw, at)));
    };
    m('__init__', (self) => {
      self.attrs.set('training', true);
      return null;
    });
    m('__call__', (self, args, kw, at) => {
      const fwd = this.ip.getattr(self, 'forward', at.span);
      return this.ip.call(fwd, args, kw, at);
    });
    m('forward', () => {
      throw new Skip('a module without a forward method');
    });
    m('parameters', (self) => new PyIter(this.namedParameters(self, '').map(([, p]) => p)));
    m('named_parameters', (self) => new PyIter(this.namedParameters(self, '').map(([n, p]) => new PyTuple([n, p]))));
    m('children', (self) => new PyIter([...self.attrs.values()].filter((v) => this.isModule(v))));
    m('named_children', (self) => new PyIter([...self.attrs.entries()].filter(([, v]) => this.isModule(v)).map(([k, v]) => new PyTuple([k, v]))));
    m('modules', (self) => new PyIter(this.allModules(self)));
    m('train', (self, args, _kw, at) => {
      const on = args.length ? this.ip.truthOf(args[0], at.span) : true;
      for (const mod of this.allModules(self)) (mod as PyInstance).attrs.set('training', on);
      return self;
    });
    m('eval', (self, _a, kw, at) => this.ip.call(this.ip.getattr(self, 'train', at.span), [false], kw, at));
    m('zero_grad', (self) => {
      for (const [, p] of this.namedParameters(self, '')) zeroGrad(this.T, p);
      return null;
    });
    for (const name of ['to', 'cpu', 'cuda', 'float', 'double']) m(name, (self) => self);
    m('state_dict', (self) => {
      const d = new PyDict();
      for (const [n, p] of this.namedParameters(self, '')) d.map.set(this.ip.key(n), { k: n, v: p });
      return d;
    });
    m('add_module', (self, args) => {
      self.attrs.set(String(args[0]), args[1]);
      return null;
    });
    m('register_parameter', (self, args) => {
      self.attrs.set(String(args[0]), args[1]);
      return null;
    });
    m('__repr__', (self) => this.moduleRepr(self, 0));
  }

  private allModules(self: PyInstance): PyInstance[] {
    const out: PyInstance[] = [self];
    for (const v of self.attrs.values()) if (this.isModule(v)) out.push(...this.allModules(v));
    return out;
  }

  /** PyTorch's named_parameters(): registration order, children depth-first, shared tensors once. */
  namedParameters(self: PyInstance, prefix: string, seen = new Set<PyTensor>()): [string, PyTensor][] {
    const out: [string, PyTensor][] = [];
    for (const [k, v] of self.attrs) {
      if (v instanceof PyTensor && isParameter(v)) {
        if (!seen.has(v)) {
          seen.add(v);
          out.push([prefix + k, v]);
        }
      } else if (this.isModule(v)) out.push(...this.namedParameters(v, `${prefix}${k}.`, seen));
    }
    return out;
  }

  private moduleRepr(self: PyInstance, depth: number): string {
    const p = self.payload as LayerPayload | undefined;
    if (p?.kind === 'layer') return layerRepr(p, self, this.ip.text);
    const kids = [...self.attrs.entries()].filter(([, v]) => this.isModule(v));
    if (!kids.length) return `${self.cls.name}()`;
    const pad = '  '.repeat(depth + 1);
    return `${self.cls.name}(\n${kids.map(([k, v]) => `${pad}(${k}): ${this.moduleRepr(v as PyInstance, depth + 1)}`).join('\n')}\n${'  '.repeat(depth)})`;
  }

  // ---- containers ------------------------------------------------------------------------

  private installContainers(): void {
    const seq = this.sequentialClass.attrs;
    const items = (self: PyInstance): PyVal[] => [...self.attrs.entries()].filter(([k]) => /^\d+$/.test(k)).map(([, v]) => v);
    const init: Fn = (args) => {
      const self = args[0] as PyInstance;
      self.attrs.set('training', true);
      let mods = args.slice(1);
      if (mods.length === 1 && (mods[0] instanceof PyList || mods[0] instanceof PyTuple)) mods = [...(mods[0] as PyList).items];
      if (mods.length === 1 && mods[0] instanceof PyDict) {
        for (const e of (mods[0] as PyDict).map.values()) self.attrs.set(String(e.k), e.v);
        return null;
      }
      mods.forEach((mod, k) => self.attrs.set(String(k), mod));
      return null;
    };
    seq.set('__init__', new PyNative('__init__', init));
    seq.set('forward', new PyNative('forward', (args, _kw, at) => {
      let x = args[1];
      for (const mod of [...(args[0] as PyInstance).attrs.values()].filter((v) => this.isModule(v))) x = this.ip.call(mod, [x], new Map(), at);
      return x;
    }));
    for (const cls of [this.sequentialClass, this.moduleListClass]) {
      const a = cls.attrs;
      if (cls === this.moduleListClass) a.set('__init__', new PyNative('__init__', init));
      a.set('__getitem__', new PyNative('__getitem__', (args, _kw, at) => {
        const xs = items(args[0] as PyInstance);
        const i = args[1];
        if (!isIntLike(i)) throw new Skip('slicing a Sequential/ModuleList is not followed');
        let k = num(i);
        if (k < 0) k += xs.length;
        if (k < 0 || k >= xs.length) throw new PyError('IndexError', `index ${num(i)} is out of range`, at.span);
        return xs[k];
      }));
      a.set('__len__', new PyNative('__len__', (args) => int(items(args[0] as PyInstance).length)));
      a.set('__iter__', new PyNative('__iter__', (args) => new PyIter(items(args[0] as PyInstance))));
      a.set('append', new PyNative('append', (args) => {
        const self = args[0] as PyInstance;
        self.attrs.set(String(items(self).length), args[1]);
        return self;
      }));
    }
  }

  // ---- layers ----------------------------------------------------------------------------

  /** The class of a catalogue layer (`nn.Linear`), made on first use. */
  layerClass(type: string): PyClass {
    let cls = this.layerClasses.get(type);
    if (cls) return cls;
    cls = new PyClass(type, [this.moduleClass], 'Module');
    cls.attrs.set('__new__', new PyNative('__new__', (args, kw, at) => this.makeLayer(type, args.slice(1), kw, at)));
    cls.attrs.set('__init__', new PyNative('__init__', () => null));
    cls.attrs.set('forward', new PyNative('forward', (args, kw, at) => this.callLayer(args[0] as PyInstance, args[1], at)));
    this.layerClasses.set(type, cls);
    return cls;
  }

  private makeLayer(type: string, args: PyVal[], kw: Map<string, PyVal>, at: CallSite): PyInstance {
    const line = this.layerLine(type, args, kw, at);
    const seed = this.layerCount++;
    const built = this.build(line, seed, null);
    if (!built) throw new Skip(`\`nn.${type}\` with these arguments could not be built`);
    const self = new PyInstance(this.layerClass(type));
    const payload: LayerPayload = { kind: 'layer', type, model: built.model, line, buffers: new Map() };
    self.payload = payload;
    self.attrs.set('training', true);
    const prefix = `${built.model.name}.0.`;
    const params = built.model.parameters();
    const init = this.torchInit(type, params.map((p) => ({ name: p.name.slice(prefix.length), shape: p.shape })), at);
    params.forEach((p, k) => {
      const data = init ? init[k] : Float64Array.from(p.init.data);
      const t = new PyTensor(this.T.tape.leaf({ shape: p.shape.slice(), data }, K.PARAM, at.span.start, at.span.end), 'torch', true, true);
      markParameter(t);
      this.T.leaves.push(t);
      self.attrs.set(p.name.slice(prefix.length), t);
    });
    for (const b of built.model.buffers()) payload.buffers.set(b.name.slice(prefix.length), { shape: b.init.shape.slice(), data: Float64Array.from(b.init.data) });
    if (type === 'Linear') {
      self.attrs.set('in_features', args[0] ?? kw.get('in_features') ?? null);
      self.attrs.set('out_features', args[1] ?? kw.get('out_features') ?? null);
    }
    this.ip.host.spend(built.model.parameters().reduce((s, p) => s + p.init.data.length, 0), at.span);
    return self;
  }

  /**
   * PyTorch's default initialisation from its generator (torchRng.ts `torchModuleInit`): Linear,
   * Conv*, ConvTranspose*, Embedding and RNN/LSTM/GRU bit for bit; layers whose parameters start
   * at constants (norms) keep the catalogue's. Other layers with random parameters
   * (MultiheadAttention) draw from GradLens's own stream, and say so once.
   */
  private torchInit(type: string, params: { name: string; shape: readonly number[] }[], at: CallSite): Float64Array[] | undefined {
    if (!params.length) return undefined;
    // Linear, Conv*, ConvTranspose*, Embedding, RNN/LSTM/GRU as PyTorch's constructors draw them.
    const drawn = torchModuleInit(this.T.torchGen, type, params);
    if (drawn) {
      if (!this.T.torchGen.seeded) this.ip.host.hint("GradLens's own random numbers: no torch.manual_seed(...) ran before this layer was made (PyTorch then seeds its generator randomly at start-up), so its initial parameters differ from your notebook's.", at.span);
      return drawn;
    }
    if (/Norm/.test(type)) return undefined;
    this.ip.host.hint(`GradLens's own random numbers: the initial parameters of \`nn.${type}\` are not drawn from PyTorch's generator, so they differ from your notebook's.`, at.span);
    return undefined;
  }

  /** The .nn layer line for a Python constructor call (arguments as literals at their spans). */
  private layerLine(type: string, args: PyVal[], kw: Map<string, PyVal>, at: CallSite): LayerLine {
    const lit = (v: PyVal, span: Span): Expr => {
      if (isNumber(v)) return { kind: 'Number', value: num(v), raw: String(num(v)), span };
      if (typeof v === 'string') return { kind: 'String', value: v, span };
      if (v === null) return { kind: 'Name', name: 'None', span };
      if (v instanceof PyTuple || v instanceof PyList) return { kind: 'List', elements: v.items.map((x) => lit(x, span)), tuple: v instanceof PyTuple, span };
      if (v instanceof PyInstance && v.payload && (v.payload as LayerPayload).kind === 'layer') return { kind: 'Name', name: (v.payload as LayerPayload).type, span };
      throw new Skip(`a layer argument of type ${typeof v} is not supported`);
    };
    const out: Arg[] = [];
    args.forEach((a, k) => {
      const span = at.argSpans[k] ?? at.span;
      out.push({ name: null, value: lit(a, span), span });
    });
    for (const [k, v] of kw) {
      const span = at.kwSpans.get(k) ?? at.span;
      out.push({ name: { kind: 'Ident', name: k, span }, value: lit(v, span), span });
    }
    return { kind: 'Layer', span: at.span, label: null, layer: { kind: 'Ident', name: type, span: at.nameSpan }, args: out };
  }

  /** Builds a network of `lines`, trying the input ranks a layer may take; undefined when none fits. */
  build(first: LayerLine, seed: number, name: string | null, lines: readonly LayerLine[] = [first], input?: readonly number[]): { model: NetworkModel; info: NetworkInfo | undefined } | undefined {
    const a0 = first.args?.find((a) => !a.name)?.value;
    const c = a0 && a0.kind === 'Number' ? a0.value : undefined;
    const candidates: (number | string)[][] = input
      ? [input.slice()]
      : c !== undefined
        ? [['N', c], ['N', c, 'H', 'W'], ['N', c, 'L'], ['N', 'T'], ['N', 'T', c]]
        : [['N', 'D'], ['N', 'C', 'H', 'W'], ['N', 'C', 'L']];
    const sp = first.span;
    for (const dims of candidates) {
      const decl: NetworkDecl = {
        kind: 'Network',
        span: { start: sp.start, end: lines[lines.length - 1].span.end },
        name: { kind: 'Ident', name: name ?? '_', span: first.layer.span },
        seed: { kind: 'Number', value: seed, raw: String(seed), span: sp },
        headerSpan: sp,
        input: { kind: 'Input', span: sp, dims: dims.map((d): Expr => (typeof d === 'number' ? { kind: 'Number', value: d, raw: String(d), span: sp } : { kind: 'Name', name: d, span: sp })) },
        layers: lines,
      };
      const r = buildNetwork(decl, { constant: () => undefined, network: () => undefined, lineOf: (o) => this.T.ev.lines.lineOf(o) });
      if (r.model && !r.diagnostics.some((d) => d.severity === 'error')) return { model: r.model, info: r.info };
    }
    return undefined;
  }

  callLayer(self: PyInstance, x: PyVal, at: CallSite): PyVal {
    const p = self.payload as LayerPayload;
    if (!(x instanceof PyTensor)) x = new PyTensor(this.T.toNode(x, at.span), 'torch');
    const xt = x as PyTensor;
    const prefix = `${p.model.name}.0.`;
    const T = this.T;
    const ctx: NetCallContext = Object.assign(T.ctx(at), {
      param: (full: string) => (self.attrs.get(full.slice(prefix.length)) as PyTensor).node,
      buffer: (full: string) => p.buffers.get(full.slice(prefix.length))!,
      setBuffer: (full: string, v: Tensor) => {
        p.buffers.set(full.slice(prefix.length), v);
      },
      netRng: () => T.rng(),
    });
    const train = self.attrs.get('training') !== false;
    const n = callNetwork(p.model, xt.node, train, ctx);
    const params = [...self.attrs.values()].filter((v) => v instanceof PyTensor);
    return T.wrap(n, 'torch', [xt, ...params]);
  }

  // ---- reports ---------------------------------------------------------------------------

  /** The layers of a model in registration order (catalogue layers only), with their paths. */
  leafLayers(self: PyInstance, prefix = ''): { path: string; layer: PyInstance }[] {
    const p = self.payload as LayerPayload | undefined;
    if (p?.kind === 'layer') return [{ path: prefix.replace(/\.$/, ''), layer: self }];
    const out: { path: string; layer: PyInstance }[] = [];
    for (const [k, v] of self.attrs) if (this.isModule(v)) out.push(...this.leafLayers(v, `${prefix}${k}.`));
    return out;
  }

  /** The network report (layer table, counts, formula) of a model, its layers read in registration order. */
  networkInfo(self: PyInstance, name: string, span: Span, input?: readonly number[]): NetworkInfo | undefined {
    const layers = this.leafLayers(self);
    if (!layers.length) return undefined;
    const lines = layers.map(({ path, layer }) => {
      const line = (layer.payload as LayerPayload).line;
      const label = /^[A-Za-z_]\w*$/.test(path) && !/^\d/.test(path) ? { kind: 'Ident' as const, name: path, span: line.layer.span } : null;
      return { ...line, label };
    });
    const built = this.build(lines[0], 0, name, lines, input);
    if (!built?.info) return undefined;
    return { ...built.info, name, span, line: this.T.ev.lines.lineOf(span.start) };
  }

  // ---- modules ---------------------------------------------------------------------------

  nnModule(F: PyModuleObj): PyModuleObj {
    const m = new Map<string, PyVal>();
    m.set('Module', this.moduleClass);
    m.set('Sequential', this.sequentialClass);
    m.set('ModuleList', this.moduleListClass);
    m.set('functional', F);
    m.set('init', nnInitModule(this.ip, this.T));
    m.set('Parameter', new PyNative('nn.Parameter', (args, kw, at) => {
      const src = args[0];
      if (!(src instanceof PyTensor)) throw new PyError('TypeError', 'nn.Parameter expects a tensor', at.span);
      const v = this.T.value(src);
      const req = kw.has('requires_grad') ? this.ip.truthOf(kw.get('requires_grad')!, at.span) : true;
      const t = new PyTensor(this.T.tape.leaf({ shape: v.shape.slice(), data: Float64Array.from(v.data) }, req ? K.PARAM : K.CONST, at.span.start, at.span.end), 'torch', req, true);
      markParameter(t);
      if (req) this.T.leaves.push(t);
      return t;
    }));
    const loss = (name: string, builtin: string): void => {
      const cls = new PyClass(name, [this.moduleClass], 'Module');
      cls.attrs.set('__init__', new PyNative('__init__', (args, kw) => {
        const self = args[0] as PyInstance;
        self.payload = { kind: 'loss', kw: new Map(kw) };
        return null;
      }));
      cls.attrs.set('forward', new PyNative('forward', (args, kw, at) => {
        const self = args[0] as PyInstance;
        const def = findBuiltin(builtin)!;
        const all = new Map([...((self.payload as { kw: Map<string, PyVal> }).kw ?? []), ...kw]);
        return this.T.callBuiltin(def, args.slice(1), all, { ...at, argSpans: at.argSpans }, 'torch');
      }));
      m.set(name, cls);
    };
    loss('CrossEntropyLoss', 'cross_entropy');
    loss('MSELoss', 'mse_loss');
    loss('BCELoss', 'binary_cross_entropy');
    loss('BCEWithLogitsLoss', 'binary_cross_entropy_with_logits');
    loss('NLLLoss', 'nll_loss');
    return new PyModuleObj('torch.nn', m, (name) => (findLayer(name) ? this.layerClass(name) : undefined));
  }

  functionalModule(): PyModuleObj {
    return new PyModuleObj('torch.nn.functional', new Map(), (name) => this.T.builtinFn(name, 'torch', `F.${name}`));
  }

  optimModule(): PyModuleObj {
    const m = new Map<string, PyVal>();
    const make = (kind: 'sgd' | 'adam' | 'adamw', label: string): PyNative =>
      new PyNative(`optim.${label}`, (args, kw, at) => {
        const params = this.ip.iterate(args[0] ?? kw.get('params') ?? null, at.span).filter((p): p is PyTensor => p instanceof PyTensor);
        const n = (k: string, d: number): number => (kw.has(k) ? num(this.ip.toNumber(kw.get(k)!, at.span)) : d);
        const b = (k: string): boolean => (kw.has(k) ? this.ip.truthOf(kw.get(k)!, at.span) : false);
        const lrGiven = args[1] ?? kw.get('lr');
        let spec: OptimizerSpec;
        if (kind === 'sgd') {
          if (lrGiven === undefined) throw new PyError('TypeError', "SGD() missing required argument: 'lr'", at.span);
          spec = { kind, lr: num(this.ip.toNumber(lrGiven, at.span)), momentum: n('momentum', SGD_DEFAULTS.momentum), dampening: n('dampening', 0), weightDecay: n('weight_decay', 0), nesterov: b('nesterov'), maximize: b('maximize') };
        } else {
          const d = kind === 'adam' ? ADAM_DEFAULTS : ADAMW_DEFAULTS;
          const betas = kw.has('betas') ? this.ip.iterate(kw.get('betas')!, at.span).map((x) => num(this.ip.toNumber(x, at.span))) : [d.beta1, d.beta2];
          spec = { kind, lr: lrGiven !== undefined ? num(this.ip.toNumber(lrGiven, at.span)) : d.lr, beta1: betas[0], beta2: betas[1], eps: n('eps', d.eps), weightDecay: n('weight_decay', d.weightDecay), amsgrad: b('amsgrad'), maximize: b('maximize') };
        }
        for (const k of kw.keys()) if (!['params', 'lr', 'momentum', 'dampening', 'weight_decay', 'nesterov', 'maximize', 'betas', 'eps', 'amsgrad'].includes(k)) throw new Skip(`the optimiser keyword \`${k}\` is not supported`);
        const self = new PyInstance(optimClass);
        const text = this.ip.text.slice(at.span.start, at.span.end);
        const payload: OptimizerPayload = { kind: 'optimizer', params, opt: createOptimizer(spec), text: optimizerText(spec), losses: [], firstStep: undefined, started: performance.now() };
        void text;
        self.payload = payload;
        this.hooks.optimizer(payload);
        return self;
      });
    const optimClass = new PyClass('Optimizer', [this.ip.objectClass]);
    optimClass.attrs.set('zero_grad', new PyNative('zero_grad', (args) => {
      for (const p of ((args[0] as PyInstance).payload as OptimizerPayload).params) zeroGrad(this.T, p);
      return null;
    }));
    optimClass.attrs.set('step', new PyNative('step', (args, _kw, at) => {
      const o = (args[0] as PyInstance).payload as OptimizerPayload;
      const loss = this.hooks.lastLoss();
      if (loss !== undefined) o.losses.push(loss);
      o.firstStep ??= this.ip.topSpan;
      o.params.forEach((p, k) => {
        if (!p.grad) return;
        const v = this.T.value(p);
        const data = Float64Array.from(v.data);
        o.opt.step(k, data, this.T.value(p.grad).data);
        p.node = this.T.tape.leaf({ shape: v.shape.slice(), data }, K.PARAM, at.span.start, at.span.end);
        this.ip.host.spend(data.length * 4, at.span);
      });
      o.opt.endStep();
      return null;
    }));
    m.set('SGD', make('sgd', 'SGD'));
    m.set('Adam', make('adam', 'Adam'));
    m.set('AdamW', make('adamw', 'AdamW'));
    return new PyModuleObj('torch.optim', m);
  }

  torchinfoModule(): PyModuleObj {
    const summary = new PyNative('torchinfo.summary', (args, kw, at) => {
      const model = args[0];
      if (!this.isModule(model)) throw new Skip('torchinfo.summary of something that is not a module');
      const size = args[1] ?? kw.get('input_size');
      const input = size === undefined || size === null ? undefined : this.T.ints([size], at.span);
      const info = this.networkInfo(model, model.cls.name, at.span, input);
      if (!info) throw new Skip('this model\'s layers do not form a chain GradLens can summarise');
      const text = formatSummary(info);
      this.hooks.print(text + '\n', at);
      return text;
    });
    return new PyModuleObj('torchinfo', new Map([['summary', summary]]));
  }
}

/** PyTorch's repr of the common layers (`Linear(in_features=3, out_features=4, bias=True)`); others as written. */
function layerRepr(p: LayerPayload, self: PyInstance, text: string): string {
  const args = p.line.args ?? [];
  const pos = args.filter((a) => !a.name).map((a) => a.value);
  const kw = new Map(args.filter((a) => a.name).map((a) => [a.name!.name, a.value]));
  const lit = (e: Expr | undefined): string | undefined => (e?.kind === 'Number' ? String(e.value) : e?.kind === 'Bool' ? (e.value ? 'True' : 'False') : undefined);
  const get = (k: number, name: string): string | undefined => lit(kw.get(name) ?? pos[k]);
  switch (p.type) {
    case 'Linear':
      return `Linear(in_features=${get(0, 'in_features')}, out_features=${get(1, 'out_features')}, bias=${self.attrs.has('bias') ? 'True' : 'False'})`;
    case 'ReLU':
    case 'Sigmoid':
    case 'Tanh':
    case 'Flatten':
    case 'Identity':
      return p.type === 'Flatten' ? 'Flatten(start_dim=1, end_dim=-1)' : `${p.type}()`;
    case 'Dropout': {
      const v = get(0, 'p') ?? '0.5';
      return `Dropout(p=${v.includes('.') ? v : `${v}.0`}, inplace=False)`;
    }
  }
  return text.slice(p.line.span.start, p.line.span.end).replace(/^(torch\.)?nn\./, '');
}

function isParameter(t: PyTensor): boolean {
  return (t as PyTensor & { isParameter?: boolean }).isParameter === true;
}

function markParameter(t: PyTensor): void {
  (t as PyTensor & { isParameter?: boolean }).isParameter = true;
}

/** PyTorch 1.13's zero_grad(set_to_none=False): the gradient becomes zeros in place. */
function zeroGrad(T: Tensors, p: PyTensor): void {
  if (!p.grad) return;
  const v = T.value(p.grad);
  p.grad.node = T.ev.constant({ shape: v.shape.slice(), data: new Float64Array(v.data.length) }, { start: 0, end: 0 });
}

function optimizerText(s: OptimizerSpec): string {
  if (s.kind === 'sgd') return `SGD(lr=${s.lr}, momentum=${s.momentum}, dampening=${s.dampening}, weight_decay=${s.weightDecay}, nesterov=${s.nesterov})`;
  return `${s.kind === 'adam' ? 'Adam' : 'AdamW'}(lr=${s.lr}, betas=(${s.beta1}, ${s.beta2}), eps=${s.eps}, weight_decay=${s.weightDecay}, amsgrad=${s.amsgrad})`;
}

export { PyBound };
