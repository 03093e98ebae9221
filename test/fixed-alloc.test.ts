// The fixed backend's step allocates nothing (DESIGN.md §3), float `step` and integer `stepInt`
// alike: as in test/alloc.test.ts, the heap does not grow and no young-generation GC runs over
// many steps (8 bytes per step over 5·10^4 steps is 400 KB of heap growth, over 2·10^5 steps 1.6 MB).
// Until the optimising compiler has finished (on a background thread, late on a loaded machine)
// the interpreter boxes doubles; so a measurement is repeated up to three times, and a step that
// really allocates fails all three.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Model } from '../src/models/types.ts';
import { compileFixedPolicy } from '../src/runtime/fixed/backend.ts';
import { COVERAGE_MODELS } from '../src/runtime/fixed/coverage-models.ts';
import { laneCfc, laneLstm, laneLtc } from './helpers/models.ts';

function isScavenge(e: PerformanceEntry): boolean {
  return (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;
}

async function measureOnce(run: (i: number) => void, steps: number): Promise<{ heapDelta: number; gcs: number }> {
  for (let i = 0; i < 20_000; i++) run(i);
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().filter(isScavenge).length; });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 10));
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < steps; i++) run(i);
  const after = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 10));
  obs.disconnect();
  return { heapDelta: after - before, gcs };
}

async function measure(run: (i: number) => void, steps: number): Promise<{ heapDelta: number; gcs: number }> {
  let r = await measureOnce(run, steps);
  for (let attempt = 1; attempt < 3 && (r.gcs > 0 || r.heapDelta >= 256 * 1024); attempt++) r = await measureOnce(run, steps);
  return r;
}

const cases: [string, () => Model, number][] = [
  ['wired CfC default, lane NCP', () => laneCfc('default'), 200_000],
  ['wired CfC no_gate', () => laneCfc('no_gate'), 200_000],
  ['wired CfC pure', () => laneCfc('pure'), 200_000],
  ['LTC, lane NCP (6 unfolds)', () => laneLtc(), 50_000],
  ['LSTM baseline', () => laneLstm(), 200_000],
  ...COVERAGE_MODELS.map(([n, make]): [string, () => Model, number] => [n, make, 50_000]),
];

describe('fixed step allocates nothing', () => {
  for (const [name, make, steps] of cases) {
    it(`${name}: ${steps} float steps and ${steps} integer steps`, async () => {
      const model = make();
      const p = compileFixedPolicy(model);
      const x = new Float64Array(model.inputSize);
      const y = new Float64Array(model.outputSize);
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
      const f = await measure((i) => {
        x[i % x.length] = (i & 1023) / 1024;
        p.step(x, 0.05 + (i & 7) * 0.01, y);
      }, steps);
      expect(y.every(Number.isFinite)).toBe(true);
      expect(f.gcs).toBe(0);
      expect(f.heapDelta).toBeLessThan(256 * 1024);
      const xq = new Int32Array(model.inputSize);
      const yq = new Int32Array(model.outputSize);
      const q = await measure((i) => {
        xq[i % xq.length] = (i * 37) & 0x3fff;
        p.stepInt(xq, 205 + (i & 7), yq);
      }, steps);
      expect(q.gcs).toBe(0);
      expect(q.heapDelta).toBeLessThan(256 * 1024);
    });
  }
});

describe('the fixed allocation check can fail', () => {
  it('catches a step that allocates one small array, on every attempt', async () => {
    const p = compileFixedPolicy(laneCfc('default'));
    const x = new Float64Array(32);
    const y = new Float64Array(1);
    const r = await measure((i) => {
      const tmp = new Float64Array(2); // 32 bytes with the header: 6.4 MB over the run
      tmp[0] = 0.05 + (i & 1) * 0.01;
      p.step(x, tmp[0] as number, y);
    }, 200_000);
    expect(r.gcs > 0 || r.heapDelta > 4 * 1024 * 1024).toBe(true);
  });
});
