// Quantisation from data (docs/fixed-point.md §7): run the float64 reference over calibration
// inputs, record the range of every tensor that needs a format, and choose int16 formats with
// headroom. With no data, the same is done over a seeded synthetic sequence drawn from an assumed
// input box (the data-free default). The result is stored under `meta.quant`, so the quantised
// model is still a valid `lnn-model/1` document.

import { LnnError } from '../../errors.ts';
import { fracFor } from '../../runtime/fixed/arith.ts';
import { compileFixed } from '../../runtime/fixed/pipeline.ts';
import { compileRef } from '../../runtime/ref/pipeline.ts';
import { modelJson } from '../save.ts';
import type { Model, Stage } from '../types.ts';
import {
  FRAC_MAX, FRAC_Q312, QUANT_FORMAT, perFeatureInput, quantParamsJson, stageQuantKeys, tableActivation,
  type QuantParams, type StageQuant,
} from './params.ts';
import { observeRanges, type Ranges, type StageRanges } from './probe.ts';

export interface QuantizeOptions {
  /** Nominal step, seconds (default 1, ncps's default timespan). Δt is carried as Q4.12 in its units,
   *  so steps up to 8× nominal are represented; calibration steps use it unless `dtPerStepS`. */
  readonly dtS?: number;
  /** Δt of each calibration step, seconds (length = steps). */
  readonly dtPerStepS?: Float64Array;
  /** Factor on observed ranges before a format is chosen (default 2: one spare integer bit). */
  readonly headroom?: number;
  /** Weight width: 8..16 bits, or 'auto' (default): 8 when the int8 policy stays within
   *  `maxError` of the reference over the calibration sequence, else 16. */
  readonly weightBits?: number | 'auto';
  /** The 'auto' target: largest |fixed − ref| over every output and state (default 0.02). */
  readonly maxError?: number;
}

/** Data-free default: inputs assumed within ±4 (or mean ± 4·std when the model starts with a normalise). */
export const DATA_FREE_INPUT_BOUND = 4;
/** Data-free default: length of the synthetic calibration sequence. */
export const DATA_FREE_STEPS = 256;
/** Smallest range a calibrated format is given (a tensor that stayed ~0 in calibration). */
export const MIN_RANGE = 1 / 64;

/** Formats from calibration inputs (steps × inputSize, row-major). */
export function deriveQuantParams(model: Model, calibration: Float64Array, opts: QuantizeOptions = {}): QuantParams {
  const I = model.inputSize;
  if (calibration.length === 0 || calibration.length % I !== 0) {
    throw new LnnError('LNN_E_SHAPE', `calibration inputs hold ${calibration.length} values, not a whole number of steps of ${I}`);
  }
  for (let i = 0; i < calibration.length; i++) {
    if (!Number.isFinite(calibration[i] as number)) throw new LnnError('LNN_E_NONFINITE', 'calibration inputs must be finite', { index: i });
  }
  const steps = calibration.length / I;
  const dtS = nominalDt(opts);
  const dts = opts.dtPerStepS ?? dtS;
  if (typeof dts !== 'number' && dts.length !== steps) {
    throw new LnnError('LNN_E_SHAPE', `dtPerStepS has ${dts.length} values for ${steps} calibration steps`);
  }
  const headroom = opts.headroom ?? 2;
  const ranges = observeRanges(model, calibration, steps, dts);
  const inputRange = Array.from(ranges.input, (r) => r * headroom);
  const q = chooseFormats(model, ranges, inputRange, { dtS, headroom, steps, origin: 'calibration' });
  return { ...q, weightBits: chooseWeightBits(model, q, calibration, steps, dts, opts) };
}

/**
 * The data-free default: formats from a seeded synthetic sequence (256 steps, inputs uniform in
 * the assumed box, Δt cycling through dtS/8 .. 2·dtS), inputs formatted to hold the box itself.
 */
export function dataFreeQuantParams(model: Model, opts: QuantizeOptions = {}): QuantParams {
  const I = model.inputSize;
  const dtS = nominalDt(opts);
  const headroom = opts.headroom ?? 2;
  const first: Stage | undefined = model.stages[0];
  const lo = new Float64Array(I);
  const hi = new Float64Array(I);
  for (let i = 0; i < I; i++) {
    const norm = first?.type === 'normalise' ? first : null;
    const mean = norm === null ? 0 : (norm.mean[i] as number);
    const half = DATA_FREE_INPUT_BOUND * (norm === null ? 1 : (norm.std[i] as number));
    lo[i] = mean - half;
    hi[i] = mean + half;
  }
  const steps = DATA_FREE_STEPS;
  const xs = new Float64Array(steps * I);
  let seed = 0x9e3779b9 | 0;
  for (let k = 0; k < xs.length; k++) {
    // xorshift32: integer-only and the same on every machine
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const u = (seed >>> 0) / 4294967296;
    const i = k % I;
    xs[k] = (lo[i] as number) + ((hi[i] as number) - (lo[i] as number)) * u;
  }
  const dts = Float64Array.from({ length: steps }, (_, t) => (dtS * (1 + (t % 16))) / 8);
  const ranges = observeRanges(model, xs, steps, dts);
  const inputRange = Array.from({ length: I }, (_, i) => Math.max(Math.abs(lo[i] as number), Math.abs(hi[i] as number)));
  const q = chooseFormats(model, ranges, inputRange, { dtS, headroom, steps: 0, origin: 'data-free' });
  return { ...q, weightBits: chooseWeightBits(model, q, xs, steps, dts, opts) };
}

/** The model as a document with `meta.quant` set from calibration inputs. */
export function quantizeModel(model: Model, calibration: Float64Array, opts: QuantizeOptions = {}): Record<string, unknown> {
  return withQuantParams(model, deriveQuantParams(model, calibration, opts));
}

/** The model as a document carrying the given quantisation parameters. */
export function withQuantParams(model: Model, q: QuantParams): Record<string, unknown> {
  const doc = modelJson(model);
  doc.meta = { ...model.meta, quant: quantParamsJson(q) };
  return doc;
}

/** Largest |fixed − ref| over outputs and states at every step of a sequence, both from zero state. */
export function fixedDeviation(model: Model, q: QuantParams, xs: Float64Array, steps: number, dts: number | Float64Array): number {
  const f = compileFixed(model, q);
  const r = compileRef(model);
  const yf = new Float64Array(model.outputSize);
  const yr = new Float64Array(model.outputSize);
  const hf = new Float64Array(f.stateSize);
  const hr = new Float64Array(f.stateSize);
  const cf = new Float64Array(f.cellStateSize);
  const cr = new Float64Array(f.cellStateSize);
  const x = new Float64Array(model.inputSize);
  let worst = 0;
  const dev = (a: Float64Array, b: Float64Array): void => {
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  };
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < x.length; i++) x[i] = xs[t * x.length + i] as number;
    const dt = typeof dts === 'number' ? dts : (dts[t] as number);
    f.step(x, dt, yf);
    r.step(x, dt, yr);
    f.getState(hf, cf);
    r.getState(hr, cr);
    dev(yf, yr);
    dev(hf, hr);
    dev(cf, cr);
  }
  return Number.isNaN(worst) ? Infinity : worst;
}

function chooseWeightBits(model: Model, q: QuantParams, xs: Float64Array, steps: number, dts: number | Float64Array, opts: QuantizeOptions): number {
  const wb = opts.weightBits ?? 'auto';
  if (wb !== 'auto') {
    if (!Number.isInteger(wb) || wb < 8 || wb > 16) throw new LnnError('LNN_E_RANGE', `weightBits must be an integer in 8..16 or "auto", got ${wb}`);
    return wb;
  }
  return fixedDeviation(model, { ...q, weightBits: 8 }, xs, steps, dts) <= (opts.maxError ?? 0.02) ? 8 : 16;
}

function nominalDt(opts: QuantizeOptions): number {
  const dt = opts.dtS ?? 1;
  if (!(dt > 0 && dt <= 86_400)) throw new LnnError('LNN_E_RANGE', `the nominal step must be in (0, 86400] seconds, got ${dt}`);
  return dt;
}

interface Choice { dtS: number; headroom: number; steps: number; origin: QuantParams['origin'] }

function fmt(r: number | undefined, headroom: number): number {
  return Math.min(FRAC_MAX, fracFor(Math.max((r ?? 0) * headroom, MIN_RANGE)));
}

function chooseFormats(model: Model, ranges: Ranges, inputRange: number[], c: Choice): QuantParams {
  let input = inputRange.map((r) => Math.min(FRAC_MAX, fracFor(Math.max(r, MIN_RANGE))));
  if (!perFeatureInput(model)) {
    const f = Math.min(...input);
    input = input.map(() => f);
  }
  const stages = model.stages.map((s, i) => stageFormats(s, ranges.stages[i] as StageRanges, c.headroom));
  return {
    format: QUANT_FORMAT, dtNominalS: c.dtS, weightBits: 8, origin: c.origin, headroom: c.headroom, calibrationSteps: c.steps,
    input, stages,
    observed: { input: Array.from(ranges.input), stages: ranges.stages.map((r) => ({ ...r })) },
  };
}

function stageFormats(s: Stage, r: StageRanges, headroom: number): StageQuant {
  const q: { -readonly [K in keyof StageQuant]: StageQuant[K] } = {};
  for (const k of stageQuantKeys(s)) {
    if (k === 'backbone' && s.type === 'cfc') {
      q.backbone = s.layers.map((L, l) => L.backbone.map((_, j) =>
        tableActivation(L.backboneActivation) ? FRAC_Q312 : fmt(r.backbone?.[l]?.[j], headroom)));
    } else if (k === 'pre' && s.type === 'dense') {
      q.pre = tableActivation(s.activation) ? FRAC_Q312 : fmt(r.pre, headroom);
    } else if (k !== 'backbone') {
      q[k] = fmt(r[k], headroom);
    }
  }
  return q;
}
