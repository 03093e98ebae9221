// The training loop: seeded minibatches of seqLen-step windows, BPTT gradients, global-norm
// clipping, Adam with a learning-rate schedule. Defaults follow the NCP/CfC lane-keeping setup
// (sim-anchors §1–§2): windows of 16 steps, batch 20, Adam lr 5e-4, gradient-norm clip 10.
// Same seed, same data, same shard count → bit-identical parameters.

import type { Model } from '../models/types.ts';
import { Adam, clipGradNorm, type AdamOptions } from './adam.ts';
import { BatchLoader, makeWindows, type SequenceData } from './data.ts';
import type { LossOptions } from './loss.ts';
import { paramView, viewToDoc, type ParamView } from './params.ts';
import { learningRate, type LrSchedule } from './schedule.ts';
import { ShardedGrad } from './shards.ts';
import { GradEngine, type SeqBatch } from './seq-tape.ts';

type Doc = Record<string, unknown>;

export interface TrainOptions extends AdamOptions {
  /** the starting model: an `lnn-model/1` document (e.g. from initLanePolicyDoc) or a Model */
  readonly modelDoc: Doc | Model;
  readonly data: SequenceData;
  readonly epochs: number;
  /** sequences per minibatch (default 20) */
  readonly batch?: number;
  /** window length in steps (default 16) */
  readonly seqLen?: number;
  /** steps between window starts (default seqLen: non-overlapping) */
  readonly stride?: number;
  /** base learning rate (default 5e-4) */
  readonly lr?: number;
  readonly schedule?: LrSchedule;
  readonly warmup?: number;
  /** global gradient-norm clip (default 10; 0 disables) */
  readonly clip?: number;
  /** shuffle seed (default 0) */
  readonly seed?: number;
  /** truncated BPTT chunk length (default 0: through the whole window) */
  readonly truncate?: number;
  readonly loss?: LossOptions;
  /** held-out data, evaluated after every epoch */
  readonly validation?: SequenceData;
  /** gradient shards per batch (default 1); the parallel trainer uses one per thread */
  readonly shards?: number;
  /** called after every epoch; return 'stop' to end training early */
  readonly onEpoch?: (e: EpochRecord) => void | 'stop';
}

export interface EpochRecord {
  readonly epoch: number;
  /** mean training loss over the epoch's batches (weighted by their loss denominators) */
  readonly loss: number;
  readonly valLoss: number | null;
  /** mean gradient norm before clipping */
  readonly gradNorm: number;
  /** learning rate of the epoch's last step */
  readonly lr: number;
  readonly steps: number;
  /** steps skipped because the gradient was not finite (the parameters were left as they were) */
  readonly skipped: number;
  readonly seconds: number;
}

export interface TrainResult {
  /** the trained model as an `lnn-model/1` document */
  readonly doc: Doc;
  readonly history: readonly EpochRecord[];
  readonly view: ParamView;
}

/** The parts of a training run that do not depend on where gradients are computed. */
export class TrainState {
  readonly view: ParamView;
  readonly adam: Adam;
  readonly loader: BatchLoader;
  readonly grads: Float64Array;
  readonly local: ShardedGrad;
  readonly history: EpochRecord[] = [];
  step = 0;

  constructor(readonly opts: TrainOptions) {
    this.view = paramView(opts.modelDoc);
    const m = this.view.model;
    if (opts.data.inputSize !== m.inputSize || opts.data.outputSize !== m.outputSize) {
      throw new Error(`data is ${opts.data.inputSize} → ${opts.data.outputSize}, the model ${m.inputSize} → ${m.outputSize}`);
    }
    const seqLen = opts.seqLen ?? 16;
    this.loader = new BatchLoader(opts.data, makeWindows(opts.data, seqLen, opts.stride ?? seqLen), seqLen, opts.batch ?? 20, opts.seed ?? 0);
    this.adam = new Adam(this.view, opts);
    this.grads = new Float64Array(this.view.size);
    this.local = new ShardedGrad(this.view, opts.shards ?? 1, opts.truncate ?? 0, opts.loss ?? {});
  }

  /**
   * Clip, schedule, Adam: one optimiser step from this.grads. Returns the pre-clip norm. A
   * non-finite gradient (an exploding batch) is skipped rather than written into the weights.
   */
  apply(): { norm: number; lr: number } {
    const norm = clipGradNorm(this.grads, this.opts.clip ?? 10);
    const lr = learningRate(this.opts.lr ?? 5e-4, this.step, { schedule: this.opts.schedule, warmup: this.opts.warmup });
    if (Number.isFinite(norm)) this.adam.step(this.grads, lr);
    this.step++;
    return { norm, lr };
  }

  /** Records an epoch; true when training should stop. */
  endEpoch(epoch: number, sums: EpochSums, t0: number): boolean {
    const rec: EpochRecord = {
      epoch,
      loss: sums.weight > 0 ? sums.loss / sums.weight : 0,
      valLoss: this.opts.validation === undefined ? null : evaluateLoss(this.view, this.opts.validation, this.opts),
      gradNorm: sums.steps > sums.skipped ? sums.norm / (sums.steps - sums.skipped) : 0,
      lr: sums.lr,
      steps: sums.steps,
      skipped: sums.skipped,
      seconds: (performance.now() - t0) / 1000,
    };
    this.history.push(rec);
    return this.opts.onEpoch?.(rec) === 'stop';
  }

  result(): TrainResult {
    const o = this.opts;
    const last = this.history[this.history.length - 1];
    const meta = {
      train: {
        epochs: this.history.length, steps: this.step, batch: o.batch ?? 20, seqLen: o.seqLen ?? 16, lr: o.lr ?? 5e-4,
        clip: o.clip ?? 10, seed: o.seed ?? 0, truncate: o.truncate ?? 0, shards: o.shards ?? 1,
        finalLoss: last?.loss ?? null, finalValLoss: last?.valLoss ?? null,
      },
    };
    return { doc: viewToDoc(this.view, this.view.params, { meta }), history: this.history, view: this.view };
  }
}

/** Trains on this thread. See TrainOptions for the defaults. */
export function trainSequences(opts: TrainOptions): TrainResult {
  const st = new TrainState(opts);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const t0 = performance.now();
    const sums = newSums();
    for (const idx of st.loader.epoch()) {
      const batch = st.loader.gather(idx);
      const loss = st.local.grad(batch, st.grads);
      accumulate(sums, loss, st.local.engine.norm(batch), st.apply());
    }
    if (st.endEpoch(epoch, sums, t0)) break;
  }
  return st.result();
}

export interface EpochSums {
  loss: number;
  weight: number;
  norm: number;
  steps: number;
  skipped: number;
  lr: number;
}

export function newSums(): EpochSums {
  return { loss: 0, weight: 0, norm: 0, steps: 0, skipped: 0, lr: 0 };
}

/** Adds one optimiser step to the epoch's sums (a skipped, non-finite step adds no loss). */
export function accumulate(sums: EpochSums, loss: number, weight: number, step: { norm: number; lr: number }): void {
  sums.steps++;
  sums.lr = step.lr;
  if (!Number.isFinite(step.norm)) {
    sums.skipped++;
    return;
  }
  sums.loss += loss * weight;
  sums.weight += weight;
  sums.norm += step.norm;
}

/** Loss of the current parameters on a dataset (windows in order, batches of opts.batch). */
export function evaluateLoss(view: ParamView, data: SequenceData, opts: Pick<TrainOptions, 'seqLen' | 'stride' | 'batch' | 'loss'> = {}): number {
  const seqLen = opts.seqLen ?? 16;
  const loader = new BatchLoader(data, makeWindows(data, seqLen, opts.stride ?? seqLen), seqLen, opts.batch ?? 20, 0, false);
  const engine = new GradEngine(view.model, 0, opts.loss ?? {});
  let sum = 0;
  let weight = 0;
  for (const idx of loader.epoch()) {
    const batch: SeqBatch = loader.gather(idx);
    const w = engine.norm(batch);
    sum += engine.lossOnly(batch, w) * w;
    weight += w;
  }
  return weight > 0 ? sum / weight : 0;
}
