// Perturbations (DESIGN.md §8.2 `--perturb`): named disturbances that switch on at a sim time.
// From a `key=value[@start_s],...` string or a world file's `perturbations` list. An unknown key
// is LNN_E_UNKNOWN_KEY, a value outside its range LNN_E_RANGE. Components read the current values
// from a PerturbState each step; nothing else changes the nominal world.

import { LnnError } from '../../src/errors.ts';
import { asArray, asNumber, asObject, asString, has, need, onlyKeys, Where } from '../../src/models/json-read.ts';

export const PERTURB_KEYS = [
  'steer_bias_deg', 'actuator_gain', 'sensor_noise', 'latency_ms', 'wind_mps', 'gust_mps', 'brightness', 'density', 'dropout',
] as const;
export type PerturbKey = (typeof PERTURB_KEYS)[number];

interface KeyInfo {
  readonly nominal: number;
  readonly min: number;
  readonly max: number;
  readonly what: string;
}

/** One table: nominal value (the unperturbed world), sane range, meaning. */
export const PERTURB_TABLE: Readonly<Record<PerturbKey, KeyInfo>> = {
  steer_bias_deg: { nominal: 0, min: -45, max: 45, what: 'added to every steering command (car), degrees' },
  actuator_gain: { nominal: 1, min: 0, max: 10, what: 'multiplies every actuator command (car steering; quadrotor thrust)' },
  sensor_noise: { nominal: 0, min: 0, max: 10, what: 'extra Gaussian σ on every sensor, in units of its perturb scale (camera pixels in [0, 1])' },
  latency_ms: { nominal: 0, min: 0, max: 10000, what: 'extra delivery latency of every sensor, milliseconds' },
  wind_mps: { nominal: 0, min: 0, max: 100, what: 'steady wind speed (drone), m/s' },
  gust_mps: { nominal: 0, min: 0, max: 100, what: 'Dryden gust intensity σ (drone), m/s' },
  brightness: { nominal: 1, min: 0, max: 10, what: 'multiplies camera intensities' },
  density: { nominal: 1, min: 0, max: 100, what: 'multiplies the obstacle density of forests (applied when the world is built)' },
  dropout: { nominal: 0, min: 0, max: 1, what: 'probability that a sensor frame is lost' },
};

export interface PerturbEntry {
  readonly key: PerturbKey;
  readonly value: number;
  /** sim time at which it switches on (0 = from the start) */
  readonly startS: number;
}

function checkEntry(key: string, value: number, startS: number, w: Where): PerturbEntry {
  if (!(PERTURB_KEYS as readonly string[]).includes(key)) {
    w.fail('LNN_E_UNKNOWN_KEY', `unknown perturbation "${key}" (known: ${PERTURB_KEYS.join(', ')})`);
  }
  const k = key as PerturbKey;
  const info = PERTURB_TABLE[k];
  if (!Number.isFinite(value) || value < info.min || value > info.max) {
    w.fail('LNN_E_RANGE', `${k}=${value} is out of range (expected ${info.min} to ${info.max})`);
  }
  if (!Number.isFinite(startS) || startS < 0) w.fail('LNN_E_RANGE', `start time ${startS} must be >= 0 s`);
  if (k === 'density' && startS > 0) w.fail('LNN_E_RANGE', 'density applies when the world is built: it cannot start later');
  return { key: k, value, startS };
}

/**
 * Parses `key=value[@start_s],...`, e.g. `steer_bias_deg=3,latency_ms=50@10` (latency from t=10 s).
 * An empty string is the nominal world. Errors are LNN_E_USAGE-free codes so both the CLI and
 * world files report them the same way.
 */
export function parsePerturb(text: string): PerturbEntry[] {
  const w = new Where(undefined, 'perturb');
  const out: PerturbEntry[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return out;
  for (const part of trimmed.split(',')) {
    const p = part.trim();
    const eq = p.indexOf('=');
    if (eq <= 0) throw new LnnError('LNN_E_TYPE', `"${p}" is not key=value`, { field: 'perturb' });
    const key = p.slice(0, eq).trim();
    let rest = p.slice(eq + 1).trim();
    let startS = 0;
    const at = rest.indexOf('@');
    if (at >= 0) {
      startS = parseNumber(rest.slice(at + 1), key, w);
      rest = rest.slice(0, at);
    }
    out.push(checkEntry(key, parseNumber(rest, key, w), startS, w.key(key)));
  }
  return out;
}

function parseNumber(s: string, key: string, w: Where): number {
  const t = s.trim();
  const n = Number(t);
  if (t === '' || !Number.isFinite(n)) w.key(key).fail('LNN_E_TYPE', `"${t}" is not a number`);
  return n;
}

/** A world file's `perturbations`: [{ "key", "value", "start_s"? }, ...]. */
export function readPerturbList(v: unknown, w: Where): PerturbEntry[] {
  return asArray(v, w).map((e, i) => {
    const ew = w.at(i);
    const o = asObject(e, ew);
    onlyKeys(o, ['key', 'value', 'start_s'], ew);
    const key = asString(need(o, 'key', ew), ew.key('key'));
    const value = asNumber(need(o, 'value', ew), ew.key('value'));
    const startS = has(o, 'start_s') ? asNumber(o.start_s, ew.key('start_s'), { min: 0 }) : 0;
    return checkEntry(key, value, startS, ew);
  });
}

/** The perturbation as the eval JSON prints it: { key: value | { value, start_s } }. */
export function perturbJson(entries: readonly PerturbEntry[]): Record<string, number | { value: number; start_s: number }> {
  const o: Record<string, number | { value: number; start_s: number }> = {};
  for (const e of entries) o[e.key] = e.startS === 0 ? e.value : { value: e.value, start_s: e.startS };
  return o;
}

/**
 * The values in force at the current sim time. Later entries for the same key override earlier
 * ones once their start time has come. `update` is called by the engine before every step.
 */
export class PerturbState {
  /** current value per key; read by vehicles and sensors every step */
  readonly value: Record<PerturbKey, number>;
  private readonly entries: readonly PerturbEntry[];

  constructor(entries: readonly PerturbEntry[]) {
    this.entries = [...entries].sort((a, b) => a.startS - b.startS);
    this.value = {} as Record<PerturbKey, number>;
    this.reset();
  }

  reset(): void {
    for (const k of PERTURB_KEYS) this.value[k] = PERTURB_TABLE[k].nominal;
    this.update(0);
  }

  update(timeS: number): void {
    for (const e of this.entries) if (e.startS <= timeS + 1e-12) this.value[e.key] = e.value;
  }

  /** The largest value a key will take during the run (sizes delay lines before they are needed). */
  max(key: PerturbKey): number {
    let m = PERTURB_TABLE[key].nominal;
    for (const e of this.entries) if (e.key === key && e.value > m) m = e.value;
    return m;
  }
}
