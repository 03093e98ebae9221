// Seeded, allocation-free PRNG for the simulator's noise sources (Dryden gusts, later sensor
// noise). The sim never calls Math.random: the same seed gives the same stream on every run.
//
// Generator: xoshiro128** 1.0 (Blackman & Vigna 2018), 32-bit words so it stays in V8's fast
// int32 path (no BigInt). State is seeded from one integer through splitmix32, so seeds 0, 1, 2…
// give uncorrelated streams and the all-zero state (a fixed point of xoshiro) cannot occur.
// Normals: Marsaglia's polar method, which yields two independent N(0,1) per accepted pair;
// the spare is cached in the state so the stream is reproducible draw for draw.
//
// Hot paths use fillGauss (one call fills a buffer): V8 boxes a double returned from a call
// it does not inline, so a per-sample nextGauss() in a step function allocates 16 bytes per
// draw; fillGauss keeps the generator and the polar method in one body and allocates nothing.
//
// Ownership: a GaussRng owns its Uint32Array(4); never share one between two noise sources that
// must stay independent of each other's draw count (give each its own seed instead).

export interface GaussRng {
  /** (4) xoshiro128** state words */
  readonly s: Uint32Array;
  /** cached second normal from the polar method; valid when hasSpare */
  spare: number;
  hasSpare: boolean;
}

/** splitmix32 step (Steele/Lea/Flood), used only to expand the seed into 4 state words. */
function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function makeGaussRng(seed: number): GaussRng {
  const rng: GaussRng = { s: new Uint32Array(4), spare: 0, hasSpare: false };
  resetGaussRng(rng, seed);
  return rng;
}

/** Re-seed in place. Non-integer or negative seeds are folded to 32 bits deterministically. */
export function resetGaussRng(rng: GaussRng, seed: number): void {
  let x = (Math.trunc(seed) >>> 0) ^ (Math.trunc(seed / 4294967296) >>> 0);
  for (let i = 0; i < 4; i++) {
    x = splitmix32(x);
    rng.s[i] = x;
  }
  if ((rng.s[0] | rng.s[1] | rng.s[2] | rng.s[3]) === 0) rng.s[0] = 1;
  rng.spare = 0;
  rng.hasSpare = false;
}

/** Next raw 32-bit unsigned integer (xoshiro128**). */
export function nextU32(rng: GaussRng): number {
  const s = rng.s;
  const s0 = s[0];
  const s1 = s[1];
  const s2 = s[2];
  const s3 = s[3];
  const m = Math.imul(s1, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
  const t = s1 << 9;
  const n2 = s2 ^ s0;
  const n3 = s3 ^ s1;
  s[1] = s1 ^ n2;
  s[0] = s0 ^ n3;
  s[2] = n2 ^ t;
  s[3] = (n3 << 11) | (n3 >>> 21);
  return result;
}

/** Uniform in [0, 1) with 32 bits of resolution. */
export function nextUniform(rng: GaussRng): number {
  return nextU32(rng) * 2.3283064365386963e-10; // 2^-32
}

/** Standard normal N(0, 1). */
export function nextGauss(rng: GaussRng): number {
  if (rng.hasSpare) {
    rng.hasSpare = false;
    return rng.spare;
  }
  let u = 0;
  let v = 0;
  let r2 = 0;
  // Acceptance rate π/4 ≈ 0.785, so on average 1.27 pairs of uniforms per two normals.
  do {
    u = 2 * nextUniform(rng) - 1;
    v = 2 * nextUniform(rng) - 1;
    r2 = u * u + v * v;
  } while (r2 >= 1 || r2 === 0);
  const f = Math.sqrt((-2 * Math.log(r2)) / r2);
  rng.spare = v * f;
  rng.hasSpare = true;
  return u * f;
}

/**
 * Fill out[0..n) with standard normals (n defaults to out.length). Same stream as calling
 * nextGauss n times (including the cached spare), but allocation-free in a hot loop.
 */
export function fillGauss(rng: GaussRng, out: Float64Array, n: number = out.length): void {
  const s = rng.s;
  let i = 0;
  if (n > 0 && rng.hasSpare) {
    out[i++] = rng.spare;
    rng.hasSpare = false;
  }
  while (i < n) {
    let u = 0;
    let v = 0;
    let r2 = 0;
    do {
      // two xoshiro128** draws, inlined (see nextU32)
      for (let k = 0; k < 2; k++) {
        const s0 = s[0];
        const s1 = s[1];
        const s2 = s[2];
        const s3 = s[3];
        const m = Math.imul(s1, 5);
        const x = (Math.imul((m << 7) | (m >>> 25), 9) >>> 0) * 2.3283064365386963e-10;
        const t = s1 << 9;
        const n2 = s2 ^ s0;
        const n3 = s3 ^ s1;
        s[1] = s1 ^ n2;
        s[0] = s0 ^ n3;
        s[2] = n2 ^ t;
        s[3] = (n3 << 11) | (n3 >>> 21);
        if (k === 0) u = 2 * x - 1;
        else v = 2 * x - 1;
      }
      r2 = u * u + v * v;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    out[i++] = u * f;
    if (i < n) out[i++] = v * f;
    else {
      rng.spare = v * f;
      rng.hasSpare = true;
    }
  }
}
