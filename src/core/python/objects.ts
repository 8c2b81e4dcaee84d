/**
 * The interpreter's operators and object protocol (docs/python.md): arithmetic and comparisons
 * with the user's operator methods and tensors, attributes, items and iteration. Functions of
 * the interpreter, split from interp.ts by concern.
 */
import type { Span } from '../span';
import type { PyExpr } from './ast';
import { NOT_IMPLEMENTED, NO_KW, STMT_COST, truthOf as truthy2, type Interp } from './interp';
import { iterItems, lessThan, numericBinop, pyEquals, seqIndex, sequenceBinop, sliceIndices, truthy } from './pyops';
import { formatNumberSpec as formatNumberSpecImport, PyIter, type CallSite, type Scope, PyBound, PyClass, PyDict, PyError, PyFunction, PyInstance, PyInt, PyList, PyDescriptor, PyModuleObj, PyNamedTuple, PyNative, PyRange, PySet, PySlice, PyTensor, PyTuple, Skip, Unknown, int, isIntLike, isNumber, num, typeName, type PyVal } from './values';

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
export { DUNDER };
const CMP_DUNDER: Record<string, [string, string]> = {
  '<': ['__lt__', '__gt__'],
  '>': ['__gt__', '__lt__'],
  '<=': ['__le__', '__ge__'],
  '>=': ['__ge__', '__le__'],
  '==': ['__eq__', '__eq__'],
  '!=': ['__ne__', '__ne__'],
};

export function binop(ip: Interp, op: string, a: PyVal, b: PyVal, span: Span, opSpan: Span = span): PyVal {
  const n = numericBinop(op, a, b);
  if (n !== undefined) return n;
  if (a instanceof PyInstance || b instanceof PyInstance) {
    const names = DUNDER[op];
    if (names) {
      if (a instanceof PyInstance) {
        const m = ip.lookupMethod(a, names[0]);
        if (m) {
          const r = ip.call(m, [b], NO_KW, ip.site(span));
          if (r !== NOT_IMPLEMENTED) return r;
        }
      }
      if (b instanceof PyInstance) {
        const m = ip.lookupMethod(b, names[1]);
        if (m) {
          const r = ip.call(m, [a], NO_KW, ip.site(span));
          if (r !== NOT_IMPLEMENTED) return r;
        }
      }
    }
  }
  // `'%.3f' % loss` formats (a string's % comes before an array's).
  const toNumber = (v: PyVal): PyVal => (v instanceof PyTensor ? ip.toNumber(v, span) : v);
  if (op === '%' && typeof a === 'string') return sequenceBinop(op, a, b, (v) => ip.str(v), (v) => ip.repr(v), toNumber)!;
  const t = ip.tensors.binop(op, a, b, span, opSpan);
  if (t !== undefined) return t;
  const s = sequenceBinop(op, a, b, (v) => ip.str(v), (v) => ip.repr(v));
  if (s !== undefined) return s;
  throw new PyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`, span);
}

export function unary(ip: Interp, op: string, v: PyVal, span: Span): PyVal {
  if (isNumber(v)) {
    const x = num(v);
    if (op === '-') return isIntLike(v) ? int(-x) : -x;
    if (op === '+') return isIntLike(v) ? int(x) : x;
    if (op === '~' && isIntLike(v)) return int(-x - 1);
  }
  if (v instanceof PyTensor) return ip.tensors.unary(op, v, span);
  if (v instanceof PyInstance) {
    const m = ip.lookupMethod(v, op === '-' ? '__neg__' : op === '+' ? '__pos__' : '__invert__');
    if (m) return ip.call(m, [], NO_KW, ip.site(span));
  }
  throw new PyError('TypeError', `bad operand type for unary ${op}: '${typeName(v)}'`, span);
}

export function compare(ip: Interp, op: string, a: PyVal, b: PyVal, span: Span): PyVal {
  switch (op) {
    case 'is':
      return a === b || (a === null && b === null) || (isIntLike(a) && isIntLike(b) && num(a) === num(b) && typeof a === typeof b);
    case 'is not':
      return !ip.compare('is', a, b, span);
    case 'in':
      return ip.contains(b, a, span);
    case 'not in':
      return !ip.contains(b, a, span);
  }
  const t = ip.tensors.compare(op, a, b, span);
  if (t !== undefined) return t;
  if (a instanceof PyInstance || b instanceof PyInstance) {
    const names = CMP_DUNDER[op];
    if (a instanceof PyInstance) {
      const m = ip.lookupMethod(a, names[0]);
      if (m) return ip.call(m, [b], NO_KW, ip.site(span));
    }
    if (b instanceof PyInstance) {
      const m = ip.lookupMethod(b, names[1]);
      if (m) return ip.call(m, [a], NO_KW, ip.site(span));
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

export function contains(ip: Interp, container: PyVal, x: PyVal, span: Span): boolean {
  if (typeof container === 'string') {
    if (typeof x !== 'string') throw new PyError('TypeError', `'in <string>' requires string as left operand, not ${typeName(x)}`, span);
    return container.includes(x);
  }
  if (container instanceof PyDict || container instanceof PySet) return container.map.has(ip.key(x));
  if (container instanceof PyInstance) {
    const m = ip.lookupMethod(container, '__contains__');
    if (m) return truthy(ip.call(m, [x], NO_KW, ip.site(span)));
  }
  return ip.iterate(container, span).some((y) => pyEquals(x, y) || x === y);
}

export function getattr(ip: Interp, obj: PyVal, name: string, span: Span): PyVal {
  if (obj instanceof Unknown) throw new Skip(obj.why);
  if (obj instanceof PyInstance) {
    const own = obj.attrs.get(name);
    if (own !== undefined) {
      if (own instanceof Unknown) throw new Skip(own.why);
      return own;
    }
    const m = obj.cls.lookup(name);
    if (m instanceof PyFunction || m instanceof PyNative) return new PyBound(obj, m);
    if (m instanceof PyDescriptor) return m.kind === 'property' ? ip.call(m.fn, [obj], NO_KW, ip.site(span)) : m.kind === 'classmethod' ? new PyBound(obj.cls, m.fn as PyFunction) : m.fn;
    if (m !== undefined) return m;
    const ga = obj.cls.lookup('__getattr__');
    if (ga instanceof PyNative || ga instanceof PyFunction) return ip.call(new PyBound(obj, ga), [name], NO_KW, ip.site(span));
    throw new PyError('AttributeError', `'${obj.cls.name}' object has no attribute '${name}'`, span);
  }
  if (obj instanceof PyTensor) return ip.tensors.getattr(obj, name, span);
  if (obj instanceof PyNamedTuple && obj.fields.includes(name)) return obj.items[obj.fields.indexOf(name)];
  if (obj instanceof PyModuleObj) return ip.moduleAttr(obj, name, span);
  if (obj instanceof PyClass) {
    const v = obj.lookup(name);
    if (v instanceof PyDescriptor) return v.kind === 'classmethod' ? new PyBound(obj, v.fn as PyFunction) : v.kind === 'staticmethod' ? v.fn : v;
    if (v !== undefined) return v;
    if (name === '__name__') return obj.name;
    throw new PyError('AttributeError', `type object '${obj.name}' has no attribute '${name}'`, span);
  }
  const m = ip.plainMethod(obj, name, span);
  if (m !== undefined) return m;
  if (isNumber(obj)) {
    if (name === 'real') return obj;
    if (name === 'imag') return isIntLike(obj) ? int(0) : 0;
  }
  if (obj instanceof PyFunction && name === '__name__') return obj.name;
  throw new PyError('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`, span);
}

export function getitem(ip: Interp, obj: PyVal, idx: PyVal, span: Span): PyVal {
  if (obj instanceof PyTensor) return ip.tensors.getitem(obj, idx, span);
  if (obj instanceof PyList || obj instanceof PyTuple || typeof obj === 'string') {
    const items = typeof obj === 'string' ? [...obj] : obj.items;
    if (idx instanceof PySlice) {
      const sel = sliceIndices(idx, items.length).map((k) => items[k]);
      return typeof obj === 'string' ? sel.join('') : obj instanceof PyList ? new PyList(sel) : new PyTuple(sel);
    }
    if (idx instanceof PyTensor) idx = ip.toNumber(idx, span);
    return items[seqIndex(idx, items.length, typeName(obj))];
  }
  if (obj instanceof PyDict) {
    const e = obj.map.get(ip.key(idx));
    if (!e) throw new PyError('KeyError', ip.repr(idx), span);
    return e.v;
  }
  if (obj instanceof PyRange) {
    const k = seqIndex(idx, obj.length, 'range object');
    return int(obj.start + k * obj.step);
  }
  if (obj instanceof PyInstance) {
    const m = ip.lookupMethod(obj, '__getitem__');
    if (m) return ip.call(m, [idx], NO_KW, ip.site(span));
  }
  throw new PyError('TypeError', `'${typeName(obj)}' object is not subscriptable`, span);
}

export function setitem(ip: Interp, obj: PyVal, idx: PyVal, v: PyVal, span: Span): void {
  if (obj instanceof PyTensor) return ip.tensors.setitem(obj, idx, v, span);
  if (obj instanceof PyList) {
    if (idx instanceof PySlice) {
      const sel = sliceIndices(idx, obj.items.length);
      const vals = ip.iterate(v, span);
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
    obj.map.set(ip.key(idx), { k: idx, v });
    return;
  }
  if (obj instanceof PyInstance) {
    const m = ip.lookupMethod(obj, '__setitem__');
    if (m) {
      ip.call(m, [idx, v], NO_KW, ip.site(span));
      return;
    }
  }
  throw new PyError('TypeError', `'${typeName(obj)}' object does not support item assignment`, span);
}

export function iterate(ip: Interp, v: PyVal, span: Span): PyVal[] {
  if (v instanceof Unknown) throw new Skip(v.why);
  const items = iterItems(v);
  if (items) return items;
  if (v instanceof PyTensor) return ip.tensors.items(v, span);
  if (v instanceof PyInstance) {
    const it = ip.lookupMethod(v, '__iter__');
    if (it) return ip.iterate(ip.call(it, [], NO_KW, ip.site(span)), span);
    const gi = ip.lookupMethod(v, '__getitem__');
    const ln = ip.lookupMethod(v, '__len__');
    if (gi && ln) {
      const n = num(ip.call(ln, [], NO_KW, ip.site(span)) as PyInt);
      const out: PyVal[] = [];
      for (let k = 0; k < n; k++) out.push(ip.call(gi, [int(k)], NO_KW, ip.site(span)));
      return out;
    }
  }
  throw new PyError('TypeError', `'${typeName(v)}' object is not iterable`, span);
}

/** `format(v, spec)` and f-string fields: numbers by Python's format mini-language, strings padded, instances by `__format__`/`__str__`. */
export function format(ip: Interp, v: PyVal, spec: string, span: Span): string {
  if (v instanceof PyTensor) v = ip.toNumber(v, span);
  if (v instanceof PyInstance) {
    const m = ip.lookupMethod(v, '__format__');
    if (m) return String(ip.call(m, [spec], NO_KW, ip.site(span)));
    return ip.str(v);
  }
  if (!spec) return ip.str(v);
  if (isNumber(v)) return formatNumberSpecSafe(num(v), isIntLike(v), spec, span);
  if (typeof v === 'string') return formatString(v, spec);
  return ip.str(v);
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


export function bindParams(ip: Interp, f: PyFunction, args: PyVal[], kwargs: Map<string, PyVal>, vars: Map<string, PyVal>, at: CallSite): void {
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
    if (varkw) varkw.map.set(ip.key(name), { k: name, v });
    else throw new PyError('TypeError', `${f.name}() got an unexpected keyword argument '${name}'`, at.span);
  }
}

export function comprehension(ip: Interp, e: Extract<PyExpr, { kind: 'Comp' }>, scope: Scope): PyVal {
  const inner: Scope = { vars: new Map(), parent: scope };
  const out: PyVal[] = [];
  const dict = e.type === 'dict' ? new PyDict() : undefined;
  const run = (g: number): void => {
    if (g === e.gens.length) {
      if (dict) {
        const k = ip.eval(e.key!, inner);
        dict.map.set(ip.key(k), { k, v: ip.eval(e.elt, inner) });
      } else out.push(ip.eval(e.elt, inner));
      return;
    }
    const gen = e.gens[g];
    // The first iterable is evaluated in the enclosing scope (Python's rule).
    const items = ip.iterate(ip.eval(gen.iter, g === 0 ? scope : inner), gen.iter.span);
    for (const it of items) {
      ip.host.spend(STMT_COST, e.span);
      ip.assign(gen.target, it, inner, e.span);
      if (gen.ifs.every((c) => truthy2(ip, ip.eval(c, inner), c.span))) run(g + 1);
    }
  };
  run(0);
  if (dict) return dict;
  if (e.type === 'list') return new PyList(out);
  if (e.type === 'gen') return new PyIter(out);
  const set = new PySet();
  for (const x of out) set.map.set(ip.key(x), x);
  return set;
}
