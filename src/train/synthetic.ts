// A small deterministic sequence task for smoke-testing training end to end (tests, benchmarks):
// inputs are smooth random signals (AR(1) per channel), the target is a first-order low-pass
// of channel 0, y_t = a·y_{t−1} + (1 − a)·x_t — a "filtered copy" that needs memory, which a
// CfC/LTC cell can represent and a feed-forward map cannot.

import { RandomState } from '../models/rng/mt19937.ts';
import type { SequenceData } from './data.ts';

export interface FilterTaskOptions {
  readonly sequences: number;
  readonly length: number;
  readonly inputs: number;
  readonly seed: number;
  /** filter pole a in y_t = a·y_{t−1} + (1 − a)·x_t (default 0.6) */
  readonly pole?: number;
  /** elapsed time per step (default 1, ncps's default) */
  readonly dt?: number;
}

export function filterTask(o: FilterTaskOptions): SequenceData {
  const rs = new RandomState(o.seed >>> 0);
  const u = (): number => (rs.nextU32() / 4294967296) * 2 - 1;
  const a = o.pole ?? 0.6;
  const I = o.inputs;
  const L = o.length;
  const inputs = new Float64Array(o.sequences * L * I);
  const targets = new Float64Array(o.sequences * L);
  const state = new Float64Array(I);
  for (let s = 0; s < o.sequences; s++) {
    state.fill(0);
    let y = 0;
    for (let t = 0; t < L; t++) {
      for (let i = 0; i < I; i++) {
        state[i] = 0.8 * (state[i] as number) + 0.4 * u();
        inputs[(s * L + t) * I + i] = state[i] as number;
      }
      y = a * y + (1 - a) * (state[0] as number);
      targets[s * L + t] = y;
    }
  }
  return { count: o.sequences, length: L, inputSize: I, outputSize: 1, inputs, dts: o.dt ?? 1, targets, masks: null };
}
