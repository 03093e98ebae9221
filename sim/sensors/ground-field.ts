// The textured ground the cameras see: road, lane markings, shoulder, grass, value-noise texture
// and soft shadows. A coarse grid (0.5 m) stores, per cell, the signed lateral offset d from the
// centreline, the arc length s and a shadow level; a pixel interpolates them bilinearly (d and s
// are smooth, so 0.5 m cells err by κh²/8 ≈ 1 mm) and shades analytically with a box filter the
// size of its ground footprint — anti-aliased markings with no per-frame allocation and no
// per-pixel track search. Far pixels cost the same ~80 flops as near ones.

import { Rng } from '../core/rng.ts';
import type { Track } from '../world/track.ts';
import type { AppearanceSpec, MarkingStyle } from '../world/types.ts';

const FAR = 1e6;
/** beyond ~2 M cells (24 MB) the cell grows: d and s stay exact, only shadows get softer */
const MAX_CELLS = 2_000_000;
const TEXTURE_CELL_M = 0.25;

export class GroundField {
  readonly cellM: number;
  readonly x0: number;
  readonly y0: number;
  readonly nx: number;
  readonly ny: number;
  /** (ny, nx) lateral offset (m, left > 0), arc length (m), shadow darkening (0..1) */
  private readonly d: Float32Array;
  private readonly s: Float32Array;
  private readonly shadow: Float32Array;
  private readonly hw: number;
  private readonly markHalf: number;
  private readonly roadHalf: number;
  private readonly left: number;
  private readonly right: number;
  private readonly dashM: number;
  private readonly periodM: number;
  private readonly lengthM: number;
  private readonly closed: boolean;
  private readonly texSeed: number;
  private readonly invCell: number;
  private readonly hasShadows: boolean;
  // one-point scratch for `shade` (snapshots, tests)
  private readonly px = new Float64Array(1);
  private readonly py = new Float64Array(1);
  private readonly pf = new Float64Array(1);
  private readonly pinv = new Float64Array(1);
  private readonly ptex = new Float64Array(1);
  private readonly pout = new Float64Array(1);
  /** shadeInto's constants: grass, asphalt − grass, marking − asphalt, road half width, marking half width, lane half width, x0, y0, 1/cell */
  private readonly consts = new Float64Array(9);

  constructor(readonly track: Track | null, readonly look: AppearanceSpec, seed: number) {
    const spec = track?.spec;
    this.hw = (spec?.laneWidthM ?? 0) / 2;
    this.markHalf = (spec?.markings.widthM ?? 0) / 2;
    this.roadHalf = track === null ? -1 : this.hw + spec!.shoulderM;
    this.left = styleCode(spec?.markings.left ?? 'none');
    this.right = styleCode(spec?.markings.right ?? 'none');
    this.dashM = spec?.markings.dashM ?? 1;
    this.lengthM = track?.lengthM ?? 0;
    this.closed = track?.closed ?? false;
    // a closed track gets a whole number of dash periods so the pattern has no seam
    const p = (spec?.markings.dashM ?? 1) + (spec?.markings.gapM ?? 1);
    this.periodM = this.closed && this.lengthM > p ? this.lengthM / Math.round(this.lengthM / p) : p;
    this.texSeed = Rng.stream(seed, 'ground-texture').nextU32();
    this.hasShadows = track !== null && look.shadows > 0 && look.shadowStrength > 0;
    const band = this.roadHalf + 3;
    if (track === null) {
      this.cellM = 1; this.x0 = 0; this.y0 = 0; this.nx = 1; this.ny = 1;
      this.d = new Float32Array([FAR]); this.s = new Float32Array(1); this.shadow = new Float32Array(1);
      this.invCell = 1;
      this.fillConsts();
      return;
    }
    const b = track.bounds(band + 2);
    this.cellM = Math.max(0.5, Math.sqrt(((b.xMax - b.xMin) * (b.yMax - b.yMin)) / MAX_CELLS));
    this.invCell = 1 / this.cellM;
    this.x0 = b.xMin; this.y0 = b.yMin;
    this.nx = Math.ceil((b.xMax - b.xMin) / this.cellM) + 1;
    this.ny = Math.ceil((b.yMax - b.yMin) / this.cellM) + 1;
    const n = this.nx * this.ny;
    this.d = new Float32Array(n).fill(FAR);
    this.s = new Float32Array(n);
    this.shadow = new Float32Array(n);
    this.rasterise(track, band);
    this.layShadows(track, Rng.stream(seed, 'ground-shadows'));
    this.fillConsts();
  }

  private fillConsts(): void {
    const l = this.look;
    this.consts.set([l.grass, l.asphalt - l.grass, l.marking - l.asphalt, this.roadHalf, this.markHalf, this.hw, this.x0, this.y0, this.invCell]);
  }

  /** For every centreline segment, the cells within `band`: keep the nearest segment's (d, s). */
  private rasterise(track: Track, band: number): void {
    const segs = track.segments, c = this.cellM, best = new Float32Array(this.d.length).fill(FAR);
    for (let i = 0; i < segs; i++) {
      const j = i + 1 === track.n ? 0 : i + 1;
      const ax = track.x[i], ay = track.y[i];
      const dx = track.x[j] - ax, dy = track.y[j] - ay;
      const len2 = dx * dx + dy * dy, len = Math.sqrt(len2);
      const c0 = Math.max(0, Math.floor((Math.min(ax, ax + dx) - band - this.x0) / c));
      const c1 = Math.min(this.nx - 1, Math.ceil((Math.max(ax, ax + dx) + band - this.x0) / c));
      const r0 = Math.max(0, Math.floor((Math.min(ay, ay + dy) - band - this.y0) / c));
      const r1 = Math.min(this.ny - 1, Math.ceil((Math.max(ay, ay + dy) + band - this.y0) / c));
      for (let r = r0; r <= r1; r++) {
        const py = this.y0 + r * c - ay;
        for (let q = c0; q <= c1; q++) {
          const px = this.x0 + q * c - ax;
          let u = (px * dx + py * dy) / len2;
          u = u < 0 ? 0 : u > 1 ? 1 : u;
          const ex = px - u * dx, ey = py - u * dy;
          const dist = Math.sqrt(ex * ex + ey * ey);
          const k = r * this.nx + q;
          if (dist < best[k] && dist <= band) {
            best[k] = dist;
            this.d[k] = (dx * ey - dy * ex) / len;
            this.s[k] = (i + u) * track.dsM;
          }
        }
      }
    }
  }

  /** Soft round shadows (trees beside the road), the NCP paper's shadow augmentation made physical. */
  private layShadows(track: Track, rng: Rng): void {
    const p = { xM: 0, yM: 0, headingRad: 0, curvature1pm: 0 };
    for (let k = 0; k < this.look.shadows; k++) {
      track.pointAt(rng.uniform() * track.lengthM, p);
      const off = rng.range(-this.roadHalf - 3, this.roadHalf + 3);
      const cx = p.xM - Math.sin(p.headingRad) * off, cy = p.yM + Math.cos(p.headingRad) * off;
      const rad = rng.range(1, 5), depth = this.look.shadowStrength * rng.range(0.5, 1);
      const q0 = Math.max(0, Math.floor((cx - rad - this.x0) / this.cellM)), q1 = Math.min(this.nx - 1, Math.ceil((cx + rad - this.x0) / this.cellM));
      const r0 = Math.max(0, Math.floor((cy - rad - this.y0) / this.cellM)), r1 = Math.min(this.ny - 1, Math.ceil((cy + rad - this.y0) / this.cellM));
      for (let r = r0; r <= r1; r++) {
        for (let q = q0; q <= q1; q++) {
          const u = Math.hypot(this.x0 + q * this.cellM - cx, this.y0 + r * this.cellM - cy) / rad;
          if (u >= 1) continue;
          const v = depth * (1 - u * u) * (1 - u * u);
          const i = r * this.nx + q;
          if (v > this.shadow[i]) this.shadow[i] = v;
        }
      }
    }
  }

  /** Grey level of the ground at (x, y), box-filtered over a footprint of fpM metres (one point). */
  shade(x: number, y: number, fpM: number): number {
    this.px[0] = x;
    this.py[0] = y;
    this.pf[0] = fpM;
    this.pinv[0] = 1 / fpM;
    this.ptex[0] = this.textureAmp(fpM);
    this.shadeInto(1, this.px, this.py, this.pf, this.pinv, this.ptex, this.pout);
    return this.pout[0];
  }

  /** Texture amplitude a pixel of footprint fpM sees (the hash noise averages out over the footprint). */
  textureAmp(fpM: number): number {
    return this.look.texture * (fpM < TEXTURE_CELL_M ? 1 : TEXTURE_CELL_M / fpM);
  }

  /**
   * Shades n ground points (the camera's hot loop, one call per frame): x[i], y[i] in metres
   * (NaN: skip), footprint fp[i], its inverse, and texture amplitude tex[i] → out[i]. A loop
   * inside one function, not a call per pixel: V8 would box every returned double.
   */
  shadeInto(n: number, xs: Float64Array, ys: Float64Array, fp: Float64Array, invFp: Float64Array, tex: Float64Array, out: Float64Array): void {
    // every constant from a Float64Array: a value loaded from a plain object field may be tagged,
    // and a tagged value feeding the loop's phis would box a double per pixel (measured: ~16 B)
    const k0 = this.consts;
    const grass = k0[0], dAsph = k0[1], dMark = k0[2], roadHalf = k0[3], mh = k0[4], hw = k0[5];
    const x0 = k0[6], y0 = k0[7], invCell = k0[8];
    const dArr = this.d, sh = this.shadow, nx = this.nx, lastX = this.nx - 1, lastY = this.ny - 1;
    const left = this.left, right = this.right;
    for (let i = 0; i < n; i++) {
      const x = xs[i];
      if (x !== x) continue;
      const y = ys[i], fpM = fp[i];
      const fx = (x - x0) * invCell, fy = (y - y0) * invCell;
      let v = grass, dark = 0;
      if (fx >= 0 && fy >= 0 && fx < lastX && fy < lastY) {
        const ix = fx | 0, iy = fy | 0, ux = fx - ix, uy = fy - iy;
        const k = iy * nx + ix, k2 = k + nx;
        const d0 = dArr[k] + ux * (dArr[k + 1] - dArr[k]);
        const d = d0 + uy * (dArr[k2] + ux * (dArr[k2 + 1] - dArr[k2]) - d0);
        if (this.hasShadows) {
          const a0 = sh[k] + ux * (sh[k + 1] - sh[k]);
          dark = a0 + uy * (sh[k2] + ux * (sh[k2 + 1] - sh[k2]) - a0);
        }
        const half = fpM * 0.5;
        const lo = d - half, hi = d + half;
        if (lo < roadHalf && hi > -roadHalf) {
          // box-filter coverage |[lo, hi] ∩ [a, b]| / fp, written out (a helper's double return would be boxed)
          const inv = invFp[i];
          let cov = ((hi < roadHalf ? hi : roadHalf) - (lo > -roadHalf ? lo : -roadHalf)) * inv;
          v += dAsph * (cov > 1 ? 1 : cov);
          // markings: only pixels whose footprint touches a line pay for the arc length lookup
          const onLeft = left !== NONE && hi > hw - mh && lo < hw + mh;
          const onRight = right !== NONE && hi > -hw - mh && lo < -hw + mh;
          let dashF = 1;
          if ((onLeft && left === DASHED) || (onRight && right === DASHED)) {
            // arc length, bilinear; across a loop's start line s jumps L → 0, so unwrap the corners
            const sArr = this.s;
            let s0 = sArr[k], s1 = sArr[k + 1], s2 = sArr[k2], s3 = sArr[k2 + 1];
            if (this.closed) {
              const L = this.lengthM, half = L / 2;
              const mx = s0 > s1 ? (s0 > s2 ? (s0 > s3 ? s0 : s3) : s2 > s3 ? s2 : s3) : s1 > s2 ? (s1 > s3 ? s1 : s3) : s2 > s3 ? s2 : s3;
              if (mx - s0 > half) s0 += L;
              if (mx - s1 > half) s1 += L;
              if (mx - s2 > half) s2 += L;
              if (mx - s3 > half) s3 += L;
            }
            const a = s0 + ux * (s1 - s0);
            const sm = a + uy * (s2 + ux * (s3 - s2) - a);
            // painted fraction of [s − w/2, s + w/2] for a dash D every period P: F(x) = ⌊x/P⌋D + min(x mod P, D)
            const wd = fpM > 1e-3 ? fpM : 1e-3, P = this.periodM, D = this.dashM;
            const x1 = sm + wd / 2, x0 = sm - wd / 2;
            const q1 = Math.floor(x1 / P), q0 = Math.floor(x0 / P);
            const r1 = x1 - q1 * P, r0 = x0 - q0 * P;
            dashF = (q1 * D + (r1 < D ? r1 : D) - q0 * D - (r0 < D ? r0 : D)) / wd;
          }
          if (onLeft) {
            cov = ((hi < hw + mh ? hi : hw + mh) - (lo > hw - mh ? lo : hw - mh)) * inv * (left === DASHED ? dashF : 1);
            v += dMark * (cov > 1 ? 1 : cov);
          }
          if (onRight) {
            cov = ((hi < -hw + mh ? hi : -hw + mh) - (lo > -hw - mh ? lo : -hw - mh)) * inv * (right === DASHED ? dashF : 1);
            v += dMark * (cov > 1 ? 1 : cov);
          }
        }
      }
      // value noise: one hash per 25 cm cell; skipped where the footprint averages it below 0.002
      const amp = tex[i];
      if (amp > 0.002) {
        let h = Math.imul(Math.floor(x * 4), 0x27d4eb2d) ^ Math.imul(Math.floor(y * 4), 0x165667b1) ^ this.texSeed;
        h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
        h ^= h >>> 13;
        v += ((h & 0xffff) * (1 / 65535) - 0.5) * 2 * amp;
      }
      out[i] = v * (1 - dark);
    }
  }
}

const NONE = 0;
const SOLID = 1;
const DASHED = 2;

function styleCode(m: MarkingStyle): number {
  return m === 'solid' ? SOLID : m === 'dashed' ? DASHED : NONE;
}
