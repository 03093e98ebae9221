// Quaternion and rotation helpers for the quadrotor and its controllers. Allocation-free:
// every function reads scalars or arrays and writes into a caller-owned output.
//
// Convention: Hamilton quaternions stored [w, x, y, z]; q rotates body (FLU) vectors into the
// world (ENU) frame: v_world = q ⊗ v_body ⊗ q*. R(q) is the matching 3×3 matrix, row-major in a
// Float64Array(9): v_world = R · v_body, so R's columns are the body axes seen in the world.

/** Rotation matrix (row-major, 9) of the unit quaternion q = [w, x, y, z]. */
export function quatToRotation(q: ArrayLike<number>, r: Float64Array): void {
  const w = q[0];
  const x = q[1];
  const y = q[2];
  const z = q[3];
  const xx = x * x;
  const yy = y * y;
  const zz = z * z;
  const xy = x * y;
  const xz = x * z;
  const yz = y * z;
  const wx = w * x;
  const wy = w * y;
  const wz = w * z;
  r[0] = 1 - 2 * (yy + zz);
  r[1] = 2 * (xy - wz);
  r[2] = 2 * (xz + wy);
  r[3] = 2 * (xy + wz);
  r[4] = 1 - 2 * (xx + zz);
  r[5] = 2 * (yz - wx);
  r[6] = 2 * (xz - wy);
  r[7] = 2 * (yz + wx);
  r[8] = 1 - 2 * (xx + yy);
}

/** Unit quaternion of a proper rotation matrix (row-major 9), Shepperd's method; w ≥ 0. */
export function rotationToQuat(r: ArrayLike<number>, q: Float64Array): void {
  const tr = r[0] + r[4] + r[8];
  let w: number;
  let x: number;
  let y: number;
  let z: number;
  if (tr > 0) {
    const s = 2 * Math.sqrt(1 + tr);
    w = 0.25 * s;
    x = (r[7] - r[5]) / s;
    y = (r[2] - r[6]) / s;
    z = (r[3] - r[1]) / s;
  } else if (r[0] > r[4] && r[0] > r[8]) {
    const s = 2 * Math.sqrt(1 + r[0] - r[4] - r[8]);
    w = (r[7] - r[5]) / s;
    x = 0.25 * s;
    y = (r[1] + r[3]) / s;
    z = (r[2] + r[6]) / s;
  } else if (r[4] > r[8]) {
    const s = 2 * Math.sqrt(1 + r[4] - r[0] - r[8]);
    w = (r[2] - r[6]) / s;
    x = (r[1] + r[3]) / s;
    y = 0.25 * s;
    z = (r[5] + r[7]) / s;
  } else {
    const s = 2 * Math.sqrt(1 + r[8] - r[0] - r[4]);
    w = (r[3] - r[1]) / s;
    x = (r[2] + r[6]) / s;
    y = (r[5] + r[7]) / s;
    z = 0.25 * s;
  }
  const sign = w < 0 ? -1 : 1;
  const n = sign / Math.sqrt(w * w + x * x + y * y + z * z);
  q[0] = w * n;
  q[1] = x * n;
  q[2] = y * n;
  q[3] = z * n;
}

/** Normalise q in place; a degenerate (zero or non-finite) quaternion becomes identity. */
export function quatNormalize(q: Float64Array): void {
  const n2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  if (!(n2 > 1e-30) || !Number.isFinite(n2)) {
    q[0] = 1;
    q[1] = 0;
    q[2] = 0;
    q[3] = 0;
    return;
  }
  const inv = 1 / Math.sqrt(n2);
  q[0] *= inv;
  q[1] *= inv;
  q[2] *= inv;
  q[3] *= inv;
}

/**
 * q ← q ⊗ exp(½·ω·dt) for a body-frame rate ω (3, rad/s) held constant over dt (exact for
 * constant ω), then renormalise so rounding never lets |q| drift. ω comes in an array, not as
 * three numbers: V8 boxes computed doubles passed to a call it does not inline.
 */
export function quatIntegrateBodyRate(q: Float64Array, bodyRateRadS: ArrayLike<number>, dtS: number): void {
  const wxRadS = bodyRateRadS[0];
  const wyRadS = bodyRateRadS[1];
  const wzRadS = bodyRateRadS[2];
  const rate = Math.sqrt(wxRadS * wxRadS + wyRadS * wyRadS + wzRadS * wzRadS);
  const half = 0.5 * rate * dtS;
  // sin(h)/rate → dt/2 as rate → 0; below 1e-9 rad the series' second term is < 1e-19.
  const c = Math.cos(half);
  const k = half > 1e-9 ? Math.sin(half) / rate : 0.5 * dtS;
  const dw = c;
  const dx = wxRadS * k;
  const dy = wyRadS * k;
  const dz = wzRadS * k;
  const w = q[0];
  const x = q[1];
  const y = q[2];
  const z = q[3];
  q[0] = w * dw - x * dx - y * dy - z * dz;
  q[1] = w * dx + x * dw + y * dz - z * dy;
  q[2] = w * dy - x * dz + y * dw + z * dx;
  q[3] = w * dz + x * dy - y * dx + z * dw;
  quatNormalize(q);
}

/** Quaternion of a pure yaw (rotation about world up) by yawRad. */
export function quatFromYaw(yawRad: number, q: Float64Array): void {
  q[0] = Math.cos(0.5 * yawRad);
  q[1] = 0;
  q[2] = 0;
  q[3] = Math.sin(0.5 * yawRad);
}

/** Yaw (heading, CCW from world +x/East, rad in (−π, π]) of the body x axis, ZYX convention. */
export function quatYaw(q: ArrayLike<number>): number {
  const w = q[0];
  const x = q[1];
  const y = q[2];
  const z = q[3];
  return Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
}

/** Wrap an angle to (−π, π]. */
export function wrapPi(a: number): number {
  if (a > -Math.PI && a <= Math.PI) return a;
  const t = a - 2 * Math.PI * Math.floor((a + Math.PI) / (2 * Math.PI));
  return t === -Math.PI ? Math.PI : t;
}

/** out ← a ⊗ b (Hamilton). out may alias a or b. */
export function quatMul(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array): void {
  const aw = a[0];
  const ax = a[1];
  const ay = a[2];
  const az = a[3];
  const bw = b[0];
  const bx = b[1];
  const by = b[2];
  const bz = b[3];
  out[0] = aw * bw - ax * bx - ay * by - az * bz;
  out[1] = aw * bx + ax * bw + ay * bz - az * by;
  out[2] = aw * by - ax * bz + ay * bw + az * bx;
  out[3] = aw * bz + ax * by - ay * bx + az * bw;
}

/** out ← a* ⊗ b (conjugate of a, i.e. inverse for unit a, times b). out may alias a or b. */
export function quatConjMul(a: ArrayLike<number>, b: ArrayLike<number>, out: Float64Array): void {
  const aw = a[0];
  const ax = -a[1];
  const ay = -a[2];
  const az = -a[3];
  const bw = b[0];
  const bx = b[1];
  const by = b[2];
  const bz = b[3];
  out[0] = aw * bw - ax * bx - ay * by - az * bz;
  out[1] = aw * bx + ax * bw + ay * bz - az * by;
  out[2] = aw * by - ax * bz + ay * bw + az * bx;
  out[3] = aw * bz + ax * by - ay * bx + az * bw;
}
