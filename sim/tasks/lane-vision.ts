// A classical camera baseline: threshold the lane markings in the lower image rows, map their
// columns to the ground with the calibrated camera (flat-road model, the same intrinsics and
// mount the renderer uses), fit the lane centre line, and steer with Stanley on the estimate.
// It sees only pixels, so camera perturbations (brightness, noise, dropout, latency) reach it the
// way they would reach a trained camera policy — with a fixed threshold, as naive detectors have.

import { clamp } from '../core/math.ts';
import type { Simulation } from '../engine/engine.ts';
import type { CameraSensor } from '../sensors/camera.ts';
import type { Car } from '../vehicles/car.ts';
import type { LaneDriver } from './lane-driver.ts';

/** a marking pixel is brighter than this and than its row's mean + CONTRAST */
const THRESHOLD = 0.6;
const CONTRAST = 0.15;
/** ground points further than this are too coarse (a pixel spans > 0.7 m) to locate a line */
const MAX_RANGE_M = 20;
const K_CTE = 1.5;
const K_SOFT_MPS = 1;

export class VisionDriver implements LaneDriver {
  readonly name = 'vision';
  /** (pixels) body-frame ground point of each pixel, NaN above the horizon or beyond range */
  private readonly fwd: Float64Array;
  private readonly lat: Float64Array;
  private readonly rowsUsed: number[] = [];
  private lastSteer = 0;
  private eM = 0;
  private psiRad = 0;
  private laneWidthM: number;
  private readonly laneWidth0M: number;

  constructor(private readonly camera: CameraSensor, laneWidthGuessM = 3.5) {
    const r = camera.rays, m = camera.spec.mount;
    this.fwd = new Float64Array(r.count).fill(Number.NaN);
    this.lat = new Float64Array(r.count).fill(Number.NaN);
    for (let i = 0; i < r.count; i++) {
      if (r.z[i] >= 0) continue;
      const t = m.zM / -r.z[i];
      const f = m.xM + t * r.x[i];
      if (f > MAX_RANGE_M) continue;
      this.fwd[i] = f;
      this.lat[i] = m.yM + t * r.y[i];
    }
    for (let row = 0; row < r.height; row++) if (!Number.isNaN(this.fwd[row * r.width + (r.width >> 1)])) this.rowsUsed.push(row);
    this.laneWidthM = laneWidthGuessM;
    this.laneWidth0M = laneWidthGuessM;
  }

  reset(): void {
    this.lastSteer = 0;
    this.eM = 0;
    this.psiRad = 0;
    this.laneWidthM = this.laneWidth0M;
  }

  act(_sim: Simulation, car: Car, _dtS: number): number {
    const img = this.camera.latest, W = this.camera.rays.width;
    // least squares of lane-centre lateral offset c against forward distance f: c = a + b·f
    let n = 0, sf = 0, sc = 0, sff = 0, sfc = 0;
    for (const row of this.rowsUsed) {
      const o = row * W;
      let mean = 0;
      for (let u = 0; u < W; u++) mean += img[o + u];
      mean /= W;
      const bright = (u: number): boolean => img[o + u] > THRESHOLD && img[o + u] > mean + CONTRAST;
      // nearest bright pixel to the image centre on each side
      let left = -1, right = -1;
      for (let u = (W >> 1) - 1; u >= 0; u--) if (bright(u)) { left = u; break; }
      for (let u = W >> 1; u < W; u++) if (bright(u)) { right = u; break; }
      const f = this.fwd[o + (W >> 1)];
      let c: number;
      if (left >= 0 && right >= 0) {
        const wl = this.lat[o + left], wr = this.lat[o + right];
        c = (wl + wr) / 2;
        // track the visible lane width slowly (one row's estimate moves it 5 %)
        if (wl - wr > 2 && wl - wr < 6) this.laneWidthM += 0.05 * (wl - wr - this.laneWidthM);
      } else if (left >= 0) c = this.lat[o + left] - this.laneWidthM / 2;
      else if (right >= 0) c = this.lat[o + right] + this.laneWidthM / 2;
      else continue;
      n++; sf += f; sc += c; sff += f * f; sfc += f * c;
    }
    if (n < 2) return this.lastSteer;
    const den = n * sff - sf * sf;
    const b = Math.abs(den) > 1e-9 ? (n * sfc - sf * sc) / den : 0;
    const a = (sc - b * sf) / n;
    // at the front axle the car sits −(a + b·lf) from the centre; the lane runs at atan(b) to it
    // one-pole smoothing (α = 0.5 per frame, ≈ 50 ms at 30 Hz) of the per-frame line fit
    this.eM += 0.5 * (-(a + b * car.params.lfM) - this.eM);
    this.psiRad += 0.5 * (-Math.atan(b) - this.psiRad);
    const e = this.eM, psi = this.psiRad;
    const v = Math.max(0, car.vxMps);
    this.lastSteer = clamp(-psi - Math.atan((K_CTE * e) / (K_SOFT_MPS + v)), -car.params.steerMaxRad, car.params.steerMaxRad);
    return this.lastSteer;
  }
}
