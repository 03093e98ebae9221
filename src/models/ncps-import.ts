// ncps export (`{"config", "state_dict"}`, DESIGN.md §8.1) → `lnn-model/1` document. The
// structure comes from the state_dict keys and shapes (spec §2.7, §4, §5.1); what the keys cannot
// tell (mode default vs no_gate, LTC implicit constraints, return_sequences) comes from `config`,
// with ncps's own constructor defaults when absent. The result then goes through loadModel, so
// an import is validated exactly like a native file; masked CfC weights are multiplied by their
// masks there (spec §9).

import { loadModel } from './load.ts';
import {
  asBool, asEnum, asNumber, asObject, asString, checkDepth, has, need, Where, type Json, type JsonObject,
} from './json-read.ts';
import { Budget, readTensor, readTensorShape } from './read-tensor.ts';
import { LIMITS } from './limits.ts';
import { ACTIVATIONS, CFC_MODES, MODEL_FORMAT, type Model } from './types.ts';

type Doc = Record<string, unknown>;
interface T { shape: number[]; data: Json }

/** True when a parsed document looks like an ncps export rather than a native model. */
export function isNcpsExport(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'state_dict' in doc && !('format' in doc && (doc as JsonObject).format === MODEL_FORMAT);
}

export interface NcpsImport {
  readonly doc: Doc;
  readonly model: Model;
  /** ncps `batch_first` (predict inputs are (L, B, S) when false) */
  readonly batchFirst: boolean;
}

export function importNcps(exportDoc: unknown, file?: string, name?: string): NcpsImport {
  const w = new Where(file, '');
  const o = asObject(exportDoc, w);
  const cw = w.key('config');
  const config = asObject(need(o, 'config', w), cw);
  const sd = new StateDict(asObject(need(o, 'state_dict', w), w.key('state_dict')), file);
  const type = has(config, 'type')
    ? asEnum(config.type, ['CfC', 'LTC'] as const, cw.key('type'), 'LNN_E_UNKNOWN_CELL')
    : sd.has('gleak') ? 'LTC' : 'CfC';
  checkDepth(config, cw);
  const cell = type === 'CfC' ? cfcStage(config, cw, sd) : ltcStage(config, cw, sd);
  const stages: Doc[] = [cell.stage];
  let outputSize = cell.outSize;
  if (sd.hasRaw('fc.weight')) {
    const fcw = sd.raw('fc.weight', [null, cell.outSize]);
    stages.push({ type: 'readout', weight: fcw, bias: sd.raw('fc.bias', [fcw.shape[0] as number]) });
    outputSize = fcw.shape[0] as number;
  }
  sd.checkAllUsed();
  const returnSequences = has(config, 'return_sequences') ? asBool(config.return_sequences, cw.key('return_sequences')) : true;
  const batchFirst = has(config, 'batch_first') ? asBool(config.batch_first, cw.key('batch_first')) : true;
  const doc: Doc = {
    format: MODEL_FORMAT,
    name: name ?? (has(o, 'name') ? asString(o.name, w.key('name')) : 'ncps-import'),
    description: `imported from an ncps ${type} export`,
    inputSize: cell.inSize,
    outputSize,
    source: { kind: 'ncps', config, returnSequences },
    meta: has(o, 'generator') ? { generator: o.generator } : {},
    stages,
  };
  return { doc, model: loadModel(doc, file), batchFirst };
}

/** Access to `rnn_cell.*` tensors, with or without the wrapper's `rnn_cell.` prefix. */
class StateDict {
  private readonly prefix: string;
  private readonly used = new Set<string>();
  private readonly budget = new Budget();
  constructor(private readonly sd: JsonObject, private readonly file: string | undefined) {
    this.prefix = Object.keys(sd).some((k) => k.startsWith('rnn_cell.')) ? 'rnn_cell.' : '';
  }
  /** Every key must have been read: a misspelt `fc.weights` would otherwise vanish silently. */
  checkAllUsed(): void {
    for (const k of Object.keys(this.sd)) {
      if (!this.used.has(k)) this.where(k).fail('LNN_E_UNKNOWN_KEY', `state_dict key "${k}" is not part of this ncps model`);
    }
  }
  has(k: string): boolean { return this.hasRaw(this.prefix + k); }
  hasRaw(k: string): boolean { return has(this.sd, k); }
  where(k: string): Where { return new Where(this.file, `state_dict["${k}"]`); }
  /** A tensor under the cell prefix, shape-checked; `reshape` drops ncps's leading 1 dims. */
  get(k: string, expect: readonly (number | null)[], reshape?: number[]): T {
    return this.raw(this.prefix + k, expect, reshape);
  }
  raw(k: string, expect: readonly (number | null)[], reshape?: number[]): T {
    const w = this.where(k);
    if (!has(this.sd, k)) w.fail('LNN_E_MISSING_KEY', `missing state_dict key "${k}"`);
    this.used.add(k);
    // Checked here, so errors name the state_dict key rather than the converted document.
    const { shape, data } = readTensor(this.sd[k], w, expect, this.budget);
    if (/sparsity_mask$/.test(k)) {
      for (let i = 0; i < data.length; i++) {
        const x = data[i] as number;
        if (x !== 0 && x !== 1) w.key('data').fail('LNN_E_RANGE', `a mask entry must be 0 or 1, got ${x}`, i);
      }
    }
    return { shape: reshape ?? shape, data: Array.from(data) };
  }
  /** Shape of a tensor without reading its data. */
  shapeOf(k: string, rank: number): number[] {
    const key = this.prefix + k;
    const w = this.where(key);
    if (!has(this.sd, key)) w.fail('LNN_E_MISSING_KEY', `missing state_dict key "${key}"`);
    const shape = readTensorShape(this.sd[key], w, new Array<null>(rank).fill(null));
    // Structure is read from these shapes (units, widths): bound them before anything else.
    for (const d of shape) {
      if (d > LIMITS.maxWidth) w.key('shape').fail('LNN_E_LIMIT', `dimension ${d} is beyond the limit ${LIMITS.maxWidth}`);
    }
    // ff1.weight is (units, cat) and sensory_w (inputs, units): where the unit count is read.
    const units = /ff1\.weight$/.test(key) ? shape[0] : /sensory_w$/.test(key) ? shape[1] : undefined;
    if (units !== undefined && units > LIMITS.maxUnits) {
      w.key('shape').fail('LNN_E_LIMIT', `${units} units is beyond the limit ${LIMITS.maxUnits}`);
    }
    return shape;
  }
}

function linear(sd: StateDict, k: string, inSize: number, outSize: number | null, bias = true): Doc {
  const weight = sd.get(`${k}.weight`, [outSize, inSize]);
  const d: Doc = { weight };
  if (bias) d.bias = sd.get(`${k}.bias`, [weight.shape[0] as number]);
  return d;
}

function inputSizeOf(config: JsonObject, cw: Where, fromWeights: number): number {
  if (!has(config, 'input_size')) return fromWeights;
  const s = asNumber(config.input_size, cw.key('input_size'), { min: 1, limit: LIMITS.maxWidth, int: true });
  if (s !== fromWeights) cw.key('input_size').fail('LNN_E_SHAPE', `config says ${s} inputs but the weights take ${fromWeights}`);
  return s;
}

function wiringInfo(config: JsonObject, cw: Where, layerSizes: number[]): Doc | null {
  if (!has(config, 'wiring')) return null;
  const wc = asObject(config.wiring, cw.key('wiring'));
  const kind = has(wc, 'class') ? asString(wc.class, cw.key('wiring').key('class')) : 'wiring';
  // Neuron ids per layer: ncps numbers motor neurons first, then command, then inter (spec §6.4),
  // while a wired CfC stores its state in layer order [inter | command | motor].
  let layers: number[][] | null = null;
  if (layerSizes.length === 3) {
    const [inter, command, motor] = layerSizes as [number, number, number];
    const ids = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
    layers = [ids(motor + command, inter), ids(motor, command), ids(0, motor)];
  }
  const d: Doc = { kind: kind.toLowerCase(), config: wc };
  if (layers !== null) d.layers = layers;
  return d;
}

function mixedMemory(sd: StateDict, inSize: number, units: number): Doc | null {
  if (!sd.hasRaw('lstm.input_map.weight')) return null;
  return {
    inputMap: { weight: sd.raw('lstm.input_map.weight', [4 * units, inSize]), bias: sd.raw('lstm.input_map.bias', [4 * units]) },
    recurrentMap: { weight: sd.raw('lstm.recurrent_map.weight', [4 * units, units]) },
  };
}

function checkMixedFlag(config: JsonObject, cw: Where, present: boolean): void {
  if (has(config, 'mixed_memory') && asBool(config.mixed_memory, cw.key('mixed_memory')) && !present) {
    new Where(cw.file, 'state_dict["lstm.input_map.weight"]').fail('LNN_E_MISSING_KEY', 'config says mixed_memory but the LSTM weights are missing');
  }
}

function cfcStage(config: JsonObject, cw: Where, sd: StateDict): { stage: Doc; inSize: number; outSize: number } {
  const pure = sd.has('w_tau') || sd.has('layer_0.w_tau');
  const mode = has(config, 'mode') ? asEnum(config.mode, CFC_MODES, cw.key('mode'), 'LNN_E_UNKNOWN_MODE') : pure ? 'pure' : 'default';
  const head = (p: string, inSize: number, units: number, cat: number): Doc => {
    if (mode === 'pure') {
      return { ff1: linear(sd, `${p}ff1`, cat, units), wTau: sd.get(`${p}w_tau`, [1, units], [units]), A: sd.get(`${p}A`, [1, units], [units]) };
    }
    return {
      ff1: linear(sd, `${p}ff1`, cat, units), ff2: linear(sd, `${p}ff2`, cat, units),
      timeA: linear(sd, `${p}time_a`, cat, units), timeB: linear(sd, `${p}time_b`, cat, units),
    };
  };
  const layers: Doc[] = [];
  let inSize: number;
  if (sd.has('layer_0.ff1.weight')) {
    // Wired CfC: one backbone-free CfCCell per wiring layer, masks on ff1/ff2 (spec §4).
    const [n0, z0] = sd.shapeOf('layer_0.ff1.weight', 2) as [number, number];
    inSize = inputSizeOf(config, cw, z0 - n0);
    let layerIn = inSize;
    for (let l = 0; sd.has(`layer_${l}.ff1.weight`); l++) {
      if (l >= LIMITS.maxLayers) sd.where(`layer_${l}`).fail('LNN_E_LIMIT', `more than ${LIMITS.maxLayers} wired layers`);
      const p = `layer_${l}.`;
      const [n] = sd.shapeOf(`${p}ff1.weight`, 2) as [number];
      const layer: Doc = { inputSize: layerIn, units: n, mask: sd.get(`${p}sparsity_mask`, [n, layerIn + n]) };
      Object.assign(layer, head(p, layerIn, n, layerIn + n));
      layers.push(layer);
      layerIn = n;
    }
  } else {
    const [units, z] = sd.shapeOf('ff1.weight', 2) as [number, number];
    const backbone: Doc[] = [];
    const indices = backboneIndices(sd);
    let cat = z;
    if (indices.length > 0) {
      const [, bz] = sd.shapeOf(`backbone.${indices[0]}.weight`, 2) as [number, number];
      inSize = inputSizeOf(config, cw, bz - units);
      let width = bz;
      for (const i of indices) {
        const lin = linear(sd, `backbone.${i}`, width, null);
        width = (lin.weight as T).shape[0] as number;
        backbone.push(lin);
      }
      cat = width;
    } else {
      inSize = inputSizeOf(config, cw, z - units);
    }
    const activation = has(config, 'activation') ? config.activation : has(config, 'backbone_activation') ? config.backbone_activation : 'lecun_tanh';
    const layer: Doc = { inputSize: inSize, units };
    if (backbone.length > 0) {
      layer.backbone = { activation: asEnum(activation, ACTIVATIONS, cw.key('activation'), 'LNN_E_UNKNOWN_ACTIVATION'), layers: backbone };
    }
    Object.assign(layer, head('', inSize, units, cat));
    layers.push(layer);
  }
  const sizes = layers.map((l) => l.units as number);
  const units = sizes.reduce((a, b) => a + b, 0);
  const stage: Doc = { type: 'cfc', mode, inputSize: inSize, units, layers };
  const mm = mixedMemory(sd, inSize, units);
  checkMixedFlag(config, cw, mm !== null);
  if (mm !== null) stage.mixedMemory = mm;
  const wiring = wiringInfo(config, cw, sizes);
  if (wiring !== null) stage.wiring = wiring;
  return { stage, inSize, outSize: sizes[sizes.length - 1] as number };
}

/** Backbone Linear indices in Sequential order: 0, 2, 4… or 0, 2, 5, 8… with dropout (spec §2.2). */
function backboneIndices(sd: StateDict): number[] {
  const out: number[] = [];
  for (let i = 0; i < 4 * LIMITS.maxLayers; i++) if (sd.has(`backbone.${i}.weight`)) out.push(i);
  return out;
}

function ltcStage(config: JsonObject, cw: Where, sd: StateDict): { stage: Doc; inSize: number; outSize: number } {
  const [S, N] = sd.shapeOf('sensory_w', 2) as [number, number];
  const inSize = inputSizeOf(config, cw, S);
  const mapping = (key: string, w: string, b: string): 'affine' | 'linear' | 'none' => {
    if (has(config, key)) {
      const v = config[key];
      // ncps treats any string other than affine/linear (and None) as "no mapping".
      return v === 'affine' ? 'affine' : v === 'linear' ? 'linear' : 'none';
    }
    return sd.has(w) ? (sd.has(b) ? 'affine' : 'linear') : 'none';
  };
  const inputMapping = mapping('input_mapping', 'input_w', 'input_b');
  const outputMapping = mapping('output_mapping', 'output_w', 'output_b');
  const M = outputMapping !== 'none' ? (sd.shapeOf('output_w', 1)[0] as number) : motorSizeFromConfig(config, cw, N);
  const nn = (k: string, rows: number): T => sd.get(k, [rows, N]);
  const stage: Doc = {
    type: 'ltc', inputSize: inSize, units: N, motorSize: M,
    odeUnfolds: has(config, 'ode_unfolds')
      ? asNumber(config.ode_unfolds, cw.key('ode_unfolds'), { min: 1, limit: LIMITS.maxOdeUnfolds, int: true }) : 6,
    epsilon: has(config, 'epsilon') ? asNumber(config.epsilon, cw.key('epsilon'), { min: 0, max: 1 }) : 1e-8,
    // The LTC wrapper defaults to implicit constraints (softplus) on; the flag is not in the
    // state_dict (spec §5), so an export without it gets the wrapper's default.
    implicitConstraints: has(config, 'implicit_param_constraints')
      ? asBool(config.implicit_param_constraints, cw.key('implicit_param_constraints')) : true,
    inputMapping, outputMapping,
    gleak: sd.get('gleak', [N]), vleak: sd.get('vleak', [N]), cm: sd.get('cm', [N]),
    sigma: nn('sigma', N), mu: nn('mu', N), w: nn('w', N), erev: nn('erev', N),
    sensorySigma: nn('sensory_sigma', S), sensoryMu: nn('sensory_mu', S), sensoryW: nn('sensory_w', S),
    sensoryErev: nn('sensory_erev', S),
    mask: nn('sparsity_mask', N), sensoryMask: nn('sensory_sparsity_mask', S),
  };
  if (inputMapping !== 'none') stage.inputW = sd.get('input_w', [S]);
  if (inputMapping === 'affine') stage.inputB = sd.get('input_b', [S]);
  if (outputMapping !== 'none') stage.outputW = sd.get('output_w', [M]);
  if (outputMapping === 'affine') stage.outputB = sd.get('output_b', [M]);
  const mm = mixedMemory(sd, inSize, N);
  checkMixedFlag(config, cw, mm !== null);
  if (mm !== null) stage.mixedMemory = mm;
  const wiring = wiringInfo(config, cw, []);
  if (wiring !== null) stage.wiring = wiring;
  return { stage, inSize, outSize: M };
}

/** Motor neurons when there is no output mapping to read them from. */
function motorSizeFromConfig(config: JsonObject, cw: Where, N: number): number {
  if (!has(config, 'wiring')) return N;
  const ww = cw.key('wiring');
  const wc = asObject(config.wiring, ww);
  for (const k of ['output_dim', 'output_size', 'motor_neurons']) {
    if (has(wc, k) && wc[k] !== null) return asNumber(wc[k], ww.key(k), { min: 1, max: N, int: true });
  }
  return N;
}
