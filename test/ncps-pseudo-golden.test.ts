// Wider ncps parity: pseudo-golden cases (test/fixtures/ncps-pseudo-golden.json) through
// import → ref → predict. The cases come from tools/gen_pseudo_golden.py, a float64 numpy
// re-implementation of the ncps 1.0.1 torch forward passes that first reproduces the real
// ncps golden cases (ncps-golden.json) to < 1e-6. Stored weights/inputs are float32 values;
// the expected output/final_state are float64 computed from exactly those values, so both
// sides are float64 from identical numbers and only summation order / libm differ.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importNcps } from '../src/models/ncps-import.ts';
import { compile } from '../src/runtime/compile.ts';
import { predict, readPredictInputs } from '../src/runtime/predict.ts';
import { FIXTURES, maxAbsDiff, type GoldenCase, type GoldenTensor } from './helpers/fixtures.ts';

/** float64 vs float64 from the same weights: differences are rounding-order only (~1e-15). */
const TOL = 1e-9;

const cases = (JSON.parse(readFileSync(`${FIXTURES}ncps-pseudo-golden.json`, 'utf8')) as { cases: GoldenCase[] }).cases;

describe('ncps pseudo-golden cases (ref backend, float64 numpy reference)', () => {
  it('has the expected case families', () => {
    const names = cases.map((c) => c.name);
    for (const n of [
      'cfc_fc_default', 'cfc_fc_no_gate', 'cfc_fc_pure', 'cfc_fc_dropout3', 'cfc_fc_mixed_proj_silu',
      'cfc_fc_nobackbone_no_timespans', 'cfc_wired_autoncp19_default', 'cfc_wired_autoncp19_no_gate',
      'cfc_wired_autoncp19_pure', 'cfc_wired_mixed', 'ltc_autoncp19_implicit_True', 'ltc_autoncp19_implicit_False',
      'ltc_fullyconnected5_out2_last', 'ltc_linear_mapping',
    ]) expect(names).toContain(n);
  });

  for (const c of cases) {
    it(c.name, async () => {
      const imp = importNcps(c, undefined, c.name);
      const policy = compile(imp.model, { backend: 'ref' });
      const inputs = readPredictInputs(c, policy, imp.batchFirst);
      const r = await predict(policy, inputs, imp.model.source.returnSequences);
      expect(r.output.shape).toEqual(c.output.shape);
      expect(maxAbsDiff(r.output.data, c.output.data)).toBeLessThanOrEqual(TOL);
      const want = Array.isArray(c.final_state) ? c.final_state : [c.final_state];
      const got = (Array.isArray(r.final_state) ? r.final_state : [r.final_state]) as GoldenTensor[];
      expect(got.length).toBe(want.length);
      want.forEach((t, i) => {
        expect(got[i]?.shape).toEqual(t.shape);
        expect(maxAbsDiff(got[i]?.data ?? [], t.data)).toBeLessThanOrEqual(TOL);
      });
    });
  }
});
