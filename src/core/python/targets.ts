/**
 * What a statement binds and changes (docs/python.md): the names and the in-place targets that
 * become unknown when GradLens cannot follow the statement.
 */
import type { Span } from '../span';
import type { PyExpr, PyStmt } from './ast';

/** Methods that change their object: list and dict mutators, and PyTorch's in-place `x.add_(…)`. */
const MUTATORS = new Set(['append', 'extend', 'insert', 'pop', 'remove', 'clear', 'sort', 'reverse', 'update', 'add', 'discard', 'setdefault', 'shuffle', 'fill', 'resize']);

/**
 * What a call statement may change in place: `lst.append(v)` its list, `w.zero_()` its tensor,
 * `nn.init.xavier_uniform_(w)` and `np.random.shuffle(x)` their first argument. When such a
 * statement is skipped these become unknown instead of keeping a value Python would not have.
 */
function callMutates(e: PyExpr): PyExpr[] {
  if (e.kind !== 'Call' || e.fn.kind !== 'Attr') return [];
  const name = e.fn.attr;
  const inPlace = name.endsWith('_') && !name.startsWith('__');
  const out: PyExpr[] = [];
  if (inPlace || MUTATORS.has(name)) out.push(e.fn.obj);
  if ((inPlace || name === 'shuffle') && e.args[0] && !e.args[0].name && !e.args[0].star) out.push(e.args[0].value);
  return out;
}

/** The subscript and attribute targets a statement writes (`Y[i] = …`, `self.w -= …`), loops and branches included. */
export function mutatedTargets(s: PyStmt): PyExpr[] {
  const out: PyExpr[] = [];
  const target = (e: PyExpr): void => {
    if (e.kind === 'Sub' || e.kind === 'Attr') out.push(e);
    else if (e.kind === 'Seq') e.elts.forEach(target);
  };
  const walk = (st: PyStmt): void => {
    if (st.kind === 'Assign') st.targets.forEach(target);
    else if (st.kind === 'AugAssign') target(st.target);
    else if (st.kind === 'Expr') callMutates(st.value).forEach(target);
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
      case 'Expr':
        // A name changed in place by a skipped call (`losses.append(f(x))`) is unknown from here on.
        for (const m of callMutates(st.value)) if (m.kind === 'Name') target(m);
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

