// numpy's `np.random.default_rng(seed)` for integer seeds: SeedSequence → PCG64 (128-bit LCG,
// XSL-RR output) → Generator. ncps's FullyConnected and Random wirings draw their polarities
// (and Random its synapse set) from it (ncps-spec.md §6.2–6.3), so the port must match numpy
// draw for draw. Numpy documents no stream-compatibility promise for Generator; this matches
// numpy 1.17 through 2.4 (checked against 2.4.6 by test/fixtures/rng-numpy.json).
//
// Ownership: a Pcg64 owns its state; a Generator owns its Pcg64. Neither is shared.

import { LnnError } from '../../errors.ts';
import { checkChoiceArgs } from './choice-args.ts';

// SeedSequence constants (O'Neill's seed_seq_fe hash, as numpy's bit_generator.pyx uses them).
const POOL_SIZE = 4;
const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;

const MASK64 = (1n << 64n) - 1n;
const MASK128 = (1n << 128n) - 1n;
/** PCG's default 128-bit LCG multiplier. */
const PCG_MULT = (2549297995355413924n << 64n) + 4865540595714422341n;

/** A non-negative integer seed as little-endian 32-bit words ([0] for zero, like numpy). */
function seedWords(seed: number | bigint): number[] {
  let s: bigint;
  if (typeof seed === 'bigint') s = seed;
  else if (Number.isSafeInteger(seed)) s = BigInt(seed);
  else s = -1n;
  if (s < 0n) {
    throw new LnnError(
      'LNN_E_WIRING',
      `seed must be a non-negative integer (given ${String(seed)})`,
      { field: 'seed' },
    );
  }
  const words: number[] = [];
  do {
    words.push(Number(s & 0xffffffffn));
    s >>= 32n;
  } while (s > 0n);
  return words;
}

/** The 4-word entropy pool numpy's SeedSequence(seed) builds (no spawn key). */
export function seedSequencePool(seed: number | bigint): Uint32Array {
  const entropy = seedWords(seed);
  let hashConst = INIT_A;
  const hashmix = (value: number): number => {
    let v = (value ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_A) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    return (v ^ (v >>> XSHIFT)) >>> 0;
  };
  const mix = (x: number, y: number): number => {
    const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
    return (r ^ (r >>> XSHIFT)) >>> 0;
  };
  const pool = new Uint32Array(POOL_SIZE);
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < entropy.length ? entropy[i] : 0);
  // Every word is stirred into every other word, then extra entropy words are folded in.
  for (let src = 0; src < POOL_SIZE; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) {
      if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
    }
  }
  for (let src = POOL_SIZE; src < entropy.length; src++) {
    for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(entropy[src]));
  }
  return pool;
}

/** `SeedSequence(seed).generate_state(nWords, uint32)`. */
export function seedSequenceState(seed: number | bigint, nWords: number): Uint32Array {
  const pool = seedSequencePool(seed);
  let hashConst = INIT_B;
  const out = new Uint32Array(nWords);
  for (let i = 0; i < nWords; i++) {
    let v = (pool[i % POOL_SIZE] ^ hashConst) >>> 0;
    hashConst = Math.imul(hashConst, MULT_B) >>> 0;
    v = Math.imul(v, hashConst) >>> 0;
    out[i] = (v ^ (v >>> XSHIFT)) >>> 0;
  }
  return out;
}

/** 128-bit value → 8 little-endian 16-bit limbs (products of limbs stay exact in doubles). */
function toLimbs(x: bigint): Float64Array {
  const out = new Float64Array(8);
  for (let k = 0; k < 8; k++) out[k] = Number((x >> BigInt(16 * k)) & 0xffffn);
  return out;
}

const MULT_LIMBS = toLimbs(PCG_MULT);

export class Pcg64 {
  /** (8) 16-bit limbs of the 128-bit LCG state, least significant first. */
  private readonly state: Float64Array;
  /** (8) 16-bit limbs of the odd increment. */
  private readonly inc: Float64Array;
  private readonly scratch = new Float64Array(8);
  /** numpy hands out a 64-bit output as two 32-bit draws: low half now, high half next. */
  private hasU32 = false;
  private bufferedU32 = 0;

  /** `PCG64(seed)`: SeedSequence → 4 uint64 words (state hi, lo, inc hi, lo) → pcg srandom. */
  constructor(seed: number | bigint) {
    const w = seedSequenceState(seed, 8);
    const u64 = (i: number): bigint => (BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i]);
    const initState = (u64(0) << 64n) | u64(1);
    const initSeq = (u64(2) << 64n) | u64(3);
    const inc = ((initSeq << 1n) | 1n) & MASK128;
    let s = 0n;
    s = (s * PCG_MULT + inc) & MASK128;
    s = (s + initState) & MASK128;
    s = (s * PCG_MULT + inc) & MASK128;
    this.state = toLimbs(s);
    this.inc = toLimbs(inc);
  }

  /** Advance the LCG: state = state * MULT + inc (mod 2^128), schoolbook on 16-bit limbs. */
  private step(): void {
    const s = this.state;
    const out = this.scratch;
    let carry = 0;
    for (let k = 0; k < 8; k++) {
      let acc = carry + this.inc[k];
      for (let i = 0; i <= k; i++) acc += s[i] * MULT_LIMBS[k - i];
      // acc < 8·2^32 + small: exact in a double, so % and / are exact too.
      const limb = acc % 0x10000;
      out[k] = limb;
      carry = (acc - limb) / 0x10000;
    }
    s.set(out);
  }

  /**
   * One 64-bit output as [hi32, lo32]: step, then XSL-RR (xor the halves, rotate right by
   * the top 6 state bits).
   */
  nextU64Parts(): [number, number] {
    this.step();
    const s = this.state;
    const xh = ((s[7] * 0x10000 + s[6]) ^ (s[3] * 0x10000 + s[2])) >>> 0;
    const xl = ((s[5] * 0x10000 + s[4]) ^ (s[1] * 0x10000 + s[0])) >>> 0;
    const rot = s[7] >>> 10;
    if (rot === 0) return [xh, xl];
    let hi = xh;
    let lo = xl;
    let r = rot;
    if (r >= 32) {
      hi = xl;
      lo = xh;
      r -= 32;
    }
    if (r === 0) return [hi, lo];
    return [((hi >>> r) | (lo << (32 - r))) >>> 0, ((lo >>> r) | (hi << (32 - r))) >>> 0];
  }

  /** One raw 64-bit output (what `bit_generator.random_raw()` returns). */
  nextU64(): bigint {
    const [hi, lo] = this.nextU64Parts();
    return ((BigInt(hi) << 32n) | BigInt(lo)) & MASK64;
  }

  /** numpy's buffered `next_uint32`: halves of one 64-bit output, low first. */
  nextU32(): number {
    if (this.hasU32) {
      this.hasU32 = false;
      return this.bufferedU32;
    }
    const [hi, lo] = this.nextU64Parts();
    this.hasU32 = true;
    this.bufferedU32 = hi;
    return lo;
  }
}

/** High and low 32 bits of a·b for a, b < 2^32 (exact: split into 16-bit halves). */
function mulHiLo32(a: number, b: number): [number, number] {
  const lo = Math.imul(a, b) >>> 0;
  const ah = a >>> 16;
  const al = a & 0xffff;
  const bh = b >>> 16;
  const bl = b & 0xffff;
  const mid = ah * bl + al * bh + Math.floor((al * bl) / 0x10000);
  const hi = ah * bh + Math.floor(mid / 0x10000);
  return [hi >>> 0, lo];
}

export class Generator {
  readonly bitGenerator: Pcg64;

  constructor(bitGenerator: Pcg64) {
    this.bitGenerator = bitGenerator;
  }

  /**
   * Uniform integer in [0, max] as numpy's `random_bounded_uint64(.., use_masked=0)` does
   * for max < 2^32: Lemire's multiply-shift with rejection. max == 0 draws nothing.
   */
  bounded(max: number): number {
    if (!Number.isInteger(max) || max < 0 || max > 0xffffffff) {
      throw new LnnError('LNN_E_INTERNAL', `bounded(max) needs an integer in [0, 2^32) (given ${max})`);
    }
    if (max === 0) return 0;
    if (max === 0xffffffff) return this.bitGenerator.nextU32();
    const rngExcl = max + 1;
    let [hi, lo] = mulHiLo32(this.bitGenerator.nextU32(), rngExcl);
    if (lo < rngExcl) {
      const threshold = (0xffffffff - max) % rngExcl;
      while (lo < threshold) [hi, lo] = mulHiLo32(this.bitGenerator.nextU32(), rngExcl);
    }
    return hi;
  }

  /** `integers(low, high)` (int64, high exclusive) for ranges up to 2^32. */
  integers(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new LnnError('LNN_E_INTERNAL', `integers needs integers low < high (given ${low}, ${high})`);
    }
    return low + this.bounded(high - low - 1);
  }

  /** `choice(list)`: `list[integers(0, len)]` (with replacement, no p). */
  choice<T>(list: readonly T[]): T;
  /**
   * `choice(list, size, replace=false)` (shuffle=True, no p): Floyd's algorithm then a
   * shuffle of the sample, or for populations over 10000 with size > pop/50 a partial
   * Fisher–Yates of the tail, exactly as numpy's _generator.pyx chooses between them.
   */
  choice<T>(list: readonly T[], size: number, replace?: boolean): T[];
  choice<T>(list: readonly T[], size?: number, replace = false): T | T[] {
    const n = list.length;
    checkChoiceArgs(n, size);
    if (size === undefined) return list[this.integers(0, n)];
    if (replace) {
      const out = new Array<T>(size);
      for (let k = 0; k < size; k++) out[k] = list[this.integers(0, n)];
      return out;
    }
    if (size > n) {
      throw new LnnError('LNN_E_INTERNAL', `choice: cannot take ${size} samples from ${n} without replacement`);
    }
    const idx = this.sampleIndices(n, size);
    return Array.from(idx, (i) => list[i]);
  }

  /** The index vector of `choice(arange(n), size, replace=False)`. */
  sampleIndices(n: number, size: number): Float64Array {
    if (n > 10000 && size > Math.floor(n / 50)) {
      // Tail shuffle: swap positions n−1 … max(n−size, 1), keep the last `size`.
      const idx = new Float64Array(n);
      for (let i = 0; i < n; i++) idx[i] = i;
      this.shuffleFrom(idx, n, Math.max(n - size, 1));
      return idx.slice(n - size);
    }
    // Floyd: for j = n−size … n−1 take val in [0, j], or j itself if val is already taken.
    const idx = new Float64Array(size);
    const taken = new Set<number>();
    for (let j = n - size; j < n; j++) {
      const val = this.bounded(j);
      const pick = taken.has(val) ? j : val;
      taken.add(pick);
      idx[j - n + size] = pick;
    }
    this.shuffleFrom(idx, size, 1);
    return idx;
  }

  /** Fisher–Yates over data[first … n−1] from the top (numpy `_shuffle_int`). */
  private shuffleFrom(data: Float64Array, n: number, first: number): void {
    for (let i = n - 1; i >= first; i--) {
      const j = this.bounded(i);
      const t = data[j];
      data[j] = data[i];
      data[i] = t;
    }
  }
}

/** `np.random.default_rng(seed)` for a non-negative integer seed. */
export function defaultRng(seed: number | bigint): Generator {
  return new Generator(new Pcg64(seed));
}
