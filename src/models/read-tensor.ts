// Tensors in documents are {"shape": [...], "data": [...]} (row-major, flattened), the layout of
// ncps exports. Shapes are checked before data is touched, and sizes against LIMITS first, so a
// corrupted shape like [1e9, 1e9] fails fast instead of allocating.

import { LIMITS } from './limits.ts';
import { asFloatData, asIntList, asObject, has, need, onlyKeys, type JsonObject, type Where } from './json-read.ts';
import type { Linear } from './types.ts';

/** Counts elements across one document so a model cannot exceed LIMITS.maxModelElements. */
export class Budget {
  elements = 0;
  take(n: number, w: Where): void {
    this.elements += n;
    if (this.elements > LIMITS.maxModelElements) {
      w.fail('LNN_E_LIMIT', `the model holds more than ${LIMITS.maxModelElements} numbers in total`);
    }
  }
}

/** An expected dimension: a number must match; null accepts any size within the limits. */
export type Dim = number | null;

export interface ReadTensorOptions {
  readonly maxAbs?: number;
}

export function readTensorShape(v: unknown, w: Where, expect: readonly Dim[]): number[] {
  const o = asObject(v, w);
  onlyKeys(o, ['shape', 'data'], w);
  const shape = asIntList(need(o, 'shape', w), w.key('shape'), { min: 1, limit: LIMITS.maxTensorElements });
  if (shape.length !== expect.length) {
    w.key('shape').fail('LNN_E_SHAPE', `expected rank ${expect.length} ${fmtShape(expect)}, got rank ${shape.length} ${fmtShape(shape)}`);
  }
  let count = 1;
  for (const d of shape) count *= d;
  if (count > LIMITS.maxTensorElements) {
    w.key('shape').fail('LNN_E_LIMIT', `${fmtShape(shape)} has ${count} elements, beyond the limit ${LIMITS.maxTensorElements}`);
  }
  for (let i = 0; i < expect.length; i++) {
    const e = expect[i];
    if (e !== null && e !== undefined && shape[i] !== e) {
      w.key('shape').fail('LNN_E_SHAPE', `expected ${fmtShape(expect)}, got ${fmtShape(shape)}`);
    }
  }
  return shape;
}

/** Reads a tensor, checking its shape against `expect`; returns the shape and the data. */
export function readTensor(
  v: unknown, w: Where, expect: readonly Dim[], budget: Budget, opts: ReadTensorOptions = {},
): { shape: number[]; data: Float64Array } {
  const shape = readTensorShape(v, w, expect);
  const count = shape.reduce((a, b) => a * b, 1);
  budget.take(count, w);
  const data = asFloatData(need(v as JsonObject, 'data', w), w.key('data'), count, opts.maxAbs);
  return { shape, data };
}

export function readVector(v: unknown, w: Where, size: number, budget: Budget, opts: ReadTensorOptions = {}): Float64Array {
  return readTensor(v, w, [size], budget, opts).data;
}

/** A 0/1 mask (ncps stores abs(adjacency), so only 0 and 1 are valid). */
export function readMask(v: unknown, w: Where, expect: readonly Dim[], budget: Budget): Uint8Array {
  const { data } = readTensor(v, w, expect, budget);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i] as number;
    if (x !== 0 && x !== 1) w.key('data').fail('LNN_E_RANGE', `a mask entry must be 0 or 1, got ${x}`, i);
    out[i] = x;
  }
  return out;
}

/** {"weight": (out, in), "bias"?: (out)}; `out` may be inferred (null). */
export function readLinear(
  v: unknown, w: Where, inSize: number, outSize: Dim, budget: Budget, bias: 'required' | 'optional' | 'none',
  extraKeys: readonly string[] = [],
  /** true for stage-level weights, whose input width comes from the previous stage */
  fromFlow = false,
): Linear {
  const o = asObject(v, w);
  onlyKeys(o, bias === 'none' ? ['weight', ...extraKeys] : ['weight', 'bias', ...extraKeys], w);
  const ww = w.key('weight');
  if (fromFlow) {
    // A stage weight whose input width differs from what the previous stage produces is a
    // pipeline problem, not a typo in one tensor: say so, with both widths.
    const shape = readTensorShape(need(o, 'weight', w), ww, [outSize, null]);
    if (shape[1] !== inSize) ww.key('shape').fail('LNN_E_PIPELINE', `the weight takes ${shape[1]} inputs but ${inSize} flow in`);
  }
  const wt = readTensor(need(o, 'weight', w), ww, [outSize, inSize], budget);
  const out = wt.shape[0] as number;
  let b: Float64Array | null = null;
  if (bias === 'required' || (bias === 'optional' && has(o, 'bias'))) {
    b = readVector(need(o, 'bias', w), w.key('bias'), out, budget);
  }
  return Object.freeze({ inSize, outSize: out, weight: wt.data, bias: b });
}

export function fmtShape(s: readonly Dim[]): string {
  return `[${s.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

/** Tensor to JSON, the inverse of readTensor. */
export function tensorJson(shape: readonly number[], data: ArrayLike<number>): { shape: number[]; data: number[] } {
  return { shape: [...shape], data: Array.from(data) };
}
