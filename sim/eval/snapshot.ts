// snapshot(world, trajectory) → PNG bytes: a top-down view of the world (textured ground, road
// and markings as the cameras see them, obstacles, target) with the driven path in red, the
// start in blue, and the last camera frame inset at 4× in the top-left corner.

import { clamp01 } from '../core/math.ts';
import { GroundField } from '../sensors/ground-field.ts';
import { expandForest } from '../world/forest.ts';
import { Track } from '../world/track.ts';
import type { StaticSpec, VehicleSpec, WorldSpec } from '../world/types.ts';
import type { Trajectory } from './jobs.ts';
import { encodePng } from './png.ts';

export interface SnapshotOptions {
  /** longer side of the image, pixels (default 640) */
  readonly sizePx?: number;
  /** the run seed (textures, shadows and forests depend on it); default the world's */
  readonly seed?: number;
  /** obstacle density multiplier the run used (the `density` perturbation) */
  readonly density?: number;
}

type Rgb = readonly [number, number, number];
const RED: Rgb = [220, 30, 30];
const BLUE: Rgb = [40, 80, 230];
const TARGET: Rgb = [250, 160, 0];

export function snapshot(world: WorldSpec, trajectory: Trajectory | null, opts: SnapshotOptions = {}): Uint8Array {
  const seed = opts.seed ?? world.seed;
  const track = world.track === null ? null : new Track(world.track);
  const ground = new GroundField(track, world.appearance, seed);
  const vehicles = world.models.filter((m): m is VehicleSpec => m.kind === 'vehicle');
  const clear = vehicles.map((v) => ({ xM: v.pose.xM, yM: v.pose.yM }));
  if (world.target !== null) clear.push({ xM: world.target.positionM[0], yM: world.target.positionM[1] });
  const statics: StaticSpec[] = [...world.models.filter((m): m is StaticSpec => m.kind !== 'vehicle' && m.kind !== 'plane')];
  if (world.forest !== null) statics.push(...expandForest(world.forest, opts.density ?? 1, seed, clear));
  // bounds: track, path, bodies, target, vehicles
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  const grow = (x: number, y: number, r = 0): void => {
    x0 = Math.min(x0, x - r); x1 = Math.max(x1, x + r); y0 = Math.min(y0, y - r); y1 = Math.max(y1, y + r);
  };
  if (track !== null) {
    const b = track.bounds(world.track!.laneWidthM + 4);
    grow(b.xMin, b.yMin); grow(b.xMax, b.yMax);
  }
  for (const s of statics) if (s.kind !== 'plane') grow(s.pose.xM, s.pose.yM, 1);
  for (const v of vehicles) grow(v.pose.xM, v.pose.yM, 5);
  if (world.target !== null) grow(world.target.positionM[0], world.target.positionM[1], 3);
  if (trajectory !== null) trajectory.xM.forEach((x, i) => grow(x, trajectory.yM[i], 3));
  const size = opts.sizePx ?? 640;
  const mPerPx = Math.max(x1 - x0, y1 - y0) / size;
  const W = Math.max(1, Math.ceil((x1 - x0) / mPerPx)), H = Math.max(1, Math.ceil((y1 - y0) / mPerPx));
  const rgb = new Uint8Array(W * H * 3);
  const toPx = (x: number, y: number): [number, number] => [(x - x0) / mPerPx, (y1 - y) / mPerPx];
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const g = clamp01(ground.shade(x0 + (c + 0.5) * mPerPx, y1 - (r + 0.5) * mPerPx, mPerPx) * world.appearance.brightness);
      const i = (r * W + c) * 3;
      // a green tint: the grey ground as a person would picture it
      rgb[i] = Math.round(g * 230); rgb[i + 1] = Math.round(g * 255); rgb[i + 2] = Math.round(g * 215);
    }
  }
  const put = (px: number, py: number, col: Rgb): void => {
    const c = Math.floor(px), r = Math.floor(py);
    if (c < 0 || r < 0 || c >= W || r >= H) return;
    const i = (r * W + c) * 3;
    rgb[i] = col[0]; rgb[i + 1] = col[1]; rgb[i + 2] = col[2];
  };
  const disc = (x: number, y: number, radiusPx: number, col: Rgb, ring = false): void => {
    const [cx, cy] = toPx(x, y), R = Math.max(1, radiusPx);
    for (let dy = -R - 1; dy <= R + 1; dy++) {
      for (let dx = -R - 1; dx <= R + 1; dx++) {
        const d = Math.hypot(dx, dy);
        if (ring ? Math.abs(d - R) < 1 : d <= R) put(cx + dx, cy + dy, col);
      }
    }
  };
  for (const s of statics) {
    const shade = Math.round(s.shade * 160);
    const col: Rgb = [shade + 60, shade + 35, shade + 10];
    if (s.kind === 'cylinder') disc(s.pose.xM, s.pose.yM, s.radiusM / mPerPx, col);
    else if (s.kind === 'box') {
      const c = Math.cos(s.pose.yawRad), sn = Math.sin(s.pose.yawRad), hx = s.sizeM[0] / 2, hy = s.sizeM[1] / 2;
      const step = mPerPx / 2;
      for (let u = -hx; u <= hx; u += step) for (let v = -hy; v <= hy; v += step) put(...toPx(s.pose.xM + c * u - sn * v, s.pose.yM + sn * u + c * v), col);
    }
  }
  if (world.target !== null) disc(world.target.positionM[0], world.target.positionM[1], Math.max(3, world.target.radiusM / mPerPx), TARGET, true);
  if (trajectory !== null && trajectory.xM.length > 0) {
    for (let k = 1; k < trajectory.xM.length; k++) {
      const [ax, ay] = toPx(trajectory.xM[k - 1], trajectory.yM[k - 1]), [bx, by] = toPx(trajectory.xM[k], trajectory.yM[k]);
      const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) * 2));
      for (let j = 0; j <= n; j++) {
        const px = ax + ((bx - ax) * j) / n, py = ay + ((by - ay) * j) / n;
        put(px, py, RED); put(px + 1, py, RED); put(px, py + 1, RED);
      }
    }
    disc(trajectory.xM[0], trajectory.yM[0], 4, BLUE);
  }
  if (trajectory?.camera != null) inset(rgb, W, H, trajectory.camera);
  return encodePng(W, H, rgb);
}

/** The camera frame at 4× (nearest neighbour) with a white frame, top-left. */
function inset(rgb: Uint8Array, W: number, H: number, cam: NonNullable<Trajectory['camera']>): void {
  const k = 4, ox = 6, oy = 6;
  for (let r = -2; r < cam.height * k + 2; r++) {
    for (let c = -2; c < cam.width * k + 2; c++) {
      const px = ox + c, py = oy + r;
      if (px < 0 || py < 0 || px >= W || py >= H) continue;
      const inside = r >= 0 && c >= 0 && r < cam.height * k && c < cam.width * k;
      const v = inside ? Math.round(clamp01(cam.data[Math.floor(r / k) * cam.width + Math.floor(c / k)]) * 255) : 255;
      const i = (py * W + px) * 3;
      rgb[i] = v; rgb[i + 1] = v; rgb[i + 2] = v;
    }
  }
}
