// numpy's legacy `np.random.RandomState(seed)` for integer seeds: the MT19937 generator and
// the few sampling routines ncps's NCP wiring calls (ncps-spec.md §6.4). Bit-for-bit
// agreement with numpy is the whole point: an NCP wiring is "NCP(..., seed)" and the only
// way to get ncps's matrices back from the seed is to replay numpy's exact draw sequence.
//
// Ownership: a RandomState owns its 624-word state; every call advances it. Not shared.

import { LnnError } from '../../errors.ts';
import { checkChoiceArgs } from './choice-args.ts';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const TWO_POW_32 = 0x1_0000_0000;

/** Smallest 2^k − 1 that is >= max (numpy's mask for rejection sampling), max < 2^32. */
export function mask32(max: number): number {
  let m = max >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}

export class RandomState {
  /** (624) uint32 words of the twister state. */
  private readonly mt = new Uint32Array(N);
  /** Next word of `mt` to temper; N means "twist before the next draw". */
  private index = N;

  /** `np.random.RandomState(seed)`: seed must be an integer in [0, 2^32), as numpy requires. */
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= TWO_POW_32) {
      throw new LnnError(
        'LNN_E_WIRING',
        `seed must be an integer between 0 and 2**32 - 1 (given ${seed})`,
        { field: 'seed' },
      );
    }
    // init_genrand: Knuth's multiplier; Math.imul keeps the product mod 2^32.
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1];
      mt[i] = (Math.imul(1812433253, prev ^ (prev >>> 30)) + i) >>> 0;
    }
    this.index = N;
  }

  /** One raw 32-bit output (genrand_int32); what `random_raw()` returns for MT19937. */
  nextU32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /**
   * Uniform integer in [0, max] by masked rejection (numpy `random_interval` and the legacy
   * masked bounded path). max == 0 returns 0 WITHOUT consuming a draw: that is why a wiring
   * with one motor neuron does not shift the rest of the stream.
   */
  bounded(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max >= TWO_POW_32) {
      throw new LnnError('LNN_E_INTERNAL', `bounded(max) needs an integer in [0, 2^32) (given ${max})`);
    }
    if (max === 0) return 0;
    const m = mask32(max);
    for (;;) {
      const v = (this.nextU32() & m) >>> 0;
      if (v <= max) return v;
    }
  }

  /** `randint(low, high)`: one integer in [low, high) via the legacy masked path. */
  randint(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new LnnError('LNN_E_INTERNAL', `randint needs integers low < high (given ${low}, ${high})`);
    }
    const range = high - low - 1;
    // numpy takes the raw word for a full 32-bit range (no mask), which bounded() matches:
    // mask32(0xffffffff) is all ones and never rejects.
    if (range >= TWO_POW_32) {
      throw new LnnError('LNN_E_INTERNAL', `randint range beyond 2^32 is not ported (given ${low}, ${high})`);
    }
    return low + this.bounded(range);
  }

  /** `permutation(n)`: Fisher–Yates from the top, j = bounded(i) for i = n−1 … 1. */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new LnnError('LNN_E_INTERNAL', `permutation needs a non-negative integer (given ${n})`);
    }
    const a = new Int32Array(n);
    for (let i = 0; i < n; i++) a[i] = i;
    for (let i = n - 1; i >= 1; i--) {
      const j = this.bounded(i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** `choice(list)`: one element, `list[randint(0, len)]`. */
  choice<T>(list: readonly T[]): T;
  /**
   * `choice(list, size, replace)`. Without replacement numpy draws the FULL permutation of
   * the list and keeps the first `size` entries, so the draw count depends on len(list),
   * not on size. With replacement it is `size` independent randint draws.
   */
  choice<T>(list: readonly T[], size: number, replace?: boolean): T[];
  choice<T>(list: readonly T[], size?: number, replace = false): T | T[] {
    const n = list.length;
    checkChoiceArgs(n, size);
    if (size === undefined) return list[this.randint(0, n)];
    const out: T[] = new Array<T>(size);
    if (replace) {
      for (let k = 0; k < size; k++) out[k] = list[this.randint(0, n)];
      return out;
    }
    if (size > n) {
      throw new LnnError('LNN_E_INTERNAL', `choice: cannot take ${size} samples from ${n} without replacement`);
    }
    const perm = this.permutation(n);
    for (let k = 0; k < size; k++) out[k] = list[perm[k]];
    return out;
  }

  /** Regenerate all 624 words (the standard MT19937 recurrence). */
  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < N; i++) {
      const y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
      let next = mt[(i + M) % N] ^ (y >>> 1);
      if (y & 1) next ^= MATRIX_A;
      mt[i] = next >>> 0;
    }
    this.index = 0;
  }
}
