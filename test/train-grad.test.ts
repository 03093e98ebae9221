// Backward is the true gradient of the ref forward pass: for every stage type, every activation,
// every CfC mode/option combination, LTC with and without softplus constraints, LSTM and the
// lane-shaped camera pipeline, the analytic gradient matches five-point central differences in
// float64; and the training forward pass is bit-identical to the ref backend.

import { describe, expect, it } from 'vitest';
import { InitRng, initCfcDoc, initLstmDoc, initLtcDoc, initWiredCfcDoc } from '../src/models/init.ts';
import { initLanePolicyDoc } from '../src/models/init-policies.ts';
import { loadModel } from '../src/models/load.ts';
import { ACTIVATIONS, MODEL_FORMAT, type Activation, type CfcMode, type Model } from '../src/models/types.ts';
import { makeFullyConnected, makeNcp } from '../src/models/wiring/index.ts';
import { compileRef } from '../src/runtime/ref/pipeline.ts';
import { gradcheck, randomBatch } from '../src/train/gradcheck.ts';
import { paramView } from '../src/train/params.ts';
import { GradEngine, type SeqBatch } from '../src/train/seq-tape.ts';

type Doc = Record<string, unknown>;

const REL = 1e-5;
const ABS = 1e-9;

const tinyNcp = (inputs: number) =>
  makeNcp({ inter: 4, command: 3, motor: 2, sensoryFanout: 2, interFanout: 2, recurrentCommandSynapses: 2, motorFanin: 2, seed: 3 }, inputs);

function doc(inputSize: number, outputSize: number, stages: Doc[]): Doc {
  return { format: MODEL_FORMAT, name: 'tiny', inputSize, outputSize, stages };
}

/** ncps mixed memory with its init ranges (spec §3.2, orthogonal replaced by uniform). */
function withMixedMemory(cell: Doc, inSize: number, units: number, seed: number): Doc {
  const rng = new InitRng(seed);
  const b = 1 / Math.sqrt(units);
  return {
    ...cell,
    mixedMemory: {
      inputMap: { weight: rng.xavier(4 * units, inSize), bias: rng.tensor([4 * units], -0.1, 0.1) },
      recurrentMap: { weight: rng.tensor([4 * units, units], -b, b) },
    },
  };
}

function cellStage(d: Doc): Doc {
  return (d.stages as Doc[])[0] as Doc;
}

/** The forward pass of the trainer against the ref backend, sequence by sequence: bit-identical. */
function expectRefParity(model: Model, batch: SeqBatch): void {
  const y = new GradEngine(model).forward(batch);
  const pol = compileRef(model);
  const { B, T } = batch;
  const I = model.inputSize;
  const O = model.outputSize;
  for (let b = 0; b < B; b++) {
    pol.reset();
    const out = new Float64Array(T * O);
    pol.runSequence(batch.inputs.subarray(b * T * I, (b + 1) * T * I), T, batch.dts.subarray(b * T, (b + 1) * T), out);
    expect(Array.from(y.subarray(b * T * O, (b + 1) * T * O))).toEqual(Array.from(out));
  }
}

function check(d: Doc, opts: { B?: number; T?: number; sample?: number; seed?: number } = {}) {
  const model = loadModel(d);
  const view = paramView(model);
  const batch = randomBatch(model, opts.B ?? 2, opts.T ?? 4, opts.seed ?? 11);
  expectRefParity(model, batch);
  const r = gradcheck(view, batch, { sample: opts.sample, seed: 1 });
  expect(r.checked).toBeGreaterThan(0);
  expect(r.frozenNonZero).toBe(0);
  expect(r.maxAbsError, JSON.stringify(r.worst)).toBeLessThan(ABS);
  expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(REL);
  return r;
}

describe('feed-forward stages', () => {
  // normalise → conv (stride 2, pad 1, bias) → act → conv (stride 1, no bias) → act → flatten →
  // dense(act) → readout → clamp. The clamp bounds cut some outputs, whose gradient must be 0.
  const ffDoc = (fn: Activation, clampBound: number): Doc => {
    const rng = new InitRng(7);
    return doc(2 * 5 * 6, 2, [
      { type: 'normalise', mean: rng.tensor([60], -0.1, 0.1), std: rng.tensor([60], 0.5, 1.5) },
      { type: 'conv2d', inShape: [2, 5, 6], stride: [2, 2], padding: [1, 1], weight: rng.tensor([3, 2, 3, 3], -0.5, 0.5), bias: rng.tensor([3], -0.1, 0.1) },
      { type: 'activation', fn },
      { type: 'conv2d', stride: [1, 1], padding: [0, 1], weight: rng.tensor([2, 3, 2, 2], -0.5, 0.5) },
      { type: 'activation', fn },
      { type: 'flatten' },
      { type: 'dense', weight: rng.tensor([5, 16], -0.5, 0.5), bias: rng.tensor([5], -0.1, 0.1), activation: fn },
      { type: 'readout', weight: rng.tensor([2, 5], -1, 1), bias: rng.tensor([2], -0.1, 0.1) },
      { type: 'clamp', min: -clampBound, max: clampBound },
    ]);
  };
  for (const fn of ACTIVATIONS) {
    it(`conv2d, activation, flatten, dense, readout, clamp with ${fn}`, () => {
      check(ffDoc(fn, 10), { T: 2 });
    });
  }
  it('clamp passes no gradient outside its bounds', () => {
    // A bound between two middle |outputs| clips about half of them (and sits on no kink).
    const free = loadModel(ffDoc('tanh', 10));
    const batch = randomBatch(free, 2, 3, 5);
    const ys = Array.from(new GradEngine(free).forward(batch), Math.abs).sort((a, b) => a - b);
    const m = Math.floor(ys.length / 2);
    const bound = ((ys[m] as number) + (ys[m + 1] as number)) / 2;
    const d = ffDoc('tanh', bound);
    const y = new GradEngine(loadModel(d)).forward(batch);
    const clipped = Array.from(y).filter((v) => Math.abs(v) === bound).length;
    expect(clipped).toBeGreaterThan(0);
    expect(clipped).toBeLessThan(y.length);
    check(d, { T: 3, seed: 5 });
  });
});

describe('CfC', () => {
  const modes: CfcMode[] = ['default', 'no_gate', 'pure'];
  for (const mode of modes) {
    for (const mixed of [false, true]) {
      const tag = `${mode}${mixed ? ', mixed memory' : ''}`;
      it(`wired NCP (masks, 3 layers), ${tag}`, () => {
        const w = tinyNcp(5);
        let d = initWiredCfcDoc(w, { seed: 1, mode });
        if (mixed) d = doc(5, 2, [withMixedMemory(cellStage(d), 5, w.units, 9)]);
        const r = check(d, { T: 5 });
        expect(r.checked).toBeLessThan(paramView(loadModel(d)).size); // masked synapses are not trained
      });
      it(`backbone of 2 layers (gelu), ${tag}`, () => {
        let d = initCfcDoc(3, 4, { seed: 2, mode, backboneUnits: 6, backboneLayers: 2, activation: 'gelu' });
        if (mixed) d = doc(3, 4, [withMixedMemory(cellStage(d), 3, 4, 9)]);
        check(d, { T: 5 });
      });
      it(`no backbone, ${tag}`, () => {
        let d = initCfcDoc(3, 4, { seed: 2, mode, backboneLayers: 0 });
        if (mixed) d = doc(3, 4, [withMixedMemory(cellStage(d), 3, 4, 9)]);
        check(d, { T: 5 });
      });
    }
  }
  for (const fn of ['lecun_tanh', 'silu', 'relu', 'tanh', 'sigmoid'] as const) {
    it(`backbone activation ${fn}`, () => {
      check(initCfcDoc(3, 4, { seed: 4, backboneUnits: 5, backboneLayers: 1, activation: fn }), { T: 4 });
    });
  }
  it('single-layer FullyConnected wiring (sensory mask only)', () => {
    check(initWiredCfcDoc(makeFullyConnected(5, 2, 1111, true, 3), { seed: 6 }), { T: 4 });
  });
});

describe('LTC', () => {
  for (const implicitConstraints of [true, false]) {
    for (const mixed of [false, true]) {
      it(`implicit constraints ${implicitConstraints}${mixed ? ', mixed memory' : ''}, 3 ODE unfolds`, () => {
        const w = tinyNcp(3);
        let d = initLtcDoc(w, { seed: 4, odeUnfolds: 3, implicitConstraints });
        if (mixed) d = doc(3, 2, [withMixedMemory(cellStage(d), 3, w.units, 9)]);
        check(d, { T: 4 });
      });
    }
  }
  for (const [inputMapping, outputMapping] of [['linear', 'none'], ['none', 'linear']] as const) {
    it(`input mapping ${inputMapping}, output mapping ${outputMapping}, 1 unfold`, () => {
      const d = initLtcDoc(tinyNcp(3), { seed: 5, odeUnfolds: 1 });
      const st = { ...cellStage(d), inputMapping, outputMapping } as Doc;
      // 'linear' keeps only the weight, 'none' neither (neither is affine here).
      for (const [m, w, b] of [[inputMapping, 'inputW', 'inputB'], [outputMapping, 'outputW', 'outputB']] as const) {
        delete st[b];
        if (m === 'none') delete st[w];
      }
      check(doc(3, 2, [st]), { T: 4 });
    });
  }
});

describe('LSTM and whole pipelines', () => {
  it('LSTM cell with a readout', () => {
    const d = initLstmDoc(3, 4, { seed: 5 });
    const rng = new InitRng(3);
    check(doc(3, 2, [cellStage(d), { type: 'readout', weight: rng.tensor([2, 4], -1, 1), bias: rng.tensor([2], -0.1, 0.1) }]), { T: 5 });
  });
  it('lane-shaped policy on an 8×16 camera: normalise → conv → relu → conv → relu → dense → NCP CfC', () => {
    const d = initLanePolicyDoc({ seed: 7, camera: [8, 16] });
    const model = loadModel(d);
    const view = paramView(model);
    const batch = randomBatch(model, 2, 3, 13, 0, 1);
    expectRefParity(model, batch);
    // Sampled: 5.5k parameters; the sample covers every stage.
    const r = gradcheck(view, batch, { sample: 600, seed: 2 });
    expect(r.frozenNonZero).toBe(0);
    expect(r.maxAbsError, JSON.stringify(r.worst)).toBeLessThan(ABS);
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(REL);
  });
  it('per-step masks and output weights (weighted MSE)', () => {
    const d = initCfcDoc(3, 2, { seed: 2, backboneUnits: 4 });
    const model = loadModel(d);
    const view = paramView(model);
    const batch = randomBatch(model, 2, 4, 3);
    const masks = Float64Array.from([0, 1, 2, 0.5, 1, 0, 3, 1]);
    const r = gradcheck(view, { ...batch, masks }, { loss: { outputWeights: Float64Array.from([2, 0.5]) } });
    expect(r.maxRelError, JSON.stringify(r.worst)).toBeLessThan(REL);
  });
});
