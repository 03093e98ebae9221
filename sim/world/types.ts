// The validated world: what a `lnn-world/1` JSON file (docs/worlds.md) says, in SI units with
// the unit in every name. Produced only by read-world.ts; everything downstream trusts it.
// Frames follow ROS REP 103: world x east, y north, z up; body x forward, y left, z up.

import type { JsonObject } from '../../src/models/json-read.ts';
import type { PerturbEntry } from '../perturb/perturb.ts';

export const WORLD_FORMAT = 'lnn-world/1';

export interface Pose {
  readonly xM: number;
  readonly yM: number;
  readonly zM: number;
  readonly rollRad: number;
  readonly pitchRad: number;
  readonly yawRad: number;
}

export const SENSOR_TYPES = ['camera', 'depth', 'rays', 'imu', 'gps', 'lane_features', 'contact'] as const;
export type SensorType = (typeof SENSOR_TYPES)[number];

/** What every sensor has: a rate, Gaussian noise, a delivery latency and a frame dropout. */
export interface SensorCommon {
  readonly name: string;
  /** topic name; defaults to `<model>/<sensor name>` */
  readonly topic: string;
  readonly rateHz: number;
  /** σ of additive Gaussian noise, in the sensor's own unit (pixels in [0,1], metres, ...) */
  readonly noiseStd: number;
  readonly latencyMs: number;
  /** probability that a frame is lost (never delivered) */
  readonly dropout: number;
  /** mount pose relative to the vehicle body */
  readonly mount: Pose;
}

export interface CameraSpec extends SensorCommon {
  readonly type: 'camera';
  readonly width: number;
  readonly height: number;
  readonly hfovRad: number;
}

export interface DepthSpec extends SensorCommon {
  readonly type: 'depth';
  readonly width: number;
  readonly height: number;
  readonly hfovRad: number;
  readonly maxRangeM: number;
  /** what a ray with no return reads: max range (model-friendly) or +Inf (REP 118) */
  readonly noReturn: 'max' | 'inf';
}

export interface RaysSpec extends SensorCommon {
  readonly type: 'rays';
  readonly count: number;
  readonly fovRad: number;
  readonly minRangeM: number;
  readonly maxRangeM: number;
  readonly noReturn: 'max' | 'inf';
}

export interface ImuSpec extends SensorCommon {
  readonly type: 'imu';
  /** noiseStd is the accelerometer σ (m/s²); this is the gyro σ (rad/s) */
  readonly gyroNoiseStd: number;
  /** σ of a constant per-episode bias on every accelerometer and gyro axis */
  readonly biasStd: number;
}

export interface GpsSpec extends SensorCommon {
  readonly type: 'gps';
}

export interface LaneFeaturesSpec extends SensorCommon {
  readonly type: 'lane_features';
  /** distances ahead (m) at which the track curvature is reported */
  readonly lookaheadM: readonly number[];
}

export interface ContactSpec extends SensorCommon {
  readonly type: 'contact';
}

export type SensorSpec = CameraSpec | DepthSpec | RaysSpec | ImuSpec | GpsSpec | LaneFeaturesSpec | ContactSpec;

export interface VehicleSpec {
  readonly kind: 'vehicle';
  readonly name: string;
  /** a registered vehicle type: 'car' built in, 'quadrotor' from sim/vehicles/quadrotor* */
  readonly type: string;
  readonly pose: Pose;
  /** vehicle parameters, validated by the vehicle's own factory */
  readonly params: JsonObject;
  readonly sensors: readonly SensorSpec[];
}

/** An axis-aligned-in-z box (it may turn about z only), pose at its centre. */
export interface BoxSpec {
  readonly kind: 'box';
  readonly name: string;
  readonly pose: Pose;
  readonly sizeM: readonly [number, number, number];
  /** grey level in [0, 1] for the cameras */
  readonly shade: number;
}

/** A vertical cylinder, pose at its centre. */
export interface CylinderSpec {
  readonly kind: 'cylinder';
  readonly name: string;
  readonly pose: Pose;
  readonly radiusM: number;
  readonly lengthM: number;
  readonly shade: number;
}

/** An infinite plane n·p = offset (the ground is z = 0 and is always present). */
export interface PlaneSpec {
  readonly kind: 'plane';
  readonly name: string;
  readonly normal: readonly [number, number, number];
  readonly offsetM: number;
  readonly shade: number;
}

export type StaticSpec = BoxSpec | CylinderSpec | PlaneSpec;
export type ModelSpec = VehicleSpec | StaticSpec;

export type MarkingStyle = 'solid' | 'dashed' | 'none';

export interface TrackSegment {
  readonly lengthM: number;
  readonly curvature1pm: number;
  /** length of the clothoid ramp from the previous curvature (0 = step) */
  readonly rampM: number;
}

export interface TrackSpec {
  readonly closed: boolean;
  readonly laneWidthM: number;
  readonly shoulderM: number;
  readonly start: { readonly xM: number; readonly yM: number; readonly yawRad: number };
  readonly segments: readonly TrackSegment[];
  readonly markings: {
    readonly left: MarkingStyle;
    readonly right: MarkingStyle;
    readonly widthM: number;
    readonly dashM: number;
    readonly gapM: number;
  };
}

/** Grey levels and lighting for the software cameras (all in [0, 1] except brightness). */
export interface AppearanceSpec {
  readonly brightness: number;
  readonly sky: number;
  readonly asphalt: number;
  readonly grass: number;
  readonly marking: number;
  /** amplitude of the value-noise ground texture */
  readonly texture: number;
  /** number of soft shadow blobs laid over the road, and their darkening (0..1) */
  readonly shadows: number;
  readonly shadowStrength: number;
}

export interface ForestSpec {
  readonly xMinM: number;
  readonly xMaxM: number;
  readonly yMinM: number;
  readonly yMaxM: number;
  /** obstacles per 100 m²; the `density` perturbation multiplies it */
  readonly densityPer100m2: number;
  readonly trunkRadiusM: readonly [number, number];
  readonly heightM: number;
  /** fraction of obstacles that are square pillars instead of trunks */
  readonly pillarFraction: number;
  readonly pillarSizeM: readonly [number, number];
  /** no obstacle within this distance of the vehicle start or the target */
  readonly clearRadiusM: number;
  readonly minSpacingM: number;
}

export interface TargetSpec {
  readonly positionM: readonly [number, number, number];
  readonly radiusM: number;
}

export interface LaneTaskSpec {
  readonly type: 'lane';
  readonly vehicle: string;
  readonly speedMps: number;
  readonly durationS: number;
  readonly controlHz: number;
  readonly onDeparture: 'end' | 'recover';
  /** |cross-track error| beyond which the car has left the lane (default half the lane width) */
  readonly departCteM: number;
}

export interface DroneTaskSpec {
  readonly type: 'drone';
  readonly vehicle: string;
  readonly timeoutS: number;
  readonly controlHz: number;
  readonly successRadiusM: number;
  readonly cruiseMps: number;
}

export type TaskSpec = LaneTaskSpec | DroneTaskSpec;

export interface PluginSpec {
  readonly name: string;
  readonly type: string;
  readonly params: JsonObject;
}

export interface WorldSpec {
  readonly name: string;
  /** default run seed; `--seed` overrides it */
  readonly seed: number;
  readonly physics: { readonly rateHz: number; readonly realTimeFactor: number; readonly gravityMps2: number };
  /** GPS origin (latitude, longitude in degrees, altitude in m) of the world's (0, 0, 0) */
  readonly origin: { readonly latitudeDeg: number; readonly longitudeDeg: number; readonly altitudeM: number };
  readonly appearance: AppearanceSpec;
  readonly models: readonly ModelSpec[];
  readonly track: TrackSpec | null;
  readonly forest: ForestSpec | null;
  readonly target: TargetSpec | null;
  readonly task: TaskSpec | null;
  readonly plugins: readonly PluginSpec[];
  readonly perturbations: readonly PerturbEntry[];
  /** where the world came from, for messages: a file name or `lane:<seed>` */
  readonly source: string;
}
