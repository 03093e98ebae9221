// CfC in the f32 backend: float32 weights and state, the four heads fused into one pass over
// [x ; h] per neuron, and tanh/σ from one exp each (Math.tanh costs ~28 ns in V8, an exp ~20 ns;
// 57 of them per step of the 19-neuron NCP). Same contract and semantics as ref/cfc.ts.

import type { CfcLayer, CfcStage, Linear } from '../../models/types.ts';
import { activateInPlace } from '../activations.ts';
import type { FloatArray } from '../policy.ts';
import { makeMixedScratch, stepMixedMemory, type MixedScratch } from '../ref/mixed-memory.ts';

/** tanh(x) = 1 − 2/(e^{2x} + 1): exact to a few ulps in float64, saturates cleanly for |x| large. */
export function fastTanh(x: number): number {
  return 1 - 2 / (Math.exp(2 * x) + 1);
}

export function fastSigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

interface F32Layer {
  readonly inSize: number;
  readonly units: number;
  readonly backbone: readonly { w: Float32Array; b: Float32Array; out: number; inp: number }[];
  readonly layer: CfcLayer;
  /** width of the heads' input */
  readonly cat: number;
  /** (units, 4, cat) interleaved heads [ff1 | ff2 | ta | tb] per neuron; pure: (units, 1, cat) */
  readonly heads: Float32Array;
  /** (units, 4) biases */
  readonly bias: Float32Array;
  readonly wTauAbs: Float32Array | null;
  readonly A: Float32Array | null;
}

export interface F32CfcState {
  readonly h: Float32Array;
  readonly c: Float32Array | null;
  readonly za: Float64Array;
  readonly zb: Float64Array;
  readonly layers: readonly F32Layer[];
  readonly mixed: MixedScratch | null;
  readonly hMix: Float64Array | null;
  readonly cMix: Float64Array | null;
}

function f32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

function prepareLayer(L: CfcLayer, pure: boolean): F32Layer {
  const cat = L.backbone.length > 0 ? (L.backbone[L.backbone.length - 1] as Linear).outSize : L.inSize + L.units;
  const nh = pure ? 1 : 4;
  const heads = new Float32Array(L.units * nh * cat);
  const bias = new Float32Array(L.units * nh);
  const src: (Linear | null)[] = pure ? [L.ff1] : [L.ff1, L.ff2, L.timeA, L.timeB];
  for (let r = 0; r < L.units; r++) {
    src.forEach((lin, k) => {
      const l = lin as Linear;
      for (let c = 0; c < cat; c++) heads[(r * nh + k) * cat + c] = l.weight[r * cat + c] as number;
      bias[r * nh + k] = l.bias === null ? 0 : (l.bias[r] as number);
    });
  }
  return {
    inSize: L.inSize, units: L.units, layer: L, cat, heads, bias,
    backbone: L.backbone.map((b) => ({ w: f32(b.weight), b: f32(b.bias ?? new Float64Array(b.outSize)), out: b.outSize, inp: b.inSize })),
    wTauAbs: L.wTau === null ? null : Float32Array.from(L.wTau, Math.abs),
    A: L.A === null ? null : f32(L.A),
  };
}

export function makeF32CfcState(s: CfcStage): F32CfcState {
  const layers = s.layers.map((l) => prepareLayer(l, s.mode === 'pure'));
  let width = 0;
  for (const l of layers) width = Math.max(width, l.inSize + l.units, ...l.backbone.map((b) => b.out));
  return {
    h: new Float32Array(s.units),
    c: s.mixedMemory === null ? null : new Float32Array(s.units),
    za: new Float64Array(width),
    zb: new Float64Array(width),
    layers,
    mixed: s.mixedMemory === null ? null : makeMixedScratch(s.units),
    hMix: s.mixedMemory === null ? null : new Float64Array(s.units),
    cMix: s.mixedMemory === null ? null : new Float64Array(s.units),
  };
}

export function stepF32Cfc(s: CfcStage, st: F32CfcState, x: FloatArray, ts: number, y: FloatArray): void {
  if (s.mixedMemory !== null) {
    // Mixed memory is a small dense LSTM; it runs in float64 scratch and stores back to f32.
    const hm = st.hMix as Float64Array;
    const cm = st.cMix as Float64Array;
    for (let i = 0; i < s.units; i++) { hm[i] = st.h[i] as number; cm[i] = (st.c as Float32Array)[i] as number; }
    stepMixedMemory(s.mixedMemory, st.mixed as MixedScratch, x, 0, hm, cm);
    st.h.set(hm);
    (st.c as Float32Array).set(cm);
  }
  let inBuf: FloatArray = x;
  let inOff = 0;
  let hOff = 0;
  for (let l = 0; l < st.layers.length; l++) {
    const L = st.layers[l] as F32Layer;
    stepLayer(s, L, st, inBuf, inOff, hOff, ts);
    inBuf = st.h;
    inOff = hOff;
    hOff += L.units;
  }
  for (let i = 0; i < s.outSize; i++) y[i] = st.h[inOff + i] as number;
}

function stepLayer(s: CfcStage, L: F32Layer, st: F32CfcState, x: FloatArray, xOff: number, hOff: number, ts: number): void {
  const n = L.units;
  const h = st.h;
  let z = st.za;
  for (let i = 0; i < L.inSize; i++) z[i] = x[xOff + i] as number;
  for (let i = 0; i < n; i++) z[L.inSize + i] = h[hOff + i] as number;
  for (let k = 0; k < L.backbone.length; k++) {
    const b = L.backbone[k] as F32Layer['backbone'][number];
    const out = z === st.za ? st.zb : st.za;
    for (let r = 0; r < b.out; r++) {
      let acc = b.b[r] as number;
      const row = r * b.inp;
      for (let c = 0; c < b.inp; c++) acc += (b.w[row + c] as number) * (z[c] as number);
      out[r] = acc;
    }
    activateInPlace(L.layer.backboneActivation, out, 0, b.out);
    z = out;
  }
  const cat = L.cat;
  const W = L.heads;
  const B = L.bias;
  if (s.mode === 'pure') {
    const A = L.A as Float32Array;
    const wt = L.wTauAbs as Float32Array;
    for (let r = 0; r < n; r++) {
      let f = B[r] as number;
      const row = r * cat;
      for (let c = 0; c < cat; c++) f += (W[row + c] as number) * (z[c] as number);
      const a = A[r] as number;
      h[hOff + r] = -a * Math.exp(-ts * ((wt[r] as number) + Math.abs(f))) * f + a;
    }
    return;
  }
  const noGate = s.mode === 'no_gate';
  for (let r = 0; r < n; r++) {
    const base = r * 4 * cat;
    let a1 = B[r * 4] as number;
    let a2 = B[r * 4 + 1] as number;
    let a3 = B[r * 4 + 2] as number;
    let a4 = B[r * 4 + 3] as number;
    for (let c = 0; c < cat; c++) {
      const zc = z[c] as number;
      a1 += (W[base + c] as number) * zc;
      a2 += (W[base + cat + c] as number) * zc;
      a3 += (W[base + 2 * cat + c] as number) * zc;
      a4 += (W[base + 3 * cat + c] as number) * zc;
    }
    const f1 = fastTanh(a1);
    const f2 = fastTanh(a2);
    const g = fastSigmoid(a3 * ts + a4);
    h[hOff + r] = noGate ? f1 + g * f2 : f1 * (1 - g) + g * f2;
  }
}

export function resetF32Cfc(st: F32CfcState): void {
  st.h.fill(0);
  st.c?.fill(0);
}
