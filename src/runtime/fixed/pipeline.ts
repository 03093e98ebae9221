// The fixed policy: a model's stages as integer kernels over int16 buffers (held in Int32Array),
// formats fixed at compile time from the model's quantisation parameters. Floats appear only at
// the edges: `step` quantises the input and Δt, runs the integer step, and dequantises the output
// (docs/fixed-point.md §6). `stepInt` is the integer step itself, what the firmware runs.

import type { QuantParams, StageQuant } from '../../models/quantize/params.ts';
import { cellStateSizes, stageOutSize, type CellStage, type Model, type Stage } from '../../models/types.ts';
import type { FloatArray, Policy } from '../policy.ts';
import { pow2, sat16 } from './arith.ts';
import { cfcOp } from './cfc.ts';
import { activationOp, clampOp, conv2dOp, denseOp, flattenOp, normaliseOp, readoutOp } from './feedforward.ts';
import { lstmOp } from './lstm.ts';
import { ltcOp } from './ltc.ts';
import type { FixedCell, FixedContext, FixedOp } from './op.ts';
import { TABLE_CHECKSUMS } from './tables.ts';

/** Δt is carried as Q4.12 in units of the nominal step: 4096 = one nominal step, max 32767 (≈ 8). */
export const TS_ONE = 4096;
export const TS_MAX = 32767;

export interface FixedPolicy extends Policy {
  readonly backend: 'fixed';
  readonly quant: QuantParams;
  /** fractional bits of each input feature and each output */
  readonly inputFrac: Int32Array;
  readonly outputFrac: Int32Array;
  /** formats of the hidden state h and of the LSTM cell state c (0 without one) */
  readonly stateFrac: number;
  readonly cellStateFrac: number;
  /** the live integer state (read it, do not write it: use setStateInt) */
  readonly stateQ: Int32Array;
  readonly cellStateQ: Int32Array | null;
  /** float input → int16 in the input formats: sat16(floor(x·2^f + 1/2)), NaN → 0 */
  quantizeInput(x: FloatArray, xq: Int32Array): void;
  /** Δt in seconds → tsQ: clamp(floor(dt·4096/dtNominalS + 1/2), 0, 32767), NaN → 0 */
  quantizeDt(dtS: number): number;
  /** The integer step: reads inputSize int16 values, writes outputSize int16 values. Allocates nothing. */
  stepInt(xq: ArrayLike<number>, tsQ: number, yq: Int32Array): void;
  dequantizeOutput(yq: ArrayLike<number>, y: FloatArray): void;
  setStateInt(h: ArrayLike<number>, c?: ArrayLike<number>): void;
  /** every integer parameter of every stage (docs/fixed-point.md §8) */
  describe(): Record<string, unknown>;
}

function makeOp(s: Stage, f: Int32Array, q: StageQuant, ctx: FixedContext, x: Int32Array, y: Int32Array): FixedOp {
  switch (s.type) {
    case 'normalise': return normaliseOp(s, f, q.out as number, x, y);
    case 'conv2d': return conv2dOp(s, f, q.out as number, ctx, x, y);
    case 'activation': return activationOp(s, f, x, y);
    case 'flatten': return flattenOp(s.size, f, x, y);
    case 'dense': return denseOp(s, f, q.pre as number, ctx, x, y);
    case 'readout': return readoutOp(s, f, q.out as number, ctx, x, y);
    case 'clamp': return clampOp(s, f, x, y);
    case 'cfc': return cfcOp(s, f, q, ctx, x, y);
    case 'ltc': return ltcOp(s, f, q, ctx, x, y);
    case 'lstm': return lstmOp(s, f, q.c as number, ctx, x, y);
  }
}

export function compileFixed(model: Model, quant: QuantParams): FixedPolicy {
  const widths = [model.inputSize, ...model.stages.map(stageOutSize)];
  const bufs = widths.map((n) => new Int32Array(n));
  const input = bufs[0] as Int32Array;
  const output = bufs[bufs.length - 1] as Int32Array;
  const inputFrac = Int32Array.from(quant.input);
  let frac: Int32Array = inputFrac;
  let cell: FixedCell | null = null;
  const ctx: FixedContext = { dtNom: quant.dtNominalS, weightBits: quant.weightBits };
  const ops: FixedOp[] = model.stages.map((s, i) => {
    const op = makeOp(s, frac, quant.stages[i] as StageQuant, ctx, bufs[i] as Int32Array, bufs[i + 1] as Int32Array);
    if (op.cell !== null) cell = op.cell;
    frac = op.outFrac;
    return op;
  });
  const outputFrac = frac;
  const runs = ops.map((o) => o.run);
  const nOps = runs.length;
  const I = model.inputSize;
  const O = model.outputSize;
  const sizes = model.cellIndex >= 0 ? cellStateSizes(model.stages[model.cellIndex] as CellStage) : { h: 0, c: 0 };
  const handle = cell as FixedCell | null;
  const inScale = Float64Array.from(inputFrac, (f) => pow2(f));
  const outScale = Float64Array.from(outputFrac, (f) => pow2(-f));
  const hScale = handle === null ? 1 : pow2(handle.hFrac);
  const cScale = handle === null ? 1 : pow2(handle.cFrac);
  const tsScale = TS_ONE / quant.dtNominalS;

  const quantizeInput = (x: FloatArray, xq: Int32Array): void => {
    for (let i = 0; i < I; i++) {
      const v = Math.floor((x[i] as number) * (inScale[i] as number) + 0.5);
      xq[i] = v !== v ? 0 : sat16(v);
    }
  };
  const quantizeDt = (dtS: number): number => {
    const v = Math.floor(dtS * tsScale + 0.5);
    return v > TS_MAX ? TS_MAX : v >= 0 ? v : 0;
  };
  const runAll = (tsQ: number): void => {
    for (let k = 0; k < nOps; k++) (runs[k] as (t: number) => void)(tsQ);
  };
  const dequantizeOutput = (yq: ArrayLike<number>, y: FloatArray): void => {
    for (let i = 0; i < O; i++) y[i] = (yq[i] as number) * (outScale[i] as number);
  };

  return {
    backend: 'fixed', model, inputSize: I, outputSize: O, stateSize: sizes.h, cellStateSize: sizes.c,
    quant, inputFrac, outputFrac,
    stateFrac: handle?.hFrac ?? 0, cellStateFrac: handle?.c === null ? 0 : (handle?.cFrac ?? 0),
    stateQ: handle?.h ?? new Int32Array(0), cellStateQ: handle?.c ?? null,
    quantizeInput, quantizeDt, dequantizeOutput,
    step(x, dtS, out) {
      quantizeInput(x, input);
      runAll(quantizeDt(dtS));
      dequantizeOutput(output, out);
    },
    stepInt(xq, tsQ, yq) {
      for (let i = 0; i < I; i++) input[i] = sat16(xq[i] as number);
      runAll(tsQ);
      for (let i = 0; i < O; i++) yq[i] = output[i] as number;
    },
    runSequence(inputs, steps, dtS, outputs) {
      for (let t = 0; t < steps; t++) {
        for (let i = 0; i < I; i++) {
          const v = Math.floor((inputs[t * I + i] as number) * (inScale[i] as number) + 0.5);
          input[i] = v !== v ? 0 : sat16(v);
        }
        runAll(quantizeDt(typeof dtS === 'number' ? dtS : (dtS[t] as number)));
        for (let i = 0; i < O; i++) outputs[t * O + i] = (output[i] as number) * (outScale[i] as number);
      }
    },
    reset: () => handle?.reset(),
    getState(h, c) {
      if (handle === null) return;
      for (let i = 0; i < handle.h.length; i++) h[i] = (handle.h[i] as number) / hScale;
      if (c !== undefined && handle.c !== null) for (let i = 0; i < handle.c.length; i++) c[i] = (handle.c[i] as number) / cScale;
    },
    setState(h, c) {
      if (handle === null) return;
      for (let i = 0; i < handle.h.length; i++) handle.h[i] = quantState(h[i] as number, hScale);
      if (handle.c !== null) for (let i = 0; i < handle.c.length; i++) handle.c[i] = c === undefined ? 0 : quantState(c[i] as number, cScale);
    },
    setStateInt(h, c) {
      if (handle === null) return;
      for (let i = 0; i < handle.h.length; i++) handle.h[i] = sat16(h[i] as number);
      if (handle.c !== null) for (let i = 0; i < handle.c.length; i++) handle.c[i] = c === undefined ? 0 : sat16(c[i] as number);
    },
    describe: () => ({
      tables: { ...TABLE_CHECKSUMS },
      dtNominalS: quant.dtNominalS,
      weightBits: quant.weightBits,
      inputFrac: Array.from(inputFrac),
      outputFrac: Array.from(outputFrac),
      stateFrac: handle?.hFrac ?? 0,
      cellStateFrac: handle?.c === null ? 0 : (handle?.cFrac ?? 0),
      stages: ops.map((o) => o.json()),
    }),
  };
}

function quantState(v: number, scale: number): number {
  const q = Math.floor(v * scale + 0.5);
  return q !== q ? 0 : sat16(q);
}
