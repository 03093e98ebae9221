// A fixed-bin histogram of microsecond values over a caller-owned Float64Array, so the loop worker
// can fill it in shared memory (allocation-free `add`) and the main thread can read percentiles
// from it without a message. Bins: 0.5 µs wide up to 2 ms (4,000 bins: the spin loop's period
// error is sub-µs), then 100 µs wide up to 100 ms (980 bins), then one overflow bin.

export const FINE_WIDTH_US = 0.5;
export const FINE_BINS = 4000; // 0 .. 2,000 µs
export const COARSE_WIDTH_US = 100;
export const COARSE_BINS = 980; // 2 ms .. 100 ms
/** bins per histogram, the last one is overflow (≥ 100 ms) */
export const HIST_BINS = FINE_BINS + COARSE_BINS + 1;
const FINE_END_US = FINE_BINS * FINE_WIDTH_US;

/**
 * The bin of a value in µs (negative values count as 0). The constants are written out: reading
 * module-level number constants here made the scheduler's tick allocate (measured, Node 20.20:
 * ~1 scavenge per 100,000 ticks; with literals, none). The check below keeps them in step.
 */
export function binOf(us: number): number {
  if (!(us > 0)) return 0;
  if (us < 2000) return Math.floor(us * 2); // FINE_END_US, 1 / FINE_WIDTH_US
  const c = Math.floor((us - 2000) * 0.01); // 1 / COARSE_WIDTH_US
  return c < 980 ? 4000 + c : 4980; // COARSE_BINS, FINE_BINS, HIST_BINS − 1
}
if (FINE_END_US !== 2000 || FINE_WIDTH_US !== 0.5 || COARSE_WIDTH_US !== 100 || COARSE_BINS !== 980 || FINE_BINS !== 4000) {
  throw new Error('histogram.ts: binOf literals out of step with the bin constants');
}

/** the upper edge of a bin in µs (Infinity for overflow): a percentile is reported as "≤ this" */
export function binUpperUs(bin: number): number {
  if (bin < FINE_BINS) return (bin + 1) * FINE_WIDTH_US;
  if (bin < HIST_BINS - 1) return FINE_END_US + (bin - FINE_BINS + 1) * COARSE_WIDTH_US;
  return Infinity;
}

/** Adds one value to the histogram stored at counts[base, base + HIST_BINS). */
export function histAdd(counts: Float64Array, base: number, us: number): void {
  counts[base + binOf(us)]++;
}

/** Total count. `prev` (same layout) is subtracted when given: the window since a snapshot. */
export function histTotal(counts: Float64Array, base: number, prev?: Float64Array, prevBase = 0): number {
  let n = 0;
  for (let i = 0; i < HIST_BINS; i++) n += counts[base + i] - (prev === undefined ? 0 : prev[prevBase + i]);
  return n;
}

/**
 * The q-quantile (0..1) in µs as the upper edge of its bin; 0 for an empty histogram. With `prev`,
 * over the window counts − prev. q = 1 gives the upper edge of the highest non-empty bin.
 */
export function histQuantileUs(counts: Float64Array, base: number, q: number, prev?: Float64Array, prevBase = 0): number {
  const total = histTotal(counts, base, prev, prevBase);
  if (total <= 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < HIST_BINS; i++) {
    seen += counts[base + i] - (prev === undefined ? 0 : prev[prevBase + i]);
    if (seen >= rank) return binUpperUs(i);
  }
  return binUpperUs(HIST_BINS - 1);
}
