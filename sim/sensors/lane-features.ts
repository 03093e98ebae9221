// Lane-feature sensor: what a perception stack would extract from the road, measured on the true
// track at the sensor's mount point (mount it at the front axle for a Stanley controller).
// Reading: [cross_track_error_m, heading_error_rad, lane_width_m, κ(lookahead_0), κ(lookahead_1), ...]
// cross_track_error > 0: left of the centre; heading_error > 0: pointing left of the track.
// Noise: noise_std (m) on the cross-track error and noise_std/10 (rad per m) on the heading
// error; the `sensor_noise` perturbation adds σp with the same split. Curvature is noise-free.

import { wrapAngle } from '../core/math.ts';
import { makeHeader, MSG_TYPES, setStamp, type LaneFeatures } from '../engine/msgs.ts';
import type { Bus } from '../engine/topics.ts';
import type { BodyState, Vehicle } from '../engine/vehicle.ts';
import { makeTrackPoint } from '../world/track.ts';
import type { LaneFeaturesSpec } from '../world/types.ts';
import { Sensor, type Buffer, type SensorWorld } from './sensor.ts';

export const LANE_CTE = 0;
export const LANE_HEADING = 1;
export const LANE_WIDTH = 2;
export const LANE_CURVATURE = 3;

export class LaneFeaturesSensor extends Sensor {
  declare readonly spec: LaneFeaturesSpec;
  private readonly tp = makeTrackPoint();
  private readonly ahead = { xM: 0, yM: 0, headingRad: 0, curvature1pm: 0 };
  private readonly msg: LaneFeatures;

  constructor(spec: LaneFeaturesSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number) {
    super(spec, vehicle, physicsHz, seed, maxExtraLatencyMs, MSG_TYPES.lane);
    this.msg = {
      header: makeHeader(`${vehicle.name}/${spec.name}`), cross_track_error: 0, heading_error: 0, lane_width: 0,
      lookahead: new Float32Array(spec.lookaheadM), curvature: new Float32Array(spec.lookaheadM.length),
    };
  }

  protected valueCount(): number {
    return 3 + this.spec.lookaheadM.length;
  }

  protected override onReset(): void {
    this.tp.index = -1;
  }

  protected measure(w: SensorWorld, b: BodyState, out: Buffer): void {
    const track = w.track;
    if (track === null) { out.fill(0); return; }
    const m = this.spec.mount, c = Math.cos(b.yawRad), s = Math.sin(b.yawRad);
    const px = b.xM + c * m.xM - s * m.yM, py = b.yM + s * m.xM + c * m.yM;
    track.project(px, py, this.tp.index, this.tp);
    out[LANE_CTE] = this.tp.cteM;
    out[LANE_HEADING] = wrapAngle(b.yawRad + m.yawRad - this.tp.headingRad);
    out[LANE_WIDTH] = track.laneWidthM;
    const la = this.spec.lookaheadM;
    for (let i = 0; i < la.length; i++) {
      track.pointAt(this.tp.sM + la[i], this.ahead);
      out[LANE_CURVATURE + i] = this.ahead.curvature1pm;
    }
  }

  protected addNoise(out: Buffer, extraSigma: number): void {
    const s0 = this.spec.noiseStd;
    const sigma = Math.sqrt(s0 * s0 + extraSigma * extraSigma);
    this.gauss(out, LANE_CTE, LANE_CTE + 1, sigma);
    this.gauss(out, LANE_HEADING, LANE_HEADING + 1, sigma / 10);
  }

  protected publish(bus: Bus, stampS: number): void {
    const m = this.msg, l = this.latest;
    setStamp(m.header, stampS);
    m.cross_track_error = l[LANE_CTE];
    m.heading_error = l[LANE_HEADING];
    m.lane_width = l[LANE_WIDTH];
    for (let i = 0; i < m.curvature.length; i++) m.curvature[i] = l[LANE_CURVATURE + i];
    bus.publish(this.spec.topic, m);
  }
}
