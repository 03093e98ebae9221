// What the sequence engine needs from a recurrent cell on the tape, and the per-sequence state
// storage the three cells share. States start at zero (ncps's default when no hx is given).

import type { Stage } from '../models/types.ts';

export interface CellTape {
  /**
   * x (B·T, in) → y (B·T, out), keeping what backward needs; row n = b·T + t. Sequences start
   * from h0/c0 (B, units) when given, else from zeros.
   */
  forward(x: Float64Array, dts: Float64Array, y: Float64Array, h0: Float64Array | null, c0: Float64Array | null): void;
  /**
   * After forward on the same x and dts: accumulates parameter gradients into g (the stage's
   * gradient twin) and overwrites dx (B·T, in) with ∂L/∂x when dx is not null. Gradients do not
   * cross from step t into step t−1 when t is a multiple of `truncate` (0: full BPTT).
   */
  backward(g: Stage, x: Float64Array, dts: Float64Array, dy: Float64Array, dx: Float64Array | null, truncate: number): void;
}

/** Hidden (and LSTM cell) states of every step of every sequence, plus the backward carries. */
export class SeqStates {
  /** (B, T+1, units): h[b, 0] = 0, h[b, t+1] = state after step t */
  readonly h: Float64Array;
  /** same for the cell state c, when the cell has one */
  readonly c: Float64Array;
  /** (units) ∂L/∂h and ∂L/∂c carried backwards in time */
  readonly dh: Float64Array;
  readonly dc: Float64Array | null;

  constructor(readonly B: number, readonly T: number, readonly units: number, hasC: boolean) {
    this.h = new Float64Array(B * (T + 1) * units);
    this.c = new Float64Array(hasC ? B * (T + 1) * units : 0);
    this.dh = new Float64Array(units);
    this.dc = hasC ? new Float64Array(units) : null;
  }

  /** Sets h[b, 0] (and c[b, 0]) of every sequence: the given states, or zeros. */
  start(h0: Float64Array | null, c0: Float64Array | null): void {
    const U = this.units;
    for (let b = 0; b < this.B; b++) {
      const o = this.hAt(b, 0);
      for (let i = 0; i < U; i++) this.h[o + i] = h0 === null ? 0 : (h0[b * U + i] as number);
      if (this.c.length > 0) for (let i = 0; i < U; i++) this.c[o + i] = c0 === null ? 0 : (c0[b * U + i] as number);
    }
  }

  /** offset of h[b, t] (and c[b, t]) */
  hAt(b: number, t: number): number {
    return (b * (this.T + 1) + t) * this.units;
  }

  cAt(b: number, t: number): number {
    return (b * (this.T + 1) + t) * this.units;
  }
}
