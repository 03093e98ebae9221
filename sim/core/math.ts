// Small numeric helpers shared by the simulator. Angles in radians, wrapped to (-π, π].

export const TAU = 2 * Math.PI;
export const DEG = Math.PI / 180;

export function wrapAngle(a: number): number {
  if (a > -Math.PI && a <= Math.PI) return a;
  const w = a - TAU * Math.floor((a + Math.PI) / TAU);
  return w <= -Math.PI ? w + TAU : w;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

/** A mutable 3-vector (no allocation in hot paths: callers own and reuse these). */
export interface Vec3 {
  x: number;
  y: number;
  z: number;
}

export function vec3(x = 0, y = 0, z = 0): Vec3 {
  return { x, y, z };
}

/**
 * Rotation matrix body→world for intrinsic Z-Y-X (yaw, pitch, roll), ROS REP 103 (x forward,
 * y left, z up), written row-major into `m` (length 9).
 */
export function rotationZYX(yawRad: number, pitchRad: number, rollRad: number, m: Float64Array): void {
  const cy = Math.cos(yawRad), sy = Math.sin(yawRad);
  const cp = Math.cos(pitchRad), sp = Math.sin(pitchRad);
  const cr = Math.cos(rollRad), sr = Math.sin(rollRad);
  m[0] = cy * cp; m[1] = cy * sp * sr - sy * cr; m[2] = cy * sp * cr + sy * sr;
  m[3] = sy * cp; m[4] = sy * sp * sr + cy * cr; m[5] = sy * sp * cr - cy * sr;
  m[6] = -sp; m[7] = cp * sr; m[8] = cp * cr;
}

/** Quaternion (x, y, z, w) of intrinsic Z-Y-X angles, for sensor_msgs/Imu orientation. */
export function quaternionZYX(yawRad: number, pitchRad: number, rollRad: number, out: { x: number; y: number; z: number; w: number }): void {
  const cy = Math.cos(yawRad / 2), sy = Math.sin(yawRad / 2);
  const cp = Math.cos(pitchRad / 2), sp = Math.sin(pitchRad / 2);
  const cr = Math.cos(rollRad / 2), sr = Math.sin(rollRad / 2);
  out.w = cr * cp * cy + sr * sp * sy;
  out.x = sr * cp * cy - cr * sp * sy;
  out.y = cr * sp * cy + sr * cp * sy;
  out.z = cr * cp * sy - sr * sp * cy;
}
