// One walk over the trainable tensors of a Model, in a fixed order with stable names. Everything
// that needs "all the parameters" (the flat parameter vector, its gradient twin, the per-worker
// gradient buffers, writing a trained document) rebuilds the model through this one function, so
// the order and the naming can never disagree between them.
//
// Trainable: every Linear weight/bias, conv weights, CfC heads (w_tau, A in pure mode), mixed
// memory maps, every LTC parameter (erev and sensory erev too: ncps registers them with
// requires_grad), LSTM weights. Not trainable: normalise statistics, clamp bounds, masks, and
// the structural numbers (shapes, ode unfolds, epsilon).

import type {
  CfcLayer, CfcStage, Linear, LstmStage, LtcStage, MixedMemory, Model, Stage,
} from '../models/types.ts';

export interface TensorInfo {
  /** e.g. "stages.7.layers.0.ff1.weight" */
  readonly name: string;
  readonly shape: readonly number[];
  /** 0/1 of the tensor's length: entries where mask is 0 are not trained and stay exactly 0 */
  readonly mask: Uint8Array | null;
  /** clip to >= 0 after every optimiser step (LTC without implicit constraints, spec §5.2) */
  readonly nonNegative: boolean;
}

/** Called for each trainable tensor; returns the array the rebuilt model should hold instead. */
export type TensorMap = (data: Float64Array, info: TensorInfo) => Float64Array;

/** Rebuilds `model` with every trainable tensor replaced by `f(tensor)`; the rest is shared. */
export function mapModelTensors(model: Model, f: TensorMap): Model {
  const stages = model.stages.map((s, i) => mapStage(s, `stages.${i}`, f));
  return Object.freeze({ ...model, stages: Object.freeze(stages) });
}

/** The trainable tensors of a model, in walk order, without copying anything. */
export function listTensors(model: Model): { data: Float64Array; info: TensorInfo }[] {
  const out: { data: Float64Array; info: TensorInfo }[] = [];
  mapModelTensors(model, (data, info) => {
    out.push({ data, info });
    return data;
  });
  return out;
}

const plain = (name: string, shape: readonly number[]): TensorInfo => ({ name, shape, mask: null, nonNegative: false });

function mapLinear(l: Linear, name: string, f: TensorMap, mask: Uint8Array | null = null): Linear {
  const weight = f(l.weight, { name: `${name}.weight`, shape: [l.outSize, l.inSize], mask, nonNegative: false });
  const bias = l.bias === null ? null : f(l.bias, plain(`${name}.bias`, [l.outSize]));
  return { inSize: l.inSize, outSize: l.outSize, weight, bias };
}

function mapMixed(m: MixedMemory | null, name: string, f: TensorMap): MixedMemory | null {
  if (m === null) return null;
  return Object.freeze({
    inputMap: Object.freeze(mapLinear(m.inputMap, `${name}.inputMap`, f)),
    recurrentMap: Object.freeze(mapLinear(m.recurrentMap, `${name}.recurrentMap`, f)),
  });
}

function mapCfcLayer(L: CfcLayer, name: string, f: TensorMap): CfcLayer {
  const opt = (l: Linear | null, k: string, mask: Uint8Array | null = null): Linear | null =>
    l === null ? null : Object.freeze(mapLinear(l, `${name}.${k}`, f, mask));
  const vec = (v: Float64Array | null, k: string): Float64Array | null => (v === null ? null : f(v, plain(`${name}.${k}`, [v.length])));
  return Object.freeze({
    inSize: L.inSize,
    units: L.units,
    backbone: Object.freeze(L.backbone.map((b, j) => Object.freeze(mapLinear(b, `${name}.backbone.${j}`, f)))),
    backboneActivation: L.backboneActivation,
    // Masked synapses of ff1/ff2 are not trained (ncps: the gradient through W⊙M is 0 there).
    ff1: Object.freeze(mapLinear(L.ff1, `${name}.ff1`, f, L.mask)),
    ff2: opt(L.ff2, 'ff2', L.mask),
    timeA: opt(L.timeA, 'timeA'),
    timeB: opt(L.timeB, 'timeB'),
    wTau: vec(L.wTau, 'wTau'),
    A: vec(L.A, 'A'),
    mask: L.mask,
  });
}

function mapCfc(s: CfcStage, name: string, f: TensorMap): CfcStage {
  // Mixed memory first: the walk order follows the order of computation within a step.
  const mixedMemory = mapMixed(s.mixedMemory, `${name}.mixedMemory`, f);
  const layers = Object.freeze(s.layers.map((L, j) => mapCfcLayer(L, `${name}.layers.${j}`, f)));
  return Object.freeze({ ...s, mixedMemory, layers });
}

function mapLtc(s: LtcStage, name: string, f: TensorMap): LtcStage {
  const N = s.units;
  const S = s.inSize;
  // Positive parameters are clipped after each step only without implicit (softplus) constraints.
  const clip = !s.implicitConstraints;
  const t = (v: Float64Array, k: string, shape: number[], nonNegative = false): Float64Array =>
    f(v, { name: `${name}.${k}`, shape, mask: null, nonNegative });
  const o = (v: Float64Array | null, k: string, n: number): Float64Array | null => (v === null ? null : t(v, k, [n]));
  const mixedMemory = mapMixed(s.mixedMemory, `${name}.mixedMemory`, f);
  return Object.freeze({
    ...s,
    mixedMemory,
    inputW: o(s.inputW, 'inputW', S),
    inputB: o(s.inputB, 'inputB', S),
    sensorySigma: t(s.sensorySigma, 'sensorySigma', [S, N]),
    sensoryMu: t(s.sensoryMu, 'sensoryMu', [S, N]),
    sensoryW: t(s.sensoryW, 'sensoryW', [S, N], clip),
    sensoryErev: t(s.sensoryErev, 'sensoryErev', [S, N]),
    gleak: t(s.gleak, 'gleak', [N], clip),
    vleak: t(s.vleak, 'vleak', [N]),
    cm: t(s.cm, 'cm', [N], clip),
    sigma: t(s.sigma, 'sigma', [N, N]),
    mu: t(s.mu, 'mu', [N, N]),
    w: t(s.w, 'w', [N, N], clip),
    erev: t(s.erev, 'erev', [N, N]),
    outputW: o(s.outputW, 'outputW', s.motorSize),
    outputB: o(s.outputB, 'outputB', s.motorSize),
  });
}

function mapLstm(s: LstmStage, name: string, f: TensorMap): LstmStage {
  const H4 = 4 * s.units;
  return Object.freeze({
    ...s,
    weightIh: f(s.weightIh, plain(`${name}.weightIh`, [H4, s.inSize])),
    weightHh: f(s.weightHh, plain(`${name}.weightHh`, [H4, s.units])),
    biasIh: f(s.biasIh, plain(`${name}.biasIh`, [H4])),
    biasHh: f(s.biasHh, plain(`${name}.biasHh`, [H4])),
  });
}

function mapStage(s: Stage, name: string, f: TensorMap): Stage {
  switch (s.type) {
    case 'normalise': case 'activation': case 'flatten': case 'clamp': return s;
    case 'conv2d': {
      const [K, C] = [s.outShape[0], s.inShape[0]];
      const weight = f(s.weight, plain(`${name}.weight`, [K, C, s.kernel[0], s.kernel[1]]));
      const bias = s.bias === null ? null : f(s.bias, plain(`${name}.bias`, [K]));
      return Object.freeze({ ...s, weight, bias });
    }
    case 'dense': return Object.freeze({ ...s, ...mapLinear(s, name, f) });
    case 'readout': return Object.freeze({ ...s, ...mapLinear(s, name, f) });
    case 'cfc': return mapCfc(s, name, f);
    case 'ltc': return mapLtc(s, name, f);
    case 'lstm': return mapLstm(s, name, f);
  }
}
