/**
 * `torch.nn.init` (PyTorch 1.13's torch/nn/init.py): the fills write a new value into the
 * tensor in place (a parameter stays a parameter, and the layers that own it read the new
 * value), the random ones drawing from PyTorch's CPU generator as `uniform_`/`normal_` do, so
 * `torch.manual_seed(0); nn.init.xavier_uniform_(w)` gives PyTorch's numbers.
 */
import { K } from '../autodiff/tape';
import { numel } from '../tensor/tensor';
import { torchNormal, torchUniform } from '../tensor/torchRng';
import type { Interp } from './interp';
import type { Tensors } from './tensors';
import { PyError, PyModuleObj, PyNative, PyTensor, num, type CallSite, type PyVal } from './values';

type Fill = (n: number, shape: readonly number[], args: PyVal[], kw: Map<string, PyVal>, at: CallSite) => Float64Array;

/** torch.nn.init.calculate_gain */
function gainOf(nonlinearity: string, param: number | undefined, at: CallSite): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'conv_transpose1d':
    case 'conv_transpose2d':
    case 'conv_transpose3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.sqrt(2);
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new PyError('ValueError', `Unsupported nonlinearity ${nonlinearity}`, at.span);
  }
}

/** _calculate_fan_in_and_fan_out */
function fans(shape: readonly number[], at: CallSite): [number, number] {
  if (shape.length < 2) throw new PyError('ValueError', 'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions', at.span);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return [shape[1] * receptive, shape[0] * receptive];
}

export function nnInitModule(ip: Interp, T: Tensors): PyModuleObj {
  const m = new Map<string, PyVal>();
  const arg = (args: PyVal[], kw: Map<string, PyVal>, k: number, name: string, fallback: number, at: CallSite): number => {
    const v = args[k] ?? kw.get(name);
    return v === undefined || v === null ? fallback : num(ip.toNumber(v, at.span));
  };
  const str = (args: PyVal[], kw: Map<string, PyVal>, k: number, name: string, fallback: string): string => {
    const v = args[k] ?? kw.get(name);
    return typeof v === 'string' ? v : fallback;
  };
  const gen = () => T.torchGen;
  const fill = (name: string, f: Fill): void => {
    m.set(
      name,
      new PyNative(`nn.init.${name}`, (args, kw, at) => {
        const t = args[0] ?? kw.get('tensor');
        if (!(t instanceof PyTensor)) throw new PyError('TypeError', `nn.init.${name} expects a tensor`, at.span);
        const shape = T.shape(t).slice();
        const n = numel(shape);
        T.ev.spend(n, at.span);
        const data = f(n, shape, args.slice(1), kw, at);
        // In place, under no_grad: the tensor (a layer's parameter too) holds the new value as a fresh leaf.
        t.node = T.tape.leaf({ shape, data }, t.requiresGrad ? K.PARAM : K.CONST, at.span.start, at.span.end);
        return t;
      }),
    );
  };
  const constant = (v: number): Fill => (n) => new Float64Array(n).fill(v);
  fill('zeros_', constant(0));
  fill('ones_', constant(1));
  fill('constant_', (n, _s, a, kw, at) => new Float64Array(n).fill(arg(a, kw, 0, 'val', NaN, at)));
  fill('eye_', (n, s, _a, _kw, at) => {
    if (s.length !== 2) throw new PyError('ValueError', 'Only tensors with 2 dimensions are supported', at.span);
    const out = new Float64Array(n);
    for (let i = 0; i < Math.min(s[0], s[1]); i++) out[i * s[1] + i] = 1;
    return out;
  });
  fill('uniform_', (n, _s, a, kw, at) => torchUniform(gen(), n, arg(a, kw, 0, 'a', 0, at), arg(a, kw, 1, 'b', 1, at)));
  fill('normal_', (n, _s, a, kw, at) => torchNormal(gen(), n, arg(a, kw, 0, 'mean', 0, at), arg(a, kw, 1, 'std', 1, at)));
  fill('xavier_uniform_', (n, s, a, kw, at) => {
    const [fanIn, fanOut] = fans(s, at);
    const std = arg(a, kw, 0, 'gain', 1, at) * Math.sqrt(2 / (fanIn + fanOut));
    const bound = Math.sqrt(3) * std;
    return torchUniform(gen(), n, -bound, bound);
  });
  fill('xavier_normal_', (n, s, a, kw, at) => {
    const [fanIn, fanOut] = fans(s, at);
    return torchNormal(gen(), n, 0, arg(a, kw, 0, 'gain', 1, at) * Math.sqrt(2 / (fanIn + fanOut)));
  });
  const kaimingStd = (s: readonly number[], a: PyVal[], kw: Map<string, PyVal>, at: CallSite): number => {
    const slope = arg(a, kw, 0, 'a', 0, at);
    const mode = str(a, kw, 1, 'mode', 'fan_in');
    if (mode !== 'fan_in' && mode !== 'fan_out') throw new PyError('ValueError', `Mode ${mode} not supported, please use one of fan_in, fan_out`, at.span);
    const [fanIn, fanOut] = fans(s, at);
    return gainOf(str(a, kw, 2, 'nonlinearity', 'leaky_relu'), slope, at) / Math.sqrt(mode === 'fan_in' ? fanIn : fanOut);
  };
  fill('kaiming_uniform_', (n, s, a, kw, at) => {
    const bound = Math.sqrt(3) * kaimingStd(s, a, kw, at);
    return torchUniform(gen(), n, -bound, bound);
  });
  fill('kaiming_normal_', (n, s, a, kw, at) => torchNormal(gen(), n, 0, kaimingStd(s, a, kw, at)));
  m.set(
    'calculate_gain',
    new PyNative('nn.init.calculate_gain', (args, kw, at) => {
      const nl = args[0] ?? kw.get('nonlinearity');
      if (typeof nl !== 'string') throw new PyError('TypeError', 'calculate_gain expects the name of a nonlinearity', at.span);
      const p = args[1] ?? kw.get('param');
      return gainOf(nl, p === undefined || p === null ? undefined : num(ip.toNumber(p, at.span)), at);
    }),
  );
  return new PyModuleObj('torch.nn.init', m);
}
