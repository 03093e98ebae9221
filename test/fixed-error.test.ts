// The fixed backend against the float64 reference (docs/fixed-point.md §10): the derived
// one-step bound holds on the lane NCP CfC, and the measured deviations over the golden ncps
// cases and long runs of the lane-sized models stay within the documented bounds.
import { describe, expect, it } from 'vitest';
import { InitRng } from '../src/models/init.ts';
import { importNcps } from '../src/models/ncps-import.ts';
import { deriveQuantParams, fixedDeviation, withQuantParams } from '../src/models/quantize/quantize.ts';
import type { QuantParams } from '../src/models/quantize/params.ts';
import { loadModel } from '../src/models/load.ts';
import type { CfcStage, Linear, Model } from '../src/models/types.ts';
import { compile } from '../src/runtime/compile.ts';
import { compileFixedPolicy } from '../src/runtime/fixed/backend.ts';
import { compileFixed } from '../src/runtime/fixed/pipeline.ts';
import { golden } from './helpers/fixtures.ts';
import { laneCfc, laneLstm, laneLtc } from './helpers/models.ts';

/** Documented bounds (docs/fixed-point.md §10.3), max |fixed − ref| over every output and state. */
const BOUND = {
  goldenDataFree: 2e-3,
  goldenInt8: 3e-2,
  goldenInt16: 2e-3,
  laneDataFree: 1e-2,
  laneInt8: 4e-2,
  laneInt16: 2e-3,
};

/** Table errors over every Q3.12 input (test/fixed-tables.test.ts), as reals. */
const EPS_TANH = 6.32e-5;
const EPS_SIGMOID = 3.93e-5;

interface QLin { rows: number; cols: number; w: number[]; b: number[]; m: number[]; sh: number[]; outFrac: number }

/**
 * Worst-case error of one linear row in reals (§10.1): weight rounding s/2 per unit of |x_q|,
 * the multiplier's 2^−15 relative error, input errors through |W|, bias rounding, output rounding.
 */
function rowBound(L: QLin, lin: Linear, scale: number, r: number, xq: ArrayLike<number>, dx: ArrayLike<number>): number {
  const M = Math.abs(L.m[r] as number) * 2 ** -(L.sh[r] as number) * 2 ** -L.outFrac;
  let e = M / 2 + Math.abs(L.b[r] as number) * M * 2 ** -15 + 2 ** -(L.outFrac + 1);
  for (let j = 0; j < L.cols; j++) {
    const W = (lin.weight[r * L.cols + j] as number) * scale;
    const wq = L.w[r * L.cols + j] as number;
    if (W !== 0 || wq !== 0) e += (M / 2 + Math.abs(wq) * M * 2 ** -15) * Math.abs(xq[j] as number);
    e += Math.abs(W) * (dx[j] as number);
  }
  return e;
}

function linRef(lin: Linear, z: ArrayLike<number>, r: number, scale = 1): number {
  let acc = lin.bias === null ? 0 : (lin.bias[r] as number) * scale;
  for (let j = 0; j < lin.inSize; j++) acc += (lin.weight[r * lin.inSize + j] as number) * scale * (z[j] as number);
  return acc;
}

/**
 * One CfC step (default or no_gate, layers without backbone) from the same integer state in
 * both backends: returns the measured |Δh| and the derived bound per neuron.
 */
function oneStep(m: Model, q: QuantParams, hq: Int32Array, x: Float64Array, dt: number): { got: number[]; bound: number[] } {
  const s = m.stages[0] as CfcStage;
  const fixed = compileFixed(m, q);
  const ref = compile(m, { backend: 'ref' });
  fixed.setStateInt(hq);
  const hFrac = fixed.stateFrac;
  const h0 = Array.from(hq, (v) => v * 2 ** -hFrac);
  ref.setState(h0);
  const y = new Float64Array(m.outputSize);
  fixed.step(x, dt, y);
  ref.step(x, dt, y);
  const hRef = new Float64Array(s.units);
  ref.getState(hRef);
  const hFix = Array.from(fixed.stateQ, (v) => v * 2 ** -hFrac);
  const xq = new Int32Array(m.inputSize);
  fixed.quantizeInput(x, xq);
  const tsQ = fixed.quantizeDt(dt);
  const layersQ = (fixed.describe().stages as { layers: Record<string, QLin>[] }[])[0]?.layers as Record<string, QLin>[];
  const bound: number[] = [];
  let xIn: number[] = Array.from(x);
  let xInQ: number[] = Array.from(xq);
  let dxIn: number[] = Array.from(q.input, (f) => 2 ** -(f + 1));
  let off = 0;
  s.layers.forEach((L, l) => {
    const n = L.units;
    const zRef = [...xIn, ...h0.slice(off, off + n)];
    const zq = [...xInQ, ...Array.from(hq.subarray(off, off + n))];
    const dz = [...dxIn, ...new Array<number>(n).fill(0)];
    const Q = layersQ[l] as Record<string, QLin>;
    for (let i = 0; i < n; i++) {
      const d1 = rowBound(Q.ff1 as QLin, L.ff1, 1, i, zq, dz) + EPS_TANH;
      const d2 = rowBound(Q.ff2 as QLin, L.ff2 as Linear, 1, i, zq, dz) + EPS_TANH;
      const ta = linRef(L.timeA as Linear, zRef, i, q.dtNominalS);
      const dta = rowBound(Q.timeA as QLin, L.timeA as Linear, q.dtNominalS, i, zq, dz);
      const dtb = rowBound(Q.timeB as QLin, L.timeB as Linear, 1, i, zq, dz);
      const dT = dta * (tsQ / 4096) + Math.abs(ta) * 2 ** -13 + dtb + 2 ** -13;
      const dg = dT / 4 + EPS_SIGMOID;
      const f1 = Math.tanh(linRef(L.ff1, zRef, i));
      const f2 = Math.tanh(linRef(L.ff2 as Linear, zRef, i));
      bound.push(s.mode === 'default'
        ? Math.max(d1, d2) + dg * Math.abs(f2 - f1) + 2 ** -16
        : d1 + d2 + dg * Math.abs(f2) + 2 ** -15);
    }
    xIn = Array.from(hRef.subarray(off, off + n));
    xInQ = Array.from(fixed.stateQ.subarray(off, off + n));
    dxIn = bound.slice(off, off + n);
    off += n;
  });
  return { got: hFix.map((v, i) => Math.abs(v - (hRef[i] as number))), bound };
}

describe('derived one-step bound (lane NCP CfC, §10.1)', () => {
  for (const mode of ['default', 'no_gate'] as const) {
    for (const weightBits of [8, 16]) {
      it(`${mode}, ${weightBits}-bit weights: |Δh| ≤ bound on 200 random states and inputs`, () => {
        const m = laneCfc(mode);
        const rng = new InitRng(77);
        const q = deriveQuantParams(m, Float64Array.from(rng.tensor([200 * 32], -1, 1).data), { dtS: 0.05, weightBits });
        let worstRatio = 0;
        let maxBound = 0;
        let maxGot = 0;
        for (let k = 0; k < 200; k++) {
          const hq = Int32Array.from(rng.tensor([19], -0.9, 0.9).data, (v) => Math.round(v * (mode === 'default' ? 32768 : 16384)));
          const x = Float64Array.from(rng.tensor([32], -1, 1).data);
          const { got, bound } = oneStep(m, q, hq, x, rng.uniform(0.01, 0.1));
          for (let i = 0; i < 19; i++) {
            expect(got[i]).toBeLessThanOrEqual(bound[i] as number);
            worstRatio = Math.max(worstRatio, (got[i] as number) / (bound[i] as number));
            maxBound = Math.max(maxBound, bound[i] as number);
            maxGot = Math.max(maxGot, got[i] as number);
          }
        }
        expect(worstRatio).toBeGreaterThan(0); // the bound is not vacuous
        if (process.env.LNN_FIXED_REPORT) console.log(`${mode} w${weightBits}: max bound ${maxBound.toExponential(2)}, max measured ${maxGot.toExponential(2)}, worst measured/bound ${worstRatio.toFixed(3)}`);
      });
    }
  }
});

describe('measured deviation on the golden ncps cases (§10.3)', () => {
  for (const c of golden().cases) {
    it(c.name, () => {
      const m0 = importNcps(c).model;
      const steps = c.input.shape[1] as number;
      const x = Float64Array.from(c.input.data);
      const dts = Float64Array.from((c.timespans as { data: number[] }).data);
      const h0 = Array.isArray(c.h0) ? c.h0 : [c.h0 as { data: number[] }];
      const variants: [Model, number][] = [
        [m0, BOUND.goldenDataFree],
        [loadModel(withQuantParams(m0, deriveQuantParams(m0, x, { dtPerStepS: dts, weightBits: 8 }))), BOUND.goldenInt8],
        [loadModel(withQuantParams(m0, deriveQuantParams(m0, x, { dtPerStepS: dts, weightBits: 16 }))), BOUND.goldenInt16],
      ];
      for (const [m, bound] of variants) {
        const out = (['ref', 'fixed'] as const).map((b) => {
          const p = compile(m, { backend: b });
          p.setState((h0[0] as { data: number[] }).data, h0[1]?.data);
          const y = new Float64Array(steps * p.outputSize);
          p.runSequence(x, steps, dts, y);
          const h = new Float64Array(p.stateSize);
          p.getState(h);
          return [...y, ...h];
        });
        const dev = Math.max(...(out[0] as number[]).map((v, i) => Math.abs(v - ((out[1] as number[])[i] as number))));
        expect(dev).toBeLessThanOrEqual(bound);
      }
    });
  }
});

describe('measured deviation over 2000 steps of the lane-sized models (§10.3)', () => {
  const T = 2000;
  const x = Float64Array.from(new InitRng(7).tensor([T * 32], -1, 1).data);
  const cal = Float64Array.from(new InitRng(8).tensor([500 * 32], -1, 1).data);
  const dts = Float64Array.from({ length: T }, (_, t) => 0.05 * (0.5 + ((t * 7) % 10) / 10));
  const models: [string, () => Model][] = [
    ['CfC default', () => laneCfc('default')], ['CfC no_gate', () => laneCfc('no_gate')], ['CfC pure', () => laneCfc('pure')],
    ['LTC', () => laneLtc()], ['LSTM', () => laneLstm()],
  ];
  for (const [name, make] of models) {
    it(name, () => {
      const m = make();
      expect(fixedDeviation(m, compileFixedPolicy(m).quant, x, T, dts)).toBeLessThanOrEqual(BOUND.laneDataFree);
      expect(fixedDeviation(m, deriveQuantParams(m, cal, { dtS: 0.05, weightBits: 8 }), x, T, dts)).toBeLessThanOrEqual(BOUND.laneInt8);
      expect(fixedDeviation(m, deriveQuantParams(m, cal, { dtS: 0.05, weightBits: 16 }), x, T, dts)).toBeLessThanOrEqual(BOUND.laneInt16);
    });
  }
});
