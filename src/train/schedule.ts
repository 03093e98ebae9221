// Learning-rate schedules, as a pure function of the optimiser step (0-based), so a resumed or
// repeated run gets exactly the same rates.

export type LrSchedule =
  | { readonly kind: 'constant' }
  /** lr·gamma^floor(step / every) (torch StepLR) */
  | { readonly kind: 'step'; readonly every: number; readonly gamma: number }
  /** half-cosine from lr down to minLr over `total` steps, then minLr (torch CosineAnnealingLR) */
  | { readonly kind: 'cosine'; readonly total: number; readonly minLr?: number };

export interface LrOptions {
  readonly schedule?: LrSchedule;
  /** linear ramp from 0 over the first `warmup` steps (default 0: none) */
  readonly warmup?: number;
}

export function learningRate(base: number, step: number, opts: LrOptions = {}): number {
  const s = opts.schedule ?? { kind: 'constant' };
  let lr = base;
  switch (s.kind) {
    case 'constant': break;
    case 'step': lr = base * s.gamma ** Math.floor(step / Math.max(1, s.every)); break;
    case 'cosine': {
      const min = s.minLr ?? 0;
      const p = Math.min(1, step / Math.max(1, s.total));
      lr = min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * p));
      break;
    }
  }
  const warm = opts.warmup ?? 0;
  return warm > 0 && step < warm ? (lr * (step + 1)) / warm : lr;
}
