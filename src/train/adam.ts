// Adam (Kingma & Ba) over a ParamView's flat vector, with global gradient-norm clipping and
// optional weight decay, the optimiser the NCP/CfC papers train with (Adam, clip 10).
// Deterministic: plain loops in index order, no randomness, so the same gradients give
// bit-identical parameters. Frozen entries (masked CfC synapses) are never touched, and the
// LTC positivity clip runs after every step as ncps's apply_weight_constraints does.

import { applyConstraints, type ParamView } from './params.ts';

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** weight-decay coefficient (default 0) */
  readonly weightDecay?: number;
  /**
   * true (default): decoupled decay, p −= lr·wd·p (AdamW); false: L2, g += wd·p before the
   * moments (torch Adam's weight_decay).
   */
  readonly decoupled?: boolean;
}

export class Adam {
  readonly m: Float64Array;
  readonly v: Float64Array;
  /** steps taken (the bias correction uses t = step count after the increment) */
  t = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly wd: number;
  private readonly decoupled: boolean;

  constructor(readonly view: ParamView, opts: AdamOptions = {}) {
    this.m = new Float64Array(view.size);
    this.v = new Float64Array(view.size);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.wd = opts.weightDecay ?? 0;
    this.decoupled = opts.decoupled ?? true;
  }

  /** One update of view.params from `grads` (not modified). */
  step(grads: Float64Array, lr: number): void {
    const { m, v, beta1, beta2, eps, wd } = this;
    const p = this.view.params;
    const frozen = this.view.frozen;
    this.t++;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    for (let i = 0; i < p.length; i++) {
      if (frozen[i] === 1) continue;
      let g = grads[i] as number;
      if (wd !== 0 && !this.decoupled) g += wd * (p[i] as number);
      const mi = beta1 * (m[i] as number) + (1 - beta1) * g;
      const vi = beta2 * (v[i] as number) + (1 - beta2) * g * g;
      m[i] = mi;
      v[i] = vi;
      let pi = p[i] as number;
      if (wd !== 0 && this.decoupled) pi -= lr * wd * pi;
      // torch's form: p −= lr/bc1 · m / (√v/√bc2 + eps)
      p[i] = pi - (lr / bc1) * mi / (Math.sqrt(vi) / Math.sqrt(bc2) + eps);
    }
    applyConstraints(this.view);
  }
}

/** Global L2 norm of the gradient. */
export function gradNorm(grads: Float64Array): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += (grads[i] as number) * (grads[i] as number);
  return Math.sqrt(s);
}

/**
 * torch.nn.utils.clip_grad_norm_: scales the gradient by maxNorm/(norm + 1e-6) when that is
 * below 1. Returns the norm before clipping. maxNorm <= 0 or Infinity disables clipping.
 */
export function clipGradNorm(grads: Float64Array, maxNorm: number): number {
  const norm = gradNorm(grads);
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) return norm;
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (let i = 0; i < grads.length; i++) grads[i] = (grads[i] as number) * coef;
  return norm;
}
