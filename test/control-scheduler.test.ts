// The fixed-rate scheduler on a fake clock: rate, absolute deadlines (no drift), deadline misses
// that skip grid points, the hybrid margin adapting to the wait's overshoot, and stopping. No
// assertion here depends on real time.
import { describe, expect, it } from 'vitest';
import type { LoopClock } from '../src/control/clock.ts';
import { histQuantileUs, histTotal } from '../src/control/histogram.ts';
import { FixedRateScheduler, TIMING, TIMING_SIZE, type LoopMode } from '../src/control/scheduler.ts';

/** Time moves only when read (readCostNs per read), slept (plus overshoot) or spent by a tick. */
class FakeClock implements LoopClock {
  t = 1_000_000_000;
  sleeps = 0;
  constructor(public readCostNs = 50, public overshootNs = 0) {}
  nowNs(): number { this.t += this.readCostNs; return this.t; }
  sleepUs(us: number): void { this.sleeps++; this.t += us * 1e3 + this.overshootNs; }
}

function setup(mode: LoopMode, hz = 1000, clock = new FakeClock()) {
  const timing = new Float64Array(TIMING_SIZE);
  const sched = new FixedRateScheduler({ hz, mode, clock, timing });
  const stop = new Int32Array(1);
  return { timing, sched, stop, clock };
}

describe('FixedRateScheduler', () => {
  it.each(['hybrid', 'spin'] as const)('%s: 100,000 ticks at 1 kHz land on t0 + k·1 ms, with no drift', (mode) => {
    // reads cost 2 µs here: the spin then takes ≤ 500 reads per tick, so the test runs fast
    const { sched, stop, clock, timing } = setup(mode, 1000, new FakeClock(2000));
    const starts = new Float64Array(100_000);
    let n = 0;
    const t0 = clock.t;
    sched.run(() => { starts[n++] = sched.now[0]; clock.t += 20_000; /* a 20 µs tick */ }, stop, 0, 100_000);
    expect(n).toBe(100_000);
    let worst = 0;
    for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(starts[k] - (t0 + 2000 + (k + 1) * 1e6)));
    // a relative "sleep one period after the tick" loop would be 100,000 × 20 µs = 2 s late by now
    expect(worst).toBeLessThan(4000); // ns: two reads of the fake clock
    const rateHz = (n - 1) / ((starts[n - 1] - starts[0]) * 1e-9);
    expect(rateHz).toBeCloseTo(1000, 6);
    expect(timing[TIMING.TICKS]).toBe(100_000);
    expect(timing[TIMING.MISSES]).toBe(0);
    expect(histTotal(timing, TIMING.PERIOD_ERR)).toBe(100_000);
    expect(histQuantileUs(timing, TIMING.PERIOD_ERR, 0.99)).toBeLessThanOrEqual(4);
    expect(histQuantileUs(timing, TIMING.TICK, 0.5)).toBeCloseTo(22.5, 5); // 20 µs + one 2 µs read, in a 0.5 µs bin
  });

  it('spin mode never sleeps; hybrid sleeps once per tick', () => {
    const spin = setup('spin');
    spin.sched.run(() => {}, spin.stop, 0, 1000);
    expect(spin.clock.sleeps).toBe(0);
    const hybrid = setup('hybrid');
    hybrid.sched.run(() => {}, hybrid.stop, 0, 1000);
    expect(hybrid.clock.sleeps).toBe(1000);
  });

  it('after an overrun the late tick runs at once, the skipped deadlines are misses, the grid holds', () => {
    const { sched, stop, clock, timing } = setup('spin');
    const starts: number[] = [];
    const dts: number[] = [];
    const t0 = clock.t;
    sched.run(() => {
      starts.push(sched.now[0]);
      dts.push(sched.now[1]);
      if (starts.length === 10) clock.t += 3.5e6; // tick 10 takes 3.5 periods
    }, stop, 0, 20);
    // tick 10 (deadline 10) ends at 13.5 ms: deadline 11's tick runs at once, 2.5 periods late;
    // deadlines 12 and 13 get no tick (2 misses); the next tick is back on the grid at 14
    const grid = (k: number): number => t0 + 50 + k * 1e6;
    expect(timing[TIMING.MISSES]).toBe(2);
    expect(Math.abs(starts[10] - grid(13.5))).toBeLessThan(500); // + a few fake clock reads
    expect(Math.abs(starts[11] - grid(14))).toBeLessThan(200);
    expect(Math.abs(starts[19] - grid(22))).toBeLessThan(200);
    expect(dts[10]).toBeCloseTo(3.5e-3, 6); // the policy sees the true elapsed time
    expect(timing[TIMING.LATE_MAX_US]).toBeCloseTo(2500, -1);
  });

  it('only a tick starting one period or more late is a miss', () => {
    const a = setup('spin');
    let i = 0;
    a.sched.run(() => { if (++i === 5) a.clock.t += 1.6e6; }, a.stop, 0, 10); // the next tick is 0.6 periods late
    expect(a.timing[TIMING.MISSES]).toBe(0);
    expect(a.timing[TIMING.LATE_MAX_US]).toBeCloseTo(600, -1);
    const b = setup('spin');
    let j = 0;
    b.sched.run(() => { if (++j === 5) b.clock.t += 2.3e6; }, b.stop, 0, 10); // 1.3 periods late
    expect(b.timing[TIMING.MISSES]).toBe(1);
  });

  it('hybrid: the spin margin follows the p90 of the wait overshoot, clamped to 100–300 µs', () => {
    const c1 = new FakeClock(50, 150_000); // the OS wakes us 150 µs late
    const a = setup('hybrid', 1000, c1);
    const starts: number[] = [];
    a.sched.run(() => { starts.push(a.sched.now[0]); }, a.stop, 0, 2000);
    // upper edge of its 10 µs bin: 150 µs, or 160 when the truncated µs sleep lands it above 150
    expect(a.sched.marginNs).toBeGreaterThanOrEqual(150_000);
    expect(a.sched.marginNs).toBeLessThanOrEqual(160_000);
    expect(a.timing[TIMING.MARGIN_US]).toBe(a.sched.marginNs / 1e3);
    // the first window starts at the 200 µs default margin, so every tick is on time throughout
    expect(a.timing[TIMING.LATE_MAX_US]).toBeLessThan(1);
    const c2 = new FakeClock(50, 900_000);
    const b = setup('hybrid', 1000, c2);
    b.sched.run(() => {}, b.stop, 0, 2000);
    expect(b.sched.marginNs).toBe(300_000);
    const c3 = new FakeClock(50, 5_000);
    const c = setup('hybrid', 1000, c3);
    c.sched.run(() => {}, c.stop, 0, 2000);
    expect(c.sched.marginNs).toBe(100_000);
  });

  it('hybrid: a rare long wake-up (5 %) moves a p99 margin but not the default p90 one', () => {
    class Spiky extends FakeClock {
      override sleepUs(us: number): void { this.overshootNs = this.sleeps % 20 === 19 ? 250_000 : 50_000; super.sleepUs(us); }
    }
    const p90 = setup('hybrid', 1000, new Spiky());
    p90.sched.run(() => {}, p90.stop, 0, 2000);
    expect(p90.sched.marginNs).toBe(100_000); // p90 ≈ 60 µs, clamped up to 100 µs
    const timing = new Float64Array(TIMING_SIZE);
    const p99 = new FixedRateScheduler({ hz: 1000, mode: 'hybrid', clock: new Spiky(), timing, marginQuantile: 0.99 });
    p99.run(() => {}, new Int32Array(1), 0, 2000);
    expect(p99.marginNs).toBeGreaterThanOrEqual(250_000); // the 250 µs wake-up, to its 10 µs bin
    expect(p99.marginNs).toBeLessThanOrEqual(260_000);
  });

  it('stops when the stop word is set, from inside a tick', () => {
    const { sched, stop } = setup('hybrid');
    let n = 0;
    const ran = sched.run(() => { if (++n === 7) Atomics.store(stop, 0, 1); }, stop, 0);
    expect(ran).toBe(7);
  });

  it('rejects a rate outside (0, 100 kHz]', () => {
    expect(() => setup('spin', 0)).toThrow(RangeError);
    expect(() => setup('spin', 1e6)).toThrow(RangeError);
  });
});
