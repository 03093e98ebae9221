// Parameters of the dynamic bicycle car: CommonRoad vehicle 2 (BMW 320i) in SI units
// (shared/research/sim-anchors.md §6.1), plus the actuator and speed-loop values chosen here.
// One table: world-file key, default, range, meaning.

import { asNumber, onlyKeys, type JsonObject, type Where } from '../../src/models/json-read.ts';

export interface CarParams {
  readonly massKg: number;
  /** CG to front / rear axle */
  readonly lfM: number;
  readonly lrM: number;
  readonly izKgM2: number;
  readonly hCgM: number;
  readonly mu: number;
  /** normalised cornering stiffness C_S (1/rad): axle stiffness = C_S · F_z */
  readonly csFront: number;
  readonly csRear: number;
  readonly lengthM: number;
  readonly widthM: number;
  readonly steerMaxRad: number;
  readonly steerRateMaxRadS: number;
  /** first-order steering servo time constant */
  readonly steerTauS: number;
  readonly accelMaxMps2: number;
  /** speed loop: commanded acceleration = kp · speed error, clamped to ±accelMax */
  readonly speedKp: number;
  readonly speedMaxMps: number;
  /** below blendLo the model is kinematic, above blendHi dynamic, linear in between */
  readonly blendLoMps: number;
  readonly blendHiMps: number;
  readonly initialSpeedMps: number;
}

interface Row { key: string; field: keyof CarParams; dflt: number; min: number; max: number }

const TABLE: readonly Row[] = [
  { key: 'mass_kg', field: 'massKg', dflt: 1093.3, min: 1, max: 1e5 },
  { key: 'lf_m', field: 'lfM', dflt: 1.156, min: 0.01, max: 20 },
  { key: 'lr_m', field: 'lrM', dflt: 1.423, min: 0.01, max: 20 },
  { key: 'iz_kgm2', field: 'izKgM2', dflt: 1791.6, min: 0.01, max: 1e7 },
  { key: 'h_cg_m', field: 'hCgM', dflt: 0.575, min: 0, max: 10 },
  { key: 'mu', field: 'mu', dflt: 1.0489, min: 0.01, max: 3 },
  { key: 'cs_front_1prad', field: 'csFront', dflt: 20.898, min: 0.1, max: 100 },
  { key: 'cs_rear_1prad', field: 'csRear', dflt: 20.898, min: 0.1, max: 100 },
  { key: 'length_m', field: 'lengthM', dflt: 4.508, min: 0.1, max: 30 },
  { key: 'width_m', field: 'widthM', dflt: 1.61, min: 0.1, max: 10 },
  { key: 'steer_max_rad', field: 'steerMaxRad', dflt: 1.066, min: 0.01, max: 1.5 },
  { key: 'steer_rate_max_radps', field: 'steerRateMaxRadS', dflt: 0.4, min: 0.01, max: 100 },
  // τ = 0.1 s: the first-order servo of sim-anchors §6.1 (recommendation, not a measured value)
  { key: 'steer_tau_s', field: 'steerTauS', dflt: 0.1, min: 0, max: 5 },
  { key: 'accel_max_mps2', field: 'accelMaxMps2', dflt: 11.5, min: 0.1, max: 100 },
  // 2 1/s: reaches a new set speed with a 0.5 s time constant, below the 11.5 m/s² limit for steps < 5.7 m/s
  { key: 'speed_kp_1ps', field: 'speedKp', dflt: 2, min: 0.01, max: 100 },
  { key: 'speed_max_mps', field: 'speedMaxMps', dflt: 50.8, min: 0.1, max: 200 },
  // kinematic below 1 m/s, dynamic above 3 m/s (the usual blend band; sim-anchors §6.1 says 3–5 m/s)
  { key: 'blend_lo_mps', field: 'blendLoMps', dflt: 1, min: 0.05, max: 50 },
  { key: 'blend_hi_mps', field: 'blendHiMps', dflt: 3, min: 0.1, max: 50 },
  { key: 'initial_speed_mps', field: 'initialSpeedMps', dflt: 0, min: -20, max: 200 },
];

export const DEFAULT_CAR: CarParams = Object.freeze(Object.fromEntries(TABLE.map((r) => [r.field, r.dflt])) as unknown as CarParams);

export function readCarParams(o: JsonObject, w: Where): CarParams {
  onlyKeys(o, TABLE.map((r) => r.key), w);
  const p: Record<string, number> = {};
  for (const r of TABLE) p[r.field] = o[r.key] === undefined ? r.dflt : asNumber(o[r.key], w.key(r.key), { min: r.min, max: r.max });
  if (p.blendHiMps <= p.blendLoMps) w.key('blend_hi_mps').fail('LNN_E_RANGE', 'blend_hi_mps must be above blend_lo_mps');
  return Object.freeze(p as unknown as CarParams);
}

export function wheelbaseM(p: CarParams): number {
  return p.lfM + p.lrM;
}
