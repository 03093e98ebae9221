// CfC, the reading definition (ncps torch CfCCell / WiredCfCCell, spec §2 and §4).
// Per layer: z = [x ; h] → backbone → heads; `ts` is the elapsed time of this step.
//   default: h' = tanh(ff1)·(1 − g) + g·tanh(ff2),  g = σ(t_a·ts + t_b)
//   no_gate: h' = tanh(ff1) + g·tanh(ff2)
//   pure:    h' = −A·exp(−ts·(|w_tau| + |ff1|))·ff1 + A   (ff1 without tanh)
// A wired cell runs its layers in order within one step; layer l > 0 takes the *new* hidden
// state of layer l − 1. The state is laid out in layer order ([inter | command | motor] for NCP).

import type { CfcLayer, CfcStage } from '../../models/types.ts';
import { activateInPlace, sigmoid } from '../activations.ts';
import { linear } from './linear.ts';
import { makeMixedScratch, stepMixedMemory, type MixedScratch } from './mixed-memory.ts';

export interface CfcRefState {
  /** (units) hidden state, layer order */
  readonly h: Float64Array;
  /** (units) LSTM cell state with mixed memory, else null */
  readonly c: Float64Array | null;
  /** scratch: [x ; h] and the backbone activations, ping-pong */
  readonly za: Float64Array;
  readonly zb: Float64Array;
  /** scratch: ff1, ff2, t_a, t_b of one layer */
  readonly ff1: Float64Array;
  readonly ff2: Float64Array;
  readonly ta: Float64Array;
  readonly tb: Float64Array;
  readonly mixed: MixedScratch | null;
}

export function makeCfcRefState(s: CfcStage): CfcRefState {
  let width = 0;
  let maxUnits = 0;
  for (const l of s.layers) {
    width = Math.max(width, l.inSize + l.units, ...l.backbone.map((b) => b.outSize));
    maxUnits = Math.max(maxUnits, l.units);
  }
  return {
    h: new Float64Array(s.units),
    c: s.mixedMemory === null ? null : new Float64Array(s.units),
    za: new Float64Array(width),
    zb: new Float64Array(width),
    ff1: new Float64Array(maxUnits),
    ff2: new Float64Array(maxUnits),
    ta: new Float64Array(maxUnits),
    tb: new Float64Array(maxUnits),
    mixed: s.mixedMemory === null ? null : makeMixedScratch(s.units),
  };
}

/** One step: reads x[xOff .. xOff+inSize), updates the state, writes outSize values to y[yOff..]. */
export function stepCfcRef(
  s: CfcStage, st: CfcRefState, x: Float64Array, xOff: number, ts: number, y: Float64Array, yOff: number,
): void {
  if (s.mixedMemory !== null) {
    stepMixedMemory(s.mixedMemory, st.mixed as MixedScratch, x, xOff, st.h, st.c as Float64Array);
  }
  let inBuf = x;
  let inOff = xOff;
  let hOff = 0;
  for (const layer of s.layers) {
    stepLayer(s, layer, st, inBuf, inOff, hOff, ts);
    inBuf = st.h;
    inOff = hOff;
    hOff += layer.units;
  }
  for (let i = 0; i < s.outSize; i++) y[yOff + i] = st.h[inOff + i] as number;
}

function stepLayer(
  s: CfcStage, L: CfcLayer, st: CfcRefState, x: Float64Array, xOff: number, hOff: number, ts: number,
): void {
  const n = L.units;
  const h = st.h;
  // z = [x ; h_layer]: input first, then this layer's own hidden state (torch.cat([input, hx])).
  let z = st.za;
  for (let i = 0; i < L.inSize; i++) z[i] = x[xOff + i] as number;
  for (let i = 0; i < n; i++) z[L.inSize + i] = h[hOff + i] as number;
  for (const b of L.backbone) {
    const out = z === st.za ? st.zb : st.za;
    linear(b, z, 0, out, 0);
    activateInPlace(L.backboneActivation, out, 0, b.outSize);
    z = out;
  }
  // ff1 weights are already multiplied by the wiring mask at load time.
  linear(L.ff1, z, 0, st.ff1, 0);
  if (s.mode === 'pure') {
    const A = L.A as Float64Array;
    const wTau = L.wTau as Float64Array;
    for (let i = 0; i < n; i++) {
      const f = st.ff1[i] as number;
      const a = A[i] as number;
      h[hOff + i] = -a * Math.exp(-ts * (Math.abs(wTau[i] as number) + Math.abs(f))) * f + a;
    }
    return;
  }
  linear(L.ff2!, z, 0, st.ff2, 0);
  linear(L.timeA!, z, 0, st.ta, 0);
  linear(L.timeB!, z, 0, st.tb, 0);
  for (let i = 0; i < n; i++) {
    const f1 = Math.tanh(st.ff1[i] as number);
    const f2 = Math.tanh(st.ff2[i] as number);
    const g = sigmoid((st.ta[i] as number) * ts + (st.tb[i] as number));
    h[hOff + i] = s.mode === 'no_gate' ? f1 + g * f2 : f1 * (1 - g) + g * f2;
  }
}

export function resetCfcRef(st: CfcRefState): void {
  st.h.fill(0);
  st.c?.fill(0);
}
