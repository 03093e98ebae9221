// Bit-exactness of the fixed backend (docs/fixed-point.md §9): the same integers every time, and
// golden hashes committed here, so any change to an integer algorithm, a table, a rounding rule
// or the data-free format choice is noticed. The same probe (vectors.ts fixedHashes, 400 steps,
// InitRng(2024)) runs under arm64 Node in tools/arm64/check.sh: its hashes must equal these.
//
// When a change to the integer algorithm is intended: update docs/fixed-point.md, the C firmware
// and the hashes below in the same commit (the failure message prints the new ones).
import { describe, expect, it } from 'vitest';
import { InitRng } from '../src/models/init.ts';
import type { Model } from '../src/models/types.ts';
import { compileBatch } from '../src/runtime/compile.ts';
import { compileFixedPolicy } from '../src/runtime/fixed/backend.ts';
import { COVERAGE_MODELS } from '../src/runtime/fixed/coverage-models.ts';
import { fixedHashes, quantizeSequence, runFixedInt } from '../src/runtime/fixed/vectors.ts';
import { laneCfc, laneLstm, laneLtc } from './helpers/models.ts';

const STEPS = 400;

/** name, formats, integer parameters, run — from x64 and arm64 alike */
const GOLDEN: readonly (readonly [string, string, string, string])[] = [
  ['lane-cfc-default', '929184cc', 'eda39bb2', '422b531b'],
  ['lane-cfc-no_gate', '929184cc', '047bfa2f', '6e7f7aaf'],
  ['lane-cfc-pure', '369b5e3b', 'e4bc588b', '27debb0f'],
  ['lane-ltc', '590f10da', 'f83de5a3', 'b4ebabe9'],
  ['lane-lstm', '5216fb09', '763f4607', 'efe95842'],
  ['coverage-feedforward', '8d8fdd6c', '1d09d0b7', '34cd7ca5'],
  ['coverage-cfc-no_gate-mixed', 'cb61411d', '35cd31b3', '1cfbedeb'],
  ['coverage-cfc-pure-backbone', '084a6dc0', '319dbbfd', 'de41d7e8'],
  ['coverage-ltc-mixed', '7b431393', '75e5e355', 'ffd5ad62'],
  ['coverage-lstm', '57b63963', 'ba231623', '42f1c4f6'],
];

const MODELS: Record<string, () => Model> = {
  'lane-cfc-default': () => laneCfc('default'),
  'lane-cfc-no_gate': () => laneCfc('no_gate'),
  'lane-cfc-pure': () => laneCfc('pure'),
  'lane-ltc': () => laneLtc(),
  'lane-lstm': () => laneLstm(),
  ...Object.fromEntries(COVERAGE_MODELS),
};

function seeded(model: Model, steps: number, seed = 2024): Float64Array {
  return Float64Array.from(new InitRng(seed).tensor([steps * model.inputSize], -1, 1).data);
}

describe('fixed backend: golden hashes', () => {
  for (const [name, quant, kernel, run] of GOLDEN) {
    it(name, () => {
      const model = (MODELS[name] as () => Model)();
      const got = fixedHashes(model, seeded(model, STEPS), STEPS);
      const line = `['${name}', '${got.quant}', '${got.kernel}', '${got.run}'],`;
      expect(got, `the integer algorithm changed; if intended, the new golden line is:\n  ${line}`).toEqual({ quant, kernel, run });
    });
  }
});

describe('fixed backend: determinism', () => {
  it('two compiles of the same model give the same integers', () => {
    for (const make of [() => laneCfc('default'), () => laneLtc()]) {
      const a = fixedHashes(make(), seeded(make(), 200), 200);
      const b = fixedHashes(make(), seeded(make(), 200), 200);
      expect(a).toEqual(b);
    }
  });

  it('reset() returns to the same trajectory', () => {
    const model = laneCfc('pure');
    const p = compileFixedPolicy(model);
    const x = seeded(model, 100);
    const { xq, tsQ } = quantizeSequence(p, x, 100, 0.05);
    const first = runFixedInt(p, xq, tsQ, false).hash;
    expect(runFixedInt(p, xq, tsQ, false).hash).not.toBe(first); // continues from the state
    p.reset();
    expect(runFixedInt(p, xq, tsQ, false).hash).toBe(first);
  });

  it('step(float) is quantizeInput → stepInt → dequantizeOutput', () => {
    const model = (MODELS['coverage-feedforward'] as () => Model)();
    const a = compileFixedPolicy(model);
    const b = compileFixedPolicy(model);
    const x = seeded(model, 30);
    const y = new Float64Array(model.outputSize);
    const xq = new Int32Array(model.inputSize);
    const yq = new Int32Array(model.outputSize);
    const y2 = new Float64Array(model.outputSize);
    for (let t = 0; t < 30; t++) {
      const xt = x.subarray(t * model.inputSize, (t + 1) * model.inputSize);
      a.step(xt, 0.07, y);
      b.quantizeInput(xt, xq);
      b.stepInt(xq, b.quantizeDt(0.07), yq);
      b.dequantizeOutput(yq, y2);
      expect(Array.from(y2)).toEqual(Array.from(y));
      expect(Array.from(b.stateQ)).toEqual(Array.from(a.stateQ));
    }
  });

  it('a batch of agents steps each exactly like a single policy', () => {
    const model = laneCfc('no_gate');
    const batch = compileBatch(model, 3, { backend: 'fixed' });
    const single = compileFixedPolicy(model);
    const steps = 20;
    const x = seeded(model, steps * 3);
    const yb = new Float64Array(3 * model.outputSize);
    const ys = new Float64Array(model.outputSize);
    for (let t = 0; t < steps; t++) {
      batch.stepBatch(x.subarray(t * 3 * 32, (t + 1) * 3 * 32), 0.05, yb);
      single.step(x.subarray((t * 3 + 1) * 32, (t * 3 + 2) * 32), 0.05, ys);
      expect(yb[1]).toBe(ys[0]);
    }
  });

  it('never throws and stays finite on extreme finite and non-finite inputs', () => {
    for (const [, make] of COVERAGE_MODELS) {
      const model = make();
      const p = compileFixedPolicy(model);
      const y = new Float64Array(model.outputSize);
      for (const v of [1e300, -1e300, Number.NaN, Infinity, 0]) {
        p.step(new Float64Array(model.inputSize).fill(v), v === 0 ? 0 : 1e9, y);
        expect(y.every(Number.isFinite)).toBe(true);
      }
    }
  });
});
