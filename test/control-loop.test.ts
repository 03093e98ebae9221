// The tick over the shared-memory bus, as the worker runs it: samples pushed by an adapter through
// InputWriter, commands through the ring, outputs read back under the seqlock. Plus the bus itself
// (malformed and dropped counts, the command queue bound).
import { describe, expect, it } from 'vitest';
import { ControlLoop } from '../src/control/loop.ts';
import { parseMapping } from '../src/control/mapping.ts';
import { REASON, STATE } from '../src/control/reasons.ts';
import { CTL, InputWriter, makeLoopBus, nextCommand, readNewSample, seqRead, STATUS } from '../src/control/transport.ts';
import { compile } from '../src/runtime/compile.ts';
import { laneCfc } from './helpers/models.ts';

const model = laneCfc();
const mapping = parseMapping({
  format: 'lnn-mapping/1',
  watchdogS: 0.5,
  inputs: [{ name: 'features', size: 30, min: -10, max: 10, maxAgeS: 0.1 }, { name: 'speed', size: 2, min: -5, max: 5, maxAgeS: 0.1 }],
  outputs: [{ name: 'steer', min: -0.2, max: 0.2, ratePerS: 1, failsafe: 0.05 }],
});

function rig() {
  const bus = makeLoopBus(mapping);
  let nowS = 0;
  const writer = new InputWriter(bus, mapping, () => nowS);
  const loop = new ControlLoop(compile(model, { backend: 'f32' }), mapping, bus, 100);
  const out = new Float64Array(3);
  const x = new Float64Array(32).map((_, i) => Math.sin(i));
  /** one 10 ms tick, with a full sample pushed first unless `push` is false */
  const tick = (push = true, sample: Float64Array = x): number => {
    if (push) writer.push(nowS, sample);
    loop.tickAt(nowS, 0.01);
    nowS += 0.01;
    seqRead(bus.ctl, CTL.OUT_SEQ, bus.out, out);
    return out[2];
  };
  return { bus, writer, loop, tick, out, x, get state() { return bus.status[STATUS.STATE]; }, get reason() { return bus.status[STATUS.REASON]; } };
}

describe('ControlLoop over the bus', () => {
  it('sends failsafe values until armed, then policy outputs (rate limited, clamped)', () => {
    const r = rig();
    for (let i = 0; i < 5; i++) expect(r.tick()).toBe(0.05);
    expect(r.state).toBe(STATE.DISARMED);
    r.writer.command('arm');
    const y = r.tick();
    expect(r.state).toBe(STATE.ARMED);
    expect(Math.abs(y - 0.05)).toBeLessThanOrEqual(0.01 + 1e-12); // ≤ 1 /s × 10 ms from the failsafe value
    for (let i = 0; i < 50; i++) expect(Math.abs(r.tick())).toBeLessThanOrEqual(0.2);
    expect(r.out[1]).toBe(r.loop.ticks); // the tick number rides with the output
    expect(r.loop.steps).toBe(56); // the policy also steps while disarmed (warm state), never without inputs
  });

  it('a NaN sample is rejected and the last good one held, then failsafe after maxAgeS', () => {
    const r = rig();
    r.tick();
    r.writer.command('arm');
    r.tick();
    const bad = r.x.slice();
    bad[3] = NaN;
    for (let i = 0; i < 10; i++) r.tick(true, bad); // 100 ms of bad samples: held
    expect(r.state).toBe(STATE.ARMED);
    expect(r.bus.status[STATUS.REJECTED]).toBe(10);
    expect(r.bus.status[STATUS.HOLDING]).toBe(1); // "features"; "speed" is fine
    r.tick(true, bad);
    expect(r.state).toBe(STATE.FAILSAFE);
    expect(r.reason).toBe(REASON.STALE);
    expect(r.bus.status[STATUS.REASON_FIELD]).toBe(0);
    expect(r.out[2]).toBe(0.05);
    r.tick(); // good again; no autoArm: stays in failsafe until armed
    expect(r.state).toBe(STATE.FAILSAFE);
    r.writer.command('arm');
    r.tick();
    expect(r.state).toBe(STATE.ARMED);
  });

  it('sensor watchdog: a silent link fails safe, and the reason moves from stale to watchdog', () => {
    const r = rig();
    r.tick();
    r.writer.command('arm');
    r.tick();
    for (let i = 0; i < 11; i++) r.tick(false);
    expect(r.state).toBe(STATE.FAILSAFE);
    expect(r.reason).toBe(REASON.STALE);
    for (let i = 0; i < 40; i++) r.tick(false);
    expect(r.reason).toBe(REASON.WATCHDOG);
  });

  it('e-stop through the adapter command path latches until reset', () => {
    const r = rig();
    r.tick();
    r.writer.command('arm');
    r.tick();
    r.writer.command('estop');
    expect(r.tick()).toBe(0.05);
    r.writer.command('arm');
    r.tick();
    expect(r.state).toBe(STATE.ESTOP);
    r.writer.command('reset');
    r.tick();
    expect(r.state).toBe(STATE.DISARMED);
    r.writer.command('disarm');
    r.writer.command('arm');
    r.tick();
    expect(r.state).toBe(STATE.ARMED);
  });
});

describe('the bus', () => {
  it('InputWriter: wrong widths and field indices are malformed; unread samples are dropped', () => {
    const bus = makeLoopBus(mapping);
    const w = new InputWriter(bus, mapping, () => 1.5);
    expect(w.push(0, new Float64Array(31))).toBe(false);
    expect(w.push(0, new Float64Array(2), 0)).toBe(false);
    expect(w.push(0, new Float64Array(2), 2)).toBe(false);
    expect(w.push(0, new Float64Array(2), 0.5)).toBe(false);
    expect(w.push(0, [1, 2], 1)).toBe(true); // one field on its own, plain arrays welcome
    expect(w.counters).toEqual({ received: 5, dropped: 0, malformed: 4 });
    w.push(0, [3, 4], 1); // the loop never read [1, 2]
    expect(w.counters.dropped).toBe(1);
    const dst = new Float64Array(4);
    expect(readNewSample(bus, 1, dst)).toBe(true);
    expect(Array.from(dst)).toEqual([0, 1.5, 3, 4]); // [tS, rxS, values]
    expect(readNewSample(bus, 1, dst)).toBe(false); // nothing new
    expect(readNewSample(bus, 0, dst)).toBe(false); // never written
    w.push(0, [5, 6], 1);
    expect(w.counters.dropped).toBe(1);
  });

  it('the command queue keeps order and drops beyond 16 pending', () => {
    const bus = makeLoopBus(mapping);
    const w = new InputWriter(bus, mapping, () => 0);
    for (let i = 0; i < 20; i++) w.command(i % 2 === 0 ? 'arm' : 'disarm');
    expect(w.commandsDropped).toBe(4);
    const got: number[] = [];
    for (let c = nextCommand(bus.ctl); c !== 0; c = nextCommand(bus.ctl)) got.push(c);
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 1 : 2)));
    w.command('estop');
    expect(nextCommand(bus.ctl)).toBe(3);
  });

  it('a second view over the same buffer (the worker side) sees the same words', () => {
    const a = makeLoopBus(mapping);
    const b = makeLoopBus(mapping, a.sab);
    a.status[STATUS.TICKS] = 42;
    expect(b.status[STATUS.TICKS]).toBe(42);
    expect(() => makeLoopBus({ ...mapping, outputSize: 9 }, a.sab)).toThrow(RangeError);
  });
});
