// Training data: sequences of (input, dt, target, mask) steps, cut into windows of seqLen steps
// (the NCP paper trains on 16-step windows of long drives), and a seeded minibatch iterator.
// Windows are (sequence, start) pairs into the data, copied into reused batch buffers only when
// a batch is drawn, so a dataset is held once in memory whatever the window stride.

import { RandomState } from '../models/rng/mt19937.ts';
import type { SeqBatch } from './seq-tape.ts';

/** N sequences of L steps each, row-major. */
export interface SequenceData {
  readonly count: number;
  readonly length: number;
  readonly inputSize: number;
  readonly outputSize: number;
  /** (N, L, inputSize) */ readonly inputs: Float64Array;
  /** (N, L), or one dt for every step */ readonly dts: Float64Array | number;
  /** (N, L, outputSize) */ readonly targets: Float64Array;
  /** (N, L) loss weights; all 1 when absent (padding steps of shorter episodes are 0) */
  readonly masks?: Float64Array | null;
}

/** One recorded run of variable length. */
export interface Episode {
  /** (L, inputSize) */ readonly inputs: Float64Array;
  /** (L, outputSize) */ readonly targets: Float64Array;
  /** (L) or one dt for every step (default 1, ncps's default) */ readonly dts?: Float64Array | number;
  /** (L) */ readonly masks?: Float64Array | null;
}

/** Packs episodes into SequenceData, padding to the longest with mask 0 (padding is never fitted). */
export function fromEpisodes(eps: readonly Episode[], inputSize: number, outputSize: number): SequenceData {
  const L = Math.max(1, ...eps.map((e) => e.inputs.length / inputSize));
  const N = eps.length;
  const inputs = new Float64Array(N * L * inputSize);
  const targets = new Float64Array(N * L * outputSize);
  const dts = new Float64Array(N * L).fill(1);
  const masks = new Float64Array(N * L);
  eps.forEach((e, k) => {
    const n = e.inputs.length / inputSize;
    if (!Number.isInteger(n) || e.targets.length !== n * outputSize) throw new Error(`episode ${k}: inputs/targets do not hold the same number of steps`);
    inputs.set(e.inputs, k * L * inputSize);
    targets.set(e.targets, k * L * outputSize);
    for (let t = 0; t < n; t++) {
      dts[k * L + t] = typeof e.dts === 'number' ? e.dts : e.dts == null ? 1 : (e.dts[t] as number);
      masks[k * L + t] = e.masks == null ? 1 : (e.masks[t] as number);
    }
  });
  return { count: N, length: L, inputSize, outputSize, inputs, dts, targets, masks };
}

/**
 * Windows of seqLen steps starting every `stride` steps of every sequence, as (sequence,
 * start) pairs; a tail shorter than seqLen becomes a window padded with mask 0. Windows with
 * nothing to fit (all masks 0) are left out.
 */
export function makeWindows(data: SequenceData, seqLen: number, stride = seqLen): Int32Array {
  const out: number[] = [];
  for (let s = 0; s < data.count; s++) {
    for (let start = 0; start < data.length; start += stride) {
      let any = data.masks == null;
      for (let t = start; !any && t < Math.min(start + seqLen, data.length); t++) any = (data.masks![s * data.length + t] as number) !== 0;
      if (any) out.push(s, start);
      if (start + seqLen >= data.length) break;
    }
  }
  return Int32Array.from(out);
}

interface Buffers {
  inputs: Float64Array;
  dts: Float64Array;
  targets: Float64Array;
  masks: Float64Array;
}

/** Seeded minibatches of windows; one shuffle (numpy-style permutation) per epoch. */
export class BatchLoader {
  private readonly rng: RandomState;
  private readonly buffers = new Map<number, Buffers>();
  readonly windowCount: number;

  constructor(
    readonly data: SequenceData, readonly windows: Int32Array, readonly seqLen: number, readonly batch: number,
    seed: number, readonly shuffle = true,
  ) {
    this.rng = new RandomState(seed >>> 0);
    this.windowCount = windows.length / 2;
  }

  /** The window indices of each batch of one epoch (the last batch may be smaller). */
  epoch(): Int32Array[] {
    const order = this.shuffle ? this.rng.permutation(this.windowCount) : Int32Array.from({ length: this.windowCount }, (_, i) => i);
    const out: Int32Array[] = [];
    for (let k = 0; k < order.length; k += this.batch) out.push(order.subarray(k, Math.min(order.length, k + this.batch)));
    return out;
  }

  /** Copies the windows into the batch buffers of that size (reused: valid until the next gather). */
  gather(idx: Int32Array): SeqBatch {
    const B = idx.length;
    const T = this.seqLen;
    const { data } = this;
    const I = data.inputSize;
    const O = data.outputSize;
    let buf = this.buffers.get(B);
    if (buf === undefined) {
      buf = { inputs: new Float64Array(B * T * I), dts: new Float64Array(B * T), targets: new Float64Array(B * T * O), masks: new Float64Array(B * T) };
      this.buffers.set(B, buf);
    }
    for (let b = 0; b < B; b++) {
      const w = idx[b] as number;
      const s = this.windows[2 * w] as number;
      const start = this.windows[2 * w + 1] as number;
      const n = Math.min(T, data.length - start);
      const src = s * data.length + start;
      buf.inputs.set(data.inputs.subarray(src * I, (src + n) * I), b * T * I);
      buf.targets.set(data.targets.subarray(src * O, (src + n) * O), b * T * O);
      buf.inputs.fill(0, (b * T + n) * I, (b + 1) * T * I);
      buf.targets.fill(0, (b * T + n) * O, (b + 1) * T * O);
      for (let t = 0; t < T; t++) {
        const inside = t < n;
        buf.dts[b * T + t] = !inside ? 1 : typeof data.dts === 'number' ? data.dts : (data.dts[src + t] as number);
        buf.masks[b * T + t] = !inside ? 0 : data.masks == null ? 1 : (data.masks[src + t] as number);
      }
    }
    return { B, T, inputs: buf.inputs, dts: buf.dts, targets: buf.targets, masks: buf.masks };
  }
}
