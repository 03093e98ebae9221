// Small seeded models that together use every stage, every activation, every CfC mode, mixed
// memory on CfC and LTC, every LTC mapping and the LSTM: the golden hashes of
// test/fixed-determinism.test.ts and the arm64 probe (tools/arm64/hashes.ts) run them, so a
// change to any integer algorithm, or a platform difference in one, is noticed.

import { initLstmDoc, initLtcDoc, InitRng } from '../../models/init.ts';
import { loadModel } from '../../models/load.ts';
import { MODEL_FORMAT, type Model } from '../../models/types.ts';
import { makeFullyConnected } from '../../models/wiring/index.ts';

type Doc = Record<string, unknown>;

function doc(name: string, inputSize: number, outputSize: number, stages: Doc[]): Doc {
  return { format: MODEL_FORMAT, name, inputSize, outputSize, source: { kind: 'hand', returnSequences: true }, meta: {}, stages };
}

function mixed(rng: InitRng, inSize: number, units: number): Doc {
  return { inputMap: rng.linear(4 * units, inSize), recurrentMap: { weight: rng.xavier(4 * units, units) } };
}

/** normalise → conv2d → relu → conv2d → silu → flatten → dense gelu/sigmoid/tanh → lecun_tanh → dense → CfC (backbone, mixed memory) → readout → clamp */
function feedForwardAll(): Model {
  const rng = new InitRng(31);
  const cfcLayer = {
    inputSize: 6, units: 4,
    backbone: { activation: 'lecun_tanh', layers: [rng.linear(8, 10)] },
    ff1: rng.linear(4, 8), ff2: rng.linear(4, 8), timeA: rng.linear(4, 8), timeB: rng.linear(4, 8),
  };
  return loadModel(doc('fixed-coverage-feedforward', 2 * 6 * 6, 2, [
    { type: 'normalise', mean: rng.tensor([72], -0.5, 0.5), std: rng.tensor([72], 0.5, 2) },
    { type: 'conv2d', inShape: [2, 6, 6], stride: [1, 1], padding: [1, 1], weight: rng.tensor([3, 2, 3, 3], -0.5, 0.5) },
    { type: 'activation', fn: 'relu' },
    { type: 'conv2d', stride: [2, 2], padding: [1, 1], weight: rng.tensor([2, 3, 3, 3], -0.5, 0.5), bias: rng.tensor([2], -0.2, 0.2) },
    { type: 'activation', fn: 'silu' },
    { type: 'flatten' },
    { type: 'dense', ...rng.linear(12, 18), activation: 'gelu' },
    { type: 'dense', ...rng.linear(10, 12), activation: 'sigmoid' },
    { type: 'dense', ...rng.linear(8, 10), activation: 'tanh' },
    { type: 'activation', fn: 'lecun_tanh' },
    { type: 'dense', ...rng.linear(6, 8), activation: 'none' },
    { type: 'cfc', mode: 'default', inputSize: 6, units: 4, layers: [cfcLayer], mixedMemory: mixed(rng, 6, 4) },
    { type: 'readout', weight: rng.tensor([2, 4], -3, 3), bias: rng.tensor([2], -0.5, 0.5) },
    { type: 'clamp', min: { shape: [2], data: [-0.5, -1] }, max: { shape: [2], data: [0.5, 0.25] } },
  ]));
}

function cfcOnly(name: string, mode: 'no_gate' | 'pure', activation: string, layers: number, withMixed: boolean): Model {
  const rng = new InitRng(mode === 'pure' ? 41 : 43);
  const I = 5;
  const H = 6;
  const bb = Array.from({ length: layers }, (_, i) => rng.linear(10, i === 0 ? I + H : 10));
  const heads = mode === 'pure'
    ? { ff1: rng.linear(H, 10), wTau: rng.tensor([H], -1, 1), A: rng.tensor([H], -1, 1) }
    : { ff1: rng.linear(H, 10), ff2: rng.linear(H, 10), timeA: rng.linear(H, 10), timeB: rng.linear(H, 10) };
  const cfc: Doc = { type: 'cfc', mode, inputSize: I, units: H, layers: [{ inputSize: I, units: H, backbone: { activation, layers: bb }, ...heads }] };
  if (withMixed) cfc.mixedMemory = mixed(rng, I, H);
  return loadModel(doc(name, I, 2, [cfc, { type: 'readout', ...rng.linear(2, H) }]));
}

/** An LTC on a fully connected wiring with mixed memory, linear input mapping, no output mapping, raw parameters. */
function ltcMixed(): Model {
  const d = initLtcDoc(makeFullyConnected(6, 2, 1111, true, 4), { seed: 51, odeUnfolds: 4, implicitConstraints: false, name: 'fixed-coverage-ltc' });
  const rng = new InitRng(52);
  const stage = (d.stages as Doc[])[0] as Doc;
  stage.inputMapping = 'linear';
  delete stage.inputB;
  stage.outputMapping = 'none';
  delete stage.outputW;
  delete stage.outputB;
  stage.mixedMemory = mixed(rng, 4, 6);
  return loadModel(d);
}

function lstmNormalised(): Model {
  const d = initLstmDoc(7, 5, { seed: 61, name: 'fixed-coverage-lstm' });
  const rng = new InitRng(62);
  (d.stages as Doc[]).unshift({ type: 'normalise', mean: rng.tensor([7], -1, 1), std: rng.tensor([7], 0.5, 3) });
  (d.stages as Doc[]).push({ type: 'readout', ...rng.linear(3, 5) }, { type: 'clamp', min: -0.3, max: 0.3 });
  d.outputSize = 3;
  return loadModel(d);
}

/** name → builder, in a fixed order. */
export const COVERAGE_MODELS: readonly (readonly [string, () => Model])[] = [
  ['coverage-feedforward', feedForwardAll],
  ['coverage-cfc-no_gate-mixed', () => cfcOnly('fixed-coverage-no-gate', 'no_gate', 'relu', 2, true)],
  ['coverage-cfc-pure-backbone', () => cfcOnly('fixed-coverage-pure', 'pure', 'gelu', 1, false)],
  ['coverage-ltc-mixed', ltcMixed],
  ['coverage-lstm', lstmNormalised],
];
