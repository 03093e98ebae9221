// LTC, the reading definition (ncps torch LTCCell, spec §5): the fused semi-implicit Euler
// solver of  C·dv/dt = gleak·(vleak − v) + Σ_i w_i·σ(sigma·(v_i − mu))·(erev − v),
// K = odeUnfolds sub-steps of ts/K, Jacobi style (every neuron reads the previous sub-step).
// The sensory term is computed once per step (the input is held over the sub-steps).
// pos() is softplus with implicit constraints and the identity without.

import type { LtcStage } from '../../models/types.ts';
import { sigmoid, softplus } from '../activations.ts';
import { stepMixedMemory, makeMixedScratch, type MixedScratch } from './mixed-memory.ts';

export interface LtcRefState {
  /** (N) membrane potentials in neuron-id order (motor neurons first) */
  readonly v: Float64Array;
  /** (N) LSTM cell state with mixed memory, else null */
  readonly c: Float64Array | null;
  /** scratch */
  readonly xMapped: Float64Array;
  readonly numSensory: Float64Array;
  readonly denSensory: Float64Array;
  readonly vNext: Float64Array;
  /** pos(w) (N, N), pos(cm) and pos(gleak) (N): computed once per step, as torch does */
  readonly wPos: Float64Array;
  readonly cmPos: Float64Array;
  readonly gleakPos: Float64Array;
  readonly mixed: MixedScratch | null;
}

export function makeLtcRefState(s: LtcStage): LtcRefState {
  const N = s.units;
  return {
    v: new Float64Array(N),
    c: s.mixedMemory === null ? null : new Float64Array(N),
    xMapped: new Float64Array(s.inSize),
    numSensory: new Float64Array(N),
    denSensory: new Float64Array(N),
    vNext: new Float64Array(N),
    wPos: new Float64Array(N * N),
    cmPos: new Float64Array(N),
    gleakPos: new Float64Array(N),
    mixed: s.mixedMemory === null ? null : makeMixedScratch(N),
  };
}

export function stepLtcRef(
  s: LtcStage, st: LtcRefState, x: Float64Array, xOff: number, ts: number, y: Float64Array, yOff: number,
): void {
  const N = s.units;
  const S = s.inSize;
  const pos = s.implicitConstraints ? softplus : identity;
  if (s.mixedMemory !== null) {
    stepMixedMemory(s.mixedMemory, st.mixed as MixedScratch, x, xOff, st.v, st.c as Float64Array);
  }
  // Input mapping: affine x·w + b, linear x·w, none x.
  const xm = st.xMapped;
  for (let i = 0; i < S; i++) {
    let xi = x[xOff + i] as number;
    if (s.inputW !== null) xi *= s.inputW[i] as number;
    if (s.inputB !== null) xi += s.inputB[i] as number;
    xm[i] = xi;
  }
  // Sensory synapses: numerator Σ s·erev and denominator Σ s, per target neuron j.
  const num = st.numSensory;
  const den = st.denSensory;
  num.fill(0);
  den.fill(0);
  for (let i = 0; i < S; i++) {
    const xi = xm[i] as number;
    for (let j = 0; j < N; j++) {
      const k = i * N + j;
      const a = pos(s.sensoryW[k] as number) * sigmoid((s.sensorySigma[k] as number) * (xi - (s.sensoryMu[k] as number))) *
        (s.sensoryMask[k] as number);
      num[j] = (num[j] as number) + a * (s.sensoryErev[k] as number);
      den[j] = (den[j] as number) + a;
    }
  }
  // pos() of the solver parameters once per step (torch: w_param, gleak and cm_t outside the
  // unfold loop). cm_t = pos(cm) / (ts / K); ts = 0 makes cm_t infinite (NaN where v = 0),
  // exactly as torch does; the control loop only steps with ts > 0.
  const K = s.odeUnfolds;
  for (let k = 0; k < N * N; k++) st.wPos[k] = pos(s.w[k] as number) * (s.mask[k] as number);
  for (let j = 0; j < N; j++) {
    st.cmPos[j] = pos(s.cm[j] as number) / (ts / K);
    st.gleakPos[j] = pos(s.gleak[j] as number);
  }
  const v = st.v;
  const vNext = st.vNext;
  for (let t = 0; t < K; t++) {
    for (let j = 0; j < N; j++) {
      let wNum = 0;
      let wDen = 0;
      for (let i = 0; i < N; i++) {
        const k = i * N + j;
        const a = (st.wPos[k] as number) * sigmoid((s.sigma[k] as number) * ((v[i] as number) - (s.mu[k] as number)));
        wNum += a * (s.erev[k] as number);
        wDen += a;
      }
      const cmT = st.cmPos[j] as number;
      const gl = st.gleakPos[j] as number;
      const numerator = cmT * (v[j] as number) + gl * (s.vleak[j] as number) + wNum + (num[j] as number);
      const denominator = cmT + gl + wDen + (den[j] as number);
      vNext[j] = numerator / (denominator + s.epsilon);
    }
    v.set(vNext);
  }
  // Output: the first M (motor) neurons, then the output mapping.
  for (let k = 0; k < s.motorSize; k++) {
    let o = v[k] as number;
    if (s.outputW !== null) o *= s.outputW[k] as number;
    if (s.outputB !== null) o += s.outputB[k] as number;
    y[yOff + k] = o;
  }
}

function identity(x: number): number {
  return x;
}

export function resetLtcRef(st: LtcRefState): void {
  st.v.fill(0);
  st.c?.fill(0);
}
