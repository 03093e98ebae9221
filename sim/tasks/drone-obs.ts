// The drone policy contract (sim/docs/drone.md): what a model policy sees and what its outputs
// mean. The runner, a dataset recorder and a trainer all build observations and decode outputs
// here, so a model trained on recorded expert flights runs in the simulator without code changes.
//
// Input (H·W + 7 values, in this order):
//   [0, H·W)      depth image, row-major, top row first, depth / 20 m clamped to [0, 1] (1 = far or no return)
//   H·W + 0..2    unit vector to the target, heading frame (x forward, y left, z up)
//   H·W + 3       distance to the target / 50 m, clamped to [0, 2]
//   H·W + 4..6    vehicle velocity, heading frame, / 4 m/s, clamped to [−2, 2]
// Output (4 values): clamp(y, −1, 1) × [4 m/s, 2 m/s, 1.5 m/s, 2 rad/s] = vx, vy, vz (heading
// frame: forward, left, up) and yaw rate (CCW) — the quadrotor's command (quadrotor-engine.ts).
// "Heading frame" = body frame with roll and pitch removed (yaw only), the frame the DJI/PX4
// velocity interface of Chahine et al. 2023 takes its commands in (sim-anchors §3.1).

import type { BodyState } from '../engine/vehicle.ts';

/** depth that maps to 1.0 (the generated depth camera's max range), m */
export const DEPTH_SCALE_M = 20;
/** target distance that maps to 1.0, m (generated targets are 30–50 m away) */
export const GOAL_DIST_SCALE_M = 50;
/** velocity that maps to 1.0, m/s */
export const VEL_SCALE_MPS = 4;
/** output scale and command limit per slot: vx, vy, vz (m/s), yaw rate (rad/s) */
export const DRONE_CMD_SCALE: readonly number[] = [4, 2, 1.5, 2];
/** values after the depth image: goal unit vector (3), goal distance (1), velocity (3) */
export const DRONE_STATE_INPUTS = 7;
export const DRONE_OUTPUTS = 4;

/** a generated world's depth camera (gen-drone keeps hfov 90°, max range 20 m): 32 × 8 pixels */
export const DRONE_DEPTH_WIDTH = 32;
export const DRONE_DEPTH_HEIGHT = 8;

export function droneInputSize(depthPixels: number): number {
  return depthPixels + DRONE_STATE_INPUTS;
}

function clampTo(x: number, lo: number, hi: number, ifNaN: number): number {
  return x > lo ? (x < hi ? x : hi) : x <= lo ? lo : ifNaN;
}

/** Writes depth / 20 m into out[0, n) (NaN and +Inf read as far: 1). */
export function writeDepthInputs(depthM: ArrayLike<number>, out: Float64Array | Float32Array): void {
  for (let i = 0; i < depthM.length; i++) out[i] = clampTo(depthM[i] / DEPTH_SCALE_M, 0, 1, 1);
}

/**
 * Writes the 7 state inputs at out[offset..offset+7) from the true body state and target
 * (an ideal state estimator: the vehicle's own navigation solution).
 */
export function writeStateInputs(body: BodyState, targetM: readonly number[], out: Float64Array | Float32Array, offset: number): void {
  const c = Math.cos(body.yawRad), s = Math.sin(body.yawRad);
  const gx = targetM[0] - body.xM, gy = targetM[1] - body.yM, gz = targetM[2] - body.zM;
  const d = Math.sqrt(gx * gx + gy * gy + gz * gz);
  const inv = d > 1e-9 ? 1 / d : 0;
  out[offset] = (c * gx + s * gy) * inv;
  out[offset + 1] = (-s * gx + c * gy) * inv;
  out[offset + 2] = gz * inv;
  out[offset + 3] = clampTo(d / GOAL_DIST_SCALE_M, 0, 2, 0);
  out[offset + 4] = clampTo((c * body.vxMps + s * body.vyMps) / VEL_SCALE_MPS, -2, 2, 0);
  out[offset + 5] = clampTo((-s * body.vxMps + c * body.vyMps) / VEL_SCALE_MPS, -2, 2, 0);
  out[offset + 6] = clampTo(body.vzMps / VEL_SCALE_MPS, -2, 2, 0);
}

/** Model outputs → command [vx, vy, vz, yawRate]; non-finite outputs command 0 on that slot. */
export function outputToCommand(y: ArrayLike<number>, cmd: Float64Array): void {
  for (let k = 0; k < DRONE_OUTPUTS; k++) {
    const v = y[k];
    cmd[k] = Number.isFinite(v) ? clampTo(v, -1, 1, 0) * DRONE_CMD_SCALE[k] : 0;
  }
}

/** Command → the output a model should produce for it (the imitation label), in [−1, 1]. */
export function commandToOutput(cmd: ArrayLike<number>, y: Float64Array | Float32Array): void {
  for (let k = 0; k < DRONE_OUTPUTS; k++) y[k] = clampTo(cmd[k] / DRONE_CMD_SCALE[k], -1, 1, 0);
}

/** Clamps a command in place to the contract's limits (every driver flies inside the same box). */
export function limitCommand(cmd: Float64Array): void {
  for (let k = 0; k < DRONE_OUTPUTS; k++) cmd[k] = clampTo(cmd[k], -DRONE_CMD_SCALE[k], DRONE_CMD_SCALE[k], 0);
}
