// The safety filter: arm / disarm / e-stop / reset state machine, failsafe on bad inputs and on
// non-finite policy outputs, autoArm, output clamps and rate limits.
import { describe, expect, it } from 'vitest';
import { parseMapping } from '../src/control/mapping.ts';
import { REASON, STATE } from '../src/control/reasons.ts';
import { SafetyFilter } from '../src/control/safety.ts';
import { CMD } from '../src/control/transport.ts';

const doc = {
  format: 'lnn-mapping/1',
  inputs: [{ name: 'x' }],
  outputs: [
    { name: 'steer', min: -0.5, max: 0.5, ratePerS: 1, failsafe: 0 },
    { name: 'throttle', min: 0, max: 1, failsafe: 0 },
  ],
};
const manual = parseMapping(doc);
const auto = parseMapping({ ...doc, autoArm: true });
const OK = REASON.NONE;
const dt = 0.01;

function run(f: SafetyFilter, y: number[], inputs: number = OK, n = 1): number[] {
  const out = new Float64Array(2);
  for (let i = 0; i < n; i++) f.filter(dt, inputs, inputs === OK ? -1 : 0, Float64Array.from(y), out);
  return Array.from(out);
}

describe('SafetyFilter state machine', () => {
  it('starts disarmed and sends failsafe values until armed', () => {
    const f = new SafetyFilter(manual);
    expect(f.state).toBe(STATE.DISARMED);
    expect(run(f, [0.3, 0.7], OK, 10)).toEqual([0, 0]);
    f.command(CMD.ARM, OK, -1);
    expect(f.state).toBe(STATE.ARMED);
    expect(run(f, [0.3, 0.7])).toEqual([0.01, 0.7]);
  });

  it('refuses to arm while the inputs are not ready, and says which', () => {
    const f = new SafetyFilter(manual);
    f.command(CMD.ARM, REASON.STALE, 0);
    expect(f.state).toBe(STATE.DISARMED);
    expect(f.reason).toBe(REASON.ARM_REFUSED);
    expect(f.reasonField).toBe(0);
  });

  it('armed → failsafe when the inputs go bad; stays there (no autoArm) until armed again', () => {
    const f = new SafetyFilter(manual);
    f.command(CMD.ARM, OK, -1);
    run(f, [0.3, 0.7], OK, 100);
    expect(run(f, [0.3, 0.7], REASON.STALE)).toEqual([0, 0]); // at once, no rate limit
    expect(f.state).toBe(STATE.FAILSAFE);
    expect(f.reason).toBe(REASON.STALE);
    run(f, [0.3, 0.7], REASON.WATCHDOG);
    expect(f.reason).toBe(REASON.WATCHDOG); // the reason follows the inputs
    run(f, [0.3, 0.7], OK, 10);
    expect(f.state).toBe(STATE.FAILSAFE);
    f.command(CMD.ARM, OK, -1);
    expect(f.state).toBe(STATE.ARMED);
  });

  it('autoArm: arms when the inputs are ready and again after a failsafe clears', () => {
    const f = new SafetyFilter(auto);
    run(f, [0, 0], REASON.WAITING);
    expect(f.state).toBe(STATE.DISARMED);
    expect(f.reason).toBe(REASON.WAITING);
    run(f, [0, 0]);
    expect(f.state).toBe(STATE.ARMED);
    run(f, [0, 0], REASON.STALE);
    expect(f.state).toBe(STATE.FAILSAFE);
    run(f, [0, 0]);
    expect(f.state).toBe(STATE.ARMED);
  });

  it('an explicit disarm suspends autoArm until the next arm', () => {
    const f = new SafetyFilter(auto);
    run(f, [0, 0]);
    f.command(CMD.DISARM, OK, -1);
    run(f, [0.2, 0.2], OK, 10);
    expect(f.state).toBe(STATE.DISARMED);
    expect(f.reason).toBe(REASON.DISARMED);
    f.command(CMD.ARM, OK, -1);
    expect(f.state).toBe(STATE.ARMED);
  });

  it('e-stop latches from any state: arm and disarm are ignored until reset', () => {
    for (const m of [manual, auto]) {
      const f = new SafetyFilter(m);
      f.command(CMD.ARM, OK, -1);
      run(f, [0.5, 1], OK, 100);
      f.command(CMD.ESTOP, OK, -1);
      expect(run(f, [0.5, 1])).toEqual([0, 0]);
      f.command(CMD.ARM, OK, -1);
      f.command(CMD.DISARM, OK, -1);
      run(f, [0.5, 1], OK, 10);
      expect(f.state).toBe(STATE.ESTOP);
      expect(f.reason).toBe(REASON.ESTOP);
      f.command(CMD.RESET, OK, -1);
      expect(f.policyResetWanted).toBe(true);
      run(f, [0.5, 1]);
      expect(f.state).toBe(m.autoArm ? STATE.ARMED : STATE.DISARMED);
    }
  });

  it('a non-finite policy output → failsafe, failsafe values, and a policy reset', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const f = new SafetyFilter(manual);
      f.command(CMD.ARM, OK, -1);
      run(f, [0.1, 0.5]);
      expect(run(f, [0.1, bad])).toEqual([0, 0]);
      expect(f.state).toBe(STATE.FAILSAFE);
      expect(f.reason).toBe(REASON.NONFINITE_OUTPUT);
      expect(f.reasonField).toBe(1);
      expect(f.policyResetWanted).toBe(true);
    }
  });
});

describe('SafetyFilter clamps and rate limits', () => {
  it('clamps every output to [min, max]', () => {
    const f = new SafetyFilter(manual);
    f.command(CMD.ARM, OK, -1);
    expect(run(f, [-9, 9], OK, 200)).toEqual([-0.5, 1]);
    expect(run(f, [9, -9], OK, 200)).toEqual([0.5, 0]);
  });

  it('limits the rate of change to ratePerS × dt, ramping from the failsafe value when armed', () => {
    const f = new SafetyFilter(manual);
    f.command(CMD.ARM, OK, -1);
    const out = new Float64Array(2);
    const seen: number[] = [];
    for (let i = 0; i < 60; i++) { f.filter(dt, OK, -1, Float64Array.of(0.4, 0), out); seen.push(out[0]); }
    // 1 per s at 10 ms: +0.01 a tick, reaching 0.4 after 40 ticks
    expect(seen[0]).toBeCloseTo(0.01, 12);
    expect(seen[19]).toBeCloseTo(0.2, 12);
    expect(seen[39]).toBeCloseTo(0.4, 12);
    expect(seen[59]).toBeCloseTo(0.4, 12);
    // a bigger dt allows a bigger step
    f.filter(0.1, OK, -1, Float64Array.of(-0.4, 0), out);
    expect(out[0]).toBeCloseTo(0.3, 12);
  });

  it('ratePerS omitted means no rate limit', () => {
    const f = new SafetyFilter(manual);
    f.command(CMD.ARM, OK, -1);
    expect(run(f, [0, 1])[1]).toBe(1);
    expect(run(f, [0, 0])[1]).toBe(0);
  });
});
