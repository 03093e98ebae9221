// The quadrotor's hot path allocates nothing (house style: no allocation in step functions):
// 10^6 physics steps of vehicle.step (PX4 cascade + rigid body) with Dryden wind, and no
// young-generation GC (scavenge) runs. Same method as test/alloc.test.ts: 16 bytes per step
// would be 16 MB over the run, more than V8's young generation, so it cannot hide.
//
// Its own file on purpose: V8 keeps type feedback per function, and the scenario tests feed
// the step functions plain JS arrays (e.g. [0, 0, 0, 0] motor commands) as well as typed
// arrays; a load site that has seen both boxes every element it reads. The engine passes
// Float64Arrays, which is what this file measures.
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { makeWindState, prepareWind, stepWind } from '../sim/physics/wind.ts';
import { makeQuadrotorVehicle, type VelocityCommand } from '../sim/vehicles/quadrotor-vehicle.ts';

const kDtS = 1 / 240;

const isScavenge = (e: PerformanceEntry): boolean =>
  (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR;

async function countScavenges(run: () => void): Promise<{ gcs: number; heapDelta: number }> {
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().filter(isScavenge).length;
  });
  obs.observe({ entryTypes: ['gc'] });
  await new Promise((r) => setTimeout(r, 10));
  gcs = 0;
  const before = process.memoryUsage().heapUsed;
  run();
  const after = process.memoryUsage().heapUsed;
  await new Promise((r) => setTimeout(r, 10)); // let the observer deliver entries from the loop
  obs.disconnect();
  return { gcs, heapDelta: after - before };
}

describe('quadrotor step allocates nothing', () => {
  it('vehicle.step + stepWind: no scavenge over 10^6 physics steps, incl. saturated commands', async () => {
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 1e4] } });
    const wm = prepareWind({ meanMps: [2, 0, 0], gustMps: 1, seed: 1 });
    const ws = makeWindState(wm);
    const wind = new Float64Array(3);
    const env = { windMps: wind };
    const cmd: VelocityCommand = { vx: 0, vy: 0.5, vz: 0, yawRate: 0.2 };
    const fly = (n: number): void => {
      for (let i = 0; i < n; i++) {
        stepWind(wm, ws, kDtS, wind);
        // a varying command written in place, saturating (±20 m/s, ±5 rad/s) half the time
        cmd.vx = (i & 1023) / 25.6 - 20;
        cmd.yawRate = i & 4096 ? 5 : -0.3;
        v.step(kDtS, cmd, env);
      }
    };
    fly(200_000); // warm up the optimising compiler on every branch (the interpreter boxes doubles)
    const r = await countScavenges(() => fly(1_000_000));
    expect(v.state.positionM.every(Number.isFinite)).toBe(true);
    expect(r.gcs).toBe(0);
    // Outside vitest the delta is ~2 KB; inside, the worker's own traffic adds ~0.3 MB over the
    // 3 s run. 1 MB is still 1 byte per step, far below one boxed double (16 bytes).
    expect(r.heapDelta).toBeLessThan(1024 * 1024);
  });

  it('stays allocation-free when a 150 Hz engine tick is split into 2 substeps of 1/300 s', async () => {
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 1e4] } });
    const wind = new Float64Array([1, 0.5, 0]);
    const env = { windMps: wind };
    const cmd: VelocityCommand = { vx: 1, vy: 0, vz: 0, yawRate: 0.2 };
    const fly = (n: number): void => {
      for (let i = 0; i < n; i++) {
        cmd.vx = (i & 1023) / 512 - 1;
        v.step(1 / 150, cmd, env);
      }
    };
    fly(100_000);
    const r = await countScavenges(() => fly(500_000)); // 10^6 physics steps
    expect(r.gcs).toBe(0);
  });

  it('the check can fail: boxing one double per step is caught', async () => {
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 1e4] } });
    const cmd: VelocityCommand = { vx: 0, vy: 0, vz: 0, yawRate: 0 };
    const log: number[] = [];
    const fly = (n: number): void => {
      for (let i = 0; i < n; i++) {
        v.step(kDtS, cmd);
        log.push(v.pose.positionM[2] + i); // grows an array of doubles: allocates
      }
    };
    fly(1000);
    log.length = 0;
    const r = await countScavenges(() => fly(1_000_000));
    expect(r.gcs + (r.heapDelta > 1024 * 1024 ? 1 : 0)).toBeGreaterThan(0);
  });
});
