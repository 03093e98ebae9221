// Scalar activations in float64, as ncps/PyTorch define them (spec §2.1). The ref backend is the
// definition, so erf is computed to ~1e-15 rather than with a 1e-7 approximation.

import type { Activation } from '../models/types.ts';

/** ncps LeCun: 1.7159 · tanh(0.666 · x). The constant is 0.666 in ncps, not 2/3. */
export function lecunTanh(x: number): number {
  return 1.7159 * Math.tanh(0.666 * x);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** torch Softplus(beta=1, threshold=20): x above the threshold passes through unchanged. */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

export function silu(x: number): number {
  return x * sigmoid(x);
}

/** torch GELU (exact): 0.5 · x · (1 + erf(x / √2)). */
export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

/**
 * erf(x). |x| < 3: erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!, a series of positive terms
 * (no cancellation, so a few ulps; ~90 terms at x = 3). |x| >= 3: 1 − erfc(x) from the continued
 * fraction erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), converged in 60 terms.
 * |x| > 6: erfc < 3e-17, so erf = ±1 in float64.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax > 6) return x > 0 ? 1 : -1;
  if (ax < 3) {
    const x2 = x * x;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
    return x < 0 ? -r : r;
  }
  let f = ax;
  for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  return x > 0 ? 1 - erfc : erfc - 1;
}

export function activate(fn: Activation, x: number): number {
  switch (fn) {
    case 'none': return x;
    case 'relu': return x > 0 ? x : 0;
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return sigmoid(x);
    case 'silu': return silu(x);
    case 'gelu': return gelu(x);
    case 'lecun_tanh': return lecunTanh(x);
  }
}

/** In place over a[off .. off+n). */
export function activateInPlace(fn: Activation, a: Float64Array | Float32Array, off: number, n: number): void {
  if (fn === 'none') return;
  for (let i = off; i < off + n; i++) a[i] = activate(fn, a[i] as number);
}
