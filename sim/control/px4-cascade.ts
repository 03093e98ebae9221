// The PX4-style cascade that lets a policy fly by velocity (sim-anchors.md §6.3):
//
//   command {vx, vy, vz, yawRate}      heading frame (FLU rotated by yaw only), like DJI/§3.1
//     → world velocity setpoint        speed limits MPC_XY_VEL_MAX, MPC_Z_VEL_MAX_UP/DN
//     → velocity PID → thrust vector   px4-velocity.ts (tilt ≤ MPC_TILTMAX_AIR)
//     → attitude setpoint              px4-attitude.ts thrustToAttitude (heading lock / free)
//     → attitude P → body-rate sp      px4-attitude.ts stepAttitudeCtl (+ yaw-rate feed-forward)
//     → rate PID → angular accel       px4-rate.ts
//     → torque = J·α + ω × Jω          (inertia known to the controller, as a tuned PX4 is)
//     → mixer → motor speeds (rad/s)   px4-mixer.ts
//
// All loops run every call (the vehicle calls it at the physics rate, 240 Hz by default). The
// step reads only the vehicle's state and writes motor commands: nothing downstream writes
// upstream state, except the mixer's unallocated torque, which the next rate step reads for
// anti-windup (as PX4's control_allocator_status does).

import type { QuadState } from '../vehicles/quadrotor.ts';
import type { QuadrotorParams } from '../vehicles/quadrotor-params.ts';
import {
  makeAttitudeCtlState,
  makeAttitudeSetpoint,
  stepAttitudeCtl,
  thrustToAttitude,
  type AttitudeCtlState,
  type AttitudeSetpoint,
} from './px4-attitude.ts';
import { makeMixerStatus, prepareMixer, stepMixer, type MixerModel, type MixerStatus } from './px4-mixer.ts';
import { makePx4Gains, type Px4Gains } from './px4-params.ts';
import { makeRateCtlState, resetRateCtl, stepRateCtl, type RateCtlState } from './px4-rate.ts';
import {
  makeVelocityCtlState,
  resetVelocityCtl,
  stepVelocityCtl,
  type VelocityCtlPlant,
  type VelocityCtlState,
} from './px4-velocity.ts';

/** What a policy commands: heading-frame velocity (m/s: forward, left, up) and yaw rate (rad/s, CCW). */
export interface VelocityCommand {
  vx: number;
  vy: number;
  vz: number;
  yawRate: number;
}

/** Frozen controller model: gains plus the airframe numbers the controller is allowed to know. */
export interface Px4CascadeModel {
  readonly gains: Px4Gains;
  readonly plant: VelocityCtlPlant;
  readonly mixer: MixerModel;
  readonly inertiaKgM2: readonly [number, number, number];
}

export interface Px4CascadeState {
  readonly vel: VelocityCtlState;
  readonly att: AttitudeCtlState;
  readonly rate: RateCtlState;
  readonly mix: MixerStatus;
  /** (3) world ENU velocity setpoint, m/s */
  readonly velSpMps: Float64Array;
  /** thrust vector, heading, yaw-rate feed-forward and attitude setpoint */
  readonly attSp: AttitudeSetpoint;
  /** true while the heading is locked (no yaw rate commanded) */
  headingLocked: boolean;
  /** (3) body-rate setpoint, FLU rad/s */
  readonly rateSpRadS: Float64Array;
  /** (3) angular acceleration setpoint, FLU rad/s² */
  readonly alphaSpRadS2: Float64Array;
  /** (4) [collective thrust N, τx, τy, τz N·m body FLU] handed to the mixer */
  readonly wrenchSp: Float64Array;
  /** (4) motor speed commands, rad/s — the cascade's output */
  readonly motorCmdRadS: Float64Array;
}

export function makePx4CascadeModel(params: QuadrotorParams, gains: Px4Gains = makePx4Gains()): Px4CascadeModel {
  const maxThrustN = 4 * params.kThrustNPerRadS2 * params.motorSpeedMaxRadS * params.motorSpeedMaxRadS;
  return Object.freeze({
    gains,
    plant: Object.freeze({
      massKg: params.massKg,
      gravityMps2: params.gravityMps2,
      maxThrustN,
      minThrustN: Math.min(gains.thrMin * maxThrustN, 0.5 * params.massKg * params.gravityMps2),
    }),
    mixer: prepareMixer(params),
    inertiaKgM2: params.inertiaKgM2,
  });
}

export function makePx4CascadeState(): Px4CascadeState {
  return {
    vel: makeVelocityCtlState(),
    att: makeAttitudeCtlState(),
    rate: makeRateCtlState(),
    mix: makeMixerStatus(),
    velSpMps: new Float64Array(3),
    attSp: makeAttitudeSetpoint(),
    headingLocked: false,
    rateSpRadS: new Float64Array(3),
    alphaSpRadS2: new Float64Array(3),
    wrenchSp: new Float64Array(4),
    motorCmdRadS: new Float64Array(4),
  };
}

export function resetPx4Cascade(st: Px4CascadeState): void {
  resetVelocityCtl(st.vel);
  resetRateCtl(st.rate);
  st.mix.unallocatedNm.fill(0);
  st.mix.unallocatedThrustN = 0;
  st.mix.rotorThrust01.fill(0);
  st.velSpMps.fill(0);
  st.attSp.thrustN.fill(0);
  st.attSp.yawRad = 0;
  st.attSp.yawRateFfRadS = 0;
  st.attSp.quat.set([1, 0, 0, 0]);
  st.headingLocked = false;
  st.rateSpRadS.fill(0);
  st.alphaSpRadS2.fill(0);
  st.wrenchSp.fill(0);
  st.motorCmdRadS.fill(0);
}

/**
 * One controller step: reads the vehicle state and the command, writes st.motorCmdRadS.
 * Allocation-free as long as doubles cross call boundaries inside objects or typed arrays
 * (see AttitudeSetpoint); dtS is passed through unchanged.
 */
export function stepPx4Cascade(
  m: Px4CascadeModel,
  st: Px4CascadeState,
  quad: QuadState,
  cmd: VelocityCommand,
  dtS: number,
): void {
  const g = m.gains;
  const q = quad.quat;
  const yaw = Math.atan2(2 * (q[0] * q[3] + q[1] * q[2]), 1 - 2 * (q[2] * q[2] + q[3] * q[3])); // quatYaw
  const landed = quad.onGround;
  const sp = st.attSp;

  // --- command → world velocity setpoint (non-finite → 0, i.e. hover) --------------------
  let vx = Number.isFinite(cmd.vx) ? cmd.vx : 0;
  let vy = Number.isFinite(cmd.vy) ? cmd.vy : 0;
  const vz = Number.isFinite(cmd.vz) ? cmd.vz : 0;
  const yr = Number.isFinite(cmd.yawRate) ? cmd.yawRate : 0;
  const vxyN = Math.sqrt(vx * vx + vy * vy);
  if (vxyN > g.velXyMaxMps) {
    vx *= g.velXyMaxMps / vxyN;
    vy *= g.velXyMaxMps / vxyN;
  }
  const cy = Math.cos(yaw);
  const sy = Math.sin(yaw);
  const vSp = st.velSpMps;
  vSp[0] = cy * vx - sy * vy;
  vSp[1] = sy * vx + cy * vy;
  vSp[2] = vz > g.velUpMaxMps ? g.velUpMaxMps : vz < -g.velDnMaxMps ? -g.velDnMaxMps : vz;
  const yrLim = g.rateMaxRadS[2];
  sp.yawRateFfRadS = yr > yrLim ? yrLim : yr < -yrLim ? -yrLim : yr;

  // --- heading (PX4 FlightTaskManual heading handling): while a yaw rate is commanded the
  // heading is free (setpoint = current yaw, pure rate feed-forward, so a yaw-rate step has no
  // overshoot from a setpoint running ahead); once the command is zero and the measured rate
  // has dropped below MC_YAW_LOCK_RATE, the heading is locked and held.
  if (landed || Math.abs(sp.yawRateFfRadS) > 1e-6) {
    sp.yawRad = yaw;
    st.headingLocked = false;
  } else if (!st.headingLocked) {
    sp.yawRad = yaw;
    st.headingLocked = Math.abs(quad.bodyRateRadS[2]) < g.yawLockRateRadS;
  }

  // --- velocity → thrust vector → attitude setpoint → body-rate setpoint ------------------
  stepVelocityCtl(g, m.plant, st.vel, vSp, quad.velocityMps, landed, dtS, sp.thrustN);
  thrustToAttitude(st.att, sp);
  stepAttitudeCtl(g, st.att, q, sp, st.rateSpRadS);

  // --- rate PID → torque (J·α + ω × Jω) → mixer ----------------------------------------
  const w = quad.bodyRateRadS;
  stepRateCtl(g, st.rate, st.rateSpRadS, w, st.mix.unallocatedNm, landed, dtS, st.alphaSpRadS2);
  const J = m.inertiaKgM2;
  const a = st.alphaSpRadS2;
  const hx = J[0] * w[0];
  const hy = J[1] * w[1];
  const hz = J[2] * w[2];
  const t = sp.thrustN;
  const wr = st.wrenchSp;
  wr[0] = Math.sqrt(t[0] * t[0] + t[1] * t[1] + t[2] * t[2]);
  wr[1] = J[0] * a[0] + (w[1] * hz - w[2] * hy);
  wr[2] = J[1] * a[1] + (w[2] * hx - w[0] * hz);
  wr[3] = J[2] * a[2] + (w[0] * hy - w[1] * hx);
  stepMixer(m.mixer, wr, st.mix, st.motorCmdRadS);
}
