// Parameters of the PX4-style velocity → attitude → rate → mixer cascade, declared once with
// default, min, max and unit (house style §12), then converted once into `Px4Gains`.
//
// Names follow PX4 where the meaning is the same (MPC_*, MC_*_P on attitude, rate limits).
// The rate loop is ours in one respect: it outputs angular ACCELERATION (rad/s²), multiplied by
// the inertia afterwards, so its gains carry over between airframes; PX4's MC_ROLLRATE_P etc.
// output normalised torque and are airframe-specific. Hence the MC_RATE_* names, not PX4's.
// Defaults are tuned for the Crazyflie preset (τ_m 72 ms) at 240 Hz; see sim/docs/quadrotor.md
// for the measured step responses. Faster motors (Hummingbird, τ_m 5 ms) are stable with them.

export interface ParamSpec {
  readonly name: string;
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
  readonly description: string;
}

export const PX4_PARAM_TABLE = [
  // --- velocity loop (PX4 defaults, multicopter_position_control_gain_params.yaml, except
  // MPC_Z_VEL_P_ACC 6 instead of 4: with τ_m 72 ms, PX4's 4/2 overshoots a 1 m/s climb step by
  // 6.4 % and needs 1.5 s to 5 %; 6/2 gives 4.8 % and 0.34 s with the same I, so the same
  // recovery from a 20 % thrust loss (1.2 m sink). I 1.0 would cut overshoot to 1.5 % but double
  // that sink.)
  { name: 'MPC_XY_VEL_P_ACC', default: 1.8, min: 0.1, max: 10, unit: '(m/s²)/(m/s)', description: 'horizontal velocity P' },
  { name: 'MPC_XY_VEL_I_ACC', default: 0.4, min: 0, max: 10, unit: '(m/s²)/m', description: 'horizontal velocity I' },
  { name: 'MPC_XY_VEL_D_ACC', default: 0.2, min: 0, max: 2, unit: 'm/s² per m/s²', description: 'horizontal velocity D (on measured acceleration)' },
  { name: 'MPC_Z_VEL_P_ACC', default: 6.0, min: 0.1, max: 15, unit: '(m/s²)/(m/s)', description: 'vertical velocity P' },
  { name: 'MPC_Z_VEL_I_ACC', default: 2.0, min: 0, max: 10, unit: '(m/s²)/m', description: 'vertical velocity I' },
  { name: 'MPC_Z_VEL_D_ACC', default: 0, min: 0, max: 2, unit: 'm/s² per m/s²', description: 'vertical velocity D (on measured acceleration)' },
  { name: 'MPC_VELD_LP', default: 5, min: 0.5, max: 50, unit: 'Hz', description: 'low-pass cutoff of the velocity derivative' },
  // --- velocity loop limits (multicopter_position_control_limits_params.yaml) -----------
  { name: 'MPC_XY_VEL_MAX', default: 12, min: 0, max: 20, unit: 'm/s', description: 'horizontal velocity setpoint limit' },
  { name: 'MPC_Z_VEL_MAX_UP', default: 3, min: 0.5, max: 8, unit: 'm/s', description: 'climb rate limit' },
  { name: 'MPC_Z_VEL_MAX_DN', default: 1.5, min: 0.5, max: 4, unit: 'm/s', description: 'descent rate limit' },
  { name: 'MPC_TILTMAX_AIR', default: 35, min: 5, max: 89, unit: 'deg', description: 'tilt limit of the thrust vector' },
  { name: 'MPC_THR_MIN', default: 0.12, min: 0.05, max: 0.5, unit: '1 (of max collective thrust)', description: 'minimum collective thrust in flight' },
  { name: 'MPC_THR_MAX', default: 1, min: 0.5, max: 1, unit: '1 (of max collective thrust)', description: 'maximum collective thrust' },
  { name: 'MPC_THR_XY_MARG', default: 0.3, min: 0, max: 0.5, unit: '1 (of max collective thrust)', description: 'thrust reserved for horizontal control' },
  // --- attitude loop (mc_att_control_params.yaml, PX4 main defaults) --------------------
  { name: 'MC_ROLL_P', default: 4, min: 0, max: 12, unit: '(rad/s)/rad', description: 'roll attitude P' },
  { name: 'MC_PITCH_P', default: 4, min: 0, max: 12, unit: '(rad/s)/rad', description: 'pitch attitude P' },
  { name: 'MC_YAW_P', default: 2.8, min: 0, max: 5, unit: '(rad/s)/rad', description: 'yaw attitude P' },
  { name: 'MC_YAW_WEIGHT', default: 0.4, min: 0, max: 1, unit: '1', description: 'yaw weight in the reduced-attitude error' },
  { name: 'MC_ROLLRATE_MAX', default: 220, min: 0, max: 1800, unit: 'deg/s', description: 'roll rate setpoint limit' },
  { name: 'MC_PITCHRATE_MAX', default: 220, min: 0, max: 1800, unit: 'deg/s', description: 'pitch rate setpoint limit' },
  { name: 'MC_YAWRATE_MAX', default: 200, min: 0, max: 1800, unit: 'deg/s', description: 'yaw rate setpoint limit' },
  { name: 'MC_YAW_LOCK_RATE', default: 6, min: 0.1, max: 90, unit: 'deg/s', description: 'yaw rate below which the heading is locked after a yaw command ends' },
  // --- rate loop (ours: angular-acceleration output) -----------------------------------
  { name: 'MC_RATE_RP_P', default: 20, min: 0, max: 200, unit: '(rad/s²)/(rad/s)', description: 'roll/pitch rate P' },
  { name: 'MC_RATE_RP_I', default: 10, min: 0, max: 200, unit: '(rad/s²)/rad', description: 'roll/pitch rate I' },
  { name: 'MC_RATE_RP_D', default: 1, min: 0, max: 10, unit: '(rad/s²)/(rad/s²)', description: 'roll/pitch rate D (on measurement)' },
  { name: 'MC_RATE_Y_P', default: 20, min: 0, max: 200, unit: '(rad/s²)/(rad/s)', description: 'yaw rate P' },
  { name: 'MC_RATE_Y_I', default: 5, min: 0, max: 200, unit: '(rad/s²)/rad', description: 'yaw rate I' },
  { name: 'MC_RATE_Y_D', default: 1, min: 0, max: 10, unit: '(rad/s²)/(rad/s²)', description: 'yaw rate D (on measurement)' },
  { name: 'MC_RATE_INT_LIM', default: 30, min: 0, max: 1000, unit: 'rad/s²', description: 'rate integrator limit per axis' },
  { name: 'MC_RATE_D_CUTOFF', default: 30, min: 1, max: 200, unit: 'Hz', description: 'low-pass cutoff of the rate derivative' },
] as const satisfies readonly ParamSpec[];

export type Px4ParamName = (typeof PX4_PARAM_TABLE)[number]['name'];
export type Px4Params = Record<Px4ParamName, number>;

/** Gains and limits in SI units (rad, not deg), as the hot path reads them. */
export interface Px4Gains {
  readonly velP: readonly [number, number, number];
  readonly velI: readonly [number, number, number];
  readonly velD: readonly [number, number, number];
  readonly velDCutoffHz: number;
  readonly velXyMaxMps: number;
  readonly velUpMaxMps: number;
  readonly velDnMaxMps: number;
  readonly tiltMaxRad: number;
  /** tan(tiltMaxRad), precomputed for the hot path */
  readonly tanTiltMax: number;
  readonly thrMin: number;
  readonly thrMax: number;
  readonly thrXyMargin: number;
  /** roll, pitch, yaw attitude P; yaw already divided by the yaw weight, as PX4 does */
  readonly attP: readonly [number, number, number];
  readonly yawWeight: number;
  readonly rateMaxRadS: readonly [number, number, number];
  readonly yawLockRateRadS: number;
  readonly rateP: readonly [number, number, number];
  readonly rateI: readonly [number, number, number];
  readonly rateD: readonly [number, number, number];
  readonly rateIntLimRadS2: number;
  readonly rateDCutoffHz: number;
}

export function px4ParamDefaults(): Px4Params {
  const out = {} as Px4Params;
  for (const spec of PX4_PARAM_TABLE) out[spec.name] = spec.default;
  return out;
}

/** Validate parameters against the table and convert them into gains (once, off the hot path). */
export function makePx4Gains(overrides: Partial<Px4Params> = {}): Px4Gains {
  const p = { ...px4ParamDefaults(), ...overrides };
  for (const spec of PX4_PARAM_TABLE) {
    const v = p[spec.name];
    if (!Number.isFinite(v) || v < spec.min || v > spec.max) {
      throw new RangeError(`${spec.name} = ${v} outside [${spec.min}, ${spec.max}] ${spec.unit}`);
    }
  }
  const deg = Math.PI / 180;
  const yawW = p.MC_YAW_WEIGHT;
  return Object.freeze({
    velP: [p.MPC_XY_VEL_P_ACC, p.MPC_XY_VEL_P_ACC, p.MPC_Z_VEL_P_ACC] as const,
    velI: [p.MPC_XY_VEL_I_ACC, p.MPC_XY_VEL_I_ACC, p.MPC_Z_VEL_I_ACC] as const,
    velD: [p.MPC_XY_VEL_D_ACC, p.MPC_XY_VEL_D_ACC, p.MPC_Z_VEL_D_ACC] as const,
    velDCutoffHz: p.MPC_VELD_LP,
    velXyMaxMps: p.MPC_XY_VEL_MAX,
    velUpMaxMps: p.MPC_Z_VEL_MAX_UP,
    velDnMaxMps: p.MPC_Z_VEL_MAX_DN,
    tiltMaxRad: p.MPC_TILTMAX_AIR * deg,
    tanTiltMax: Math.tan(p.MPC_TILTMAX_AIR * deg),
    thrMin: p.MPC_THR_MIN,
    thrMax: p.MPC_THR_MAX,
    thrXyMargin: p.MPC_THR_XY_MARG,
    // PX4 AttitudeControl::setProportionalGain: the yaw P is divided by the yaw weight to
    // compensate for the weight shrinking the yaw part of the error.
    attP: [p.MC_ROLL_P, p.MC_PITCH_P, yawW > 1e-4 ? p.MC_YAW_P / yawW : 0] as const,
    yawWeight: yawW,
    rateMaxRadS: [p.MC_ROLLRATE_MAX * deg, p.MC_PITCHRATE_MAX * deg, p.MC_YAWRATE_MAX * deg] as const,
    yawLockRateRadS: p.MC_YAW_LOCK_RATE * deg,
    rateP: [p.MC_RATE_RP_P, p.MC_RATE_RP_P, p.MC_RATE_Y_P] as const,
    rateI: [p.MC_RATE_RP_I, p.MC_RATE_RP_I, p.MC_RATE_Y_I] as const,
    rateD: [p.MC_RATE_RP_D, p.MC_RATE_RP_D, p.MC_RATE_Y_D] as const,
    rateIntLimRadS2: p.MC_RATE_INT_LIM,
    rateDCutoffHz: p.MC_RATE_D_CUTOFF,
  });
}
