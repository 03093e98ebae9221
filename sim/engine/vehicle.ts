// The vehicle contract: the car (sim/vehicles/car.ts) and the quadrotor (sim/vehicles/quadrotor*)
// both implement it, so the engine, the sensors and the renderer never know which one they drive.
// A vehicle owns its dynamic state; the engine owns the command array and calls `step` once per
// physics tick, after the controllers wrote the command and before the sensors sample.

import { LnnError } from '../../src/errors.ts';
import type { Where } from '../../src/models/json-read.ts';
import type { PerturbKey } from '../perturb/perturb.ts';
import type { VehicleSpec } from '../world/types.ts';
import type { Vec3 } from '../core/math.ts';
import type { Twist } from './msgs.ts';

/**
 * Kinematic state every sensor and the renderer read. Updated in place by `step` and `reset`.
 * World frame ENU (x east, y north, z up); body frame FLU (x forward, y left, z up), REP 103.
 */
export interface BodyState {
  xM: number; yM: number; zM: number;
  rollRad: number; pitchRad: number; yawRad: number;
  /** velocity, world frame */
  vxMps: number; vyMps: number; vzMps: number;
  /** angular velocity, body frame */
  wxRadS: number; wyRadS: number; wzRadS: number;
  /** specific force (what an accelerometer reads: acceleration minus gravity), body frame */
  axMps2: number; ayMps2: number; azMps2: number;
}

export function makeBodyState(): BodyState {
  return {
    xM: 0, yM: 0, zM: 0, rollRad: 0, pitchRad: 0, yawRad: 0, vxMps: 0, vyMps: 0, vzMps: 0,
    wxRadS: 0, wyRadS: 0, wzRadS: 0, axMps2: 0, ayMps2: 0, azMps2: 0,
  };
}

/** What the world gives a vehicle each step (read-only for it). */
export interface VehicleEnv {
  readonly timeS: number;
  readonly gravityMps2: number;
  /** the perturbation values in force now (steer_bias_deg, actuator_gain, wind_mps, ...) */
  readonly perturb: Readonly<Record<PerturbKey, number>>;
  /** air velocity at the vehicle, world frame, m/s (filled by a wind plugin; zero without one) */
  readonly windMps: Readonly<Vec3>;
}

export interface Vehicle {
  readonly name: string;
  readonly type: string;
  readonly body: BodyState;
  /** names (with units) of the command slots, e.g. ['steer_rad', 'speed_mps'] or ['vx_mps', ...] */
  readonly commandNames: readonly string[];
  /** collision spheres in the body frame, (k × 4): x, y, z, radius in metres */
  readonly collisionSpheres: Float64Array;
  /** fills `command` with the command that holds the initial state (called on reset) */
  initialCommand(command: Float64Array): void;
  /** back to the initial state of the world file: pose, velocities, actuator states */
  reset(): void;
  /** advances the dynamics by dtS under `command` (length commandNames.length) */
  step(dtS: number, command: Float64Array, env: VehicleEnv): void;
  /** maps a geometry_msgs/Twist (cmd_vel) to this vehicle's command, when it can */
  twistToCommand?(twist: Twist, command: Float64Array): void;
}

export interface VehicleContext {
  readonly gravityMps2: number;
  /** where in the world file the vehicle is, for error messages */
  readonly where: Where;
}

export type VehicleFactory = (spec: VehicleSpec, ctx: VehicleContext) => Vehicle;

const FACTORIES = new Map<string, VehicleFactory>();

/** Makes a vehicle type available to world files (`"type": "car"`). Call at module load. */
export function registerVehicle(type: string, factory: VehicleFactory): void {
  FACTORIES.set(type, factory);
}

export function vehicleTypes(): string[] {
  return [...FACTORIES.keys()].sort();
}

export function makeVehicle(spec: VehicleSpec, ctx: VehicleContext): Vehicle {
  const f = FACTORIES.get(spec.type);
  if (f === undefined) {
    const err = ctx.where.key('type');
    throw new LnnError('LNN_E_UNKNOWN_KEY', `unknown vehicle or model type "${spec.type}" (available: box, cylinder, plane, ${vehicleTypes().join(', ')})`, {
      ...(err.file !== undefined ? { file: err.file } : {}), field: err.path,
    });
  }
  return f(spec, ctx);
}
