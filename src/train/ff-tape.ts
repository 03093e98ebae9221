// The feed-forward stages over a batch of N = B·T independent samples (row n of each buffer is
// one sample). A feed-forward stage does not look across time, so training runs it once over the
// whole batch instead of interleaving it with the recurrent cell, which keeps its loops long.
// Forward values are bit-identical to ref/feedforward.ts (same arithmetic, same order).

import { stageOutSize, type Activation, type Stage } from '../models/types.ts';
import { activate } from '../runtime/activations.ts';
import { activationBackward } from './act-grad.ts';
import { conv2dBackward, conv2dForward } from './conv-grad.ts';
import { linearBackward, linearFast } from './linear-grad.ts';

/** Width of the vector entering a stage. */
export function stageInSize(s: Stage): number {
  switch (s.type) {
    case 'normalise': case 'activation': case 'flatten': case 'clamp': return s.size;
    case 'conv2d': return s.inShape[0] * s.inShape[1] * s.inShape[2];
    case 'dense': case 'readout': return s.inSize;
    case 'cfc': case 'ltc': case 'lstm': return s.inSize;
  }
}

/** Whether the stage keeps its pre-activation on the tape (a dense layer with an activation). */
export function needsPre(s: Stage): boolean {
  return s.type === 'dense' && s.activation !== 'none';
}

/** y (N × out) from x (N × in); pre (N × out) receives a dense layer's pre-activation. */
export function ffForward(s: Stage, x: Float64Array, y: Float64Array, pre: Float64Array | null, N: number): void {
  const I = stageInSize(s);
  const O = stageOutSize(s);
  switch (s.type) {
    case 'normalise':
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < I; i++) y[n * I + i] = ((x[n * I + i] as number) - (s.mean[i] as number)) / (s.std[i] as number);
      }
      return;
    case 'conv2d':
      for (let n = 0; n < N; n++) conv2dForward(s, x, n * I, y, n * O);
      return;
    case 'activation':
      activateArray(s.fn, x, y, N * I);
      return;
    case 'flatten':
      y.set(x.subarray(0, N * I));
      return;
    case 'dense': {
      const z = pre ?? y;
      for (let n = 0; n < N; n++) linearFast(s, x, n * I, z, n * O);
      if (pre !== null) activateArray(s.activation, pre, y, N * O);
      return;
    }
    case 'readout':
      for (let n = 0; n < N; n++) linearFast(s, x, n * I, y, n * O);
      return;
    case 'clamp':
      for (let n = 0; n < N; n++) {
        for (let i = 0; i < I; i++) {
          const v = x[n * I + i] as number;
          const lo = s.min[i] as number;
          const hi = s.max[i] as number;
          const u = Number.isNaN(v) ? 0 : v;
          y[n * I + i] = u > hi ? hi : u >= lo ? u : lo;
        }
      }
      return;
    default:
      throw new Error(`ffForward: ${s.type} is a recurrent cell`);
  }
}

/** y = f(x) over n values; relu gets its own loop (the per-element switch costs more than it). */
function activateArray(fn: Activation, x: Float64Array, y: Float64Array, n: number): void {
  if (fn === 'relu') for (let k = 0; k < n; k++) y[k] = (x[k] as number) > 0 ? (x[k] as number) : 0;
  else for (let k = 0; k < n; k++) y[k] = activate(fn, x[k] as number);
}

/**
 * Accumulates the stage's parameter gradients into g (same structure as s) and writes
 * dx = ∂L/∂x (N × in) when dx is not null. `dy` may be overwritten (dense uses it as scratch).
 */
export function ffBackward(
  s: Stage, g: Stage, x: Float64Array, y: Float64Array, pre: Float64Array | null, dy: Float64Array,
  dx: Float64Array | null, N: number,
): void {
  const I = stageInSize(s);
  const O = stageOutSize(s);
  if (dx !== null) dx.fill(0, 0, N * I);
  switch (s.type) {
    case 'normalise':
      if (dx !== null) for (let n = 0; n < N; n++) for (let i = 0; i < I; i++) dx[n * I + i] = (dy[n * I + i] as number) / (s.std[i] as number);
      return;
    case 'conv2d':
      for (let n = 0; n < N; n++) conv2dBackward(s, g as typeof s, x, n * I, dy, n * O, dx, n * I);
      return;
    case 'activation':
      if (dx === null) return;
      // relu is the conv heads' activation: its own loop, no per-element dispatch.
      if (s.fn === 'relu') for (let k = 0; k < N * I; k++) dx[k] = (x[k] as number) > 0 ? (dy[k] as number) : 0;
      else activationBackward(s.fn, x, y, dy, dx, 0, N * I);
      return;
    case 'flatten':
      if (dx !== null) dx.set(dy.subarray(0, N * I));
      return;
    case 'dense':
      // dz = dy·f'(pre), in place in dy; then the affine part.
      if (pre !== null) activationBackward(s.activation, pre, y, dy, dy, 0, N * O);
      for (let n = 0; n < N; n++) linearBackward(s, g as typeof s, x, n * I, dy, n * O, dx, n * I);
      return;
    case 'readout':
      for (let n = 0; n < N; n++) linearBackward(s, g as typeof s, x, n * I, dy, n * O, dx, n * I);
      return;
    case 'clamp':
      // Gradient passes where the input lies within [min, max] (inclusive, as torch.clamp), else 0.
      if (dx !== null) {
        for (let n = 0; n < N; n++) {
          for (let i = 0; i < I; i++) {
            const v = x[n * I + i] as number;
            const inside = v >= (s.min[i] as number) && v <= (s.max[i] as number);
            dx[n * I + i] = inside ? (dy[n * I + i] as number) : 0;
          }
        }
      }
      return;
    default:
      throw new Error(`ffBackward: ${s.type} is a recurrent cell`);
  }
}
