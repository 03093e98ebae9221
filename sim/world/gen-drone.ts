// Seeded drone worlds: a forest of trunks and square pillars between the start and a target
// 30–50 m away (bearing ±20°, 1–3 m up), with varied density, obstacle sizes and lighting. The
// forest stays a `forest` block (expanded when the world is built, so the `density`
// perturbation applies); the output is a `lnn-world/1` document like a hand-written one.

import { Rng } from '../core/rng.ts';
import { WORLD_FORMAT } from './types.ts';

export interface DroneGenOptions {
  /** obstacles per 100 m² (default drawn in [0.8, 2.0]: mean spacing 7–11 m) */
  readonly densityPer100m2?: number;
  readonly timeoutS?: number;
}

type Doc = Record<string, unknown>;

function round(x: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

export function generateDroneDoc(seed: number, opts: DroneGenOptions = {}): Doc {
  const rng = Rng.stream(seed, 'gen-drone');
  const dist = rng.range(30, 50);
  const bearing = rng.range(-20, 20) * (Math.PI / 180);
  const tx = round(dist * Math.cos(bearing), 3), ty = round(dist * Math.sin(bearing), 3), tz = round(rng.range(1, 3), 3);
  const density = opts.densityPer100m2 ?? round(rng.range(0.8, 2.0), 3);
  return {
    format: WORLD_FORMAT, name: `drone-${seed}`, description: `generated: forest flight, seed ${seed}`, seed,
    // 300 Hz: the PX4-style rate loop runs at the physics rate (sim-anchors §6.3: 250–500 Hz)
    physics: { rate_hz: 300 },
    appearance: {
      brightness: round(rng.range(0.75, 1.25), 3), sky: round(rng.range(0.6, 0.95), 3), grass: round(rng.range(0.35, 0.6), 3),
      texture: round(rng.range(0.02, 0.07), 3),
    },
    models: [droneModel()],
    forest: {
      x_min_m: -5, x_max_m: round(tx + 10, 3), y_min_m: round(Math.min(0, ty) - 12, 3), y_max_m: round(Math.max(0, ty) + 12, 3),
      density_per_100m2: density, trunk_radius_m: [0.15, 0.4], height_m: 12, pillar_fraction: 0.2, pillar_size_m: [0.4, 1.0],
      clear_radius_m: 3, min_spacing_m: 1.5,
    },
    target: { position_m: [tx, ty, tz], radius_m: 0.5 },
    task: { type: 'drone', vehicle: 'drone', timeout_s: opts.timeoutS ?? 30, control_hz: 30, success_radius_m: 2, cruise_mps: 2 },
  };
}

/** The drone every generated world uses (the quadrotor's own params default inside its factory). */
export function droneModel(): Doc {
  return {
    name: 'drone', type: 'quadrotor', pose: { x_m: 0, y_m: 0, z_m: 1.5, yaw_rad: 0 }, params: {},
    sensors: [
      { name: 'depth', type: 'depth', rate_hz: 30, width: 32, height: 24, hfov_deg: 90, max_range_m: 20, mount: { x_m: 0.1 } },
      { name: 'rays', type: 'rays', rate_hz: 10, count: 32, fov_deg: 180, max_range_m: 20 },
      { name: 'imu', type: 'imu', rate_hz: 300, noise_std: 0.05, gyro_noise_std: 0.005 },
      { name: 'gps', type: 'gps', rate_hz: 10, noise_std: 0.5 },
      { name: 'contact', type: 'contact' },
    ],
  };
}
