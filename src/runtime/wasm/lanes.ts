// The two layouts one code generator targets. Every value the kernels touch is a v128 "slot"
// of four f32 lanes; what the lanes hold depends on the layout:
//
//   single  one agent; a slot holds 4 consecutive elements of a vector (neurons 4s .. 4s+3).
//           Matvec is column-broadcast: acc[group] += W[group][c] (v128) · splat(x[c]).
//   batch   a block of 4 agents; a slot holds one element for each of the 4 agents.
//           Matvec is agent-parallel: acc[row] += splat(W[row][c]) · x[c] (v128).
//
// In both, a "unit" of output is one slot, and the operation per (unit, column) is the same
// v128 multiply-add; only which operand is broadcast changes. So a stage is generated once,
// against this interface, and the batch kernel computes for each agent exactly what the
// single kernel computes (same operations in the same order, lane by lane; where the two skip
// different all-zero terms, a skipped term would have added an exact zero, so for finite inputs
// the values agree bit for bit, as test/wasm.test.ts checks).
//
// Vectors are padded to P elements (4 single, 1 batch) per segment so that slots never straddle
// two segments; padding lanes carry harmless values that no logical element ever reads.

import type { FunctionBody } from './emit/code.ts';

export type LaneKind = 'single' | 'batch';

export class Lanes {
  readonly kind: LaneKind;
  /** elements of one vector per slot */
  readonly P: 1 | 4;
  /** bytes between consecutive elements of a vector in a buffer */
  readonly E: 4 | 16;

  constructor(kind: LaneKind) {
    this.kind = kind;
    this.P = kind === 'single' ? 4 : 1;
    this.E = kind === 'single' ? 4 : 16;
  }

  /** n rounded up to whole slots, in elements */
  padded(n: number): number {
    return Math.ceil(n / this.P) * this.P;
  }

  slots(n: number): number {
    return Math.ceil(n / this.P);
  }

  /** bytes of a buffer holding an n-element vector */
  bytes(n: number): number {
    return this.slots(n) * 16;
  }

  /** bytes of one unit's entry in a packed parameter array (P floats) */
  get uniformBytes(): number {
    return this.P * 4;
  }

  /** Pushes element x[e] as every lane needs it: splat (single) or the agents' slot (batch). */
  loadElement(a: FunctionBody, ptr: number | null, off: number): void {
    a.base(ptr);
    if (this.kind === 'single') a.v128Load32Splat(off);
    else a.v128Load(off);
  }

  /** Pushes a packed parameter entry: 4 neurons' values (single) or one value splat (batch). */
  loadUniform(a: FunctionBody, ptr: number | null, off: number): void {
    a.base(ptr);
    if (this.kind === 'single') a.v128Load(off);
    else a.v128Load32Splat(off);
  }
}

/**
 * Where the padded positions of a segmented vector sit: segment k's logical elements come
 * after the previous segments padded to whole slots. A CfC state is [inter | command | motor].
 */
export class PaddedMap {
  /** padded length, in elements */
  readonly np: number;
  /** logical size */
  readonly n: number;
  /** padded start of each segment */
  readonly starts: readonly number[];
  private readonly toPad: Int32Array;
  private readonly toLogical: Int32Array;

  constructor(lanes: Lanes, segments: readonly number[]) {
    const starts: number[] = [];
    let np = 0;
    let n = 0;
    for (const len of segments) { starts.push(np); np += lanes.padded(len); n += len; }
    this.np = np;
    this.n = n;
    this.starts = starts;
    this.toPad = new Int32Array(n);
    this.toLogical = new Int32Array(np).fill(-1);
    let i = 0;
    segments.forEach((len, k) => {
      for (let j = 0; j < len; j++, i++) {
        const p = (starts[k] as number) + j;
        this.toPad[i] = p;
        this.toLogical[p] = i;
      }
    });
  }

  padOf(i: number): number {
    return this.toPad[i] as number;
  }

  /** the logical element at padded position p, or −1 for padding */
  logicalAt(p: number): number {
    return p < this.np ? (this.toLogical[p] as number) : -1;
  }
}
