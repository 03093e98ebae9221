// The lane's centreline, integrated from a curvature profile (straights, arcs and clothoid ramps)
// and sampled every ~0.5 m. Linear interpolation between samples is exact to κ·ds²/8 ≈ 1.3 mm at
// a 25 m radius, far below any lane tolerance. Closed tracks must close: a small integration gap
// is spread along the track; a gap over 5 % of the length is LNN_E_RANGE.

import { LnnError } from '../../src/errors.ts';
import { TAU, wrapAngle } from '../core/math.ts';
import type { TrackSpec } from './types.ts';

const TARGET_DS_M = 0.5;
const SUBSTEPS = 8;

/** A point on the track as `project` reports it. `cteM` > 0: the point is left of the centreline. */
export interface TrackPoint {
  sM: number;
  cteM: number;
  headingRad: number;
  curvature1pm: number;
  /** sample index of the segment found; pass it back as the next hint */
  index: number;
}

export function makeTrackPoint(): TrackPoint {
  return { sM: 0, cteM: 0, headingRad: 0, curvature1pm: 0, index: -1 };
}

export class Track {
  readonly closed: boolean;
  readonly lengthM: number;
  readonly laneWidthM: number;
  /** number of sample points (closed: the segment n-1 → 0 closes the loop; open: n-1 segments) */
  readonly n: number;
  readonly dsM: number;
  /** (n) m, m, rad, 1/m */
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly heading: Float64Array;
  readonly curvature: Float64Array;
  private starts: Float64Array | null = null;

  constructor(readonly spec: TrackSpec, where = 'track') {
    this.closed = spec.closed;
    this.laneWidthM = spec.laneWidthM;
    const total = spec.segments.reduce((a, s) => a + s.lengthM, 0);
    this.lengthM = total;
    const segs = Math.max(2, Math.ceil(total / TARGET_DS_M));
    this.dsM = total / segs;
    const pts = segs + 1;
    const x = new Float64Array(pts), y = new Float64Array(pts), th = new Float64Array(pts), k = new Float64Array(pts);
    x[0] = spec.start.xM; y[0] = spec.start.yM; th[0] = spec.start.yawRad; k[0] = this.kappa(0);
    const h = this.dsM / SUBSTEPS;
    for (let i = 0; i < segs; i++) {
      let px = x[i], py = y[i], pt = th[i];
      const s0 = i * this.dsM;
      for (let j = 0; j < SUBSTEPS; j++) {
        // midpoint rule on heading; κ is piecewise linear so this is exact to O(h³)
        const km = this.kappa(s0 + (j + 0.5) * h);
        const tm = pt + 0.5 * h * km;
        px += h * Math.cos(tm);
        py += h * Math.sin(tm);
        pt += h * km;
      }
      x[i + 1] = px; y[i + 1] = py; th[i + 1] = pt; k[i + 1] = this.kappa(s0 + this.dsM);
    }
    if (!this.closed) {
      this.n = pts;
      this.x = x; this.y = y; this.heading = th; this.curvature = k;
      return;
    }
    this.n = segs;
    this.x = x.slice(0, segs); this.y = y.slice(0, segs); this.heading = th.slice(0, segs); this.curvature = k.slice(0, segs);
    const gx = x[segs] - x[0], gy = y[segs] - y[0];
    const turns = Math.round((th[segs] - th[0]) / TAU);
    const gth = th[segs] - th[0] - turns * TAU;
    const gap = Math.hypot(gx, gy);
    if (gap > 0.05 * total || Math.abs(gth) > 0.3 || turns === 0) {
      throw new LnnError('LNN_E_RANGE', `closed track does not close: end is ${gap.toFixed(2)} m and ${(gth * 180 / Math.PI).toFixed(1)}° from the start, ${turns} turns`, { field: `${where}.segments` });
    }
    if (gap > 1e-6 || Math.abs(gth) > 1e-9) this.closeGap(gx, gy);
  }

  /** Curvature of the profile at arc length s (before any closing correction). */
  private kappa(s: number): number {
    const segs = this.spec.segments;
    if (this.starts === null) {
      this.starts = new Float64Array(segs.length);
      for (let i = 1; i < segs.length; i++) this.starts[i] = this.starts[i - 1] + segs[i - 1].lengthM;
    }
    // last segment whose start is <= s (binary search: generated tracks have hundreds of segments)
    let lo = 0, hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= s) lo = mid;
      else hi = mid - 1;
    }
    const g = segs[lo];
    const prev = lo > 0 ? segs[lo - 1].curvature1pm : this.closed ? segs[segs.length - 1].curvature1pm : g.curvature1pm;
    const u = s - this.starts[lo];
    if (g.rampM > 0 && u < g.rampM) return prev + ((g.curvature1pm - prev) * Math.max(0, u)) / g.rampM;
    return g.curvature1pm;
  }

  /** Spreads the end gap linearly along s, then re-derives heading and curvature from the points. */
  private closeGap(gx: number, gy: number): void {
    const n = this.n;
    for (let i = 0; i < n; i++) {
      this.x[i] -= (gx * i) / n;
      this.y[i] -= (gy * i) / n;
    }
    const th = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = (i + n - 1) % n, b = (i + 1) % n;
      th[i] = Math.atan2(this.y[b] - this.y[a], this.x[b] - this.x[a]);
    }
    for (let i = 0; i < n; i++) {
      this.heading[i] = th[i];
      this.curvature[i] = wrapAngle(th[(i + 1) % n] - th[(i + n - 1) % n]) / (2 * this.dsM);
    }
  }

  /** Arc length wrapped (closed) or clamped (open) into [0, length]. */
  wrapS(s: number): number {
    if (this.closed) return s - this.lengthM * Math.floor(s / this.lengthM);
    return s < 0 ? 0 : s > this.lengthM ? this.lengthM : s;
  }

  /** Number of segments between samples. */
  get segments(): number {
    return this.closed ? this.n : this.n - 1;
  }

  /** Nearest point of the centreline to (x, y). `hint` >= 0 searches ±20 samples around it. */
  project(px: number, py: number, hint: number, out: TrackPoint): TrackPoint {
    const segs = this.segments;
    let lo = 0, hi = segs - 1;
    if (hint >= 0 && segs > 80) {
      lo = hint - 20;
      hi = hint + 20;
      if (!this.closed) { lo = Math.max(0, lo); hi = Math.min(segs - 1, hi); }
    }
    let best = Infinity, bi = 0, bu = 0;
    for (let jj = lo; jj <= hi; jj++) {
      const j = this.closed ? ((jj % segs) + segs) % segs : jj;
      const j1 = j + 1 === this.n ? 0 : j + 1;
      const ax = this.x[j], ay = this.y[j];
      const dx = this.x[j1] - ax, dy = this.y[j1] - ay;
      let u = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy);
      u = u < 0 ? 0 : u > 1 ? 1 : u;
      const ex = px - ax - u * dx, ey = py - ay - u * dy;
      const d2 = ex * ex + ey * ey;
      if (d2 < best) { best = d2; bi = j; bu = u; }
    }
    const j1 = bi + 1 === this.n ? 0 : bi + 1;
    const dx = this.x[j1] - this.x[bi], dy = this.y[j1] - this.y[bi];
    const len = Math.sqrt(dx * dx + dy * dy);
    const ex = px - this.x[bi] - bu * dx, ey = py - this.y[bi] - bu * dy;
    out.index = bi;
    out.sM = (bi + bu) * this.dsM;
    out.cteM = (dx * ey - dy * ex) / len;
    out.headingRad = wrapAngle(this.heading[bi] + bu * wrapAngle(this.heading[j1] - this.heading[bi]));
    out.curvature1pm = this.curvature[bi] + bu * (this.curvature[j1] - this.curvature[bi]);
    return out;
  }

  /** The centreline point at arc length s: writes x, y, heading, curvature into `out`. */
  pointAt(s: number, out: { xM: number; yM: number; headingRad: number; curvature1pm: number }): void {
    const w = this.wrapS(s);
    let f = w / this.dsM;
    let i = Math.floor(f);
    if (i >= this.segments) { i = this.segments - 1; f = this.segments; }
    const u = f - i;
    const i1 = i + 1 === this.n ? 0 : i + 1;
    out.xM = this.x[i] + u * (this.x[i1] - this.x[i]);
    out.yM = this.y[i] + u * (this.y[i1] - this.y[i]);
    out.headingRad = wrapAngle(this.heading[i] + u * wrapAngle(this.heading[i1] - this.heading[i]));
    out.curvature1pm = this.curvature[i] + u * (this.curvature[i1] - this.curvature[i]);
  }

  /** Axis-aligned bounds of the centreline, grown by `marginM`. */
  bounds(marginM: number): { xMin: number; xMax: number; yMin: number; yMax: number } {
    let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
    for (let i = 0; i < this.n; i++) {
      if (this.x[i] < xMin) xMin = this.x[i];
      if (this.x[i] > xMax) xMax = this.x[i];
      if (this.y[i] < yMin) yMin = this.y[i];
      if (this.y[i] > yMax) yMax = this.y[i];
    }
    return { xMin: xMin - marginM, xMax: xMax + marginM, yMin: yMin - marginM, yMax: yMax + marginM };
  }
}
