// Range observation for calibration: runs the float64 reference over a sequence and records the
// largest |value| of every tensor that gets a calibrated format (params.ts `stageQuantKeys`).
// Feed-forward stages, LTC and LSTM call the ref kernels themselves and read their scratch; the
// CfC layer loop is the ref's, repeated here so the backbone and pure-mode heads of every layer
// can be seen (ref keeps only the last layer's scratch).

import type { CfcLayer, CfcStage, Model, Stage } from '../types.ts';
import { stageOutSize } from '../types.ts';
import { activateInPlace } from '../../runtime/activations.ts';
import { linear } from '../../runtime/ref/linear.ts';
import { clampRef, conv2dRef, normaliseRef, readoutRef } from '../../runtime/ref/feedforward.ts';
import { makeLtcRefState, stepLtcRef } from '../../runtime/ref/ltc.ts';
import { makeLstmRefState, stepLstmRef } from '../../runtime/ref/lstm.ts';
import { makeCfcRefState, type CfcRefState } from '../../runtime/ref/cfc.ts';
import { stepMixedMemory, type MixedScratch } from '../../runtime/ref/mixed-memory.ts';

/** Largest |value| per input feature and per calibrated tensor (layout of StageQuant). */
export interface Ranges {
  readonly input: Float64Array;
  readonly stages: StageRanges[];
}

export interface StageRanges {
  out?: number;
  pre?: number;
  backbone?: number[][];
  ff1?: number;
  h?: number;
  c?: number;
  x?: number;
}

function maxAbs(a: ArrayLike<number>, off: number, n: number, prev: number | undefined): number {
  let m = prev ?? 0;
  for (let i = off; i < off + n; i++) {
    const v = Math.abs(a[i] as number);
    if (v > m) m = v;
  }
  return m;
}

type ProbeOp = (ts: number) => void;

/** Steps the reference over inputs (steps × inputSize) and returns the observed ranges. */
export function observeRanges(model: Model, inputs: Float64Array, steps: number, dtS: number | Float64Array): Ranges {
  const I = model.inputSize;
  const widths = [I, ...model.stages.map(stageOutSize)];
  const bufs = widths.map((n) => new Float64Array(n));
  const ranges: Ranges = { input: new Float64Array(I), stages: model.stages.map(() => ({})) };
  const ops: ProbeOp[] = model.stages.map((s, i) => probeOp(s, bufs[i] as Float64Array, bufs[i + 1] as Float64Array, ranges.stages[i] as StageRanges));
  const x0 = bufs[0] as Float64Array;
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < I; i++) {
      const v = inputs[t * I + i] as number;
      x0[i] = v;
      const a = Math.abs(v);
      if (a > (ranges.input[i] as number)) ranges.input[i] = a;
    }
    const ts = typeof dtS === 'number' ? dtS : (dtS[t] as number);
    for (const op of ops) op(ts);
  }
  return ranges;
}

function probeOp(s: Stage, x: Float64Array, y: Float64Array, r: StageRanges): ProbeOp {
  switch (s.type) {
    case 'normalise': return () => { normaliseRef(s, x, y); r.out = maxAbs(y, 0, s.size, r.out); };
    case 'conv2d': return () => { conv2dRef(s, x, y); r.out = maxAbs(y, 0, y.length, r.out); };
    case 'activation': return () => { y.set(x); activateInPlace(s.fn, y, 0, s.size); };
    case 'flatten': return () => y.set(x);
    case 'dense': return () => {
      linear(s, x, 0, y, 0);
      r.pre = maxAbs(y, 0, s.outSize, r.pre);
      activateInPlace(s.activation, y, 0, s.outSize);
    };
    case 'readout': return () => { readoutRef(s, x, y); r.out = maxAbs(y, 0, s.outSize, r.out); };
    case 'clamp': return () => clampRef(s, x, y);
    case 'cfc': return probeCfc(s, x, y, r);
    case 'ltc': {
      const st = makeLtcRefState(s);
      return (ts) => {
        stepLtcRef(s, st, x, 0, ts, y, 0);
        r.x = maxAbs(st.xMapped, 0, s.inSize, r.x);
        if (s.outputMapping !== 'none') r.out = maxAbs(y, 0, s.motorSize, r.out);
        if (st.c !== null) r.c = maxAbs(st.c, 0, s.units, r.c);
      };
    }
    case 'lstm': {
      const st = makeLstmRefState(s);
      return () => { stepLstmRef(s, st, x, 0, y, 0); r.c = maxAbs(st.c, 0, s.units, r.c); };
    }
  }
}

function probeCfc(s: CfcStage, x: Float64Array, y: Float64Array, r: StageRanges): ProbeOp {
  const st = makeCfcRefState(s);
  r.backbone = s.layers.map((L) => L.backbone.map(() => 0));
  return (ts) => {
    if (s.mixedMemory !== null) {
      stepMixedMemory(s.mixedMemory, st.mixed as MixedScratch, x, 0, st.h, st.c as Float64Array);
      r.c = maxAbs(st.c as Float64Array, 0, s.units, r.c);
    }
    let inBuf = x;
    let inOff = 0;
    let hOff = 0;
    s.layers.forEach((L, l) => {
      probeLayer(s, L, st, inBuf, inOff, hOff, ts, r, l);
      inBuf = st.h;
      inOff = hOff;
      hOff += L.units;
    });
    for (let i = 0; i < s.outSize; i++) y[i] = st.h[inOff + i] as number;
    if (s.mode === 'pure') r.h = maxAbs(st.h, 0, s.units, r.h);
  };
}

/** ref/cfc.ts stepLayer, with the backbone pre-activations and pure-mode ff1 recorded. */
function probeLayer(s: CfcStage, L: CfcLayer, st: CfcRefState, x: Float64Array, xOff: number, hOff: number, ts: number, r: StageRanges, l: number): void {
  const n = L.units;
  const h = st.h;
  let z = st.za;
  for (let i = 0; i < L.inSize; i++) z[i] = x[xOff + i] as number;
  for (let i = 0; i < n; i++) z[L.inSize + i] = h[hOff + i] as number;
  const bb = (r.backbone as number[][])[l] as number[];
  L.backbone.forEach((b, j) => {
    const out = z === st.za ? st.zb : st.za;
    linear(b, z, 0, out, 0);
    bb[j] = maxAbs(out, 0, b.outSize, bb[j]);
    activateInPlace(L.backboneActivation, out, 0, b.outSize);
    z = out;
  });
  linear(L.ff1, z, 0, st.ff1, 0);
  if (s.mode === 'pure') {
    r.ff1 = maxAbs(st.ff1, 0, n, r.ff1);
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
    const g = 1 / (1 + Math.exp(-((st.ta[i] as number) * ts + (st.tb[i] as number))));
    h[hOff + i] = s.mode === 'no_gate' ? f1 + g * f2 : f1 * (1 - g) + g * f2;
  }
}
