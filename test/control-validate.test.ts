// Input validation per field: NaN, ±Inf and out-of-range samples are rejected and counted, the last
// good value is held up to the field's maxAgeS, then the inputs are not ready (→ failsafe); the
// sensor watchdog fires when no sample of any kind arrives for watchdogS. Time is an argument.
import { describe, expect, it } from 'vitest';
import { parseMapping } from '../src/control/mapping.ts';
import { REASON } from '../src/control/reasons.ts';
import { denormalise, InputValidator, normalise } from '../src/control/validate.ts';

const mapping = parseMapping({
  format: 'lnn-mapping/1',
  watchdogS: 1,
  inputs: [
    { name: 'range_m', size: 2, min: 0, max: 10, mean: 5, std: 2.5, maxAgeS: 0.2 },
    { name: 'speed_mps', min: -3, max: 3, maxAgeS: 0.5 },
    { name: 'free' }, // no range: only NaN and ±Inf are rejected
  ],
  outputs: [{ name: 'steer', min: -1, max: 1, failsafe: 0, scale: 2, bias: 0.5 }],
});

function fresh(): InputValidator {
  const v = new InputValidator(mapping);
  v.offer(0, Float64Array.of(1, 2), 0, 0);
  v.offer(1, Float64Array.of(0.5), 0, 0);
  v.offer(2, Float64Array.of(-1e6), 0, 0);
  return v;
}

describe('InputValidator', () => {
  it('is not ready until every field had a good value', () => {
    const v = new InputValidator(mapping);
    expect(v.check(0)).toBe(REASON.WAITING);
    expect(v.badField).toBe(0);
    v.offer(0, Float64Array.of(1, 2), 0, 0);
    expect(v.check(0)).toBe(REASON.WAITING);
    expect(v.badField).toBe(1);
    v.offer(1, Float64Array.of(0), 0, 0);
    v.offer(2, Float64Array.of(0), 0, 0);
    expect(v.check(0)).toBe(REASON.NONE);
    expect(v.badField).toBe(-1);
  });

  it.each([
    ['NaN', NaN], ['+Inf', Infinity], ['-Inf', -Infinity], ['below min', -0.01], ['above max', 10.01],
  ])('rejects %s and holds the last good value', (_name, bad) => {
    const v = fresh();
    expect(v.offer(0, Float64Array.of(3, bad), 0.05, 0.05)).toBe(false);
    expect(v.rejected).toBe(1);
    expect(v.holding[0]).toBe(1);
    expect(v.holdingCount()).toBe(1);
    expect(Array.from(v.raw.subarray(0, 2))).toEqual([1, 2]); // the whole sample is held, not half of it
    expect(v.check(0.1)).toBe(REASON.NONE);
  });

  it('accepts the range bounds themselves; rejects ±Inf even without a range', () => {
    const v = fresh();
    expect(v.offer(0, Float64Array.of(0, 10), 0, 0)).toBe(true);
    expect(v.offer(2, Float64Array.of(Infinity), 0, 0)).toBe(false);
    expect(v.offer(2, Float64Array.of(NaN), 0, 0)).toBe(false);
    expect(v.offer(2, Float64Array.of(1e300), 0, 0)).toBe(true);
  });

  it('holds a good value up to maxAgeS, then reports the field stale', () => {
    const v = fresh();
    for (let t = 0.01; t < 0.2; t += 0.01) {
      v.offer(0, Float64Array.of(NaN, 1), t, t); // bad samples keep arriving
      v.offer(1, Float64Array.of(0), t, t);
      v.offer(2, Float64Array.of(0), t, t);
      expect(v.check(t)).toBe(REASON.NONE);
    }
    expect(v.check(0.2)).toBe(REASON.NONE); // exactly maxAgeS: still held
    expect(v.check(0.2001)).toBe(REASON.STALE);
    expect(v.badField).toBe(0);
    // a good sample clears it at once
    v.offer(0, Float64Array.of(4, 4), 0.21, 0.21);
    expect(v.holding[0]).toBe(0);
    expect(v.check(0.21)).toBe(REASON.NONE);
  });

  it('sensor watchdog: no sample of any kind for watchdogS', () => {
    const v = new InputValidator({ ...mapping, inputs: mapping.inputs.map((f) => ({ ...f, maxAgeS: 5 })) });
    v.offer(0, Float64Array.of(1, 2), 0, 0);
    v.offer(1, Float64Array.of(0), 0, 0);
    v.offer(2, Float64Array.of(0), 0, 0);
    for (let t = 0.1; t <= 2; t += 0.1) { v.offer(0, Float64Array.of(1, 2), t, t); v.offer(2, Float64Array.of(0), t, t); }
    // field 1 went silent at t = 0: within maxAgeS (5 s) but past the watchdog (1 s)
    expect(v.check(2)).toBe(REASON.WATCHDOG);
    expect(v.badField).toBe(1);
  });

  it('an expired field is reported in field order', () => {
    const v = fresh();
    expect(v.check(0.3)).toBe(REASON.STALE);
    expect(v.badField).toBe(0);
    v.offer(0, Float64Array.of(1, 1), 0.3, 0.3);
    expect(v.check(0.6)).toBe(REASON.STALE);
    expect(v.badField).toBe(0);
    v.offer(0, Float64Array.of(1, 1), 0.6, 0.6);
    expect(v.check(0.6)).toBe(REASON.STALE);
    expect(v.badField).toBe(1); // 0.6 s > its 0.5 s
  });
});

describe('normalise / denormalise', () => {
  it('x = (raw − mean) / std per field; y_raw = y × scale + bias', () => {
    const x = new Float64Array(4);
    normalise(mapping, Float64Array.of(5, 10, 2, 7), x);
    expect(Array.from(x)).toEqual([0, 2, 2, 7]);
    const raw = new Float64Array(1);
    denormalise(mapping, Float64Array.of(0.25), raw);
    expect(raw[0]).toBe(1);
  });
});
