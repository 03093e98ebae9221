// Loading an `lnn-model/1` document: validate everything once (keys, types, shapes, finite values,
// limits, stage chaining) and return a frozen Model. Nothing downstream re-checks.

import { readFileSync, statSync } from 'node:fs';
import { LnnError } from '../errors.ts';
import { LIMITS } from './limits.ts';
import {
  asArray, asBool, asEnum, asFreeObject, asNumber, asObject, asString, has, need, onlyKeys, parseJsonText, Where,
  type Json, type JsonObject,
} from './json-read.ts';
import { Budget } from './read-tensor.ts';
import {
  readActivationStage, readClamp, readConv2d, readDense, readFlatten, readNormalise, readReadout, type Flow,
} from './read-stages.ts';
import { readCfc, readLstm, readLtc } from './read-cells.ts';
import { MODEL_FORMAT, STAGE_TYPES, isCell, stageOutSize, type Model, type ModelSource, type Stage } from './types.ts';

const TOP_KEYS = [
  'format', 'name', 'description', 'inputSize', 'outputSize', 'inputNames', 'outputNames', 'stages', 'source', 'meta',
] as const;

/** Reads a whole file as text with a size check first (a huge file would exhaust memory). */
export function readTextFile(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new LnnError('LNN_E_FILE_NOT_FOUND', 'no such file', { file });
    throw new LnnError('LNN_E_FILE_READ', `cannot read (${code ?? String(e)})`, { file });
  }
  if (size > LIMITS.maxFileBytes) {
    throw new LnnError('LNN_E_LIMIT', `file is ${size} bytes, beyond the limit ${LIMITS.maxFileBytes}`, { file });
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new LnnError('LNN_E_FILE_READ', `cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file });
  }
}

export function readJsonFile(file: string): Json {
  return parseJsonText(readTextFile(file), file);
}

export function loadModelFile(file: string): Model {
  return loadModel(readJsonFile(file), file);
}

/** Validates a parsed `lnn-model/1` document and returns the frozen model. */
export function loadModel(doc: unknown, file?: string): Model {
  const w = new Where(file, '');
  const o = asObject(doc, w);
  const format = asString(need(o, 'format', w), w.key('format'));
  if (format !== MODEL_FORMAT) {
    w.key('format').fail('LNN_E_FORMAT', `unsupported format "${format}" (this lnn-edge reads "${MODEL_FORMAT}")`);
  }
  onlyKeys(o, TOP_KEYS, w);
  const inputSize = asNumber(need(o, 'inputSize', w), w.key('inputSize'), { min: 1, limit: LIMITS.maxWidth, int: true });
  const outputSize = asNumber(need(o, 'outputSize', w), w.key('outputSize'), { min: 1, limit: LIMITS.maxWidth, int: true });
  const stageDocs = asArray(need(o, 'stages', w), w.key('stages'));
  if (stageDocs.length > LIMITS.maxStages) {
    w.key('stages').fail('LNN_E_LIMIT', `${stageDocs.length} stages, beyond the limit ${LIMITS.maxStages}`);
  }
  const budget = new Budget();
  const stages: Stage[] = [];
  let flow: Flow = { width: inputSize, chw: null };
  let cellIndex = -1;
  stageDocs.forEach((sd, i) => {
    const sw = w.key('stages').at(i);
    const stage = readStage(asObject(sd, sw), sw, flow, budget);
    if (isCell(stage)) {
      if (cellIndex >= 0) sw.fail('LNN_E_PIPELINE', `a model has at most one recurrent cell (stage ${cellIndex} is one)`);
      cellIndex = i;
    }
    stages.push(stage);
    // Element-wise stages keep the image shape, so conv2d → activation → conv2d needs no inShape.
    const chw = stage.type === 'conv2d' ? stage.outShape : stage.type === 'activation' || stage.type === 'normalise' ? flow.chw : null;
    flow = { width: stageOutSize(stage), chw };
  });
  if (flow.width !== outputSize) {
    w.key('outputSize').fail('LNN_E_PIPELINE', `declared ${outputSize} outputs but the stages produce ${flow.width}`);
  }
  const names = (k: 'inputNames' | 'outputNames', n: number): string[] | null => {
    if (!has(o, k)) return null;
    const a = asArray(o[k], w.key(k));
    if (a.length !== n) w.key(k).fail('LNN_E_SHAPE', `expected ${n} names, got ${a.length}`);
    return a.map((x, j) => asString(x, w.key(k).at(j)));
  };
  return Object.freeze({
    format: MODEL_FORMAT,
    name: has(o, 'name') ? asString(o.name, w.key('name')) : 'unnamed',
    description: has(o, 'description') ? asString(o.description, w.key('description')) : '',
    inputSize,
    outputSize,
    inputNames: names('inputNames', inputSize),
    outputNames: names('outputNames', outputSize),
    stages: Object.freeze(stages),
    cellIndex,
    source: readSource(o, w),
    meta: has(o, 'meta') ? Object.freeze({ ...asFreeObject(o.meta, w.key('meta')) }) : Object.freeze({}),
  });
}

function readStage(o: JsonObject, w: Where, flow: Flow, budget: Budget): Stage {
  const type = asEnum(need(o, 'type', w), STAGE_TYPES, w.key('type'), 'LNN_E_UNKNOWN_STAGE');
  switch (type) {
    case 'normalise': return readNormalise(o, w, flow, budget);
    case 'conv2d': return readConv2d(o, w, flow, budget);
    case 'activation': return readActivationStage(o, w, flow);
    case 'flatten': return readFlatten(o, w, flow);
    case 'dense': return readDense(o, w, flow, budget);
    case 'cfc': return readCfc(o, w, flow.width, budget);
    case 'ltc': return readLtc(o, w, flow.width, budget);
    case 'lstm': return readLstm(o, w, flow.width, budget);
    case 'readout': return readReadout(o, w, flow, budget);
    case 'clamp': return readClamp(o, w, flow, budget);
  }
}

function readSource(o: JsonObject, w: Where): ModelSource {
  if (!has(o, 'source')) return Object.freeze({ kind: 'hand', config: null, returnSequences: true });
  const sw = w.key('source');
  const so = asObject(o.source, sw);
  onlyKeys(so, ['kind', 'config', 'returnSequences'], sw);
  return Object.freeze({
    kind: asEnum(need(so, 'kind', sw), ['ncps', 'lnn-train', 'hand'] as const, sw.key('kind'), 'LNN_E_RANGE'),
    config: has(so, 'config') ? Object.freeze({ ...asFreeObject(so.config, sw.key('config')) }) : null,
    returnSequences: has(so, 'returnSequences') ? asBool(so.returnSequences, sw.key('returnSequences')) : true,
  });
}
