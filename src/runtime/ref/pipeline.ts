// The `ref` backend: the model's stages run in float64 through buffers allocated once at compile
// time. Each stage becomes a closure over its buffers, so a step is a loop of calls and allocates
// nothing.

import { cellStateSizes, stageOutSize, type Model, type Stage } from '../../models/types.ts';
import type { FloatArray, Policy } from '../policy.ts';
import { activateInPlace } from '../activations.ts';
import { makeCfcRefState, resetCfcRef, stepCfcRef } from './cfc.ts';
import { makeLtcRefState, resetLtcRef, stepLtcRef } from './ltc.ts';
import { makeLstmRefState, resetLstmRef, stepLstmRef } from './lstm.ts';
import { clampRef, conv2dRef, denseRef, normaliseRef, readoutRef } from './feedforward.ts';

type Op = (ts: number) => void;

interface CellHandle {
  readonly h: Float64Array;
  readonly c: Float64Array | null;
  readonly reset: () => void;
}

export function compileRef(model: Model): Policy {
  const widths = [model.inputSize, ...model.stages.map(stageOutSize)];
  const bufs = widths.map((n) => new Float64Array(n));
  let cell: CellHandle | null = null;
  const ops: Op[] = model.stages.map((s, i) => {
    const made = makeOp(s, bufs[i] as Float64Array, bufs[i + 1] as Float64Array);
    if (made.cell !== null) cell = made.cell;
    return made.op;
  });
  const input = bufs[0] as Float64Array;
  const output = bufs[bufs.length - 1] as Float64Array;
  const sizes = model.cellIndex >= 0 ? cellStateSizes(model.stages[model.cellIndex] as never) : { h: 0, c: 0 };
  const handle = cell as CellHandle | null;

  const step = (x: FloatArray, dtS: number, out: FloatArray): void => {
    for (let i = 0; i < input.length; i++) input[i] = x[i] as number;
    for (let i = 0; i < ops.length; i++) (ops[i] as Op)(dtS);
    for (let i = 0; i < output.length; i++) out[i] = output[i] as number;
  };

  return {
    backend: 'ref',
    model,
    inputSize: model.inputSize,
    outputSize: model.outputSize,
    stateSize: sizes.h,
    cellStateSize: sizes.c,
    step,
    reset: () => handle?.reset(),
    getState(h, c) {
      if (handle === null) return;
      for (let i = 0; i < handle.h.length; i++) h[i] = handle.h[i] as number;
      if (c !== undefined && handle.c !== null) for (let i = 0; i < handle.c.length; i++) c[i] = handle.c[i] as number;
    },
    setState(h, c) {
      if (handle === null) return;
      for (let i = 0; i < handle.h.length; i++) handle.h[i] = h[i] as number;
      if (handle.c !== null) for (let i = 0; i < handle.c.length; i++) handle.c[i] = c === undefined ? 0 : (c[i] as number);
    },
    runSequence(inputs, steps, dtS, outputs) {
      const I = model.inputSize;
      const O = model.outputSize;
      for (let t = 0; t < steps; t++) {
        for (let i = 0; i < I; i++) input[i] = inputs[t * I + i] as number;
        const ts = typeof dtS === 'number' ? dtS : (dtS[t] as number);
        for (let i = 0; i < ops.length; i++) (ops[i] as Op)(ts);
        for (let i = 0; i < O; i++) outputs[t * O + i] = output[i] as number;
      }
    },
  };
}

function makeOp(s: Stage, x: Float64Array, y: Float64Array): { op: Op; cell: CellHandle | null } {
  switch (s.type) {
    case 'normalise': return { op: () => normaliseRef(s, x, y), cell: null };
    case 'conv2d': return { op: () => conv2dRef(s, x, y), cell: null };
    case 'activation': return { op: () => { y.set(x); activateInPlace(s.fn, y, 0, s.size); }, cell: null };
    case 'flatten': return { op: () => y.set(x), cell: null };
    case 'dense': return { op: () => denseRef(s, x, y), cell: null };
    case 'readout': return { op: () => readoutRef(s, x, y), cell: null };
    case 'clamp': return { op: () => clampRef(s, x, y), cell: null };
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
  }
}
