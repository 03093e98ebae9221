// X-quad mixer with saturation handling that keeps attitude control (PX4 "airmode off"
// sequential desaturation): roll/pitch first, then collective thrust, then yaw.
//
// Inputs are physical (thrust N, body torques N·m) and are normalised here to per-rotor thrust
// u ∈ [0, 1] of f_max = kF·ω_max². Rotor order, positions and spins as in
// sim/vehicles/quadrotor.ts (PX4 quad x). Inverting the (orthogonal) allocation:
//   u_i = t + sx_i·r + sy_i·p + sz_i·y
//   t = T/(4 f_max), r = τx/(4 d f_max), p = τy/(4 d f_max), y = τz/(4 c f_max)
//   d = L/√2, c = kM/kF;  sx = (−1, +1, +1, −1), sy = (−1, +1, −1, +1), sz = (−1, −1, +1, +1)
// Desaturation:
//   1. roll/pitch spread: with a = r+p, b = r−p the per-rotor roll/pitch terms are
//      (−a, +a, +b, −b), symmetric about 0 with span 2·max(|a|,|b|). If the span exceeds 1
//      both are scaled down together (direction of the tilt torque kept, magnitude lost).
//   2. collective: clamped to [span/2, 1 − span/2] so roll/pitch fit (attitude over altitude).
//   3. yaw: scaled to the headroom left on each rotor (yaw is the first thing given up).
// Motor command ω_i = ω_max·√u_i, so thrust is linear in u.

import type { QuadrotorParams } from '../vehicles/quadrotor-params.ts';

export interface MixerModel {
  /** f_max = kF·ω_max², N */
  readonly rotorThrustMaxN: number;
  /** 1/(4·f_max), 1/N */
  readonly thrustScale: number;
  /** 1/(4·d·f_max), 1/(N·m) */
  readonly rollPitchScale: number;
  /** 1/(4·c·f_max), 1/(N·m) */
  readonly yawScale: number;
  readonly motorSpeedMinRadS: number;
  readonly motorSpeedMaxRadS: number;
}

export interface MixerStatus {
  /** (3) requested − allocated body torque, N·m (roll, pitch, yaw) */
  readonly unallocatedNm: Float64Array;
  /** requested − allocated collective thrust, N */
  unallocatedThrustN: number;
  /** (4) normalised rotor thrusts of the last step, [0, 1] */
  readonly rotorThrust01: Float64Array;
}

export function prepareMixer(p: QuadrotorParams): MixerModel {
  const fMax = p.kThrustNPerRadS2 * p.motorSpeedMaxRadS * p.motorSpeedMaxRadS;
  const d = p.armLengthM * Math.SQRT1_2;
  const c = p.kTorqueNmPerRadS2 / p.kThrustNPerRadS2;
  return Object.freeze({
    rotorThrustMaxN: fMax,
    thrustScale: 1 / (4 * fMax),
    rollPitchScale: 1 / (4 * d * fMax),
    yawScale: 1 / (4 * c * fMax),
    motorSpeedMinRadS: p.motorSpeedMinRadS,
    motorSpeedMaxRadS: p.motorSpeedMaxRadS,
  });
}

export function makeMixerStatus(): MixerStatus {
  return { unallocatedNm: new Float64Array(3), unallocatedThrustN: 0, rotorThrust01: new Float64Array(4) };
}

/**
 * Mix wrenchSp (4) = [collective thrust N, τx, τy, τz N·m (body FLU)] into 4 motor speed
 * commands (rad/s). Non-finite entries (PX4_ISFINITE guard) count as zero demand.
 */
export function stepMixer(mx: MixerModel, wrenchSp: ArrayLike<number>, status: MixerStatus, motorCmdRadS: Float64Array): void {
  const thrustN = Number.isFinite(wrenchSp[0]) ? wrenchSp[0] : 0;
  const tauXNm = Number.isFinite(wrenchSp[1]) ? wrenchSp[1] : 0;
  const tauYNm = Number.isFinite(wrenchSp[2]) ? wrenchSp[2] : 0;
  const tauZNm = Number.isFinite(wrenchSp[3]) ? wrenchSp[3] : 0;
  const t = thrustN * mx.thrustScale;
  let r = tauXNm * mx.rollPitchScale;
  let p = tauYNm * mx.rollPitchScale;
  const y = tauZNm * mx.yawScale;

  // 1. roll/pitch spread
  let a = r + p;
  let b = r - p;
  let half = Math.max(Math.abs(a), Math.abs(b));
  if (half > 0.5) {
    const k = 0.5 / half;
    r *= k;
    p *= k;
    a *= k;
    b *= k;
    half = 0.5;
  }
  // 2. collective inside the headroom roll/pitch leaves
  const c = t < half ? half : t > 1 - half ? 1 - half : t;
  // 3. yaw: rotors 2,3 get +y, rotors 0,1 get −y; limit by the tightest rotor
  const u0 = c - a;
  const u1 = c + a;
  const u2 = c + b;
  const u3 = c - b;
  let yMax: number;
  if (y >= 0) yMax = Math.min(u0, u1, 1 - u2, 1 - u3);
  else yMax = Math.min(1 - u0, 1 - u1, u2, u3);
  if (yMax < 0) yMax = 0;
  const ya = y > yMax ? yMax : y < -yMax ? -yMax : y;

  const s = status.rotorThrust01;
  s[0] = u0 - ya;
  s[1] = u1 - ya;
  s[2] = u2 + ya;
  s[3] = u3 + ya;
  const un = status.unallocatedNm;
  un[0] = tauXNm - r / mx.rollPitchScale;
  un[1] = tauYNm - p / mx.rollPitchScale;
  un[2] = tauZNm - ya / mx.yawScale;
  status.unallocatedThrustN = thrustN - c / mx.thrustScale;

  const wMax = mx.motorSpeedMaxRadS;
  const wMin = mx.motorSpeedMinRadS;
  for (let i = 0; i < 4; i++) {
    const u = s[i] > 1 ? 1 : s[i] > 0 ? s[i] : 0; // rounding only: steps 1–3 keep u in [0, 1]
    s[i] = u;
    const w = wMax * Math.sqrt(u);
    motorCmdRadS[i] = w < wMin ? wMin : w;
  }
}
