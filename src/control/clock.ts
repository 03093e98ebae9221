// The loop's clock: monotonic nanoseconds since a shared epoch, read with `process.hrtime()` in its
// array form. shared/research/deploy.md §2.2 measured, in a 2 s spin on Node 20: hrtime.bigint()
// 960–1,140 GCs, performance.now() ~540, Date.now() ~430, process.hrtime() read at once 0–4
// (escape analysis removes the array). The epoch is taken once on the main thread and passed to
// the worker, so both threads stamp times on one timeline (CLOCK_MONOTONIC is process-wide).

import { boxedGrid } from './boxed.ts';

/** A point on the monotonic clock, as process.hrtime() returns it: [seconds, nanoseconds]. */
export type Epoch = readonly [number, number];

export interface LoopClock {
  /** nanoseconds since the epoch (a double: exact to 2^53 ns ≈ 104 days) */
  nowNs(): number;
  /**
   * Blocks the thread for up to `us` whole microseconds (an integer: a small integer is passed
   * unboxed, see boxed.ts); may return early when woken (stop) and may sleep less than asked
   * (the caller re-checks the time).
   */
  sleepUs(us: number): void;
}

export function makeEpoch(): Epoch {
  const t = process.hrtime();
  return [t[0], t[1]];
}

/** Seconds since the epoch (for timestamps outside the hot path). */
export function monoS(epoch: Epoch): number {
  const t = process.hrtime();
  return (t[0] - epoch[0]) + (t[1] - epoch[1]) * 1e-9;
}

/**
 * CLOCK_MONOTONIC in ns as a double (exact while uptime < 2^53 ns ≈ 104 days; 2 ns steps after).
 * Keep this function exactly this shape. V8 removes the [s, ns] array only if nothing in the
 * function that created it can deoptimise while it is live: measured on Node 20.20 (spin loop,
 * 1,000 ticks at 1 kHz ≈ 10^7 reads), `(t[0] - this.s0) * 1e9 + (t[1] - this.ns0)` in a method
 * caused ~100 scavenges, a module `let` the same, while this helper followed by a field
 * subtraction in the caller caused none (test/control-alloc.test.ts guards it).
 */
export function hrNowNs(): number {
  const t = process.hrtime();
  return t[0] * 1e9 + t[1];
}

/** sleeps shorter than this are timed to the µs from a table; longer ones in whole ms */
const FINE_SLEEP_US = 2000;
/** (FINE_SLEEP_US) i µs in ms, boxed */
const SLEEP_MS_BY_US = boxedGrid(FINE_SLEEP_US, (i) => i / 1000);

/**
 * The real clock. Sleeping is `Atomics.wait` on `wake[wakeIndex]` while it holds 0: whoever sets it
 * to non-zero and notifies ends every sleep at once (the stop path), without a message.
 */
export class HrClock implements LoopClock {
  /** the epoch on hrNowNs's scale, ns */
  private readonly epochNs: number;

  constructor(epoch: Epoch, private readonly wake: Int32Array, private readonly wakeIndex: number) {
    this.epochNs = epoch[0] * 1e9 + epoch[1];
  }

  nowNs(): number {
    return hrNowNs() - this.epochNs;
  }

  sleepUs(us: number): void {
    if (us <= 0) return;
    // whole milliseconds above 2 ms (an integer timeout is not boxed), else a pre-boxed
    // fraction: Atomics.wait's timeout is in ms and a computed double would allocate
    if (us >= FINE_SLEEP_US) Atomics.wait(this.wake, this.wakeIndex, 0, (us / 1000) | 0);
    else Atomics.wait(this.wake, this.wakeIndex, 0, SLEEP_MS_BY_US[us | 0]);
  }
}
