// Per-pixel rays of a pinhole camera, computed once: ray (u, v) in the body frame, scaled so its
// component along the optical axis is 1 (then a hit's t is the depth along the axis, REP 118).
// Camera convention: optical axis = mount x (forward), image rows top → bottom, columns left → right.

import { rotationZYX } from '../core/math.ts';
import type { Pose } from '../world/types.ts';

export class PixelRays {
  readonly count: number;
  /** (height × width) ray components in the body frame */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
  /** (height × width) |ray| */
  readonly norm: Float64Array;
  /** focal length in pixels; one pixel subtends ≈ 1/f rad at the centre */
  readonly focalPx: number;
  /** (9) mount rotation camera → body, row-major */
  readonly mountR = new Float64Array(9);

  constructor(readonly width: number, readonly height: number, hfovRad: number, readonly mount: Pose) {
    this.count = width * height;
    this.focalPx = width / 2 / Math.tan(hfovRad / 2);
    this.x = new Float64Array(this.count);
    this.y = new Float64Array(this.count);
    this.z = new Float64Array(this.count);
    this.norm = new Float64Array(this.count);
    const m = this.mountR;
    rotationZYX(mount.yawRad, mount.pitchRad, mount.rollRad, m);
    for (let v = 0; v < height; v++) {
      for (let u = 0; u < width; u++) {
        const i = v * width + u;
        const cx = 1, cy = -(u + 0.5 - width / 2) / this.focalPx, cz = -(v + 0.5 - height / 2) / this.focalPx;
        this.x[i] = m[0] * cx + m[1] * cy + m[2] * cz;
        this.y[i] = m[3] * cx + m[4] * cy + m[5] * cz;
        this.z[i] = m[6] * cx + m[7] * cy + m[8] * cz;
        this.norm[i] = Math.hypot(cx, cy, cz);
      }
    }
  }
}

/** A 1-D fan of unit rays in the mount's x-y plane (LaserScan order: angle_min first, counter-clockwise). */
export function fanRays(count: number, fovRad: number, mount: Pose): { x: Float64Array; y: Float64Array; z: Float64Array; angleMin: number; increment: number } {
  const full = fovRad >= 2 * Math.PI - 1e-9;
  const increment = count <= 1 ? 0 : full ? fovRad / count : fovRad / (count - 1);
  const angleMin = count <= 1 ? 0 : -fovRad / 2;
  const m = new Float64Array(9);
  rotationZYX(mount.yawRad, mount.pitchRad, mount.rollRad, m);
  const x = new Float64Array(count), y = new Float64Array(count), z = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const a = angleMin + i * increment;
    const cx = Math.cos(a), cy = Math.sin(a);
    x[i] = m[0] * cx + m[1] * cy;
    y[i] = m[3] * cx + m[4] * cy;
    z[i] = m[6] * cx + m[7] * cy;
  }
  return { x, y, z, angleMin, increment };
}

/**
 * Marks in `mask` (height × width) the pixels whose rays may hit a sphere (centre in the camera
 * frame: x forward, y left, z up; radius r). Conservative: a bounding square of the projected
 * disc; a sphere reaching behind the image plane marks every pixel.
 */
export function markSphere(rays: PixelRays, x: number, y: number, z: number, r: number, mask: Uint8Array): void {
  if (x + r <= 0) return;
  const W = rays.width, H = rays.height, f = rays.focalPx;
  if (x - r <= 0.05) {
    mask.fill(1);
    return;
  }
  const u = W / 2 - (f * y) / x, v = H / 2 - (f * z) / x;
  // the projected disc's radius grows by 1/(x − r) at most (conservative for near spheres)
  const rho = (f * r) / (x - r) + 1;
  const c0 = Math.max(0, Math.floor(u - rho)), c1 = Math.min(W - 1, Math.floor(u + rho));
  const r0 = Math.max(0, Math.floor(v - rho)), r1 = Math.min(H - 1, Math.floor(v + rho));
  for (let row = r0; row <= r1; row++) for (let col = c0; col <= c1; col++) mask[row * W + col] = 1;
}
