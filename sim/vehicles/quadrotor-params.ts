// Physical parameters of an X-configuration quadrotor, with sourced presets
// (shared/research/sim-anchors.md §6.2). Frozen data: the step function only reads it.
//
// Drag model (two terms, both on the air-relative velocity v_air = v − wind, in body axes):
//   rotor drag  F_b = −(kXy·Σω·v_bx, kXy·Σω·v_by, kZ·Σω·v_bz)     Forster 2015 / gym-pybullet-drones
//   parasitic   F_b = −c ⊙ |v_b| v_b                                RotorPy c_Dx/y/z
// Rotational drag τ_b = −k_rot ⊙ ω_b is ours [R]: no source gives it; it only keeps free
// tumbling bounded. 1e-7 N·m·s/rad on a Crazyflie (I_xx 1.43e-5) is a 143 s time constant.

export interface QuadrotorParams {
  readonly name: string;
  readonly massKg: number;
  /** (3) principal inertia I_xx, I_yy, I_zz about the body FLU axes, kg·m² */
  readonly inertiaKgM2: readonly [number, number, number];
  /** centre to rotor axis, m (rotors at (±L/√2, ±L/√2) in X configuration) */
  readonly armLengthM: number;
  /** rotor thrust f = kF·ω², N/(rad/s)² */
  readonly kThrustNPerRadS2: number;
  /** rotor reaction torque m = kM·ω², N·m/(rad/s)² */
  readonly kTorqueNmPerRadS2: number;
  /** first-order motor lag ω̇ = (ω_cmd − ω)/τ, s */
  readonly motorTauS: number;
  readonly motorSpeedMinRadS: number;
  readonly motorSpeedMaxRadS: number;
  /** rotor drag, body x/y, N per (rad/s of Σω)·(m/s) */
  readonly rotorDragXyNPerRadSMps: number;
  /** rotor drag (induced inflow), body z, N per (rad/s of Σω)·(m/s) */
  readonly rotorDragZNPerRadSMps: number;
  /** (3) parasitic quadratic frame drag, body x/y/z, N/(m/s)² */
  readonly parasiticDragNPerMps2: readonly [number, number, number];
  /** (3) linear rotational drag, body x/y/z, N·m/(rad/s) [R] */
  readonly rotDragNmPerRadS: readonly [number, number, number];
  readonly gravityMps2: number;
  /** world height of the floor (ENU z), m */
  readonly groundZM: number;
  /** radius of the one collision sphere at the centre of mass (rotor tips included), m */
  readonly collisionRadiusM: number;
}

/**
 * Crazyflie 2.x, RotorPy `crazyflie_params.py` (sim-anchors §6.2): the one source that gives a
 * consistent set incl. motor lag and rotor drag. Hover ω = √(m·g / 4kF) = 1788 rad/s;
 * thrust-to-weight at 2500 rad/s = 4·2.3e-8·2500² / (0.03·9.81) = 1.95.
 */
export const CRAZYFLIE_PARAMS: QuadrotorParams = Object.freeze({
  name: 'crazyflie-rotorpy',
  massKg: 0.03,
  inertiaKgM2: [1.43e-5, 1.43e-5, 2.89e-5] as const,
  armLengthM: 0.043,
  kThrustNPerRadS2: 2.3e-8,
  kTorqueNmPerRadS2: 7.8e-10,
  motorTauS: 0.072,
  motorSpeedMinRadS: 0,
  motorSpeedMaxRadS: 2500,
  rotorDragXyNPerRadSMps: 1.02506e-6,
  rotorDragZNPerRadSMps: 7.553e-7,
  parasiticDragNPerMps2: [0, 0, 0] as const,
  rotDragNmPerRadS: [1e-7, 1e-7, 1e-7] as const,
  gravityMps2: 9.81,
  groundZM: 0,
  collisionRadiusM: 0.06, // arm 0.043 m + prop radius 0.0231 m (cf2x) ≈ cf2x.urdf's 0.06 m cylinder
});

/**
 * Crazyflie 2.x as in gym-pybullet-drones `cf2x.urdf` (RPM units converted to rad/s:
 * ×(60/2π)² = 91.19). The URDF has no motor lag; τ is RotorPy's 0.072 s. ω_max from its
 * thrust-to-weight 2.25: √(2.25·m·g / 4kF) = 2274 rad/s (g = 9.81).
 */
export const CF2X_PARAMS: QuadrotorParams = Object.freeze({
  name: 'cf2x-gym-pybullet-drones',
  massKg: 0.027,
  inertiaKgM2: [1.4e-5, 1.4e-5, 2.17e-5] as const,
  armLengthM: 0.0397,
  kThrustNPerRadS2: 2.8816e-8,
  kTorqueNmPerRadS2: 7.2405e-10,
  motorTauS: 0.072,
  motorSpeedMinRadS: 0,
  motorSpeedMaxRadS: 2274,
  rotorDragXyNPerRadSMps: 9.1785e-7,
  rotorDragZNPerRadSMps: 10.311e-7,
  parasiticDragNPerMps2: [0, 0, 0] as const,
  rotDragNmPerRadS: [1e-7, 1e-7, 1e-7] as const,
  gravityMps2: 9.81,
  groundZM: 0,
  collisionRadiusM: 0.06, // cf2x.urdf collision cylinder: radius 0.06 m, height 0.025 m
});

/**
 * AscTec Hummingbird, RotorPy `hummingbird_params.py`: 0.5 kg, τ_m 5 ms, ω_max 1500 rad/s
 * (hover 469 rad/s, thrust-to-weight 10.2).
 */
export const HUMMINGBIRD_PARAMS: QuadrotorParams = Object.freeze({
  name: 'hummingbird-rotorpy',
  massKg: 0.5,
  inertiaKgM2: [3.65e-3, 3.68e-3, 7.03e-3] as const,
  armLengthM: 0.17,
  kThrustNPerRadS2: 5.57e-6,
  kTorqueNmPerRadS2: 1.36e-7,
  motorTauS: 0.005,
  motorSpeedMinRadS: 0,
  motorSpeedMaxRadS: 1500,
  rotorDragXyNPerRadSMps: 1.19e-4,
  rotorDragZNPerRadSMps: 2.32e-4,
  parasiticDragNPerMps2: [0.5e-2, 0.5e-2, 1e-2] as const,
  rotDragNmPerRadS: [1e-5, 1e-5, 1e-5] as const,
  gravityMps2: 9.81,
  groundZM: 0,
  collisionRadiusM: 0.27, // arm 0.17 m + rotor radius 0.10 m
});

export const DEFAULT_QUADROTOR_PARAMS: QuadrotorParams = CRAZYFLIE_PARAMS;

/** Motor speed at which four rotors carry the weight: m·g = 4·kF·ω². */
export function hoverMotorSpeedRadS(p: QuadrotorParams): number {
  return Math.sqrt((p.massKg * p.gravityMps2) / (4 * p.kThrustNPerRadS2));
}

/** Largest single-rotor thrust, N. */
export function maxRotorThrustN(p: QuadrotorParams): number {
  return p.kThrustNPerRadS2 * p.motorSpeedMaxRadS * p.motorSpeedMaxRadS;
}

/** Copy a preset with overrides (e.g. a degraded k_f or a payload), validated. */
export function makeQuadrotorParams(overrides: Partial<QuadrotorParams> = {}, base = DEFAULT_QUADROTOR_PARAMS): QuadrotorParams {
  const p: QuadrotorParams = { ...base, ...overrides };
  const positive: (keyof QuadrotorParams)[] = [
    'massKg', 'armLengthM', 'kThrustNPerRadS2', 'kTorqueNmPerRadS2', 'motorTauS', 'motorSpeedMaxRadS', 'gravityMps2',
    'collisionRadiusM',
  ];
  for (const k of positive) {
    const v = p[k] as number;
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`QuadrotorParams.${k} must be finite and > 0 (got ${v})`);
  }
  if (!p.inertiaKgM2.every((v) => v > 0 && Number.isFinite(v))) throw new RangeError('QuadrotorParams.inertiaKgM2 must be > 0');
  if (!(p.motorSpeedMinRadS >= 0 && p.motorSpeedMinRadS < p.motorSpeedMaxRadS)) {
    throw new RangeError('QuadrotorParams.motorSpeedMinRadS must be in [0, motorSpeedMaxRadS)');
  }
  return Object.freeze(p);
}
