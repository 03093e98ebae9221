// Model -> `lnn-model/1` document, the inverse of loadModel. Float64 values print exactly, so
// load(save(m)) reproduces every weight bit for bit.

import { writeFileSync } from 'node:fs';
import { LnnError } from '../errors.ts';
import { tensorJson } from './read-tensor.ts';
import type { CfcLayer, CfcStage, Linear, LtcStage, MixedMemory, Model, Stage, WiringInfo } from './types.ts';

type Doc = Record<string, unknown>;

function linear(l: Linear): Doc {
  const d: Doc = { weight: tensorJson([l.outSize, l.inSize], l.weight) };
  if (l.bias !== null) d.bias = tensorJson([l.outSize], l.bias);
  return d;
}

function vec(a: ArrayLike<number>): Doc {
  return tensorJson([a.length], a);
}

function mixed(m: MixedMemory): Doc {
  return { inputMap: linear(m.inputMap), recurrentMap: linear(m.recurrentMap) };
}

function wiring(w: WiringInfo): Doc {
  const d: Doc = { kind: w.kind, config: w.config };
  if (w.layers !== null) d.layers = w.layers;
  return d;
}

function cfcLayer(l: CfcLayer): Doc {
  const d: Doc = { inputSize: l.inSize, units: l.units };
  if (l.backbone.length > 0) d.backbone = { activation: l.backboneActivation, layers: l.backbone.map(linear) };
  if (l.mask !== null) d.mask = tensorJson([l.units, l.inSize + l.units], l.mask);
  d.ff1 = linear(l.ff1);
  if (l.ff2 !== null) d.ff2 = linear(l.ff2);
  if (l.timeA !== null) d.timeA = linear(l.timeA);
  if (l.timeB !== null) d.timeB = linear(l.timeB);
  if (l.wTau !== null) d.wTau = vec(l.wTau);
  if (l.A !== null) d.A = vec(l.A);
  return d;
}

function cfc(s: CfcStage): Doc {
  const d: Doc = { type: 'cfc', mode: s.mode, inputSize: s.inSize, units: s.units, layers: s.layers.map(cfcLayer) };
  if (s.mixedMemory !== null) d.mixedMemory = mixed(s.mixedMemory);
  if (s.wiring !== null) d.wiring = wiring(s.wiring);
  return d;
}

function ltc(s: LtcStage): Doc {
  const N = s.units;
  const S = s.inSize;
  const d: Doc = {
    type: 'ltc', inputSize: S, units: N, motorSize: s.motorSize, odeUnfolds: s.odeUnfolds, epsilon: s.epsilon,
    implicitConstraints: s.implicitConstraints, inputMapping: s.inputMapping, outputMapping: s.outputMapping,
    gleak: vec(s.gleak), vleak: vec(s.vleak), cm: vec(s.cm),
    sigma: tensorJson([N, N], s.sigma), mu: tensorJson([N, N], s.mu), w: tensorJson([N, N], s.w),
    erev: tensorJson([N, N], s.erev),
    sensorySigma: tensorJson([S, N], s.sensorySigma), sensoryMu: tensorJson([S, N], s.sensoryMu),
    sensoryW: tensorJson([S, N], s.sensoryW), sensoryErev: tensorJson([S, N], s.sensoryErev),
    mask: tensorJson([N, N], s.mask), sensoryMask: tensorJson([S, N], s.sensoryMask),
  };
  if (s.inputW !== null) d.inputW = vec(s.inputW);
  if (s.inputB !== null) d.inputB = vec(s.inputB);
  if (s.outputW !== null) d.outputW = vec(s.outputW);
  if (s.outputB !== null) d.outputB = vec(s.outputB);
  if (s.mixedMemory !== null) d.mixedMemory = mixed(s.mixedMemory);
  if (s.wiring !== null) d.wiring = wiring(s.wiring);
  return d;
}

export function stageJson(s: Stage): Doc {
  switch (s.type) {
    case 'normalise': return { type: s.type, mean: vec(s.mean), std: vec(s.std) };
    case 'conv2d': {
      const [k, c] = [s.outShape[0], s.inShape[0]];
      const d: Doc = {
        type: s.type, inShape: [...s.inShape], stride: [...s.stride], padding: [...s.padding],
        weight: tensorJson([k, c, s.kernel[0], s.kernel[1]], s.weight),
      };
      if (s.bias !== null) d.bias = vec(s.bias);
      return d;
    }
    case 'activation': return { type: s.type, fn: s.fn };
    case 'flatten': return { type: s.type };
    case 'dense': return { type: s.type, ...linear(s), activation: s.activation };
    case 'readout': return { type: s.type, ...linear(s) };
    case 'clamp': return { type: s.type, min: vec(s.min), max: vec(s.max) };
    case 'cfc': return cfc(s);
    case 'ltc': return ltc(s);
    case 'lstm': {
      const H4 = 4 * s.units;
      return {
        type: s.type, inputSize: s.inSize, units: s.units,
        weightIh: tensorJson([H4, s.inSize], s.weightIh), weightHh: tensorJson([H4, s.units], s.weightHh),
        biasIh: vec(s.biasIh), biasHh: vec(s.biasHh),
      };
    }
  }
}

export function modelJson(m: Model): Doc {
  const d: Doc = { format: m.format, name: m.name };
  if (m.description !== '') d.description = m.description;
  d.inputSize = m.inputSize;
  d.outputSize = m.outputSize;
  if (m.inputNames !== null) d.inputNames = m.inputNames;
  if (m.outputNames !== null) d.outputNames = m.outputNames;
  const src: Doc = { kind: m.source.kind, returnSequences: m.source.returnSequences };
  if (m.source.config !== null) src.config = m.source.config;
  d.source = src;
  d.meta = m.meta;
  d.stages = m.stages.map(stageJson);
  return d;
}

/** Writes a document as JSON (one line per stage key would be nicer to diff, but size wins). */
export function writeJsonFile(file: string, doc: unknown): void {
  // Serialise first: a failure there is not the output file's fault (documents are depth-checked
  // at load time, so it would be a bug).
  const text = `${JSON.stringify(doc)}\n`;
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new LnnError('LNN_E_FILE_WRITE', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file });
  }
}
