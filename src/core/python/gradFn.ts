/**
 * The `grad_fn=<…>` PyTorch 1.13 prints for a tensor that is not a leaf: the autograd node
 * class of the last op (checked against torch 1.13 for each case below). An op with no
 * known counterpart prints `<…Backward0>`, saying that GradLens does not know the name.
 */
import { K, type Tape } from '../autodiff/tape';

const SIMPLE: Record<string, string> = {
  add: 'AddBackward0',
  sub: 'SubBackward0',
  mul: 'MulBackward0',
  neg: 'NegBackward0',
  dot: 'DotBackward0',
  relu: 'ReluBackward0',
  sigmoid: 'SigmoidBackward0',
  tanh: 'TanhBackward0',
  exp: 'ExpBackward0',
  log: 'LogBackward0',
  abs: 'AbsBackward0',
  sqrt: 'SqrtBackward0',
  softmax: 'SoftmaxBackward0',
  log_softmax: 'LogSoftmaxBackward0',
  leaky_relu: 'LeakyReluBackward0',
  gelu: 'GeluBackward0',
  maximum: 'MaximumBackward0',
  minimum: 'MinimumBackward0',
  where: 'WhereBackward0',
  stack: 'StackBackward0',
  concat: 'CatBackward0',
  identity: 'CloneBackward0',
  unsqueeze: 'UnsqueezeBackward0',
  permute: 'PermuteBackward0',
  // x.reshape / x.flatten on a contiguous tensor (x.view sets ViewBackward0 itself).
  reshape: 'ReshapeAliasBackward0',
  index_adv: 'IndexBackward0',
  cross_entropy: 'NllLossBackward0',
  nll: 'NllLossBackward0',
  mse: 'MseLossBackward0',
  bce: 'BinaryCrossEntropyBackward0',
  clamp: 'ClampBackward1',
  std: 'StdBackward0',
  var: 'VarBackward0',
  norm: 'NormBackward1',
};

export function gradFnName(tape: Tape, node: number): string {
  const op = tape.opOf(node);
  if (!op) return '…Backward0';
  const attrs = (tape.attrs[node] ?? {}) as Record<string, unknown>;
  const ins = tape.inputs(node);
  const isConst = (i: number | undefined): boolean => i !== undefined && tape.kind[i] !== K.OP && tape.shape(i).length === 0 && tape.kind[i] === K.CONST;
  const reduced = attrs.axis !== undefined && attrs.axis !== null;
  switch (op.name) {
    case 'div':
      // 1 / x is reciprocal times 1 in PyTorch.
      return isConst(ins[0]) ? 'MulBackward0' : 'DivBackward0';
    case 'pow':
      return isConst(ins[1]) ? 'PowBackward0' : 'PowBackward1';
    case 'matmul': {
      const [a, b] = ins.map((i) => tape.shape(i).length);
      if (a === 2 && b === 2) return 'MmBackward0';
      if (a === 2 && b === 1) return 'MvBackward0';
      if (a === 1 && b === 1) return 'DotBackward0';
      return '…Backward0';
    }
    case 'sum':
      return reduced ? 'SumBackward1' : 'SumBackward0';
    case 'mean':
      return reduced ? 'MeanBackward1' : 'MeanBackward0';
    case 'amax':
      return reduced ? 'MaxBackward0' : 'MaxBackward1';
    case 'amin':
      return reduced ? 'MinBackward0' : 'MinBackward1';
    case 'index': {
      // PyTorch indexes left to right; the last select (an integer) or narrowing slice names the node.
      let last = '…Backward0';
      for (const it of (attrs.items ?? []) as { kind: string; start?: number | null; stop?: number | null; step?: number | null }[]) {
        if (it.kind === 'int') last = 'SelectBackward0';
        else if (it.kind === 'slice' && (it.start !== null || it.stop !== null || it.step !== null)) last = 'SliceBackward0';
        else if (it.kind === 'none') last = 'UnsqueezeBackward0';
      }
      return last;
    }
    default:
      return SIMPLE[op.name] ?? '…Backward0';
  }
}
