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
import { iterItems, lessThan, numericBinop, pyEquals, repr, seqIndex, sequenceBinop, sliceIndices, truthy } from './pyops';
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
  PyIter,
  PyList,
  PyModuleObj,
  PyNative,
  PyRange,
  PySet,
  PySlice,
  PyTensor,
  PyTuple,
  TorchSize,
  Skip,
  Unknown,
  hashKey,
  int,
  isIntLike,
  isNumber,
  num,
  typeName,
  formatNumberSpec as formatNumberSpecImport,
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
type Signal = undefined | 'break' | 'continue' | 'return';

const MAX_DEPTH = 400;
/** Work units charged per statement and per loop iteration (a Python statement is not free). */
const STMT_COST = 200;

const DUNDER: Record<string, [string, string]> = {
  '+': ['__add__', '__radd__'],
  '-': ['__sub__', '__rsub__'],
  '*': ['__mul__', '__rmul__'],
  '/': ['__truediv__', '__rtruediv__'],
  '//': ['__floordiv__', '__rfloordiv__'],
  '%': ['__mod__', '__rmod__'],
  '**': ['__pow__', '__rpow__'],
  '@': ['__matmul__', '__rmatmul__'],
};
const CMP_DUNDER: Record<string, [string, string]> = {
  '<': ['__lt__', '__gt__'],
  '>': ['__gt__', '__lt__'],
  '<=': ['__le__', '__ge__'],
  '>=': ['__ge__', '__le__'],
  '==': ['__eq__', '__eq__'],
  '!=': ['__ne__', '__ne__'],
};

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
  private returned: PyVal = null;
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
  private execGuarded(s: PyStmt, scope: Scope): Signal {
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
    this.host.spend(STMT_COST, s.span);
    switch (s.kind) {
      case 'Expr':
        this.eval(s.value, scope);
        return undefined;
      case 'Assign': {
        const v = s.value ? this.eval(s.value, scope) : null;
        for (const t of s.targets) this.assign(t, v, scope, s.span);
        return undefined;
      }
      case 'AugAssign':
        return this.augAssign(s, scope);
      case 'If':
        return truthy2(this, this.eval(s.test, scope), s.test.span) ? this.execBlock(s.body, scope) : this.execBlock(s.orelse, scope);
      case 'While': {
        while (truthy2(this, this.eval(s.test, scope), s.test.span)) {
          this.host.spend(STMT_COST, s.span);
          const sig = this.execBlock(s.body, scope);
          if (sig === 'break') return undefined;
          if (sig !== undefined && sig !== 'continue') return sig;
        }
        return this.execBlock(s.orelse, scope);
      }
      case 'For': {
        const items = this.iterate(this.eval(s.iter, scope), s.iter.span);
        for (const item of items) {
          this.host.spend(STMT_COST, s.span);
          this.assign(s.target, item, scope, s.span);
          const sig = this.execBlock(s.body, scope);
          if (sig === 'break') return undefined;
          if (sig !== undefined && sig !== 'continue') return sig;
        }
        return this.execBlock(s.orelse, scope);
      }
      case 'Def': {
        const f = this.makeFunction(s.name, s.params, s.body, scope, s.span);
        let v: PyVal = f;
        for (const d of [...s.decorators].reverse()) v = this.call(this.eval(d, scope), [v], NO_KW, this.site(d.span));
        this.assignName(s.name, v, scope, s.span, s.nameSpan);
        return undefined;
      }
      case 'Class':
        this.assignName(s.name, this.classDef(s, scope), scope, s.span, s.nameSpan);
        return undefined;
      case 'Return':
        if (!s.value) {
          this.returned = null;
          return 'return';
        }
        try {
          this.returned = this.eval(s.value, scope);
        } catch (e) {
          if (!(e instanceof Skip)) throw e;
          this.returned = new Unknown(e.why ?? 'it depends on a value GradLens cannot follow');
        }
        return 'return';
      case 'Pass':
        return undefined;
      case 'Break':
        return 'break';
      case 'Continue':
        return 'continue';
      case 'Import':
        for (const n of s.names) {
          const top = n.as ? n.name : n.name.split('.')[0];
          const mod = this.importModule(n.as ? n.name : top, n.span);
          this.assignName(n.as ?? top, mod, scope, s.span, n.span);
        }
        return undefined;
      case 'ImportFrom': {
        const mod = this.importModule(s.module, s.span);
        for (const n of s.names) {
          if (n.name === '*') {
            if (mod instanceof PyModuleObj) for (const [k, v] of mod.attrs) this.assignName(k, v, scope, s.span, n.span);
            continue;
          }
          let v: PyVal;
          if (mod instanceof Unknown) v = mod;
          else {
            const sub = this.importModule(`${s.module}.${n.name}`, n.span, true);
            v = sub instanceof PyModuleObj ? sub : this.moduleAttr(mod as PyModuleObj, n.name, n.span);
          }
          this.assignName(n.as ?? n.name, v, scope, s.span, n.span);
        }
        return undefined;
      }
      case 'Assert': {
        const ok = truthy2(this, this.eval(s.test, scope), s.test.span);
        if (!ok) {
          const msg = s.msg ? this.str(this.eval(s.msg, scope)) : '';
          throw new PyError('AssertionError', msg, s.span);
        }
        return undefined;
      }
      case 'With': {
        let grad = 0;
        for (const it of s.items) {
          const v = this.eval(it.expr, scope);
          if (v instanceof PyInstance && v.payload === 'no_grad') grad++;
          else if (v instanceof PyInstance && v.payload === 'enable_grad') grad--;
          else if (!(v instanceof PyInstance && typeof v.payload === 'string')) throw new Skip(`\`with\` on ${typeName(v)} is not followed`);
          if (it.as) this.assign(it.as, v, scope, s.span);
        }
        this.noGrad += grad;
        try {
          return this.execBlock(s.body, scope);
        } finally {
          this.noGrad -= grad;
        }
      }
      case 'Try': {
        try {
          return this.execBlock(s.body, scope);
        } finally {
          this.execBlock(s.final, scope);
        }
      }
      case 'Global': {
        for (const n of s.names) (scope.globals ?? new Set()).add(n);
        if (!scope.globals) (scope as { globals?: Set<string> }).globals = new Set(s.names);
        return undefined;
      }
      case 'Del':
        for (const t of s.targets) if (t.kind === 'Name') scope.vars.delete(t.id);
        return undefined;
      case 'Unsupported':
        this.host.hint(`GradLens does not follow this statement: ${s.why}.${s.binds.length ? ` ${s.binds.map((b) => `\`${b.name}\``).join(', ')} ${s.binds.length > 1 ? 'are' : 'is'} unknown from here on.` : ''}`, s.span);
        for (const b of s.binds) this.assignName(b.name, new Unknown(s.why), scope, s.span, b.span);
        return undefined;
    }
  }

  private augAssign(s: Extract<PyStmt, { kind: 'AugAssign' }>, scope: Scope): Signal {
    const cur = this.eval(s.target, scope);
    const rhs = this.eval(s.value, scope);
    // Tensors update in place (`W -= lr * W.grad` changes the tensor every name of it sees).
    if (cur instanceof PyTensor) {
      const r = this.tensors.binop(s.op, cur, rhs, s.span, s.opSpan);
      if (r instanceof PyTensor) {
        this.tensors.inplace(cur, r, s.span);
        if (scope === this.globals && s.target.kind === 'Name') this.host.bound(s.target.id, cur, s.span, s.target.span);
        return undefined;
      }
    }
    if (cur instanceof PyList && s.op === '+') {
      cur.items.push(...this.iterate(rhs, s.value.span));
      return undefined;
    }
    const inplace = cur instanceof PyInstance ? this.lookupMethod(cur, `__i${DUNDER[s.op]?.[0].slice(2)}`) : undefined;
    const v = inplace ? this.call(inplace, [rhs], NO_KW, this.site(s.span)) : this.binop(s.op, cur, rhs, s.span, s.opSpan);
    this.assign(s.target, v, scope, s.span);
    return undefined;
  }

  private classDef(s: Extract<PyStmt, { kind: 'Class' }>, scope: Scope): PyClass {
    const bases: PyClass[] = [];
    for (const b of s.bases) {
      const v = this.eval(b, scope);
      if (v instanceof PyClass) bases.push(v);
      else if (v instanceof Unknown) throw new Skip(v.why);
      else throw new Skip(`the base class \`${this.text.slice(b.span.start, b.span.end)}\` is not a class GradLens knows`);
    }
    const cls = new PyClass(s.name, bases.length ? bases : [this.objectClass]);
    const body: Scope = { vars: cls.attrs, parent: scope, globals: new Set() };
    (body as { isClass?: boolean }).isClass = true;
    this.execBlock(s.body, body);
    for (const v of cls.attrs.values()) if (v instanceof PyFunction && v.owner === null) v.owner = cls;
    return cls;
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
        return this.comprehension(e, scope);
      case 'Starred':
        throw new Skip('a starred expression here is not followed');
      case 'Unsupported':
        this.host.hint(`GradLens does not follow ${e.why}; the line is skipped.`, e.span);
        throw new Skip(e.why);
    }
  }

  private comprehension(e: Extract<PyExpr, { kind: 'Comp' }>, scope: Scope): PyVal {
    const inner: Scope = { vars: new Map(), parent: scope };
    const out: PyVal[] = [];
    const dict = e.type === 'dict' ? new PyDict() : undefined;
    const run = (g: number): void => {
      if (g === e.gens.length) {
        if (dict) {
          const k = this.eval(e.key!, inner);
          dict.map.set(this.key(k), { k, v: this.eval(e.elt, inner) });
        } else out.push(this.eval(e.elt, inner));
        return;
      }
      const gen = e.gens[g];
      // The first iterable is evaluated in the enclosing scope (Python's rule).
      const items = this.iterate(this.eval(gen.iter, g === 0 ? scope : inner), gen.iter.span);
      for (const it of items) {
        this.host.spend(STMT_COST, e.span);
        this.assign(gen.target, it, inner, e.span);
        if (gen.ifs.every((c) => truthy2(this, this.eval(c, inner), c.span))) run(g + 1);
      }
    };
    run(0);
    if (dict) return dict;
    if (e.type === 'list') return new PyList(out);
    if (e.type === 'gen') return new PyIter(out);
    const set = new PySet();
    for (const x of out) set.map.set(this.key(x), x);
    return set;
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

  private subIndex(e: Extract<PyExpr, { kind: 'Sub' }>, scope: Scope): PyVal {
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
    const n = numericBinop(op, a, b);
    if (n !== undefined) return n;
    if (a instanceof PyInstance || b instanceof PyInstance) {
      const names = DUNDER[op];
      if (names) {
        if (a instanceof PyInstance) {
          const m = this.lookupMethod(a, names[0]);
          if (m) {
            const r = this.call(m, [b], NO_KW, this.site(span));
            if (r !== NOT_IMPLEMENTED) return r;
          }
        }
        if (b instanceof PyInstance) {
          const m = this.lookupMethod(b, names[1]);
          if (m) {
            const r = this.call(m, [a], NO_KW, this.site(span));
            if (r !== NOT_IMPLEMENTED) return r;
          }
        }
      }
    }
    const t = this.tensors.binop(op, a, b, span, opSpan);
    if (t !== undefined) return t;
    const s = sequenceBinop(op, a, b, (v) => this.str(v), (v) => this.repr(v));
    if (s !== undefined) return s;
    throw new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`, span);
  }

  unary(op: string, v: PyVal, span: Span): PyVal {
    if (isNumber(v)) {
      const x = num(v);
      if (op === '-') return isIntLike(v) ? int(-x) : -x;
      if (op === '+') return isIntLike(v) ? int(x) : x;
      if (op === '~' && isIntLike(v)) return int(-x - 1);
    }
    if (v instanceof PyTensor) return this.tensors.unary(op, v, span);
    if (v instanceof PyInstance) {
      const m = this.lookupMethod(v, op === '-' ? '__neg__' : op === '+' ? '__pos__' : '__invert__');
      if (m) return this.call(m, [], NO_KW, this.site(span));
    }
    throw new PyError('TypeError', `bad operand type for unary ${op}: '${typeName(v)}'`, span);
  }

  compare(op: string, a: PyVal, b: PyVal, span: Span): PyVal {
    switch (op) {
      case 'is':
        return a === b || (a === null && b === null) || (isIntLike(a) && isIntLike(b) && num(a) === num(b) && typeof a === typeof b);
      case 'is not':
        return !this.compare('is', a, b, span);
      case 'in':
        return this.contains(b, a, span);
      case 'not in':
        return !this.contains(b, a, span);
    }
    const t = this.tensors.compare(op, a, b, span);
    if (t !== undefined) return t;
    if (a instanceof PyInstance || b instanceof PyInstance) {
      const names = CMP_DUNDER[op];
      if (a instanceof PyInstance) {
        const m = this.lookupMethod(a, names[0]);
        if (m) return this.call(m, [b], NO_KW, this.site(span));
      }
      if (b instanceof PyInstance) {
        const m = this.lookupMethod(b, names[1]);
        if (m) return this.call(m, [a], NO_KW, this.site(span));
      }
      if (op === '==') return a === b;
      if (op === '!=') return a !== b;
    }
    switch (op) {
      case '==':
        return pyEquals(a, b);
      case '!=':
        return !pyEquals(a, b);
      case '<':
        return lessThan(a, b);
      case '>':
        return lessThan(b, a);
      case '<=':
        return !lessThan(b, a);
      case '>=':
        return !lessThan(a, b);
    }
    throw new PyError('TypeError', `unsupported comparison ${op}`, span);
  }

  private contains(container: PyVal, x: PyVal, span: Span): boolean {
    if (typeof container === 'string') {
      if (typeof x !== 'string') throw new PyError('TypeError', `'in <string>' requires string as left operand, not ${typeName(x)}`, span);
      return container.includes(x);
    }
    if (container instanceof PyDict || container instanceof PySet) return container.map.has(this.key(x));
    if (container instanceof PyInstance) {
      const m = this.lookupMethod(container, '__contains__');
      if (m) return truthy(this.call(m, [x], NO_KW, this.site(span)));
    }
    return this.iterate(container, span).some((y) => pyEquals(x, y) || x === y);
  }

  // ---- attributes and items --------------------------------------------------------------

  lookupMethod(obj: PyInstance, name: string): PyVal | undefined {
    const m = obj.cls.lookup(name);
    if (m instanceof PyFunction || m instanceof PyNative) return new PyBound(obj, m);
    return m;
  }

  getattr(obj: PyVal, name: string, span: Span): PyVal {
    if (obj instanceof Unknown) throw new Skip(obj.why);
    if (obj instanceof PyInstance) {
      const own = obj.attrs.get(name);
      if (own !== undefined) {
        if (own instanceof Unknown) throw new Skip(own.why);
        return own;
      }
      const m = obj.cls.lookup(name);
      if (m instanceof PyFunction || m instanceof PyNative) return new PyBound(obj, m);
      if (m !== undefined) return m;
      const ga = obj.cls.lookup('__getattr__');
      if (ga instanceof PyNative || ga instanceof PyFunction) return this.call(new PyBound(obj, ga), [name], NO_KW, this.site(span));
      throw new PyError('AttributeError', `'${obj.cls.name}' object has no attribute '${name}'`, span);
    }
    if (obj instanceof PyTensor) return this.tensors.getattr(obj, name, span);
    if (obj instanceof PyModuleObj) return this.moduleAttr(obj, name, span);
    if (obj instanceof PyClass) {
      const v = obj.lookup(name);
      if (v !== undefined) return v;
      if (name === '__name__') return obj.name;
      throw new PyError('AttributeError', `type object '${obj.name}' has no attribute '${name}'`, span);
    }
    const m = this.plainMethod(obj, name, span);
    if (m !== undefined) return m;
    if (isNumber(obj)) {
      if (name === 'real') return obj;
      if (name === 'imag') return isIntLike(obj) ? int(0) : 0;
    }
    if (obj instanceof PyFunction && name === '__name__') return obj.name;
    throw new PyError('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`, span);
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
    if (obj instanceof PyTensor) return this.tensors.getitem(obj, idx, span);
    if (obj instanceof PyList || obj instanceof PyTuple || typeof obj === 'string') {
      const items = typeof obj === 'string' ? [...obj] : obj.items;
      if (idx instanceof PySlice) {
        const sel = sliceIndices(idx, items.length).map((k) => items[k]);
        return typeof obj === 'string' ? sel.join('') : obj instanceof PyList ? new PyList(sel) : new PyTuple(sel);
      }
      if (idx instanceof PyTensor) idx = this.toNumber(idx, span);
      return items[seqIndex(idx, items.length, typeName(obj))];
    }
    if (obj instanceof PyDict) {
      const e = obj.map.get(this.key(idx));
      if (!e) throw new PyError('KeyError', this.repr(idx), span);
      return e.v;
    }
    if (obj instanceof PyRange) {
      const k = seqIndex(idx, obj.length, 'range object');
      return int(obj.start + k * obj.step);
    }
    if (obj instanceof PyInstance) {
      const m = this.lookupMethod(obj, '__getitem__');
      if (m) return this.call(m, [idx], NO_KW, this.site(span));
    }
    throw new PyError('TypeError', `'${typeName(obj)}' object is not subscriptable`, span);
  }

  setitem(obj: PyVal, idx: PyVal, v: PyVal, span: Span): void {
    if (obj instanceof PyTensor) return this.tensors.setitem(obj, idx, v, span);
    if (obj instanceof PyList) {
      if (idx instanceof PySlice) {
        const sel = sliceIndices(idx, obj.items.length);
        const vals = this.iterate(v, span);
        if ((idx.step ?? 1) === 1) {
          obj.items.splice(sel.length ? sel[0] : Math.min(obj.items.length, Math.max(0, idx.lower ?? 0)), sel.length, ...vals);
          return;
        }
        sel.forEach((k, i) => (obj.items[k] = vals[i]));
        return;
      }
      obj.items[seqIndex(idx, obj.items.length, 'list assignment')] = v;
      return;
    }
    if (obj instanceof PyDict) {
      obj.map.set(this.key(idx), { k: idx, v });
      return;
    }
    if (obj instanceof PyInstance) {
      const m = this.lookupMethod(obj, '__setitem__');
      if (m) {
        this.call(m, [idx, v], NO_KW, this.site(span));
        return;
      }
    }
    throw new PyError('TypeError', `'${typeName(obj)}' object does not support item assignment`, span);
  }

  /** The items of an iterable, or a TypeError. */
  iterate(v: PyVal, span: Span): PyVal[] {
    if (v instanceof Unknown) throw new Skip(v.why);
    const items = iterItems(v);
    if (items) return items;
    if (v instanceof PyTensor) return this.tensors.items(v, span);
    if (v instanceof PyInstance) {
      const it = this.lookupMethod(v, '__iter__');
      if (it) return this.iterate(this.call(it, [], NO_KW, this.site(span)), span);
      const gi = this.lookupMethod(v, '__getitem__');
      const ln = this.lookupMethod(v, '__len__');
      if (gi && ln) {
        const n = num(this.call(ln, [], NO_KW, this.site(span)) as PyInt);
        const out: PyVal[] = [];
        for (let k = 0; k < n; k++) out.push(this.call(gi, [int(k)], NO_KW, this.site(span)));
        return out;
      }
    }
    throw new PyError('TypeError', `'${typeName(v)}' object is not iterable`, span);
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
    this.bindParams(f, args, kwargs, scope.vars, at);
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

  private bindParams(f: PyFunction, args: PyVal[], kwargs: Map<string, PyVal>, vars: Map<string, PyVal>, at: CallSite): void {
    let k = 0;
    let varkw: PyDict | undefined;
    const used = new Set<string>();
    for (const p of f.params) {
      if (p.kind === 'varargs') {
        vars.set(p.name, new PyTuple(args.slice(k)));
        k = args.length;
        continue;
      }
      if (p.kind === 'varkw') {
        varkw = new PyDict();
        vars.set(p.name, varkw);
        continue;
      }
      if (p.kind === 'normal' && k < args.length) {
        if (kwargs.has(p.name)) throw new PyError('TypeError', `${f.name}() got multiple values for argument '${p.name}'`, at.span);
        vars.set(p.name, args[k++]);
        continue;
      }
      if (kwargs.has(p.name)) {
        vars.set(p.name, kwargs.get(p.name)!);
        used.add(p.name);
        continue;
      }
      if (f.defaults.has(p.name)) {
        vars.set(p.name, f.defaults.get(p.name)!);
        continue;
      }
      throw new PyError('TypeError', `${f.name}() missing required argument: '${p.name}'`, at.span);
    }
    if (k < args.length) throw new PyError('TypeError', `${f.name}() takes ${k} positional arguments but ${args.length} were given`, at.span);
    for (const [name, v] of kwargs) {
      if (used.has(name)) continue;
      if (varkw) varkw.map.set(this.key(name), { k: name, v });
      else throw new PyError('TypeError', `${f.name}() got an unexpected keyword argument '${name}'`, at.span);
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
    if (v instanceof PyTensor) v = this.toNumber(v, span);
    if (v instanceof PyInstance) {
      const m = this.lookupMethod(v, '__format__');
      if (m) return String(this.call(m, [spec], NO_KW, this.site(span)));
      return this.str(v);
    }
    if (!spec) return this.str(v);
    if (isNumber(v)) return formatNumberSpecSafe(num(v), isIntLike(v), spec, span);
    if (typeof v === 'string') return formatString(v, spec);
    return this.str(v);
  }
}

function formatNumberSpecSafe(x: number, isInt: boolean, spec: string, span: Span): string {
  try {
    return formatNumberSpecImport(x, isInt, spec);
  } catch (e) {
    if (e instanceof PyError) throw new PyError(e.type, e.message, span);
    throw e;
  }
}

function formatString(s: string, spec: string): string {
  const m = /^(?:(.)?([<>^]))?(\d+)?(?:\.(\d+))?s?$/.exec(spec);
  if (!m) throw new PyError('ValueError', `Invalid format specifier '${spec}' for object of type 'str'`);
  const [, fill = ' ', align = '<', w, p] = m;
  let t = p !== undefined ? s.slice(0, Number(p)) : s;
  const width = w ? Number(w) : 0;
  if (t.length >= width) return t;
  const pad = width - t.length;
  if (align === '>') t = fill.repeat(pad) + t;
  else if (align === '^') t = fill.repeat(Math.floor(pad / 2)) + t + fill.repeat(pad - Math.floor(pad / 2));
  else t = t + fill.repeat(pad);
  return t;
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

/** The subscript and attribute targets a statement writes (`Y[i] = …`, `self.w -= …`), loops and branches included. */
function mutatedTargets(s: PyStmt): PyExpr[] {
  const out: PyExpr[] = [];
  const target = (e: PyExpr): void => {
    if (e.kind === 'Sub' || e.kind === 'Attr') out.push(e);
    else if (e.kind === 'Seq') e.elts.forEach(target);
  };
  const walk = (st: PyStmt): void => {
    if (st.kind === 'Assign') st.targets.forEach(target);
    else if (st.kind === 'AugAssign') target(st.target);
    else if (st.kind === 'For' || st.kind === 'While' || st.kind === 'If') {
      st.body.forEach(walk);
      st.orelse.forEach(walk);
    } else if (st.kind === 'With' || st.kind === 'Try') st.body.forEach(walk);
  };
  walk(s);
  return out;
}

/** The names a statement binds in its own scope (to make unknown when it is skipped). */
export function assignedNames(s: PyStmt): { name: string; span: Span }[] {
  const out: { name: string; span: Span }[] = [];
  const target = (e: PyExpr): void => {
    if (e.kind === 'Name') out.push({ name: e.id, span: e.span });
    else if (e.kind === 'Seq') e.elts.forEach(target);
    else if (e.kind === 'Starred' || e.kind === 'Paren') target(e.kind === 'Starred' ? e.value : e.inner);
  };
  const walk = (st: PyStmt): void => {
    switch (st.kind) {
      case 'Assign':
        st.targets.forEach(target);
        break;
      case 'AugAssign':
        target(st.target);
        break;
      case 'For':
        target(st.target);
        st.body.forEach(walk);
        st.orelse.forEach(walk);
        break;
      case 'If':
      case 'While':
        st.body.forEach(walk);
        st.orelse.forEach(walk);
        break;
      case 'With':
        st.items.forEach((i) => i.as && target(i.as));
        st.body.forEach(walk);
        break;
      case 'Try':
        st.body.forEach(walk);
        st.final.forEach(walk);
        break;
      case 'Def':
      case 'Class':
        out.push({ name: st.name, span: st.nameSpan });
        break;
      case 'Import':
      case 'ImportFrom':
        for (const n of st.names) out.push({ name: n.as ?? n.name.split('.')[0], span: n.span });
        break;
      case 'Unsupported':
        out.push(...st.binds);
        break;
    }
  };
  walk(s);
  return out;
}

export { PyRange };
