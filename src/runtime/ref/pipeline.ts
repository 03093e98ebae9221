// The `ref` backend: the model's stages in float64, plain loops, the readable definition.

import type { Model, Stage } from '../../models/types.ts';
import type { Policy } from '../policy.ts';
import { compilePipeline, makeFeedForwardOp, type MadeOp } from '../pipeline.ts';
import { makeCfcRefState, resetCfcRef, stepCfcRef } from './cfc.ts';
import { makeLtcRefState, resetLtcRef, stepLtcRef } from './ltc.ts';
import { makeLstmRefState, resetLstmRef, stepLstmRef } from './lstm.ts';

export function compileRef(model: Model): Policy {
  return compilePipeline(model, 'ref', (n) => new Float64Array(n), (s, x, y) => makeRefOp(s, x as Float64Array, y as Float64Array));
}

function makeRefOp(s: Stage, x: Float64Array, y: Float64Array): MadeOp {
  const ff = makeFeedForwardOp(s, x, y);
  if (ff !== null) return ff;
  switch (s.type) {
    case 'cfc': {
      const st = makeCfcRefState(s);
      return { op: (ts) => stepCfcRef(s, st, x, 0, ts, y, 0), cell: { h: st.h, c: st.c, reset: () => resetCfcRef(st) } };
    }
    case 'ltc': {
      const st = makeLtcRefState(s);
      return { op: (ts) => stepLtcRef(s, st, x, 0, ts, y, 0), cell: { h: st.v, c: st.c, reset: () => resetLtcRef(st) } };
    }
    case 'lstm': {
      const st = makeLstmRefState(s);
      return { op: () => stepLstmRef(s, st, x, 0, y, 0), cell: { h: st.h, c: st.c, reset: () => resetLstmRef(st) } };
    }
    default: throw new Error(`unreachable stage ${s.type}`);
  }
}
