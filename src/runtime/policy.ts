// A policy is a model compiled for one backend. It owns the mutable state (typed arrays) and
// steps it; the model stays frozen and may be shared by many policies (one per robot or agent).

import type { Model } from '../models/types.ts';

export const BACKENDS = ['ref', 'f32', 'fixed', 'wasm', 'ort', 'auto'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export type FloatArray = Float64Array | Float32Array;

export interface Policy {
  /** which backend runs this policy (never 'auto': auto resolves at compile time) */
  readonly backend: ConcreteBackend;
  readonly model: Model;
  readonly inputSize: number;
  readonly outputSize: number;
  /** hidden-state size of the recurrent cell, 0 without one */
  readonly stateSize: number;
  /** LSTM cell-state size (mixed memory or an LSTM cell), else 0 */
  readonly cellStateSize: number;
  /**
   * Advances one step: reads inputSize values from `input`, writes outputSize values to `out`.
   * `dtS` is the elapsed time since the previous step in seconds (ncps `timespans`; ncps uses 1.0
   * when none are given). Allocates nothing and never throws on finite input.
   */
  step(input: FloatArray, dtS: number, out: FloatArray): void;
  /** Zeroes the state, as ncps does when no initial state is given. */
  reset(): void;
  /** Copies the state out: h (stateSize) and, when cellStateSize > 0, c. */
  getState(h: FloatArray, c?: FloatArray): void;
  /** Sets the state: h (stateSize) and, when cellStateSize > 0, c (zeros when omitted). */
  setState(h: ArrayLike<number>, c?: ArrayLike<number>): void;
  /**
   * Steps through a sequence: inputs (steps × inputSize) row-major, dtS one value for every step
   * or one per step, outputs (steps × outputSize). Continues from the current state.
   */
  runSequence(inputs: FloatArray, steps: number, dtS: number | FloatArray, outputs: FloatArray): void;
}
