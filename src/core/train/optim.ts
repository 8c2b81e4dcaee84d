/**
 * Optimisers with PyTorch's update rules (torch.optim, single-tensor path of torch 1.13),
 * over flat Float64Arrays. One optimiser holds one state slot per parameter, in the order the
 * parameters were given (state_dict order for a network).
 *
 * SGD:  d = g + wd·p;  buf = d (first step) or μ·buf + (1 − dampening)·d;
 *       d = d + μ·buf (nesterov) or buf;  p ← p − lr·d.
 * Adam: g = g + wd·p (L2, not AdamW);  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;
 *       p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε)   (amsgrad: v̂ = max(v̂, v) under the root).
 * AdamW: p ← p·(1 − lr·wd) first, then Adam without the L2 term.
 */

import { adamStep, axpy } from '../tensor/matmul';

export type OptimizerKind = 'sgd' | 'adam' | 'adamw';

export interface SgdOptions {
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
}

export interface AdamOptions {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
}

export type OptimizerSpec = ({ readonly kind: 'sgd' } & SgdOptions) | ({ readonly kind: 'adam' | 'adamw' } & AdamOptions);

/** PyTorch's defaults (SGD's lr has none in torch 1.13: it is required). */
export const SGD_DEFAULTS: Omit<SgdOptions, 'lr'> = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
export const ADAMW_DEFAULTS: AdamOptions = { ...ADAM_DEFAULTS, weightDecay: 1e-2 };

/** Updates parameters in place from their gradients. */
export interface Optimizer {
  readonly spec: OptimizerSpec;
  /** One step for parameter `k`: `p` is updated in place from `g` (g is not modified). */
  step(k: number, p: Float64Array, g: Float64Array): void;
  /** Marks the end of an optimiser step (Adam's step count is per parameter, as PyTorch keeps it). */
  readonly steps: number;
  endStep(): void;
  /** The state of parameter k, for inspection (momentum buffer; Adam's m and v). */
  state(k: number): { readonly [name: string]: Float64Array | number | undefined };
}

/**
 * `alloc`, when given, provides the state arrays (zeroed) where it can — a training's arena, so
 * Adam's update runs in the SIMD kernel beside the parameters (see adamStep).
 */
export function createOptimizer(spec: OptimizerSpec, alloc?: (n: number) => Float64Array | undefined): Optimizer {
  return spec.kind === 'sgd' ? new Sgd(spec) : new Adam(spec, alloc);
}

class Sgd implements Optimizer {
  private readonly bufs: (Float64Array | undefined)[] = [];
  steps = 0;
  constructor(readonly spec: { readonly kind: 'sgd' } & SgdOptions) {}

  step(k: number, p: Float64Array, g: Float64Array): void {
    const { lr, momentum: mu, dampening, weightDecay: wd, nesterov } = this.spec;
    const sign = this.spec.maximize ? -1 : 1;
    const n = p.length;
    if (mu === 0) {
      // p − lr·(±g) = p + (∓lr)·g exactly (a sign flip is exact): PyTorch's p.add_(g, alpha=−lr).
      if (wd === 0) axpy(p, g, -lr * sign);
      else for (let i = 0; i < n; i++) p[i] -= lr * (sign * g[i] + wd * p[i]);
      return;
    }
    let buf = this.bufs[k];
    const first = buf === undefined;
    if (!buf) this.bufs[k] = buf = new Float64Array(n);
    const keep = 1 - dampening;
    for (let i = 0; i < n; i++) {
      const d = wd === 0 ? sign * g[i] : sign * g[i] + wd * p[i];
      const b = first ? d : mu * buf[i] + keep * d;
      buf[i] = b;
      p[i] -= lr * (nesterov ? d + mu * b : b);
    }
  }

  endStep(): void {
    this.steps++;
  }

  state(k: number) {
    return { momentum_buffer: this.bufs[k] };
  }
}

class Adam implements Optimizer {
  private readonly m: Float64Array[] = [];
  private readonly v: Float64Array[] = [];
  private readonly vmax: Float64Array[] = [];
  private readonly t: number[] = [];
  steps = 0;
  constructor(
    readonly spec: { readonly kind: 'adam' | 'adamw' } & AdamOptions,
    private readonly alloc?: (n: number) => Float64Array | undefined,
  ) {}

  step(k: number, p: Float64Array, g: Float64Array): void {
    const { lr, beta1, beta2, eps, weightDecay: wd, amsgrad } = this.spec;
    const decoupled = this.spec.kind === 'adamw';
    const sign = this.spec.maximize ? -1 : 1;
    const n = p.length;
    if (!this.m[k]) {
      this.m[k] = this.alloc?.(n) ?? new Float64Array(n);
      this.v[k] = this.alloc?.(n) ?? new Float64Array(n);
      if (amsgrad) this.vmax[k] = new Float64Array(n);
      this.t[k] = 0;
    }
    const m = this.m[k];
    const v = this.v[k];
    const vmax = this.vmax[k];
    const t = ++this.t[k];
    if (decoupled && wd !== 0) {
      const f = 1 - lr * wd;
      for (let i = 0; i < n; i++) p[i] *= f;
    }
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const stepSize = lr / bc1;
    const bc2Sqrt = Math.sqrt(bc2);
    const c1 = 1 - beta1;
    const c2 = 1 - beta2;
    if (!amsgrad && (decoupled || wd === 0) && adamStep(p, g, m, v, { sign, beta1, c1, beta2, c2, stepSize, bc2Sqrt, eps })) return;
    for (let i = 0; i < n; i++) {
      let gi = sign * g[i];
      if (!decoupled && wd !== 0) gi += wd * p[i];
      const mi = m[i] * beta1 + gi * c1;
      const vi = v[i] * beta2 + gi * gi * c2;
      m[i] = mi;
      v[i] = vi;
      let vv = vi;
      if (amsgrad) {
        if (vi > vmax[i]) vmax[i] = vi;
        vv = vmax[i];
      }
      p[i] -= stepSize * (mi / (Math.sqrt(vv) / bc2Sqrt + eps));
    }
  }

  endStep(): void {
    this.steps++;
  }

  state(k: number) {
    return { step: this.t[k], exp_avg: this.m[k], exp_avg_sq: this.v[k], max_exp_avg_sq: this.vmax[k] };
  }
}
