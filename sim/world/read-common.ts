// Shared readers for world files: poses, optional numbers with defaults, ranges of two numbers.

import { asArray, asNumber, asObject, has, onlyKeys, type JsonObject, type NumberRange, type Where } from '../../src/models/json-read.ts';
import { DEG } from '../core/math.ts';
import type { Pose } from './types.ts';

export const ZERO_POSE: Pose = Object.freeze({ xM: 0, yM: 0, zM: 0, rollRad: 0, pitchRad: 0, yawRad: 0 });

/** An optional number: the default when the key is absent, else checked against the range. */
export function optNumber(o: JsonObject, k: string, w: Where, dflt: number, r: NumberRange = {}): number {
  return has(o, k) ? asNumber(o[k], w.key(k), r) : dflt;
}

const POSE_KEYS = ['x_m', 'y_m', 'z_m', 'roll_rad', 'pitch_rad', 'yaw_rad', 'roll_deg', 'pitch_deg', 'yaw_deg'];
const MAX_COORD_M = 1e6;

/** An angle given in radians or degrees (not both). */
function angle(o: JsonObject, name: string, w: Where, dflt: number): number {
  const rad = `${name}_rad`;
  const deg = `${name}_deg`;
  if (has(o, rad) && has(o, deg)) w.key(deg).fail('LNN_E_UNKNOWN_KEY', `give ${rad} or ${deg}, not both`);
  if (has(o, deg)) return asNumber(o[deg], w.key(deg), { min: -3600, max: 3600 }) * DEG;
  return optNumber(o, rad, w, dflt, { min: -100, max: 100 });
}

/** `{ x_m, y_m, z_m, roll_rad|roll_deg, pitch_rad|pitch_deg, yaw_rad|yaw_deg }`, every key optional. */
export function readPose(v: unknown, w: Where, dflt: Pose = ZERO_POSE): Pose {
  const o = asObject(v, w);
  onlyKeys(o, POSE_KEYS, w);
  const r = { min: -MAX_COORD_M, max: MAX_COORD_M };
  return Object.freeze({
    xM: optNumber(o, 'x_m', w, dflt.xM, r),
    yM: optNumber(o, 'y_m', w, dflt.yM, r),
    zM: optNumber(o, 'z_m', w, dflt.zM, r),
    rollRad: angle(o, 'roll', w, dflt.rollRad),
    pitchRad: angle(o, 'pitch', w, dflt.pitchRad),
    yawRad: angle(o, 'yaw', w, dflt.yawRad),
  });
}

/** `[lo, hi]` with lo <= hi, both in range. */
export function readPair(v: unknown, w: Where, r: NumberRange): readonly [number, number] {
  const a = asArray(v, w);
  if (a.length !== 2) w.fail('LNN_E_SHAPE', `expected [min, max], got ${a.length} entries`);
  const lo = asNumber(a[0], w.at(0), r);
  const hi = asNumber(a[1], w.at(1), r);
  if (hi < lo) w.fail('LNN_E_RANGE', `min ${lo} is above max ${hi}`);
  return [lo, hi];
}

/** `[x, y, z]` numbers in range. */
export function readVec3(v: unknown, w: Where, r: NumberRange): readonly [number, number, number] {
  const a = asArray(v, w);
  if (a.length !== 3) w.fail('LNN_E_SHAPE', `expected [x, y, z], got ${a.length} entries`);
  return [asNumber(a[0], w.at(0), r), asNumber(a[1], w.at(1), r), asNumber(a[2], w.at(2), r)];
}
