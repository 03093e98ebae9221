// Lane-wise work over the slots of vectors: normalise, activations, clamps, gate arithmetic,
// copies. Short runs are unrolled with constant addresses; long ones (camera-sized vectors)
// become a loop with two running byte counters: one over buffer slots (16 bytes a step), one
// over packed parameters (P floats a step).

import { I32, Op } from './emit/opcodes.ts';
import type { Buf, Gen } from './gen.ts';

const UNROLL_SLOTS = 32;

export interface SlotAt {
  /** pushes slot s of a buffer */
  load(b: Buf): void;
  /** stores the v128 that `value` pushes into slot s of a buffer */
  store(b: Buf, value: () => void): void;
  /** pushes slot s of a packed parameter vector (padded, P floats per slot) */
  param(base: number): void;
}

export function forSlots(g: Gen, n: number, body: (at: SlotAt) => void): void {
  const { a, lanes } = g;
  if (n <= 0) return;
  if (n <= UNROLL_SLOTS) {
    for (let s = 0; s < n; s++) {
      body({
        load: (b) => { a.base(b.ptr).v128Load(b.off + 16 * s); },
        store: (b, value) => { a.base(b.ptr); value(); a.v128Store(b.off + 16 * s); },
        param: (base) => lanes.loadUniform(a, null, base + s * lanes.uniformBytes),
      });
    }
    return;
  }
  const k = a.temp(I32);
  const q = a.temp(I32);
  const addr = (b: Buf): void => {
    if (b.ptr === null) a.get(k);
    else a.get(b.ptr).get(k).op(Op.i32_add);
  };
  a.i32(0).set(k).i32(0).set(q);
  a.repeat(n, () => {
    body({
      load: (b) => { addr(b); a.v128Load(b.off); },
      store: (b, value) => { addr(b); value(); a.v128Store(b.off); },
      param: (base) => lanes.loadUniform(a, q, base),
    });
    a.bump(k, 16).bump(q, lanes.uniformBytes);
  });
  a.release(k, q);
}

/** dst[s] = src[s] for the slots of an n-element vector. */
export function copySlots(g: Gen, src: Buf, dst: Buf, n: number): void {
  forSlots(g, g.lanes.slots(n), (at) => at.store(dst, () => at.load(src)));
}

/** A packed parameter vector over padded positions 0 .. np−1 (value(p) decides padding too). */
export function packVector(g: Gen, np: number, value: (p: number) => number): number {
  const v = new Float32Array(Math.ceil(np / g.lanes.P) * g.lanes.P);
  for (let p = 0; p < np; p++) v[p] = value(p);
  return g.plan.constant(v);
}
