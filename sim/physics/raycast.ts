// Analytic ray casting against the static world: upright boxes (turned about z), vertical
// cylinders, planes, and the ground z = 0. Boxes and cylinders sit in a uniform 2-D grid walked
// with Amanatides–Woo DDA, so a ray costs O(cells crossed), not O(obstacles): a 32×24 depth image
// in a 300-trunk forest tests ~3 obstacles per ray instead of 300 (why not a physics library:
// sim/docs/raycast.md). Everything here is allocation-free after construction.

import type { StaticSpec } from '../world/types.ts';

export const GROUND_ID = -2;
export const NO_HIT = -1;

/** Filled by castRay: distance along the ray (in units of |d|), what was hit, and its normal. */
export interface RayHit {
  t: number;
  id: number;
  nx: number;
  ny: number;
  nz: number;
}

export function makeRayHit(): RayHit {
  return { t: Infinity, id: NO_HIT, nx: 0, ny: 0, nz: 1 };
}

const BOX = 0;
const CYL = 1;

export class Scene {
  readonly names: readonly string[];
  /** (count) grey level of each body, for cameras */
  readonly shade: Float64Array;
  readonly count: number;
  // structure of arrays, one entry per box or cylinder (planes are few: kept apart, always tested)
  private readonly kind: Uint8Array;
  /** (count) body centres, world frame (0 for planes) */
  readonly cx: Float64Array; readonly cy: Float64Array; readonly cz: Float64Array;
  /** (count) radius of a sphere enclosing each body; Infinity for planes (cameras cull with it) */
  readonly boundR: Float64Array;
  private readonly cos: Float64Array; private readonly sin: Float64Array;
  /** half sizes (box) or radius in hx and half length in hz (cylinder) */
  private readonly hx: Float64Array; private readonly hy: Float64Array; private readonly hz: Float64Array;
  private readonly planes: { id: number; nx: number; ny: number; nz: number; off: number }[] = [];
  // grid (CSR): cell c holds items[cellStart[c] .. cellStart[c+1])
  private readonly gx0: number; private readonly gy0: number; private readonly cellM: number;
  private readonly gnx: number; private readonly gny: number;
  private readonly cellStart: Int32Array; private readonly items: Int32Array;
  /** per body: the ray number that last tested it, so a body spanning cells is tested once */
  private readonly stamp: Int32Array;
  private rayNo = 0;

  constructor(statics: readonly StaticSpec[]) {
    const n = statics.length;
    this.count = n;
    this.names = statics.map((s) => s.name);
    this.shade = new Float64Array(statics.map((s) => s.shade));
    this.kind = new Uint8Array(n);
    this.cx = new Float64Array(n); this.cy = new Float64Array(n); this.cz = new Float64Array(n);
    this.cos = new Float64Array(n); this.sin = new Float64Array(n);
    this.hx = new Float64Array(n); this.hy = new Float64Array(n); this.hz = new Float64Array(n);
    this.stamp = new Int32Array(n);
    this.boundR = new Float64Array(n);
    let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity, nGrid = 0;
    const reach = new Float64Array(n);
    statics.forEach((s, i) => {
      if (s.kind === 'plane') {
        this.planes.push({ id: i, nx: s.normal[0], ny: s.normal[1], nz: s.normal[2], off: s.offsetM });
        this.kind[i] = 255;
        this.boundR[i] = Infinity;
        return;
      }
      this.cx[i] = s.pose.xM; this.cy[i] = s.pose.yM; this.cz[i] = s.pose.zM;
      this.cos[i] = Math.cos(s.pose.yawRad); this.sin[i] = Math.sin(s.pose.yawRad);
      if (s.kind === 'box') {
        this.kind[i] = BOX;
        this.hx[i] = s.sizeM[0] / 2; this.hy[i] = s.sizeM[1] / 2; this.hz[i] = s.sizeM[2] / 2;
        reach[i] = Math.hypot(this.hx[i], this.hy[i]);
        this.boundR[i] = Math.hypot(this.hx[i], this.hy[i], this.hz[i]);
      } else {
        this.kind[i] = CYL;
        this.hx[i] = s.radiusM; this.hz[i] = s.lengthM / 2;
        reach[i] = s.radiusM;
        this.boundR[i] = Math.hypot(s.radiusM, this.hz[i]);
      }
      xMin = Math.min(xMin, this.cx[i] - reach[i]); xMax = Math.max(xMax, this.cx[i] + reach[i]);
      yMin = Math.min(yMin, this.cy[i] - reach[i]); yMax = Math.max(yMax, this.cy[i] + reach[i]);
      nGrid++;
    });
    if (nGrid === 0) { xMin = 0; xMax = 1; yMin = 0; yMax = 1; }
    // ~0.5 bodies per cell (measured faster than 2 per cell: fewer tests per ray beat fewer DDA
    // steps, ~1.0 vs ~1.7 µs per 20 m ray in a 300-body forest); never below 1 m, at most 256² cells
    const area = (xMax - xMin) * (yMax - yMin);
    this.cellM = Math.max(1, Math.sqrt((0.5 * area) / Math.max(1, nGrid)), Math.max(xMax - xMin, yMax - yMin) / 256);
    this.gx0 = xMin; this.gy0 = yMin;
    this.gnx = Math.max(1, Math.ceil((xMax - xMin) / this.cellM));
    this.gny = Math.max(1, Math.ceil((yMax - yMin) / this.cellM));
    const counts = new Int32Array(this.gnx * this.gny + 1);
    const each = (fn: (cell: number, i: number) => void): void => {
      for (let i = 0; i < n; i++) {
        if (this.kind[i] === 255) continue;
        const c0 = this.cellX(this.cx[i] - reach[i]), c1 = this.cellX(this.cx[i] + reach[i]);
        const r0 = this.cellY(this.cy[i] - reach[i]), r1 = this.cellY(this.cy[i] + reach[i]);
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) fn(r * this.gnx + c, i);
      }
    };
    each((cell) => { counts[cell + 1]++; });
    for (let c = 0; c < this.gnx * this.gny; c++) counts[c + 1] += counts[c];
    this.cellStart = counts;
    this.items = new Int32Array(counts[this.gnx * this.gny]);
    const fill = counts.slice(0, this.gnx * this.gny);
    each((cell, i) => { this.items[fill[cell]++] = i; });
  }

  private cellX(x: number): number {
    const c = Math.floor((x - this.gx0) / this.cellM);
    return c < 0 ? 0 : c >= this.gnx ? this.gnx - 1 : c;
  }

  private cellY(y: number): number {
    const c = Math.floor((y - this.gy0) / this.cellM);
    return c < 0 ? 0 : c >= this.gny ? this.gny - 1 : c;
  }

  /**
   * The first hit of o + t·d for 0 <= t <= maxT (d need not be unit; t is in units of |d|).
   * Returns true and fills `hit` on a hit. The ground z = 0 counts when `ground` is true.
   */
  castRay(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, maxT: number, hit: RayHit, ground = true): boolean {
    hit.t = maxT;
    hit.id = NO_HIT;
    if (ground && dz < 0 && oz >= 0) {
      const t = -oz / dz;
      if (t < hit.t) { hit.t = t; hit.id = GROUND_ID; hit.nx = 0; hit.ny = 0; hit.nz = 1; }
    }
    for (const p of this.planes) {
      const den = p.nx * dx + p.ny * dy + p.nz * dz;
      if (den === 0) continue;
      const t = (p.off - (p.nx * ox + p.ny * oy + p.nz * oz)) / den;
      if (t >= 0 && t < hit.t) { hit.t = t; hit.id = p.id; hit.nx = p.nx; hit.ny = p.ny; hit.nz = p.nz; }
    }
    if (this.items.length > 0) this.walkGrid(ox, oy, oz, dx, dy, dz, hit);
    return hit.id !== NO_HIT;
  }

  /** 2-D DDA over the grid cells the ray's xy shadow crosses, nearest first, stopping early. */
  private walkGrid(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, hit: RayHit): void {
    this.rayNo = (this.rayNo + 1) | 0;
    if (this.rayNo === 0) { this.stamp.fill(0); this.rayNo = 1; }
    // clip the segment [0, hit.t] to the grid rectangle
    const x1 = this.gx0 + this.gnx * this.cellM, y1 = this.gy0 + this.gny * this.cellM;
    let t0 = 0, t1 = hit.t;
    if (dx !== 0) {
      const ta = (this.gx0 - ox) / dx, tb = (x1 - ox) / dx;
      t0 = Math.max(t0, Math.min(ta, tb)); t1 = Math.min(t1, Math.max(ta, tb));
    } else if (ox < this.gx0 || ox > x1) return;
    if (dy !== 0) {
      const ta = (this.gy0 - oy) / dy, tb = (y1 - oy) / dy;
      t0 = Math.max(t0, Math.min(ta, tb)); t1 = Math.min(t1, Math.max(ta, tb));
    } else if (oy < this.gy0 || oy > y1) return;
    if (t0 > t1) return;
    let cx = this.cellX(ox + t0 * dx), cy = this.cellY(oy + t0 * dy);
    const stepX = dx > 0 ? 1 : -1, stepY = dy > 0 ? 1 : -1;
    const tdx = dx !== 0 ? this.cellM / Math.abs(dx) : Infinity;
    const tdy = dy !== 0 ? this.cellM / Math.abs(dy) : Infinity;
    let tmx = dx !== 0 ? (this.gx0 + (cx + (dx > 0 ? 1 : 0)) * this.cellM - ox) / dx : Infinity;
    let tmy = dy !== 0 ? (this.gy0 + (cy + (dy > 0 ? 1 : 0)) * this.cellM - oy) / dy : Infinity;
    for (;;) {
      const cell = cy * this.gnx + cx;
      for (let k = this.cellStart[cell], e = this.cellStart[cell + 1]; k < e; k++) {
        const i = this.items[k];
        if (this.stamp[i] === this.rayNo) continue;
        this.stamp[i] = this.rayNo;
        if (this.kind[i] === CYL) this.hitCylinder(i, ox, oy, oz, dx, dy, dz, hit);
        else this.hitBox(i, ox, oy, oz, dx, dy, dz, hit);
      }
      const tExit = Math.min(tmx, tmy);
      if (hit.t <= tExit || tExit > t1) return;
      if (tmx < tmy) { cx += stepX; tmx += tdx; if (cx < 0 || cx >= this.gnx) return; }
      else { cy += stepY; tmy += tdy; if (cy < 0 || cy >= this.gny) return; }
    }
  }

  private hitCylinder(i: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, hit: RayHit): void {
    const r = this.hx[i], zl = this.cz[i] - this.hz[i], zh = this.cz[i] + this.hz[i];
    const px = ox - this.cx[i], py = oy - this.cy[i];
    const a = dx * dx + dy * dy;
    const b = px * dx + py * dy;
    const c = px * px + py * py - r * r;
    if (a > 0) {
      const disc = b * b - a * c;
      if (disc >= 0) {
        const t = c <= 0 ? 0 : (-b - Math.sqrt(disc)) / a;
        const z = oz + t * dz;
        if (t >= 0 && t < hit.t && z >= zl && z <= zh) {
          hit.t = t; hit.id = i;
          const hx = px + t * dx, hy = py + t * dy, hl = Math.sqrt(hx * hx + hy * hy) || 1;
          hit.nx = hx / hl; hit.ny = hy / hl; hit.nz = 0;
          return;
        }
      }
    }
    if (dz !== 0) {
      // end caps
      const zc = dz < 0 ? zh : zl;
      const t = (zc - oz) / dz;
      if (t >= 0 && t < hit.t) {
        const hx = px + t * dx, hy = py + t * dy;
        if (hx * hx + hy * hy <= r * r) { hit.t = t; hit.id = i; hit.nx = 0; hit.ny = 0; hit.nz = dz < 0 ? 1 : -1; }
      }
    }
  }

  private hitBox(i: number, ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, hit: RayHit): void {
    const c = this.cos[i], s = this.sin[i];
    // into the box frame (rotate by -yaw), then the slab test on each axis (no closures: hot path)
    const px = ox - this.cx[i], py = oy - this.cy[i], pz = oz - this.cz[i];
    const p0 = c * px + s * py, p1 = -s * px + c * py;
    const d0 = c * dx + s * dy, d1 = -s * dx + c * dy;
    let tn = -Infinity, tf = Infinity, axis = 0, sign = 0;
    for (let ax = 0; ax < 3; ax++) {
      const p = ax === 0 ? p0 : ax === 1 ? p1 : pz;
      const d = ax === 0 ? d0 : ax === 1 ? d1 : dz;
      const h = ax === 0 ? this.hx[i] : ax === 1 ? this.hy[i] : this.hz[i];
      if (d === 0) {
        if (p < -h || p > h) return;
        continue;
      }
      let ta = (-h - p) / d, tb = (h - p) / d, sg = -1;
      if (ta > tb) { const tmp = ta; ta = tb; tb = tmp; sg = 1; }
      if (ta > tn) { tn = ta; axis = ax; sign = sg; }
      if (tb < tf) tf = tb;
      if (tn > tf) return;
    }
    if (tf < 0) return;
    const t = tn < 0 ? 0 : tn;
    if (t >= hit.t) return;
    hit.t = t; hit.id = i;
    if (axis === 2) { hit.nx = 0; hit.ny = 0; hit.nz = sign; }
    else {
      const lnx = axis === 0 ? sign : 0, lny = axis === 1 ? sign : 0;
      hit.nx = c * lnx - s * lny; hit.ny = s * lnx + c * lny; hit.nz = 0;
    }
  }

  /** The first body (index) that a sphere overlaps, GROUND_ID for the ground, NO_HIT for none. */
  overlapSphere(x: number, y: number, z: number, r: number, ground = false): number {
    if (ground && z - r < 0) return GROUND_ID;
    for (const p of this.planes) if (p.nx * x + p.ny * y + p.nz * z - p.off < r) return p.id;
    if (this.items.length === 0) return NO_HIT;
    const c0 = this.cellX(x - r), c1 = this.cellX(x + r), r0 = this.cellY(y - r), r1 = this.cellY(y + r);
    for (let row = r0; row <= r1; row++) {
      for (let col = c0; col <= c1; col++) {
        const cell = row * this.gnx + col;
        for (let k = this.cellStart[cell], e = this.cellStart[cell + 1]; k < e; k++) {
          const i = this.items[k];
          const px = x - this.cx[i], py = y - this.cy[i];
          const dz = Math.max(0, Math.abs(z - this.cz[i]) - this.hz[i]);
          let dxy: number;
          if (this.kind[i] === CYL) dxy = Math.max(0, Math.sqrt(px * px + py * py) - this.hx[i]);
          else {
            const lx = this.cos[i] * px + this.sin[i] * py, ly = -this.sin[i] * px + this.cos[i] * py;
            const ex = Math.max(0, Math.abs(lx) - this.hx[i]), ey = Math.max(0, Math.abs(ly) - this.hy[i]);
            dxy = Math.sqrt(ex * ex + ey * ey);
          }
          if (dxy * dxy + dz * dz < r * r) return i;
        }
      }
    }
    return NO_HIT;
  }
}
