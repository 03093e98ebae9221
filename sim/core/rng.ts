// The simulator's only source of randomness: xoshiro128** (Blackman & Vigna 2018), seeded through
// splitmix32, one independent stream per consumer (each sensor, the generators, dropout, ...).
// Math.random is never used in sim/: same world + seed must give bit-identical trajectories, in
// this thread or in a worker. All arithmetic is 32-bit integer (Math.imul), so it is exact.
//
// Ownership: an Rng owns its 128-bit state; `reset()` returns it to the state it was made with.

/** FNV-1a over a stream name: stable across runs and platforms (string → u32). */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The u32 seed of the named stream of a run seed. Seeds are non-negative integers up to 2^53
 * (both 32-bit halves are mixed in), so `--seed 4294967297` differs from `--seed 1`.
 */
export function streamSeed(seed: number, stream: string): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 4294967296) >>> 0;
  return fmix32(fmix32(lo ^ hashName(stream)) ^ Math.imul(hi + 0x9e3779b9, 0x27d4eb2f));
}

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Box–Muller makes two normals; the second waits here (NaN = none). */
  private spare = Number.NaN;

  constructor(readonly seed32: number) {
    this.reset();
  }

  static stream(seed: number, stream: string): Rng {
    return new Rng(streamSeed(seed, stream));
  }

  /** Back to the state this generator was made with. */
  reset(): void {
    // splitmix32: four well-mixed words from one; xoshiro needs a state that is not all zero.
    let z = this.seed32 >>> 0;
    const next = (): number => {
      z = (z + 0x9e3779b9) | 0;
      let t = z ^ (z >>> 16);
      t = Math.imul(t, 0x21f0aaad);
      t ^= t >>> 15;
      t = Math.imul(t, 0x735a2d97);
      return (t ^ (t >>> 15)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = Number.NaN;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r >>> 0;
  }

  /** Uniform in [0, 1) with 32 bits of resolution (enough for every use here). */
  uniform(): number {
    return this.nextU32() * 2.3283064365386963e-10;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller, polar-free form; exact tails, ~2 draws per pair). */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = Number.NaN;
      return v;
    }
    // 1 - u keeps the log argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const a = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(a);
    return r * Math.cos(a);
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.uniform() < p;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

// ─── fast image noise ───────────────────────────────────────────────────────────────────────────
// A 64×16 camera at 30 Hz and 300× real time needs ~9 M normals per wall second; Box–Muller costs
// ~25 ns each, which alone would take most of the budget. Images use a table of 65,536 standard
// normal quantiles Φ⁻¹((i + ½)/65536) indexed by 16 random bits: the distribution is exact up to
// the table's resolution (tails reach ±4.3σ), σ is 1 to 1e-4, and a u32 gives two draws.

const TABLE_BITS = 16;
let normalTable: Float32Array | null = null;

/** The shared quantile table (built once, 256 kB, deterministic). */
export function normalQuantiles(): Float32Array {
  if (normalTable !== null) return normalTable;
  const n = 1 << TABLE_BITS;
  const t = new Float32Array(n);
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    t[i] = inverseNormalCdf((i + 0.5) / n);
    sumSq += t[i] * t[i];
  }
  // Rescale so the table's own variance is exactly 1 (the midpoint rule loses ~0.05 % in the tails).
  const k = 1 / Math.sqrt(sumSq / n);
  for (let i = 0; i < n; i++) t[i] *= k;
  normalTable = t;
  return t;
}

/** Adds σ·N(0,1) to every element of `buf` using the quantile table (two draws per u32). */
export function addTableNoise(rng: Rng, buf: Float32Array | Float64Array, sigma: number): void {
  if (!(sigma > 0)) return;
  const t = normalQuantiles();
  const n = buf.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    const u = rng.nextU32();
    buf[i] += sigma * t[u >>> 16];
    buf[i + 1] += sigma * t[u & 0xffff];
  }
  if (i < n) buf[i] += sigma * t[rng.nextU32() >>> 16];
}

/** Acklam's rational approximation of Φ⁻¹ (relative error < 1.2e-9), used only to build the table. */
export function inverseNormalCdf(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
