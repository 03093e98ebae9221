// What every stage generator works with: the function being written, the layout, the memory
// plan, and the few locals shared by all stages.

import type { FunctionBody } from './emit/code.ts';
import type { Lanes } from './lanes.ts';
import type { MemoryPlan } from './memory-plan.ts';

export interface Gen {
  readonly a: FunctionBody;
  readonly lanes: Lanes;
  readonly plan: MemoryPlan;
  /** i32 local: the base address of the current agent block's state */
  readonly sp: number;
  /** v128 local: this step's Δt in seconds, per lane (one agent's in every lane when single) */
  readonly ts: number;
  /** a sweep that may unroll (LTC synapses) loops instead beyond this many live (unit, column) pairs */
  readonly unrollPairs: number;
  /** accumulators kept in locals at once (x86-64 has 16 vector registers) */
  readonly maxAccs: number;
}

/**
 * A vector in memory: element at padded position p sits at (ptr or 0) + off + p·E, slot s at
 * (ptr or 0) + off + 16·s. `ptr` is a local (the state base) or null for an absolute address.
 */
export interface Buf {
  readonly ptr: number | null;
  readonly off: number;
  /** logical length */
  readonly n: number;
}

/** A run of consecutive vector elements read as matvec columns. */
export interface Segment {
  readonly ptr: number | null;
  /** byte offset of the first element */
  readonly off: number;
  readonly count: number;
}

export function segmentOf(b: Buf, count: number = b.n): Segment {
  return { ptr: b.ptr, off: b.off, count };
}

/** A fresh absolute buffer for an n-element vector. */
export function makeBuf(g: Gen, n: number): Buf {
  return { ptr: null, off: g.plan.alloc(g.lanes.bytes(n)), n };
}
