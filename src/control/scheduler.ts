// The fixed-rate scheduler of the control loop (runs in the loop worker; pure over a LoopClock, so
// tests drive it with a fake clock). Deadlines are absolute, t0 + k·period, computed by
// multiplication: no accumulated drift. After an overrun the late tick runs at once; the grid
// deadlines that passed meanwhile get no tick (never replayed back to back) and count as deadline
// misses, so the loop stays on its grid and the policy sees the true elapsed dt (clamped) instead
// of a burst of dt ≈ 0.
//
// Modes (shared/research/deploy.md §2.1, 1 kHz on a 2-vCPU VM):
//   hybrid — Atomics.wait until deadline − margin, then spin: p50 0 µs, p99 ≈ 1 ms (VM wake-up),
//            13–20 % of a core. The margin adapts to the p90 of the wait's overshoot, 100–300 µs.
//   spin   — busy-wait only: p99 ≈ 5–54 µs, 100 % of a core (for an isolated core).

import type { LoopClock } from './clock.ts';
import { binOf, HIST_BINS } from './histogram.ts';

export type LoopMode = 'hybrid' | 'spin';
export const LOOP_MODES: readonly LoopMode[] = ['hybrid', 'spin'];

/** Layout of the shared timing block: a header of counters, then three µs histograms. */
export const TIMING = {
  TICKS: 0,
  /** deadline misses: grid deadlines that got no tick because the loop was ≥ one period late */
  MISSES: 1,
  /** the current hybrid spin margin, µs */
  MARGIN_US: 2,
  /** all-time maxima since start, µs */
  PERIOD_ERR_MAX_US: 3,
  LATE_MAX_US: 4,
  TICK_MAX_US: 5,
  /** loop time of the latest tick start, s */
  T_S: 6,
  /** loop time of the scheduler's start (its t0), s */
  T0_S: 7,
  HEADER: 8,
  /** |Δt between tick starts − period| */
  PERIOD_ERR: 8,
  /** tick start − its deadline */
  LATE: 8 + HIST_BINS,
  /** tick duration (start → return) */
  TICK: 8 + 2 * HIST_BINS,
} as const;
export const TIMING_SIZE = 8 + 3 * HIST_BINS;

/** Parameter table (units in names; defaults from deploy.md §2.1). */
export const SCHEDULER_PARAMS = {
  marginMinUs: { default: 100, min: 0, max: 5000, description: 'lower clamp of the adaptive spin margin' },
  marginMaxUs: { default: 300, min: 0, max: 5000, description: 'upper clamp of the adaptive spin margin' },
  // p90, not p99: on the 2-vCPU VM the wake-up overshoot's p99 is ~1 ms, so a p99 margin sits at the
  // 300 µs clamp and costs ~21 % of a core for no better p99 period error; p90 measured 8–16 %
  // (interleaved A/B, bench/loop.ts --margin-quantile, 1 kHz × 10 s × 3 each)
  marginQuantile: { default: 0.9, min: 0.5, max: 1, description: 'quantile of the wait overshoot the margin tracks' },
  marginWindow: { default: 500, min: 10, max: 100000, description: 'sleeps between margin updates (then history halves)' },
} as const;

/** The hybrid margin's knobs (SCHEDULER_PARAMS). */
export interface SchedulerTuning {
  readonly marginMinUs?: number;
  readonly marginMaxUs?: number;
  readonly marginQuantile?: number;
  readonly marginWindow?: number;
}

export interface SchedulerOptions extends SchedulerTuning {
  readonly hz: number;
  readonly mode: LoopMode;
  readonly clock: LoopClock;
  /** (TIMING_SIZE) timing statistics the scheduler fills; usually shared memory */
  readonly timing: Float64Array;
}

/**
 * The tick. It takes no arguments: the scheduler writes the tick's time into `now` first. (A
 * double passed as an argument to a function V8 does not inline is boxed: 16 bytes a tick.)
 */
export type TickFn = () => void;

/** ticks per runBatch call: 0.25 s at 1 kHz */
const BATCH_TICKS = 256;
/** indices into FixedRateScheduler.state: t0 ns, next grid index, previous start ns, ticks run, batch end */
const S = { T0: 0, K: 1, PREV: 2, N: 3, END: 4 } as const;

const OVERSHOOT_BIN_US = 10;
const OVERSHOOT_BINS = 101; // 0 .. 1,000 µs, then overflow

export class FixedRateScheduler {
  readonly periodNs: number;
  /** [start of the current tick on the loop clock, ns; seconds since the previous tick's start] */
  readonly now = new Float64Array(2);
  private readonly clock: LoopClock;
  private readonly timing: Float64Array;
  private readonly hybrid: boolean;
  private readonly marginMinNs: number;
  private readonly marginMaxNs: number;
  private readonly quantile: number;
  private readonly window: number;
  /** (OVERSHOOT_BINS) wait overshoot history, 10 µs bins, halved after every window */
  private readonly overshoot = new Float64Array(OVERSHOOT_BINS);
  /** [marginNs, sleeps since the last update, the last overshoot in ns] */
  private readonly adapt = new Float64Array(3);
  /** run state between batches (S.*) */
  private readonly state = new Float64Array(5);

  constructor(o: SchedulerOptions) {
    if (!(o.hz > 0 && o.hz <= 100_000)) throw new RangeError(`hz must be in (0, 100000], got ${o.hz}`);
    if (o.timing.length < TIMING_SIZE) throw new RangeError('timing block too small');
    this.periodNs = 1e9 / o.hz;
    this.clock = o.clock;
    this.timing = o.timing;
    this.hybrid = o.mode === 'hybrid';
    const p = SCHEDULER_PARAMS;
    this.marginMinNs = (o.marginMinUs ?? p.marginMinUs.default) * 1e3;
    this.marginMaxNs = Math.max(this.marginMinNs, (o.marginMaxUs ?? p.marginMaxUs.default) * 1e3);
    this.quantile = o.marginQuantile ?? p.marginQuantile.default;
    this.window = o.marginWindow ?? p.marginWindow.default;
    this.adapt[0] = (this.marginMinNs + this.marginMaxNs) / 2;
    this.timing[TIMING.MARGIN_US] = this.adapt[0] / 1e3;
  }

  /**
   * Runs ticks until stop[stopIndex] becomes non-zero or `maxTicks` have run; returns the number
   * of ticks. Allocates nothing per tick (see runBatch).
   */
  run(tick: TickFn, stop: Int32Array, stopIndex: number, maxTicks = Infinity): number {
    const st = this.state;
    st[S.T0] = this.clock.nowNs();
    st[S.K] = 1;
    st[S.PREV] = st[S.T0];
    st[S.N] = 0;
    this.timing[TIMING.T0_S] = st[S.T0] * 1e-9;
    while (st[S.N] < maxTicks && Atomics.load(stop, stopIndex) === 0) {
      st[S.END] = Math.min(st[S.N] + BATCH_TICKS, maxTicks);
      this.runBatch(tick, stop, stopIndex);
    }
    return st[S.N];
  }

  /**
   * Ticks until state[N] reaches state[END] (at most BATCH_TICKS). The loop lives in batches
   * because a loop that is entered once and never left runs in V8's on-stack-replacement code,
   * which was measured to box a double now and then (1–2 scavenges per 300,000 ticks); a function
   * called again and again gets regularly optimised code (0). State crosses calls in `state`, and
   * no double crosses a call boundary (boxed.ts).
   */
  private runBatch(tick: TickFn, stop: Int32Array, stopIndex: number): void {
    const clock = this.clock, tm = this.timing, periodNs = this.periodNs, now = this.now, st = this.state;
    const t0 = st[S.T0], end = st[S.END];
    let k = st[S.K], prevStart = st[S.PREV], n = st[S.N];
    while (n < end && Atomics.load(stop, stopIndex) === 0) {
      const deadline = t0 + k * periodNs;
      // hybrid: sleep until deadline − margin (in slices: LoopClock.sleepUs), then spin; spin: spin.
      // One clock read site before the tick and one after it: measured on Node 20.20, a third
      // inlined process.hrtime() in this function defeats escape analysis (~15 B a tick).
      const wakeAt = this.hybrid ? deadline - this.adapt[0] : -Infinity;
      let slept = false;
      let t = 0;
      for (;;) {
        t = clock.nowNs();
        if (Atomics.load(stop, stopIndex) !== 0) break;
        const remNs = wakeAt - t;
        if (remNs >= 1e3) {
          clock.sleepUs(remNs >= 1e9 ? 1_000_000 : (remNs / 1e3) | 0); // slices of ≤ 1 s
          slept = true;
          continue;
        }
        if (slept) {
          this.adapt[2] = t - wakeAt;
          this.noteOvershoot();
          slept = false;
        }
        if (t >= deadline) break;
      }
      if (Atomics.load(stop, stopIndex) !== 0) break;
      const start = t;
      const lateNs = start - deadline;
      const errUs = Math.abs(start - prevStart - periodNs) / 1e3;
      const lateUs = lateNs > 0 ? lateNs / 1e3 : 0;
      tm[TIMING.PERIOD_ERR + binOf(errUs)]++;
      tm[TIMING.LATE + binOf(lateUs)]++;
      if (errUs > tm[TIMING.PERIOD_ERR_MAX_US]) tm[TIMING.PERIOD_ERR_MAX_US] = errUs;
      if (lateUs > tm[TIMING.LATE_MAX_US]) tm[TIMING.LATE_MAX_US] = lateUs;
      if (lateNs >= periodNs) {
        const skipped = Math.floor(lateNs / periodNs);
        tm[TIMING.MISSES] += skipped;
        k += skipped;
      }
      now[0] = start;
      now[1] = (start - prevStart) * 1e-9;
      prevStart = start;
      tm[TIMING.T_S] = start * 1e-9;
      tick();
      const tickUs = (clock.nowNs() - start) / 1e3;
      tm[TIMING.TICK + binOf(tickUs)]++;
      if (tickUs > tm[TIMING.TICK_MAX_US]) tm[TIMING.TICK_MAX_US] = tickUs;
      tm[TIMING.TICKS]++;
      k++;
      n++;
    }
    st[S.K] = k;
    st[S.PREV] = prevStart;
    st[S.N] = n;
  }

  /** the current spin margin, ns */
  get marginNs(): number {
    return this.adapt[0];
  }

  /** Tracks the wait's overshoot (adapt[2], ns) and moves the margin to its quantile, clamped. */
  private noteOvershoot(): void {
    const ns = this.adapt[2];
    const b = ns <= 0 ? 0 : Math.min(OVERSHOOT_BINS - 1, Math.floor(ns / 1e3 / OVERSHOOT_BIN_US));
    this.overshoot[b]++;
    if (++this.adapt[1] < this.window) return;
    this.adapt[1] = 0;
    let total = 0;
    for (let i = 0; i < OVERSHOOT_BINS; i++) total += this.overshoot[i];
    const rank = Math.ceil(this.quantile * total);
    let seen = 0, q = OVERSHOOT_BINS - 1;
    for (let i = 0; i < OVERSHOOT_BINS; i++) {
      seen += this.overshoot[i];
      if (seen >= rank) { q = i; break; }
    }
    const m = (q + 1) * OVERSHOOT_BIN_US * 1e3; // upper edge of the bin, ns
    this.adapt[0] = m < this.marginMinNs ? this.marginMinNs : m > this.marginMaxNs ? this.marginMaxNs : m;
    this.timing[TIMING.MARGIN_US] = this.adapt[0] / 1e3;
    // halve the history: the margin follows changes in load within a few windows
    for (let i = 0; i < OVERSHOOT_BINS; i++) this.overshoot[i] *= 0.5;
  }
}
