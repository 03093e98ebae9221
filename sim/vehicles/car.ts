// Dynamic single-track ("bicycle") car with a steering servo and a speed loop, blended to the
// kinematic bicycle at low speed (sim-anchors §6.1). Command: [steer_rad, speed_mps].
//
// Lateral dynamics (Rajamani ch. 2): v̇y = (Fyf cosδ + Fyr)/m − r vx, ṙ = (lf Fyf cosδ − lr Fyr)/Iz,
// tyres linear up to μFz then saturating (Fy = μFz tanh(Cα/μFz)). The lateral pair is stiff at low
// speed (eigenvalue ≈ (Cf + Cr)/(m vx) ≈ 200 1/s at 1 m/s, past explicit Euler's limit at 150 Hz),
// so (vy, r) advance with a linearly implicit (backward) Euler step: stable at any rate.

import { asObject, type Json } from '../../src/models/json-read.ts';
import { clamp, DEG, wrapAngle } from '../core/math.ts';
import type { Twist } from '../engine/msgs.ts';
import { makeBodyState, type BodyState, type Vehicle, type VehicleContext, type VehicleEnv } from '../engine/vehicle.ts';
import type { Pose, VehicleSpec } from '../world/types.ts';
import { readCarParams, wheelbaseM, type CarParams } from './car-params.ts';

export const CAR_COMMAND = ['steer_rad', 'speed_mps'] as const;

export class Car implements Vehicle {
  readonly type = 'car';
  readonly commandNames = CAR_COMMAND;
  readonly body: BodyState = makeBodyState();
  readonly collisionSpheres: Float64Array;
  readonly wheelbaseM: number;
  // dynamic state beyond the body pose: body-frame velocities and the actual road-wheel angle
  vxMps = 0;
  vyMps = 0;
  yawRateRadS = 0;
  steerRad = 0;
  /** distance driven (odometer), m */
  odometerM = 0;

  constructor(readonly name: string, readonly params: CarParams, readonly initialPose: Pose, readonly gravityMps2 = 9.81) {
    this.wheelbaseM = wheelbaseM(params);
    // three spheres of the car's half width along its length, 0.7 m up: a capsule-like footprint
    const r = params.widthM / 2;
    const rear = -params.lrM - (params.lengthM - this.wheelbaseM) / 2 + r;
    const front = params.lfM + (params.lengthM - this.wheelbaseM) / 2 - r;
    this.collisionSpheres = new Float64Array([rear, 0, 0.7, r, (rear + front) / 2, 0, 0.7, r, front, 0, 0.7, r]);
    this.reset();
  }

  initialCommand(command: Float64Array): void {
    command[0] = 0;
    command[1] = this.params.initialSpeedMps;
  }

  reset(): void {
    this.setPose(this.initialPose.xM, this.initialPose.yM, this.initialPose.yawRad, this.params.initialSpeedMps);
    this.odometerM = 0;
  }

  /** Places the car (lane recovery, like a safety driver putting it back): straight wheels, no slip. */
  setPose(xM: number, yM: number, yawRad: number, speedMps: number): void {
    this.vxMps = speedMps;
    this.vyMps = 0;
    this.yawRateRadS = 0;
    this.steerRad = 0;
    const b = this.body;
    b.xM = xM; b.yM = yM; b.zM = 0; b.rollRad = 0; b.pitchRad = 0; b.yawRad = wrapAngle(yawRad);
    this.writeBody(0, 0, this.gravityMps2);
  }

  step(dtS: number, command: Float64Array, env: VehicleEnv): void {
    const p = this.params;
    const L = this.wheelbaseM;
    // actuator: perturbations act on the command, as a miscalibrated or weakened servo would
    const steerCmd = clamp(env.perturb.actuator_gain * command[0] + env.perturb.steer_bias_deg * DEG, -p.steerMaxRad, p.steerMaxRad);
    const speedCmd = clamp(Number.isFinite(command[1]) ? command[1] : 0, -p.speedMaxMps, p.speedMaxMps);
    const rate = p.steerTauS > 0 ? (steerCmd - this.steerRad) / p.steerTauS : (steerCmd - this.steerRad) / dtS;
    this.steerRad = clamp(this.steerRad + clamp(rate, -p.steerRateMaxRadS, p.steerRateMaxRadS) * dtS, -p.steerMaxRad, p.steerMaxRad);
    const d = Number.isFinite(this.steerRad) ? this.steerRad : 0;
    const cosD = Math.cos(d), sinD = Math.sin(d);

    const accelCmd = clamp(p.speedKp * (speedCmd - this.vxMps), -p.accelMaxMps2, p.accelMaxMps2);
    const vx0 = this.vxMps, vy0 = this.vyMps, r0 = this.yawRateRadS;
    const g = env.gravityMps2;
    const w = clamp((vx0 - p.blendLoMps) / (p.blendHiMps - p.blendLoMps), 0, 1);

    let vyDyn = 0, rDyn = 0, fyfSin = 0;
    if (w > 0) {
      // axle loads with longitudinal load transfer (CommonRoad ST), stiffness C = C_S·F_z
      const fzf = (p.massKg * (g * p.lrM - accelCmd * p.hCgM)) / L;
      const fzr = (p.massKg * (g * p.lfM + accelCmd * p.hCgM)) / L;
      const af = d - Math.atan2(vy0 + p.lfM * r0, vx0);
      const ar = -Math.atan2(vy0 - p.lrM * r0, vx0);
      const cf = secantStiffness(p.csFront * fzf, p.mu * fzf, af);
      const cr = secantStiffness(p.csRear * fzr, p.mu * fzr, ar);
      fyfSin = cf * af * sinD;
      // x = (vy, r): ẋ = A x + b, linearised slip angles; backward Euler (I − dt A) x1 = x0 + dt b
      const m = p.massKg, iz = p.izKgM2, lf = p.lfM, lr = p.lrM, cfc = cf * cosD;
      const a11 = -(cfc + cr) / (m * vx0), a12 = -(cfc * lf - cr * lr) / (m * vx0) - vx0;
      const a21 = -(lf * cfc - lr * cr) / (iz * vx0), a22 = -(lf * lf * cfc + lr * lr * cr) / (iz * vx0);
      const b1 = (cfc * d) / m, b2 = (lf * cfc * d) / iz;
      const m11 = 1 - dtS * a11, m12 = -dtS * a12, m21 = -dtS * a21, m22 = 1 - dtS * a22;
      const r1 = vy0 + dtS * b1, r2 = r0 + dtS * b2;
      const det = m11 * m22 - m12 * m21;
      vyDyn = (r1 * m22 - m12 * r2) / det;
      rDyn = (m11 * r2 - m21 * r1) / det;
    }
    const vx1 = vx0 + dtS * (accelCmd + (w > 0 ? r0 * vy0 - fyfSin / p.massKg : 0));
    // kinematic bicycle about the CG: β = atan(lr tanδ / L), r = v tanδ / L (v along x here)
    const tanD = Math.tan(d);
    const vyKin = (vx1 * p.lrM * tanD) / L;
    const rKin = (vx1 * tanD) / L;
    const vy1 = w * vyDyn + (1 - w) * vyKin;
    const r1 = w * rDyn + (1 - w) * rKin;

    const b = this.body;
    const yaw = wrapAngle(b.yawRad + r1 * dtS);
    const c = Math.cos(yaw), s = Math.sin(yaw);
    b.xM += (vx1 * c - vy1 * s) * dtS;
    b.yM += (vx1 * s + vy1 * c) * dtS;
    b.yawRad = yaw;
    this.odometerM += Math.sqrt(vx1 * vx1 + vy1 * vy1) * dtS;
    // body-frame acceleration = d/dt(v_body) + ω × v_body
    const axB = (vx1 - vx0) / dtS - r1 * vy1;
    const ayB = (vy1 - vy0) / dtS + r1 * vx1;
    this.vxMps = vx1;
    this.vyMps = vy1;
    this.yawRateRadS = r1;
    this.writeBody(axB, ayB, g);
  }

  private writeBody(axB: number, ayB: number, g: number): void {
    const b = this.body;
    const c = Math.cos(b.yawRad), s = Math.sin(b.yawRad);
    b.vxMps = this.vxMps * c - this.vyMps * s;
    b.vyMps = this.vxMps * s + this.vyMps * c;
    b.vzMps = 0;
    b.wxRadS = 0; b.wyRadS = 0; b.wzRadS = this.yawRateRadS;
    b.axMps2 = axB; b.ayMps2 = ayB; b.azMps2 = g;
  }

  /** cmd_vel as an Ackermann drive reads it: linear.x speed, angular.z yaw rate → δ = atan(L ω / v). */
  twistToCommand(twist: Twist, command: Float64Array): void {
    const v = twist.linear.x;
    command[1] = v;
    command[0] = Math.abs(v) < 0.1 ? 0 : Math.atan((this.wheelbaseM * twist.angular.z) / v);
  }
}

/** F/α of the saturating tyre F = Fmax·tanh(C α / Fmax): C for small α, falling as the tyre slides. */
function secantStiffness(c: number, fMax: number, alpha: number): number {
  if (fMax <= 0) return 0;
  const x = (c * alpha) / fMax;
  if (Math.abs(x) < 1e-6) return c;
  return (fMax * Math.tanh(x)) / alpha;
}

export function makeCar(spec: VehicleSpec, ctx: VehicleContext): Car {
  const w = ctx.where.key('params');
  return new Car(spec.name, readCarParams(asObject(spec.params as Json, w), w), spec.pose, ctx.gravityMps2);
}
