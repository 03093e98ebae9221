// Software grayscale camera (64×16 by default). Two paths:
// - flat: the body neither rolls nor pitches (the lane car). The ground point of every pixel,
//   relative to the body, is then fixed; a frame is one rotation by yaw per pixel and one
//   GroundField pass (≈ 40–60 µs for 1024 pixels); static bodies cost rays only where their
//   bounding spheres project.
// - general: every pixel's ray is turned by the full attitude and cast against the scene
//   (obstacles, ground, sky) — the drone's path.
// No allocation per frame: all scratch arrays are made once.
// Output: intensity in [0, 1] (brightness saturates like a real sensor), then Gaussian noise
// (not clipped, as the NCP paper's noise on [0, 1] images). Published as sensor_msgs/Image 32FC1.

import { addTableNoise } from '../core/rng.ts';
import { rotationZYX } from '../core/math.ts';
import { makeHeader, MSG_TYPES, setStamp, type Image } from '../engine/msgs.ts';
import type { Bus } from '../engine/topics.ts';
import type { BodyState, Vehicle } from '../engine/vehicle.ts';
import { GROUND_ID, makeRayHit } from '../physics/raycast.ts';
import type { CameraSpec } from '../world/types.ts';
import { markSphere, PixelRays } from './pixel-rays.ts';
import { Sensor, type Buffer, type SensorWorld } from './sensor.ts';

/** haze: ground fades to the sky's grey with distance (e-folding 150 m), as aerial perspective does */
const HAZE_M = 150;
const FAR_M = 400;
/** sun direction (azimuth 135°, elevation 50°) for shading obstacles */
const SUN = [Math.cos(0.873) * Math.cos(2.356), Math.cos(0.873) * Math.sin(2.356), Math.sin(0.873)];

export class CameraSensor extends Sensor {
  declare readonly spec: CameraSpec;
  readonly rays: PixelRays;
  // flat-path cache: per-pixel ground point in the body frame, footprint, haze weight; valid for zM
  private flatZ = Number.NaN;
  private flatGround: unknown = null;
  private readonly gf: Float64Array;
  private readonly gl: Float64Array;
  // flat-path per-pixel constants (footprint m, its inverse, texture amplitude, haze weight)
  readonly fp: Float64Array;
  readonly invFp: Float64Array;
  readonly tex: Float64Array;
  readonly haze: Float64Array;
  private readonly rot = new Float64Array(9);
  private readonly hit = makeRayHit();
  /** (height × width) per frame: 1 where a static body may be seen */
  private readonly mask: Uint8Array;
  // per-frame scratch: ground point (NaN: not ground), shade, ground flag; the general path's constants
  private readonly wx: Float64Array;
  private readonly wy: Float64Array;
  private readonly val: Float64Array;
  private readonly isGround: Uint8Array;
  private readonly general: { fp: Float64Array; invFp: Float64Array; tex: Float64Array; haze: Float64Array };
  private readonly msg: Image;

  constructor(spec: CameraSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number) {
    super(spec, vehicle, physicsHz, seed, maxExtraLatencyMs, MSG_TYPES.image);
    this.rays = new PixelRays(spec.width, spec.height, spec.hfovRad, spec.mount);
    const n = this.rays.count;
    this.gf = new Float64Array(n);
    this.gl = new Float64Array(n);
    this.fp = new Float64Array(n);
    this.invFp = new Float64Array(n);
    this.tex = new Float64Array(n);
    this.haze = new Float64Array(n);
    this.mask = new Uint8Array(n);
    this.wx = new Float64Array(n);
    this.wy = new Float64Array(n);
    this.val = new Float64Array(n);
    this.isGround = new Uint8Array(n);
    this.general = { fp: new Float64Array(n), invFp: new Float64Array(n), tex: new Float64Array(n), haze: new Float64Array(n) };
    const f32 = this.latest as Float32Array;
    this.msg = {
      header: makeHeader(`${vehicle.name}/${spec.name}`), height: spec.height, width: spec.width,
      encoding: '32FC1', is_bigendian: 0, step: spec.width * 4, data: new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength),
    };
  }

  protected valueCount(): number {
    return this.spec.width * this.spec.height;
  }

  protected override makeBuffer(n: number): Buffer {
    return new Float32Array(n);
  }

  /** Ground points for a body at height zM with no roll or pitch (NaN marks sky pixels). */
  private prepareFlat(zM: number, w: SensorWorld): void {
    const r = this.rays, m = this.spec.mount, inv = 1 / r.focalPx;
    const camZ = zM + m.zM;
    for (let i = 0; i < r.count; i++) {
      if (r.z[i] >= 0 || camZ <= 0) { this.gf[i] = Number.NaN; continue; }
      const t = camZ / -r.z[i];
      const dist = t * r.norm[i];
      if (dist > FAR_M) { this.gf[i] = Number.NaN; continue; }
      this.gf[i] = m.xM + t * r.x[i];
      this.gl[i] = m.yM + t * r.y[i];
      this.fp[i] = dist * inv;
      this.invFp[i] = 1 / this.fp[i];
      this.tex[i] = w.ground.textureAmp(this.fp[i]);
      this.haze[i] = 1 - Math.exp(-dist / HAZE_M);
    }
    this.flatZ = zM;
    this.flatGround = w.ground;
  }

  protected measure(w: SensorWorld, b: BodyState, out: Buffer): void {
    const bright = w.world.appearance.brightness * w.perturb.brightness;
    const ground = b.rollRad !== 0 || b.pitchRad !== 0 ? this.castGeneral(w, b) : this.castFlat(w, b);
    w.ground.shadeInto(this.rays.count, this.wx, this.wy, ground.fp, ground.invFp, ground.tex, this.val);
    // ground pixels fade into the sky's grey with distance; everything scales with brightness
    const skyHaze = w.world.appearance.sky * 0.9;
    for (let i = 0; i < this.rays.count; i++) {
      let v = this.val[i];
      if (this.isGround[i] === 1) v = (1 - ground.haze[i]) * v + ground.haze[i] * skyHaze;
      v *= bright;
      out[i] = v > 1 ? 1 : v;
    }
  }

  /**
   * Flat body (the car): ground points are fixed relative to the body, one yaw rotation per pixel.
   * Static bodies: their bounding spheres are projected into the image and only the pixels they
   * may cover cast a ray (bodies only, up to the ground hit) — two road signs cost a few dozen rays.
   */
  private castFlat(w: SensorWorld, b: BodyState): { fp: Float64Array; invFp: Float64Array; tex: Float64Array; haze: Float64Array } {
    if (b.zM !== this.flatZ || w.ground !== this.flatGround) this.prepareFlat(b.zM, w);
    const r = this.rays, m = this.spec.mount, hit = this.hit, sky = w.world.appearance.sky, sc = w.scene;
    const c = Math.cos(b.yawRad), s = Math.sin(b.yawRad), x = b.xM, y = b.yM;
    const ox = x + c * m.xM - s * m.yM, oy = y + s * m.xM + c * m.yM, oz = b.zM + m.zM;
    const bodies = sc.count > 0;
    if (bodies) this.markBodies(w, ox, oy, oz, c, s);
    for (let i = 0; i < r.count; i++) {
      const f = this.gf[i];
      this.wx[i] = Number.NaN;
      this.isGround[i] = 0;
      if (bodies && this.mask[i] === 1) {
        const dx = c * r.x[i] - s * r.y[i], dy = s * r.x[i] + c * r.y[i], dz = r.z[i];
        // the ground hit bounds the search: t_ground = camera height / −dz (FAR for sky pixels)
        const maxT = f !== f ? FAR_M / r.norm[i] : oz / -dz;
        if (sc.castRay(ox, oy, oz, dx, dy, dz, maxT, hit, false)) {
          this.bodyShade(w, hit.t * r.norm[i], i);
          continue;
        }
      }
      if (f !== f) { this.val[i] = sky * (0.9 + 0.1 * r.z[i] / r.norm[i]); continue; }
      const l = this.gl[i];
      this.wx[i] = x + c * f - s * l;
      this.wy[i] = y + s * f + c * l;
      this.isGround[i] = 1;
    }
    return this;
  }

  /** Any attitude (the drone): every ray is turned by the body rotation and cast against everything. */
  private castGeneral(w: SensorWorld, b: BodyState): { fp: Float64Array; invFp: Float64Array; tex: Float64Array; haze: Float64Array } {
    const R = this.rot, r = this.rays, m = this.spec.mount, hit = this.hit, sky = w.world.appearance.sky;
    rotationZYX(b.yawRad, b.pitchRad, b.rollRad, R);
    const ox = b.xM + R[0] * m.xM + R[1] * m.yM + R[2] * m.zM;
    const oy = b.yM + R[3] * m.xM + R[4] * m.yM + R[5] * m.zM;
    const oz = b.zM + R[6] * m.xM + R[7] * m.yM + R[8] * m.zM;
    const inv = 1 / r.focalPx, g = this.general;
    this.flatZ = Number.NaN;
    for (let i = 0; i < r.count; i++) {
      const dx = R[0] * r.x[i] + R[1] * r.y[i] + R[2] * r.z[i];
      const dy = R[3] * r.x[i] + R[4] * r.y[i] + R[5] * r.z[i];
      const dz = R[6] * r.x[i] + R[7] * r.y[i] + R[8] * r.z[i];
      const n = r.norm[i];
      this.wx[i] = Number.NaN;
      this.isGround[i] = 0;
      if (!w.scene.castRay(ox, oy, oz, dx, dy, dz, FAR_M / n, hit, true)) { this.val[i] = sky * (0.9 + 0.1 * dz / n); continue; }
      const dist = hit.t * n;
      if (hit.id !== GROUND_ID) { this.bodyShade(w, dist, i); continue; }
      this.wx[i] = ox + hit.t * dx;
      this.wy[i] = oy + hit.t * dy;
      this.isGround[i] = 1;
      g.fp[i] = dist * inv;
      g.invFp[i] = 1 / g.fp[i];
      g.tex[i] = w.ground.textureAmp(g.fp[i]);
      g.haze[i] = 1 - Math.exp(-dist / HAZE_M);
    }
    return g;
  }

  /** Pixel i shows a static body at distance dist: its grey lit by the sun on the hit normal, hazed. */
  private bodyShade(w: SensorWorld, dist: number, i: number): void {
    const hit = this.hit;
    const lambert = hit.nx * SUN[0] + hit.ny * SUN[1] + hit.nz * SUN[2];
    const h = 1 - Math.exp(-dist / HAZE_M);
    this.val[i] = (1 - h) * w.scene.shade[hit.id] * (0.55 + 0.45 * (lambert > 0 ? lambert : 0)) + h * w.world.appearance.sky * 0.9;
  }

  /** Per-frame visibility mask from the bodies' bounding spheres (yaw-only camera pose). */
  private markBodies(w: SensorWorld, ox: number, oy: number, oz: number, c: number, s: number): void {
    const sc = w.scene, M = this.rays.mountR, mask = this.mask;
    mask.fill(0);
    for (let i = 0; i < sc.count; i++) {
      const R = sc.boundR[i];
      if (R === Infinity) { mask.fill(1); return; }
      const px = sc.cx[i] - ox, py = sc.cy[i] - oy, pz = sc.cz[i] - oz;
      if (px * px + py * py > (FAR_M + R) * (FAR_M + R)) continue;
      // world → body (yaw only) → camera (transpose of the mount rotation)
      const bx = c * px + s * py, by = -s * px + c * py;
      markSphere(this.rays, M[0] * bx + M[3] * by + M[6] * pz, M[1] * bx + M[4] * by + M[7] * pz, M[2] * bx + M[5] * by + M[8] * pz, R, mask);
    }
  }

  protected addNoise(out: Buffer, extraSigma: number): void {
    const s0 = this.spec.noiseStd;
    addTableNoise(this.noiseRng, out, Math.sqrt(s0 * s0 + extraSigma * extraSigma));
  }

  protected publish(bus: Bus, stampS: number): void {
    setStamp(this.msg.header, stampS);
    bus.publish(this.spec.topic, this.msg);
  }
}
