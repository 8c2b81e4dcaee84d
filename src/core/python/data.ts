/**
 * `torch.utils.data`: `TensorDataset`, `Dataset` (a base class for the student's own) and
 * `DataLoader(dataset, batch_size=1, shuffle=False, drop_last=False)`, whose batches are
 * PyTorch's default collation — the items' tensors stacked, numbers made a tensor, tuples
 * collated field by field. A shuffled loader's order is GradLens's own (PyTorch seeds the
 * sampler from its generator in a way GradLens does not reproduce) and says so.
 */
import { findBuiltin } from '../builtins/types';
import type { Span } from '../span';
import type { Interp } from './interp';
import type { Tensors } from './tensors';
import { PyClass, PyError, PyInstance, PyList, PyModuleObj, PyNative, PySlice, PyTensor, PyTuple, Skip, int, isNumber, num, type CallSite, type PyVal } from './values';

interface LoaderPayload {
  readonly dataset: PyVal;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
}

export function dataModule(ip: Interp, T: Tensors, ownRandom: (span: Span) => void): PyModuleObj {
  const m = new Map<string, PyVal>();
  const method = (cls: PyClass, name: string, f: (self: PyInstance, args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal): void => {
    cls.attrs.set(name, new PyNative(name, (args, kw, at) => f(args[0] as PyInstance, args.slice(1), kw, at)));
  };
  const lengthOf = (v: PyVal, at: CallSite): number => {
    if (v instanceof PyTensor) return ip.tensors.len(v);
    if (v instanceof PyList || v instanceof PyTuple) return v.items.length;
    if (v instanceof PyInstance) {
      const ln = ip.lookupMethod(v, '__len__');
      if (ln) return num(ip.toNumber(ip.call(ln, [], new Map(), at), at.span));
    }
    throw new PyError('TypeError', 'the dataset has no len()', at.span);
  };

  const dataset = new PyClass('Dataset', [ip.objectClass]);
  m.set('Dataset', dataset);

  const tensorDataset = new PyClass('TensorDataset', [dataset]);
  method(tensorDataset, '__init__', (self, args, _kw, at) => {
    const ts = args.filter((a): a is PyTensor => a instanceof PyTensor);
    if (ts.length !== args.length || !ts.length) throw new PyError('TypeError', 'TensorDataset takes tensors', at.span);
    const n = T.shape(ts[0])[0];
    if (ts.some((t) => T.shape(t)[0] !== n)) throw new PyError('AssertionError', 'Size mismatch between tensors', at.span);
    self.attrs.set('tensors', new PyTuple(ts));
    return null;
  });
  const tensorsOf = (self: PyInstance): PyTensor[] => [...(self.attrs.get('tensors') as PyTuple).items] as PyTensor[];
  method(tensorDataset, '__len__', (self) => int(T.shape(tensorsOf(self)[0])[0]));
  method(tensorDataset, '__getitem__', (self, [i], _kw, at) => new PyTuple(tensorsOf(self).map((t) => ip.getitem(t, i, at.span))));
  m.set('TensorDataset', tensorDataset);

  const stackDef = findBuiltin('stack')!;
  /** default_collate: tensors stacked, numbers a tensor (int64 for ints), tuples and lists field by field. */
  const collate = (items: PyVal[], at: CallSite): PyVal => {
    const first = items[0];
    if (first instanceof PyTensor) return T.callBuiltin(stackDef, [new PyList(items)], new Map(), at, 'torch');
    if (isNumber(first)) {
      const t = ip.call(ip.moduleAttr(ip.modules.get('torch')!, 'tensor', at.span), [new PyList(items)], new Map(), at);
      return t;
    }
    if (first instanceof PyTuple || first instanceof PyList) {
      const fields = (first as PyTuple).items.map((_, k) => collate(items.map((it) => (it as PyTuple).items[k]), at));
      return first instanceof PyTuple ? new PyTuple(fields) : new PyList(fields);
    }
    throw new Skip(`collating ${ip.repr(first).slice(0, 40)} into a batch is not followed`);
  };

  const loader = new PyClass('DataLoader', [ip.objectClass]);
  method(loader, '__init__', (self, args, kw, at) => {
    const ds = args[0] ?? kw.get('dataset');
    if (ds === undefined) throw new PyError('TypeError', "DataLoader() missing the 'dataset' argument", at.span);
    const bs = args[1] ?? kw.get('batch_size') ?? int(1);
    for (const k of kw.keys()) if (!['dataset', 'batch_size', 'shuffle', 'drop_last', 'num_workers', 'pin_memory'].includes(k)) throw new Skip(`DataLoader's \`${k}\` is not followed`);
    const payload: LoaderPayload = {
      dataset: ds,
      batchSize: num(ip.toNumber(bs, at.span)),
      shuffle: ip.truthOf(args[2] ?? kw.get('shuffle') ?? false, at.span),
      dropLast: ip.truthOf(kw.get('drop_last') ?? false, at.span),
    };
    self.payload = payload;
    self.attrs.set('dataset', ds);
    self.attrs.set('batch_size', int(payload.batchSize));
    return null;
  });
  const payloadOf = (self: PyInstance): LoaderPayload => self.payload as unknown as LoaderPayload;
  method(loader, '__len__', (self, _a, _kw, at) => {
    const p = payloadOf(self);
    const n = lengthOf(p.dataset, at);
    return int(p.dropLast ? Math.floor(n / p.batchSize) : Math.ceil(n / p.batchSize));
  });
  method(loader, '__iter__', (self, _a, _kw, at) => {
    const p = payloadOf(self);
    const n = lengthOf(p.dataset, at);
    let order = Array.from({ length: n }, (_, k) => k);
    if (p.shuffle) {
      ownRandom(at.nameSpan);
      order = Array.from(T.rng().permutation(n));
    }
    const batches: PyVal[] = [];
    for (let s = 0; s < n; s += p.batchSize) {
      const idx = order.slice(s, s + p.batchSize);
      if (p.dropLast && idx.length < p.batchSize) break;
      const ds = p.dataset;
      // A TensorDataset read in order: one slice per tensor, the same values as stacking its rows.
      if (ds instanceof PyInstance && ds.cls === tensorDataset && !p.shuffle) {
        batches.push(new PyTuple(tensorsOf(ds).map((t) => ip.getitem(t, new PySlice(s, s + idx.length, null), at.span))));
        continue;
      }
      batches.push(collate(idx.map((k) => ip.getitem(ds, int(k), at.span)), at));
    }
    return new PyList(batches);
  });
  m.set('DataLoader', loader);
  return new PyModuleObj('torch.utils.data', m);
}
