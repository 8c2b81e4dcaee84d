/**
 * Splitting an array into pieces, as each library does it, each piece a slice on the tape (so
 * gradients flow back into the whole): numpy's `split` (equal sections or split points) and
 * `array_split` (sections differing by at most one) give a list; PyTorch's `split` (a size, or
 * sizes), `chunk` (⌈n / chunks⌉ per piece) and `unbind` give a tuple.
 */
import type { Interp } from './interp';
import type { Tensors } from './tensors';
import { ELLIPSIS, PyError, PyList, PySlice, PyTensor, PyTuple, int, isIntLike, num, type CallSite, type PyVal } from './values';

type Fn = (args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => PyVal;

export interface SplitFns {
  readonly npSplit: Fn;
  readonly npArraySplit: Fn;
  readonly torchSplit: Fn;
  readonly torchChunk: Fn;
  readonly unbind: Fn;
}

export function splitFns(ip: Interp, T: Tensors): SplitFns {
  const tensorOf = (v: PyVal, lib: 'np' | 'torch', at: CallSite): PyTensor => T.asArray(v, lib, at.span);
  const axisOf = (x: PyTensor, v: PyVal | undefined, at: CallSite): number => {
    const nd = T.shape(x).length;
    let a = v === undefined || v === null ? 0 : num(ip.toNumber(v, at.span));
    if (a < 0) a += nd;
    if (a < 0 || a >= nd) throw new PyError('IndexError', `Dimension out of range (expected to be in range of [${-nd}, ${nd - 1}], but got ${a})`, at.span);
    return a;
  };
  /** x cut along `axis` at the given boundaries [b0 = 0, b1, …, n]. */
  const pieces = (x: PyTensor, axis: number, bounds: readonly number[], at: CallSite, gradFn?: string): PyTensor[] => {
    const out: PyTensor[] = [];
    for (let k = 0; k + 1 < bounds.length; k++) {
      const idx: PyVal[] = [...Array(axis)].map(() => new PySlice(null, null, null));
      idx.push(new PySlice(bounds[k], bounds[k + 1], null), ELLIPSIS);
      const p = ip.getitem(x, new PyTuple(idx), at.span) as PyTensor;
      if (gradFn) (p as PyTensor & { gradFn?: string }).gradFn = gradFn;
      out.push(p);
    }
    return out;
  };
  const ints = (v: PyVal, at: CallSite): number[] => (v instanceof PyList || v instanceof PyTuple ? v.items.map((x) => num(ip.toNumber(x, at.span))) : [num(ip.toNumber(v, at.span))]);
  const sizesToBounds = (sizes: readonly number[]): number[] => sizes.reduce((b, s) => [...b, b[b.length - 1] + s], [0]);

  const npSplit: Fn = (args, kw, at) => {
    const x = tensorOf(args[0], 'np', at);
    const axis = axisOf(x, args[2] ?? kw.get('axis'), at);
    const n = T.shape(x)[axis];
    const how = args[1] ?? kw.get('indices_or_sections')!;
    if (isIntLike(how)) {
      const k = num(how);
      if (k <= 0 || n % k !== 0) throw new PyError('ValueError', 'array split does not result in an equal division', at.span);
      return new PyList(pieces(x, axis, [...Array(k + 1).keys()].map((i) => (i * n) / k), at));
    }
    const points = ints(how, at).map((p) => Math.max(0, Math.min(n, p < 0 ? p + n : p)));
    return new PyList(pieces(x, axis, [0, ...points, n], at));
  };
  const npArraySplit: Fn = (args, kw, at) => {
    const x = tensorOf(args[0], 'np', at);
    const axis = axisOf(x, args[2] ?? kw.get('axis'), at);
    const n = T.shape(x)[axis];
    const how = args[1] ?? kw.get('indices_or_sections')!;
    if (!isIntLike(how)) return npSplit(args, kw, at);
    const k = num(how);
    if (k <= 0) throw new PyError('ValueError', 'number sections must be larger than 0.', at.span);
    const each = Math.floor(n / k);
    const extra = n % k;
    return new PyList(pieces(x, axis, sizesToBounds([...Array(k).keys()].map((i) => each + (i < extra ? 1 : 0))), at));
  };
  const torchSplit: Fn = (args, kw, at) => {
    const x = tensorOf(args[0], 'torch', at);
    const axis = axisOf(x, args[2] ?? kw.get('dim'), at);
    const n = T.shape(x)[axis];
    const how = args[1] ?? kw.get('split_size_or_sections') ?? kw.get('split_size')!;
    if (isIntLike(how)) {
      const s = num(how);
      if (s <= 0) throw new PyError('RuntimeError', `split expects split_size be non-negative, but got split_size=${s}`, at.span);
      const bounds = [0];
      while (bounds[bounds.length - 1] < n) bounds.push(Math.min(n, bounds[bounds.length - 1] + s));
      return new PyTuple(pieces(x, axis, bounds, at, 'SplitBackward0'));
    }
    const sizes = ints(how, at);
    if (sizes.reduce((a, b) => a + b, 0) !== n) throw new PyError('RuntimeError', `split_with_sizes expects split_sizes to sum exactly to ${n} (input tensor's size at dimension ${axis}), but got split_sizes=[${sizes.join(', ')}]`, at.span);
    return new PyTuple(pieces(x, axis, sizesToBounds(sizes), at, 'SplitWithSizesBackward0'));
  };
  const torchChunk: Fn = (args, kw, at) => {
    const x = tensorOf(args[0], 'torch', at);
    const axis = axisOf(x, args[2] ?? kw.get('dim'), at);
    const chunks = num(ip.toNumber(args[1] ?? kw.get('chunks')!, at.span));
    if (chunks <= 0) throw new PyError('RuntimeError', 'chunk expects `chunks` to be greater than 0', at.span);
    const size = Math.ceil(T.shape(x)[axis] / chunks);
    return torchSplit([x, int(Math.max(size, 1)), int(axis)], new Map(), at);
  };
  const unbind: Fn = (args, kw, at) => {
    const x = tensorOf(args[0], 'torch', at);
    const axis = axisOf(x, args[1] ?? kw.get('dim'), at);
    const n = T.shape(x)[axis];
    return new PyTuple(
      [...Array(n).keys()].map((i) => {
        const idx: PyVal[] = [...Array(axis)].map(() => new PySlice(null, null, null));
        idx.push(int(i), ELLIPSIS);
        const p = ip.getitem(x, new PyTuple(idx), at.span) as PyTensor;
        (p as PyTensor & { gradFn?: string }).gradFn = 'UnbindBackward0';
        return p;
      }),
    );
  };
  return { npSplit, npArraySplit, torchSplit, torchChunk, unbind };
}
