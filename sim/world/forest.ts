// Expands a world's `forest` block into static bodies: trunks (vertical cylinders) and square
// pillars (boxes), placed uniformly at random with a minimum spacing (dart throwing on a hash
// grid) and kept clear of the vehicle start and the target. Seeded: the same seed and density
// give the same forest; the `density` perturbation multiplies the obstacle count.

import { Rng } from '../core/rng.ts';
import type { ForestSpec, StaticSpec } from './types.ts';

export interface ClearPoint {
  readonly xM: number;
  readonly yM: number;
}

export function expandForest(f: ForestSpec, densityScale: number, seed: number, clear: readonly ClearPoint[]): StaticSpec[] {
  const rng = Rng.stream(seed, 'forest');
  const w = f.xMaxM - f.xMinM, h = f.yMaxM - f.yMinM;
  const target = Math.round((w * h * f.densityPer100m2 * densityScale) / 100);
  const out: StaticSpec[] = [];
  if (target <= 0) return out;
  // spacing is centre to centre plus both radii; hash cells of the largest possible reach
  const maxR = Math.max(f.trunkRadiusM[1], f.pillarSizeM[1] * Math.SQRT1_2);
  const cell = Math.max(1, 2 * maxR + f.minSpacingM);
  const gx = Math.ceil(w / cell) + 1, gy = Math.ceil(h / cell) + 1;
  const grid = new Map<number, { x: number; y: number; r: number }[]>();
  const attempts = target * 20;
  for (let a = 0; a < attempts && out.length < target; a++) {
    const x = f.xMinM + rng.uniform() * w, y = f.yMinM + rng.uniform() * h;
    const pillar = rng.uniform() < f.pillarFraction;
    const size = pillar ? rng.range(f.pillarSizeM[0], f.pillarSizeM[1]) : rng.range(f.trunkRadiusM[0], f.trunkRadiusM[1]);
    const yaw = pillar ? rng.uniform() * Math.PI : 0;
    const shade = rng.range(0.15, 0.4);
    const r = pillar ? size * Math.SQRT1_2 : size;
    if (clear.some((c) => Math.hypot(c.xM - x, c.yM - y) < f.clearRadiusM + r)) continue;
    const cx = Math.floor((x - f.xMinM) / cell), cy = Math.floor((y - f.yMinM) / cell);
    let ok = true;
    for (let j = cy - 1; j <= cy + 1 && ok; j++) {
      for (let i = cx - 1; i <= cx + 1 && ok; i++) {
        for (const o of grid.get(j * gx + i) ?? []) {
          if (Math.hypot(o.x - x, o.y - y) < o.r + r + f.minSpacingM) { ok = false; break; }
        }
      }
    }
    if (!ok || cy < 0 || cy >= gy) continue;
    const key = cy * gx + cx;
    const list = grid.get(key) ?? [];
    list.push({ x, y, r });
    grid.set(key, list);
    const pose = { xM: x, yM: y, zM: f.heightM / 2, rollRad: 0, pitchRad: 0, yawRad: yaw };
    const name = `${pillar ? 'pillar' : 'trunk'}_${out.length}`;
    out.push(pillar
      ? { kind: 'box', name, pose, sizeM: [size, size, f.heightM], shade }
      : { kind: 'cylinder', name, pose, radiusM: size, lengthM: f.heightM, shade });
  }
  return out;
}
