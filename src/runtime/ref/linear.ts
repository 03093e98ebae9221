// y[yOff..] = W x[xOff..] + b, plain loops in row order: the reading definition of a Linear.

import type { Linear } from '../../models/types.ts';
import type { FloatArray } from '../policy.ts';

export function linear(l: Linear, x: FloatArray, xOff: number, y: FloatArray, yOff: number): void {
  const W = l.weight;
  const b = l.bias;
  const n = l.inSize;
  for (let r = 0; r < l.outSize; r++) {
    let acc = b === null ? 0 : (b[r] as number);
    const row = r * n;
    for (let c = 0; c < n; c++) acc += (W[row + c] as number) * (x[xOff + c] as number);
    y[yOff + r] = acc;
  }
}

/** y += W x (no bias), for the recurrent half of an LSTM gate. */
export function linearAccumulate(l: Linear, x: FloatArray, xOff: number, y: FloatArray, yOff: number): void {
  const W = l.weight;
  const n = l.inSize;
  for (let r = 0; r < l.outSize; r++) {
    let acc = 0;
    const row = r * n;
    for (let c = 0; c < n; c++) acc += (W[row + c] as number) * (x[xOff + c] as number);
    y[yOff + r] = (y[yOff + r] as number) + acc;
  }
}
