// The feed-forward stages of the ref backend against independent formulations: conv2d against
// an im2col matrix product, dense/normalise/clamp against direct arithmetic, and a full
// conv-head → NCP pipeline for shape flow.
import { describe, expect, it } from 'vitest';
import { InitRng } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { compile } from '../src/runtime/compile.ts';
import { maxAbsDiff } from './helpers/fixtures.ts';

type Doc = Record<string, unknown>;
const model = (inputSize: number, outputSize: number, stages: Doc[]): Doc =>
  ({ format: 'lnn-model/1', name: 't', inputSize, outputSize, stages });

/** conv2d written as im2col: every output pixel is a dot product of a gathered patch. */
function convIm2col(x: number[], [C, H, W]: number[], w: number[], b: number[], K: number, kh: number, kw: number,
  [sh, sw]: number[], [ph, pw]: number[]): number[] {
  const Ho = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const Wo = Math.floor((W + 2 * pw - kw) / sw) + 1;
  const out = new Array<number>(K * Ho * Wo).fill(0);
  for (let oy = 0; oy < Ho; oy++) {
    for (let ox = 0; ox < Wo; ox++) {
      const patch: number[] = [];
      for (let c = 0; c < C; c++) {
        for (let dy = 0; dy < kh; dy++) {
          for (let dx = 0; dx < kw; dx++) {
            const iy = oy * sh + dy - ph;
            const ix = ox * sw + dx - pw;
            patch.push(iy >= 0 && iy < H && ix >= 0 && ix < W ? x[(c * H + iy) * W + ix]! : 0);
          }
        }
      }
      for (let k = 0; k < K; k++) {
        const row = w.slice(k * patch.length, (k + 1) * patch.length);
        out[(k * Ho + oy) * Wo + ox] = b[k]! + row.reduce((a, v, i) => a + v * patch[i]!, 0);
      }
    }
  }
  return out;
}

describe('conv2d (ref)', () => {
  const configs = [
    { C: 1, H: 5, W: 7, K: 2, kh: 3, kw: 3, stride: [1, 1], pad: [0, 0] },
    { C: 3, H: 16, W: 64, K: 4, kh: 5, kw: 5, stride: [2, 2], pad: [2, 2] },
    { C: 2, H: 6, W: 9, K: 3, kh: 2, kw: 4, stride: [1, 3], pad: [1, 0] },
  ];
  for (const cf of configs) {
    it(`C${cf.C} ${cf.H}x${cf.W}, K${cf.K} ${cf.kh}x${cf.kw}, stride ${cf.stride}, pad ${cf.pad}`, () => {
      const rng = new InitRng(3);
      const weight = rng.tensor([cf.K, cf.C, cf.kh, cf.kw], -1, 1);
      const bias = rng.tensor([cf.K], -1, 1);
      const n = cf.C * cf.H * cf.W;
      const Ho = Math.floor((cf.H + 2 * cf.pad[0]! - cf.kh) / cf.stride[0]!) + 1;
      const Wo = Math.floor((cf.W + 2 * cf.pad[1]! - cf.kw) / cf.stride[1]!) + 1;
      const m = loadModel(model(n, cf.K * Ho * Wo, [
        { type: 'conv2d', inShape: [cf.C, cf.H, cf.W], stride: cf.stride, padding: cf.pad, weight, bias },
      ]));
      const x = rng.tensor([n], -1, 1).data;
      const y = new Float64Array(m.outputSize);
      compile(m, { backend: 'ref' }).step(Float64Array.from(x), 1, y);
      const want = convIm2col(x, [cf.C, cf.H, cf.W], weight.data, bias.data, cf.K, cf.kh, cf.kw, cf.stride, cf.pad);
      expect(maxAbsDiff(y, want)).toBeLessThan(1e-12);
    });
  }
});

describe('pipeline: normalise → conv2d → relu → flatten → dense → cfc → readout → clamp', () => {
  it('flows shapes and bounds the output', () => {
    const rng = new InitRng(5);
    const doc = model(2 * 8 * 8, 1, [
      { type: 'normalise', mean: rng.tensor([128], -0.1, 0.1), std: rng.tensor([128], 0.5, 2) },
      { type: 'conv2d', inShape: [2, 8, 8], stride: [2, 2], padding: [1, 1], weight: rng.tensor([4, 2, 3, 3], -0.5, 0.5) },
      { type: 'activation', fn: 'relu' },
      { type: 'conv2d', weight: rng.tensor([2, 4, 3, 3], -0.5, 0.5), bias: rng.tensor([2], -0.1, 0.1) },
      { type: 'flatten' },
      { type: 'dense', weight: rng.tensor([5, 8], -1, 1), bias: rng.tensor([5], -1, 1), activation: 'tanh' },
      { type: 'cfc', mode: 'default', inputSize: 5, units: 3, layers: [{ inputSize: 5, units: 3,
        backbone: { activation: 'gelu', layers: [rng.linear(6, 8)] },
        ff1: rng.linear(3, 6), ff2: rng.linear(3, 6), timeA: rng.linear(3, 6), timeB: rng.linear(3, 6) }] },
      { type: 'readout', weight: rng.tensor([1, 3], -20, 20), bias: rng.tensor([1], -1, 1) },
      { type: 'clamp', min: -0.5, max: 0.5 },
    ]);
    const m = loadModel(doc);
    const p = compile(m, { backend: 'ref' });
    const y = new Float64Array(1);
    let clamped = 0;
    for (let t = 0; t < 40; t++) {
      const x = Float64Array.from(rng.tensor([128], -3, 3).data);
      p.step(x, 0.1, y);
      expect(Math.abs(y[0]!)).toBeLessThanOrEqual(0.5);
      if (Math.abs(y[0]!) === 0.5) clamped++;
    }
    expect(clamped).toBeGreaterThan(0); // the readout gain of ±20 does drive it into the bounds
  });
  it('dense and normalise compute what they say', () => {
    const m = loadModel(model(2, 2, [
      { type: 'normalise', mean: { shape: [2], data: [1, -1] }, std: { shape: [2], data: [2, 4] } },
      { type: 'dense', weight: { shape: [2, 2], data: [1, 2, 3, 4] }, bias: { shape: [2], data: [0.5, -0.5] }, activation: 'relu' },
    ]));
    const y = new Float64Array(2);
    compile(m).step(Float64Array.of(3, 3), 1, y);
    // normalised: [1, 1]; W x + b = [3.5, 6.5]; relu keeps both
    expect(Array.from(y)).toEqual([3.5, 6.5]);
    compile(m).step(Float64Array.of(-3, -7), 1, y);
    // normalised: [-2, -1.5]; W x + b = [-4.5, -12.5]; relu → 0
    expect(Array.from(y)).toEqual([0, 0]);
  });
});
