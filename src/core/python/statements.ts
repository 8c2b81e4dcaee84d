/**
 * The interpreter's statements (docs/python.md): assignment and augmented assignment (tensors
 * in place), control flow with iterations charged to the work budget, imports, `with
 * torch.no_grad()`, `assert`, classes. Functions of the interpreter, split from interp.ts.
 */
import type { PyStmt } from './ast';
import { DUNDER } from './objects';
import { NO_KW, STMT_COST, truthOf as truthy2, type Interp, type Signal } from './interp';
import { PyClass, PyError, PyFunction, PyInstance, PyList, PyModuleObj, PyTensor, Skip, Unknown, typeName, type PyVal, type Scope } from './values';

export function exec(ip: Interp, s: PyStmt, scope: Scope): Signal {
  ip.host.spend(STMT_COST, s.span);
  switch (s.kind) {
    case 'Expr':
      ip.eval(s.value, scope);
      return undefined;
    case 'Assign': {
      const v = s.value ? ip.eval(s.value, scope) : null;
      for (const t of s.targets) ip.assign(t, v, scope, s.span);
      return undefined;
    }
    case 'AugAssign':
      return augAssign(ip, s, scope);
    case 'If':
      return truthy2(ip, ip.eval(s.test, scope), s.test.span) ? ip.execBlock(s.body, scope) : ip.execBlock(s.orelse, scope);
    case 'While': {
      while (truthy2(ip, ip.eval(s.test, scope), s.test.span)) {
        ip.host.spend(STMT_COST, s.span);
        const sig = ip.execBlock(s.body, scope);
        if (sig === 'break') return undefined;
        if (sig !== undefined && sig !== 'continue') return sig;
      }
      return ip.execBlock(s.orelse, scope);
    }
    case 'For': {
      const items = ip.iterate(ip.eval(s.iter, scope), s.iter.span);
      for (const item of items) {
        ip.host.spend(STMT_COST, s.span);
        ip.assign(s.target, item, scope, s.span);
        const sig = ip.execBlock(s.body, scope);
        if (sig === 'break') return undefined;
        if (sig !== undefined && sig !== 'continue') return sig;
      }
      return ip.execBlock(s.orelse, scope);
    }
    case 'Def': {
      const f = ip.makeFunction(s.name, s.params, s.body, scope, s.span);
      let v: PyVal = f;
      for (const d of [...s.decorators].reverse()) v = ip.call(ip.eval(d, scope), [v], NO_KW, ip.site(d.span));
      ip.assignName(s.name, v, scope, s.span, s.nameSpan);
      return undefined;
    }
    case 'Class':
      ip.assignName(s.name, classDef(ip, s, scope), scope, s.span, s.nameSpan);
      return undefined;
    case 'Return':
      if (!s.value) {
        ip.returned = null;
        return 'return';
      }
      try {
        ip.returned = ip.eval(s.value, scope);
      } catch (e) {
        if (!(e instanceof Skip)) throw e;
        ip.returned = new Unknown(e.why ?? 'it depends on a value GradLens cannot follow');
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
        const mod = ip.importModule(n.as ? n.name : top, n.span);
        ip.assignName(n.as ?? top, mod, scope, s.span, n.span);
      }
      return undefined;
    case 'ImportFrom': {
      const mod = ip.importModule(s.module, s.span);
      for (const n of s.names) {
        if (n.name === '*') {
          if (mod instanceof PyModuleObj) for (const [k, v] of mod.attrs) ip.assignName(k, v, scope, s.span, n.span);
          continue;
        }
        let v: PyVal;
        if (mod instanceof Unknown) v = mod;
        else {
          const sub = ip.importModule(`${s.module}.${n.name}`, n.span, true);
          v = sub instanceof PyModuleObj ? sub : ip.moduleAttr(mod as PyModuleObj, n.name, n.span);
        }
        ip.assignName(n.as ?? n.name, v, scope, s.span, n.span);
      }
      return undefined;
    }
    case 'Assert': {
      const ok = truthy2(ip, ip.eval(s.test, scope), s.test.span);
      if (!ok) {
        const msg = s.msg ? ip.str(ip.eval(s.msg, scope)) : '';
        throw new PyError('AssertionError', msg, s.span);
      }
      return undefined;
    }
    case 'With': {
      let grad = 0;
      for (const it of s.items) {
        const v = ip.eval(it.expr, scope);
        if (v instanceof PyInstance && v.payload === 'no_grad') grad++;
        else if (v instanceof PyInstance && v.payload === 'enable_grad') grad--;
        else if (!(v instanceof PyInstance && typeof v.payload === 'string')) throw new Skip(`\`with\` on ${typeName(v)} is not followed`);
        if (it.as) ip.assign(it.as, v, scope, s.span);
      }
      ip.noGrad += grad;
      try {
        return ip.execBlock(s.body, scope);
      } finally {
        ip.noGrad -= grad;
      }
    }
    case 'Try': {
      try {
        return ip.execBlock(s.body, scope);
      } finally {
        ip.execBlock(s.final, scope);
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
      ip.host.hint(`GradLens does not follow ip statement: ${s.why}.${s.binds.length ? ` ${s.binds.map((b) => `\`${b.name}\``).join(', ')} ${s.binds.length > 1 ? 'are' : 'is'} unknown from here on.` : ''}`, s.span);
      for (const b of s.binds) ip.assignName(b.name, new Unknown(s.why), scope, s.span, b.span);
      return undefined;
  }
}

/**
 * `cur op= rhs` for a value that is not a tensor updated in place: a list extended in place
 * (`+=`), an instance's `__iadd__`…, otherwise the plain operator. The value to store back.
 */
function combine(ip: Interp, s: Extract<PyStmt, { kind: 'AugAssign' }>, cur: PyVal, rhs: PyVal): PyVal {
  if (cur instanceof PyList && s.op === '+') {
    cur.items.push(...ip.iterate(rhs, s.value.span));
    return cur;
  }
  const inplace = cur instanceof PyInstance ? ip.lookupMethod(cur, `__i${DUNDER[s.op]?.[0].slice(2)}`) : undefined;
  return inplace ? ip.call(inplace, [rhs], NO_KW, ip.site(s.span)) : ip.binop(s.op, cur, rhs, s.span, s.opSpan);
}

export function augAssign(ip: Interp, s: Extract<PyStmt, { kind: 'AugAssign' }>, scope: Scope): Signal {
  if (s.target.kind === 'Sub') {
    // `counts[p] += 1`, `dW[:, j] -= x`: the container and the index are evaluated once, the
    // element is read, combined and stored back (numpy's and PyTorch's `__setitem__`).
    const obj = ip.eval(s.target.obj, scope);
    const idx = ip.subIndex(s.target, scope);
    const cur = ip.getitem(obj, idx, s.target.span);
    ip.setitem(obj, idx, combine(ip, s, cur, ip.eval(s.value, scope)), s.target.span);
    return undefined;
  }
  const cur = ip.eval(s.target, scope);
  const rhs = ip.eval(s.value, scope);
  // Tensors update in place (`W -= lr * W.grad` changes the tensor every name of it sees).
  if (cur instanceof PyTensor) {
    const r = ip.tensors.binop(s.op, cur, rhs, s.span, s.opSpan);
    if (r instanceof PyTensor) {
      ip.tensors.inplace(cur, r, s.span);
      if (scope === ip.globals && s.target.kind === 'Name') ip.host.bound(s.target.id, cur, s.span, s.target.span);
      return undefined;
    }
  }
  const v = combine(ip, s, cur, rhs);
  // A list extended in place is already where the target names it.
  if (v !== cur || !(cur instanceof PyList)) ip.assign(s.target, v, scope, s.span);
  return undefined;
}

export function classDef(ip: Interp, s: Extract<PyStmt, { kind: 'Class' }>, scope: Scope): PyClass {
  const bases: PyClass[] = [];
  for (const b of s.bases) {
    const v = ip.eval(b, scope);
    if (v instanceof PyClass) bases.push(v);
    else if (v instanceof Unknown) throw new Skip(v.why);
    else throw new Skip(`the base class \`${ip.text.slice(b.span.start, b.span.end)}\` is not a class GradLens knows`);
  }
  const cls = new PyClass(s.name, bases.length ? bases : [ip.objectClass]);
  const body: Scope = { vars: cls.attrs, parent: scope, globals: new Set() };
  (body as { isClass?: boolean }).isClass = true;
  ip.execBlock(s.body, body);
  for (const v of cls.attrs.values()) if (v instanceof PyFunction && v.owner === null) v.owner = cls;
  return cls;
}
