// Every public ncps golden case through import → ref → predict, against ncps's own outputs.
import { describe, expect, it } from 'vitest';
import { importNcps } from '../src/models/ncps-import.ts';
import { compile } from '../src/runtime/compile.ts';
import { predict, readPredictInputs } from '../src/runtime/predict.ts';
import { TOLERANCES } from './helpers/tolerances.ts';
import { golden, maxAbsDiff, type GoldenTensor } from './helpers/fixtures.ts';

describe('ncps golden cases (ref backend)', () => {
  for (const c of golden().cases) {
    it(c.name, async () => {
      const imp = importNcps(c, undefined, c.name);
      const policy = compile(imp.model, { backend: 'ref' });
      const inputs = readPredictInputs(c, policy, imp.batchFirst);
      const r = await predict(policy, inputs, imp.model.source.returnSequences);
      expect(r.output.shape).toEqual(c.output.shape);
      expect(maxAbsDiff(r.output.data, c.output.data)).toBeLessThanOrEqual(TOLERANCES.refVsNcps);
      const want = Array.isArray(c.final_state) ? c.final_state : [c.final_state];
      const got = (Array.isArray(r.final_state) ? r.final_state : [r.final_state]) as GoldenTensor[];
      expect(got.length).toBe(want.length);
      want.forEach((t, i) => {
        expect(got[i]?.shape).toEqual(t.shape);
        expect(maxAbsDiff(got[i]?.data ?? [], t.data)).toBeLessThanOrEqual(TOLERANCES.refVsNcps);
      });
    });
  }
});
