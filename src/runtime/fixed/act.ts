// Element-wise activations on int16 tensors (docs/fixed-point.md §5.3). The output format is a
// function of the function and the input format:
//   none, relu           out = in
//   sigmoid, tanh        in → Q3.12 (rounding shift, saturating) → table → Q0.15
//   lecun_tanh           1.7159·tanh(0.666·x): in → Q3.12 by (m0, sh0) = 0.666·2^(12−in),
//                        tanh table → Q0.15, × 1.7159 by (m1, sh1) → Q1.14
//   silu, gelu           s = σ or Φ of (in → Q3.12) in Q0.15;  y = rshr(x·s, 15),  out = in

import type { Activation } from '../../models/types.ts';
import { phiQ, pow2, rq, rshr, sat16, sigmoidQ, tanhQ, toMultiplier } from './arith.ts';

export const LECUN_INNER = 0.666;
export const LECUN_OUTER = 1.7159;
export const FRAC_Q015 = 15;
export const FRAC_Q114 = 14;

export interface QAct {
  readonly fn: Activation;
  readonly inFrac: number;
  readonly outFrac: number;
  /** shift from the input format to Q3.12 (right when > 0) */
  readonly toQ312: number;
  /** lecun_tanh only: 0.666·2^(12−in) and 1.7159/2 as multipliers; 0 otherwise */
  readonly m0: number;
  readonly sh0: number;
  readonly m1: number;
  readonly sh1: number;
}

export function prepareAct(fn: Activation, inFrac: number): QAct {
  let outFrac = inFrac;
  if (fn === 'sigmoid' || fn === 'tanh') outFrac = FRAC_Q015;
  if (fn === 'lecun_tanh') outFrac = FRAC_Q114;
  const [m0, sh0] = fn === 'lecun_tanh' ? toMultiplier(LECUN_INNER * pow2(12 - inFrac)) : [0, 0];
  const [m1, sh1] = fn === 'lecun_tanh' ? toMultiplier(LECUN_OUTER * pow2(FRAC_Q114 - FRAC_Q015)) : [0, 0];
  return { fn, inFrac, outFrac, toQ312: inFrac - 12, m0, sh0, m1, sh1 };
}

/** In place over a[off .. off+n). */
export function applyAct(A: QAct, a: Int32Array, off: number, n: number): void {
  const end = off + n;
  const s = A.toQ312;
  switch (A.fn) {
    case 'none': return;
    case 'relu':
      for (let i = off; i < end; i++) if ((a[i] as number) < 0) a[i] = 0;
      return;
    case 'sigmoid':
      for (let i = off; i < end; i++) a[i] = sigmoidQ(sat16(rshr(a[i] as number, s)));
      return;
    case 'tanh':
      for (let i = off; i < end; i++) a[i] = tanhQ(sat16(rshr(a[i] as number, s)));
      return;
    case 'lecun_tanh':
      for (let i = off; i < end; i++) {
        const t = tanhQ(sat16(rq(a[i] as number, A.m0, A.sh0)));
        a[i] = sat16(rq(t, A.m1, A.sh1));
      }
      return;
    case 'silu':
      for (let i = off; i < end; i++) {
        const x = a[i] as number;
        a[i] = rshr(x * sigmoidQ(sat16(rshr(x, s))), 15);
      }
      return;
    case 'gelu':
      for (let i = off; i < end; i++) {
        const x = a[i] as number;
        a[i] = rshr(x * phiQ(sat16(rshr(x, s))), 15);
      }
      return;
  }
}

export function actJson(A: QAct): Record<string, unknown> {
  return { fn: A.fn, inFrac: A.inFrac, outFrac: A.outFrac, m0: A.m0, sh0: A.sh0, m1: A.m1, sh1: A.sh1 };
}
