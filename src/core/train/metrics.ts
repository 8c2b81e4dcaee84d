/**
 * `accuracy(pred, target)`: the fraction of examples predicted correctly, a constant (never
 * differentiated). Binary when `pred` has one value per example (shape of `target`, or
 * [N, 1] against [N]): predicted 1 when pred > 0.5, so give it probabilities (a sigmoid
 * output; `accuracy(sigmoid(z), y)` for logits). Multi-class when `pred` has a class axis
 * (axis 1, or 0 for a 1-D input, as cross_entropy): argmax over it, against class indices or
 * against one-hot/probability targets shaped like `pred` (their argmax).
 */
import { defineBuiltin, type TensorArg } from '../builtins/types';
import { formatShape, numel, type Shape, type Tensor } from '../tensor/tensor';

/** The accuracy of `pred` against `target`, or a message saying why the shapes do not fit. */
export function accuracyOf(pred: Tensor, target: Tensor): number | string {
  const ps = pred.shape;
  const ts = target.shape;
  const n = numel(ps);
  const same = formatShape(ps) === formatShape(ts);
  const squeezed = (a: Shape, b: Shape): boolean => a.length === b.length + 1 && a[a.length - 1] === 1 && formatShape(a.slice(0, -1)) === formatShape(b);
  const classAxis = ps.length === 1 ? 0 : 1;
  const C = ps.length ? ps[classAxis] : 1;
  if ((same && (ps.length === 0 || C === 1 || ps.length === 1)) || squeezed(ps, ts) || squeezed(ts, ps)) {
    if (n === 0) return 0;
    let ok = 0;
    for (let i = 0; i < n; i++) if ((pred.data[i] > 0.5 ? 1 : 0) === (target.data[i] > 0.5 ? 1 : 0)) ok++;
    return ok / n;
  }
  const outer = ps.slice(0, classAxis).reduce((a, b) => a * b, 1);
  const inner = ps.slice(classAxis + 1).reduce((a, b) => a * b, 1);
  const argmax = (d: Float64Array, o: number, i: number): number => {
    let best = 0;
    let bv = -Infinity;
    for (let c = 0; c < C; c++) {
      const v = d[(o * C + c) * inner + i];
      if (v > bv) {
        bv = v;
        best = c;
      }
    }
    return best;
  };
  const withoutClass = [...ps.slice(0, classAxis), ...ps.slice(classAxis + 1)];
  const indices = formatShape(withoutClass) === formatShape(ts);
  if (!same && !indices) {
    return `Expected a target shaped like the prediction ${formatShape(ps)} or like it without the class axis ${formatShape(withoutClass)}, found ${formatShape(ts)}.`;
  }
  const m = outer * inner;
  if (m === 0) return 0;
  let ok = 0;
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      const p = argmax(pred.data, o, i);
      const t = indices ? target.data[o * inner + i] : argmax(target.data, o, i);
      if (p === t) ok++;
    }
  return ok / m;
}

defineBuiltin({
  name: 'accuracy',
  aliases: ['accuracy_score'],
  group: 'losses',
  signature: 'accuracy(pred, target)',
  doc:
    'The fraction of correct predictions (a constant, not differentiated). One value per example: predicted 1 when pred > 0.5 (probabilities). ' +
    'A class axis (axis 1): the argmax, against class indices or one-hot targets.',
  params: [
    { name: 'pred', kind: 'tensor', aliases: ['input', 'y_pred'] },
    { name: 'target', kind: 'tensor', aliases: ['y_true'] },
  ],
  call(args, ctx) {
    const p = args.values.pred as TensorArg;
    const t = args.values.target as TensorArg;
    const r = accuracyOf(ctx.value(p.node), ctx.value(t.node));
    if (typeof r === 'string') return ctx.error('shape.mismatch', r, t.span);
    return ctx.constant({ shape: [], data: new Float64Array([r]) });
  },
});
