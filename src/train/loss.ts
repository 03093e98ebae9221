// The training loss: a masked, weighted mean squared error over (B, T, O),
//   L = Σ_{b,t,o} m_bt·w_o·(y − y*)² / (Σ_{b,t} m_bt · Σ_o w_o)
// m (B, T) is the per-step weight (0 drops a step: padding, burn-in, or return_sequences = false
// keeping only the last step; > 0 weights it, e.g. the NCP paper's w(y) = exp(α·|y|)), w (O)
// weights the outputs (all 1 by default). With all weights 1 this is torch's MSELoss.

export interface LossOptions {
  /** (O) per-output weights; all 1 when absent */
  readonly outputWeights?: Float64Array | null;
}

/** The denominator of L for a batch; computed over the whole batch before it is split in shards. */
export function lossNorm(masks: Float64Array, count: number, O: number, opts: LossOptions = {}): number {
  let m = 0;
  for (let n = 0; n < count; n++) m += masks[n] as number;
  let w = O;
  if (opts.outputWeights != null) {
    w = 0;
    for (let o = 0; o < O; o++) w += opts.outputWeights[o] as number;
  }
  return m * w;
}

/**
 * Σ m·w·(y − y*)² / norm over `count` steps, and dy = ∂L/∂y (count × O) written in place.
 * A zero norm (nothing to fit) gives L = 0 and dy = 0.
 */
export function mseLoss(
  y: Float64Array, targets: Float64Array, masks: Float64Array, count: number, O: number, norm: number,
  dy: Float64Array, opts: LossOptions = {},
): number {
  const ow = opts.outputWeights ?? null;
  let sum = 0;
  const scale = norm > 0 ? 1 / norm : 0;
  for (let n = 0; n < count; n++) {
    const m = masks[n] as number;
    for (let o = 0; o < O; o++) {
      const k = n * O + o;
      const w = m * (ow === null ? 1 : (ow[o] as number));
      if (w === 0) {
        dy[k] = 0;
        continue;
      }
      const e = (y[k] as number) - (targets[k] as number);
      sum += w * e * e;
      dy[k] = 2 * w * e * scale;
    }
  }
  return sum * scale;
}

/** The NCP paper's sample weights w(y) = exp(α·|y|) (sim-anchors §1.1), from one output channel. */
export function curvatureWeights(targets: Float64Array, count: number, O: number, alpha: number, channel = 0): Float64Array {
  const w = new Float64Array(count);
  for (let n = 0; n < count; n++) w[n] = Math.exp(alpha * Math.abs(targets[n * O + channel] as number));
  return w;
}
