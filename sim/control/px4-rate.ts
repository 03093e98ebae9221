// Body-rate PID (after PX4 `RateControl::update`): P on the rate error, I with PX4's i_factor
// and saturation-aware anti-windup, D on the MEASURED rate (no derivative kick on setpoint
// steps) through a first-order low-pass. Output: angular acceleration setpoint (rad/s², body
// FLU); the cascade turns it into torque with the inertia.

import type { Px4Gains } from './px4-params.ts';

export interface RateCtlState {
  /** (3) integral term, rad/s² */
  readonly integralRadS2: Float64Array;
  /** (3) low-passed derivative of the measured rate, rad/s² */
  readonly rateDotFiltRadS2: Float64Array;
  /** (3) rate of the previous step, rad/s */
  readonly prevRateRadS: Float64Array;
  primed: boolean;
}

export function makeRateCtlState(): RateCtlState {
  return {
    integralRadS2: new Float64Array(3),
    rateDotFiltRadS2: new Float64Array(3),
    prevRateRadS: new Float64Array(3),
    primed: false,
  };
}

export function resetRateCtl(st: RateCtlState): void {
  st.integralRadS2.fill(0);
  st.rateDotFiltRadS2.fill(0);
  st.prevRateRadS.fill(0);
  st.primed = false;
}

// PX4 i_factor: shrink the I gain as the rate error grows, so a large setpoint change does not
// wind the integrator up (the "bounce-back after a flip"). At 400 deg/s of error the I term
// stops; up to 100 deg/s i_factor ≥ 0.94, up to 200 deg/s ≥ 0.75.
const I_FACTOR_ERROR_RADS = (400 * Math.PI) / 180;

/**
 * rateSp and rate are body FLU rad/s (3). unallocatedNm (3, from the mixer's last step) is
 * requested − achieved torque: the integrator does not grow in the direction the mixer could
 * not deliver. When landed the integrator is held at zero. Writes alphaSp (3), rad/s².
 */
export function stepRateCtl(
  g: Px4Gains,
  st: RateCtlState,
  rateSpRadS: ArrayLike<number>,
  rateRadS: ArrayLike<number>,
  unallocatedNm: ArrayLike<number>,
  landed: boolean,
  dtS: number,
  alphaSpRadS2: Float64Array,
): void {
  const I = st.integralRadS2;
  const dF = st.rateDotFiltRadS2;
  const prev = st.prevRateRadS;
  if (!st.primed) {
    prev[0] = rateRadS[0];
    prev[1] = rateRadS[1];
    prev[2] = rateRadS[2];
    dF.fill(0);
    st.primed = true;
  }
  const lp = 1 - Math.exp(-2 * Math.PI * g.rateDCutoffHz * dtS);
  const lim = g.rateIntLimRadS2;
  for (let i = 0; i < 3; i++) {
    const meas = rateRadS[i];
    const e = rateSpRadS[i] - meas;
    dF[i] += ((meas - prev[i]) / dtS - dF[i]) * lp;
    if (!Number.isFinite(dF[i])) dF[i] = 0;
    prev[i] = meas;
    const out = g.rateP[i] * e + I[i] - g.rateD[i] * dF[i];
    alphaSpRadS2[i] = Number.isFinite(out) ? out : 0;

    if (landed) {
      I[i] = 0;
      continue;
    }
    if (unallocatedNm[i] * e > 0) continue; // the mixer is already short in this direction
    const f = e / I_FACTOR_ERROR_RADS;
    const iFactor = Math.max(0, 1 - f * f);
    const next = I[i] + g.rateI[i] * iFactor * e * dtS;
    if (Number.isFinite(next)) I[i] = next > lim ? lim : next < -lim ? -lim : next;
  }
}
