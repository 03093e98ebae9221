// The `f32` backend: float32 weights, state and buffers between stages; a fused, sparse-aware
// cell kernel. Feed-forward stages reuse the ref loops on float32 buffers (their cost is in the
// convolution arithmetic, not in the storage type).

import type { Model, Stage } from '../../models/types.ts';
import type { Policy } from '../policy.ts';
import { compilePipeline, makeFeedForwardOp, type MadeOp } from '../pipeline.ts';
import { makeLstmRefState, stepLstmRef } from '../ref/lstm.ts';
import { makeF32CfcState, resetF32Cfc, stepF32Cfc } from './cfc.ts';
import { makeF32LtcState, resetF32Ltc, stepF32Ltc } from './ltc.ts';

export function compileF32(model: Model): Policy {
  return compilePipeline(model, 'f32', (n) => new Float32Array(n), (s, x, y) => makeF32Op(s, x as Float32Array, y as Float32Array));
}

function makeF32Op(s: Stage, x: Float32Array, y: Float32Array): MadeOp {
  const ff = makeFeedForwardOp(s, x, y);
  if (ff !== null) return ff;
  switch (s.type) {
    case 'cfc': {
      const st = makeF32CfcState(s);
      return { op: (ts) => stepF32Cfc(s, st, x, ts, y), cell: { h: st.h, c: st.c, reset: () => resetF32Cfc(st) } };
    }
    case 'ltc': {
      const st = makeF32LtcState(s);
      return { op: (ts) => stepF32Ltc(s, st, x, ts, y), cell: { h: st.v, c: st.c, reset: () => resetF32Ltc(st) } };
    }
    case 'lstm': {
      // The LSTM baseline keeps float64 state (it is the comparison, not the product).
      const st = makeLstmRefState(s);
      return { op: () => stepLstmRef(s, st, x, 0, y, 0), cell: { h: st.h, c: st.c, reset: () => { st.h.fill(0); st.c.fill(0); } } };
    }
    default: throw new Error(`unreachable stage ${s.type}`);
  }
}
