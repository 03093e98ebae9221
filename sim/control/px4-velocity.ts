// Velocity loop (PX4 PositionControl::_velocityControl + _accelerationControl, ENU here):
// PID on the world velocity error → acceleration → thrust vector with vertical priority,
// a reserved horizontal margin and a tilt limit; tracking anti-windup on x/y, conditional
// integration on z. Allocation-free: state preallocated by makeVelocityCtlState.

import type { Px4Gains } from './px4-params.ts';

export interface VelocityCtlState {
  /** (3) integral term, world ENU, m/s² */
  readonly integralMps2: Float64Array;
  /** (3) low-passed derivative of the measured velocity, world ENU, m/s² */
  readonly accFiltMps2: Float64Array;
  /** (3) velocity of the previous step, m/s */
  readonly prevVelMps: Float64Array;
  primed: boolean;
  /** −1 collective thrust at its minimum, +1 at its maximum, 0 free (last step) */
  thrustSat: number;
  /** true when the horizontal thrust was cut by the tilt or thrust limit (last step) */
  tiltSat: boolean;
}

/** Airframe numbers the velocity loop needs, prepared once. */
export interface VelocityCtlPlant {
  readonly massKg: number;
  readonly gravityMps2: number;
  /** largest collective thrust, 4·kF·ω_max², N */
  readonly maxThrustN: number;
  /** smallest collective thrust in flight, N: MPC_THR_MIN·maxThrustN, but at most half the
   *  weight — PX4's 0.12 assumes thrust-to-weight ≈ 2–3; on a Hummingbird (T/W 10.2) it would
   *  be 1.2·m·g and the vehicle could never descend */
  readonly minThrustN: number;
}

export function makeVelocityCtlState(): VelocityCtlState {
  return {
    integralMps2: new Float64Array(3),
    accFiltMps2: new Float64Array(3),
    prevVelMps: new Float64Array(3),
    primed: false,
    thrustSat: 0,
    tiltSat: false,
  };
}

export function resetVelocityCtl(st: VelocityCtlState): void {
  st.integralMps2.fill(0);
  st.accFiltMps2.fill(0);
  st.prevVelMps.fill(0);
  st.primed = false;
  st.thrustSat = 0;
  st.tiltSat = false;
}

/**
 * One velocity-loop step. vSpMps and velMps are world ENU (3); writes the thrust vector
 * (world ENU, N) into thrustN (3). When landed the integrators are held at zero.
 */
export function stepVelocityCtl(
  g: Px4Gains,
  plant: VelocityCtlPlant,
  st: VelocityCtlState,
  vSpMps: ArrayLike<number>,
  velMps: ArrayLike<number>,
  landed: boolean,
  dtS: number,
  thrustN: Float64Array,
): void {
  const m = plant.massKg;
  const gAcc = plant.gravityMps2;
  const acc = st.accFiltMps2;
  const prev = st.prevVelMps;

  // --- derivative on measurement, first-order low-pass (PX4 MPC_VELD_LP) ----------------
  if (!st.primed) {
    prev[0] = velMps[0];
    prev[1] = velMps[1];
    prev[2] = velMps[2];
    acc.fill(0);
    st.primed = true;
  }
  const lp = 1 - Math.exp(-2 * Math.PI * g.velDCutoffHz * dtS);
  for (let i = 0; i < 3; i++) {
    const raw = (velMps[i] - prev[i]) / dtS;
    acc[i] += (raw - acc[i]) * lp;
    prev[i] = velMps[i];
  }

  // --- PID → unsaturated acceleration setpoint -----------------------------------------
  const I = st.integralMps2;
  const ex = vSpMps[0] - velMps[0];
  const ey = vSpMps[1] - velMps[1];
  const ez = vSpMps[2] - velMps[2];
  const axU = g.velP[0] * ex + I[0] - g.velD[0] * acc[0];
  const ayU = g.velP[1] * ey + I[1] - g.velD[1] * acc[1];
  const azU = g.velP[2] * ez + I[2] - g.velD[2] * acc[2];

  // --- vertical first: collective limits, minus a margin kept for horizontal control ----
  const tMax = g.thrMax * plant.maxThrustN;
  const margin = g.thrXyMargin * plant.maxThrustN;
  const fzMax = Math.min(tMax, Math.sqrt(Math.max(0, tMax * tMax - margin * margin)));
  const fzMin = plant.minThrustN;
  let fz = m * (azU + gAcc);
  st.thrustSat = 0;
  if (fz > fzMax) {
    fz = fzMax;
    st.thrustSat = 1;
  } else if (fz < fzMin) {
    fz = fzMin;
    st.thrustSat = -1;
  }

  // --- then horizontal, within the tilt limit and the thrust left over -----------------
  let fx = m * axU;
  let fy = m * ayU;
  const byTilt = fz * g.tanTiltMax;
  const byThrust = Math.sqrt(Math.max(0, tMax * tMax - fz * fz));
  const fxyMax = byTilt < byThrust ? byTilt : byThrust;
  const fxy = Math.sqrt(fx * fx + fy * fy);
  st.tiltSat = fxy > fxyMax;
  if (st.tiltSat) {
    const k = fxyMax / fxy;
    fx *= k;
    fy *= k;
  }

  // --- non-finite guard (PX4_ISFINITE): hover thrust, integrators cleared ---------------
  if (!Number.isFinite(fx + fy + fz)) {
    thrustN[0] = 0;
    thrustN[1] = 0;
    thrustN[2] = m * gAcc;
    resetVelocityCtl(st);
    return;
  }
  thrustN[0] = fx;
  thrustN[1] = fy;
  thrustN[2] = fz;

  // --- integrators ----------------------------------------------------------------------
  if (landed) {
    I.fill(0);
    return;
  }
  // Tracking anti-windup (PX4): the part of the acceleration cut by the limits, scaled by
  // 2/P, is taken off the error, so the integrator unwinds while saturated.
  const arw = 2 / g.velP[0];
  const eix = ex - arw * (axU - fx / m);
  const eiy = ey - arw * (ayU - fy / m);
  I[0] += g.velI[0] * eix * dtS;
  I[1] += g.velI[1] * eiy * dtS;
  // z: stop integrating into a saturated collective.
  if (!((st.thrustSat > 0 && ez > 0) || (st.thrustSat < 0 && ez < 0))) I[2] += g.velI[2] * ez * dtS;
  // Bound each term by the acceleration the airframe can deliver anyway: g·tan(tilt) across,
  // g along z (beyond that the integrator only stores windup).
  const limXy = gAcc * g.tanTiltMax;
  for (let i = 0; i < 2; i++) I[i] = I[i] > limXy ? limXy : I[i] < -limXy ? -limXy : I[i];
  I[2] = I[2] > gAcc ? gAcc : I[2] < -gAcc ? -gAcc : I[2];
}
