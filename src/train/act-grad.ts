// Derivatives of the activations of src/runtime/activations.ts, written against the same
// formulas (ncps/PyTorch), so backward is the true gradient of what `ref` computes.
// Conventions at kinks follow PyTorch: relu'(0) = 0.

import type { Activation } from '../models/types.ts';
import { erf, sigmoid } from '../runtime/activations.ts';

/** 1/√(2π): the standard normal density at 0, for gelu'. */
const INV_SQRT_2PI = 0.3989422804014327;

/** f'(x) given the pre-activation x and the output y = f(x) (y saves recomputing tanh/σ). */
export function activationDerivative(fn: Activation, x: number, y: number): number {
  switch (fn) {
    case 'none': return 1;
    case 'relu': return x > 0 ? 1 : 0;
    case 'tanh': return 1 - y * y;
    case 'sigmoid': return y * (1 - y);
    case 'silu': {
      const s = sigmoid(x);
      return s * (1 + x * (1 - s));
    }
    // d/dx 0.5·x·(1 + erf(x/√2)) = Φ(x) + x·φ(x), with the same erf the forward pass uses.
    case 'gelu': return 0.5 * (1 + erf(x * Math.SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    // 1.7159·tanh(0.666·x): recompute the tanh rather than divide y by 1.7159 (exact either way
    // mathematically, but this is the form whose rounding matches the forward pass).
    case 'lecun_tanh': {
      const t = Math.tanh(0.666 * x);
      return 1.7159 * 0.666 * (1 - t * t);
    }
  }
}

/** dx[i] = dy[i]·f'(x[i]) over [off, off+n) of all four arrays (dx may alias dy). */
export function activationBackward(
  fn: Activation, x: Float64Array, y: Float64Array, dy: Float64Array, dx: Float64Array, off: number, n: number,
): void {
  if (fn === 'none') {
    if (dx !== dy) for (let i = off; i < off + n; i++) dx[i] = dy[i] as number;
    return;
  }
  for (let i = off; i < off + n; i++) dx[i] = (dy[i] as number) * activationDerivative(fn, x[i] as number, y[i] as number);
}
