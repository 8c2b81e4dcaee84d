/**
 * The Python interpreter (docs/python.md): statements and expressions of the subset, with
 * Python's scoping (functions, closures, classes, methods, `super()`), operator methods on the
 * user's classes, and tensors handed to the tensor bridge (tensors.ts), which runs them as ops
 * on the evaluator's tape. Nothing is executed by a Python runtime.
 *
 * Failure model: reading an `Unknown` raises `Skip` (quiet), a Python exception GradLens
 * can tell will happen raises `PyError`; both end the statement that the module runs, whose
 * names become unknown, and the program goes on with the next statement.
 */
import type { Span } from '../span';
import type { PyArg, PyExpr, PyParam, PyStmt, SubItem } from './ast';
import * as ops from './objects';
import * as stmts from './statements';
import { assignedNames, mutatedTargets } from './targets';
import { repr, truthy } from './pyops';
import {
  ELLIPSIS,
  IdTable,
  PyBound,
  PyClass,
  PyDict,
  PyError,
  PyFunction,
  PyInstance,
  PyInt,
  PyList,
  PyModuleObj,
  PyNative,
  PyOpaque,
  PyRange,
  PySet,
  PySlice,
  PyTensor,
  PyTuple,
  TorchSize,
  PyNamedTuple,
  Skip,
  Unknown,
  hashKey,
  int,
  isIntLike,
  isNumber,
  num,
  typeName,
  type CallSite,
  type PyVal,
  type Scope,
} from './values';

/** What the interpreter needs from the analysis around it (run.ts). */
export interface InterpHost {
  /** Charges work units; throws the evaluator's BudgetExceeded when the budget is spent. */
  spend(units: number, span: Span): void;
  /** A module-level name was bound. */
  bound(name: string, value: PyVal, stmtSpan: Span, nameSpan: Span): void;
  /** A quiet hint (severity info), once per span and reason. */
  hint(why: string, span: Span): void;
}

/** The tensor side (tensors.ts): undefined from an operator means "not a tensor operation". */
export interface TensorBridge {
  binop(op: string, a: PyVal, b: PyVal, span: Span, opSpan: Span): PyVal | undefined;
  unary(op: string, a: PyTensor, span: Span): PyVal;
  compare(op: string, a: PyVal, b: PyVal, span: Span): PyVal | undefined;
  getattr(t: PyTensor, name: string, span: Span): PyVal;
  getitem(t: PyTensor, index: PyVal, span: Span): PyVal;
  setitem(t: PyTensor, index: PyVal, value: PyVal, span: Span): void;
  inplace(t: PyTensor, r: PyTensor, span: Span): void;
  repr(t: PyTensor): string;
  str(t: PyTensor): string;
  items(t: PyTensor, span: Span): PyVal[];
  truthy(t: PyTensor, span: Span): boolean;
  len(t: PyTensor): number;
}

/** How a block ended early: `return` leaves its value in `Interp.returned`. */
export type Signal = undefined | 'break' | 'continue' | 'return';

const MAX_DEPTH = 400;
/** Work units charged per statement and per loop iteration (a Python statement is not free). */
export const STMT_COST = 200;


export const NOT_IMPLEMENTED = new Unknown('NotImplemented');
/** Shared empty keyword arguments (callees only read them). */
export const NO_KW: Map<string, PyVal> = new Map();
const NO_SPANS: readonly Span[] = [];
const NO_KW_SPANS: ReadonlyMap<string, Span> = new Map();
const NO_DEFAULTS: Map<string, PyVal> = new Map();

export class Interp {
  readonly globals: Scope = { vars: new Map(), parent: null, globals: new Set() };
  readonly builtins = new Map<string, PyVal>();
  readonly ids = new IdTable();
  tensors!: TensorBridge;
  /** `with torch.no_grad():` depth. */
  noGrad = 0;
  private depth = 0;
  /** The base of every user class (`object`) and of nn.Module subclasses. */
  readonly objectClass = new PyClass('object', [], 'object');
  /** The value of the `return` that ended the innermost function body. */
  returned: PyVal = null;
  /** Per-call hook for `print` and friends: the span of the module-level statement running. */
  topSpan: Span = { start: 0, end: 0 };

  constructor(
    readonly text: string,
    readonly host: InterpHost,
  ) {}

  // ---- statements ------------------------------------------------------------------------

  execBlock(stmts: readonly PyStmt[], scope: Scope): Signal {
    for (const s of stmts) {
      const sig = this.execGuarded(s, scope);
      if (sig !== undefined) return sig;
    }
    return undefined;
  }

  /**
   * One statement inside a block: a Skip (an unknown read) skips only this statement, its
   * names becoming unknown; a Python exception propagates to the module-level statement.
   */
  execGuarded(s: PyStmt, scope: Scope): Signal {
    try {
      return this.exec(s, scope);
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      this.makeUnknown(s, scope, e.why ?? 'it depends on a value GradLens cannot follow');
      return undefined;
    }
  }

  /**
   * A statement that was not followed: the names it binds become unknown, and so does what it
   * would have changed in place (`Y[idx] = 1` makes `Y` unknown, `self.w = …` the attribute), so
   * no later line computes with a stale value.
   */
  makeUnknown(s: PyStmt, scope: Scope, why: string): void {
    for (const t of assignedNames(s)) this.assignName(t.name, new Unknown(why), scope, s.span, t.span);
    for (const target of mutatedTargets(s)) {
      let root: PyExpr = target;
      while (root.kind === 'Sub' || (root.kind === 'Attr' && root.obj.kind !== 'Name')) root = root.obj;
      if (root.kind === 'Attr') {
        try {
          const obj = this.eval(root.obj, scope);
          if (obj instanceof PyInstance) obj.attrs.set(root.attr, new Unknown(why));
        } catch {
          // The object itself is unknown: nothing more to mark.
        }
      } else if (root.kind === 'Name') {
        const v = this.lookupQuiet(root.id, scope);
        if (v instanceof PyInstance) continue;
        this.assignName(root.id, new Unknown(why), scope, s.span, root.span);
      }
    }
  }

  private lookupQuiet(name: string, scope: Scope): PyVal | undefined {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  exec(s: PyStmt, scope: Scope): Signal {
    return stmts.exec(this, s, scope);
  }



  makeFunction(name: string, params: readonly PyParam[], body: readonly PyStmt[] | PyExpr, scope: Scope, span: Span): PyFunction {
    let defaults = NO_DEFAULTS;
    for (const p of params)
      if (p.default) {
        if (defaults === NO_DEFAULTS) defaults = new Map();
        defaults.set(p.name, this.eval(p.default, scope));
      }
    // Methods close over the scope around the class, not the class body (Python's rule).
    let closure = scope;
    while ((closure as { isClass?: boolean }).isClass && closure.parent) closure = closure.parent;
    return new PyFunction(name, params, defaults, body, closure, span);
  }

  // ---- binding ---------------------------------------------------------------------------

  assign(target: PyExpr, v: PyVal, scope: Scope, stmtSpan: Span): void {
    switch (target.kind) {
      case 'Name':
        return this.assignName(target.id, v, scope, stmtSpan, target.span);
      case 'Paren':
        return this.assign(target.inner, v, scope, stmtSpan);
      case 'Seq': {
        const items = v instanceof Unknown ? target.elts.map(() => v) : this.iterate(v, target.span);
        const star = target.elts.findIndex((e) => e.kind === 'Starred');
        if (star < 0 && items.length !== target.elts.length)
          throw new PyError('ValueError', items.length > target.elts.length ? `too many values to unpack (expected ${target.elts.length})` : `not enough values to unpack (expected ${target.elts.length}, got ${items.length})`, target.span);
        if (star >= 0) {
          const after = target.elts.length - star - 1;
          target.elts.forEach((e, k) => {
            if (k < star) this.assign(e, items[k], scope, stmtSpan);
            else if (k === star) this.assign((e as { value: PyExpr }).value, new PyList(items.slice(star, items.length - after)), scope, stmtSpan);
            else this.assign(e, items[items.length - (target.elts.length - k)], scope, stmtSpan);
          });
          return;
        }
        target.elts.forEach((e, k) => this.assign(e, items[k], scope, stmtSpan));
        return;
      }
      case 'Attr': {
        const obj = this.eval(target.obj, scope);
        return this.setattr(obj, target.attr, v, target.span);
      }
      case 'Sub': {
        const obj = this.eval(target.obj, scope);
        const idx = this.subIndex(target, scope);
        return this.setitem(obj, idx, v, target.span);
      }
      default:
        throw new Skip(`assigning to \`${this.text.slice(target.span.start, target.span.end)}\` is not followed`);
    }
  }

  assignName(name: string, v: PyVal, scope: Scope, stmtSpan: Span, nameSpan: Span): void {
    let s = scope;
    if (scope.globals?.has(name)) {
      s = this.globals;
      // `nonlocal`: the nearest enclosing function scope that has it.
      for (let p = scope.parent; p && p !== this.globals; p = p.parent)
        if (p.vars.has(name)) {
          s = p;
          break;
        }
    }
    s.vars.set(name, v);
    if (s === this.globals) this.host.bound(name, v, stmtSpan, nameSpan);
  }

  setattr(obj: PyVal, name: string, v: PyVal, span: Span): void {
    if (obj instanceof Unknown) throw new Skip(obj.why);
    if (obj instanceof PyInstance) {
      const hook = obj.cls.lookup('__setattr__');
      if (hook instanceof PyNative) {
        hook.call([obj, name, v], NO_KW, this.site(span));
        return;
      }
      obj.attrs.set(name, v);
      return;
    }
    if (obj instanceof PyClass) {
      obj.attrs.set(name, v);
      return;
    }
    if (obj instanceof PyTensor) {
      this.call(this.tensors.getattr(obj, '__setattr__', span), [name, v], NO_KW, this.site(span));
      return;
    }
    throw new Skip(`setting attributes on ${typeName(obj)} is not followed`);
  }

  // ---- expressions -----------------------------------------------------------------------

  eval(e: PyExpr, scope: Scope): PyVal {
    switch (e.kind) {
      case 'Num':
        return e.isInt ? int(e.value) : e.value;
      case 'Str':
        return e.value;
      case 'FStr': {
        let out = '';
        for (const p of e.parts) {
          if (typeof p === 'string') out += p;
          else {
            const v = this.eval(p.expr, scope);
            const conv = p.conv === 'r' || (p.selfDoc !== null && p.conv === null && !p.spec) ? this.repr(v) : p.conv === 's' ? this.str(v) : v;
            out += (p.selfDoc ?? '') + this.format(conv, p.spec, p.expr.span);
          }
        }
        return out;
      }
      case 'Const':
        return e.value === 'ellipsis' ? ELLIPSIS : e.value;
      case 'Name':
        return this.lookup(e.id, scope, e.span);
      case 'Paren':
        return this.eval(e.inner, scope);
      case 'Attr':
        return this.getattr(this.eval(e.obj, scope), e.attr, e.attrSpan);
      case 'Sub':
        return this.getitem(this.eval(e.obj, scope), this.subIndex(e, scope), e.span);
      case 'Call':
        return this.callExpr(e, scope);
      case 'Bin':
        return this.binop(e.op, this.eval(e.left, scope), this.eval(e.right, scope), e.span, e.opSpan);
      case 'Unary': {
        const v = this.eval(e.operand, scope);
        if (e.op === 'not') return !truthy2(this, v, e.span);
        return this.unary(e.op, v, e.span);
      }
      case 'BoolOp': {
        const l = this.eval(e.left, scope);
        const t = truthy2(this, l, e.left.span);
        if (e.op === 'and' ? !t : t) return l;
        return this.eval(e.right, scope);
      }
      case 'Compare': {
        let left = this.eval(e.operands[0], scope);
        let result: PyVal = true;
        for (let k = 0; k < e.ops.length; k++) {
          const right = this.eval(e.operands[k + 1], scope);
          result = this.compare(e.ops[k], left, right, e.span);
          if (e.ops.length > 1 && !truthy2(this, result, e.span)) return result;
          left = right;
        }
        return result;
      }
      case 'IfExp':
        return truthy2(this, this.eval(e.test, scope), e.test.span) ? this.eval(e.body, scope) : this.eval(e.orelse, scope);
      case 'Lambda':
        return this.makeFunction('<lambda>', e.params, e.body, scope, e.span);
      case 'Seq': {
        const items: PyVal[] = [];
        for (const x of e.elts) {
          if (x.kind === 'Starred') items.push(...this.iterate(this.eval(x.value, scope), x.span));
          else items.push(this.eval(x, scope));
        }
        if (e.type === 'list') return new PyList(items);
        if (e.type === 'tuple') return new PyTuple(items);
        const set = new PySet();
        for (const x of items) set.map.set(this.key(x), x);
        return set;
      }
      case 'Dict': {
        const d = new PyDict();
        for (const en of e.entries) {
          if (en.key === null) {
            const o = this.eval(en.value, scope);
            if (!(o instanceof PyDict)) throw new PyError('TypeError', `'${typeName(o)}' object is not a mapping`, en.value.span);
            for (const [k, x] of o.map) d.map.set(k, x);
          } else {
            const k = this.eval(en.key, scope);
            d.map.set(this.key(k), { k, v: this.eval(en.value, scope) });
          }
        }
        return d;
      }
      case 'Comp':
        return ops.comprehension(this, e, scope);
      case 'Starred':
        throw new Skip('a starred expression here is not followed');
      case 'Unsupported':
        this.host.hint(`GradLens does not follow ${e.why}; the line is skipped.`, e.span);
        throw new Skip(e.why);
    }
  }


  lookup(name: string, scope: Scope, span: Span): PyVal {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) {
        if (v instanceof Unknown) throw new Skip(v.why);
        return v;
      }
    }
    const b = this.builtins.get(name);
    if (b !== undefined) return b;
    // An undefined name is Pylance's to report: the line is skipped quietly.
    void span;
    throw new Skip(`\`${name}\` is not defined here`);
  }

  key(v: PyVal): unknown {
    if (v instanceof PyList || v instanceof PyDict || v instanceof PySet) throw new PyError('TypeError', `unhashable type: '${typeName(v)}'`);
    return hashKey(v, this.ids);
  }

  subIndex(e: Extract<PyExpr, { kind: 'Sub' }>, scope: Scope): PyVal {
    const items = e.items.map((it) => this.subItem(it, scope));
    return e.tuple ? new PyTuple(items) : items[0];
  }

  private subItem(it: SubItem, scope: Scope): PyVal {
    if (it.kind !== 'Slice') return this.eval(it, scope);
    const b = (x: PyExpr | null): number | null => {
      if (!x) return null;
      const v = this.eval(x, scope);
      if (v === null) return null;
      if (v instanceof PyTensor) return num(this.toNumber(v, x.span));
      if (!isIntLike(v)) throw new PyError('TypeError', 'slice indices must be integers or None', x.span);
      return num(v);
    };
    return new PySlice(b(it.lower), b(it.upper), b(it.step));
  }

  // ---- operators -------------------------------------------------------------------------

  binop(op: string, a: PyVal, b: PyVal, span: Span, opSpan: Span = span): PyVal {
    return ops.binop(this, op, a, b, span, opSpan);
  }

  unary(op: string, v: PyVal, span: Span): PyVal {
    return ops.unary(this, op, v, span);
  }

  compare(op: string, a: PyVal, b: PyVal, span: Span): PyVal {
    return ops.compare(this, op, a, b, span);
  }

  contains(container: PyVal, x: PyVal, span: Span): boolean {
    return ops.contains(this, container, x, span);
  }

  // ---- attributes and items --------------------------------------------------------------

  lookupMethod(obj: PyInstance, name: string): PyVal | undefined {
    const m = obj.cls.lookup(name);
    if (m instanceof PyFunction || m instanceof PyNative) return new PyBound(obj, m);
    return m;
  }

  getattr(obj: PyVal, name: string, span: Span): PyVal {
    return ops.getattr(this, obj, name, span);
  }

  /** Methods of lists, dicts, strings, sets and numbers: set by methods.ts. */
  plainMethod: (obj: PyVal, name: string, span: Span) => PyVal | undefined = () => undefined;

  moduleAttr(mod: PyModuleObj, name: string, span: Span): PyVal {
    const v = mod.attrs.get(name) ?? mod.fallback?.(name);
    if (v !== undefined) {
      if (v instanceof Unknown) {
        this.host.hint(v.why, span);
        throw new Skip(v.why);
      }
      return v;
    }
    const why = `\`${mod.name}.${name}\` is not supported by GradLens`;
    this.host.hint(`${why}; the line is skipped and the names it binds are unknown.`, span);
    throw new Skip(why);
  }

  /** Modules GradLens knows (numpy, torch, math, …) are registered here by run.ts. */
  readonly modules = new Map<string, PyModuleObj>();

  importModule(name: string, span: Span, quiet = false): PyVal {
    const m = this.modules.get(name);
    if (m) return m;
    if (quiet) return new Unknown(`\`${name}\` is not a module GradLens follows`);
    const why = `\`${name}\` is not a module GradLens follows`;
    this.host.hint(`${why}: names that use it are unknown, and lines that use them are skipped.`, span);
    return new Unknown(why);
  }

  getitem(obj: PyVal, idx: PyVal, span: Span): PyVal {
    return ops.getitem(this, obj, idx, span);
  }

  setitem(obj: PyVal, idx: PyVal, v: PyVal, span: Span): void {
    return ops.setitem(this, obj, idx, v, span);
  }

  /** The items of an iterable, or a TypeError. */
  iterate(v: PyVal, span: Span): PyVal[] {
    return ops.iterate(this, v, span);
  }

  // ---- calls -----------------------------------------------------------------------------

  site(span: Span, nameSpan: Span = span, argSpans: readonly Span[] = NO_SPANS, kwSpans: ReadonlyMap<string, Span> = NO_KW_SPANS): CallSite {
    return { span, nameSpan, argSpans, kwSpans };
  }

  private callExpr(e: Extract<PyExpr, { kind: 'Call' }>, scope: Scope): PyVal {
    let self: PyInstance | undefined;
    let fn: PyVal;
    if (e.fn.kind === 'Attr') {
      // `obj.method(…)` on the user's instance: the function with obj first, without a bound-method object.
      const obj = this.eval(e.fn.obj, scope);
      if (obj instanceof PyInstance && !obj.attrs.has(e.fn.attr)) {
        const m = obj.cls.lookup(e.fn.attr);
        if (m instanceof PyFunction) {
          self = obj;
          fn = m;
        } else fn = this.getattr(obj, e.fn.attr, e.fn.attrSpan);
      } else fn = this.getattr(obj, e.fn.attr, e.fn.attrSpan);
    } else fn = this.eval(e.fn, scope);
    const args: PyVal[] = [];
    const argSpans: Span[] = [];
    let kwargs = NO_KW;
    let kwSpans = NO_KW_SPANS as Map<string, Span>;
    for (const a of e.args as readonly PyArg[]) {
      if ((a.star === '**' || a.name) && kwargs === NO_KW) {
        kwargs = new Map();
        kwSpans = new Map();
      }
      if (a.star === '*') {
        for (const x of this.iterate(this.eval(a.value, scope), a.span)) {
          args.push(x);
          argSpans.push(a.value.span);
        }
      } else if (a.star === '**') {
        const d = this.eval(a.value, scope);
        if (!(d instanceof PyDict)) throw new PyError('TypeError', 'argument after ** must be a mapping', a.span);
        for (const en of d.map.values()) kwargs.set(String(en.k), en.v);
      } else if (a.name) {
        kwargs.set(a.name, this.eval(a.value, scope));
        kwSpans.set(a.name, a.value.span);
      } else {
        args.push(this.eval(a.value, scope));
        argSpans.push(a.value.span);
      }
    }
    const nameSpan = e.fn.kind === 'Attr' ? e.fn.attrSpan : e.fn.span;
    if (self) {
      args.unshift(self);
      return this.callFunction(fn as PyFunction, args, kwargs, this.site(e.span, nameSpan, argSpans, kwSpans));
    }
    return this.call(fn, args, kwargs, this.site(e.span, nameSpan, argSpans, kwSpans));
  }

  call(fn: PyVal, args: PyVal[], kwargs: Map<string, PyVal>, at: CallSite): PyVal {
    if (fn instanceof PyNative) return fn.call(args, kwargs, at);
    if (fn instanceof PyBound) return this.call(fn.fn, [fn.self, ...args], kwargs, at);
    if (fn instanceof PyFunction) return this.callFunction(fn, args, kwargs, at);
    if (fn instanceof PyClass) return this.instantiate(fn, args, kwargs, at);
    if (fn instanceof PyInstance) {
      const m = this.lookupMethod(fn, '__call__');
      if (m) return this.call(m, args, kwargs, at);
    }
    if (fn instanceof PyOpaque && typeof fn.data === 'function') return (fn.data as PyNative['call'])(args, kwargs, at);
    if (fn instanceof Unknown) throw new Skip(fn.why);
    throw new PyError('TypeError', `'${typeName(fn)}' object is not callable`, at.span);
  }

  instantiate(cls: PyClass, args: PyVal[], kwargs: Map<string, PyVal>, at: CallSite): PyVal {
    const nw = cls.lookup('__new__');
    const obj = nw instanceof PyNative ? (nw.call([cls, ...args], kwargs, at) as PyInstance) : new PyInstance(cls);
    const init = cls.lookup('__init__');
    if (init instanceof PyFunction || init instanceof PyNative) {
      const r = this.call(new PyBound(obj, init), args, kwargs, at);
      if (r instanceof Unknown) throw new Skip(r.why);
    }
    return obj;
  }

  private readonly frameVars: Map<string, PyVal>[] = [];
  private readonly frameFns: PyFunction[] = [];

  /** The innermost function call: its local variables and function (for `super()`). */
  currentFrame(): { vars: Map<string, PyVal>; fn: PyFunction } | undefined {
    const k = this.frameFns.length - 1;
    return k < 0 ? undefined : { vars: this.frameVars[k], fn: this.frameFns[k] };
  }

  callFunction(f: PyFunction, args: PyVal[], kwargs: Map<string, PyVal>, at: CallSite): PyVal {
    if (this.depth >= MAX_DEPTH) throw new PyError('RecursionError', 'maximum recursion depth exceeded (GradLens follows calls 400 deep)', at.span);
    const scope: Scope = { vars: new Map(), parent: f.closure };
    ops.bindParams(this, f, args, kwargs, scope.vars, at);
    this.depth++;
    this.frameVars.push(scope.vars);
    this.frameFns.push(f);
    try {
      if (!Array.isArray(f.body)) return this.eval(f.body as PyExpr, scope);
      const sig = this.execBlock(f.body as readonly PyStmt[], scope);
      if (sig !== 'return') return null;
      const r = this.returned;
      this.returned = null;
      return r;
    } finally {
      this.depth--;
      this.frameVars.pop();
      this.frameFns.pop();
    }
  }


  truthOf(v: PyVal, span: Span): boolean {
    return truthy2(this, v, span);
  }

  // ---- conversions -----------------------------------------------------------------------

  toNumber(v: PyVal, span: Span): number | PyInt | boolean {
    if (isNumber(v)) return v;
    if (v instanceof PyTensor) {
      const x = this.call(this.tensors.getattr(v, 'item', span), [], NO_KW, this.site(span));
      if (isNumber(x)) return x;
    }
    if (v instanceof Unknown) throw new Skip(v.why);
    throw new PyError('TypeError', `expected a number, found ${typeName(v)}`, span);
  }

  repr(v: PyVal): string {
    return repr(v, (x) => this.innerRepr(x, true));
  }

  str(v: PyVal): string {
    if (typeof v === 'string') return v;
    if (v instanceof PyTensor) return this.tensors.str(v);
    if (v instanceof PyInstance) {
      const m = this.lookupMethod(v, '__str__');
      if (m) return String(this.call(m, [], NO_KW, this.site(this.topSpan)));
    }
    return this.repr(v);
  }

  private innerRepr(v: PyVal, _top: boolean): string | undefined {
    if (v instanceof PyTensor) return this.tensors.repr(v);
    if (v instanceof TorchSize) return `torch.Size([${v.items.map((x) => this.repr(x)).join(', ')}])`;
    // PyTorch's structseq repr: one field per line.
    if (v instanceof PyNamedTuple) return `${v.typeName}(\n${v.fields.map((f, k) => `${f}=${this.repr(v.items[k])}`).join(',\n')})`;
    if (v instanceof PyInstance) {
      const m = this.lookupMethod(v, '__repr__');
      if (m) {
        const r = this.call(m, [], NO_KW, this.site(this.topSpan));
        return typeof r === 'string' ? r : this.str(r);
      }
    }
    return undefined;
  }

  format(v: PyVal, spec: string, span: Span): string {
    return ops.format(this, v, spec, span);
  }
}

/** Truth of a value, tensors included (a one-element tensor's value). */
function truthy2(ip: Interp, v: PyVal, span: Span): boolean {
  if (v instanceof PyTensor) return ip.tensors.truthy(v, span);
  if (v instanceof Unknown) throw new Skip(v.why);
  if (v instanceof PyInstance) {
    const b = ip.lookupMethod(v, '__bool__') ?? ip.lookupMethod(v, '__len__');
    if (b) return truthy(ip.call(b, [], NO_KW, ip.site(span)));
  }
  return truthy(v);
}
export { truthy2 as truthOf };

export { PyRange };
