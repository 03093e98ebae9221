// Forward-with-tape and backward over a whole model for a batch of B sequences of T steps.
// Data flow: the stages before the recurrent cell run over all B·T samples at once, the cell
// steps through time per sequence, the stages after it run over all samples again; backward
// runs the same three phases in reverse. Buffers are allocated once per (B, T) shape (a
// GradEngine keeps one SeqTape per shape) and reused for every batch of that shape.

import { isCell, stageOutSize, type Model, type Stage } from '../models/types.ts';
import type { CellTape } from './cell-tape.ts';
import { CfcTape } from './cfc-tape.ts';
import { ffBackward, ffForward, needsPre } from './ff-tape.ts';
import { lossNorm, mseLoss, type LossOptions } from './loss.ts';
import { LstmTape } from './lstm-tape.ts';
import { LtcTape } from './ltc-tape.ts';

/** B sequences of T steps, row-major. */
export interface SeqBatch {
  readonly B: number;
  readonly T: number;
  /** (B, T, inputSize) */ readonly inputs: Float64Array;
  /** (B, T) elapsed time of each step, seconds */ readonly dts: Float64Array;
  /** (B, T, outputSize) */ readonly targets: Float64Array;
  /** (B, T) loss weight of each step; 0 leaves the step out */ readonly masks: Float64Array;
  /** (B, stateSize) initial hidden states (zeros when absent), e.g. carried over from a previous window */
  readonly h0?: Float64Array | null;
  /** (B, cellStateSize) initial LSTM cell states with mixed memory or an LSTM cell */
  readonly c0?: Float64Array | null;
}

function hasParams(s: Stage): boolean {
  return s.type !== 'normalise' && s.type !== 'activation' && s.type !== 'flatten' && s.type !== 'clamp';
}

function makeCellTape(s: Stage, B: number, T: number): CellTape {
  switch (s.type) {
    case 'cfc': return new CfcTape(s, B, T);
    case 'ltc': return new LtcTape(s, B, T);
    case 'lstm': return new LstmTape(s, B, T);
    default: throw new Error(`${s.type} is not a recurrent cell`);
  }
}

export class SeqTape {
  /** acts[i + 1] (B·T × out_i) is stage i's output; acts[0] is the batch's inputs */
  private readonly acts: Float64Array[];
  private readonly pres: (Float64Array | null)[];
  /** two gradient buffers of the widest stage boundary, used in turn going backwards */
  private readonly dA: Float64Array;
  private readonly dB: Float64Array;
  private readonly cell: CellTape | null;
  /** stage i needs ∂L/∂(its input) only when some stage before it has parameters */
  private readonly needDx: boolean[];
  private lastInputs: Float64Array | null = null;

  constructor(readonly model: Model, readonly B: number, readonly T: number) {
    const N = B * T;
    const widths = [model.inputSize, ...model.stages.map(stageOutSize)];
    this.acts = widths.map((w, i) => new Float64Array(i === 0 ? 0 : N * w));
    this.pres = model.stages.map((s) => (needsPre(s) ? new Float64Array(N * stageOutSize(s)) : null));
    const maxW = Math.max(...widths);
    this.dA = new Float64Array(N * maxW);
    this.dB = new Float64Array(N * maxW);
    this.cell = model.cellIndex >= 0 ? makeCellTape(model.stages[model.cellIndex] as Stage, B, T) : null;
    let seen = false;
    this.needDx = model.stages.map((s) => {
      const need = seen;
      if (hasParams(s)) seen = true;
      return need;
    });
  }

  private input(i: number): Float64Array {
    return i === 0 ? (this.lastInputs as Float64Array) : (this.acts[i] as Float64Array);
  }

  /** Runs the model; returns the outputs (B·T × outputSize), valid until the next forward. */
  forward(batch: SeqBatch): Float64Array {
    if (batch.B !== this.B || batch.T !== this.T) throw new Error(`tape is ${this.B}x${this.T}, batch ${batch.B}x${batch.T}`);
    this.lastInputs = batch.inputs;
    const N = this.B * this.T;
    this.model.stages.forEach((s, i) => {
      const x = this.input(i);
      const y = this.acts[i + 1] as Float64Array;
      if (isCell(s)) (this.cell as CellTape).forward(x, batch.dts, y, batch.h0 ?? null, batch.c0 ?? null);
      else ffForward(s, x, y, this.pres[i] as Float64Array | null, N);
    });
    return this.acts[this.acts.length - 1] as Float64Array;
  }

  /**
   * After forward(batch): the loss (see loss.ts; `norm` is the denominator, the whole batch's
   * when this batch is one shard of a larger one), and its gradient accumulated into `grad`
   * (a Model-shaped view over a gradient vector, see ParamView.bind).
   */
  backward(batch: SeqBatch, grad: Model, norm: number, opts: LossOptions = {}, truncate = 0): number {
    const N = this.B * this.T;
    const O = this.model.outputSize;
    let dy = this.dA;
    let dx = this.dB;
    const loss = mseLoss(this.acts[this.acts.length - 1] as Float64Array, batch.targets, batch.masks, N, O, norm, dy, opts);
    for (let i = this.model.stages.length - 1; i >= 0; i--) {
      const s = this.model.stages[i] as Stage;
      const g = grad.stages[i] as Stage;
      if (!this.needDx[i] && !hasParams(s)) break; // nothing trainable at or before this stage
      const x = this.input(i);
      const dxOrNull = this.needDx[i] ? dx : null;
      if (isCell(s)) (this.cell as CellTape).backward(g, x, batch.dts, dy, dxOrNull, truncate);
      else ffBackward(s, g, x, this.acts[i + 1] as Float64Array, this.pres[i] as Float64Array | null, dy, dxOrNull, N);
      const t = dy;
      dy = dx;
      dx = t;
    }
    return loss;
  }
}

/** Keeps one tape per (B, T) shape, so a smaller last batch does not reallocate every epoch. */
export class GradEngine {
  private readonly tapes = new Map<string, SeqTape>();
  private scratch = new Float64Array(0);

  constructor(readonly model: Model, readonly truncate = 0, readonly loss: LossOptions = {}) {}

  tape(B: number, T: number): SeqTape {
    const key = `${B}x${T}`;
    let t = this.tapes.get(key);
    if (t === undefined) {
      t = new SeqTape(this.model, B, T);
      this.tapes.set(key, t);
    }
    return t;
  }

  /** Outputs (B·T × outputSize) for a batch, from zero initial states. */
  forward(batch: SeqBatch): Float64Array {
    return this.tape(batch.B, batch.T).forward(batch);
  }

  /** The batch's loss; adds its gradient into `grad` (which the caller zeroes). */
  lossAndGrad(batch: SeqBatch, grad: Model, norm = this.norm(batch)): number {
    const tape = this.tape(batch.B, batch.T);
    tape.forward(batch);
    return tape.backward(batch, grad, norm, this.loss, this.truncate);
  }

  /** The loss only (no tape kept beyond the forward pass). */
  lossOnly(batch: SeqBatch, norm = this.norm(batch)): number {
    const y = this.forward(batch);
    if (this.scratch.length < y.length) this.scratch = new Float64Array(y.length);
    const dy = this.scratch;
    return mseLoss(y, batch.targets, batch.masks, batch.B * batch.T, this.model.outputSize, norm, dy, this.loss);
  }

  norm(batch: SeqBatch): number {
    return lossNorm(batch.masks, batch.B * batch.T, this.model.outputSize, this.loss);
  }
}
