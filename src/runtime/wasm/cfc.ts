// CfC (ref/cfc.ts): per layer, z = [x ; h_layer] → backbone → the heads, fused into one pass
// over z (ff1, ff2, t_a, t_b side by side per slot; ff1 alone in pure mode), then
//   default: h' = tanh(ff1)·(1 − g) + g·tanh(ff2),  g = σ(t_a·ts + t_b)
//   no_gate: h' = tanh(ff1) + g·tanh(ff2)
//   pure:    h' = −A·exp(−ts·(|w_tau| + |ff1|))·ff1 + A
// Wired layers run in order: layer l reads the new h of layer l − 1 and its own old h, so the
// new h is written to scratch and copied in once the layer's sweep is done.

import type { CfcLayer, CfcStage, Linear } from '../../models/types.ts';
import { Simd } from './emit/opcodes.ts';
import { hSegment, type CellState } from './cell-state.ts';
import { emitLinearStage } from './feedforward.ts';
import { emitMixedMemory } from './gates.ts';
import { makeBuf, segmentOf, type Buf, type Gen, type Segment } from './gen.ts';
import { emitFusedLinear } from './linear.ts';
import { copySlots, packVector } from './slots.ts';
import { emitExp, emitSigmoid, emitTanh } from './vmath.ts';

export function emitCfc(g: Gen, s: CfcStage, x: Buf, y: Buf, st: CellState): void {
  if (s.mixedMemory !== null) emitMixedMemory(g, s.mixedMemory, x, st);
  let widest = 0;
  let backboneWidest = 0;
  for (const L of s.layers) {
    widest = Math.max(widest, L.units);
    for (const b of L.backbone) backboneWidest = Math.max(backboneWidest, b.outSize);
  }
  const hNew = makeBuf(g, widest);
  const bb = backboneWidest > 0 ? [makeBuf(g, backboneWidest), makeBuf(g, backboneWidest)] : [];
  s.layers.forEach((L, l) => {
    const input = l === 0 ? x : hSegment(g, st, l - 1);
    const own = hSegment(g, st, l);
    let z: Segment[] = [segmentOf(input, L.inSize), segmentOf(own, L.units)];
    L.backbone.forEach((b, i) => {
      const out = bb[i % 2] as Buf;
      emitLinearStage(g, b, L.backboneActivation, true, z, out);
      z = [segmentOf(out, b.outSize)];
    });
    emitHeads(g, s, L, z, hNew);
    copySlots(g, hNew, own, L.units);
  });
  copySlots(g, hSegment(g, st, s.layers.length - 1), y, s.outSize);
}

function emitHeads(g: Gen, s: CfcStage, L: CfcLayer, z: readonly Segment[], hNew: Buf): void {
  const { a, lanes } = g;
  const n = L.units;
  const np = lanes.padded(n);
  const pure = s.mode === 'pure';
  const heads = (pure ? [L.ff1] : [L.ff1, L.ff2, L.timeA, L.timeB]) as Linear[];
  const cat = L.ff1.inSize;
  const A = pure ? packVector(g, np, (p) => (p < n ? ((L.A as Float64Array)[p] as number) : 0)) : 0;
  const wTauAbs = pure ? packVector(g, np, (p) => (p < n ? Math.abs((L.wTau as Float64Array)[p] as number) : 0)) : 0;
  const param = (base: number, slot: number): void => lanes.loadUniform(a, null, base + slot * lanes.uniformBytes);
  emitFusedLinear(g, {
    slots: lanes.slots(n), heads: heads.length, segments: z, sparse: true,
    weight: (k, p, c) => (p < n ? ((heads[k] as Linear).weight[p * cat + c] as number) : 0),
    bias: (k, p) => {
      const b = (heads[k] as Linear).bias;
      return p < n && b !== null ? (b[p] as number) : 0;
    },
    finish: (slot, acc) => {
      a.base(hNew.ptr);
      const f1 = acc[0] as number;
      if (pure) {
        // −A·exp(−ts·(|w_tau| + |f|))·f + A
        param(A, slot);
        a.simd(Simd.f32x4_neg).get(g.ts);
        param(wTauAbs, slot);
        a.get(f1).simd(Simd.f32x4_abs).simd(Simd.f32x4_add).simd(Simd.f32x4_mul).simd(Simd.f32x4_neg);
        emitExp(a);
        a.simd(Simd.f32x4_mul).get(f1).simd(Simd.f32x4_mul);
        param(A, slot);
        a.simd(Simd.f32x4_add);
      } else {
        const [, f2, ta, tb] = acc as [number, number, number, number];
        const gate = a.temp();
        a.get(ta).get(g.ts).simd(Simd.f32x4_mul).get(tb).simd(Simd.f32x4_add);
        emitSigmoid(a);
        a.set(gate).get(f1);
        emitTanh(a);
        if (s.mode === 'default') a.f32x4(1).get(gate).simd(Simd.f32x4_sub).simd(Simd.f32x4_mul);
        a.get(gate).get(f2);
        emitTanh(a);
        a.simd(Simd.f32x4_mul).simd(Simd.f32x4_add);
        a.release(gate);
      }
      a.v128Store(hNew.off + 16 * slot);
    },
  });
}
