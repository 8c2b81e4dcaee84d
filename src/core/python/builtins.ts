/**
 * Python's built-in functions and the methods of lists, dicts, sets and strings, as far as
 * the subset goes (docs/python.md). `print` output is handed to the analysis (`prints`).
 */
import type { Span } from '../span';
import { type Interp, truthOf } from './interp';
import { iterItems } from './pyops';
import {
  PyBound,
  PyDescriptor,
  PyClass,
  PyDict,
  PyError,
  PyFunction,
  PyInstance,
  PyInt,
  PyIter,
  PyList,
  PyNative,
  PyRange,
  PySet,
  PySlice,
  PyTensor,
  PyTuple,
  Skip,
  floatRepr,
  fixed,
  int,
  isIntLike,
  isNumber,
  num,
  typeName,
  type CallSite,
  type PyVal,
} from './values';

type Fn = (args: PyVal[], kwargs: Map<string, PyVal>, at: CallSite) => PyVal;

export function installBuiltins(ip: Interp, print: (text: string, at: CallSite) => void): void {
  const def = (name: string, f: Fn): void => {
    ip.builtins.set(name, new PyNative(name, f));
  };
  const n = (v: PyVal, at: CallSite): number => num(ip.toNumber(v, at.span));
  const cmpKey = (key: PyVal | undefined, at: CallSite) => (x: PyVal): PyVal => (key && key !== null ? ip.call(key, [x], new Map(), at) : x);
  const less = (a: PyVal, b: PyVal, at: CallSite): boolean => truthOf(ip, ip.compare('<', a, b, at.span), at.span);

  def('print', (args, kw, at) => {
    const sep = kw.has('sep') && kw.get('sep') !== null ? ip.str(kw.get('sep')!) : ' ';
    const end = kw.has('end') && kw.get('end') !== null ? ip.str(kw.get('end')!) : '\n';
    if (kw.has('file') && kw.get('file') !== null) return null;
    print(args.map((a) => ip.str(a)).join(sep) + end, at);
    return null;
  });
  def('range', (args, _kw, at) => {
    const xs = args.map((a) => {
      const v = ip.toNumber(a, at.span);
      if (!isIntLike(v)) throw new PyError('TypeError', `'float' object cannot be interpreted as an integer`, at.span);
      return num(v);
    });
    if (xs.length === 1) return new PyRange(0, xs[0], 1);
    if (xs[2] === 0) throw new PyError('ValueError', 'range() arg 3 must not be zero', at.span);
    return new PyRange(xs[0], xs[1], xs[2] ?? 1);
  });
  for (const kind of ['property', 'staticmethod', 'classmethod'] as const) {
    def(kind, (args, _kw, at) => {
      const f = args[0];
      if (!(f instanceof PyFunction || f instanceof PyNative)) throw new PyError('TypeError', `${kind} expects a function`, at.span);
      return new PyDescriptor(kind, f);
    });
  }
  def('len', (args, _kw, at) => {
    const v = args[0];
    if (v instanceof PyTensor) return int(ip.tensors.len(v));
    if (v instanceof PyList || v instanceof PyTuple) return int(v.items.length);
    if (typeof v === 'string') return int([...v].length);
    if (v instanceof PyDict || v instanceof PySet) return int(v.map.size);
    if (v instanceof PyRange) return int(v.length);
    if (v instanceof PyInstance) {
      const m = ip.lookupMethod(v, '__len__');
      if (m) return ip.call(m, [], new Map(), at);
    }
    throw new PyError('TypeError', `object of type '${typeName(v)}' has no len()`, at.span);
  });
  def('zip', (args, _kw, at) => {
    const lists = args.map((a) => ip.iterate(a, at.span));
    const m = lists.length ? Math.min(...lists.map((l) => l.length)) : 0;
    const out: PyVal[] = [];
    for (let k = 0; k < m; k++) out.push(new PyTuple(lists.map((l) => l[k])));
    return new PyIter(out);
  });
  def('enumerate', (args, kw, at) => {
    const start = args[1] ?? kw.get('start') ?? int(0);
    const s = n(start, at);
    return new PyIter(ip.iterate(args[0], at.span).map((x, k) => new PyTuple([int(s + k), x])));
  });
  def('reversed', (args, _kw, at) => new PyIter(ip.iterate(args[0], at.span).reverse()));
  def('iter', (args, _kw, at) => new PyIter(ip.iterate(args[0], at.span)));
  def('next', (args, _kw, at) => {
    const it = args[0];
    if (it instanceof PyIter) {
      if (it.pos < it.items.length) return it.items[it.pos++];
      if (args.length > 1) return args[1];
      throw new PyError('StopIteration', '', at.span);
    }
    throw new PyError('TypeError', `'${typeName(it)}' object is not an iterator`, at.span);
  });
  def('sum', (args, kw, at) => {
    let acc: PyVal = args[1] ?? kw.get('start') ?? int(0);
    for (const x of ip.iterate(args[0], at.span)) acc = ip.binop('+', acc, x, at.span);
    return acc;
  });
  const minmax = (which: 'min' | 'max'): Fn => (args, kw, at) => {
    const items = args.length === 1 ? ip.iterate(args[0], at.span) : args;
    const key = cmpKey(kw.get('key'), at);
    if (!items.length) {
      if (kw.has('default')) return kw.get('default')!;
      throw new PyError('ValueError', `${which}() arg is an empty sequence`, at.span);
    }
    let best = items[0];
    let bk = key(best);
    for (const x of items.slice(1)) {
      const k = key(x);
      if (which === 'min' ? less(k, bk, at) : less(bk, k, at)) {
        best = x;
        bk = k;
      }
    }
    return best;
  };
  def('min', minmax('min'));
  def('max', minmax('max'));
  def('abs', (args, _kw, at) => {
    const v = args[0];
    if (isNumber(v)) return isIntLike(v) ? int(Math.abs(num(v))) : Math.abs(num(v));
    if (v instanceof PyInstance) {
      const m = ip.lookupMethod(v, '__abs__');
      if (m) return ip.call(m, [], new Map(), at);
    }
    return ip.call(ip.getattr(v, 'abs', at.span), [], new Map(), at);
  });
  def('round', (args, _kw, at) => {
    const x = n(args[0], at);
    const d = args[1] === undefined || args[1] === null ? undefined : n(args[1], at);
    if (d === undefined) return int(roundHalfEven(x));
    if (isIntLike(args[0])) {
      const f = 10 ** -d;
      return d >= 0 ? args[0] : int(roundHalfEven(x / f) * f);
    }
    // CPython rounds the exact binary value, ties to even: round(2.675, 2) is 2.67.
    if (d < 0 || !Number.isFinite(x)) return roundHalfEven(x / 10 ** -d) * 10 ** -d;
    const r = Number(fixed(Math.abs(x), Math.min(100, d)));
    return x < 0 ? -r : r;
  });
  def('int', (args, _kw, at) => {
    if (!args.length) return int(0);
    const v = args[0];
    if (typeof v === 'string') {
      const r = Number(v.trim().replace(/_/g, ''));
      if (!Number.isInteger(r)) throw new PyError('ValueError', `invalid literal for int() with base 10: ${ip.repr(v)}`, at.span);
      return int(r);
    }
    return int(Math.trunc(n(v, at)));
  });
  def('float', (args, _kw, at) => {
    if (!args.length) return 0;
    const v = args[0];
    if (typeof v === 'string') {
      const t = v.trim().toLowerCase();
      if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
      if (t === '-inf' || t === '-infinity') return -Infinity;
      if (t === 'nan') return NaN;
      const r = Number(t);
      if (Number.isNaN(r) || t === '') throw new PyError('ValueError', `could not convert string to float: ${ip.repr(v)}`, at.span);
      return r;
    }
    return n(v, at);
  });
  def('bool', (args, _kw, at) => (args.length ? truthOf(ip, args[0], at.span) : false));
  def('str', (args) => (args.length ? ip.str(args[0]) : ''));
  def('repr', (args) => ip.repr(args[0]));
  def('format', (args, _kw, at) => ip.format(args[0], args[1] === undefined ? '' : String(args[1]), at.span));
  def('list', (args, _kw, at) => new PyList(args.length ? ip.iterate(args[0], at.span) : []));
  def('tuple', (args, _kw, at) => new PyTuple(args.length ? ip.iterate(args[0], at.span) : []));
  def('set', (args, _kw, at) => {
    const s = new PySet();
    for (const x of args.length ? ip.iterate(args[0], at.span) : []) s.map.set(ip.key(x), x);
    return s;
  });
  def('dict', (args, kw, at) => {
    const d = new PyDict();
    if (args.length) {
      const src = args[0];
      if (src instanceof PyDict) for (const [k, e] of src.map) d.map.set(k, { ...e });
      else
        for (const pair of ip.iterate(src, at.span)) {
          const [k, v] = ip.iterate(pair, at.span);
          d.map.set(ip.key(k), { k, v });
        }
    }
    for (const [k, v] of kw) d.map.set(ip.key(k), { k, v });
    return d;
  });
  def('sorted', (args, kw, at) => {
    const items = ip.iterate(args[0], at.span);
    const key = cmpKey(kw.get('key'), at);
    const keyed = items.map((x) => ({ x, k: key(x) }));
    keyed.sort((a, b) => (less(a.k, b.k, at) ? -1 : less(b.k, a.k, at) ? 1 : 0));
    if (kw.get('reverse') !== undefined && truthOf(ip, kw.get('reverse')!, at.span)) keyed.reverse();
    return new PyList(keyed.map((e) => e.x));
  });
  def('any', (args, _kw, at) => ip.iterate(args[0], at.span).some((x) => truthOf(ip, x, at.span)));
  def('all', (args, _kw, at) => ip.iterate(args[0], at.span).every((x) => truthOf(ip, x, at.span)));
  def('map', (args, _kw, at) => {
    const lists = args.slice(1).map((a) => ip.iterate(a, at.span));
    const m = Math.min(...lists.map((l) => l.length));
    const out: PyVal[] = [];
    for (let k = 0; k < m; k++) out.push(ip.call(args[0], lists.map((l) => l[k]), new Map(), at));
    return new PyIter(out);
  });
  def('filter', (args, _kw, at) => new PyIter(ip.iterate(args[1], at.span).filter((x) => truthOf(ip, args[0] === null ? x : ip.call(args[0], [x], new Map(), at), at.span))));
  def('isinstance', (args, _kw, at) => {
    const cls = args[1];
    const classes = cls instanceof PyTuple ? cls.items : [cls];
    return classes.some((c) => isInstance(ip, args[0], c, at));
  });
  def('issubclass', (args) => args[0] instanceof PyClass && args[1] instanceof PyClass && args[0].isSubclassOf(args[1]));
  def('hasattr', (args, _kw, at) => {
    try {
      ip.getattr(args[0], String(args[1]), at.span);
      return true;
    } catch (e) {
      if (e instanceof PyError) return false;
      throw e;
    }
  });
  def('getattr', (args, _kw, at) => {
    try {
      return ip.getattr(args[0], String(args[1]), at.span);
    } catch (e) {
      if (e instanceof PyError && args.length > 2) return args[2];
      throw e;
    }
  });
  def('setattr', (args, _kw, at) => {
    ip.setattr(args[0], String(args[1]), args[2], at.span);
    return null;
  });
  def('type', (args) => {
    const v = args[0];
    if (v instanceof PyInstance) return v.cls;
    return ip.builtins.get(typeName(v)) ?? typeName(v);
  });
  def('id', (args) => int(ip.ids.of(args[0] as object)));
  def('callable', (args) => args[0] instanceof PyFunction || args[0] instanceof PyNative || args[0] instanceof PyBound || args[0] instanceof PyClass);
  def('divmod', (args, _kw, at) => new PyTuple([ip.binop('//', args[0], args[1], at.span), ip.binop('%', args[0], args[1], at.span)]));
  def('pow', (args, _kw, at) => ip.binop('**', args[0], args[1], at.span));
  def('slice', (args, _kw, at) => {
    const v = args.map((a) => (a === null ? null : n(a, at)));
    return v.length === 1 ? new PySlice(null, v[0], null) : new PySlice(v[0], v[1] ?? null, v[2] ?? null);
  });
  def('super', (args, _kw, at) => superOf(ip, args, at));
  def('open', () => {
    throw new Skip('file I/O is not followed (GradLens reads no files from Python)');
  });
  def('input', () => {
    throw new Skip('`input()` is not followed');
  });
  def('chr', (args, _kw, at) => String.fromCodePoint(n(args[0], at)));
  def('ord', (args) => int(String(args[0]).codePointAt(0) ?? 0));
  def('hash', (args) => int(Number(String(ip.key(args[0])).length)));
  ip.builtins.set('object', ip.objectClass);
  for (const t of ['Exception', 'ValueError', 'TypeError', 'RuntimeError', 'KeyError', 'IndexError', 'AssertionError', 'NotImplementedError', 'StopIteration', 'ZeroDivisionError', 'AttributeError'])
    ip.builtins.set(t, new PyClass(t, [ip.objectClass], 'Exception'));
  ip.builtins.set('NotImplemented', new PyInstance(new PyClass('NotImplementedType', [])));
  ip.plainMethod = (obj, name, span) => plainMethod(ip, obj, name, span);
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function isInstance(ip: Interp, v: PyVal, c: PyVal, at: CallSite): boolean {
  if (c instanceof PyClass) return v instanceof PyInstance && v.cls.isSubclassOf(c);
  if (c instanceof PyNative) {
    switch (c.name) {
      case 'int':
        return v instanceof PyInt || typeof v === 'boolean';
      case 'float':
        return typeof v === 'number';
      case 'bool':
        return typeof v === 'boolean';
      case 'str':
        return typeof v === 'string';
      case 'list':
        return v instanceof PyList;
      case 'tuple':
        return v instanceof PyTuple;
      case 'dict':
        return v instanceof PyDict;
      case 'set':
        return v instanceof PySet;
      case 'range':
        return v instanceof PyRange;
    }
    const tc = (c as PyNative & { instanceCheck?: (v: PyVal) => boolean }).instanceCheck;
    if (tc) return tc(v);
  }
  void ip;
  void at;
  return false;
}

/** `super()` in a method (the class and the first argument from the frame), or `super(C, self)`. */
function superOf(ip: Interp, args: PyVal[], at: CallSite): PyVal {
  let cls: PyVal | undefined = args[0];
  let self: PyVal | undefined = args[1];
  if (!args.length) {
    const frame = ip.currentFrame();
    cls = frame?.fn.owner ?? undefined;
    const first = frame?.fn.params[0];
    self = frame && first ? frame.vars.get(first.name) : undefined;
  }
  if (!(cls instanceof PyClass) || !(self instanceof PyInstance)) throw new Skip('`super()` outside a method is not followed');
  const mro = self.cls.mro();
  const after = mro.slice(mro.indexOf(cls) + 1);
  const proxy = new PyInstance(new PyClass(`super<${cls.name}>`, []));
  proxy.payload = 'super';
  const lookup = (name: string): PyVal | undefined => {
    for (const c of after) if (c.attrs.has(name)) return c.attrs.get(name);
    return undefined;
  };
  proxy.cls.attrs.set('__getattr__', new PyNative('__getattr__', (a) => {
    const name = String(a[1]);
    const m = lookup(name);
    if (m instanceof PyFunction || m instanceof PyNative) return new PyBound(self, m);
    if (name === '__init__') return new PyNative('__init__', () => null);
    if (m === undefined) throw new PyError('AttributeError', `'super' object has no attribute '${name}'`, at.span);
    return m;
  }));
  return proxy;
}

function plainMethod(ip: Interp, obj: PyVal, name: string, span: Span): PyVal | undefined {
  const m = (f: Fn): PyNative => new PyNative(name, f);
  if (obj instanceof PyList) {
    const xs = obj.items;
    switch (name) {
      case 'append':
        return m((a) => (xs.push(a[0]), null));
      case 'extend':
        return m((a, _k, at) => (xs.push(...ip.iterate(a[0], at.span)), null));
      case 'pop':
        return m((a, _k, at) => {
          if (!xs.length) throw new PyError('IndexError', 'pop from empty list', at.span);
          const k = a.length ? num(a[0] as PyInt) : xs.length - 1;
          return xs.splice(k < 0 ? k + xs.length : k, 1)[0];
        });
      case 'insert':
        return m((a) => (xs.splice(num(a[0] as PyInt), 0, a[1]), null));
      case 'index':
        return m((a, _k, at) => {
          const k = xs.findIndex((x) => truthOf(ip, ip.compare('==', x, a[0], at.span), at.span));
          if (k < 0) throw new PyError('ValueError', `${ip.repr(a[0])} is not in list`, at.span);
          return int(k);
        });
      case 'count':
        return m((a, _k, at) => int(xs.filter((x) => truthOf(ip, ip.compare('==', x, a[0], at.span), at.span)).length));
      case 'reverse':
        return m(() => (xs.reverse(), null));
      case 'sort':
        return m((a, k, at) => {
          const sorted = ip.call(ip.builtins.get('sorted')!, [obj], k, at) as PyList;
          obj.items = sorted.items;
          return null;
        });
      case 'copy':
        return m(() => new PyList(xs.slice()));
      case 'clear':
        return m(() => ((xs.length = 0), null));
      case 'remove':
        return m((a, _k, at) => {
          const k = xs.findIndex((x) => truthOf(ip, ip.compare('==', x, a[0], at.span), at.span));
          if (k < 0) throw new PyError('ValueError', 'list.remove(x): x not in list', at.span);
          xs.splice(k, 1);
          return null;
        });
    }
  }
  if (obj instanceof PyTuple) {
    if (name === 'index') return m((a) => int(obj.items.findIndex((x) => ip.compare('==', x, a[0], span) === true)));
    if (name === 'count') return m((a) => int(obj.items.filter((x) => ip.compare('==', x, a[0], span) === true).length));
  }
  if (obj instanceof PyDict) {
    const d = obj.map;
    switch (name) {
      case 'items':
        return m(() => new PyIter([...d.values()].map((e) => new PyTuple([e.k, e.v]))));
      case 'keys':
        return m(() => new PyIter([...d.values()].map((e) => e.k)));
      case 'values':
        return m(() => new PyIter([...d.values()].map((e) => e.v)));
      case 'get':
        return m((a) => d.get(ip.key(a[0]))?.v ?? (a[1] === undefined ? null : a[1]));
      case 'setdefault':
        return m((a) => {
          const k = ip.key(a[0]);
          if (!d.has(k)) d.set(k, { k: a[0], v: a[1] ?? null });
          return d.get(k)!.v;
        });
      case 'pop':
        return m((a, _k, at) => {
          const k = ip.key(a[0]);
          const e = d.get(k);
          if (!e) {
            if (a.length > 1) return a[1];
            throw new PyError('KeyError', ip.repr(a[0]), at.span);
          }
          d.delete(k);
          return e.v;
        });
      case 'update':
        return m((a, kw, at) => {
          const src = a[0];
          if (src instanceof PyDict) for (const [k, e] of src.map) d.set(k, { ...e });
          else if (src !== undefined)
            for (const pair of ip.iterate(src, at.span)) {
              const [k, v] = ip.iterate(pair, at.span);
              d.set(ip.key(k), { k, v });
            }
          for (const [k, v] of kw) d.set(ip.key(k), { k, v });
          return null;
        });
      case 'copy':
        return m(() => {
          const c = new PyDict();
          for (const [k, e] of d) c.map.set(k, { ...e });
          return c;
        });
    }
  }
  if (obj instanceof PySet) {
    switch (name) {
      case 'add':
        return m((a) => (obj.map.set(ip.key(a[0]), a[0]), null));
      case 'discard':
      case 'remove':
        return m((a) => (obj.map.delete(ip.key(a[0])), null));
      case 'union':
        return m((a, _k, at) => {
          const s = new PySet();
          for (const [k, v] of obj.map) s.map.set(k, v);
          for (const x of ip.iterate(a[0], at.span)) s.map.set(ip.key(x), x);
          return s;
        });
    }
  }
  if (typeof obj === 'string') return stringMethod(ip, obj, name);
  if (typeof obj === 'number' && name === 'is_integer') return m(() => Number.isInteger(obj));
  if (obj instanceof PyIter && name === '__next__') return m((_a, _k, at) => ip.call(ip.builtins.get('next')!, [obj], new Map(), at));
  void iterItems;
  return undefined;
}

function stringMethod(ip: Interp, s: string, name: string): PyVal | undefined {
  const m = (f: Fn): PyNative => new PyNative(name, f);
  switch (name) {
    case 'format':
      return m((args, kw, at) => {
        let auto = 0;
        return s.replace(/\{\{|\}\}|\{([^{}:!]*)(?:!([rs]))?(?::([^{}]*))?\}/g, (all, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
          if (all === '{{') return '{';
          if (all === '}}') return '}';
          let v: PyVal;
          const f = field ?? '';
          if (f === '') v = args[auto++];
          else if (/^\d+$/.test(f)) v = args[Number(f)];
          else {
            const [base, ...attrs] = f.split('.');
            v = kw.get(base) ?? null;
            for (const a of attrs) v = ip.getattr(v, a, at.span);
          }
          if (v === undefined) throw new PyError('IndexError', 'Replacement index out of range for positional args tuple', at.span);
          const c = conv === 'r' ? ip.repr(v) : conv === 's' ? ip.str(v) : v;
          return ip.format(c, spec ?? '', at.span);
        });
      });
    case 'join':
      return m((a, _k, at) => ip.iterate(a[0], at.span).map((x) => {
        if (typeof x !== 'string') throw new PyError('TypeError', `sequence item: expected str instance, ${typeName(x)} found`, at.span);
        return x;
      }).join(s));
    case 'upper':
      return m(() => s.toUpperCase());
    case 'lower':
      return m(() => s.toLowerCase());
    case 'strip':
      return m(() => s.trim());
    case 'lstrip':
      return m(() => s.trimStart());
    case 'rstrip':
      return m(() => s.trimEnd());
    case 'split':
      return m((a) => new PyList(a.length && a[0] !== null ? s.split(String(a[0])) : s.trim().split(/\s+/).filter((x) => x)));
    case 'replace':
      return m((a) => s.split(String(a[0])).join(String(a[1])));
    case 'startswith':
      return m((a) => s.startsWith(String(a[0])));
    case 'endswith':
      return m((a) => s.endsWith(String(a[0])));
    case 'ljust':
      return m((a, _k, at) => s.padEnd(num(ip.toNumber(a[0], at.span)), a[1] === undefined ? ' ' : String(a[1])));
    case 'rjust':
      return m((a, _k, at) => s.padStart(num(ip.toNumber(a[0], at.span)), a[1] === undefined ? ' ' : String(a[1])));
    case 'center':
      return m((a, _k, at) => {
        const w = num(ip.toNumber(a[0], at.span));
        const pad = Math.max(0, w - s.length);
        const left = Math.floor(pad / 2) + (pad % 2 && w % 2 ? 1 : 0);
        return ' '.repeat(left) + s + ' '.repeat(pad - left);
      });
    case 'count':
      return m((a) => int(s.split(String(a[0])).length - 1));
    case 'find':
      return m((a) => int(s.indexOf(String(a[0]))));
    case 'isdigit':
      return m(() => /^\d+$/.test(s));
    case 'title':
      return m(() => s.replace(/\w\S*/g, (w) => w[0].toUpperCase() + w.slice(1).toLowerCase()));
  }
  return undefined;
}

export { floatRepr };
