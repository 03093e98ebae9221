// The quantisation parameters of a model, as stored in its free-form `meta.quant` object
// (docs/fixed-point.md §7), so a quantised model is still a plain `lnn-model/1` document.
// They are the activation formats only: each calibrated tensor gets a number of fractional bits f
// (int16, real = q·2^−f). Weights are not stored: the fixed backend derives its int8 weights
// from the float weights with a documented, deterministic rule (§5).

import { asArray, asEnum, asNumber, asObject, has, need, onlyKeys, Where, type Json, type JsonObject } from '../json-read.ts';
import type { Activation, Model, Stage } from '../types.ts';

export const QUANT_FORMAT = 'lnn-quant/1';

/** Fractional bits of a calibrated int16 tensor: Q(15−f).f with f in [0, 23] (ranges 2^15 .. 2^−8). */
export const FRAC_MIN = 0;
export const FRAC_MAX = 23;

/** Pre-activation format of the table-based activations: Q3.12 (range ±8). */
export const FRAC_Q312 = 12;

/** Per-stage formats; which keys a stage has is `stageQuantKeys`. */
export interface StageQuant {
  /** normalise, conv2d, readout, ltc (output mapping): the stage output */
  readonly out?: number;
  /** dense: the linear output before the activation */
  readonly pre?: number;
  /** cfc: per layer, per backbone linear, its output before the activation */
  readonly backbone?: readonly (readonly number[])[];
  /** cfc pure mode: the ff1 head and the hidden state */
  readonly ff1?: number;
  readonly h?: number;
  /** mixed memory or LSTM: the cell state c */
  readonly c?: number;
  /** ltc: the input after the input mapping */
  readonly x?: number;
}

export interface QuantParams {
  readonly format: typeof QUANT_FORMAT;
  /** the nominal step: Δt is carried as Q4.12 in units of it (range 0 .. 8·dtNominalS) */
  readonly dtNominalS: number;
  /** weight width in bits, 8..16 (int8 is the MCU-friendly default when it is accurate enough) */
  readonly weightBits: number;
  /** where the formats came from */
  readonly origin: 'calibration' | 'data-free';
  readonly headroom: number;
  readonly calibrationSteps: number;
  /** fractional bits of each input feature */
  readonly input: readonly number[];
  /** one entry per model stage */
  readonly stages: readonly StageQuant[];
  /** the largest |value| seen per calibrated tensor, same layout as `input`/`stages` (informative) */
  readonly observed?: { readonly input: readonly number[]; readonly stages: readonly Readonly<Record<string, unknown>>[] };
}

/** Activations whose input goes through the Q3.12 tables: their pre-activation format is fixed. */
export function tableActivation(fn: Activation): boolean {
  return fn === 'sigmoid' || fn === 'tanh' || fn === 'lecun_tanh';
}

/** The keys a stage's entry must have. */
export function stageQuantKeys(s: Stage): (keyof StageQuant)[] {
  switch (s.type) {
    case 'normalise': case 'conv2d': case 'readout': return ['out'];
    case 'dense': return ['pre'];
    case 'activation': case 'flatten': case 'clamp': return [];
    case 'cfc': {
      const k: (keyof StageQuant)[] = ['backbone'];
      if (s.mode === 'pure') k.push('ff1', 'h');
      if (s.mixedMemory !== null) k.push('c');
      return k;
    }
    case 'ltc': {
      const k: (keyof StageQuant)[] = ['x'];
      if (s.outputMapping !== 'none') k.push('out');
      if (s.mixedMemory !== null) k.push('c');
      return k;
    }
    case 'lstm': return ['c'];
  }
}

/** Whether the model's first stage can take one format per input feature (linear consumers can). */
export function perFeatureInput(m: Model): boolean {
  const t = m.stages[0]?.type;
  return t === 'normalise' || t === 'dense' || t === 'readout' || t === 'cfc' || t === 'ltc' || t === 'lstm';
}

function fracAt(v: Json | undefined, w: Where): number {
  return asNumber(v, w, { int: true, min: FRAC_MIN, max: FRAC_MAX });
}

/** Reads and checks `meta.quant` against the model; null when the model has none. */
export function readQuantParams(m: Model, file?: string): QuantParams | null {
  if (!Object.prototype.hasOwnProperty.call(m.meta, 'quant')) return null;
  const w = new Where(file, 'meta.quant');
  const o = asObject(m.meta.quant, w);
  onlyKeys(o, ['format', 'dtNominalS', 'weightBits', 'origin', 'headroom', 'calibrationSteps', 'input', 'stages', 'observed'], w);
  const format = need(o, 'format', w);
  if (format !== QUANT_FORMAT) w.key('format').fail('LNN_E_FORMAT', `unsupported quantisation format ${JSON.stringify(format)} (this lnn-edge reads "${QUANT_FORMAT}")`);
  const inputs = asArray(need(o, 'input', w), w.key('input'));
  if (inputs.length !== m.inputSize) w.key('input').fail('LNN_E_SHAPE', `expected ${m.inputSize} input formats, got ${inputs.length}`);
  const input = inputs.map((v, i) => fracAt(v, w.key('input').at(i)));
  if (!perFeatureInput(m) && input.some((f) => f !== input[0])) {
    w.key('input').fail('LNN_E_RANGE', `the first stage is ${m.stages[0]?.type ?? 'missing'}: every input feature needs the same format`);
  }
  const sdocs = asArray(need(o, 'stages', w), w.key('stages'));
  if (sdocs.length !== m.stages.length) w.key('stages').fail('LNN_E_SHAPE', `expected ${m.stages.length} stage entries, got ${sdocs.length}`);
  const stages = m.stages.map((s, i) => readStageQuant(s, asObject(sdocs[i], w.key('stages').at(i)), w.key('stages').at(i)));
  return {
    format: QUANT_FORMAT,
    dtNominalS: asNumber(need(o, 'dtNominalS', w), w.key('dtNominalS'), { above: 0, max: 86_400 }),
    weightBits: has(o, 'weightBits') ? asNumber(o.weightBits, w.key('weightBits'), { int: true, min: 8, max: 16 }) : 8,
    origin: has(o, 'origin') ? asEnum(o.origin, ['calibration', 'data-free'] as const, w.key('origin'), 'LNN_E_RANGE') : 'calibration',
    headroom: has(o, 'headroom') ? asNumber(o.headroom, w.key('headroom'), { above: 0 }) : 2,
    calibrationSteps: has(o, 'calibrationSteps') ? asNumber(o.calibrationSteps, w.key('calibrationSteps'), { int: true, min: 0 }) : 0,
    input,
    stages,
  };
}

function readStageQuant(s: Stage, o: JsonObject, w: Where): StageQuant {
  const keys = stageQuantKeys(s);
  onlyKeys(o, keys, w);
  const q: { -readonly [K in keyof StageQuant]: StageQuant[K] } = {};
  for (const k of keys) {
    if (k === 'backbone') {
      if (s.type !== 'cfc') continue;
      const ls = asArray(need(o, k, w), w.key(k));
      if (ls.length !== s.layers.length) w.key(k).fail('LNN_E_SHAPE', `expected ${s.layers.length} layers, got ${ls.length}`);
      q.backbone = s.layers.map((L, l) => {
        const lw = w.key(k).at(l);
        const a = asArray(ls[l], lw);
        if (a.length !== L.backbone.length) lw.fail('LNN_E_SHAPE', `expected ${L.backbone.length} backbone formats, got ${a.length}`);
        return a.map((v, j) => checkFixed(fracAt(v, lw.at(j)), L.backboneActivation, lw.at(j)));
      });
    } else if (k === 'pre' && s.type === 'dense') {
      q.pre = checkFixed(fracAt(need(o, k, w), w.key(k)), s.activation, w.key(k));
    } else {
      q[k] = fracAt(need(o, k, w), w.key(k));
    }
  }
  return q;
}

/** A table activation's pre-activation is Q3.12 by definition; a stored format must say so. */
function checkFixed(f: number, fn: Activation, w: Where): number {
  if (tableActivation(fn) && f !== FRAC_Q312) w.fail('LNN_E_RANGE', `a ${fn} pre-activation is Q3.12 (12 fractional bits), got ${f}`);
  return f;
}

/** The JSON object stored at `meta.quant`. */
export function quantParamsJson(q: QuantParams): Record<string, unknown> {
  const d: Record<string, unknown> = {
    format: q.format, dtNominalS: q.dtNominalS, weightBits: q.weightBits, origin: q.origin, headroom: q.headroom,
    calibrationSteps: q.calibrationSteps, input: [...q.input],
    stages: q.stages.map((s) => JSON.parse(JSON.stringify(s)) as unknown),
  };
  if (q.observed !== undefined) d.observed = JSON.parse(JSON.stringify(q.observed)) as unknown;
  return d;
}
