// ncps mixed memory (ref/mixed-memory.ts) with its backward pass. Forward per step:
//   z = W_in x + b_in + W_rec h;  [i | ig | fg | og] = chunks of z
//   c' = c·σ(fg + 1) + tanh(i)·σ(ig);  h' = tanh(c')·σ(og)
// The tape keeps z and c' (and the callers keep h, c); backward recomputes the gates from z.

import type { Linear, MixedMemory } from '../models/types.ts';
import { sigmoid } from '../runtime/activations.ts';
import { linear, linearAccumulate } from '../runtime/ref/linear.ts';
import { linearBackward } from './linear-grad.ts';

/** One step, bit-identical to stepMixedMemory: writes z (4H), h' and c' (H each). */
export function mixedForward(
  m: MixedMemory, H: number, x: Float64Array, xOff: number, h: Float64Array, hOff: number, c: Float64Array, cOff: number,
  z: Float64Array, zOff: number, hOut: Float64Array, hoOff: number, cOut: Float64Array, coOff: number,
): void {
  linear(m.inputMap, x, xOff, z, zOff);
  linearAccumulate(m.recurrentMap, h, hOff, z, zOff);
  for (let k = 0; k < H; k++) {
    const i = z[zOff + k] as number;
    const ig = z[zOff + H + k] as number;
    const fg = z[zOff + 2 * H + k] as number;
    const og = z[zOff + 3 * H + k] as number;
    const cNew = (c[cOff + k] as number) * sigmoid(fg + 1.0) + Math.tanh(i) * sigmoid(ig);
    cOut[coOff + k] = cNew;
    hOut[hoOff + k] = Math.tanh(cNew) * sigmoid(og);
  }
}

export interface MixedGradArgs {
  readonly m: MixedMemory;
  readonly g: MixedMemory;
  readonly H: number;
  /** scratch (4H) */
  readonly dz: Float64Array;
}

/**
 * Given dh' (at dh[dhOff]) and dc' (dcCarry, H), accumulates parameter gradients, adds ∂L/∂x
 * into dx (when not null), and overwrites dhPrev (H) with ∂L/∂h and dcCarry with ∂L/∂c.
 */
export function mixedBackward(
  a: MixedGradArgs, x: Float64Array, xOff: number, h: Float64Array, hOff: number, c: Float64Array, cOff: number,
  z: Float64Array, zOff: number, cNew: Float64Array, cnOff: number,
  dh: Float64Array, dhOff: number, dcCarry: Float64Array, dx: Float64Array | null, dxOff: number, dhPrev: Float64Array,
): void {
  const { H, dz } = a;
  for (let k = 0; k < H; k++) {
    const i = Math.tanh(z[zOff + k] as number);
    const ig = sigmoid(z[zOff + H + k] as number);
    const fg = sigmoid((z[zOff + 2 * H + k] as number) + 1.0);
    const og = sigmoid(z[zOff + 3 * H + k] as number);
    const th = Math.tanh(cNew[cnOff + k] as number);
    const dhk = dh[dhOff + k] as number;
    const dc = (dcCarry[k] as number) + dhk * og * (1 - th * th);
    dz[k] = dc * ig * (1 - i * i);
    dz[H + k] = dc * i * ig * (1 - ig);
    dz[2 * H + k] = dc * (c[cOff + k] as number) * fg * (1 - fg);
    dz[3 * H + k] = dhk * th * og * (1 - og);
    dcCarry[k] = dc * fg;
  }
  linearBackward(a.m.inputMap, a.g.inputMap, x, xOff, dz, 0, dx, dxOff);
  dhPrev.fill(0);
  linearBackward(a.m.recurrentMap, a.g.recurrentMap as Linear, h, hOff, dz, 0, dhPrev, 0);
}
