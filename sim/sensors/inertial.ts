// IMU (sensor_msgs/Imu) and GPS (sensor_msgs/NavSatFix) from the vehicle's body state.
// IMU reading: [qx, qy, qz, qw, wx, wy, wz, ax, ay, az] — orientation (true), body angular rate
// (rad/s) and specific force (m/s², +g on z at rest), each axis with a constant per-episode bias
// (σ = bias_std) and white noise (gyro_noise_std, noise_std). The `sensor_noise` perturbation adds
// σp m/s² on the accelerometer and σp/10 rad/s on the gyro (one tenth: gyro noise is that much
// smaller in every MEMS datasheet, e.g. 0.005 rad/s vs 0.05 m/s²).
// GPS reading: [latitude_deg, longitude_deg, altitude_m] around the world origin on a local
// tangent plane (equirectangular: under 1 cm error within 2 km); noise_std in metres on each axis.

import { quaternionZYX } from '../core/math.ts';
import { makeHeader, MSG_TYPES, setStamp, type Imu, type NavSatFix } from '../engine/msgs.ts';
import type { Bus } from '../engine/topics.ts';
import type { BodyState, Vehicle } from '../engine/vehicle.ts';
import type { GpsSpec, ImuSpec, WorldSpec } from '../world/types.ts';
import { Sensor, type Buffer, type SensorWorld } from './sensor.ts';

const EARTH_RADIUS_M = 6378137;
const RAD = 180 / Math.PI;

function covDiag(v: number): Float64Array {
  const c = new Float64Array(9);
  c[0] = c[4] = c[8] = v;
  return c;
}

export class ImuSensor extends Sensor {
  declare readonly spec: ImuSpec;
  /** per-episode bias: gyro x, y, z then accelerometer x, y, z */
  private readonly bias = new Float64Array(6);
  private readonly q = { x: 0, y: 0, z: 0, w: 1 };
  private readonly msg: Imu;

  constructor(spec: ImuSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number) {
    super(spec, vehicle, physicsHz, seed, maxExtraLatencyMs, MSG_TYPES.imu);
    this.msg = {
      header: makeHeader(`${vehicle.name}/${spec.name}`), orientation: { x: 0, y: 0, z: 0, w: 1 },
      orientation_covariance: covDiag(0), angular_velocity: { x: 0, y: 0, z: 0 },
      angular_velocity_covariance: covDiag(spec.gyroNoiseStd ** 2), linear_acceleration: { x: 0, y: 0, z: 0 },
      linear_acceleration_covariance: covDiag(spec.noiseStd ** 2),
    };
    this.drawBias();
  }

  protected valueCount(): number {
    return 10;
  }

  protected override onReset(): void {
    this.drawBias();
  }

  private drawBias(): void {
    for (let i = 0; i < 6; i++) this.bias[i] = this.spec.biasStd > 0 ? this.spec.biasStd * this.noiseRng.normal() : 0;
  }

  protected measure(_w: SensorWorld, b: BodyState, out: Buffer): void {
    quaternionZYX(b.yawRad, b.pitchRad, b.rollRad, this.q);
    out[0] = this.q.x; out[1] = this.q.y; out[2] = this.q.z; out[3] = this.q.w;
    out[4] = b.wxRadS + this.bias[0]; out[5] = b.wyRadS + this.bias[1]; out[6] = b.wzRadS + this.bias[2];
    out[7] = b.axMps2 + this.bias[3]; out[8] = b.ayMps2 + this.bias[4]; out[9] = b.azMps2 + this.bias[5];
  }

  protected addNoise(out: Buffer, extraSigma: number): void {
    const g = this.spec.gyroNoiseStd, a = this.spec.noiseStd, eg = extraSigma / 10;
    this.gauss(out, 4, 7, Math.sqrt(g * g + eg * eg));
    this.gauss(out, 7, 10, Math.sqrt(a * a + extraSigma * extraSigma));
  }

  protected publish(bus: Bus, stampS: number): void {
    const m = this.msg, l = this.latest;
    setStamp(m.header, stampS);
    m.orientation.x = l[0]; m.orientation.y = l[1]; m.orientation.z = l[2]; m.orientation.w = l[3];
    m.angular_velocity.x = l[4]; m.angular_velocity.y = l[5]; m.angular_velocity.z = l[6];
    m.linear_acceleration.x = l[7]; m.linear_acceleration.y = l[8]; m.linear_acceleration.z = l[9];
    bus.publish(this.spec.topic, m);
  }
}

/** Local ENU metres → geodetic degrees about the world origin. */
export function enuToGeodetic(origin: WorldSpec['origin'], xM: number, yM: number, zM: number, out: Buffer): void {
  const lat0 = origin.latitudeDeg / RAD;
  out[0] = origin.latitudeDeg + (yM / EARTH_RADIUS_M) * RAD;
  out[1] = origin.longitudeDeg + (xM / (EARTH_RADIUS_M * Math.cos(lat0))) * RAD;
  out[2] = origin.altitudeM + zM;
}

export class GpsSensor extends Sensor {
  declare readonly spec: GpsSpec;
  private readonly msg: NavSatFix;
  private latDeg0 = 0;

  constructor(spec: GpsSpec, vehicle: Vehicle, physicsHz: number, seed: number, maxExtraLatencyMs: number) {
    super(spec, vehicle, physicsHz, seed, maxExtraLatencyMs, MSG_TYPES.navsat);
    // status 0 = STATUS_FIX, service 1 = SERVICE_GPS; covariance type 2 = DIAGONAL_KNOWN
    this.msg = {
      header: makeHeader(`${vehicle.name}/${spec.name}`), status: { status: 0, service: 1 }, latitude: 0, longitude: 0,
      altitude: 0, position_covariance: covDiag(spec.noiseStd ** 2), position_covariance_type: 2,
    };
  }

  protected valueCount(): number {
    return 3;
  }

  protected measure(w: SensorWorld, b: BodyState, out: Buffer): void {
    this.latDeg0 = w.world.origin.latitudeDeg;
    enuToGeodetic(w.world.origin, b.xM, b.yM, b.zM, out);
  }

  protected addNoise(out: Buffer, extraSigma: number): void {
    const s0 = this.spec.noiseStd;
    const sigma = Math.sqrt(s0 * s0 + extraSigma * extraSigma);
    if (!(sigma > 0)) return;
    const n = sigma * this.noiseRng.normal(), e = sigma * this.noiseRng.normal(), u = sigma * this.noiseRng.normal();
    out[0] += (n / EARTH_RADIUS_M) * RAD;
    out[1] += (e / (EARTH_RADIUS_M * Math.cos(this.latDeg0 / RAD))) * RAD;
    out[2] += u;
  }

  protected publish(bus: Bus, stampS: number): void {
    setStamp(this.msg.header, stampS);
    this.msg.latitude = this.latest[0];
    this.msg.longitude = this.latest[1];
    this.msg.altitude = this.latest[2];
    bus.publish(this.spec.topic, this.msg);
  }
}
