// Quantisation from data (docs/fixed-point.md §7): formats derived from calibration inputs are
// stored under `meta.quant`, the document stays a valid `lnn-model/1` file, and the fixed backend
// reads them back to the same integers. Bad quantisation parameters make the backend refuse the
// model with a reason; no parameters at all give the data-free default.
import { describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { InitRng } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { readQuantParams, type QuantParams } from '../src/models/quantize/params.ts';
import { dataFreeQuantParams, deriveQuantParams, quantizeModel, withQuantParams } from '../src/models/quantize/quantize.ts';
import { modelJson } from '../src/models/save.ts';
import type { Model } from '../src/models/types.ts';
import { compile } from '../src/runtime/compile.ts';
import { compileFixedPolicy, fixedBackend } from '../src/runtime/fixed/backend.ts';
import { COVERAGE_MODELS } from '../src/runtime/fixed/coverage-models.ts';
import { compileFixed } from '../src/runtime/fixed/pipeline.ts';
import { fixedHashes, stringHash } from '../src/runtime/fixed/vectors.ts';
import { laneCfc, laneLtc } from './helpers/models.ts';

function calib(m: Model, steps: number, seed = 8): Float64Array {
  return Float64Array.from(new InitRng(seed).tensor([steps * m.inputSize], -1, 1).data);
}

/** The model document with meta.quant replaced by `edit(quant)`. */
function withEditedQuant(m: Model, edit: (q: Record<string, unknown>) => void): Model {
  const doc = withQuantParams(m, deriveQuantParams(m, calib(m, 50), { dtS: 0.05 }));
  const q = JSON.parse(JSON.stringify((doc.meta as Record<string, unknown>).quant)) as Record<string, unknown>;
  edit(q);
  doc.meta = { quant: q };
  return loadModel(doc);
}

describe('quantizeModel', () => {
  it('writes a valid lnn-model/1 document whose meta.quant reads back to the same formats', () => {
    const m = laneCfc('pure');
    const doc = quantizeModel(m, calib(m, 300), { dtS: 0.05 });
    const back = loadModel(JSON.parse(JSON.stringify(doc)));
    expect(back.format).toBe('lnn-model/1');
    const q = readQuantParams(back) as QuantParams;
    expect(q.format).toBe('lnn-quant/1');
    expect(q.origin).toBe('calibration');
    expect(q.dtNominalS).toBe(0.05);
    expect(q.calibrationSteps).toBe(300);
    expect(q.input).toHaveLength(32);
    expect([8, 16]).toContain(q.weightBits);
    expect(q.stages[0]).toHaveProperty('ff1');
    expect(q.stages[0]).toHaveProperty('h');
    // the weights are untouched: only meta changed
    expect(modelJson(back).stages).toEqual(modelJson(m).stages);
    // a second save/load keeps it
    expect(readQuantParams(loadModel(JSON.parse(JSON.stringify(modelJson(back)))))).toEqual(q);
  });

  it('the fixed backend runs a quantised document bit for bit like the formats it was made from', () => {
    for (const m of [laneCfc('default'), laneLtc(), (COVERAGE_MODELS[0] as [string, () => Model])[1]()]) {
      const cal = calib(m, 200);
      const q = deriveQuantParams(m, cal, { dtS: 0.05 });
      const fromDoc = loadModel(JSON.parse(JSON.stringify(withQuantParams(m, q))));
      const x = calib(m, 100, 3);
      const a = fixedHashes(fromDoc, x, 100);
      const p = compileFixed(m, q);
      expect(p.quant.weightBits).toBe(q.weightBits);
      expect(stringHash(JSON.stringify(p.describe()))).toBe(a.kernel);
      // compile(doc) and compileFixed(model, q) agree on every integer
      const viaCompile = compile(fromDoc, { backend: 'fixed' });
      const y1 = new Float64Array(m.outputSize);
      const y2 = new Float64Array(m.outputSize);
      for (let t = 0; t < 50; t++) {
        viaCompile.step(x.subarray(t * m.inputSize, (t + 1) * m.inputSize), 0.05, y1);
        p.step(x.subarray(t * m.inputSize, (t + 1) * m.inputSize), 0.05, y2);
        expect(Array.from(y1)).toEqual(Array.from(y2));
      }
    }
  });

  it('keeps the other meta keys', () => {
    const d = modelJson(laneCfc());
    d.meta = { trainedBy: 'lnn train', seed: 3 };
    const m = loadModel(d);
    const out = quantizeModel(m, calib(m, 20));
    expect(Object.keys(out.meta as object).sort()).toEqual(['quant', 'seed', 'trainedBy']);
  });

  it('honours an explicit weight width and rejects a bad one', () => {
    const m = laneCfc();
    expect(deriveQuantParams(m, calib(m, 20), { weightBits: 12 }).weightBits).toBe(12);
    expect(() => deriveQuantParams(m, calib(m, 20), { weightBits: 7 })).toThrow(LnnError);
  });

  it('rejects calibration data of the wrong shape or with non-finite values', () => {
    const m = laneCfc();
    expect(() => deriveQuantParams(m, new Float64Array(33))).toThrow(/whole number of steps/);
    const bad = calib(m, 3);
    bad[40] = Number.NaN;
    expect(() => deriveQuantParams(m, bad)).toThrow(/finite/);
    expect(() => deriveQuantParams(m, calib(m, 3), { dtS: 0 })).toThrow(LnnError);
  });

  it('gives a conv-first model one input format (a convolution shares weights across pixels)', () => {
    const conv = loadModel({
      format: 'lnn-model/1', name: 'conv-first', inputSize: 8, outputSize: 2,
      stages: [{ type: 'conv2d', inShape: [2, 2, 2], weight: { shape: [1, 2, 1, 1], data: [1, -1] } }, { type: 'flatten' }, { type: 'dense', weight: { shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] }, activation: 'relu' }],
    });
    const x = new Float64Array(80).map((_, i) => (i % 8) * 10 - 30);
    const q = deriveQuantParams(conv, x);
    expect(new Set(q.input).size).toBe(1);
    expect(new Set(deriveQuantParams(laneCfc(), x.subarray(0, 64)).input).size).toBeGreaterThan(1);
  });
});

describe('where the fixed backend takes its formats from', () => {
  it('meta.quant first, then BackendOptions.calibration, then the data-free default', () => {
    const m = laneCfc();
    expect(compileFixedPolicy(m).quant.origin).toBe('data-free');
    const withCal = compileFixedPolicy(m, { calibration: calib(m, 50) });
    expect(withCal.quant.origin).toBe('calibration');
    expect(withCal.quant.calibrationSteps).toBe(50);
    const doc = loadModel(quantizeModel(m, calib(m, 30), { dtS: 0.05 }));
    const p = compileFixedPolicy(doc, { calibration: calib(m, 50) });
    expect(p.quant.calibrationSteps).toBe(30);
    expect(p.quant.dtNominalS).toBe(0.05);
  });

  it('data-free: inputs assumed within ±4 (Q3.12), or mean ± 4·std after a normalise', () => {
    expect(new Set(dataFreeQuantParams(laneCfc()).input)).toEqual(new Set([12]));
    const lstm = (COVERAGE_MODELS.find(([n]) => n === 'coverage-lstm') as [string, () => Model])[1]();
    const q = dataFreeQuantParams(lstm);
    expect(q.origin).toBe('data-free');
    expect(q.input.some((f) => f !== 12)).toBe(true);
  });
});

describe('invalid meta.quant: the backend says why and refuses', () => {
  const cases: [string, (q: Record<string, unknown>) => void, RegExp][] = [
    ['wrong input count', (q) => { (q.input as number[]).pop(); }, /expected 32 input formats/],
    ['format out of range', (q) => { (q.input as number[])[0] = 40; }, /meta\.quant\.input\[0\]/],
    ['unknown key', (q) => { q.extra = 1; }, /unknown key "extra"/],
    ['unknown format', (q) => { q.format = 'lnn-quant/9'; }, /unsupported quantisation format/],
    ['missing stage entry key', (q) => { q.stages = [{}]; }, /backbone/],
    ['weight width out of range', (q) => { q.weightBits = 4; }, /weightBits/],
  ];
  for (const [name, edit, why] of cases) {
    it(name, () => {
      const m = withEditedQuant(laneCfc(), edit);
      const u = fixedBackend.unsupported(m);
      expect(u?.code).toBe('LNN_E_BACKEND_UNSUPPORTED');
      expect(u?.reason).toMatch(why);
      expect(() => compile(m, { backend: 'fixed' })).toThrow(why);
    });
  }

  it('a table activation pre-activation must be Q3.12', () => {
    const m = (COVERAGE_MODELS[0] as [string, () => Model])[1]();
    const doc = quantizeModel(m, calib(m, 10));
    const q = (doc.meta as { quant: { stages: Record<string, unknown>[] } }).quant;
    (q.stages[7] as Record<string, unknown>).pre = 10; // dense with sigmoid
    expect(fixedBackend.unsupported(loadModel(doc))?.reason).toMatch(/Q3\.12/);
  });
});
