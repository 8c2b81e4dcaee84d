/**
 * Reading `optimizer SGD(lr=0.1, momentum=0.9)` / `Adam(lr=1e-3, betas=(0.9, 0.999))` /
 * `AdamW(…)`: PyTorch's keyword names and defaults; the parameters are the `train` targets, so
 * the first positional argument is `lr`.
 */
import { error, nearest } from '../diagnostics';
import { formatNumber } from '../format';
import type { Expr } from '../syntax/ast';
import type { TrainHost } from './host';
import { ADAMW_DEFAULTS, ADAM_DEFAULTS, SGD_DEFAULTS, createOptimizer, type OptimizerSpec } from './optim';

export { createOptimizer };

interface Param {
  readonly name: string;
  readonly kind: 'number' | 'bool' | 'pair';
  readonly aliases?: readonly string[];
}

const SGD_PARAMS: readonly Param[] = [
  { name: 'lr', kind: 'number', aliases: ['learning_rate', 'η'] },
  { name: 'momentum', kind: 'number' },
  { name: 'dampening', kind: 'number' },
  { name: 'weight_decay', kind: 'number' },
  { name: 'nesterov', kind: 'bool' },
  { name: 'maximize', kind: 'bool' },
];
const ADAM_PARAMS: readonly Param[] = [
  { name: 'lr', kind: 'number', aliases: ['learning_rate', 'η'] },
  { name: 'betas', kind: 'pair' },
  { name: 'eps', kind: 'number' },
  { name: 'weight_decay', kind: 'number' },
  { name: 'amsgrad', kind: 'bool' },
  { name: 'maximize', kind: 'bool' },
];

const KINDS: Record<string, 'sgd' | 'adam' | 'adamw'> = { sgd: 'sgd', adam: 'adam', adamw: 'adamw' };

export function readOptimizer(e: Expr, host: TrainHost): OptimizerSpec | undefined {
  const diags = host.diagnostics;
  const bare = e.kind === 'Name' || e.kind === 'Path';
  if (e.kind !== 'Call' && !bare) {
    diags.push(error('train.bad-optimizer', 'Expected an optimiser such as `SGD(lr=0.1)` or `Adam(lr=1e-3)`, found another expression.', e.span));
    return undefined;
  }
  const callee = e.kind === 'Call' ? e.callee : e.kind === 'Name' ? e.name : e.parts.join('.');
  const calleeSpan = e.kind === 'Call' ? e.calleeSpan : e.span;
  const last = callee.split('.').pop()!.toLowerCase();
  const kind = KINDS[last];
  if (!kind) {
    const near = nearest(last, ['SGD', 'Adam', 'AdamW']);
    diags.push(
      error(
        'train.unknown-optimizer',
        `Expected \`SGD\`, \`Adam\` or \`AdamW\`, found \`${callee}\`.${near ? ` Did you mean \`${near}\`?` : ''}`,
        calleeSpan,
        near ? [{ title: `Change to \`${near}\``, span: calleeSpan, text: near }] : undefined,
      ),
    );
    return undefined;
  }
  const specs = kind === 'sgd' ? SGD_PARAMS : ADAM_PARAMS;
  const byName = new Map<string, Param>();
  for (const p of specs) for (const n of [p.name, ...(p.aliases ?? [])]) byName.set(n, p);
  const values = new Map<string, number | boolean | [number, number]>();
  const args = e.kind === 'Call' ? e.args : [];
  let positional = 0;
  for (const a of args) {
    let p: Param | undefined;
    if (a.name) {
      p = byName.get(a.name.name);
      if (!p) {
        const near = nearest(a.name.name, [...byName.keys()]);
        diags.push(
          error(
            'train.bad-optimizer',
            `Expected a keyword of ${kind === 'sgd' ? 'SGD' : kind === 'adam' ? 'Adam' : 'AdamW'} (${specs.map((s) => s.name).join(', ')}), found \`${a.name.name}\`.${near ? ` Did you mean \`${near}\`?` : ''}`,
            a.name.span,
            near ? [{ title: `Change to \`${near}\``, span: a.name.span, text: near }] : undefined,
          ),
        );
        return undefined;
      }
    } else {
      if (positional > 0) {
        diags.push(error('train.bad-optimizer', 'Expected keyword arguments after the learning rate (`momentum=0.9`), found another positional argument.', a.span));
        return undefined;
      }
      positional++;
      p = specs[0];
    }
    if (values.has(p.name)) {
      diags.push(error('call.duplicate-argument', `Expected \`${p.name}\` once, found it given twice.`, a.span));
      return undefined;
    }
    const v = a.value;
    if (p.kind === 'bool') {
      if (v.kind === 'Bool') values.set(p.name, v.value);
      else {
        const x = host.constNumber(v, `\`true\` or \`false\` for \`${p.name}\``);
        if (x === undefined) return undefined;
        values.set(p.name, x !== 0);
      }
    } else if (p.kind === 'pair') {
      if (v.kind !== 'List' || v.elements.length !== 2) {
        diags.push(error('train.bad-optimizer', `Expected two numbers for \`${p.name}\`, as in \`betas=(0.9, 0.999)\`.`, v.span));
        return undefined;
      }
      const b1 = host.constNumber(v.elements[0], 'a number for β₁');
      const b2 = host.constNumber(v.elements[1], 'a number for β₂');
      if (b1 === undefined || b2 === undefined) return undefined;
      values.set(p.name, [b1, b2]);
    } else {
      const x = host.constNumber(v, `a number for \`${p.name}\``);
      if (x === undefined) return undefined;
      values.set(p.name, x);
    }
  }
  const num = (k: string, d: number): number => (values.get(k) as number | undefined) ?? d;
  const bool = (k: string, d: boolean): boolean => (values.get(k) as boolean | undefined) ?? d;
  const bad = (message: string): undefined => {
    diags.push(error('train.bad-optimizer', message, e.span));
    return undefined;
  };
  if (kind === 'sgd') {
    if (!values.has('lr')) return bad('Expected a learning rate for SGD (`SGD(lr=0.1)`), found none: PyTorch 1.13 has no default for it.');
    const spec: OptimizerSpec = {
      kind,
      lr: num('lr', 0),
      momentum: num('momentum', SGD_DEFAULTS.momentum),
      dampening: num('dampening', SGD_DEFAULTS.dampening),
      weightDecay: num('weight_decay', SGD_DEFAULTS.weightDecay),
      nesterov: bool('nesterov', SGD_DEFAULTS.nesterov),
      maximize: bool('maximize', SGD_DEFAULTS.maximize),
    };
    if (spec.lr < 0) return bad(`Expected a learning rate ≥ 0, found ${formatNumber(spec.lr)}.`);
    if (spec.momentum < 0) return bad(`Expected momentum ≥ 0, found ${formatNumber(spec.momentum)}.`);
    if (spec.weightDecay < 0) return bad(`Expected weight_decay ≥ 0, found ${formatNumber(spec.weightDecay)}.`);
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0))
      return bad('Expected momentum > 0 and dampening = 0 with nesterov=true (as PyTorch requires), found otherwise.');
    return spec;
  }
  const d = kind === 'adam' ? ADAM_DEFAULTS : ADAMW_DEFAULTS;
  const betas = (values.get('betas') as [number, number] | undefined) ?? [d.beta1, d.beta2];
  const spec: OptimizerSpec = {
    kind,
    lr: num('lr', d.lr),
    beta1: betas[0],
    beta2: betas[1],
    eps: num('eps', d.eps),
    weightDecay: num('weight_decay', d.weightDecay),
    amsgrad: bool('amsgrad', d.amsgrad),
    maximize: bool('maximize', d.maximize),
  };
  if (spec.lr < 0) return bad(`Expected a learning rate ≥ 0, found ${formatNumber(spec.lr)}.`);
  if (spec.eps < 0) return bad(`Expected eps ≥ 0, found ${formatNumber(spec.eps)}.`);
  for (const [i, b] of [spec.beta1, spec.beta2].entries())
    if (!(b >= 0 && b < 1)) return bad(`Expected β${i === 0 ? '₁' : '₂'} in [0, 1), found ${formatNumber(b)}.`);
  if (spec.weightDecay < 0) return bad(`Expected weight_decay ≥ 0, found ${formatNumber(spec.weightDecay)}.`);
  return spec;
}

/** `SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=false)`, every setting shown. */
export function describeOptimizer(s: OptimizerSpec): string {
  const f = (x: number): string => formatNumber(x, 6);
  if (s.kind === 'sgd')
    return `SGD(lr=${f(s.lr)}, momentum=${f(s.momentum)}, dampening=${f(s.dampening)}, weight_decay=${f(s.weightDecay)}, nesterov=${s.nesterov}${s.maximize ? ', maximize=true' : ''})`;
  return `${s.kind === 'adam' ? 'Adam' : 'AdamW'}(lr=${f(s.lr)}, betas=(${f(s.beta1)}, ${f(s.beta2)}), eps=${f(s.eps)}, weight_decay=${f(s.weightDecay)}${s.amsgrad ? ', amsgrad=true' : ''}${s.maximize ? ', maximize=true' : ''})`;
}
