// One parity table: every backend × every case against the ref backend, with the tolerances of
// test/helpers/tolerances.ts. Cases: the ncps golden and pseudo-golden exports, the lane-sized
// NCP (CfC in three modes, LTC, LSTM), and random models of several sizes. A backend that cannot
// run a case says why, and that is printed rather than silently skipped.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initCfcDoc, initWiredCfcDoc, InitRng } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { importNcps } from '../src/models/ncps-import.ts';
import type { Model } from '../src/models/types.ts';
import { makeAutoNcp } from '../src/models/wiring/index.ts';
import { BACKEND_TABLE } from '../src/runtime/backends.ts';
import { compileAsync } from '../src/runtime/compile.ts';
import type { ConcreteBackend } from '../src/runtime/policy.ts';
import { FIXTURES, golden, type GoldenCase } from './helpers/fixtures.ts';
import { laneCfc, laneLstm, laneLtc } from './helpers/models.ts';
import { BACKEND_TOLERANCE, withinTol } from './helpers/tolerances.ts';

interface Case { readonly name: string; readonly model: () => Model; readonly steps: number; readonly dtS: number }

function parityCases(): Case[] {
  const pseudo = JSON.parse(readFileSync(join(FIXTURES, 'ncps-pseudo-golden.json'), 'utf8')) as { cases: GoldenCase[] };
  const fromExport = (c: GoldenCase): Case => ({ name: `ncps:${c.name}`, model: () => importNcps(c).model, steps: 12, dtS: 0.7 });
  const out: Case[] = [...golden().cases.map(fromExport), ...pseudo.cases.filter((c) => c.input.shape.length === 3).map(fromExport)];
  for (const mode of ['default', 'no_gate', 'pure'] as const) out.push({ name: `lane-ncp-cfc-${mode}`, model: () => laneCfc(mode), steps: 50, dtS: 0.05 });
  out.push({ name: 'lane-ncp-ltc', model: () => laneLtc(), steps: 20, dtS: 0.05 });
  out.push({ name: 'lane-lstm', model: () => laneLstm(), steps: 50, dtS: 0.05 });
  for (const [units, inputs] of [[8, 4], [32, 16], [64, 48]] as const) {
    out.push({ name: `random-autoncp${units}-in${inputs}`, model: () => loadModel(initWiredCfcDoc(makeAutoNcp(units, 2, 0.5, 1000 + units, inputs), { seed: units })), steps: 30, dtS: 0.1 });
    out.push({ name: `random-dense-cfc${units}-in${inputs}`, model: () => loadModel(initCfcDoc(inputs, units, { seed: units, backboneUnits: 24, backboneLayers: 2 })), steps: 30, dtS: 0.1 });
  }
  return out;
}

/** Runs a backend over a seeded input sequence; returns outputs and the final state. */
async function run(model: Model, backend: ConcreteBackend, steps: number, dtS: number): Promise<{ y: Float64Array; h: Float64Array; c: Float64Array }> {
  const p = await compileAsync(model, { backend });
  const rng = new InitRng(99);
  const x = Float64Array.from(rng.tensor([steps * p.inputSize], -1, 1).data);
  const y = new Float64Array(steps * p.outputSize);
  // Irregular Δt around the nominal one, as a robot's sensor stamps give.
  const dts = Float64Array.from({ length: steps }, (_, t) => dtS * (0.5 + ((t * 7) % 10) / 10));
  await p.runSequenceAsync(x, steps, dts, y);
  const h = new Float64Array(p.stateSize);
  const c = new Float64Array(p.cellStateSize);
  p.getState(h, c);
  await p.dispose();
  return { y, h, c };
}

const cases = parityCases();
const backends = (Object.keys(BACKEND_TABLE) as ConcreteBackend[]).filter((b) => b !== 'ref');

describe.each(backends)('parity: %s against ref', (backend) => {
  for (const cs of cases) {
    it(cs.name, async (ctx) => {
      const model = cs.model();
      const why = BACKEND_TABLE[backend].unsupported(model);
      if (why !== null) {
        // Printed in the report: the table says which cells of (backend × case) are not run and why.
        ctx.skip(`${why.code}: ${why.reason}`);
        return;
      }
      const want = await run(model, 'ref', cs.steps, cs.dtS);
      const got = await run(model, backend, cs.steps, cs.dtS);
      const tol = BACKEND_TOLERANCE[backend];
      for (const k of ['y', 'h', 'c'] as const) {
        const r = withinTol(got[k], want[k], tol);
        expect(r.ok, `${k}: worst |Δ| ${r.worst} beyond atol ${tol.atol} + rtol ${tol.rtol} (${tol.why})`).toBe(true);
      }
    });
  }
});
