// Quadrotor rigid body + motors (sim-anchors.md §6.2): first-order motor lag, f = kF·ω²,
// m = kM·ω², gravity, drag on the air-relative velocity, Newton–Euler with the inertia, semi-
// implicit Euler, quaternion exponential map + renormalisation, and a floor.
//
// Frames (same as ROS REP-103 and the drone papers' commands, §3.1):
//   world  ENU: x East, y North, z Up; gravity −z; the floor is z = params.groundZM.
//   body   FLU: x Forward, y Left, z Up; rotors thrust along +z_body.
//   state.quat [w,x,y,z] rotates body vectors into the world.
//
// Rotor layout, X configuration, PX4 "quad x" numbering (index i = PX4 motor i+1), top view:
//
//          front (+x_body)
//      2 (CW)      0 (CCW)          i  position (x, y)/(L/√2)   spin (seen from above)
//          \      /                 0  (+1, −1) front-right     CCW
//           [body]     +y_body ←    1  (−1, +1) rear-left       CCW
//          /      \                 2  (+1, +1) front-left      CW
//      1 (CCW)     3 (CW)           3  (−1, −1) rear-right      CW
//
// A rotor spinning CCW pushes the body CW (reaction), so
//   τx (roll)  = L/√2 · (−f0 + f1 + f2 − f3)
//   τy (pitch) = L/√2 · (−f0 + f1 − f2 + f3)       (+τy tilts the nose down → accelerates forward)
//   τz (yaw)   = kM · (−ω0² − ω1² + ω2² + ω3²)     (speed up the CW pair to yaw CCW/left)
//
// Floor [R]: inelastic and sticky. On the floor while the net vertical force is ≤ 0 the body is
// held (v = 0, ω = 0, attitude kept); crossing the floor from above clamps z and zeroes v and ω.

import type { QuadrotorParams } from './quadrotor-params.ts';
import { quatIntegrateBodyRate, quatToRotation } from './quadrotor-quat.ts';

/** x position sign of rotor i in units of L/√2 (PX4 quad x). */
export const ROTOR_X_SIGN: readonly number[] = [1, -1, 1, -1];
/** y position sign of rotor i in units of L/√2. */
export const ROTOR_Y_SIGN: readonly number[] = [-1, 1, 1, -1];
/** spin of rotor i seen from above: +1 CCW, −1 CW. */
export const ROTOR_SPIN_CCW: readonly number[] = [1, 1, -1, -1];

export interface QuadState {
  /** (3) world ENU position of the centre of mass, m */
  readonly positionM: Float64Array;
  /** (3) world ENU velocity, m/s */
  readonly velocityMps: Float64Array;
  /** (4) attitude [w, x, y, z], body FLU → world ENU, unit norm */
  readonly quat: Float64Array;
  /** (3) body FLU angular velocity, rad/s */
  readonly bodyRateRadS: Float64Array;
  /** (4) rotor speeds, rad/s, PX4 quad-x order */
  readonly motorSpeedRadS: Float64Array;
  /** (3) world ENU acceleration of the last step (0 while held by the floor), m/s² — for an IMU */
  readonly accelMps2: Float64Array;
  /** (9) R(quat) of the last step, row-major — scratch, valid after a step */
  readonly rot: Float64Array;
  /** true while resting on (or just touched) the floor */
  onGround: boolean;
  /** simulated time, s */
  timeS: number;
}

export function makeQuadState(): QuadState {
  const s: QuadState = {
    positionM: new Float64Array(3),
    velocityMps: new Float64Array(3),
    quat: new Float64Array(4),
    bodyRateRadS: new Float64Array(3),
    motorSpeedRadS: new Float64Array(4),
    accelMps2: new Float64Array(3),
    rot: new Float64Array(9),
    onGround: false,
    timeS: 0,
  };
  resetQuadState(s);
  return s;
}

/** Zero everything; identity attitude at the origin. */
export function resetQuadState(s: QuadState): void {
  s.positionM.fill(0);
  s.velocityMps.fill(0);
  s.quat.fill(0);
  s.quat[0] = 1;
  s.bodyRateRadS.fill(0);
  s.motorSpeedRadS.fill(0);
  s.accelMps2.fill(0);
  quatToRotation(s.quat, s.rot);
  s.onGround = false;
  s.timeS = 0;
}

/**
 * Advance the vehicle by dtS. motorCmdRadS (4) are rotor speed commands in rad/s (clamped to
 * [min, max]; non-finite → 0), windMps (3) the world ENU air velocity at the vehicle.
 * dtS must be finite and > 0 (otherwise nothing happens). Keep it ≤ 5 ms (≥ 200 Hz) when a
 * controller closes the rate loop through this step: the tuned rate loop (sim/control) has
 * poles near 25 rad/s and explicit Euler needs dt well below their inverse.
 */
export function stepQuadrotor(
  p: QuadrotorParams,
  s: QuadState,
  motorCmdRadS: ArrayLike<number>,
  windMps: ArrayLike<number>,
  dtS: number,
): void {
  if (!(dtS > 0) || !Number.isFinite(dtS)) return;
  const w = s.motorSpeedRadS;

  // --- motors: exact discretisation of ω̇ = (ω_cmd − ω)/τ over dtS -----------------------
  const lag = 1 - Math.exp(-dtS / p.motorTauS);
  const wMin = p.motorSpeedMinRadS;
  const wMax = p.motorSpeedMaxRadS;
  for (let i = 0; i < 4; i++) {
    let c = motorCmdRadS[i];
    if (!Number.isFinite(c)) c = 0;
    c = c < wMin ? wMin : c > wMax ? wMax : c;
    w[i] += (c - w[i]) * lag;
  }

  // --- rotor forces and torques (body FLU), from the updated speeds -----------------------
  const w0 = w[0] * w[0];
  const w1 = w[1] * w[1];
  const w2 = w[2] * w[2];
  const w3 = w[3] * w[3];
  const kF = p.kThrustNPerRadS2;
  const d = (p.armLengthM * Math.SQRT1_2) * kF;
  const thrustN = kF * (w0 + w1 + w2 + w3);
  const tauX = d * (-w0 + w1 + w2 - w3);
  const tauY = d * (-w0 + w1 - w2 + w3);
  const tauZ = p.kTorqueNmPerRadS2 * (-w0 - w1 + w2 + w3);
  const sumW = w[0] + w[1] + w[2] + w[3];

  // --- drag on the air-relative velocity, in body axes ------------------------------------
  const r = s.rot;
  quatToRotation(s.quat, r);
  const v = s.velocityMps;
  const ax0 = v[0] - windMps[0];
  const ay0 = v[1] - windMps[1];
  const az0 = v[2] - windMps[2];
  // v_body = Rᵀ·v_air
  const bx = r[0] * ax0 + r[3] * ay0 + r[6] * az0;
  const by = r[1] * ax0 + r[4] * ay0 + r[7] * az0;
  const bz = r[2] * ax0 + r[5] * ay0 + r[8] * az0;
  const speed = Math.sqrt(bx * bx + by * by + bz * bz);
  const cD = p.parasiticDragNPerMps2;
  const kXy = p.rotorDragXyNPerRadSMps * sumW;
  const kZ = p.rotorDragZNPerRadSMps * sumW;
  const fbx = -(kXy + cD[0] * speed) * bx;
  const fby = -(kXy + cD[1] * speed) * by;
  const fbz = thrustN - (kZ + cD[2] * speed) * bz;

  // --- translational acceleration, world ENU ---------------------------------------------
  const invM = 1 / p.massKg;
  const acc = s.accelMps2;
  acc[0] = (r[0] * fbx + r[1] * fby + r[2] * fbz) * invM;
  acc[1] = (r[3] * fbx + r[4] * fby + r[5] * fbz) * invM;
  acc[2] = (r[6] * fbx + r[7] * fby + r[8] * fbz) * invM - p.gravityMps2;

  // --- rotational acceleration: J·ω̇ = τ − k_rot⊙ω − ω × Jω --------------------------------
  const om = s.bodyRateRadS;
  const ixx = p.inertiaKgM2[0];
  const iyy = p.inertiaKgM2[1];
  const izz = p.inertiaKgM2[2];
  const kr = p.rotDragNmPerRadS;
  const ox = om[0];
  const oy = om[1];
  const oz = om[2];
  const hx = ixx * ox;
  const hy = iyy * oy;
  const hz = izz * oz;
  const dox = (tauX - kr[0] * ox - (oy * hz - oz * hy)) / ixx;
  const doy = (tauY - kr[1] * oy - (oz * hx - ox * hz)) / iyy;
  const doz = (tauZ - kr[2] * oz - (ox * hy - oy * hx)) / izz;

  s.timeS += dtS;
  const pos = s.positionM;
  const floor = p.groundZM;

  // --- resting on the floor: held until the net vertical force lifts it ------------------
  if (pos[2] <= floor && acc[2] <= 0) {
    pos[2] = floor;
    v.fill(0);
    om.fill(0);
    acc.fill(0); // held by the floor: an accelerometer reads +g
    s.onGround = true;
    return;
  }

  // --- semi-implicit Euler: velocities first, positions/attitude with the new velocities ---
  v[0] += acc[0] * dtS;
  v[1] += acc[1] * dtS;
  v[2] += acc[2] * dtS;
  pos[0] += v[0] * dtS;
  pos[1] += v[1] * dtS;
  pos[2] += v[2] * dtS;
  om[0] = ox + dox * dtS;
  om[1] = oy + doy * dtS;
  om[2] = oz + doz * dtS;
  quatIntegrateBodyRate(s.quat, om, dtS);

  // --- touchdown: no falling through, inelastic ------------------------------------------
  if (pos[2] < floor) {
    pos[2] = floor;
    v.fill(0);
    om.fill(0);
    acc.fill(0); // the touchdown impulse is not modelled
    s.onGround = true;
  } else {
    s.onGround = false;
  }
}
