// LTC in the f32 backend. The model is frozen, so pos() of w, sensory w, cm and gleak is taken
// once at compile time (ref takes it every step, as torch does), and only existing synapses are
// visited: the lane NCP has 58 of 361 internal and 192 of 608 sensory synapses (CSR by target).

import type { LtcStage } from '../../models/types.ts';
import { softplus } from '../activations.ts';
import type { FloatArray } from '../policy.ts';
import { makeMixedScratch, stepMixedMemory, type MixedScratch } from '../ref/mixed-memory.ts';
import { fastSigmoid } from './cfc.ts';

/** Synapses grouped by target: for target j, entries start[j] .. start[j+1]. */
interface Csr {
  readonly start: Int32Array;
  readonly src: Int32Array;
  /** pos(w)·mask, sigma, mu, erev per synapse */
  readonly w: Float32Array;
  readonly sigma: Float32Array;
  readonly mu: Float32Array;
  readonly erev: Float32Array;
}

function csr(rows: number, N: number, mask: Uint8Array, w: Float64Array, sigma: Float64Array, mu: Float64Array,
  erev: Float64Array, pos: (x: number) => number): Csr {
  const start = new Int32Array(N + 1);
  const idx: number[] = [];
  for (let j = 0; j < N; j++) {
    start[j] = idx.length;
    for (let i = 0; i < rows; i++) if ((mask[i * N + j] as number) !== 0) idx.push(i * N + j);
  }
  start[N] = idx.length;
  const pick = (a: Float64Array, f: (x: number) => number = (x) => x): Float32Array => Float32Array.from(idx, (k) => f(a[k] as number));
  return {
    start, src: Int32Array.from(idx, (k) => Math.floor(k / N)),
    w: pick(w, pos), sigma: pick(sigma), mu: pick(mu), erev: pick(erev),
  };
}

export interface F32LtcState {
  readonly v: Float32Array;
  readonly c: Float32Array | null;
  readonly vPrev: Float64Array;
  readonly xm: Float64Array;
  readonly num: Float64Array;
  readonly den: Float64Array;
  readonly internal: Csr;
  readonly sensory: Csr;
  readonly cm: Float32Array;
  readonly gleak: Float32Array;
  readonly vleakTerm: Float32Array;
  readonly mixed: MixedScratch | null;
  readonly hMix: Float64Array | null;
  readonly cMix: Float64Array | null;
}

export function makeF32LtcState(s: LtcStage): F32LtcState {
  const N = s.units;
  const pos = s.implicitConstraints ? softplus : (x: number): number => x;
  const gleak = Float32Array.from(s.gleak, pos);
  return {
    v: new Float32Array(N),
    c: s.mixedMemory === null ? null : new Float32Array(N),
    vPrev: new Float64Array(N),
    xm: new Float64Array(s.inSize),
    num: new Float64Array(N),
    den: new Float64Array(N),
    internal: csr(N, N, s.mask, s.w, s.sigma, s.mu, s.erev, pos),
    sensory: csr(s.inSize, N, s.sensoryMask, s.sensoryW, s.sensorySigma, s.sensoryMu, s.sensoryErev, pos),
    cm: Float32Array.from(s.cm, pos),
    gleak,
    vleakTerm: Float32Array.from(s.vleak, (v, j) => (gleak[j] as number) * v),
    mixed: s.mixedMemory === null ? null : makeMixedScratch(N),
    hMix: s.mixedMemory === null ? null : new Float64Array(N),
    cMix: s.mixedMemory === null ? null : new Float64Array(N),
  };
}

export function stepF32Ltc(s: LtcStage, st: F32LtcState, x: FloatArray, ts: number, y: FloatArray): void {
  const N = s.units;
  if (s.mixedMemory !== null) {
    const hm = st.hMix as Float64Array;
    const cm = st.cMix as Float64Array;
    for (let i = 0; i < N; i++) { hm[i] = st.v[i] as number; cm[i] = (st.c as Float32Array)[i] as number; }
    stepMixedMemory(s.mixedMemory, st.mixed as MixedScratch, x, 0, hm, cm);
    st.v.set(hm);
    (st.c as Float32Array).set(cm);
  }
  const xm = st.xm;
  for (let i = 0; i < s.inSize; i++) {
    let xi = x[i] as number;
    if (s.inputW !== null) xi *= s.inputW[i] as number;
    if (s.inputB !== null) xi += s.inputB[i] as number;
    xm[i] = xi;
  }
  const S = st.sensory;
  for (let j = 0; j < N; j++) {
    let nu = 0;
    let de = 0;
    for (let k = S.start[j] as number; k < (S.start[j + 1] as number); k++) {
      const a = (S.w[k] as number) * fastSigmoid((S.sigma[k] as number) * ((xm[S.src[k] as number] as number) - (S.mu[k] as number)));
      nu += a * (S.erev[k] as number);
      de += a;
    }
    st.num[j] = nu;
    st.den[j] = de;
  }
  const K = s.odeUnfolds;
  const inv = K / ts;
  const C = st.internal;
  const vp = st.vPrev;
  for (let i = 0; i < N; i++) vp[i] = st.v[i] as number;
  for (let t = 0; t < K; t++) {
    for (let j = 0; j < N; j++) {
      let nu = st.num[j] as number;
      let de = st.den[j] as number;
      for (let k = C.start[j] as number; k < (C.start[j + 1] as number); k++) {
        const a = (C.w[k] as number) * fastSigmoid((C.sigma[k] as number) * ((vp[C.src[k] as number] as number) - (C.mu[k] as number)));
        nu += a * (C.erev[k] as number);
        de += a;
      }
      const cmT = (st.cm[j] as number) * inv;
      st.v[j] = (cmT * (vp[j] as number) + (st.vleakTerm[j] as number) + nu) / (cmT + (st.gleak[j] as number) + de + s.epsilon);
    }
    for (let i = 0; i < N; i++) vp[i] = st.v[i] as number;
  }
  for (let k = 0; k < s.motorSize; k++) {
    let o = vp[k] as number;
    if (s.outputW !== null) o *= s.outputW[k] as number;
    if (s.outputB !== null) o += s.outputB[k] as number;
    y[k] = o;
  }
}

export function resetF32Ltc(st: F32LtcState): void {
  st.v.fill(0);
  st.c?.fill(0);
}
