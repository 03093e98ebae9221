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

/**
 * Many agents stepping one model (simulation, training rollouts): inputs (agents × inputSize) and
 * outputs (agents × outputSize) row-major, one state per agent. Allocates nothing per step.
 */
export interface BatchPolicy {
  readonly backend: ConcreteBackend;
  readonly model: Model;
  readonly agents: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly stateSize: number;
  readonly cellStateSize: number;
  /** dtS: one value for all agents, or one per agent */
  stepBatch(inputs: FloatArray, dtS: number | FloatArray, outputs: FloatArray): void;
  /** Zeroes one agent's state, or every agent's when no index is given. */
  reset(agent?: number): void;
  getState(agent: number, h: FloatArray, c?: FloatArray): void;
  setState(agent: number, h: ArrayLike<number>, c?: ArrayLike<number>): void;
}

/**
 * The asynchronous face of a policy: every backend has it; `ort` has only this one, because
 * onnxruntime-node's run() returns a Promise.
 */
export interface AsyncPolicy {
  readonly backend: ConcreteBackend;
  readonly model: Model;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly stateSize: number;
  readonly cellStateSize: number;
  stepAsync(input: FloatArray, dtS: number, out: FloatArray): Promise<void>;
  reset(): void;
  getState(h: FloatArray, c?: FloatArray): void;
  setState(h: ArrayLike<number>, c?: ArrayLike<number>): void;
  runSequenceAsync(inputs: FloatArray, steps: number, dtS: number | FloatArray, outputs: FloatArray): Promise<void>;
  /** Releases native resources (an ORT session); a no-op for the JS and wasm backends. */
  dispose(): Promise<void>;
}

/** What a backend module provides. `unsupported` returns null when it can run the model. */
export interface Backend {
  readonly name: ConcreteBackend;
  /**
   * null when the backend can run this model here; else why not: UNSUPPORTED when the model has
   * something the backend cannot compute, UNAVAILABLE when the machine lacks something (a package).
   */
  unsupported(model: Model): Unsupported | null;
  /** synchronous policy; absent for backends that are asynchronous only (ort) */
  readonly compile?: (model: Model, opts: BackendOptions) => Policy;
  readonly compileBatch?: (model: Model, agents: number, opts: BackendOptions) => BatchPolicy;
  readonly compileAsync?: (model: Model, opts: BackendOptions) => Promise<AsyncPolicy>;
}

/** Options a backend may use; each ignores what does not concern it. */
export interface BackendOptions {
  /** fixed: calibration inputs (steps × inputSize) to derive activation scales when the model has none */
  readonly calibration?: Float64Array;
}

export interface Unsupported {
  readonly code: 'LNN_E_BACKEND_UNSUPPORTED' | 'LNN_E_BACKEND_UNAVAILABLE';
  readonly reason: string;
}
