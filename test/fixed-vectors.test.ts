// Firmware vectors (docs/fixed-point.md §8): the document has the documented layout, survives
// JSON, and replaying its integer inputs through the integer step reproduces every state and
// output, so a C port that matches the vectors matches the TS kernel.
import { describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { InitRng } from '../src/models/init.ts';
import type { CfcStage, Model } from '../src/models/types.ts';
import { compileFixedPolicy } from '../src/runtime/fixed/backend.ts';
import { COVERAGE_MODELS } from '../src/runtime/fixed/coverage-models.ts';
import { exportFixedVectors, Fnv1a, VECTORS_FORMAT } from '../src/runtime/fixed/vectors.ts';
import { laneCfc, laneLstm, laneLtc } from './helpers/models.ts';

interface Vectors {
  format: string; model: string; steps: number; inputSize: number; outputSize: number; stateSize: number; cellStateSize: number;
  quant: Record<string, unknown>;
  kernel: { tables: Record<string, string>; dtNominalS: number; weightBits: number; inputFrac: number[]; outputFrac: number[]; stateFrac: number; cellStateFrac: number; stages: Record<string, unknown>[] };
  h0: number[]; c0: number[]; tsQ: number[]; inputs: number[][];
  states: { h: number[][]; c: number[][] }; outputs: number[][]; hash: string;
}

function inputs(m: Model, steps: number): Float64Array {
  return Float64Array.from(new InitRng(11).tensor([steps * m.inputSize], -1.5, 1.5).data);
}

const isInt16 = (v: number): boolean => Number.isInteger(v) && v >= -32768 && v <= 32767;

const models: [string, () => Model][] = [
  ['lane CfC', () => laneCfc('default')], ['lane CfC pure', () => laneCfc('pure')], ['lane LTC', () => laneLtc()], ['lane LSTM', () => laneLstm()],
  ...COVERAGE_MODELS.map(([n, f]): [string, () => Model] => [n, f]),
];

describe('exportFixedVectors', () => {
  for (const [name, make] of models) {
    it(`${name}: layout, JSON round trip, and replay through stepInt`, () => {
      const m = make();
      const T = 25;
      const dts = Float64Array.from({ length: T }, (_, t) => 0.02 + 0.01 * (t % 4));
      const v = JSON.parse(JSON.stringify(exportFixedVectors(m, inputs(m, T), { dtS: dts }))) as Vectors;
      expect(v.format).toBe(VECTORS_FORMAT);
      expect(v.steps).toBe(T);
      expect(v.inputs).toHaveLength(T);
      expect(v.tsQ).toHaveLength(T);
      expect(v.outputs).toHaveLength(T);
      expect(v.states.h).toHaveLength(T);
      expect(v.inputs.flat().every(isInt16)).toBe(true);
      expect(v.outputs.flat().every(isInt16)).toBe(true);
      expect(v.states.h.flat().every(isInt16)).toBe(true);
      expect(v.states.c.flat().every(isInt16)).toBe(true);
      expect(v.states.h[0]).toHaveLength(v.stateSize);
      expect(v.states.c[0]).toHaveLength(v.cellStateSize);
      expect(v.kernel.stages).toHaveLength(m.stages.length);
      expect(v.kernel.stages.map((s) => s.type)).toEqual(m.stages.map((s) => s.type));
      expect(Object.keys(v.kernel.tables).sort()).toEqual(['exp2', 'phi', 'sigmoid']);

      // replay: a fresh policy fed the integer inputs reproduces every integer
      const p = compileFixedPolicy(m);
      p.setStateInt(v.h0, v.c0);
      const y = new Int32Array(m.outputSize);
      const hash = new Fnv1a();
      for (let t = 0; t < T; t++) {
        p.stepInt(v.inputs[t] as number[], v.tsQ[t] as number, y);
        expect(Array.from(p.stateQ)).toEqual(v.states.h[t]);
        expect(p.cellStateQ === null ? [] : Array.from(p.cellStateQ)).toEqual(v.states.c[t]);
        expect(Array.from(y)).toEqual(v.outputs[t]);
        for (const s of p.stateQ) hash.add16(s);
        for (const s of p.cellStateQ ?? []) hash.add16(s);
        for (const s of y) hash.add16(s);
      }
      expect(hash.hex()).toBe(v.hash);
    });
  }

  it('carries the integer weights and requantisers of each linear', () => {
    const v = exportFixedVectors(laneCfc('default'), inputs(laneCfc(), 2)) as unknown as Vectors;
    const layer = ((v.kernel.stages[0] as { layers: Record<string, { rows: number; cols: number; w: number[]; b: number[]; m: number[]; sh: number[]; wMax: number }>[] }).layers)[0] as Record<string, { rows: number; cols: number; w: number[]; b: number[]; m: number[]; sh: number[]; wMax: number }>;
    for (const k of ['ff1', 'ff2', 'timeA', 'timeB']) {
      const L = layer[k] as { rows: number; cols: number; w: number[]; b: number[]; m: number[]; sh: number[]; wMax: number };
      expect(L.rows).toBe(12);
      expect(L.cols).toBe(32 + 12);
      expect(L.w).toHaveLength(L.rows * L.cols);
      expect(L.w.every((w) => Number.isInteger(w) && Math.abs(w) <= L.wMax)).toBe(true);
      expect(L.m.every((m) => m === 0 || (Math.abs(m) >= 16384 && Math.abs(m) < 32768))).toBe(true);
    }
    // the NCP mask survives quantisation: masked synapses are exactly 0 in ff1
    const mask = (laneCfc().stages[0] as CfcStage).layers[0]?.mask as Uint8Array;
    const w = (layer.ff1 as { w: number[] }).w;
    for (let k = 0; k < mask.length; k++) if (mask[k] === 0) expect(w[k]).toBe(0);
  });

  it('starts from h0 when given and checks the input shape', () => {
    const m = laneCfc();
    const h0 = new Float64Array(19).fill(0.5);
    const v = exportFixedVectors(m, inputs(m, 3), { h0 }) as unknown as Vectors;
    expect(v.h0).toEqual(new Array(19).fill(16384));
    expect(() => exportFixedVectors(m, new Float64Array(31))).toThrow(LnnError);
  });
});
