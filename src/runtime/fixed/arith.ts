// The integer primitives of the fixed backend (docs/fixed-point.md §2–§4). Values are JS numbers
// holding integers; every intermediate stays below 2^53 in magnitude, so double arithmetic is
// exact, `Math.floor(v · 2^−s)` is an arithmetic shift, and the C firmware gets the same integers
// with int32_t/int64_t. Run-time rounding is one rule: round half up (add 2^(s−1), shift right).
// Prepare-time rounding of real constants is round half away from zero (`rhaz`), computed with
// IEEE-754 basic operations only, so it is the same on every machine.

import { EXP2_Q15, PHI_Q16, SIGMOID_Q16 } from './tables.ts';

/** 2^k and 2^−k for k = 0..80: multiplying by them is exact. */
export const P2 = new Float64Array(81);
export const IP2 = new Float64Array(81);
P2[0] = 1;
IP2[0] = 1;
for (let k = 1; k <= 80; k++) {
  P2[k] = (P2[k - 1] as number) * 2;
  IP2[k] = (IP2[k - 1] as number) / 2;
}

/** 2^k for an integer k, by exact doubling or halving (no pow). */
export function pow2(k: number): number {
  let r = 1;
  for (let i = 0; i < k; i++) r *= 2;
  for (let i = 0; i > k; i--) r /= 2;
  return r;
}

/** Saturate to int16. */
export function sat16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

/** Round-half-up shift by s bits: floor((v + 2^(s−1)) / 2^s) for s > 0, v·2^−s (exact) for s ≤ 0. */
export function rshr(v: number, s: number): number {
  if (s <= 0) return v * (P2[-s] as number);
  return Math.floor((v + (P2[s - 1] as number)) * (IP2[s] as number));
}

/** Requantise: round-half-up of acc·m / 2^sh, with a 15-bit signed multiplier m and sh ≥ 0. */
export function rq(acc: number, m: number, sh: number): number {
  const p = acc * m;
  return sh === 0 ? p : Math.floor((p + (P2[sh - 1] as number)) * (IP2[sh] as number));
}

// ─── Prepare time: real constants → integers ────────────────────────────────────────────────────

/** Round half away from zero. */
export function rhaz(x: number): number {
  return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5);
}

/** rhaz(x · 2^frac), clamped to ±lim. */
export function quantConst(x: number, frac: number, lim: number): number {
  const v = rhaz(x * pow2(frac));
  return v > lim ? lim : v < -lim ? -lim : v;
}

/** The largest shift a multiplier may have: beyond it the product rounds to 0 for every int32. */
export const MAX_SHIFT = 62;

/**
 * A real multiplier M as (m, sh) with M ≈ m·2^−sh, |m| in [2^14, 2^15) and 0 ≤ sh ≤ 62.
 * M = 0 gives (0, 0); |M| ≥ 2^15 − 1 saturates to m = ±32767, sh = 0 (such a stage saturates
 * its int16 output for any non-zero input anyway); |M| < 2^−48 gives m < 2^14 at sh = 62.
 */
export function toMultiplier(M: number): [number, number] {
  if (M === 0 || !Number.isFinite(M)) return [0, 0];
  const sign = M < 0 ? -1 : 1;
  let a = Math.abs(M);
  if (a >= 32767) return [sign * 32767, 0];
  let sh = 0;
  while (a < 16384 && sh < MAX_SHIFT) {
    a *= 2;
    sh++;
  }
  let m = Math.floor(a + 0.5);
  if (m === 32768) {
    if (sh === 0) m = 32767;
    else {
      m = 16384;
      sh--;
    }
  }
  return [sign * m, sh];
}

/** Integer bits of an int16 Q format that holds ±r: the least ib in [−8, 15] with r ≤ 2^ib·(32767/32768). */
export function intBitsFor(r: number): number {
  let ib = -8;
  while (ib < 15 && pow2(ib) * (32767 / 32768) < r) ib++;
  return ib;
}

/** Fractional bits (the format Q(15−f).f) that hold ±r. */
export function fracFor(r: number): number {
  return 15 - intBitsFor(r);
}

// ─── Activation tables: Q3.12 in, Q0.15 out ─────────────────────────────────────────────────────

/**
 * Linear interpolation in a 257-entry Q0.16 table at u/512 (u ≥ 0: 9 fraction bits of the
 * index). Returns the value in Q0.25. Beyond the table, the last entry.
 */
function lut(T: Uint16Array, u: number): number {
  const i = u >> 9;
  if (i >= 256) return (T[256] as number) * 512;
  const a = T[i] as number;
  return a * 512 + ((T[i + 1] as number) - a) * (u & 511);
}

/** σ(x): x in Q3.12 (any int16), result in Q0.15, 0..32768. Index = |x|·24 = 3|x|/512. */
export function sigmoidQ(x: number): number {
  const s = rshr(lut(SIGMOID_Q16, 3 * (x < 0 ? -x : x)), 10);
  return x >= 0 ? s : 32768 - s;
}

/** tanh(x) = 2σ(2x) − 1: x in Q3.12, result in Q0.15, |result| ≤ 32766. */
export function tanhQ(x: number): number {
  const t = rshr(lut(SIGMOID_Q16, 6 * (x < 0 ? -x : x)) - 16777216, 9);
  return x >= 0 ? t : -t;
}

/** Φ(x), the standard normal CDF: x in Q3.12, result in Q0.15, 0..32768. */
export function phiQ(x: number): number {
  const s = rshr(lut(PHI_Q16, 3 * (x < 0 ? -x : x)), 10);
  return x >= 0 ? s : 32768 - s;
}

/** 2^−v: v ≥ 0 in Q15.16 (clamped to 16.0), result in Q1.15, 0..32768. */
export function exp2negQ(v: number): number {
  const w = v > 1048576 ? 1048576 : v;
  const n = w >> 16;
  const i = (w >> 8) & 255;
  const a = EXP2_Q15[i] as number;
  const base = a * 256 + ((EXP2_Q15[i + 1] as number) - a) * (w & 255);
  return rshr(base, 8 + n);
}
