// Firmware vectors (docs/fixed-point.md §8): a fixed policy run over a sequence, with every
// integer the C firmware needs to reproduce it bit for bit: the integer parameters of each stage,
// the integer inputs and Δt, the state after every step, the outputs, and a hash of it all.

import { LnnError } from '../../errors.ts';
import { quantParamsJson } from '../../models/quantize/params.ts';
import type { Model } from '../../models/types.ts';
import type { BackendOptions } from '../policy.ts';
import { compileFixedPolicy } from './backend.ts';
import type { FixedPolicy } from './pipeline.ts';

export const VECTORS_FORMAT = 'lnn-fixed-vectors/1';

/**
 * FNV-1a 32 over int16 values as two little-endian bytes each: the hash of a run is over, for
 * every step in order, h (stateSize), then c (cellStateSize), then the outputs (outputSize).
 */
export class Fnv1a {
  private h = 0x811c9dc5;
  add16(v: number): void {
    const u = v & 0xffff;
    this.h = Math.imul(this.h ^ (u & 0xff), 0x01000193);
    this.h = Math.imul(this.h ^ (u >>> 8), 0x01000193);
  }
  hex(): string {
    return (this.h >>> 0).toString(16).padStart(8, '0');
  }
}

/** The integer run: xq (steps × inputSize) and tsQ (steps) in; optionally every state and output kept. */
export interface FixedRun {
  readonly hash: string;
  readonly states: { readonly h: number[][]; readonly c: number[][] } | null;
  readonly outputs: number[][] | null;
}

/** Steps p from its current state with integer inputs; `keep` records states and outputs per step. */
export function runFixedInt(p: FixedPolicy, xq: Int32Array, tsQ: Int32Array, keep: boolean): FixedRun {
  const steps = tsQ.length;
  const I = p.inputSize;
  const y = new Int32Array(p.outputSize);
  const x = new Int32Array(I);
  const hash = new Fnv1a();
  const hs: number[][] = [];
  const cs: number[][] = [];
  const ys: number[][] = [];
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < I; i++) x[i] = xq[t * I + i] as number;
    p.stepInt(x, tsQ[t] as number, y);
    for (const v of p.stateQ) hash.add16(v);
    if (p.cellStateQ !== null) for (const v of p.cellStateQ) hash.add16(v);
    for (const v of y) hash.add16(v);
    if (keep) {
      hs.push(Array.from(p.stateQ));
      cs.push(p.cellStateQ === null ? [] : Array.from(p.cellStateQ));
      ys.push(Array.from(y));
    }
  }
  return { hash: hash.hex(), states: keep ? { h: hs, c: cs } : null, outputs: keep ? ys : null };
}

/** Float inputs (steps × inputSize) and Δt (seconds) quantised as the policy's `step` does. */
export function quantizeSequence(p: FixedPolicy, inputs: Float64Array, steps: number, dtS: number | Float64Array): { xq: Int32Array; tsQ: Int32Array } {
  const I = p.inputSize;
  const xq = new Int32Array(steps * I);
  const tsQ = new Int32Array(steps);
  const row = new Int32Array(I);
  for (let t = 0; t < steps; t++) {
    p.quantizeInput(inputs.subarray(t * I, (t + 1) * I), row);
    xq.set(row, t * I);
    tsQ[t] = p.quantizeDt(typeof dtS === 'number' ? dtS : (dtS[t] as number));
  }
  return { xq, tsQ };
}

export interface FixedVectorsOptions extends BackendOptions {
  /** Δt in seconds, one for all steps or one per step (default: the model's nominal step) */
  readonly dtS?: number | Float64Array;
  /** initial state (floats, quantised like setState); zeros when absent */
  readonly h0?: ArrayLike<number>;
  readonly c0?: ArrayLike<number>;
}

/** The vectors document for a model over float inputs (steps × inputSize). */
export function exportFixedVectors(model: Model, inputs: Float64Array, opts: FixedVectorsOptions = {}): Record<string, unknown> {
  const I = model.inputSize;
  if (inputs.length === 0 || inputs.length % I !== 0) {
    throw new LnnError('LNN_E_SHAPE', `inputs hold ${inputs.length} values, not a whole number of steps of ${I}`);
  }
  const steps = inputs.length / I;
  const p = compileFixedPolicy(model, opts);
  const dtS = opts.dtS ?? p.quant.dtNominalS;
  if (typeof dtS !== 'number' && dtS.length !== steps) throw new LnnError('LNN_E_SHAPE', `dtS has ${dtS.length} values for ${steps} steps`);
  if (opts.h0 !== undefined) p.setState(opts.h0, opts.c0);
  const h0 = Array.from(p.stateQ);
  const c0 = p.cellStateQ === null ? [] : Array.from(p.cellStateQ);
  const { xq, tsQ } = quantizeSequence(p, inputs, steps, dtS);
  const run = runFixedInt(p, xq, tsQ, true);
  const rows = (a: Int32Array, n: number): number[][] => Array.from({ length: steps }, (_, t) => Array.from(a.subarray(t * n, (t + 1) * n)));
  return {
    format: VECTORS_FORMAT,
    model: model.name,
    inputSize: I, outputSize: model.outputSize, stateSize: p.stateSize, cellStateSize: p.cellStateSize, steps,
    quant: quantParamsJson(p.quant),
    kernel: p.describe(),
    h0, c0,
    tsQ: Array.from(tsQ),
    inputs: rows(xq, I),
    states: run.states,
    outputs: run.outputs,
    hash: run.hash,
  };
}

/** FNV-1a 32 of a string's UTF-16 code units (low byte each): for hashing JSON of parameters. */
export function stringHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ (s.charCodeAt(i) & 0xff), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export interface FixedHashes {
  /** the chosen formats (meta.quant JSON without the informative `observed` ranges) */
  readonly quant: string;
  /** every integer parameter (FixedPolicy.describe()) */
  readonly kernel: string;
  /** every state and output of the run */
  readonly run: string;
}

/**
 * The bit-exactness probe of the golden-hash test and of tools/arm64: compile with the model's
 * formats (or the data-free default), run `steps` seeded steps (inputs uniform in ±1 from
 * InitRng(seed) order, Δt = 0.05·(0.5 + ((7t) mod 10)/10) s) and hash.
 */
export function fixedHashes(model: Model, inputs: Float64Array, steps: number, opts: BackendOptions = {}): FixedHashes {
  const p = compileFixedPolicy(model, opts);
  const dts = Float64Array.from({ length: steps }, (_, t) => 0.05 * (0.5 + ((t * 7) % 10) / 10));
  const { xq, tsQ } = quantizeSequence(p, inputs, steps, dts);
  const { observed: _, ...formats } = quantParamsJson(p.quant);
  return {
    quant: stringHash(JSON.stringify(formats)),
    kernel: stringHash(JSON.stringify(p.describe())),
    run: runFixedInt(p, xq, tsQ, false).hash,
  };
}
