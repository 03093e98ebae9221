// ROS 2 messages ↔ slices of the model's input and output vectors. Pure functions, no rclnodejs:
// a decoder fills `out` (length `size`, physical units) and returns the sender's timestamp in
// seconds (header stamp; NaN when the message has none or it is zero, and the caller uses its own
// clock); an encoder builds one message from `size` output values. Layouts are fixed per size so a
// mapping's `size` alone says which components a field carries (docs/ros2.md, "Message layouts").

/// <reference path="../../../types/rclnodejs-interfaces.d.ts" />
import type * as Rcl from 'rclnodejs';
import type { MsgTypeName } from './api.ts';

type Msgs = Rcl.MessagesMap;

/** Decoders return NaN for "no timestamp", or a string saying why the message is malformed. */
export type Decoded = number | string;

export interface InputCodec {
  /** field sizes this type can fill. null: any size (arrays). */
  readonly sizes: readonly number[] | null;
  decode(msg: unknown, out: Float64Array): Decoded;
}

export interface OutputCodec {
  readonly sizes: readonly number[] | null;
  readonly stamped: boolean;
  /** `y` (size) physical units; `ctx` the node parameters an encoder may need. */
  encode(y: ArrayLike<number>, ctx: EncodeContext): object;
}

export interface EncodeContext {
  /** linear.x of a size-1 Twist (steering only), m/s: parameter `cruise_speed`. */
  readonly cruiseSpeedMps: number;
  readonly frameId: string;
  /** stamp for stamped messages, seconds since the epoch. */
  readonly nowS: number;
}

/** Header stamp → seconds; NaN when absent or zero (drivers that never set it). */
export function stampS(h: { stamp?: { sec?: unknown; nanosec?: unknown } } | undefined): number {
  const s = h?.stamp;
  if (s === undefined || typeof s.sec !== 'number' || typeof s.nanosec !== 'number') return NaN;
  const t = s.sec + s.nanosec * 1e-9;
  return t > 0 ? t : NaN;
}

export function toStamp(tS: number): Rcl.builtin_interfaces.msg.Time {
  const sec = Math.floor(tS);
  return { sec, nanosec: Math.min(999_999_999, Math.round((tS - sec) * 1e9)) };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function vec3(v: unknown, what: string): Rcl.geometry_msgs.msg.Vector3 | string {
  if (!isObj(v) || typeof v.x !== 'number' || typeof v.y !== 'number' || typeof v.z !== 'number') return `${what} is not a Vector3`;
  return v as unknown as Rcl.geometry_msgs.msg.Vector3;
}

function numbers(v: unknown): ArrayLike<number> | null {
  if (Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array) return v as ArrayLike<number>;
  return null;
}

/** Imu: size 3 = angular_velocity xyz (rad/s); 6 = + linear_acceleration xyz (m/s²); 10 = + orientation xyzw. */
const imu: InputCodec = {
  sizes: [3, 6, 10],
  decode(msg, out) {
    const m = msg as Partial<Msgs['sensor_msgs/msg/Imu']>;
    const w = vec3(m.angular_velocity, 'angular_velocity');
    if (typeof w === 'string') return w;
    out[0] = w.x; out[1] = w.y; out[2] = w.z;
    if (out.length >= 6) {
      const a = vec3(m.linear_acceleration, 'linear_acceleration');
      if (typeof a === 'string') return a;
      out[3] = a.x; out[4] = a.y; out[5] = a.z;
    }
    if (out.length === 10) {
      const q = m.orientation;
      if (!isObj(q) || typeof q.w !== 'number') return 'orientation is not a Quaternion';
      out[6] = q.x; out[7] = q.y; out[8] = q.z; out[9] = q.w;
    }
    return stampS(m.header);
  },
};

/**
 * LaserScan: `size` sectors from angle_min to angle_max, each the nearest range in it (m), the
 * conservative reduction for obstacle avoidance. +Inf/NaN (no return) read as range_max, −Inf (too
 * close) as range_min, everything clamped to [range_min, range_max].
 */
const laserScan: InputCodec = {
  sizes: null,
  decode(msg, out) {
    const m = msg as Partial<Msgs['sensor_msgs/msg/LaserScan']>;
    const r = numbers(m.ranges);
    if (r === null) return 'ranges is not an array';
    const n = out.length;
    if (r.length < n) return `ranges has ${r.length} values, fewer than the field's ${n} sectors`;
    const lo = typeof m.range_min === 'number' && m.range_min >= 0 ? m.range_min : 0;
    const hi = typeof m.range_max === 'number' && m.range_max > lo ? m.range_max : Infinity;
    for (let k = 0; k < n; k++) {
      const a = Math.floor((k * r.length) / n);
      const b = Math.floor(((k + 1) * r.length) / n);
      let best = hi;
      for (let i = a; i < b; i++) {
        const v = r[i];
        const x = v === -Infinity ? lo : Number.isNaN(v) || v === Infinity ? hi : v;
        if (x < best) best = x;
      }
      out[k] = Math.min(hi, Math.max(lo, best));
    }
    return stampS(m.header);
  },
};

const multiArray: InputCodec = {
  sizes: null,
  decode(msg, out) {
    const d = isObj(msg) ? numbers(msg.data) : null;
    if (d === null) return 'data is not an array';
    if (d.length !== out.length) return `data has ${d.length} values, expected ${out.length}`;
    for (let i = 0; i < d.length; i++) out[i] = d[i];
    return NaN;
  },
};

const scalar: InputCodec = {
  sizes: [1],
  decode(msg, out) {
    if (!isObj(msg) || typeof msg.data !== 'number') return 'data is not a number';
    out[0] = msg.data;
    return NaN;
  },
};

/** Twist in or out: size 1 = angular.z (+ linear.x from `cruise_speed` when sent); 2 = linear.x, angular.z; 4 = linear xyz, angular.z; 6 = linear xyz, angular xyz. */
const TWIST_SIZES = [1, 2, 4, 6] as const;

function readTwist(t: unknown, out: Float64Array): string | null {
  if (!isObj(t)) return 'twist is missing';
  const l = vec3(t.linear, 'linear');
  if (typeof l === 'string') return l;
  const a = vec3(t.angular, 'angular');
  if (typeof a === 'string') return a;
  switch (out.length) {
    case 1: out[0] = a.z; break;
    case 2: out[0] = l.x; out[1] = a.z; break;
    case 4: out[0] = l.x; out[1] = l.y; out[2] = l.z; out[3] = a.z; break;
    default: out[0] = l.x; out[1] = l.y; out[2] = l.z; out[3] = a.x; out[4] = a.y; out[5] = a.z;
  }
  return null;
}

function makeTwist(y: ArrayLike<number>, cruiseSpeedMps: number): Rcl.geometry_msgs.msg.Twist {
  const l = { x: 0, y: 0, z: 0 };
  const a = { x: 0, y: 0, z: 0 };
  switch (y.length) {
    case 1: l.x = cruiseSpeedMps; a.z = y[0]; break;
    case 2: l.x = y[0]; a.z = y[1]; break;
    case 4: l.x = y[0]; l.y = y[1]; l.z = y[2]; a.z = y[3]; break;
    default: l.x = y[0]; l.y = y[1]; l.z = y[2]; a.x = y[3]; a.y = y[4]; a.z = y[5];
  }
  return { linear: l, angular: a };
}

export const INPUT_CODECS: Partial<Record<MsgTypeName, InputCodec>> = {
  'sensor_msgs/msg/Imu': imu,
  'sensor_msgs/msg/LaserScan': laserScan,
  'std_msgs/msg/Float32MultiArray': multiArray,
  'std_msgs/msg/Float64MultiArray': multiArray,
  'std_msgs/msg/Float32': scalar,
  'std_msgs/msg/Float64': scalar,
  'geometry_msgs/msg/Twist': {
    sizes: TWIST_SIZES,
    decode: (msg, out) => readTwist(msg, out) ?? NaN,
  },
  'geometry_msgs/msg/TwistStamped': {
    sizes: TWIST_SIZES,
    decode(msg, out) {
      const m = msg as Partial<Msgs['geometry_msgs/msg/TwistStamped']>;
      return readTwist(m.twist, out) ?? stampS(m.header);
    },
  },
};

const layout = (n: number): Rcl.std_msgs.msg.MultiArrayLayout => ({ dim: [{ label: 'y', size: n, stride: n }], data_offset: 0 });

export const OUTPUT_CODECS: Partial<Record<MsgTypeName, OutputCodec>> = {
  'geometry_msgs/msg/Twist': {
    sizes: TWIST_SIZES, stamped: false,
    encode: (y, c): Msgs['geometry_msgs/msg/Twist'] => makeTwist(y, c.cruiseSpeedMps),
  },
  'geometry_msgs/msg/TwistStamped': {
    sizes: TWIST_SIZES, stamped: true,
    encode: (y, c): Msgs['geometry_msgs/msg/TwistStamped'] => ({
      header: { stamp: toStamp(c.nowS), frame_id: c.frameId }, twist: makeTwist(y, c.cruiseSpeedMps),
    }),
  },
  'std_msgs/msg/Float32MultiArray': {
    sizes: null, stamped: false,
    encode: (y): Msgs['std_msgs/msg/Float32MultiArray'] => ({ layout: layout(y.length), data: Array.from(y) }),
  },
  'std_msgs/msg/Float64MultiArray': {
    sizes: null, stamped: false,
    encode: (y): Msgs['std_msgs/msg/Float64MultiArray'] => ({ layout: layout(y.length), data: Array.from(y) }),
  },
  'std_msgs/msg/Float32': { sizes: [1], stamped: false, encode: (y): Msgs['std_msgs/msg/Float32'] => ({ data: y[0] }) },
  'std_msgs/msg/Float64': { sizes: [1], stamped: false, encode: (y): Msgs['std_msgs/msg/Float64'] => ({ data: y[0] }) },
};

/** `sensor_msgs/Imu` → `sensor_msgs/msg/Imu`; anything else unchanged. */
export function fullTypeName(t: string): string {
  const p = t.split('/');
  return p.length === 2 ? `${p[0]}/msg/${p[1]}` : t;
}
