// Reading an input sequence file for `lnn quantize --calib` and `lnn export --to fixed-vectors`:
// the predict inputs layout, one sample ({"input": {"shape": [1,T,I] or [T,I], ...}, "timespans"?}).
import { LnnError } from '../errors.ts';
import { asObject, Where, type JsonObject } from '../models/json-read.ts';
import type { Model } from '../models/types.ts';
import { benchInputs } from '../runtime/bench.ts';
import { exportFixedVectors } from '../runtime/fixed/vectors.ts';
import { readPredictInputs } from '../runtime/predict.ts';

export interface Sequence {
  /** (T × inputSize) */
  readonly x: Float64Array;
  /** (T) seconds, or null when the file has no timespans */
  readonly dt: Float64Array | null;
}

export function readSequence(model: Model, doc: unknown, file: string | undefined): Sequence {
  const o = asObject(doc, new Where(file, ''));
  // h0 is not part of a calibration or vector sequence; the start state is zero.
  const { h0: _h0, ...rest } = o as JsonObject;
  const inp = readPredictInputs(rest, { inputSize: model.inputSize, stateSize: 0, cellStateSize: 0 }, true, file);
  if (inp.batch !== 1) throw new LnnError('LNN_E_INPUT', `expected one sequence (batch 1), got ${inp.batch}`, file === undefined ? {} : { file, field: 'input.shape' });
  return { x: inp.x, dt: inp.dt };
}

/** Integer golden vectors: from a file's sequence, or 64 seeded steps at the nominal Δt. */
export function fixedVectorsDoc(model: Model, doc: unknown | null, file: string | undefined): Record<string, unknown> {
  if (doc === null) return exportFixedVectors(model, benchInputs(model.inputSize, 64));
  const seq = readSequence(model, doc, file);
  return exportFixedVectors(model, seq.x, seq.dt === null ? {} : { dtS: seq.dt });
}
