// The LSTM family: ncps mixed memory (runs before a CfC or LTC cell) and the torch LSTM stage.
// Both are one fused linear with four heads per slot of h, over the columns [x ; h], then lane-
// wise gate arithmetic. The new h goes to scratch until every slot has read the old one.

import type { LstmStage, MixedMemory } from '../../models/types.ts';
import { Simd } from './emit/opcodes.ts';
import { cBuf, hBuf, hColumns, type CellState } from './cell-state.ts';
import { makeBuf, segmentOf, type Buf, type Gen } from './gen.ts';
import { emitFusedLinear } from './linear.ts';
import { copySlots } from './slots.ts';
import { emitSigmoid, emitTanh } from './vmath.ts';

/**
 * ncps mixed memory (ref/mixed-memory.ts): z = W_in x + b_in + W_rec h, chunks [i | ig | fg | og],
 *   c' = c·σ(fg + 1) + tanh(i)·σ(ig),  h' = tanh(c')·σ(og).
 * The +1 is folded into the forget-gate bias here (rounded once, in float64).
 */
export function emitMixedMemory(g: Gen, m: MixedMemory, x: Buf, st: CellState): void {
  const { a, lanes } = g;
  const H = st.map.n;
  const S = m.inputMap.inSize;
  const Win = m.inputMap.weight;
  const bin = m.inputMap.bias;
  const Wrec = m.recurrentMap.weight;
  const hNew = makeBuf(g, st.map.np);
  const c = cBuf(g, st);
  emitFusedLinear(g, {
    slots: lanes.slots(st.map.np), heads: 4, sparse: true,
    segments: [segmentOf(x, S), ...hColumns(g, st)],
    weight: (k, p, col) => {
      const i = st.map.logicalAt(p);
      if (i < 0) return 0;
      const row = k * H + i;
      return col < S ? (Win[row * S + col] as number) : (Wrec[row * H + col - S] as number);
    },
    bias: (k, p) => {
      const i = st.map.logicalAt(p);
      if (i < 0) return 0;
      return (bin === null ? 0 : (bin[k * H + i] as number)) + (k === 2 ? 1 : 0);
    },
    finish: (s, [zi, zig, zfg, zog]) => {
      const cNew = a.temp();
      a.base(c.ptr);
      a.base(c.ptr).v128Load(c.off + 16 * s).get(zfg as number);
      emitSigmoid(a);
      a.simd(Simd.f32x4_mul).get(zi as number);
      emitTanh(a);
      a.get(zig as number);
      emitSigmoid(a);
      a.simd(Simd.f32x4_mul).simd(Simd.f32x4_add).tee(cNew).v128Store(c.off + 16 * s);
      a.base(hNew.ptr).get(cNew);
      emitTanh(a);
      a.get(zog as number);
      emitSigmoid(a);
      a.simd(Simd.f32x4_mul).v128Store(hNew.off + 16 * s);
      a.release(cNew);
    },
  });
  copySlots(g, hNew, hBuf(g, st), st.map.np);
}

/**
 * torch nn.LSTM, gates [i | f | g | o] = W_ih x + b_ih + W_hh h + b_hh (ref/lstm.ts):
 *   c' = σ(f)·c + σ(i)·tanh(g),  h' = σ(o)·tanh(c').  The output is h'.
 */
export function emitLstm(g: Gen, s: LstmStage, x: Buf, y: Buf, st: CellState): void {
  const { a, lanes } = g;
  const H = s.units;
  const S = s.inSize;
  const hNew = makeBuf(g, st.map.np);
  const c = cBuf(g, st);
  emitFusedLinear(g, {
    slots: lanes.slots(H), heads: 4, sparse: true,
    segments: [segmentOf(x, S), ...hColumns(g, st)],
    weight: (k, p, col) => {
      if (p >= H) return 0;
      const row = k * H + p;
      return col < S ? (s.weightIh[row * S + col] as number) : (s.weightHh[row * H + col - S] as number);
    },
    bias: (k, p) => (p >= H ? 0 : (s.biasIh[k * H + p] as number) + (s.biasHh[k * H + p] as number)),
    finish: (slot, [gi, gf, gg, go]) => {
      const cNew = a.temp();
      a.base(c.ptr);
      a.get(gf as number);
      emitSigmoid(a);
      a.base(c.ptr).v128Load(c.off + 16 * slot).simd(Simd.f32x4_mul);
      a.get(gi as number);
      emitSigmoid(a);
      a.get(gg as number);
      emitTanh(a);
      a.simd(Simd.f32x4_mul).simd(Simd.f32x4_add).tee(cNew).v128Store(c.off + 16 * slot);
      a.base(hNew.ptr).get(go as number);
      emitSigmoid(a);
      a.get(cNew);
      emitTanh(a);
      a.simd(Simd.f32x4_mul).v128Store(hNew.off + 16 * slot);
      a.release(cNew);
    },
  });
  copySlots(g, hNew, hBuf(g, st), st.map.np);
  copySlots(g, hBuf(g, st), y, H);
}
