// Readers for the feed-forward stages. Each takes the width that flows in from the previous
// stage and checks its tensors against it, so a pipeline that does not chain fails at load.

import { LIMITS } from './limits.ts';
import {
  asEnum, asIntList, asNumber, asObject, has, need, onlyKeys, type JsonObject, type Where,
} from './json-read.ts';
import { readLinear, readTensor, readVector, type Budget } from './read-tensor.ts';
import {
  ACTIVATIONS, type Activation, type ActivationStage, type ClampStage, type Conv2dStage, type DenseStage,
  type FlattenStage, type NormaliseStage, type ReadoutStage,
} from './types.ts';

export interface Flow {
  /** width of the vector entering the stage */
  readonly width: number;
  /** CHW shape when the previous stage produced an image (conv2d output), else null */
  readonly chw: readonly [number, number, number] | null;
}

export function readActivationName(v: unknown, w: Where): Activation {
  return asEnum(v, ACTIVATIONS, w, 'LNN_E_UNKNOWN_ACTIVATION');
}

export function readNormalise(o: JsonObject, w: Where, flow: Flow, budget: Budget): NormaliseStage {
  onlyKeys(o, ['type', 'mean', 'std'], w);
  const mean = readVector(need(o, 'mean', w), w.key('mean'), flow.width, budget);
  const std = readVector(need(o, 'std', w), w.key('std'), flow.width, budget);
  for (let i = 0; i < std.length; i++) {
    if (!((std[i] as number) > 0)) w.key('std').key('data').fail('LNN_E_RANGE', `std must be > 0, got ${std[i]}`, i);
  }
  return Object.freeze({ type: 'normalise', size: flow.width, mean, std });
}

export function readConv2d(o: JsonObject, w: Where, flow: Flow, budget: Budget): Conv2dStage {
  onlyKeys(o, ['type', 'inShape', 'stride', 'padding', 'weight', 'bias'], w);
  const inList = has(o, 'inShape')
    ? asIntList(o.inShape, w.key('inShape'), { min: 1, limit: LIMITS.maxWidth, length: 3 })
    : flow.chw !== null ? [...flow.chw] : w.key('inShape').fail('LNN_E_MISSING_KEY', 'missing "inShape" [channels, height, width] (the input is not an image)');
  const [c, h, wd] = inList as [number, number, number];
  if (c * h * wd !== flow.width) {
    w.key('inShape').fail('LNN_E_PIPELINE', `inShape [${c}, ${h}, ${wd}] holds ${c * h * wd} values, but ${flow.width} flow in`);
  }
  const stride = has(o, 'stride') ? asIntList(o.stride, w.key('stride'), { min: 1, max: LIMITS.maxStride, length: 2 }) : [1, 1];
  const padding = has(o, 'padding') ? asIntList(o.padding, w.key('padding'), { min: 0, max: LIMITS.maxKernel, length: 2 }) : [0, 0];
  const wt = readTensor(need(o, 'weight', w), w.key('weight'), [null, c, null, null], budget);
  const [k, , kh, kw] = wt.shape as [number, number, number, number];
  if (kh > LIMITS.maxKernel || kw > LIMITS.maxKernel) {
    w.key('weight').fail('LNN_E_LIMIT', `kernel ${kh}x${kw} is beyond the limit ${LIMITS.maxKernel}`);
  }
  const [sh, sw] = stride as [number, number];
  const [ph, pw] = padding as [number, number];
  const ho = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const wo = Math.floor((wd + 2 * pw - kw) / sw) + 1;
  if (ho < 1 || wo < 1) w.fail('LNN_E_SHAPE', `a ${kh}x${kw} kernel does not fit a ${h}x${wd} input with padding [${ph}, ${pw}]`);
  if (k * ho * wo > LIMITS.maxWidth) w.fail('LNN_E_LIMIT', `output ${k}x${ho}x${wo} is beyond the width limit ${LIMITS.maxWidth}`);
  const bias = has(o, 'bias') ? readVector(o.bias, w.key('bias'), k, budget) : null;
  return Object.freeze({
    type: 'conv2d', inShape: [c, h, wd], outShape: [k, ho, wo], kernel: [kh, kw],
    stride: [sh, sw], padding: [ph, pw], weight: wt.data, bias,
  } as const);
}

export function readActivationStage(o: JsonObject, w: Where, flow: Flow): ActivationStage {
  onlyKeys(o, ['type', 'fn'], w);
  return Object.freeze({ type: 'activation', size: flow.width, fn: readActivationName(need(o, 'fn', w), w.key('fn')) });
}

export function readFlatten(o: JsonObject, w: Where, flow: Flow): FlattenStage {
  onlyKeys(o, ['type'], w);
  return Object.freeze({ type: 'flatten', size: flow.width });
}

export function readDense(o: JsonObject, w: Where, flow: Flow, budget: Budget): DenseStage {
  const lin = readLinear(o, w, flow.width, null, budget, 'optional', ['type', 'activation'], true);
  const activation = has(o, 'activation') ? readActivationName(o.activation, w.key('activation')) : 'none';
  checkWidth(lin.outSize, w.key('weight'));
  return Object.freeze({ type: 'dense', ...lin, activation });
}

export function readReadout(o: JsonObject, w: Where, flow: Flow, budget: Budget): ReadoutStage {
  const lin = readLinear(o, w, flow.width, null, budget, 'optional', ['type'], true);
  checkWidth(lin.outSize, w.key('weight'));
  return Object.freeze({ type: 'readout', ...lin });
}

export function readClamp(o: JsonObject, w: Where, flow: Flow, budget: Budget): ClampStage {
  onlyKeys(o, ['type', 'min', 'max'], w);
  const min = readBound(need(o, 'min', w), w.key('min'), flow.width, budget);
  const max = readBound(need(o, 'max', w), w.key('max'), flow.width, budget);
  for (let i = 0; i < flow.width; i++) {
    if ((max[i] as number) < (min[i] as number)) w.key('max').fail('LNN_E_RANGE', `max ${max[i]} < min ${min[i]}`, i);
  }
  return Object.freeze({ type: 'clamp', size: flow.width, min, max });
}

/** A clamp bound is a tensor of the flow width or one number for every output. */
function readBound(v: unknown, w: Where, width: number, budget: Budget): Float64Array {
  if (typeof v === 'number') return new Float64Array(width).fill(asNumber(v, w));
  return readVector(asObject(v, w), w, width, budget);
}

function checkWidth(n: number, w: Where): void {
  if (n > LIMITS.maxWidth) w.fail('LNN_E_LIMIT', `width ${n} is beyond the limit ${LIMITS.maxWidth}`);
}
