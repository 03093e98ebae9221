// Range sensors on the analytic ray caster: a depth image (sensor_msgs/Image 32FC1, metres along
// the optical axis, REP 118), a planar range fan (sensor_msgs/LaserScan, REP 117), and a contact
// sensor (the vehicle's collision spheres against the static bodies; the ground is not a contact).

import { addTableNoise } from '../core/rng.ts';
import { rotationZYX } from '../core/math.ts';
import { makeHeader, MSG_TYPES, setStamp, type Contacts, type Image, type LaserScan } from '../engine/msgs.ts';
import type { Bus } from '../engine/topics.ts';
import type { BodyState, Vehicle } from '../engine/vehicle.ts';
import { makeRayHit, NO_HIT } from '../physics/raycast.ts';
import type { ContactSpec, DepthSpec, RaysSpec } from '../world/types.ts';
import { fanRays, PixelRays } from './pixel-rays.ts';
import { Sensor, type Buffer, type SensorWorld } from './sensor.ts';

/** World-frame origin of a mount on a body, into `o` (x, y, z); the rotation stays in `R`. */
function mountOrigin(b: BodyState, mx: number, my: number, mz: number, R: Float64Array, o: Float64Array): void {
  rotationZYX(b.yawRad, b.pitchRad, b.rollRad, R);
  o[0] = b.xM + R[0] * mx + R[1] * my + R[2] * mz;
  o[1] = b.yM + R[3] * mx + R[4] * my + R[5] * mz;
  o[2] = b.zM + R[6] * mx + R[7] * my + R[8] * mz;
}

export class DepthSensor extends Sensor {
  declare readonly spec: DepthSpec;
  readonly rays: PixelRays;
  private readonly R = new Float64Array(9);
  private readonly o = new Float64Array(3);
  private readonly hit = makeRayHit();
  private readonly msg: Image;

  constructor(spec: DepthSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number) {
    super(spec, vehicle, physicsHz, seed, maxExtraLatencyMs, MSG_TYPES.image);
    this.rays = new PixelRays(spec.width, spec.height, spec.hfovRad, spec.mount);
    const f32 = this.latest as Float32Array;
    this.msg = {
      header: makeHeader(`${vehicle.name}/${spec.name}`), height: spec.height, width: spec.width, encoding: '32FC1',
      is_bigendian: 0, step: spec.width * 4, data: new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength),
    };
  }

  protected valueCount(): number {
    return this.spec.width * this.spec.height;
  }

  protected override makeBuffer(n: number): Buffer {
    return new Float32Array(n);
  }

  protected measure(w: SensorWorld, b: BodyState, out: Buffer): void {
    const R = this.R, o = this.o, r = this.rays, m = this.spec.mount, max = this.spec.maxRangeM;
    mountOrigin(b, m.xM, m.yM, m.zM, R, o);
    const none = this.spec.noReturn === 'inf' ? Infinity : max;
    for (let i = 0; i < r.count; i++) {
      const dx = R[0] * r.x[i] + R[1] * r.y[i] + R[2] * r.z[i];
      const dy = R[3] * r.x[i] + R[4] * r.y[i] + R[5] * r.z[i];
      const dz = R[6] * r.x[i] + R[7] * r.y[i] + R[8] * r.z[i];
      // the optical-axis component of every ray is 1, so t is the depth
      out[i] = w.scene.castRay(o[0], o[1], o[2], dx, dy, dz, max, this.hit, true) ? this.hit.t : none;
    }
  }

  protected addNoise(out: Buffer, extraSigma: number): void {
    const s0 = this.spec.noiseStd;
    const sigma = Math.sqrt(s0 * s0 + extraSigma * extraSigma);
    if (!(sigma > 0)) return;
    addTableNoise(this.noiseRng, out, sigma);
    for (let i = 0; i < out.length; i++) if (out[i] < 0) out[i] = 0;
  }

  protected publish(bus: Bus, stampS: number): void {
    setStamp(this.msg.header, stampS);
    bus.publish(this.spec.topic, this.msg);
  }
}

export class RaysSensor extends Sensor {
  declare readonly spec: RaysSpec;
  private readonly fan: ReturnType<typeof fanRays>;
  private readonly R = new Float64Array(9);
  private readonly o = new Float64Array(3);
  private readonly hit = makeRayHit();
  private readonly msg: LaserScan;

  constructor(spec: RaysSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number) {
    super(spec, vehicle, physicsHz, seed, maxExtraLatencyMs, MSG_TYPES.scan);
    this.fan = fanRays(spec.count, spec.fovRad, spec.mount);
    this.msg = {
      header: makeHeader(`${vehicle.name}/${spec.name}`), angle_min: this.fan.angleMin,
      angle_max: this.fan.angleMin + (spec.count - 1) * this.fan.increment, angle_increment: this.fan.increment,
      time_increment: 0, scan_time: 1 / spec.rateHz, range_min: spec.minRangeM, range_max: spec.maxRangeM,
      ranges: new Float32Array(spec.count), intensities: new Float32Array(0),
    };
  }

  protected valueCount(): number {
    return this.spec.count;
  }

  protected measure(w: SensorWorld, b: BodyState, out: Buffer): void {
    const R = this.R, o = this.o, f = this.fan, m = this.spec.mount, max = this.spec.maxRangeM;
    mountOrigin(b, m.xM, m.yM, m.zM, R, o);
    const none = this.spec.noReturn === 'inf' ? Infinity : max;
    for (let i = 0; i < this.spec.count; i++) {
      const dx = R[0] * f.x[i] + R[1] * f.y[i] + R[2] * f.z[i];
      const dy = R[3] * f.x[i] + R[4] * f.y[i] + R[5] * f.z[i];
      const dz = R[6] * f.x[i] + R[7] * f.y[i] + R[8] * f.z[i];
      const got = w.scene.castRay(o[0], o[1], o[2], dx, dy, dz, max, this.hit, true);
      out[i] = got ? Math.max(this.hit.t, this.spec.minRangeM) : none;
    }
  }

  protected addNoise(out: Buffer, extraSigma: number): void {
    const s0 = this.spec.noiseStd;
    const sigma = Math.sqrt(s0 * s0 + extraSigma * extraSigma);
    if (!(sigma > 0)) return;
    for (let i = 0; i < out.length; i++) {
      if (Number.isFinite(out[i])) out[i] = Math.max(this.spec.minRangeM, out[i] + sigma * this.noiseRng.normal());
    }
  }

  protected publish(bus: Bus, stampS: number): void {
    setStamp(this.msg.header, stampS);
    this.msg.ranges.set(this.latest);
    bus.publish(this.spec.topic, this.msg);
  }
}

/** Reading: [in_contact (0 or 1), index of the first static body touched (-1 when none)]. */
export class ContactSensor extends Sensor {
  declare readonly spec: ContactSpec;
  private readonly R = new Float64Array(9);
  private readonly msg: Contacts;
  private names: readonly string[] = [];

  constructor(spec: ContactSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number) {
    super(spec, vehicle, physicsHz, seed, maxExtraLatencyMs, MSG_TYPES.contacts);
    this.msg = { header: makeHeader(`${vehicle.name}/${spec.name}`), in_contact: false, collision: '' };
  }

  protected valueCount(): number {
    return 2;
  }

  protected measure(w: SensorWorld, b: BodyState, out: Buffer): void {
    this.names = w.scene.names;
    const s = this.vehicle.collisionSpheres, R = this.R;
    out[0] = 0;
    out[1] = NO_HIT;
    if (w.scene.count === 0) return;
    rotationZYX(b.yawRad, b.pitchRad, b.rollRad, R);
    for (let k = 0; k + 3 < s.length; k += 4) {
      const x = b.xM + R[0] * s[k] + R[1] * s[k + 1] + R[2] * s[k + 2];
      const y = b.yM + R[3] * s[k] + R[4] * s[k + 1] + R[5] * s[k + 2];
      const z = b.zM + R[6] * s[k] + R[7] * s[k + 1] + R[8] * s[k + 2];
      const id = w.scene.overlapSphere(x, y, z, s[k + 3], false);
      if (id !== NO_HIT) {
        out[0] = 1;
        out[1] = id;
        return;
      }
    }
  }

  /** contact is a yes/no fact: noise does not apply */
  protected addNoise(): void {}

  protected publish(bus: Bus, stampS: number): void {
    setStamp(this.msg.header, stampS);
    this.msg.in_contact = this.latest[0] === 1;
    const id = this.latest[1];
    this.msg.collision = id >= 0 ? (this.names[id] ?? '') : '';
    bus.publish(this.spec.topic, this.msg);
  }
}
