// Freshly initialised model documents, seeded and deterministic: what ncps's constructors build
// (spec §2.6, §4, §5.1 init ranges), for tests, benchmarks and as the start of training.
// They return `lnn-model/1` documents, so they pass through the same validation as any file.

import { RandomState } from './rng/mt19937.ts';
import { MODEL_FORMAT, type Activation, type CfcMode } from './types.ts';
import type { Wiring } from './wiring/wiring.ts';

type Doc = Record<string, unknown>;
type TensorDoc = { shape: number[]; data: number[] };

/** Uniform floats from numpy's MT19937 stream (32-bit resolution is plenty for init). */
export class InitRng {
  private readonly rs: RandomState;
  constructor(seed: number) {
    this.rs = new RandomState(seed);
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * (this.rs.nextU32() / 4294967296);
  }
  tensor(shape: number[], lo: number, hi: number): TensorDoc {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Array<number>(n);
    for (let i = 0; i < n; i++) data[i] = this.uniform(lo, hi);
    return { shape, data };
  }
  /** torch.nn.init.xavier_uniform_ on an (out, in) matrix */
  xavier(out: number, inp: number): TensorDoc {
    const b = Math.sqrt(6 / (inp + out));
    return this.tensor([out, inp], -b, b);
  }
  /** PyTorch's default nn.Linear: bias U(±1/√in) */
  linear(out: number, inp: number): Doc {
    const b = 1 / Math.sqrt(inp);
    return { weight: this.xavier(out, inp), bias: this.tensor([out], -b, b) };
  }
}

function constant(shape: number[], v: number): TensorDoc {
  return { shape, data: new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(v) };
}

function cfcHeads(rng: InitRng, mode: CfcMode, units: number, cat: number): Doc {
  if (mode === 'pure') {
    // ncps initialises w_tau and A with xavier too (they are 2-D parameters; spec §2.6).
    const b = Math.sqrt(6 / (units + 1));
    return { ff1: rng.linear(units, cat), wTau: rng.tensor([units], -b, b), A: rng.tensor([units], -b, b) };
  }
  return { ff1: rng.linear(units, cat), ff2: rng.linear(units, cat), timeA: rng.linear(units, cat), timeB: rng.linear(units, cat) };
}

/**
 * ncps WiredCfCCell masks (spec §4): layer l sees its sources (inputs for layer 0, the previous
 * layer's neurons after) through |adjacency|, and every neuron of its own layer (dense block).
 * Shape (n_l, in_l + n_l), stored like Linear.weight.
 */
export function wiredLayerMasks(w: Wiring): { inSize: number; units: number; mask: TensorDoc }[] {
  const out: { inSize: number; units: number; mask: TensorDoc }[] = [];
  w.layers.forEach((neurons, l) => {
    const sources = l === 0 ? null : (w.layers[l - 1] as readonly number[]);
    const inSize = sources === null ? w.inputDim : sources.length;
    const n = neurons.length;
    const data: number[] = [];
    for (const dest of neurons) {
      for (let c = 0; c < inSize; c++) {
        const a = sources === null ? w.sensoryAdjacency[c * w.units + dest] : w.adjacency[(sources[c] as number) * w.units + dest];
        data.push(Math.abs(a as number));
      }
      for (let c = 0; c < n; c++) data.push(1);
    }
    out.push({ inSize, units: n, mask: { shape: [n, inSize + n], data } });
  });
  return out;
}

export interface CfcInit {
  readonly seed: number;
  readonly mode?: CfcMode;
  readonly name?: string;
}

/** A wired CfC (ncps `CfC(inputDim, wiring)`), one CfCCell per wiring layer. */
export function initWiredCfcDoc(w: Wiring, opts: CfcInit): Doc {
  const rng = new InitRng(opts.seed);
  const mode = opts.mode ?? 'default';
  const layers = wiredLayerMasks(w).map((m) => ({
    inputSize: m.inSize, units: m.units, mask: m.mask, ...cfcHeads(rng, mode, m.units, m.inSize + m.units),
  }));
  const stage = {
    type: 'cfc', mode, inputSize: w.inputDim, units: w.units, layers,
    wiring: { kind: w.kind, config: { ...w.config }, layers: w.layers.map((l) => [...l]) },
  };
  const out = (layers[layers.length - 1] as { units: number }).units;
  return model(opts.name ?? `cfc-${w.kind}-${w.units}`, w.inputDim, out, [stage]);
}

export interface DenseCfcInit extends CfcInit {
  readonly backboneUnits?: number;
  readonly backboneLayers?: number;
  readonly activation?: Activation;
}

/** A plain CfC (ncps `CfC(inputSize, units)`) with its backbone. */
export function initCfcDoc(inputSize: number, units: number, opts: DenseCfcInit): Doc {
  const rng = new InitRng(opts.seed);
  const mode = opts.mode ?? 'default';
  const bu = opts.backboneUnits ?? 128;
  const bl = opts.backboneLayers ?? 1;
  const layer: Doc = { inputSize, units };
  if (bl > 0) {
    const layers: Doc[] = [];
    for (let i = 0; i < bl; i++) layers.push(rng.linear(bu, i === 0 ? inputSize + units : bu));
    layer.backbone = { activation: opts.activation ?? 'lecun_tanh', layers };
  }
  Object.assign(layer, cfcHeads(rng, mode, units, bl > 0 ? bu : inputSize + units));
  return model(opts.name ?? `cfc-${units}`, inputSize, units, [{ type: 'cfc', mode, inputSize, units, layers: [layer] }]);
}

/** An LTC on a wiring with ncps's init ranges (ltc_cell.py `_init_ranges`), affine mappings. */
export function initLtcDoc(w: Wiring, opts: { seed: number; odeUnfolds?: number; implicitConstraints?: boolean; name?: string }): Doc {
  const rng = new InitRng(opts.seed);
  const N = w.units;
  const S = w.inputDim;
  const M = w.outputDim;
  const stage = {
    type: 'ltc', inputSize: S, units: N, motorSize: M, odeUnfolds: opts.odeUnfolds ?? 6, epsilon: 1e-8,
    implicitConstraints: opts.implicitConstraints ?? true, inputMapping: 'affine', outputMapping: 'affine',
    gleak: rng.tensor([N], 0.001, 1), vleak: rng.tensor([N], -0.2, 0.2), cm: rng.tensor([N], 0.4, 0.6),
    sigma: rng.tensor([N, N], 3, 8), mu: rng.tensor([N, N], 0.3, 0.8), w: rng.tensor([N, N], 0.001, 1),
    erev: { shape: [N, N], data: Array.from(w.adjacency) },
    sensorySigma: rng.tensor([S, N], 3, 8), sensoryMu: rng.tensor([S, N], 0.3, 0.8), sensoryW: rng.tensor([S, N], 0.001, 1),
    sensoryErev: { shape: [S, N], data: Array.from(w.sensoryAdjacency) },
    mask: { shape: [N, N], data: Array.from(w.adjacency, Math.abs) },
    sensoryMask: { shape: [S, N], data: Array.from(w.sensoryAdjacency, Math.abs) },
    inputW: constant([S], 1), inputB: constant([S], 0), outputW: constant([M], 1), outputB: constant([M], 0),
    wiring: { kind: w.kind, config: { ...w.config }, layers: w.layers.map((l) => [...l]) },
  };
  return model(opts.name ?? `ltc-${w.kind}-${N}`, S, M, [stage]);
}

/** A one-layer LSTM baseline with PyTorch's default init U(±1/√H). */
export function initLstmDoc(inputSize: number, units: number, opts: { seed: number; name?: string }): Doc {
  const rng = new InitRng(opts.seed);
  const b = 1 / Math.sqrt(units);
  const stage = {
    type: 'lstm', inputSize, units,
    weightIh: rng.tensor([4 * units, inputSize], -b, b), weightHh: rng.tensor([4 * units, units], -b, b),
    biasIh: rng.tensor([4 * units], -b, b), biasHh: rng.tensor([4 * units], -b, b),
  };
  return model(opts.name ?? `lstm-${units}`, inputSize, units, [stage]);
}

function model(name: string, inputSize: number, outputSize: number, stages: Doc[]): Doc {
  return { format: MODEL_FORMAT, name, inputSize, outputSize, source: { kind: 'hand', returnSequences: true }, meta: {}, stages };
}
