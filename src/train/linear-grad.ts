// y = W x + b (ref/linear.ts) forward and backward. Backward accumulates into a gradient Linear
// of the same shape and skips rows whose output gradient is exactly 0 (relu-dead units).

import type { Linear } from '../models/types.ts';

/**
 * g.weight += dy ⊗ x, g.bias += dy, and dx += Wᵀ dy when dx is not null (accumulates: callers
 * that want "=" zero dx first). x is read at xOff, dy at dyOff, dx written at dxOff.
 */
export function linearBackward(
  l: Linear, g: Linear, x: Float64Array, xOff: number, dy: Float64Array, dyOff: number,
  dx: Float64Array | null, dxOff: number,
): void {
  const n = l.inSize;
  const W = l.weight;
  const gW = g.weight;
  const gb = g.bias;
  for (let r = 0; r < l.outSize; r++) {
    const d = dy[dyOff + r] as number;
    if (d === 0) continue;
    if (gb !== null) gb[r] = (gb[r] as number) + d;
    const row = r * n;
    for (let c = 0; c < n; c++) gW[row + c] = (gW[row + c] as number) + d * (x[xOff + c] as number);
    if (dx !== null) {
      for (let c = 0; c < n; c++) dx[dxOff + c] = (dx[dxOff + c] as number) + d * (W[row + c] as number);
    }
  }
}

/**
 * ref's linear, four rows at a time: each row still sums bias-first in column order (so the
 * result is bit-identical), but four independent sums hide the latency of the add chain, which
 * is what bounds a 512-wide dot product.
 */
export function linearFast(l: Linear, x: Float64Array, xOff: number, y: Float64Array, yOff: number): void {
  const W = l.weight;
  const b = l.bias;
  const n = l.inSize;
  let r = 0;
  for (; r + 4 <= l.outSize; r += 4) {
    let a0 = b === null ? 0 : (b[r] as number);
    let a1 = b === null ? 0 : (b[r + 1] as number);
    let a2 = b === null ? 0 : (b[r + 2] as number);
    let a3 = b === null ? 0 : (b[r + 3] as number);
    const w0 = r * n;
    const w1 = w0 + n;
    const w2 = w1 + n;
    const w3 = w2 + n;
    for (let c = 0; c < n; c++) {
      const xc = x[xOff + c] as number;
      a0 += (W[w0 + c] as number) * xc;
      a1 += (W[w1 + c] as number) * xc;
      a2 += (W[w2 + c] as number) * xc;
      a3 += (W[w3 + c] as number) * xc;
    }
    y[yOff + r] = a0;
    y[yOff + r + 1] = a1;
    y[yOff + r + 2] = a2;
    y[yOff + r + 3] = a3;
  }
  for (; r < l.outSize; r++) {
    let acc = b === null ? 0 : (b[r] as number);
    const row = r * n;
    for (let c = 0; c < n; c++) acc += (W[row + c] as number) * (x[xOff + c] as number);
    y[yOff + r] = acc;
  }
}
