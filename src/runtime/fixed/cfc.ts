// CfC in integers (docs/fixed-point.md §5.4), ncps semantics as in ref/cfc.ts: per layer
// z = [x ; h_layer] → backbone → heads; a wired cell runs its layers in order within one step.
// Δt arrives as tsQ, Q4.12 in units of the nominal step dtNominalS.
//   default:  f1 = tanh(ff1), f2 = tanh(ff2) (Q0.15);  t = sat16(sat16(rshr(ta·tsQ, 12)) + tb)
//             where the time-A head is quantised with its weights and bias × dtNominal;
//             g = σ(t);  h' = sat16(f1 + rshr(g·(f2 − f1), 15))                    (h in Q0.15)
//   no_gate:  h' = sat16(rshr(f1·2^15 + g·f2, 16))                                  (h in Q1.14)
//   pure:     u·log2(e) = rq(tsQ, mT_i, shT_i) + rq(tsQ·|ff1|, mV, shV)  (Q15.16, ≤ 16.0)
//             e = 2^−(·) (Q1.15);  h' = sat16(Aq_i − rq(e·ff1, mA_i, shA_i))       (h calibrated)

import type { CfcLayer, CfcStage, Linear } from '../../models/types.ts';
import type { StageQuant } from '../../models/quantize/params.ts';
import { exp2negQ, pow2, quantConst, rq, rshr, sat16, sigmoidQ, tanhQ, toMultiplier } from './arith.ts';
import { actJson, applyAct, FRAC_Q015, FRAC_Q114, prepareAct, type QAct } from './act.ts';
import { linearJson, prepareLinear, stepLinear, type QLinear } from './linear.ts';
import { mixedJson, prepareMixed, stepMixed, type QMixed } from './lstm.ts';
import type { FixedContext, FixedOp } from './op.ts';

const LOG2E = 1.4426950408889634;
/** pure mode: u·log2(e) is clamped to 16.0 (2^−16 is below half an LSB of Q1.15) */
const V_MAX = 1048576;

interface QLayer {
  readonly inSize: number;
  readonly units: number;
  readonly backbone: readonly { readonly lin: QLinear; readonly act: QAct }[];
  readonly ff1: QLinear;
  readonly ff2: QLinear | null;
  readonly ta: QLinear | null;
  readonly tb: QLinear | null;
  /** pure mode, per neuron: |w_tau|·log2(e)·dtNominal·2^4 and A·2^(hFrac−15−ff1Frac) as (m, sh); Aq = A in hFrac */
  readonly mT: Int32Array;
  readonly shT: Int32Array;
  readonly mA: Int32Array;
  readonly shA: Int32Array;
  readonly Aq: Int32Array;
  readonly mV: number;
  readonly shV: number;
}

/** t_a·dtNominal: with tsQ = Δt/dtNominal in Q4.12, t_a·Δt = (t_a·dtNominal)·tsQ/4096. */
function scaled(l: Linear | null, k: number): Linear | null {
  if (l === null) return null;
  return { ...l, weight: l.weight.map((v) => v * k), bias: l.bias === null ? null : l.bias.map((v) => v * k) };
}

export function stateFracOf(s: CfcStage, q: StageQuant): number {
  return s.mode === 'default' ? FRAC_Q015 : s.mode === 'no_gate' ? FRAC_Q114 : (q.h as number);
}

function prepareLayer(s: CfcStage, L: CfcLayer, l: number, inFrac: ArrayLike<number>, hFrac: number, q: StageQuant, ctx: FixedContext): QLayer {
  const dtNom = ctx.dtNom;
  let colFrac = Int32Array.from({ length: L.inSize + L.units }, (_, j) => (j < L.inSize ? (inFrac[j] as number) : hFrac));
  const backbone = L.backbone.map((b, j) => {
    const pre = (q.backbone?.[l]?.[j] ?? 12) as number;
    const lin = prepareLinear(b.weight, b.bias, b.outSize, b.inSize, colFrac, pre, ctx.weightBits);
    const act = prepareAct(L.backboneActivation, pre);
    colFrac = new Int32Array(b.outSize).fill(act.outFrac);
    return { lin, act };
  });
  const cat = colFrac.length;
  const n = L.units;
  const head = (lin: CfcLayer['ff1'] | null, f: number): QLinear | null => (lin === null ? null : prepareLinear(lin.weight, lin.bias, n, cat, colFrac, f, ctx.weightBits));
  const pure = s.mode === 'pure';
  const ff1Frac = pure ? (q.ff1 as number) : 12;
  const mT = new Int32Array(n);
  const shT = new Int32Array(n);
  const mA = new Int32Array(n);
  const shA = new Int32Array(n);
  const Aq = new Int32Array(n);
  let mV = 0;
  let shV = 0;
  if (pure) {
    [mV, shV] = toMultiplier(LOG2E * dtNom * pow2(4 - ff1Frac));
    for (let i = 0; i < n; i++) {
      const A = (L.A as Float64Array)[i] as number;
      [mT[i], shT[i]] = toMultiplier(Math.abs((L.wTau as Float64Array)[i] as number) * LOG2E * dtNom * 16);
      [mA[i], shA[i]] = toMultiplier(A * pow2(hFrac - 15 - ff1Frac));
      Aq[i] = quantConst(A, hFrac, 1073741824);
    }
  }
  return {
    inSize: L.inSize, units: n, backbone,
    ff1: head(L.ff1, ff1Frac) as QLinear, ff2: head(L.ff2, 12), ta: head(scaled(L.timeA, dtNom), 12), tb: head(L.timeB, 12),
    mT, shT, mA, shA, Aq, mV, shV,
  };
}

export function cfcOp(s: CfcStage, xFrac: Int32Array, q: StageQuant, ctx: FixedContext, x: Int32Array, y: Int32Array): FixedOp {
  const hFrac = stateFracOf(s, q);
  const cFrac = s.mixedMemory === null ? 0 : (q.c as number);
  const layers: QLayer[] = [];
  let inFrac: ArrayLike<number> = xFrac;
  let width = 0;
  let maxUnits = 0;
  s.layers.forEach((L, l) => {
    layers.push(prepareLayer(s, L, l, inFrac, hFrac, q, ctx));
    inFrac = new Int32Array(L.units).fill(hFrac);
    width = Math.max(width, L.inSize + L.units, ...L.backbone.map((b) => b.outSize));
    maxUnits = Math.max(maxUnits, L.units);
  });
  const mixed: QMixed | null = s.mixedMemory === null ? null : prepareMixed(s.mixedMemory, xFrac, hFrac, cFrac, ctx.weightBits);
  const h = new Int32Array(s.units);
  const c = s.mixedMemory === null ? null : new Int32Array(s.units);
  const za = new Int32Array(width);
  const zb = new Int32Array(width);
  const f1 = new Int32Array(maxUnits);
  const f2 = new Int32Array(maxUnits);
  const ta = new Int32Array(maxUnits);
  const tb = new Int32Array(maxUnits);
  const mode = s.mode;

  const stepLayer = (Q: QLayer, xb: Int32Array, xOff: number, hOff: number, tsQ: number): void => {
    const n = Q.units;
    let z = za;
    for (let i = 0; i < Q.inSize; i++) z[i] = xb[xOff + i] as number;
    for (let i = 0; i < n; i++) z[Q.inSize + i] = h[hOff + i] as number;
    for (let j = 0; j < Q.backbone.length; j++) {
      const B = Q.backbone[j] as { lin: QLinear; act: QAct };
      const out = z === za ? zb : za;
      stepLinear(B.lin, z, 0, out, 0);
      applyAct(B.act, out, 0, B.lin.rows);
      z = out;
    }
    stepLinear(Q.ff1, z, 0, f1, 0);
    if (mode === 'pure') {
      for (let i = 0; i < n; i++) {
        const a = f1[i] as number;
        let v = rq(tsQ, Q.mT[i] as number, Q.shT[i] as number) + rq(tsQ * (a < 0 ? -a : a), Q.mV, Q.shV);
        if (v > V_MAX) v = V_MAX;
        const e = exp2negQ(v);
        h[hOff + i] = sat16((Q.Aq[i] as number) - rq(e * a, Q.mA[i] as number, Q.shA[i] as number));
      }
      return;
    }
    stepLinear(Q.ff2 as QLinear, z, 0, f2, 0);
    stepLinear(Q.ta as QLinear, z, 0, ta, 0);
    stepLinear(Q.tb as QLinear, z, 0, tb, 0);
    for (let i = 0; i < n; i++) {
      const a1 = tanhQ(f1[i] as number);
      const a2 = tanhQ(f2[i] as number);
      const t = sat16(sat16(rshr((ta[i] as number) * tsQ, 12)) + (tb[i] as number));
      const g = sigmoidQ(t);
      h[hOff + i] = mode === 'no_gate' ? sat16(rshr(a1 * 32768 + g * a2, 16)) : sat16(a1 + rshr(g * (a2 - a1), 15));
    }
  };

  return {
    outFrac: new Int32Array(s.outSize).fill(hFrac),
    accBits: Math.max(...layers.flatMap((Q) => [Q.ff1, Q.ff2, Q.ta, Q.tb, ...Q.backbone.map((b) => b.lin)].map((L) => L?.accBits ?? 0)), mixed?.gates.accBits ?? 0),
    cell: { h, c, hFrac, cFrac, reset: () => { h.fill(0); c?.fill(0); } },
    run: (tsQ) => {
      if (mixed !== null) stepMixed(mixed, x, 0, h, c as Int32Array);
      let xb = x;
      let xOff = 0;
      let hOff = 0;
      for (let l = 0; l < layers.length; l++) {
        const Q = layers[l] as QLayer;
        stepLayer(Q, xb, xOff, hOff, tsQ);
        xb = h;
        xOff = hOff;
        hOff += Q.units;
      }
      for (let i = 0; i < s.outSize; i++) y[i] = h[xOff + i] as number;
    },
    json: () => ({
      type: 'cfc', mode, units: s.units, outSize: s.outSize, hFrac, cFrac,
      mixedMemory: mixed === null ? null : mixedJson(mixed),
      layers: layers.map((Q) => ({
        inSize: Q.inSize, units: Q.units,
        backbone: Q.backbone.map((b) => ({ ...linearJson(b.lin), activation: actJson(b.act) })),
        ff1: linearJson(Q.ff1),
        ...(mode === 'pure'
          ? { mT: Array.from(Q.mT), shT: Array.from(Q.shT), mV: Q.mV, shV: Q.shV, Aq: Array.from(Q.Aq), mA: Array.from(Q.mA), shA: Array.from(Q.shA) }
          : { ff2: linearJson(Q.ff2 as QLinear), timeA: linearJson(Q.ta as QLinear), timeB: linearJson(Q.tb as QLinear) }),
      })),
    }),
  };
}
