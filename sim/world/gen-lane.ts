// Seeded lane worlds: a closed or open track built from a curvature profile, a lane width, marking
// styles, and lighting/texture variation; the car with a 64×16 camera, a lane-feature sensor at
// the front axle, an IMU and a GPS. The output is a `lnn-world/1` document (readWorld validates
// it like any hand-written file), so `generateLaneDoc(seed)` can be saved and edited.
//
// Closed loops: κ(s) = 2π/L + Σ_{k=2..5} a_k sin(2πks/L + φ_k) + b sin(2πs/L) + c cos(2πs/L); the
// harmonics integrate to zero, so the heading always turns exactly once, and (b, c) are solved by
// Newton's method so the loop also closes in position. Open roads: straights and arcs joined by
// clothoid ramps. Either is redrawn (same seed stream) when it comes within 18 m of itself.

import { Rng } from '../core/rng.ts';
import { TAU } from '../core/math.ts';
import { Track } from './track.ts';
import type { MarkingStyle, TrackSegment, TrackSpec } from './types.ts';
import { WORLD_FORMAT } from './types.ts';

export interface LaneGenOptions {
  /** closed loop or open road; default: drawn from the seed (half each) */
  readonly closed?: boolean;
  readonly speedMps?: number;
  readonly durationS?: number;
  /** smallest radius of curvature, m (default 30: 2.3 m/s² lateral at 8.33 m/s) */
  readonly minRadiusM?: number;
}

const KNOT_M = 5;
const CLEARANCE_M = 18;
type Doc = Record<string, unknown>;

export function generateLaneDoc(seed: number, opts: LaneGenOptions = {}): Doc {
  const rng = Rng.stream(seed, 'gen-lane');
  const closed = opts.closed ?? rng.uniform() < 0.5;
  const speedMps = opts.speedMps ?? 8.33;
  const durationS = opts.durationS ?? 60;
  const kMax = 1 / (opts.minRadiusM ?? 30);
  const laneWidthM = round(rng.range(3.0, 4.0), 3);
  const shoulderM = round(rng.range(0.2, 1.0), 3);
  let segments: TrackSegment[] | null = null;
  for (let attempt = 0; attempt < 50 && segments === null; attempt++) {
    const cand = closed ? closedProfile(rng, kMax) : openProfile(rng, kMax, speedMps * durationS + 60);
    if (cand !== null && clearOfItself(cand, closed)) segments = cand;
  }
  // practically unreachable (≈ 1 in 10⁹ seeds); a plain oval keeps every seed valid
  segments ??= oval(kMax);
  const style = (): MarkingStyle => {
    const u = rng.uniform();
    return u < 0.6 ? 'solid' : u < 0.95 ? 'dashed' : 'none';
  };
  let left = style(), right = style();
  if (left === 'none' && right === 'none') left = 'solid';
  const track = {
    closed, lane_width_m: laneWidthM, shoulder_m: shoulderM, start: { x_m: 0, y_m: 0, yaw_rad: 0 },
    segments: segments.map((s) => ({ length_m: round(s.lengthM, 6), curvature_1pm: round(s.curvature1pm, 9), ramp_m: round(s.rampM, 6) })),
    markings: { left, right, width_m: round(rng.range(0.1, 0.2), 3), dash_m: 3, gap_m: 9 },
  };
  const appearance = {
    brightness: round(rng.range(0.75, 1.25), 3), sky: round(rng.range(0.6, 0.95), 3),
    asphalt: round(rng.range(0.22, 0.42), 3), grass: round(rng.range(0.45, 0.7), 3), marking: round(rng.range(0.78, 0.98), 3),
    texture: round(rng.range(0.02, 0.07), 3), shadows: rng.int(61), shadow_strength: round(rng.range(0.15, 0.5), 3),
  };
  return {
    format: WORLD_FORMAT, name: `lane-${seed}`, description: `generated: lane ${closed ? 'loop' : 'road'}, seed ${seed}`, seed,
    physics: { rate_hz: 150 }, appearance, track,
    models: [laneCar(speedMps)],
    task: { type: 'lane', vehicle: 'car', speed_mps: speedMps, duration_s: durationS, control_hz: 30 },
  };
}

/** The car every lane world uses: camera over the windscreen, lane features at the front axle. */
export function laneCar(speedMps: number): Doc {
  return {
    name: 'car', type: 'car', pose: { x_m: 0, y_m: 0, yaw_rad: 0 }, params: { initial_speed_mps: speedMps },
    sensors: [
      { name: 'camera', type: 'camera', rate_hz: 30, width: 64, height: 16, hfov_deg: 100, mount: { x_m: 0.5, z_m: 1.3, pitch_deg: 8 } },
      { name: 'lane', type: 'lane_features', rate_hz: 30, mount: { x_m: 1.156 }, lookahead_m: [0, 5, 10, 20] },
      { name: 'imu', type: 'imu', rate_hz: 150, noise_std: 0.05, gyro_noise_std: 0.005 },
      { name: 'gps', type: 'gps', rate_hz: 10, noise_std: 0.5 },
    ],
  };
}

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/** Piecewise-linear κ through knots every 5 m (each segment ramps to its knot value). */
function knotsToSegments(k: Float64Array, stepM: number): TrackSegment[] {
  const segs: TrackSegment[] = [];
  for (let j = 1; j < k.length; j++) segs.push({ lengthM: stepM, curvature1pm: k[j], rampM: stepM });
  return segs;
}

function closedProfile(rng: Rng, kMax: number): TrackSegment[] | null {
  const L = rng.range(450, 750);
  const m = Math.round(L / KNOT_M), step = L / m;
  const amp: number[] = [], ph: number[] = [];
  for (let k = 2; k <= 5; k++) {
    amp.push(rng.range(0, 0.02 / (k - 1)));
    ph.push(rng.uniform() * TAU);
  }
  const knots = (b: number, c: number): Float64Array => {
    const out = new Float64Array(m + 1);
    for (let j = 0; j <= m; j++) {
      const u = (TAU * j) / m;
      let v = TAU / L + b * Math.sin(u) + c * Math.cos(u);
      for (let k = 2; k <= 5; k++) v += amp[k - 2] * Math.sin(k * u + ph[k - 2]);
      out[j] = v;
    }
    return out;
  };
  const end = (b: number, c: number): [number, number] => endPoint(knots(b, c), step, L);
  // Newton on the end-point gap in (b, c), numerical Jacobian
  let b = 0, c = 0;
  for (let it = 0; it < 30; it++) {
    const [gx, gy] = end(b, c);
    if (Math.hypot(gx, gy) < 1e-7 * L) {
      const k = knots(b, c);
      let peak = 0;
      for (const v of k) peak = Math.max(peak, Math.abs(v));
      if (peak > kMax) return null;
      return knotsToSegments(k, step);
    }
    const h = 1e-6;
    const [bx, by] = end(b + h, c), [cx, cy] = end(b, c + h);
    const j11 = (bx - gx) / h, j21 = (by - gy) / h, j12 = (cx - gx) / h, j22 = (cy - gy) / h;
    const det = j11 * j22 - j12 * j21;
    if (!(Math.abs(det) > 1e-12)) return null;
    b -= (gx * j22 - gy * j12) / det;
    c -= (gy * j11 - gx * j21) / det;
    if (Math.abs(b) > kMax || Math.abs(c) > kMax) return null;
  }
  return null;
}

/**
 * End point of a piecewise-linear curvature profile, integrated exactly as Track does (≈0.5 m
 * samples, 8 midpoint sub-steps) so the loop Newton closes is the loop Track builds.
 */
function endPoint(knots: Float64Array, step: number, L: number): [number, number] {
  const segs = Math.max(2, Math.ceil(L / 0.5)), ds = L / segs, h = ds / 8;
  let x = 0, y = 0, th = 0;
  for (let i = 0; i < segs; i++) {
    for (let j = 0; j < 8; j++) {
      const sm = i * ds + (j + 0.5) * h;
      const q = Math.min(knots.length - 2, Math.floor(sm / step));
      const km = knots[q] + ((knots[q + 1] - knots[q]) * (sm - q * step)) / step;
      const tm = th + 0.5 * h * km;
      x += h * Math.cos(tm);
      y += h * Math.sin(tm);
      th += h * km;
    }
  }
  return [x, y];
}

/** A spec for checking a candidate profile (the lane details do not matter there). */
function plainSpec(segments: TrackSegment[], closed: boolean): TrackSpec {
  return {
    closed, laneWidthM: 3.5, shoulderM: 0.5, start: { xM: 0, yM: 0, yawRad: 0 }, segments,
    markings: { left: 'solid', right: 'solid', widthM: 0.15, dashM: 3, gapM: 9 },
  };
}

function openProfile(rng: Rng, kMax: number, lengthM: number): TrackSegment[] {
  const segs: TrackSegment[] = [{ lengthM: 40, curvature1pm: 0, rampM: 0 }];
  let total = 40;
  while (total < lengthM) {
    if (rng.uniform() < 0.35) {
      const len = rng.range(15, 60);
      segs.push({ lengthM: len, curvature1pm: 0, rampM: Math.min(len, rng.range(8, 15)) });
      total += len;
    } else {
      const radius = rng.range(1 / kMax, 120);
      const turn = rng.range(20, 110) * (Math.PI / 180);
      const len = Math.max(20, radius * turn);
      segs.push({ lengthM: len, curvature1pm: (rng.uniform() < 0.5 ? 1 : -1) / radius, rampM: Math.min(len, rng.range(8, 15)) });
      total += len;
    }
  }
  return segs;
}

function oval(kMax: number): TrackSegment[] {
  const r = Math.max(1 / kMax, 40);
  return [
    { lengthM: 80, curvature1pm: 0, rampM: 0 }, { lengthM: Math.PI * r, curvature1pm: 1 / r, rampM: 0 },
    { lengthM: 80, curvature1pm: 0, rampM: 0 }, { lengthM: Math.PI * r, curvature1pm: 1 / r, rampM: 0 },
  ];
}

/** No two points further apart than 60 m along the track may be closer than CLEARANCE_M. */
function clearOfItself(segments: TrackSegment[], closed: boolean): boolean {
  let t: Track;
  try {
    t = new Track(plainSpec(segments, closed));
  } catch {
    return false;
  }
  const stride = Math.max(1, Math.round(2 / t.dsM));
  const cell = CLEARANCE_M, grid = new Map<number, number[]>();
  // numeric cell keys: coordinates stay within ±10 km, so 2^16 columns per row is plenty
  const key = (cx: number, cy: number): number => (cy + 32768) * 65536 + (cx + 32768);
  for (let i = 0; i < t.n; i += stride) {
    const cx = Math.floor(t.x[i] / cell), cy = Math.floor(t.y[i] / cell);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const j of grid.get(key(cx + dx, cy + dy)) ?? []) {
          let ds = Math.abs(i - j) * t.dsM;
          if (closed) ds = Math.min(ds, t.lengthM - ds);
          if (ds > 60 && Math.hypot(t.x[i] - t.x[j], t.y[i] - t.y[j]) < CLEARANCE_M) return false;
        }
      }
    }
    const k = key(cx, cy);
    const list = grid.get(k) ?? [];
    list.push(i);
    grid.set(k, list);
  }
  return true;
}
