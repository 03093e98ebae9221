// Sequence prediction with ncps's shapes and return_sequences semantics (spec §3.1), for
// `lnn predict` and the golden tests. Each sample of a batch runs with its own state and its
// own Δt per step: the intended ncps semantics (ncps itself is only right for batch 1, §3.3).

import { LIMITS } from '../models/limits.ts';
import {
  asArray, asFloatData, asObject, asIntList, has, need, Where, type Json, type JsonObject,
} from '../models/json-read.ts';
import { asAsync } from './compile.ts';
import type { AsyncPolicy, Policy } from './policy.ts';

/** The sizes predict needs from a policy, sync or async. */
export type PolicySizes = Pick<Policy, 'inputSize' | 'stateSize' | 'cellStateSize'>;

export interface TensorOut { shape: number[]; data: number[] }

export interface PredictInputs {
  /** batch, steps, features */
  readonly batch: number;
  readonly steps: number;
  /** true when the input had no batch dimension (2-D) */
  readonly unbatched: boolean;
  readonly batchFirst: boolean;
  /** (batch, steps, features), always batch-major here */
  readonly x: Float64Array;
  /** (batch, steps) or null for Δt = 1 */
  readonly dt: Float64Array | null;
  readonly h0: Float64Array | null;
  readonly c0: Float64Array | null;
}

export interface PredictResult {
  readonly output: TensorOut;
  readonly final_state: TensorOut | [TensorOut, TensorOut] | null;
}

export function readPredictInputs(doc: unknown, policy: PolicySizes, batchFirst: boolean, file?: string): PredictInputs {
  const w = new Where(file, '');
  const o = asObject(doc, w);
  const iw = w.key('input');
  const io = asObject(need(o, 'input', w), iw);
  const shape = asIntList(need(io, 'shape', iw), iw.key('shape'), { min: 0, limit: LIMITS.maxInputElements });
  if (shape.length !== 2 && shape.length !== 3) {
    iw.key('shape').fail('LNN_E_INPUT', `expected [batch, steps, features] or [steps, features], got rank ${shape.length}`);
  }
  const unbatched = shape.length === 2;
  const [B, T, I] = unbatched ? [1, shape[0], shape[1]] : batchFirst ? [shape[0], shape[1], shape[2]] : [shape[1], shape[0], shape[2]];
  const [b, t, f] = [B as number, T as number, I as number];
  if (f !== policy.inputSize) {
    iw.key('shape').fail('LNN_E_INPUT_WIDTH', `input has ${f} features per step but the model takes ${policy.inputSize}`);
  }
  if (b < 1 || t < 1) iw.key('shape').fail('LNN_E_INPUT', 'batch and steps must be at least 1');
  if (t > LIMITS.maxSequenceSteps) iw.key('shape').fail('LNN_E_LIMIT', `${t} steps, beyond the limit ${LIMITS.maxSequenceSteps}`);
  if (b * t * f > LIMITS.maxInputElements) iw.key('shape').fail('LNN_E_LIMIT', `${b * t * f} input values, beyond the limit ${LIMITS.maxInputElements}`);
  const raw = asFloatData(need(io, 'data', iw), iw.key('data'), b * t * f, Number.MAX_VALUE);
  const x = batchFirst || unbatched ? raw : transposeTB(raw, t, b, f);

  let dt: Float64Array | null = null;
  if (has(o, 'timespans') && o.timespans !== null) {
    const tw = w.key('timespans');
    const to = asObject(o.timespans, tw);
    const tshape = asIntList(need(to, 'shape', tw), tw.key('shape'), { min: 1, limit: LIMITS.maxInputElements });
    const n = tshape.reduce((p, q) => p * q, 1);
    if (n !== b * t) tw.key('shape').fail('LNN_E_SHAPE', `expected one Δt per sample and step (${b * t} values), shape [${tshape.join(', ')}] holds ${n}`);
    const d = asFloatData(need(to, 'data', tw), tw.key('data'), n, LIMITS.maxDtS);
    for (let i = 0; i < n; i++) if ((d[i] as number) < 0) tw.key('data').fail('LNN_E_RANGE', `Δt must be >= 0, got ${d[i]}`, i);
    dt = batchFirst || unbatched ? d : transposeTB(d, t, b, 1);
  }

  let h0: Float64Array | null = null;
  let c0: Float64Array | null = null;
  if (has(o, 'h0') && o.h0 !== null) {
    const hw = w.key('h0');
    if (Array.isArray(o.h0)) {
      const parts = asArray(o.h0, hw);
      if (parts.length !== 2) hw.fail('LNN_E_SHAPE', `expected [h, c], got ${parts.length} tensors`);
      if (policy.cellStateSize === 0) hw.fail('LNN_E_SHAPE', 'this model has no cell state c; give h0 as one tensor');
      h0 = readState(parts[0] as Json, hw.at(0), b, policy.stateSize, unbatched);
      c0 = readState(parts[1] as Json, hw.at(1), b, policy.cellStateSize, unbatched);
    } else {
      h0 = readState(o.h0, hw, b, policy.stateSize, unbatched);
    }
  }
  return { batch: b, steps: t, unbatched, batchFirst, x, dt, h0, c0 };
}

function readState(v: Json, w: Where, B: number, H: number, unbatched: boolean): Float64Array {
  if (H === 0) w.fail('LNN_E_SHAPE', 'this model has no recurrent state');
  const o: JsonObject = asObject(v, w);
  const shape = asIntList(need(o, 'shape', w), w.key('shape'), { min: 1, limit: LIMITS.maxInputElements });
  const want = unbatched ? [H] : [B, H];
  if (shape.length !== want.length || shape.some((d, i) => d !== want[i])) {
    w.key('shape').fail('LNN_E_SHAPE', `expected [${want.join(', ')}], got [${shape.join(', ')}]`);
  }
  return asFloatData(need(o, 'data', w), w.key('data'), B * H, Number.MAX_VALUE);
}

/** (T, B, F) → (B, T, F) */
function transposeTB(a: Float64Array, T: number, B: number, F: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) out[(b * T + t) * F + f] = a[(t * B + b) * F + f] as number;
  return out;
}

export async function predict(p: Policy | AsyncPolicy, inp: PredictInputs, returnSequences: boolean): Promise<PredictResult> {
  const policy: AsyncPolicy = 'stepAsync' in p ? p : asAsync(p);
  const { batch: B, steps: T } = inp;
  const I = policy.inputSize;
  const O = policy.outputSize;
  const H = policy.stateSize;
  const C = policy.cellStateSize;
  const seq = new Float64Array(T * O);
  const out = new Float64Array(B * (returnSequences ? T : 1) * O);
  const hAll = new Float64Array(B * H);
  const cAll = new Float64Array(B * C);
  const h = new Float64Array(H);
  const c = new Float64Array(C);
  for (let b = 0; b < B; b++) {
    policy.reset();
    if (inp.h0 !== null) policy.setState(inp.h0.subarray(b * H, (b + 1) * H), inp.c0?.subarray(b * C, (b + 1) * C));
    const x = inp.x.subarray(b * T * I, (b + 1) * T * I);
    const dt = inp.dt === null ? 1.0 : inp.dt.subarray(b * T, (b + 1) * T);
    await policy.runSequenceAsync(x, T, dt, seq);
    if (returnSequences) out.set(seq, b * T * O);
    else out.set(seq.subarray((T - 1) * O, T * O), b * O);
    policy.getState(h, c);
    hAll.set(h, b * H);
    cAll.set(c, b * C);
  }
  const lead = inp.unbatched ? [] : [B];
  let outShape: number[];
  let outData = out;
  if (!returnSequences) outShape = [...lead, O];
  else if (inp.unbatched) outShape = [T, O];
  else if (inp.batchFirst) outShape = [B, T, O];
  else {
    outShape = [T, B, O];
    outData = new Float64Array(out.length);
    for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let k = 0; k < O; k++) outData[(t * B + b) * O + k] = out[(b * T + t) * O + k] as number;
  }
  const tensor = (shape: number[], d: Float64Array): TensorOut => ({ shape, data: Array.from(d) });
  let finalState: PredictResult['final_state'] = null;
  if (H > 0) {
    const hs = tensor([...lead, H], hAll);
    finalState = C > 0 ? [hs, tensor([...lead, C], cAll)] : hs;
  }
  return { output: tensor(outShape, outData), final_state: finalState };
}
