// Attitude setpoint and attitude P loop, after PX4 `ControlMath::bodyzToAttitude` and
// `AttitudeControl::update` (quaternion error, reduced attitude first, yaw weighted), in the
// FLU body / ENU world frames of sim/vehicles/quadrotor.ts. Allocation-free: scratch lives in
// AttitudeCtlState.

import { quatConjMul, quatMul, quatNormalize, rotationToQuat } from '../vehicles/quadrotor-quat.ts';
import type { Px4Gains } from './px4-params.ts';

export interface AttitudeCtlState {
  /** (9) scratch rotation matrix */
  readonly r: Float64Array;
  /** (4) scratch quaternions */
  readonly qRed: Float64Array;
  readonly qMix: Float64Array;
  readonly qd: Float64Array;
}

/**
 * What the velocity loop hands the attitude loop (PX4 vehicle_attitude_setpoint). Doubles travel
 * in this object rather than as call arguments: V8 boxes a computed double passed to a call it
 * does not inline, which would allocate in every step.
 */
export interface AttitudeSetpoint {
  /** (3) thrust vector, world ENU, N */
  readonly thrustN: Float64Array;
  /** heading, rad CCW from East */
  yawRad: number;
  /** yaw rate about world up, feed-forward, rad/s */
  yawRateFfRadS: number;
  /** (4) attitude setpoint [w, x, y, z], body FLU → world ENU (written by thrustToAttitude) */
  readonly quat: Float64Array;
}

export function makeAttitudeSetpoint(): AttitudeSetpoint {
  return { thrustN: new Float64Array(3), yawRad: 0, yawRateFfRadS: 0, quat: new Float64Array([1, 0, 0, 0]) };
}

export function makeAttitudeCtlState(): AttitudeCtlState {
  return {
    r: new Float64Array(9),
    qRed: new Float64Array(4),
    qMix: new Float64Array(4),
    qd: new Float64Array(4),
  };
}

/**
 * Attitude setpoint whose body z axis points along sp.thrustN (world ENU, any length > 0) and
 * whose heading is sp.yawRad (CCW from East). Writes sp.quat [w,x,y,z].
 * The velocity loop keeps thrust z ≥ MPC_THR_MIN·T_max > 0, so the tilt is < 90° and the
 * heading is well defined.
 */
export function thrustToAttitude(st: AttitudeCtlState, sp: AttitudeSetpoint): void {
  const thrustN = sp.thrustN;
  const yawSpRad = sp.yawRad;
  let zx = thrustN[0];
  let zy = thrustN[1];
  let zz = thrustN[2];
  const n = Math.sqrt(zx * zx + zy * zy + zz * zz);
  if (!(n > 1e-12)) {
    zx = 0;
    zy = 0;
    zz = 1;
  } else {
    zx /= n;
    zy /= n;
    zz /= n;
  }
  // x_B = y_C × z_B with y_C = (−sin ψ, cos ψ, 0), the heading's left axis.
  const ycx = -Math.sin(yawSpRad);
  const ycy = Math.cos(yawSpRad);
  let xx = ycy * zz;
  let xy = -ycx * zz;
  let xz = ycx * zy - ycy * zx;
  const nx = Math.sqrt(xx * xx + xy * xy + xz * xz);
  xx /= nx;
  xy /= nx;
  xz /= nx;
  // y_B = z_B × x_B
  const yx = zy * xz - zz * xy;
  const yy = zz * xx - zx * xz;
  const yz = zx * xy - zy * xx;
  const r = st.r;
  r[0] = xx;
  r[1] = yx;
  r[2] = zx;
  r[3] = xy;
  r[4] = yy;
  r[5] = zy;
  r[6] = xz;
  r[7] = yz;
  r[8] = zz;
  rotationToQuat(r, sp.quat);
}

/**
 * Attitude P loop. q and sp.quat are [w,x,y,z] body→world; sp.yawRateFfRadS is the commanded
 * yaw rate about world up (feed-forward). Writes body-rate setpoints (FLU, rad/s, limited)
 * into rateSpRadS (3).
 */
export function stepAttitudeCtl(
  g: Px4Gains,
  st: AttitudeCtlState,
  q: ArrayLike<number>,
  sp: AttitudeSetpoint,
  rateSpRadS: Float64Array,
): void {
  const qSp = sp.quat;
  const yawRateFfRadS = sp.yawRateFfRadS;
  const qd = st.qd;
  qd[0] = qSp[0];
  qd[1] = qSp[1];
  qd[2] = qSp[2];
  qd[3] = qSp[3];

  // Body z of the current and desired attitude, world frame (third column of R).
  const w = q[0];
  const x = q[1];
  const y = q[2];
  const z = q[3];
  const ezx = 2 * (x * z + w * y);
  const ezy = 2 * (y * z - w * x);
  const ezz = 1 - 2 * (x * x + y * y);
  const dzx = 2 * (qd[1] * qd[3] + qd[0] * qd[2]);
  const dzy = 2 * (qd[2] * qd[3] - qd[0] * qd[1]);
  const dzz = 1 - 2 * (qd[1] * qd[1] + qd[2] * qd[2]);

  // Reduced attitude: the shortest rotation taking e_z onto e_z_d, applied to q. It fixes the
  // thrust direction first and leaves yaw alone (PX4: "full attitude control would also
  // correct yaw, which is slow on multicopters").
  const qRed = st.qRed;
  const cx = ezy * dzz - ezz * dzy;
  const cy = ezz * dzx - ezx * dzz;
  const cz = ezx * dzy - ezy * dzx;
  const dot = ezx * dzx + ezy * dzy + ezz * dzz;
  qRed[0] = 1 + dot;
  qRed[1] = cx;
  qRed[2] = cy;
  qRed[3] = cz;
  const nRed = qRed[0] * qRed[0] + cx * cx + cy * cy + cz * cz;
  if (nRed < 1e-10) {
    // Thrust axes opposite (180°): no unique shortest rotation; take the full setpoint.
    qRed[0] = qd[0];
    qRed[1] = qd[1];
    qRed[2] = qd[2];
    qRed[3] = qd[3];
  } else {
    quatNormalize(qRed);
    quatMul(qRed, q, qRed);
  }

  // Yaw part of the setpoint relative to the reduced attitude, scaled by the yaw weight.
  const qMix = st.qMix;
  quatConjMul(qRed, qd, qMix);
  if (qMix[0] < 0) {
    qMix[0] = -qMix[0];
    qMix[3] = -qMix[3];
  }
  const mw = qMix[0] > 1 ? 1 : qMix[0] < -1 ? -1 : qMix[0];
  const mz = qMix[3] > 1 ? 1 : qMix[3] < -1 ? -1 : qMix[3];
  qMix[0] = Math.cos(g.yawWeight * Math.acos(mw));
  qMix[1] = 0;
  qMix[2] = 0;
  qMix[3] = Math.sin(g.yawWeight * Math.asin(mz));
  quatMul(qRed, qMix, qd);

  // Error quaternion in the body frame; 2·imag of its canonical form ≈ rotation vector.
  quatConjMul(q, qd, qd);
  const s = qd[0] < 0 ? -2 : 2;
  let rx = s * qd[1] * g.attP[0];
  let ry = s * qd[2] * g.attP[1];
  let rz = s * qd[3] * g.attP[2];

  // Yaw-rate feed-forward: world-up rate expressed in body axes = third row of R(q).
  if (Number.isFinite(yawRateFfRadS)) {
    rx += 2 * (x * z - w * y) * yawRateFfRadS;
    ry += 2 * (y * z + w * x) * yawRateFfRadS;
    rz += (1 - 2 * (x * x + y * y)) * yawRateFfRadS;
  }

  const lim = g.rateMaxRadS;
  rateSpRadS[0] = rx > lim[0] ? lim[0] : rx < -lim[0] ? -lim[0] : rx;
  rateSpRadS[1] = ry > lim[1] ? lim[1] : ry < -lim[1] ? -lim[1] : ry;
  rateSpRadS[2] = rz > lim[2] ? lim[2] : rz < -lim[2] ? -lim[2] : rz;
  if (!Number.isFinite(rateSpRadS[0] + rateSpRadS[1] + rateSpRadS[2])) rateSpRadS.fill(0);
}
