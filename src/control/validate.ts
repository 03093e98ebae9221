// Input validation, per mapped field: a sample is good when every value is finite and inside the
// field's [min, max]. A rejected sample leaves the last good value in place ("hold"); a held value
// older than the field's maxAgeS, or no sample at all for watchdogS (the sensor watchdog), makes
// the inputs not ready, which the safety filter turns into failsafe. Pure: time comes in as
// arguments, so tests drive it without a clock. Allocation-free after construction.

import type { IoMapping } from '../io/types.ts';
import { REASON } from './reasons.ts';

export class InputValidator {
  /** (inputSize) the last good raw value of every field, physical units (held on rejection) */
  readonly raw: Float64Array;
  /** (nFields) arrival time of each field's last good value, loop clock s; -Infinity = never */
  readonly goodRxS: Float64Array;
  /** (nFields) arrival time of each field's last sample of any kind, s; -Infinity = never */
  readonly lastRxS: Float64Array;
  /** (nFields) sender timestamp of the last good value, s (for telemetry and latency) */
  readonly goodTS: Float64Array;
  /** (nFields) 1 while the newest sample was rejected and an older good value is held */
  readonly holding: Uint8Array;
  /** [samples rejected since start (NaN, Inf or out of range in any value)] (a cell, not a field: see boxed.ts) */
  private readonly counts = new Float64Array(1);
  /** the field behind the last non-NONE result of `check` */
  badField = -1;
  /** [now, s]: the loop writes the tick's time here (no double crosses a call: boxed.ts) */
  readonly time: Float64Array;

  constructor(private readonly m: IoMapping, time: Float64Array = new Float64Array(1)) {
    this.time = time;
    const n = m.inputs.length;
    this.raw = new Float64Array(m.inputSize);
    this.goodRxS = new Float64Array(n).fill(-Infinity);
    this.lastRxS = new Float64Array(n).fill(-Infinity);
    this.goodTS = new Float64Array(n).fill(-Infinity);
    this.holding = new Uint8Array(n);
  }

  /** Offers field f's new sample: values `src`, sent at tS, arrived at rxS (a test convenience). */
  offer(f: number, src: Float64Array, tS: number, rxS: number): boolean {
    const sample = new Float64Array(2 + src.length);
    sample[0] = tS;
    sample[1] = rxS;
    sample.set(src, 2);
    return this.offerSample(f, sample);
  }

  /**
   * Offers field f's new sample as the bus carries it: [tS, rxS, values(size)]. Returns true if it
   * was accepted (and is now the held value).
   */
  offerSample(f: number, sample: Float64Array): boolean {
    const field = this.m.inputs[f];
    this.lastRxS[f] = sample[1];
    const lo = field.min, hi = field.max, n = field.size;
    for (let i = 0; i < n; i++) {
      const v = sample[2 + i];
      // `!(v >= lo && v <= hi)` is true for NaN; v − v is NaN for ±Inf, so Inf fails even unbounded
      if (!(v >= lo && v <= hi) || v - v !== 0) {
        this.counts[0]++;
        this.holding[f] = 1;
        return false;
      }
    }
    const dst = this.raw, at = field.offset;
    for (let i = 0; i < n; i++) dst[at + i] = sample[2 + i];
    this.goodRxS[f] = sample[1];
    this.goodTS[f] = sample[0];
    this.holding[f] = 0;
    return true;
  }

  /** Are all inputs usable at nowS? (sets time[0]; see checkNow) */
  check(nowS: number): number {
    this.time[0] = nowS;
    return this.checkNow();
  }

  /**
   * Are all inputs usable at time[0]? Returns REASON.NONE, or why not (and sets badField):
   * WAITING (never a good value), WATCHDOG (no sample of any kind for watchdogS), STALE (the
   * held value is older than maxAgeS). The first field that fails is reported.
   */
  checkNow(): number {
    const nowS = this.time[0];
    const fields = this.m.inputs, wd = this.m.watchdogS;
    for (let f = 0; f < fields.length; f++) {
      const good = this.goodRxS[f];
      let r: number = REASON.NONE;
      if (good === -Infinity) r = REASON.WAITING;
      else if (nowS - this.lastRxS[f] > wd) r = REASON.WATCHDOG;
      else if (nowS - good > fields[f].maxAgeS) r = REASON.STALE;
      if (r !== REASON.NONE) {
        this.badField = f;
        return r;
      }
    }
    this.badField = -1;
    return REASON.NONE;
  }

  get rejected(): number {
    return this.counts[0];
  }

  /** number of fields currently holding an older value */
  holdingCount(): number {
    let n = 0;
    for (let f = 0; f < this.holding.length; f++) n += this.holding[f];
    return n;
  }
}

/** Writes the model input: x = (raw − mean) / std per field. */
export function normalise(m: IoMapping, raw: Float64Array, x: Float64Array | Float32Array): void {
  const fields = m.inputs;
  for (let f = 0; f < fields.length; f++) {
    const { offset, size, mean, std } = fields[f];
    const inv = 1 / std;
    for (let i = offset; i < offset + size; i++) x[i] = (raw[i] - mean) * inv;
  }
}

/** Writes physical outputs: raw = y × scale + bias per field. */
export function denormalise(m: IoMapping, y: Float64Array | Float32Array, raw: Float64Array): void {
  const fields = m.outputs;
  for (let f = 0; f < fields.length; f++) {
    const { offset, size, scale, bias } = fields[f];
    for (let i = offset; i < offset + size; i++) raw[i] = y[i] * scale + bias;
  }
}
