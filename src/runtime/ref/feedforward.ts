// The feed-forward stages in float64: normalise, conv2d, activation, flatten, dense, readout, clamp.

import type {
  ClampStage, Conv2dStage, DenseStage, NormaliseStage, ReadoutStage,
} from '../../models/types.ts';
import { activateInPlace } from '../activations.ts';
import { linear } from './linear.ts';
import type { FloatArray } from '../policy.ts';

export function normaliseRef(s: NormaliseStage, x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < s.size; i++) y[i] = ((x[i] as number) - (s.mean[i] as number)) / (s.std[i] as number);
}

/** Direct convolution over CHW with zero padding; weight (K, C, kh, kw). */
export function conv2dRef(s: Conv2dStage, x: FloatArray, y: FloatArray): void {
  const [C, H, W] = s.inShape;
  const [K, Ho, Wo] = s.outShape;
  const [kh, kw] = s.kernel;
  const [sh, sw] = s.stride;
  const [ph, pw] = s.padding;
  for (let k = 0; k < K; k++) {
    const b = s.bias === null ? 0 : (s.bias[k] as number);
    for (let oy = 0; oy < Ho; oy++) {
      for (let ox = 0; ox < Wo; ox++) {
        let acc = b;
        for (let c = 0; c < C; c++) {
          for (let dy = 0; dy < kh; dy++) {
            const iy = oy * sh - ph + dy;
            if (iy < 0 || iy >= H) continue;
            for (let dx = 0; dx < kw; dx++) {
              const ix = ox * sw - pw + dx;
              if (ix < 0 || ix >= W) continue;
              acc += (s.weight[((k * C + c) * kh + dy) * kw + dx] as number) * (x[(c * H + iy) * W + ix] as number);
            }
          }
        }
        y[(k * Ho + oy) * Wo + ox] = acc;
      }
    }
  }
}

export function denseRef(s: DenseStage, x: FloatArray, y: FloatArray): void {
  linear(s, x, 0, y, 0);
  activateInPlace(s.activation, y, 0, s.outSize);
}

export function readoutRef(s: ReadoutStage, x: FloatArray, y: FloatArray): void {
  linear(s, x, 0, y, 0);
}

export function clampRef(s: ClampStage, x: FloatArray, y: FloatArray): void {
  for (let i = 0; i < s.size; i++) {
    const v = x[i] as number;
    const lo = s.min[i] as number;
    const hi = s.max[i] as number;
    // NaN compares false both ways and would pass through; a clamp must bound it, so NaN goes to
    // the neutral command (0 when the range holds 0, else the nearer bound). Safety acts on top.
    const u = Number.isNaN(v) ? 0 : v;
    y[i] = u > hi ? hi : u >= lo ? u : lo;
  }
}
