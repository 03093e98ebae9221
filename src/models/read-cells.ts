// Readers for the recurrent cells (CfC, LTC, LSTM). Shapes follow ncps (spec §2-§5); masked CfC
// weights are multiplied by their mask here, because trained ncps checkpoints keep non-zero init
// values at masked positions (spec §2.5) and every backend may then treat the weights as final.

import { LIMITS } from './limits.ts';
import {
  asArray, asBool, asEnum, asFreeObject, asNumber, asObject, asString, has, need, onlyKeys, type JsonObject, type Where,
} from './json-read.ts';
import { readLinear, readMask, readTensor, readVector, type Budget } from './read-tensor.ts';
import { readActivationName } from './read-stages.ts';
import {
  CFC_MODES, LTC_MAPPINGS, type CfcLayer, type CfcMode, type CfcStage, type Linear, type LstmStage,
  type LtcMapping, type LtcStage, type MixedMemory, type WiringInfo,
} from './types.ts';

const UNITS = { min: 1, limit: LIMITS.maxUnits, int: true } as const;

function readInSize(o: JsonObject, w: Where, width: number): void {
  const s = asNumber(need(o, 'inputSize', w), w.key('inputSize'), { min: 1, limit: LIMITS.maxWidth, int: true });
  if (s !== width) w.key('inputSize').fail('LNN_E_PIPELINE', `the cell takes ${s} inputs but ${width} flow in`);
}

export function readMixedMemory(v: unknown, w: Where, inSize: number, units: number, budget: Budget): MixedMemory {
  const o = asObject(v, w);
  onlyKeys(o, ['inputMap', 'recurrentMap'], w);
  const inputMap = readLinear(need(o, 'inputMap', w), w.key('inputMap'), inSize, 4 * units, budget, 'required');
  const recurrentMap = readLinear(need(o, 'recurrentMap', w), w.key('recurrentMap'), units, 4 * units, budget, 'none');
  return Object.freeze({ inputMap, recurrentMap });
}

export function readWiringInfo(v: unknown, w: Where): WiringInfo {
  const o = asObject(v, w);
  onlyKeys(o, ['kind', 'config', 'layers'], w);
  const kind = asString(need(o, 'kind', w), w.key('kind'));
  const config = has(o, 'config') ? asFreeObject(o.config, w.key('config')) : {};
  let layers: number[][] | null = null;
  if (has(o, 'layers')) {
    layers = asArray(o.layers, w.key('layers')).map((l, i) =>
      asArray(l, w.key('layers').at(i)).map((n, j) =>
        asNumber(n, w.key('layers').at(i).at(j), { min: 0, limit: LIMITS.maxUnits, int: true })));
  }
  return Object.freeze({ kind, config: Object.freeze({ ...config }), layers });
}

function readCfcLayer(v: unknown, w: Where, mode: CfcMode, inSize: number, budget: Budget): CfcLayer {
  const o = asObject(v, w);
  const heads = mode === 'pure' ? ['ff1', 'wTau', 'A'] : ['ff1', 'ff2', 'timeA', 'timeB'];
  onlyKeys(o, ['inputSize', 'units', 'backbone', 'mask', ...heads], w);
  const declaredIn = asNumber(need(o, 'inputSize', w), w.key('inputSize'), UNITS);
  if (declaredIn !== inSize) w.key('inputSize').fail('LNN_E_PIPELINE', `layer takes ${declaredIn} inputs but ${inSize} flow in`);
  const units = asNumber(need(o, 'units', w), w.key('units'), UNITS);
  const zSize = inSize + units;

  const backbone: Linear[] = [];
  let backboneActivation: CfcLayer['backboneActivation'] = 'lecun_tanh';
  if (has(o, 'backbone')) {
    const bw = w.key('backbone');
    const bo = asObject(o.backbone, bw);
    onlyKeys(bo, ['activation', 'layers'], bw);
    backboneActivation = readActivationName(need(bo, 'activation', bw), bw.key('activation'));
    const layers = asArray(need(bo, 'layers', bw), bw.key('layers'));
    if (layers.length > LIMITS.maxLayers) bw.key('layers').fail('LNN_E_LIMIT', `${layers.length} backbone layers, limit ${LIMITS.maxLayers}`);
    let width = zSize;
    layers.forEach((l, i) => {
      const lin = readLinear(l, bw.key('layers').at(i), width, null, budget, 'required');
      if (lin.outSize > LIMITS.maxWidth) bw.key('layers').at(i).fail('LNN_E_LIMIT', `width ${lin.outSize} beyond ${LIMITS.maxWidth}`);
      backbone.push(lin);
      width = lin.outSize;
    });
  }
  const cat = backbone.length > 0 ? (backbone[backbone.length - 1] as Linear).outSize : zSize;

  let mask: Uint8Array | null = null;
  if (has(o, 'mask')) {
    if (backbone.length > 0) w.key('mask').fail('LNN_E_SHAPE', 'a masked (wired) CfC layer cannot have a backbone');
    mask = readMask(o.mask, w.key('mask'), [units, zSize], budget);
  }
  const head = (k: string): Linear => {
    const lin = readLinear(need(o, k, w), w.key(k), cat, units, budget, 'required');
    return mask !== null && (k === 'ff1' || k === 'ff2') ? applyMask(lin, mask) : lin;
  };
  const ff1 = head('ff1');
  if (mode === 'pure') {
    const wTau = readVector(need(o, 'wTau', w), w.key('wTau'), units, budget);
    const A = readVector(need(o, 'A', w), w.key('A'), units, budget);
    return Object.freeze({ inSize, units, backbone, backboneActivation, ff1, ff2: null, timeA: null, timeB: null, wTau, A, mask });
  }
  return Object.freeze({
    inSize, units, backbone, backboneActivation, ff1, ff2: head('ff2'), timeA: head('timeA'), timeB: head('timeB'),
    wTau: null, A: null, mask,
  });
}

function applyMask(lin: Linear, mask: Uint8Array): Linear {
  const weight = new Float64Array(lin.weight.length);
  for (let i = 0; i < weight.length; i++) weight[i] = (mask[i] as number) === 1 ? (lin.weight[i] as number) : 0;
  return Object.freeze({ ...lin, weight });
}

export function readCfc(o: JsonObject, w: Where, width: number, budget: Budget): CfcStage {
  onlyKeys(o, ['type', 'mode', 'inputSize', 'units', 'layers', 'mixedMemory', 'wiring'], w);
  const mode = asEnum(need(o, 'mode', w), CFC_MODES, w.key('mode'), 'LNN_E_UNKNOWN_MODE');
  readInSize(o, w, width);
  const units = asNumber(need(o, 'units', w), w.key('units'), UNITS);
  const lw = w.key('layers');
  const docs = asArray(need(o, 'layers', w), lw);
  if (docs.length === 0) lw.fail('LNN_E_SHAPE', 'a CfC cell needs at least one layer');
  if (docs.length > LIMITS.maxLayers) lw.fail('LNN_E_LIMIT', `${docs.length} layers, limit ${LIMITS.maxLayers}`);
  const layers: CfcLayer[] = [];
  let inSize = width;
  let total = 0;
  docs.forEach((d, i) => {
    const layer = readCfcLayer(d, lw.at(i), mode, inSize, budget);
    layers.push(layer);
    inSize = layer.units;
    total += layer.units;
  });
  if (total !== units) w.key('units').fail('LNN_E_SHAPE', `units is ${units} but the layers hold ${total}`);
  const mixedMemory = has(o, 'mixedMemory') ? readMixedMemory(o.mixedMemory, w.key('mixedMemory'), width, units, budget) : null;
  const wiring = has(o, 'wiring') ? readWiringInfo(o.wiring, w.key('wiring')) : null;
  return Object.freeze({ type: 'cfc', mode, inSize: width, units, outSize: inSize, layers, mixedMemory, wiring });
}

const LTC_KEYS = [
  'type', 'inputSize', 'units', 'motorSize', 'odeUnfolds', 'epsilon', 'implicitConstraints', 'inputMapping',
  'outputMapping', 'gleak', 'vleak', 'cm', 'sigma', 'mu', 'w', 'erev', 'sensorySigma', 'sensoryMu', 'sensoryW',
  'sensoryErev', 'mask', 'sensoryMask', 'inputW', 'inputB', 'outputW', 'outputB', 'mixedMemory', 'wiring',
] as const;

export function readLtc(o: JsonObject, w: Where, width: number, budget: Budget): LtcStage {
  onlyKeys(o, LTC_KEYS, w);
  readInSize(o, w, width);
  const S = width;
  const N = asNumber(need(o, 'units', w), w.key('units'), UNITS);
  const M = asNumber(need(o, 'motorSize', w), w.key('motorSize'), { min: 1, max: N, int: true });
  const odeUnfolds = asNumber(need(o, 'odeUnfolds', w), w.key('odeUnfolds'), { min: 1, limit: LIMITS.maxOdeUnfolds, int: true });
  const epsilon = asNumber(need(o, 'epsilon', w), w.key('epsilon'), { min: 0, max: 1 });
  const implicitConstraints = asBool(need(o, 'implicitConstraints', w), w.key('implicitConstraints'));
  const inputMapping: LtcMapping = asEnum(need(o, 'inputMapping', w), LTC_MAPPINGS, w.key('inputMapping'), 'LNN_E_RANGE');
  const outputMapping: LtcMapping = asEnum(need(o, 'outputMapping', w), LTC_MAPPINGS, w.key('outputMapping'), 'LNN_E_RANGE');
  const vec = (k: string, n: number): Float64Array => readVector(need(o, k, w), w.key(k), n, budget);
  const mat = (k: string, r: number): Float64Array => readTensor(need(o, k, w), w.key(k), [r, N], budget).data;
  const mapped = (m: LtcMapping, kw: string, kb: string, n: number): [Float64Array | null, Float64Array | null] => {
    for (const k of [kw, kb]) {
      const wanted = m === 'affine' || (m === 'linear' && k === kw);
      if (!wanted && has(o, k)) w.key(k).fail('LNN_E_UNKNOWN_KEY', `"${k}" is not used with ${m} mapping`);
    }
    return [m === 'none' ? null : vec(kw, n), m === 'affine' ? vec(kb, n) : null];
  };
  const [inputW, inputB] = mapped(inputMapping, 'inputW', 'inputB', S);
  const [outputW, outputB] = mapped(outputMapping, 'outputW', 'outputB', M);
  const stage: LtcStage = {
    type: 'ltc', inSize: S, units: N, motorSize: M, odeUnfolds, epsilon, implicitConstraints, inputMapping, outputMapping,
    gleak: vec('gleak', N), vleak: vec('vleak', N), cm: vec('cm', N),
    sigma: mat('sigma', N), mu: mat('mu', N), w: mat('w', N), erev: mat('erev', N),
    sensorySigma: mat('sensorySigma', S), sensoryMu: mat('sensoryMu', S), sensoryW: mat('sensoryW', S),
    sensoryErev: mat('sensoryErev', S),
    mask: readMask(need(o, 'mask', w), w.key('mask'), [N, N], budget),
    sensoryMask: readMask(need(o, 'sensoryMask', w), w.key('sensoryMask'), [S, N], budget),
    inputW, inputB, outputW, outputB,
    mixedMemory: has(o, 'mixedMemory') ? readMixedMemory(o.mixedMemory, w.key('mixedMemory'), S, N, budget) : null,
    wiring: has(o, 'wiring') ? readWiringInfo(o.wiring, w.key('wiring')) : null,
  };
  // Without implicit constraints ncps uses cm, gleak and the weights as stored (it clips them in
  // training, not in the forward pass; spec §5.2), so negative values are legal here too.
  return Object.freeze(stage);
}

export function readLstm(o: JsonObject, w: Where, width: number, budget: Budget): LstmStage {
  onlyKeys(o, ['type', 'inputSize', 'units', 'weightIh', 'weightHh', 'biasIh', 'biasHh'], w);
  readInSize(o, w, width);
  const H = asNumber(need(o, 'units', w), w.key('units'), UNITS);
  return Object.freeze({
    type: 'lstm', inSize: width, units: H,
    weightIh: readTensor(need(o, 'weightIh', w), w.key('weightIh'), [4 * H, width], budget).data,
    weightHh: readTensor(need(o, 'weightHh', w), w.key('weightHh'), [4 * H, H], budget).data,
    biasIh: readVector(need(o, 'biasIh', w), w.key('biasIh'), 4 * H, budget),
    biasHh: readVector(need(o, 'biasHh', w), w.key('biasHh'), 4 * H, budget),
  });
}
