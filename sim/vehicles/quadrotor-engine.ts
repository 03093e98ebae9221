// The quadrotor behind the engine's Vehicle contract (sim/engine/vehicle.ts), next to the car.
// World file: `{ "kind": "vehicle", "type": "quadrotor", "pose": {...}, "params": {...} }`,
// registered with `registerVehicle('quadrotor', makeQuadrotor)` (sim/vehicles/index.ts).
//
// Command (4): vx_mps, vy_mps (heading frame: forward, left), vz_mps (up), yaw_rate_radps (CCW)
// — the drone policies' outputs (sim-anchors §3.1). The engine's physics tick is split into
// substeps of at most 1/physics_hz (240 Hz default): a 150 Hz world runs 2 × 1/300 s per tick.
// Perturbations: actuator_gain multiplies rotor thrust; wind_mps/gust_mps reach the vehicle
// through env.windMps (a wind plugin fills it, e.g. from sim/physics/wind.ts).
//
// params keys (all optional):
//   preset              'crazyflie' (RotorPy, default) | 'cf2x' (gym-pybullet-drones) | 'hummingbird'
//   mass_kg, motor_tau_s, collision_radius_m   overrides of the preset
//   physics_hz          minimum physics/control rate, Hz (50..10000, default 240)
//   gains               { MPC_XY_VEL_P_ACC: 1.8, ... } — names, units and ranges in px4-params.ts

import { asEnum, asNumber, asObject, has, onlyKeys, type Json, type JsonObject, type Where } from '../../src/models/json-read.ts';
import { PX4_PARAM_TABLE, type Px4Params } from '../control/px4-params.ts';
import type { Twist } from '../engine/msgs.ts';
import { makeBodyState, type BodyState, type Vehicle, type VehicleContext, type VehicleEnv } from '../engine/vehicle.ts';
import type { Pose, VehicleSpec } from '../world/types.ts';
import { CF2X_PARAMS, CRAZYFLIE_PARAMS, HUMMINGBIRD_PARAMS, makeQuadrotorParams, type QuadrotorParams } from './quadrotor-params.ts';
import { quatToRotation } from './quadrotor-quat.ts';
import { makeQuadrotorVehicle, type QuadrotorVehicle, type VelocityCommand } from './quadrotor-vehicle.ts';

export const QUADROTOR_COMMAND = ['vx_mps', 'vy_mps', 'vz_mps', 'yaw_rate_radps'] as const;

const PRESETS = { crazyflie: CRAZYFLIE_PARAMS, cf2x: CF2X_PARAMS, hummingbird: HUMMINGBIRD_PARAMS } as const;
type PresetName = keyof typeof PRESETS;

export interface QuadrotorWorldParams {
  readonly params: QuadrotorParams;
  readonly gains: Partial<Px4Params>;
  readonly physicsHz: number;
}

/** Validates a world file's `params` object (errors name the field, as the car's reader does). */
export function readQuadrotorParams(o: JsonObject, w: Where, gravityMps2: number): QuadrotorWorldParams {
  onlyKeys(o, ['preset', 'mass_kg', 'motor_tau_s', 'collision_radius_m', 'physics_hz', 'gains'], w);
  const preset = has(o, 'preset')
    ? asEnum(o.preset, Object.keys(PRESETS) as PresetName[], w.key('preset'), 'LNN_E_RANGE')
    : 'crazyflie';
  const overrides: { -readonly [K in keyof QuadrotorParams]?: QuadrotorParams[K] } = { gravityMps2 };
  if (has(o, 'mass_kg')) overrides.massKg = asNumber(o.mass_kg, w.key('mass_kg'), { min: 0.005, max: 50 });
  if (has(o, 'motor_tau_s')) overrides.motorTauS = asNumber(o.motor_tau_s, w.key('motor_tau_s'), { min: 0.001, max: 1 });
  if (has(o, 'collision_radius_m')) {
    overrides.collisionRadiusM = asNumber(o.collision_radius_m, w.key('collision_radius_m'), { min: 0.01, max: 5 });
  }
  const physicsHz = has(o, 'physics_hz') ? asNumber(o.physics_hz, w.key('physics_hz'), { min: 50, max: 10_000 }) : 240;
  const gains: Partial<Px4Params> = {};
  if (has(o, 'gains')) {
    const gw = w.key('gains');
    const g = asObject(o.gains as Json, gw);
    onlyKeys(g, PX4_PARAM_TABLE.map((r) => r.name), gw);
    for (const spec of PX4_PARAM_TABLE) {
      if (has(g, spec.name)) gains[spec.name] = asNumber(g[spec.name], gw.key(spec.name), { min: spec.min, max: spec.max });
    }
  }
  return { params: makeQuadrotorParams(overrides, PRESETS[preset]), gains, physicsHz };
}

export class Quadrotor implements Vehicle {
  readonly type = 'quadrotor';
  readonly commandNames = QUADROTOR_COMMAND;
  readonly body: BodyState = makeBodyState();
  readonly collisionSpheres: Float64Array;
  readonly vehicle: QuadrotorVehicle;
  private readonly cmd: VelocityCommand = { vx: 0, vy: 0, vz: 0, yawRate: 0 };
  private readonly wind = new Float64Array(3);
  private readonly env: { windMps: Float64Array; actuatorGain: number };
  private readonly r = new Float64Array(9);

  constructor(readonly name: string, cfg: QuadrotorWorldParams, readonly initialPose: Pose) {
    this.vehicle = makeQuadrotorVehicle({ params: cfg.params, gains: cfg.gains, physicsHz: cfg.physicsHz });
    this.collisionSpheres = new Float64Array([0, 0, 0, cfg.params.collisionRadiusM]);
    this.env = { windMps: this.wind, actuatorGain: 1 };
    this.reset();
  }

  /** Zero velocity and yaw rate: hover where reset put it. */
  initialCommand(command: Float64Array): void {
    command.fill(0);
  }

  /** Back to the world file's pose (level: roll and pitch are ignored), rotors at hover if airborne. */
  reset(): void {
    const p = this.initialPose;
    this.vehicle.reset({ positionM: [p.xM, p.yM, p.zM], yawRad: p.yawRad });
    this.writeBody(this.vehicle.params.gravityMps2);
  }

  step(dtS: number, command: Float64Array, env: VehicleEnv): void {
    const c = this.cmd;
    c.vx = command[0];
    c.vy = command[1];
    c.vz = command[2];
    c.yawRate = command[3];
    this.wind[0] = env.windMps.x;
    this.wind[1] = env.windMps.y;
    this.wind[2] = env.windMps.z;
    this.env.actuatorGain = env.perturb.actuator_gain;
    this.vehicle.step(dtS, c, this.env);
    this.writeBody(env.gravityMps2);
  }

  /** cmd_vel in the body (heading) frame, as a DJI/PX4 velocity interface reads it. */
  twistToCommand(twist: Twist, command: Float64Array): void {
    command[0] = twist.linear.x;
    command[1] = twist.linear.y;
    command[2] = twist.linear.z;
    command[3] = twist.angular.z;
  }

  private writeBody(gravityMps2: number): void {
    const s = this.vehicle.state;
    const q = s.quat;
    const b = this.body;
    const w = q[0];
    const x = q[1];
    const y = q[2];
    const z = q[3];
    b.xM = s.positionM[0];
    b.yM = s.positionM[1];
    b.zM = s.positionM[2];
    // intrinsic Z-Y-X (yaw, pitch, roll), as sim/core/math.ts rotationZYX
    b.rollRad = Math.atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
    const sp = 2 * (w * y - z * x);
    b.pitchRad = Math.asin(sp > 1 ? 1 : sp < -1 ? -1 : sp);
    b.yawRad = Math.atan2(2 * (w * z + x * y), 1 - 2 * (y * y + z * z));
    b.vxMps = s.velocityMps[0];
    b.vyMps = s.velocityMps[1];
    b.vzMps = s.velocityMps[2];
    b.wxRadS = s.bodyRateRadS[0];
    b.wyRadS = s.bodyRateRadS[1];
    b.wzRadS = s.bodyRateRadS[2];
    // specific force in the body frame (what an IMU reads): Rᵀ·(a + g·ẑ), R of the current
    // attitude (s.rot is from the start of the last step)
    const r = this.r;
    quatToRotation(q, r);
    const ax = s.accelMps2[0];
    const ay = s.accelMps2[1];
    const az = s.accelMps2[2] + gravityMps2;
    b.axMps2 = r[0] * ax + r[3] * ay + r[6] * az;
    b.ayMps2 = r[1] * ax + r[4] * ay + r[7] * az;
    b.azMps2 = r[2] * ax + r[5] * ay + r[8] * az;
  }
}

export function makeQuadrotor(spec: VehicleSpec, ctx: VehicleContext): Quadrotor {
  const w = ctx.where.key('params');
  return new Quadrotor(spec.name, readQuadrotorParams(asObject(spec.params as Json, w), w, ctx.gravityMps2), spec.pose);
}
