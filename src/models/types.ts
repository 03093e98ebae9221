// The frozen model: the stage list of DESIGN.md §3, with shapes and weights checked at load time.
// Every array is float64 here (the definition); backends derive their own layouts in `prepare`.
// Shapes are written as (rows, cols) row-major; Linear weights are (out, in) as in PyTorch.

export const MODEL_FORMAT = 'lnn-model/1';

export const ACTIVATIONS = ['none', 'relu', 'tanh', 'sigmoid', 'silu', 'gelu', 'lecun_tanh'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const CFC_MODES = ['default', 'no_gate', 'pure'] as const;
export type CfcMode = (typeof CFC_MODES)[number];

export const LTC_MAPPINGS = ['affine', 'linear', 'none'] as const;
export type LtcMapping = (typeof LTC_MAPPINGS)[number];

export const STAGE_TYPES = [
  'normalise', 'conv2d', 'activation', 'flatten', 'dense', 'cfc', 'ltc', 'lstm', 'readout', 'clamp',
] as const;
export type StageType = (typeof STAGE_TYPES)[number];
export const CELL_TYPES = ['cfc', 'ltc', 'lstm'] as const;
export type CellType = (typeof CELL_TYPES)[number];

/** y = W x + b. */
export interface Linear {
  readonly inSize: number;
  readonly outSize: number;
  /** (outSize, inSize) */
  readonly weight: Float64Array;
  /** (outSize) or null when the layer has no bias */
  readonly bias: Float64Array | null;
}

/** x -> (x - mean) / std, per feature. */
export interface NormaliseStage {
  readonly type: 'normalise';
  readonly size: number;
  /** (size) */ readonly mean: Float64Array;
  /** (size), every entry > 0 */ readonly std: Float64Array;
}

/** 2-D convolution over a CHW tensor, zero padding, no dilation. */
export interface Conv2dStage {
  readonly type: 'conv2d';
  /** [channels, height, width] of the input */
  readonly inShape: readonly [number, number, number];
  /** [outChannels, outHeight, outWidth] */
  readonly outShape: readonly [number, number, number];
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  /** (outChannels, inChannels, kh, kw) */ readonly weight: Float64Array;
  /** (outChannels) */ readonly bias: Float64Array | null;
}

export interface ActivationStage {
  readonly type: 'activation';
  readonly size: number;
  readonly fn: Activation;
}

/** Marks where a CHW tensor becomes a feature vector; CHW is already contiguous, so it copies. */
export interface FlattenStage {
  readonly type: 'flatten';
  readonly size: number;
}

export interface DenseStage extends Linear {
  readonly type: 'dense';
  readonly activation: Activation;
}

/** The affine head after the cell; on-device adaptation writes these weights. */
export interface ReadoutStage extends Linear {
  readonly type: 'readout';
}

export interface ClampStage {
  readonly type: 'clamp';
  readonly size: number;
  /** (size) */ readonly min: Float64Array;
  /** (size), max[i] >= min[i] */ readonly max: Float64Array;
}

/** ncps mixed memory: an LSTM that runs before the cell each step (spec §3.2). */
export interface MixedMemory {
  /** (4H, S) with bias (4H); chunk order [i | ig | fg | og] */
  readonly inputMap: Linear;
  /** (4H, H), no bias */
  readonly recurrentMap: Linear;
}

/** One ncps CfCCell: a plain CfC has one layer (with backbone), a wired CfC one per NCP layer. */
export interface CfcLayer {
  readonly inSize: number;
  readonly units: number;
  /** Dense layers over [x; h]; empty when the cell has no backbone. */
  readonly backbone: readonly Linear[];
  readonly backboneActivation: Activation;
  /** (units, cat): already multiplied by `mask` */ readonly ff1: Linear;
  /** not in pure mode */ readonly ff2: Linear | null;
  readonly timeA: Linear | null;
  readonly timeB: Linear | null;
  /** pure mode only: (units) */ readonly wTau: Float64Array | null;
  readonly A: Float64Array | null;
  /** (units, inSize + units) of 0/1: which ff1/ff2 synapses exist; null when dense */
  readonly mask: Uint8Array | null;
}

export interface CfcStage {
  readonly type: 'cfc';
  readonly mode: CfcMode;
  readonly inSize: number;
  /** total state size (sum of layer units); state order is layer order */
  readonly units: number;
  /** units of the last layer */
  readonly outSize: number;
  readonly layers: readonly CfcLayer[];
  readonly mixedMemory: MixedMemory | null;
  /** Descriptive wiring metadata (constructor, layers), as written in the file, or null. */
  readonly wiring: WiringInfo | null;
}

export interface LtcStage {
  readonly type: 'ltc';
  readonly inSize: number;
  /** N neurons, state in neuron-id order (motor neurons first) */
  readonly units: number;
  /** M motor neurons = output width */
  readonly motorSize: number;
  readonly odeUnfolds: number;
  readonly epsilon: number;
  /** true: softplus on w, sensoryW, cm, gleak at run time; false: raw values */
  readonly implicitConstraints: boolean;
  readonly inputMapping: LtcMapping;
  readonly outputMapping: LtcMapping;
  /** (N) */ readonly gleak: Float64Array;
  /** (N) */ readonly vleak: Float64Array;
  /** (N) */ readonly cm: Float64Array;
  /** (N, N) [source, target] */ readonly sigma: Float64Array;
  readonly mu: Float64Array;
  readonly w: Float64Array;
  readonly erev: Float64Array;
  /** (S, N) [input, target] */ readonly sensorySigma: Float64Array;
  readonly sensoryMu: Float64Array;
  readonly sensoryW: Float64Array;
  readonly sensoryErev: Float64Array;
  /** (N, N) and (S, N) of 0/1 */ readonly mask: Uint8Array;
  readonly sensoryMask: Uint8Array;
  /** (S) or null */ readonly inputW: Float64Array | null;
  readonly inputB: Float64Array | null;
  /** (M) or null */ readonly outputW: Float64Array | null;
  readonly outputB: Float64Array | null;
  readonly mixedMemory: MixedMemory | null;
  readonly wiring: WiringInfo | null;
}

/** PyTorch nn.LSTM (one layer) for baselines: gates [i | f | g | o]. */
export interface LstmStage {
  readonly type: 'lstm';
  readonly inSize: number;
  readonly units: number;
  /** (4H, S) */ readonly weightIh: Float64Array;
  /** (4H, H) */ readonly weightHh: Float64Array;
  /** (4H) */ readonly biasIh: Float64Array;
  /** (4H) */ readonly biasHh: Float64Array;
}

export type CellStage = CfcStage | LtcStage | LstmStage;
export type Stage =
  | NormaliseStage | Conv2dStage | ActivationStage | FlattenStage | DenseStage
  | CfcStage | LtcStage | LstmStage | ReadoutStage | ClampStage;

/** What a wired cell was built from; informational (the masks are the truth). */
export interface WiringInfo {
  readonly kind: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** neuron ids per layer, for plots of the NCP graph */
  readonly layers: readonly (readonly number[])[] | null;
}

/** Where a model came from and how ncps would run it (return_sequences). */
export interface ModelSource {
  readonly kind: 'ncps' | 'lnn-train' | 'hand';
  /** the ncps constructor arguments when imported from ncps */
  readonly config: Readonly<Record<string, unknown>> | null;
  readonly returnSequences: boolean;
}

export interface Model {
  readonly format: typeof MODEL_FORMAT;
  readonly name: string;
  readonly description: string;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly inputNames: readonly string[] | null;
  readonly outputNames: readonly string[] | null;
  readonly stages: readonly Stage[];
  /** index into stages of the recurrent cell, or -1 */
  readonly cellIndex: number;
  readonly source: ModelSource;
  /** free-form provenance (training command, dataset, date) */
  readonly meta: Readonly<Record<string, unknown>>;
}

export function isCell(s: Stage): s is CellStage {
  return s.type === 'cfc' || s.type === 'ltc' || s.type === 'lstm';
}

/** Output width of a stage, given the model was validated. */
export function stageOutSize(s: Stage): number {
  switch (s.type) {
    case 'normalise': case 'activation': case 'flatten': case 'clamp': return s.size;
    case 'conv2d': return s.outShape[0] * s.outShape[1] * s.outShape[2];
    case 'dense': case 'readout': return s.outSize;
    case 'cfc': return s.outSize;
    case 'ltc': return s.motorSize;
    case 'lstm': return s.units;
  }
}

/** Hidden-state size and whether the cell also carries an LSTM cell state c. */
export function cellStateSizes(s: CellStage): { h: number; c: number } {
  switch (s.type) {
    case 'cfc': case 'ltc': return { h: s.units, c: s.mixedMemory === null ? 0 : s.units };
    case 'lstm': return { h: s.units, c: s.units };
  }
}
