// LTC in integers (docs/fixed-point.md §5.5), ncps semantics as in ref/ltc.ts: the fused
// semi-implicit solver, K unfolds, Jacobi order, sensory synapses once per step.
//   voltages v, vleak, erev, mu: int16 in vFrac (from the parameters: holds every erev and vleak)
//   conductances (w·σ, gleak, cm_t): GFRAC = 16 fractional bits, int32
//   synapse: z = sat16(rshr((v_i − mu)·sigma, vFrac + sigFrac − 12)) (Q3.12);  s = σ(z) (Q0.15)
//            a = rshr(w·s, wFrac + 15 − GFRAC);  num_j += a·erev;  den_j += a
//   unfold:  num_j = cmT_j·v_j + gleak_j·vleak_j + Σ;  den_j = cmT_j + gleak_j + eps + Σ
//            v_j' = sat16(divRound(num_j, den_j))   (nearest, ties away from 0: see divRound)
//   cmT_j = min(trunc(cmNum_j / max(tsQ, 1)), 2^31 − 1),  cmNum_j = rhaz(pos(cm_j)·K·4096·2^16 / dtNominal)
// Integer sums are exact, so the firmware may visit synapses in any order.

import { LnnError } from '../../errors.ts';
import type { LtcStage } from '../../models/types.ts';
import type { StageQuant } from '../../models/quantize/params.ts';
import { fracFor, IP2, P2, pow2, quantConst, rhaz, rq, rshr, sat16, sigmoidQ, toMultiplier } from './arith.ts';
import { detSoftplus } from './det-math.ts';
import { mixedJson, prepareMixed, stepMixed } from './lstm.ts';
import type { FixedContext, FixedOp } from './op.ts';

export const GFRAC = 16;
const I32_MAX = 2147483647;
const CM_NUM_MAX = 4503599627370496;

/** A set of synapses (sensory or internal) as parallel lists, one entry per unmasked synapse. */
interface Synapses {
  readonly src: Int32Array;
  readonly dst: Int32Array;
  readonly mu: Int32Array;
  readonly sigma: Int32Array;
  readonly w: Int32Array;
  readonly erev: Int32Array;
  readonly sigFrac: number;
  readonly wFrac: number;
  /** z shift (vFrac or xFrac) + sigFrac − 12, and a shift wFrac + 15 − GFRAC */
  readonly zShift: number;
  readonly aShift: number;
}

function maxAbsMasked(a: Float64Array, mask: Uint8Array, f: (v: number) => number = (v) => v): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) if (mask[k] !== 0) m = Math.max(m, Math.abs(f(a[k] as number)));
  return m;
}

function synapses(
  rows: number, N: number, mask: Uint8Array, mu: Float64Array, sigma: Float64Array, w: Float64Array, erev: Float64Array,
  pos: (v: number) => number, srcFrac: number, vFrac: number,
): Synapses {
  const sigFrac = fracFor(maxAbsMasked(sigma, mask));
  const wFrac = fracFor(maxAbsMasked(w, mask, pos));
  const list: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < N; j++) if (mask[i * N + j] !== 0) list.push(i * N + j);
  const pick = (f: (k: number) => number): Int32Array => Int32Array.from(list, f);
  return {
    src: pick((k) => Math.floor(k / N)), dst: pick((k) => k % N),
    mu: pick((k) => quantConst(mu[k] as number, srcFrac, 1048576)),
    sigma: pick((k) => quantConst(sigma[k] as number, sigFrac, 32767)),
    w: pick((k) => quantConst(pos(w[k] as number), wFrac, 32767)),
    erev: pick((k) => quantConst(erev[k] as number, vFrac, 32767)),
    sigFrac, wFrac, zShift: srcFrac + sigFrac - 12, aShift: wFrac + 15 - GFRAC,
  };
}

/**
 * Σ over a synapse list into num/den (Float64Array: sums exceed int32). The rshr of the z
 * product is written out: it exceeds the small-integer range and would be boxed by a call.
 */
function accumulate(S: Synapses, src: Int32Array, num: Float64Array, den: Float64Array): void {
  const n = S.src.length;
  const zs = S.zShift;
  const zHalf = zs > 0 ? (P2[zs - 1] as number) : 0;
  const zMul = zs > 0 ? (IP2[zs] as number) : (P2[-zs] as number);
  for (let k = 0; k < n; k++) {
    const d = ((src[S.src[k] as number] as number) - (S.mu[k] as number)) * (S.sigma[k] as number);
    const zr = Math.floor((d + zHalf) * zMul);
    const z = zr > 32767 ? 32767 : zr < -32768 ? -32768 : zr;
    const a = rshr((S.w[k] as number) * sigmoidQ(z), S.aShift);
    const j = S.dst[k] as number;
    num[j] = (num[j] as number) + a * (S.erev[k] as number);
    den[j] = (den[j] as number) + a;
  }
}

function synJson(S: Synapses): Record<string, unknown> {
  return {
    count: S.src.length, sigFrac: S.sigFrac, wFrac: S.wFrac, zShift: S.zShift, aShift: S.aShift,
    src: Array.from(S.src), dst: Array.from(S.dst), mu: Array.from(S.mu), sigma: Array.from(S.sigma), w: Array.from(S.w), erev: Array.from(S.erev),
  };
}

/** The voltage format: holds every vleak and (unmasked) erev, and at least ±1 (Q1.14 or wider). */
export function ltcVoltageFrac(s: LtcStage): number {
  return fracFor(Math.max(1, maxAbsMasked(s.vleak, new Uint8Array(s.units).fill(1)), maxAbsMasked(s.erev, s.mask), maxAbsMasked(s.sensoryErev, s.sensoryMask)));
}

/**
 * num/den rounded to nearest, ties away from zero, as trunc((2·num ± den) / (2·den)) with den > 0
 * (signs flipped when den < 0; den = 0 counts as 1). Truncation alone would bias v toward 0 by up
 * to one LSB per unfold, which accumulates when cm_t dominates (short steps). Exact in a double
 * while |2·num| < 2^53 (checkExact); C: the same expression in int64_t.
 */
export function divRound(num: number, den: number): number {
  let n = num;
  let d = den;
  if (d < 0) {
    d = -d;
    n = -n;
  } else if (d === 0) d = 1;
  return Math.trunc((2 * n + (n >= 0 ? d : -d)) / (2 * d));
}

/** Largest |a| of a synapse: |w|·32768 shifted, plus one for the rounding. */
function aMax(S: Synapses, k: number): number {
  return Math.abs(rshr(Math.abs(S.w[k] as number) * 32768, S.aShift)) + 1;
}

/**
 * |num_j| must stay below 2^51 for divRound to be exact in a double: bound it from the
 * parameters (|cmT| < 2^31, |v| ≤ 2^15) and refuse the model otherwise.
 */
function checkExact(N: number, sens: Synapses, syn: Synapses, glv: Float64Array): void {
  const bound = Float64Array.from(glv, (g) => Math.abs(g) + 2147483648 * 32768);
  for (const S of [sens, syn]) {
    for (let k = 0; k < S.src.length; k++) {
      const j = S.dst[k] as number;
      bound[j] = (bound[j] as number) + aMax(S, k) * Math.abs(S.erev[k] as number);
    }
  }
  for (let j = 0; j < N; j++) {
    if ((bound[j] as number) >= 2251799813685248) {
      throw new LnnError('LNN_E_BACKEND_UNSUPPORTED', `LTC neuron ${j}: its synapse weights are too large for exact integer sums (|num| could reach 2^51)`);
    }
  }
}

export function ltcOp(s: LtcStage, xFrac: Int32Array, q: StageQuant, ctx: FixedContext, x: Int32Array, y: Int32Array): FixedOp {
  const dtNom = ctx.dtNom;
  const N = s.units;
  const S = s.inSize;
  const M = s.motorSize;
  const K = s.odeUnfolds;
  const pos = s.implicitConstraints ? detSoftplus : (v: number) => v;
  const vFrac = ltcVoltageFrac(s);
  const xmFrac = q.x as number;
  const outFrac = s.outputMapping === 'none' ? vFrac : (q.out as number);
  const cFrac = s.mixedMemory === null ? 0 : (q.c as number);
  // input mapping x·w + b into xmFrac: (m, sh) per feature and a bias in xmFrac ('none': w = 1, b = 0)
  const inM = new Int32Array(S);
  const inSh = new Int32Array(S);
  const inB = new Int32Array(S);
  for (let i = 0; i < S; i++) {
    [inM[i], inSh[i]] = toMultiplier((s.inputW === null ? 1 : (s.inputW[i] as number)) * pow2(xmFrac - (xFrac[i] as number)));
    inB[i] = s.inputB === null ? 0 : quantConst(s.inputB[i] as number, xmFrac, 1073741824);
  }
  const sens = synapses(S, N, s.sensoryMask, s.sensoryMu, s.sensorySigma, s.sensoryW, s.sensoryErev, pos, xmFrac, vFrac);
  const syn = synapses(N, N, s.mask, s.mu, s.sigma, s.w, s.erev, pos, vFrac, vFrac);
  const gleak = Int32Array.from(s.gleak, (g) => quantConst(pos(g), GFRAC, I32_MAX));
  const vleak = Int32Array.from(s.vleak, (v) => quantConst(v, vFrac, 32767));
  const glv = Float64Array.from(gleak, (g, j) => g * (vleak[j] as number));
  const cmNum = Float64Array.from(s.cm, (c) => {
    const v = rhaz((pos(c) * K * 4096 * 65536) / dtNom);
    return v > CM_NUM_MAX ? CM_NUM_MAX : v < -CM_NUM_MAX ? -CM_NUM_MAX : v;
  });
  const eps = quantConst(s.epsilon, GFRAC, I32_MAX);
  const outM = new Int32Array(M);
  const outSh = new Int32Array(M);
  const outB = new Int32Array(M);
  for (let k = 0; k < M; k++) {
    [outM[k], outSh[k]] = toMultiplier((s.outputW === null ? 1 : (s.outputW[k] as number)) * pow2(outFrac - vFrac));
    outB[k] = s.outputB === null ? 0 : quantConst(s.outputB[k] as number, outFrac, 1073741824);
  }
  const mixed = s.mixedMemory === null ? null : prepareMixed(s.mixedMemory, xFrac, vFrac, cFrac, ctx.weightBits);
  checkExact(N, sens, syn, glv);

  const v = new Int32Array(N);
  const c = s.mixedMemory === null ? null : new Int32Array(N);
  const xm = new Int32Array(S);
  const numS = new Float64Array(N);
  const denS = new Float64Array(N);
  const num = new Float64Array(N);
  const den = new Float64Array(N);
  const cmT = new Float64Array(N);
  const vNext = new Int32Array(N);

  return {
    outFrac: new Int32Array(M).fill(outFrac),
    accBits: 53,
    cell: { h: v, c, hFrac: vFrac, cFrac, reset: () => { v.fill(0); c?.fill(0); } },
    run: (tsQ) => {
      if (mixed !== null) stepMixed(mixed, x, 0, v, c as Int32Array);
      for (let i = 0; i < S; i++) xm[i] = sat16(rq(x[i] as number, inM[i] as number, inSh[i] as number) + (inB[i] as number));
      numS.fill(0);
      denS.fill(0);
      accumulate(sens, xm, numS, denS);
      const t = tsQ < 1 ? 1 : tsQ;
      for (let j = 0; j < N; j++) {
        const cm = Math.trunc((cmNum[j] as number) / t);
        cmT[j] = cm > I32_MAX ? I32_MAX : cm < -I32_MAX ? -I32_MAX : cm;
      }
      for (let u = 0; u < K; u++) {
        for (let j = 0; j < N; j++) {
          num[j] = (cmT[j] as number) * (v[j] as number) + (glv[j] as number) + (numS[j] as number);
          den[j] = (cmT[j] as number) + (gleak[j] as number) + (denS[j] as number) + eps;
        }
        accumulate(syn, v, num, den);
        for (let j = 0; j < N; j++) {
          // divRound written out (num reaches 2^51: a call would box it)
          let n = num[j] as number;
          let d = den[j] as number;
          if (d < 0) {
            d = -d;
            n = -n;
          } else if (d === 0) d = 1;
          const q = Math.trunc((2 * n + (n >= 0 ? d : -d)) / (2 * d));
          vNext[j] = q > 32767 ? 32767 : q < -32768 ? -32768 : q;
        }
        v.set(vNext);
      }
      for (let k = 0; k < M; k++) y[k] = sat16(rq(v[k] as number, outM[k] as number, outSh[k] as number) + (outB[k] as number));
    },
    json: () => ({
      type: 'ltc', units: N, inSize: S, motorSize: M, odeUnfolds: K, vFrac, xFrac: xmFrac, outFrac, gFrac: GFRAC, cFrac,
      inputMap: { m: Array.from(inM), sh: Array.from(inSh), b: Array.from(inB) },
      sensory: synJson(sens), synapses: synJson(syn),
      gleak: Array.from(gleak), vleak: Array.from(vleak), cmNum: Array.from(cmNum), eps,
      outputMap: { m: Array.from(outM), sh: Array.from(outSh), b: Array.from(outB) },
      mixedMemory: mixed === null ? null : mixedJson(mixed),
    }),
  };
}
