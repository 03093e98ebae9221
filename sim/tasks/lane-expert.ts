// The privileged lane expert: Stanley steering (Thrun et al. 2006, "Stanley: the robot that won
// the DARPA Grand Challenge", §9.2) on the lane-feature sensor mounted at the front axle, with
// yaw-rate damping; the car's speed loop holds the set speed. No curvature feed-forward: with the
// front axle on the path the heading error is already −δ in a steady turn, so adding atan(L·κ)
// would bias the car inward by v·L·κ/k (0.34 m at 8.33 m/s on a 40 m radius). "Privileged": it reads the true track through the lane sensor (with that sensor's
// noise, latency and dropout, so sensor perturbations reach it), never the camera.
//
//   δ = −ψ_e − atan(k·e / (k_soft + v)) − k_yaw·(r − v·κ)
//
// e: cross-track error at the front axle (left > 0), ψ_e: heading error, κ: track curvature
// there, r: yaw rate, v: speed. Gains were tuned on seeds 1000–1019 (see test/sim-lane.test.ts).

import { clamp } from '../core/math.ts';
import type { Simulation } from '../engine/engine.ts';
import { LANE_CTE, LANE_CURVATURE, LANE_HEADING } from '../sensors/lane-features.ts';
import type { Sensor } from '../sensors/sensor.ts';
import type { Car } from '../vehicles/car.ts';
import { makeTrackPoint, type Track } from '../world/track.ts';
import type { LaneDriver } from './lane-driver.ts';

export interface StanleyGains {
  /** cross-track gain, 1/s */
  readonly k: number;
  /** softening speed, m/s: keeps the gain finite at standstill */
  readonly kSoftMps: number;
  /** yaw-rate damping, s */
  readonly kYawS: number;
}

export const STANLEY_DEFAULT: StanleyGains = { k: 1.5, kSoftMps: 1, kYawS: 0.05 };

export class StanleyExpert implements LaneDriver {
  readonly name = 'expert';
  private readonly tp = makeTrackPoint();

  /** `lane`: the car's lane_features sensor, or null to read the true track directly */
  constructor(private readonly lane: Sensor | null, private readonly track: Track, private readonly gains: StanleyGains = STANLEY_DEFAULT) {}

  reset(): void {
    this.tp.index = -1;
  }

  act(_sim: Simulation, car: Car, _dtS: number): number {
    let e: number, psi: number, kappa: number;
    if (this.lane !== null) {
      // hold straight until the first frame arrives (a latency perturbation delays it)
      if (this.lane.latestStampS < 0) return 0;
      const l = this.lane.latest;
      e = l[LANE_CTE]; psi = l[LANE_HEADING]; kappa = l[LANE_CURVATURE];
    } else {
      const b = car.body, lf = car.params.lfM;
      this.track.project(b.xM + lf * Math.cos(b.yawRad), b.yM + lf * Math.sin(b.yawRad), this.tp.index, this.tp);
      e = this.tp.cteM;
      psi = b.yawRad - this.tp.headingRad;
      psi = Math.atan2(Math.sin(psi), Math.cos(psi));
      kappa = this.tp.curvature1pm;
    }
    const v = Math.max(0, car.vxMps);
    const g = this.gains;
    const delta = -psi - Math.atan((g.k * e) / (g.kSoftMps + v)) - g.kYawS * (car.yawRateRadS - v * kappa);
    return clamp(delta, -car.params.steerMaxRad, car.params.steerMaxRad);
  }
}
