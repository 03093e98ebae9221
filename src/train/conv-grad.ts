// conv2d forward and backward for one CHW sample at an offset into a batch buffer.
// Loops run weight-stationary: for each weight (k, c, dy, dx) a long inner loop over the output
// columns, instead of ref's output-stationary five-deep nest with 3- or 5-long inner loops.
// Each output still receives its terms in ref's order (bias, then channel, kernel row, kernel
// column, padding skipped), so forward outputs are bit-identical to conv2dRef.

import type { Conv2dStage } from '../models/types.ts';

/** Output columns [ox0, ox1) whose input column ox·sw − pw + dx lies inside [0, W). */
function colRange(dx: number, sw: number, pw: number, W: number, Wo: number): [number, number] {
  const ox0 = Math.max(0, Math.ceil((pw - dx) / sw));
  const ox1 = Math.min(Wo, Math.floor((W - 1 + pw - dx) / sw) + 1);
  return [ox0, Math.max(ox0, ox1)];
}

export function conv2dForward(s: Conv2dStage, x: Float64Array, xOff: number, y: Float64Array, yOff: number): void {
  const [C, H, W] = s.inShape;
  const [K, Ho, Wo] = s.outShape;
  const [kh, kw] = s.kernel;
  const [sh, sw] = s.stride;
  const [ph, pw] = s.padding;
  const wt = s.weight;
  for (let k = 0; k < K; k++) {
    const yk = yOff + k * Ho * Wo;
    y.fill(s.bias === null ? 0 : (s.bias[k] as number), yk, yk + Ho * Wo);
    for (let c = 0; c < C; c++) {
      for (let dy = 0; dy < kh; dy++) {
        for (let dx = 0; dx < kw; dx++) {
          const w = wt[((k * C + c) * kh + dy) * kw + dx] as number;
          const [ox0, ox1] = colRange(dx, sw, pw, W, Wo);
          for (let oy = 0; oy < Ho; oy++) {
            const iy = oy * sh - ph + dy;
            if (iy < 0 || iy >= H) continue;
            const yRow = yk + oy * Wo;
            const xRow = xOff + (c * H + iy) * W - pw + dx;
            for (let ox = ox0; ox < ox1; ox++) y[yRow + ox] = (y[yRow + ox] as number) + w * (x[xRow + ox * sw] as number);
          }
        }
      }
    }
  }
}

/**
 * Accumulates g.weight += Σ dy·x and g.bias += Σ dy; dx += the transposed convolution of dy
 * when dx is not null (the first conv of a camera head needs no input gradient).
 */
export function conv2dBackward(
  s: Conv2dStage, g: Conv2dStage, x: Float64Array, xOff: number, dyBuf: Float64Array, dyOff: number,
  dxBuf: Float64Array | null, dxOff: number,
): void {
  const [C, H, W] = s.inShape;
  const [K, Ho, Wo] = s.outShape;
  const [kh, kw] = s.kernel;
  const [sh, sw] = s.stride;
  const [ph, pw] = s.padding;
  const wt = s.weight;
  const gW = g.weight;
  for (let k = 0; k < K; k++) {
    const dk = dyOff + k * Ho * Wo;
    if (g.bias !== null) {
      let sum = 0;
      for (let i = 0; i < Ho * Wo; i++) sum += dyBuf[dk + i] as number;
      g.bias[k] = (g.bias[k] as number) + sum;
    }
    for (let c = 0; c < C; c++) {
      for (let dy = 0; dy < kh; dy++) {
        for (let dx = 0; dx < kw; dx++) {
          const wi = ((k * C + c) * kh + dy) * kw + dx;
          const w = wt[wi] as number;
          const [ox0, ox1] = colRange(dx, sw, pw, W, Wo);
          let acc = 0;
          for (let oy = 0; oy < Ho; oy++) {
            const iy = oy * sh - ph + dy;
            if (iy < 0 || iy >= H) continue;
            const dRow = dk + oy * Wo;
            const xRow = xOff + (c * H + iy) * W - pw + dx;
            for (let ox = ox0; ox < ox1; ox++) acc += (dyBuf[dRow + ox] as number) * (x[xRow + ox * sw] as number);
            if (dxBuf !== null) {
              const gRow = dxOff + (c * H + iy) * W - pw + dx;
              for (let ox = ox0; ox < ox1; ox++) dxBuf[gRow + ox * sw] = (dxBuf[gRow + ox * sw] as number) + w * (dyBuf[dRow + ox] as number);
            }
          }
          gW[wi] = (gW[wi] as number) + acc;
        }
      }
    }
  }
}
