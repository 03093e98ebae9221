// A stand-in flying body: tracks a body-frame velocity and yaw-rate command through a first-order
// lag, with bounded acceleration, and stays level. Same command as the quadrotor's PX4-style
// cascade ([vx, vy, vz] body FLU m/s, yaw rate rad/s), so drone worlds, sensors and tasks can be
// exercised before (or without) the full rotor dynamics. Not a model of any aircraft.

import { asNumber, asObject, onlyKeys, type Json } from '../../src/models/json-read.ts';
import { wrapAngle } from '../core/math.ts';
import type { Twist } from '../engine/msgs.ts';
import { makeBodyState, type BodyState, type Vehicle, type VehicleContext, type VehicleEnv } from '../engine/vehicle.ts';
import type { Pose, VehicleSpec } from '../world/types.ts';

export interface PointMassParams {
  readonly tauS: number;
  readonly accelMaxMps2: number;
  readonly radiusM: number;
}

export class PointMass implements Vehicle {
  readonly type = 'point_mass';
  readonly commandNames = ['vx_mps', 'vy_mps', 'vz_mps', 'yaw_rate_rad_s'] as const;
  readonly body: BodyState = makeBodyState();
  readonly collisionSpheres: Float64Array;

  constructor(readonly name: string, readonly params: PointMassParams, readonly initialPose: Pose, readonly gravityMps2: number) {
    this.collisionSpheres = new Float64Array([0, 0, 0, params.radiusM]);
    this.reset();
  }

  initialCommand(command: Float64Array): void {
    command.fill(0);
  }

  reset(): void {
    const b = this.body, p = this.initialPose;
    Object.assign(b, makeBodyState());
    b.xM = p.xM; b.yM = p.yM; b.zM = p.zM; b.yawRad = p.yawRad;
    b.azMps2 = this.gravityMps2;
  }

  step(dtS: number, command: Float64Array, env: VehicleEnv): void {
    const b = this.body, p = this.params;
    const c = Math.cos(b.yawRad), s = Math.sin(b.yawRad);
    const g = env.perturb.actuator_gain;
    const f = (i: number): number => (Number.isFinite(command[i]) ? command[i] * g : 0);
    // body command → world velocity target; the lag is the closed velocity loop's (τ)
    const tx = c * f(0) - s * f(1), ty = s * f(0) + c * f(1), tz = f(2);
    const lim = (a: number): number => Math.max(-p.accelMaxMps2, Math.min(p.accelMaxMps2, a));
    const ax = lim((tx - b.vxMps) / p.tauS), ay = lim((ty - b.vyMps) / p.tauS), az = lim((tz - b.vzMps) / p.tauS);
    b.vxMps += ax * dtS; b.vyMps += ay * dtS; b.vzMps += az * dtS;
    b.xM += b.vxMps * dtS; b.yM += b.vyMps * dtS; b.zM += b.vzMps * dtS;
    b.wzRadS = f(3);
    b.yawRad = wrapAngle(b.yawRad + b.wzRadS * dtS);
    // specific force in the (level) body frame
    b.axMps2 = c * ax + s * ay; b.ayMps2 = -s * ax + c * ay; b.azMps2 = az + env.gravityMps2;
  }

  twistToCommand(t: Twist, command: Float64Array): void {
    command[0] = t.linear.x; command[1] = t.linear.y; command[2] = t.linear.z; command[3] = t.angular.z;
  }
}

export function makePointMass(spec: VehicleSpec, ctx: VehicleContext): PointMass {
  const w = ctx.where.key('params');
  const o = asObject(spec.params as Json, w);
  onlyKeys(o, ['tau_s', 'accel_max_mps2', 'radius_m'], w);
  const num = (k: string, d: number, max: number): number => (o[k] === undefined ? d : asNumber(o[k], w.key(k), { above: 0, max }));
  // τ 0.3 s, 3 m/s²: about a small quadrotor's closed velocity loop (PX4 MPC_XY_VEL_P_ACC 1.8)
  return new PointMass(spec.name, { tauS: num('tau_s', 0.3, 10), accelMaxMps2: num('accel_max_mps2', 3, 100), radiusM: num('radius_m', 0.25, 10) }, spec.pose, ctx.gravityMps2);
}
