// A policy from a model's stages for the JS backends: buffers between stages are allocated once at
// compile time, each stage becomes a closure over its buffers, and a step is a loop of calls, so
// it allocates nothing. Backends differ only in their buffer type and stage kernels.

import { cellStateSizes, stageOutSize, type CellStage, type Model, type Stage } from '../models/types.ts';
import type { ConcreteBackend, FloatArray, Policy } from './policy.ts';
import { activateInPlace } from './activations.ts';
import { clampRef, conv2dRef, denseRef, normaliseRef, readoutRef } from './ref/feedforward.ts';

export type Op = (ts: number) => void;

/** The state of a recurrent stage, exposed for getState/setState/reset. */
export interface CellHandle {
  readonly h: FloatArray;
  readonly c: FloatArray | null;
  readonly reset: () => void;
}

export interface MadeOp {
  readonly op: Op;
  readonly cell: CellHandle | null;
}

export type MakeOp = (s: Stage, x: FloatArray, y: FloatArray) => MadeOp;

export function compilePipeline(
  model: Model, backend: ConcreteBackend, makeBuf: (n: number) => FloatArray, makeOp: MakeOp,
): Policy {
  const widths = [model.inputSize, ...model.stages.map(stageOutSize)];
  const bufs = widths.map(makeBuf);
  let cell: CellHandle | null = null;
  const ops: Op[] = model.stages.map((s, i) => {
    const made = makeOp(s, bufs[i] as FloatArray, bufs[i + 1] as FloatArray);
    if (made.cell !== null) cell = made.cell;
    return made.op;
  });
  const input = bufs[0] as FloatArray;
  const output = bufs[bufs.length - 1] as FloatArray;
  const sizes = model.cellIndex >= 0 ? cellStateSizes(model.stages[model.cellIndex] as CellStage) : { h: 0, c: 0 };
  const handle = cell as CellHandle | null;
  const I = model.inputSize;
  const O = model.outputSize;

  const step = (x: FloatArray, dtS: number, out: FloatArray): void => {
    for (let i = 0; i < I; i++) input[i] = x[i] as number;
    for (let i = 0; i < ops.length; i++) (ops[i] as Op)(dtS);
    for (let i = 0; i < O; i++) out[i] = output[i] as number;
  };

  return {
    backend, model, inputSize: I, outputSize: O, stateSize: sizes.h, cellStateSize: sizes.c,
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
      for (let t = 0; t < steps; t++) {
        for (let i = 0; i < I; i++) input[i] = inputs[t * I + i] as number;
        const ts = typeof dtS === 'number' ? dtS : (dtS[t] as number);
        for (let i = 0; i < ops.length; i++) (ops[i] as Op)(ts);
        for (let i = 0; i < O; i++) outputs[t * O + i] = output[i] as number;
      }
    },
  };
}

/**
 * The feed-forward stages as the JS backends run them (ref loops on the backend's buffers); null
 * for the recurrent cells, which each backend builds itself.
 */
export function makeFeedForwardOp(s: Stage, x: FloatArray, y: FloatArray): MadeOp | null {
  switch (s.type) {
    case 'normalise': return { op: () => normaliseRef(s, x, y), cell: null };
    case 'conv2d': return { op: () => conv2dRef(s, x, y), cell: null };
    case 'activation': return { op: () => { y.set(x); activateInPlace(s.fn, y, 0, s.size); }, cell: null };
    case 'flatten': return { op: () => y.set(x), cell: null };
    case 'dense': return { op: () => denseRef(s, x, y), cell: null };
    case 'readout': return { op: () => readoutRef(s, x, y), cell: null };
    case 'clamp': return { op: () => clampRef(s, x, y), cell: null };
    default: return null;
  }
}
