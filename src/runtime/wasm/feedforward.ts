// The feed-forward stages: normalise, activation, dense, readout, clamp (lane-wise or one fused
// linear each). conv2d lives in conv2d.ts; flatten is no code at all (the program aliases its
// buffer, CHW being contiguous already).

import type {
  Activation, ActivationStage, ClampStage, DenseStage, Linear, NormaliseStage, ReadoutStage,
} from '../../models/types.ts';
import { Simd } from './emit/opcodes.ts';
import { segmentOf, type Buf, type Gen, type Segment } from './gen.ts';
import { emitFusedLinear, type PackedLinear } from './linear.ts';
import { forSlots, packVector } from './slots.ts';
import { emitActivation } from './vmath.ts';

export function emitNormalise(g: Gen, s: NormaliseStage, x: Buf, y: Buf): void {
  const np = g.lanes.padded(s.size);
  const mean = packVector(g, np, (p) => (p < s.size ? (s.mean[p] as number) : 0));
  const std = packVector(g, np, (p) => (p < s.size ? (s.std[p] as number) : 1));
  forSlots(g, g.lanes.slots(s.size), (at) => at.store(y, () => {
    at.load(x);
    at.param(mean);
    g.a.simd(Simd.f32x4_sub);
    at.param(std);
    g.a.simd(Simd.f32x4_div);
  }));
}

export function emitActivationStage(g: Gen, s: ActivationStage, x: Buf, y: Buf): void {
  forSlots(g, g.lanes.slots(s.size), (at) => at.store(y, () => {
    at.load(x);
    emitActivation(g.a, s.fn);
  }));
}

/** NaN goes to 0 first, then min(max) as ref's clampRef: u > hi ? hi : u >= lo ? u : lo. */
export function emitClamp(g: Gen, s: ClampStage, x: Buf, y: Buf): void {
  const { a } = g;
  const np = g.lanes.padded(s.size);
  const lo = packVector(g, np, (p) => (p < s.size ? (s.min[p] as number) : 0));
  const hi = packVector(g, np, (p) => (p < s.size ? (s.max[p] as number) : 0));
  const v = a.temp();
  forSlots(g, g.lanes.slots(s.size), (at) => at.store(y, () => {
    at.load(x);
    a.tee(v).get(v).simd(Simd.f32x4_eq).get(v).simd(Simd.v128_and); // NaN lanes → +0
    at.param(hi);
    a.simd(Simd.f32x4_pmin); // hi < u ? hi : u
    at.param(lo);
    a.simd(Simd.f32x4_pmax); // u < lo ? lo : u
  }));
  a.release(v);
}

/** y = act(W z + b), z the concatenation of the column segments (a plain vector, or [x ; h]). */
export function emitLinearStage(
  g: Gen, l: Linear, act: Activation, sparse: boolean, z: readonly Segment[], y: Buf,
): PackedLinear {
  const { a } = g;
  const n = l.inSize;
  return emitFusedLinear(g, {
    slots: g.lanes.slots(l.outSize), heads: 1, segments: z, sparse,
    weight: (_k, p, c) => (p < l.outSize ? (l.weight[p * n + c] as number) : 0),
    bias: (_k, p) => (p < l.outSize && l.bias !== null ? (l.bias[p] as number) : 0),
    finish: (s, [acc]) => {
      a.base(y.ptr).get(acc as number);
      emitActivation(a, act);
      a.v128Store(y.off + 16 * s);
    },
  });
}

export function emitDense(g: Gen, s: DenseStage, x: Buf, y: Buf): void {
  emitLinearStage(g, s, s.activation, true, [segmentOf(x, s.inSize)], y);
}

/** The readout keeps its zero weights in the loop: on-device adaptation may make them nonzero. */
export function emitReadout(g: Gen, s: ReadoutStage, x: Buf, y: Buf): PackedLinear {
  return emitLinearStage(g, s, 'none', false, [segmentOf(x, s.inSize)], y);
}
