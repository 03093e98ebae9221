// ncps mixed memory (spec §3.2): an LSTM that runs before the cell each step and hands the cell
// its output as the hidden state.
//   z = W_in x + b_in + W_rec h;  [i | ig | fg | og] = chunks of z
//   c' = c·σ(fg + 1) + tanh(i)·σ(ig);  h' = tanh(c')·σ(og)
// The +1 on the forget gate is part of ncps's formula, not of the stored bias.

import type { MixedMemory } from '../../models/types.ts';
import { sigmoid } from '../activations.ts';
import { linear, linearAccumulate } from './linear.ts';
import type { FloatArray } from '../policy.ts';

export interface MixedScratch {
  /** (4H) gate pre-activations */
  readonly z: Float64Array;
}

export function makeMixedScratch(units: number): MixedScratch {
  return { z: new Float64Array(4 * units) };
}

/** Updates h and c in place (both (H)); x is read from x[xOff ..]. */
export function stepMixedMemory(
  m: MixedMemory, sc: MixedScratch, x: FloatArray, xOff: number, h: Float64Array, c: Float64Array,
): void {
  const H = h.length;
  const z = sc.z;
  linear(m.inputMap, x, xOff, z, 0);
  linearAccumulate(m.recurrentMap, h, 0, z, 0);
  for (let k = 0; k < H; k++) {
    const i = z[k] as number;
    const ig = z[H + k] as number;
    const fg = z[2 * H + k] as number;
    const og = z[3 * H + k] as number;
    const cNew = (c[k] as number) * sigmoid(fg + 1.0) + Math.tanh(i) * sigmoid(ig);
    c[k] = cNew;
    h[k] = Math.tanh(cNew) * sigmoid(og);
  }
}
