// Fused affine maps y_k = W_k z + b_k for `heads` maps over the same input, one pass over z.
// Rows are packed per unit u = slot·heads + k, so the heads of one output slot sit together in a
// tile and `finish` sees them side by side (CfC: ff1, ff2, t_a, t_b; LSTM: four gates).
// The sum runs bias first, then the columns in order, as ref's `linear` does.

import { Simd } from './emit/opcodes.ts';
import type { Gen, Segment } from './gen.ts';
import { emitSweep } from './sweep.ts';

export interface FusedLinear {
  /** output slots */
  readonly slots: number;
  readonly heads: number;
  readonly segments: readonly Segment[];
  /** W_k[p][c] for the padded output position p (slot·P + lane); 0 for padding */
  weight(k: number, p: number, c: number): number;
  /** b_k[p], 0 for padding or no bias */
  bias(k: number, p: number): number;
  /**
   * Leave out all-zero (unit, column) pairs. False for weights the host may rewrite later
   * (the readout, for on-device adaptation): a zero there can become nonzero.
   */
  readonly sparse: boolean;
  /** consumes slot s's accumulators, one per head */
  finish(s: number, acc: readonly number[]): void;
}

/** Where a packed linear map lives, for hosts that rewrite it. */
export interface PackedLinear {
  /** [unit][column][P] floats */
  readonly weight: number;
  /** [unit][P] floats */
  readonly bias: number;
  readonly cols: number;
}

export function emitFusedLinear(g: Gen, L: FusedLinear): PackedLinear {
  const { a, lanes, plan } = g;
  const P = lanes.P;
  const cols = L.segments.reduce((n, s) => n + s.count, 0);
  const units = L.slots * L.heads;
  const W = new Float32Array(units * cols * P);
  const B = new Float32Array(units * P);
  for (let s = 0; s < L.slots; s++) {
    for (let k = 0; k < L.heads; k++) {
      const u = s * L.heads + k;
      for (let lane = 0; lane < P; lane++) {
        const p = s * P + lane;
        B[u * P + lane] = L.bias(k, p);
        for (let c = 0; c < cols; c++) W[(u * cols + c) * P + lane] = L.weight(k, p, c);
      }
    }
  }
  const wAt = plan.constant(W);
  const bAt = plan.constant(B);
  emitSweep(g, {
    units, group: L.heads, accs: 1, segments: L.segments, matrices: [wAt], unroll: false,
    live: (u, c) => {
      if (!L.sparse) return true;
      for (let lane = 0; lane < P; lane++) if (W[(u * cols + c) * P + lane] !== 0) return true;
      return false;
    },
    init: (u, [acc]) => {
      lanes.loadUniform(a, null, bAt + u * lanes.uniformBytes);
      a.set(acc as number);
    },
    term: (_u, [acc], x, load) => {
      a.get(acc as number);
      load(0);
      a.get(x).simd(Simd.f32x4_mul).simd(Simd.f32x4_add).set(acc as number);
    },
    finish: (first, acc) => L.finish(first / L.heads, acc),
  });
  return { weight: wAt, bias: bAt, cols };
}
