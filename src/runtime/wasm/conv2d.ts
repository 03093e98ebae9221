// conv2d over a CHW tensor: one fused linear per output pixel, its columns the kh·kw patch of
// every input channel and its rows the output channels. The pixel loops run in wasm; the patch
// is unrolled with constant offsets from a running input pointer. Zero padding is made real
// once per step (the interior copied into a zeroed buffer whose border is never written), so
// the patch never needs a bounds check.

import type { Conv2dStage } from '../../models/types.ts';
import { I32 } from './emit/opcodes.ts';
import { makeBuf, type Buf, type Gen, type Segment } from './gen.ts';
import { emitFusedLinear } from './linear.ts';

export function emitConv2d(g: Gen, s: Conv2dStage, x: Buf, y: Buf): void {
  const { a, lanes } = g;
  const E = lanes.E;
  const [C, H, W] = s.inShape;
  const [K, Ho, Wo] = s.outShape;
  const [kh, kw] = s.kernel;
  const [sh, sw] = s.stride;
  const [ph, pw] = s.padding;
  if (x.ptr !== null || y.ptr !== null) throw new Error('conv2d buffers are absolute');
  const Hp = H + 2 * ph;
  const Wp = W + 2 * pw;
  let src = x;
  if (ph > 0 || pw > 0) {
    src = makeBuf(g, C * Hp * Wp);
    const d = a.temp(I32);
    const r = a.temp(I32);
    for (let c = 0; c < C; c++) {
      a.i32(src.off + ((c * Hp + ph) * Wp + pw) * E).set(d);
      a.i32(x.off + c * H * W * E).set(r);
      a.repeat(H, () => {
        a.get(d).get(r).i32(W * E).memoryCopy();
        a.bump(d, Wp * E).bump(r, W * E);
      });
    }
    a.release(d, r);
  }
  const patch = C * kh * kw;
  const row = a.temp(I32);
  const xp = a.temp(I32);
  const yq = a.temp(I32);
  const segments: Segment[] = [];
  for (let c = 0; c < C; c++) for (let dy = 0; dy < kh; dy++) segments.push({ ptr: xp, off: (c * Hp + dy) * Wp * E, count: kw });
  const plane = Ho * Wo;
  a.i32(src.off).set(row).i32(y.off).set(yq);
  a.repeat(Ho, () => {
    a.get(row).set(xp);
    a.repeat(Wo, () => {
      emitFusedLinear(g, {
        slots: lanes.slots(K), heads: 1, segments, sparse: true,
        weight: (_k, p, c) => (p < K ? (s.weight[p * patch + c] as number) : 0),
        bias: (_k, p) => (p < K && s.bias !== null ? (s.bias[p] as number) : 0),
        finish: (slot, [acc]) => {
          if (lanes.P === 1) {
            a.get(yq).get(acc as number).v128Store(slot * plane * E);
            return;
          }
          // single: the 4 channels of a slot are a plane apart in CHW
          for (let lane = 0; lane < 4 && slot * 4 + lane < K; lane++) {
            a.get(yq).get(acc as number).extractLane(lane).f32Store((slot * 4 + lane) * plane * E);
          }
        },
      });
      a.bump(xp, sw * E).bump(yq, E);
    });
    a.bump(row, sh * Wp * E);
  });
  a.release(row, xp, yq);
}
