// The mapping config (`lnn-mapping/1`, docs/run.md): named model inputs and outputs ↔ an adapter's
// topics or pins, with valid ranges, normalisation, hold limits, clamps, rate limits and failsafe
// values. Parsed once, checked against the model, then read-only (src/io/types.ts IoMapping).

import { LnnError } from '../errors.ts';
import type { InputField, IoMapping, OutputField } from '../io/types.ts';
import { asArray, asBool, asNumber, asObject, asString, has, need, onlyKeys, Where, type JsonObject } from '../models/json-read.ts';
import { readJsonFile } from '../models/load.ts';

export const MAPPING_FORMAT = 'lnn-mapping/1';

/** Defaults for optional keys (units in names). */
export const MAPPING_DEFAULTS = {
  /** hold a last good value at most 0.25 s: ~8 frames of a 30 Hz camera */
  maxAgeS: 0.25,
  /** no sample at all on a field for 1 s: the link is dead */
  watchdogS: 1,
  autoArm: false,
  robotId: 'robot',
} as const;

const TOP_KEYS = ['format', 'robotId', 'autoArm', 'watchdogS', 'inputs', 'outputs', 'description'];
const INPUT_KEYS = ['name', 'topic', 'size', 'min', 'max', 'mean', 'std', 'maxAgeS', 'description'];
const OUTPUT_KEYS = ['name', 'topic', 'size', 'min', 'max', 'scale', 'bias', 'ratePerS', 'failsafe', 'description'];
/** a field is at most this wide (a 64×64 image) */
const MAX_FIELD_SIZE = 65_536;
const MAX_FIELDS = 256;

function optNumber(o: JsonObject, k: string, w: Where, dflt: number, r: Parameters<typeof asNumber>[2] = {}): number {
  return has(o, k) && o[k] !== null ? asNumber(o[k], w.key(k), r) : dflt;
}

function fieldName(o: JsonObject, w: Where, seen: Set<string>): string {
  const name = asString(need(o, 'name', w), w.key('name'));
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(name)) w.key('name').fail('LNN_E_RANGE', `"${name}" is not a valid name (letters, digits, _ . -; at most 64)`);
  if (seen.has(name)) w.key('name').fail('LNN_E_RANGE', `duplicate field name "${name}"`);
  seen.add(name);
  return name;
}

function readInput(v: unknown, w: Where, offset: number, seen: Set<string>): InputField {
  const o = asObject(v, w);
  onlyKeys(o, INPUT_KEYS, w);
  const name = fieldName(o, w, seen);
  const size = optNumber(o, 'size', w, 1, { min: 1, int: true, limit: MAX_FIELD_SIZE });
  const min = optNumber(o, 'min', w, -Infinity);
  const max = optNumber(o, 'max', w, Infinity);
  if (!(min < max)) w.key('max').fail('LNN_E_RANGE', `max (${max}) must be greater than min (${min})`);
  return {
    name, size, offset, min, max,
    topic: has(o, 'topic') ? asString(o.topic, w.key('topic')) : '',
    mean: optNumber(o, 'mean', w, 0),
    std: optNumber(o, 'std', w, 1, { above: 0 }),
    maxAgeS: optNumber(o, 'maxAgeS', w, MAPPING_DEFAULTS.maxAgeS, { above: 0, max: 3600 }),
  };
}

function readOutput(v: unknown, w: Where, offset: number, seen: Set<string>): OutputField {
  const o = asObject(v, w);
  onlyKeys(o, OUTPUT_KEYS, w);
  const name = fieldName(o, w, seen);
  const size = optNumber(o, 'size', w, 1, { min: 1, int: true, limit: MAX_FIELD_SIZE });
  // clamps and the failsafe value are required: an actuator without limits is a design error
  const min = asNumber(need(o, 'min', w), w.key('min'));
  const max = asNumber(need(o, 'max', w), w.key('max'));
  if (!(min < max)) w.key('max').fail('LNN_E_RANGE', `max (${max}) must be greater than min (${min})`);
  const failsafe = asNumber(need(o, 'failsafe', w), w.key('failsafe'));
  if (failsafe < min || failsafe > max) w.key('failsafe').fail('LNN_E_RANGE', `failsafe ${failsafe} is outside [${min}, ${max}]`);
  return {
    name, size, offset, min, max, failsafe,
    topic: has(o, 'topic') ? asString(o.topic, w.key('topic')) : '',
    scale: optNumber(o, 'scale', w, 1),
    bias: optNumber(o, 'bias', w, 0),
    ratePerS: optNumber(o, 'ratePerS', w, Infinity, { above: 0 }),
  };
}

/** Validates a parsed mapping document. `file` names it in errors. */
export function parseMapping(doc: unknown, file?: string): IoMapping {
  const w = new Where(file, '');
  const o = asObject(doc, w);
  const format = asString(need(o, 'format', w), w.key('format'));
  if (format !== MAPPING_FORMAT) w.key('format').fail('LNN_E_FORMAT', `unsupported format "${format}" (this lnn-edge reads "${MAPPING_FORMAT}")`);
  onlyKeys(o, TOP_KEYS, w);
  const seen = new Set<string>();
  const fields = <T extends { size: number }>(key: string, read: (v: unknown, w: Where, off: number, s: Set<string>) => T): T[] => {
    const docs = asArray(need(o, key, w), w.key(key));
    if (docs.length === 0) w.key(key).fail('LNN_E_RANGE', `needs at least one field`);
    if (docs.length > MAX_FIELDS) w.key(key).fail('LNN_E_LIMIT', `${docs.length} fields, beyond the limit ${MAX_FIELDS}`);
    const out: T[] = [];
    let off = 0;
    docs.forEach((d, i) => { const f = read(d, w.key(key).at(i), off, seen); out.push(f); off += f.size; });
    return out;
  };
  const inputs = fields('inputs', readInput);
  const outputs = fields('outputs', readOutput);
  const robotId = has(o, 'robotId') ? asString(o.robotId, w.key('robotId')) : MAPPING_DEFAULTS.robotId;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(robotId)) w.key('robotId').fail('LNN_E_RANGE', `"${robotId}" is not a valid robot id (letters, digits, _ -)`);
  return freezeMapping({
    inputs, outputs, robotId,
    inputSize: inputs.reduce((s, f) => s + f.size, 0),
    outputSize: outputs.reduce((s, f) => s + f.size, 0),
    watchdogS: optNumber(o, 'watchdogS', w, MAPPING_DEFAULTS.watchdogS, { above: 0, max: 3600 }),
    autoArm: has(o, 'autoArm') ? asBool(o.autoArm, w.key('autoArm')) : MAPPING_DEFAULTS.autoArm,
  });
}

export function readMappingFile(file: string): IoMapping {
  return parseMapping(readJsonFile(file), file);
}

/** The mapping's widths must equal the model's. */
export function checkMapping(m: IoMapping, model: { inputSize: number; outputSize: number }, file?: string): void {
  const where = file === undefined ? {} : { file };
  if (m.inputSize !== model.inputSize) {
    throw new LnnError('LNN_E_INPUT_WIDTH', `the mapping's inputs add up to ${m.inputSize} values but the model takes ${model.inputSize}`, { ...where, field: 'inputs' });
  }
  if (m.outputSize !== model.outputSize) {
    throw new LnnError('LNN_E_INPUT_WIDTH', `the mapping's outputs add up to ${m.outputSize} values but the model gives ${model.outputSize}`, { ...where, field: 'outputs' });
  }
}

/**
 * The mapping used without `--mapping`: one input field `x` (the whole vector, no range check
 * beyond NaN/Inf), one output field `y`, unclamped (±1e9), failsafe 0, no rate limit, not auto-armed.
 */
export function defaultMapping(model: { inputSize: number; outputSize: number }, over: Partial<Pick<IoMapping, 'autoArm' | 'robotId' | 'watchdogS'>> = {}): IoMapping {
  return freezeMapping({
    inputs: [{ name: 'x', topic: '', size: model.inputSize, offset: 0, min: -Infinity, max: Infinity, mean: 0, std: 1, maxAgeS: MAPPING_DEFAULTS.maxAgeS }],
    outputs: [{ name: 'y', topic: '', size: model.outputSize, offset: 0, scale: 1, bias: 0, min: -1e9, max: 1e9, ratePerS: Infinity, failsafe: 0 }],
    inputSize: model.inputSize,
    outputSize: model.outputSize,
    watchdogS: over.watchdogS ?? MAPPING_DEFAULTS.watchdogS,
    autoArm: over.autoArm ?? MAPPING_DEFAULTS.autoArm,
    robotId: over.robotId ?? MAPPING_DEFAULTS.robotId,
  });
}

function freezeMapping(m: IoMapping): IoMapping {
  m.inputs.forEach((f) => Object.freeze(f));
  m.outputs.forEach((f) => Object.freeze(f));
  Object.freeze(m.inputs);
  Object.freeze(m.outputs);
  return Object.freeze(m);
}

/** Field index by name (-1 when absent). */
export function inputIndex(m: IoMapping, name: string): number {
  return m.inputs.findIndex((f) => f.name === name);
}
