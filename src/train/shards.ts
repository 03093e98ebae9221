// The gradient of one minibatch, split into S shards of consecutive sequences. Each shard's
// gradient goes to its own buffer and the buffers are summed in shard order, so the result
// depends on S but never on which thread computed which shard or when it finished: training
// with S shards on the main thread and with S shards spread over worker threads gives
// bit-identical parameters.

import type { Model } from '../models/types.ts';
import { zeroFrozen, type ParamView } from './params.ts';
import { GradEngine, type SeqBatch } from './seq-tape.ts';
import type { LossOptions } from './loss.ts';

/** Sequence ranges [b0, b1) of each shard; shards differ in size by at most one sequence. */
export function shardRanges(B: number, shards: number): [number, number][] {
  const S = Math.max(1, Math.min(shards, B));
  const out: [number, number][] = [];
  for (let k = 0; k < S; k++) out.push([Math.floor((k * B) / S), Math.floor(((k + 1) * B) / S)]);
  return out;
}

/** Sequences [b0, b1) of a batch, as views (no copy). */
export function subBatch(batch: SeqBatch, b0: number, b1: number, I: number, O: number, H: number, C: number): SeqBatch {
  const T = batch.T;
  return {
    B: b1 - b0, T,
    inputs: batch.inputs.subarray(b0 * T * I, b1 * T * I),
    dts: batch.dts.subarray(b0 * T, b1 * T),
    targets: batch.targets.subarray(b0 * T * O, b1 * T * O),
    masks: batch.masks.subarray(b0 * T, b1 * T),
    h0: batch.h0 == null ? null : batch.h0.subarray(b0 * H, b1 * H),
    c0: batch.c0 == null ? null : batch.c0.subarray(b0 * C, b1 * C),
  };
}

/** Sums shard gradients in shard order into `out`, then zeroes frozen entries. */
export function sumShards(view: ParamView, parts: readonly Float64Array[], out: Float64Array): void {
  out.set(parts[0] as Float64Array);
  for (let k = 1; k < parts.length; k++) {
    const p = parts[k] as Float64Array;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + (p[i] as number);
  }
  zeroFrozen(view, out);
}

/** Computes batch gradients on this thread, shard by shard. */
export class ShardedGrad {
  readonly engine: GradEngine;
  private readonly parts: Float64Array[];
  private readonly partModels: Model[];

  constructor(readonly view: ParamView, readonly shards = 1, truncate = 0, loss: LossOptions = {}) {
    this.engine = new GradEngine(view.model, truncate, loss);
    this.parts = Array.from({ length: Math.max(1, shards) }, () => new Float64Array(view.size));
    this.partModels = this.parts.map((p) => view.bind(p));
  }

  /** Writes the batch gradient into `out`; returns the batch loss. */
  grad(batch: SeqBatch, out: Float64Array): number {
    const norm = this.engine.norm(batch);
    const ranges = shardRanges(batch.B, this.shards);
    const m = this.view.model;
    const H = stateWidth(m, 'h');
    const C = stateWidth(m, 'c');
    let loss = 0;
    ranges.forEach(([b0, b1], k) => {
      const part = this.parts[k] as Float64Array;
      part.fill(0);
      loss += this.engine.lossAndGrad(subBatch(batch, b0, b1, m.inputSize, m.outputSize, H, C), this.partModels[k] as Model, norm);
    });
    sumShards(this.view, this.parts.slice(0, ranges.length), out);
    return loss;
  }
}

/** Hidden / cell state width of a model's recurrent cell (0 without one). */
export function stateWidth(m: Model, which: 'h' | 'c'): number {
  if (m.cellIndex < 0) return 0;
  const s = m.stages[m.cellIndex]!;
  if (s.type === 'lstm') return s.units;
  if (s.type === 'cfc' || s.type === 'ltc') return which === 'h' || s.mixedMemory !== null ? s.units : 0;
  return 0;
}
