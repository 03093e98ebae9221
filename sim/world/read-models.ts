// Reads a world file's `models`: vehicles with their sensors, and static geometry (boxes,
// cylinders, planes). Every key is checked; defaults are the values a 64×16 lane camera or a
// drone depth camera would have (docs/worlds.md lists them).

import {
  asArray, asEnum, asFreeObject, asNumber, asObject, asString, has, need, onlyKeys, Where, type JsonObject,
} from '../../src/models/json-read.ts';
import { DEG } from '../core/math.ts';
import { optNumber, readPose, readVec3, ZERO_POSE } from './read-common.ts';
import { SENSOR_TYPES, type ModelSpec, type Pose, type SensorSpec, type SensorType, type StaticSpec, type VehicleSpec } from './types.ts';

export const MAX_MODELS = 20000;
export const MAX_SENSORS = 64;
/** 256×256 = 65,536 pixels: a software camera beyond that would not keep the sim faster than real time. */
export const MAX_PIXELS = 65536;
export const MAX_RAYS = 4096;

const MODEL_TYPES_STATIC = ['box', 'cylinder', 'plane'] as const;
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

function readName(o: JsonObject, w: Where): string {
  const name = asString(need(o, 'name', w), w.key('name'));
  if (!NAME_RE.test(name)) w.key('name').fail('LNN_E_RANGE', `"${name}" is not a valid name (letters, digits, _; ROS topic rules)`);
  return name;
}

export function readModels(v: unknown, w: Where, physicsHz: number): ModelSpec[] {
  const a = asArray(v, w);
  if (a.length > MAX_MODELS) w.fail('LNN_E_LIMIT', `${a.length} models is beyond the limit ${MAX_MODELS}`);
  const seen = new Set<string>();
  return a.map((m, i) => {
    const mw = w.at(i);
    const o = asObject(m, mw);
    const type = asString(need(o, 'type', mw), mw.key('type'));
    const spec = (MODEL_TYPES_STATIC as readonly string[]).includes(type) ? readStatic(o, type, mw) : readVehicle(o, type, mw, physicsHz);
    if (seen.has(spec.name)) mw.key('name').fail('LNN_E_RANGE', `duplicate model name "${spec.name}"`);
    seen.add(spec.name);
    return spec;
  });
}

function readStatic(o: JsonObject, type: string, w: Where): StaticSpec {
  const name = readName(o, w);
  const shade = optNumber(o, 'shade', w, 0.3, { min: 0, max: 1 });
  const size = { above: 0, max: 1e4 };
  if (type === 'box') {
    onlyKeys(o, ['name', 'type', 'pose', 'size_m', 'shade'], w);
    const pose = has(o, 'pose') ? readPose(o.pose, w.key('pose')) : ZERO_POSE;
    noTilt(pose, w.key('pose'));
    return { kind: 'box', name, pose, sizeM: readVec3(need(o, 'size_m', w), w.key('size_m'), size), shade };
  }
  if (type === 'cylinder') {
    onlyKeys(o, ['name', 'type', 'pose', 'radius_m', 'length_m', 'shade'], w);
    const pose = has(o, 'pose') ? readPose(o.pose, w.key('pose')) : ZERO_POSE;
    noTilt(pose, w.key('pose'));
    return {
      kind: 'cylinder', name, pose, shade,
      radiusM: asNumber(need(o, 'radius_m', w), w.key('radius_m'), size),
      lengthM: asNumber(need(o, 'length_m', w), w.key('length_m'), size),
    };
  }
  onlyKeys(o, ['name', 'type', 'normal', 'offset_m', 'shade'], w);
  const n = readVec3(need(o, 'normal', w), w.key('normal'), { min: -1e3, max: 1e3 });
  const len = Math.hypot(n[0], n[1], n[2]);
  if (!(len > 1e-9)) w.key('normal').fail('LNN_E_RANGE', 'the normal must not be zero');
  return {
    kind: 'plane', name, shade, normal: [n[0] / len, n[1] / len, n[2] / len],
    offsetM: optNumber(o, 'offset_m', w, 0, { min: -1e6, max: 1e6 }),
  };
}

/** Static bodies stand upright: the ray caster's boxes and cylinders turn about z only. */
function noTilt(p: Pose, w: Where): void {
  if (p.rollRad !== 0 || p.pitchRad !== 0) w.fail('LNN_E_RANGE', 'static boxes and cylinders may turn about z only (roll and pitch must be 0)');
}

function readVehicle(o: JsonObject, type: string, w: Where, physicsHz: number): VehicleSpec {
  onlyKeys(o, ['name', 'type', 'pose', 'params', 'sensors'], w);
  const name = readName(o, w);
  const pose = has(o, 'pose') ? readPose(o.pose, w.key('pose')) : ZERO_POSE;
  const params = has(o, 'params') ? asFreeObject(o.params, w.key('params')) : {};
  const sensors = has(o, 'sensors') ? readSensors(o.sensors, w.key('sensors'), name, physicsHz) : [];
  return { kind: 'vehicle', name, type, pose, params, sensors };
}

const COMMON_KEYS = ['name', 'type', 'topic', 'rate_hz', 'noise_std', 'latency_ms', 'dropout', 'mount'];
const EXTRA_KEYS: Readonly<Record<SensorType, readonly string[]>> = {
  camera: ['width', 'height', 'hfov_deg'],
  depth: ['width', 'height', 'hfov_deg', 'max_range_m', 'no_return'],
  rays: ['count', 'fov_deg', 'min_range_m', 'max_range_m', 'no_return'],
  imu: ['gyro_noise_std', 'bias_std'],
  gps: [],
  lane_features: ['lookahead_m'],
  contact: [],
};
/** Default rates: cameras at 30 Hz as in the NCP and CfC driving data; inertial at 100 Hz. */
const DEFAULT_RATE_HZ: Readonly<Record<SensorType, number>> = {
  camera: 30, depth: 30, rays: 10, imu: 100, gps: 10, lane_features: 30, contact: 0,
};

function readSensors(v: unknown, w: Where, model: string, physicsHz: number): SensorSpec[] {
  const a = asArray(v, w);
  if (a.length > MAX_SENSORS) w.fail('LNN_E_LIMIT', `${a.length} sensors is beyond the limit ${MAX_SENSORS}`);
  const seen = new Set<string>();
  return a.map((s, i) => {
    const sw = w.at(i);
    const o = asObject(s, sw);
    const type = asEnum(need(o, 'type', sw), SENSOR_TYPES, sw.key('type'), 'LNN_E_UNKNOWN_KEY');
    onlyKeys(o, [...COMMON_KEYS, ...EXTRA_KEYS[type]], sw);
    const name = readName(o, sw);
    if (seen.has(name)) sw.key('name').fail('LNN_E_RANGE', `duplicate sensor name "${name}"`);
    seen.add(name);
    return readSensor(o, type, name, model, sw, physicsHz);
  });
}

function readSensor(o: JsonObject, type: SensorType, name: string, model: string, w: Where, physicsHz: number): SensorSpec {
  const dfltRate = DEFAULT_RATE_HZ[type] === 0 ? physicsHz : DEFAULT_RATE_HZ[type];
  const rateHz = optNumber(o, 'rate_hz', w, Math.min(dfltRate, physicsHz), { above: 0 });
  if (rateHz > physicsHz) w.key('rate_hz').fail('LNN_E_RANGE', `${rateHz} Hz is faster than the physics rate ${physicsHz} Hz`);
  const common = {
    name,
    topic: has(o, 'topic') ? asString(o.topic, w.key('topic')) : `${model}/${name}`,
    rateHz,
    noiseStd: optNumber(o, 'noise_std', w, 0, { min: 0, max: 1e3 }),
    latencyMs: optNumber(o, 'latency_ms', w, 0, { min: 0, max: 10000 }),
    dropout: optNumber(o, 'dropout', w, 0, { min: 0, max: 1 }),
    mount: has(o, 'mount') ? readPose(o.mount, w.key('mount')) : ZERO_POSE,
  };
  switch (type) {
    case 'camera': {
      const [width, height] = readImageSize(o, w, 64, 16);
      return { ...common, type, width, height, hfovRad: optNumber(o, 'hfov_deg', w, 100, { above: 0, max: 170 }) * DEG };
    }
    case 'depth': {
      const [width, height] = readImageSize(o, w, 32, 24);
      return {
        ...common, type, width, height, hfovRad: optNumber(o, 'hfov_deg', w, 90, { above: 0, max: 170 }) * DEG,
        maxRangeM: optNumber(o, 'max_range_m', w, 20, { above: 0, max: 1e4 }), noReturn: readNoReturn(o, w),
      };
    }
    case 'rays': {
      const minRangeM = optNumber(o, 'min_range_m', w, 0.1, { min: 0, max: 1e4 });
      const maxRangeM = optNumber(o, 'max_range_m', w, 20, { above: minRangeM, max: 1e4 });
      return {
        ...common, type, minRangeM, maxRangeM, noReturn: readNoReturn(o, w),
        count: optNumber(o, 'count', w, 32, { int: true, min: 1, limit: MAX_RAYS }),
        fovRad: optNumber(o, 'fov_deg', w, 180, { above: 0, max: 360 }) * DEG,
      };
    }
    case 'imu':
      return {
        ...common, type,
        gyroNoiseStd: optNumber(o, 'gyro_noise_std', w, 0, { min: 0, max: 1e3 }),
        biasStd: optNumber(o, 'bias_std', w, 0, { min: 0, max: 1e3 }),
      };
    case 'gps':
      return { ...common, type };
    case 'lane_features': {
      const la = has(o, 'lookahead_m') ? asArray(o.lookahead_m, w.key('lookahead_m')) : [0, 5, 10, 20];
      if (la.length > 64) w.key('lookahead_m').fail('LNN_E_LIMIT', 'at most 64 lookahead distances');
      return { ...common, type, lookaheadM: la.map((x, i) => asNumber(x, w.key('lookahead_m').at(i), { min: 0, max: 1000 })) };
    }
    case 'contact':
      return { ...common, type };
  }
}

function readImageSize(o: JsonObject, w: Where, dw: number, dh: number): [number, number] {
  const width = optNumber(o, 'width', w, dw, { int: true, min: 1, limit: 4096 });
  const height = optNumber(o, 'height', w, dh, { int: true, min: 1, limit: 4096 });
  if (width * height > MAX_PIXELS) w.key('width').fail('LNN_E_LIMIT', `${width}×${height} pixels is beyond the limit ${MAX_PIXELS}`);
  return [width, height];
}

function readNoReturn(o: JsonObject, w: Where): 'max' | 'inf' {
  return has(o, 'no_return') ? asEnum(o.no_return, ['max', 'inf'] as const, w.key('no_return'), 'LNN_E_RANGE') : 'max';
}
