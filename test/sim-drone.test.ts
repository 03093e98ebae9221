// The drone task: the privileged expert reaches targets in unseen forests, eval is deterministic
// in-process and in workers, collisions and ground strikes end episodes, wind and density move
// the metrics the expected way, and a depth model policy of the contract's size runs through eval.
import { beforeAll, describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { initWiredCfcDoc } from '../src/models/init.ts';
import { loadModel } from '../src/models/load.ts';
import { makeAutoNcp } from '../src/models/wiring/index.ts';
import { Simulation } from '../sim/engine/engine.ts';
import type { Vehicle } from '../sim/engine/vehicle.ts';
import { evalEpisodes, type EvalResult } from '../sim/eval/eval.ts';
import { EpisodeCache } from '../sim/eval/jobs.ts';
import { RecordingDroneDriver, type DroneDriver } from '../sim/tasks/drone-driver.ts';
import { DroneExpert } from '../sim/tasks/drone-expert.ts';
import { commandToOutput, DRONE_CMD_SCALE, droneInputSize, outputToCommand, writeStateInputs } from '../sim/tasks/drone-obs.ts';
import { collisionRadiusM } from '../sim/tasks/drone-runner.ts';
import { attachDroneTask, droneTaskWorld, runDroneEpisode, TIMEOUT_FACTOR, TIMEOUT_MARGIN_S } from '../sim/tasks/drone-task.ts';
import { droneModel } from '../sim/world/gen-drone.ts';
import { readWorld } from '../sim/world/read-world.ts';
import type { DroneTaskSpec } from '../sim/world/types.ts';

const few = { task: 'drone', policy: 'expert', episodes: 6, seed: 720_000 } as const;
const num = (r: EvalResult, k: string): number => r[k] as number;
/** every field that must not depend on the thread that ran the episodes */
const stable = (r: EvalResult): Record<string, unknown> => {
  const { wall_seconds: _w, real_time_factor: _r, workers: _k, ...rest } = r;
  return rest;
};

/** A pillar (1 m square, centre 6 m ahead) between the drone at (0, 0, 1.5) and a target 15 m ahead. */
function pillarWorld(): Simulation {
  return new Simulation(readWorld({
    format: 'lnn-world/1', name: 'pillar', seed: 1, physics: { rate_hz: 300 },
    models: [droneModel(), { name: 'pillar', type: 'box', pose: { x_m: 6, y_m: 0, z_m: 4 }, size_m: [1, 1, 8], shade: 0.5 }],
    target: { position_m: [15, 0, 1.5], radius_m: 0.5 },
    task: { type: 'drone', vehicle: 'drone', timeout_s: 20, control_hz: 30, success_radius_m: 1, cruise_mps: 2 },
  }));
}

const constant = (vx: number, vz: number): DroneDriver => ({
  name: 'constant', reset() {}, act(_s, _d: Vehicle, _dt, cmd) { cmd[0] = vx; cmd[1] = 0; cmd[2] = vz; cmd[3] = 0; },
});

describe('drone expert', () => {
  it('reaches the target without collision on unseen forests', async () => {
    const r = await evalEpisodes({ ...few, episodes: 10 });
    expect(r.success_rate).toBe(1);
    expect(r.collisions).toBe(0);
    expect(num(r, 'spl')).toBeGreaterThan(0.95);
    expect(num(r, 'mean_time_to_target_s')).toBeGreaterThan(10);
    expect(num(r, 'mean_time_to_target_s')).toBeLessThan(35);
    for (const k of ['success_rate', 'sim_seconds', 'real_time_factor', 'collisions', 'mean_time_to_target_s', 'spl']) expect(Number.isFinite(r[k])).toBe(true);
    for (const e of r.episode_results) expect(e.end).toBe('target');
  }, 60_000);

  it('gives identical metrics in-process and on 2 workers', async () => {
    const a = await evalEpisodes({ ...few, episodes: 4, perturb: 'wind_mps=4,gust_mps=1' });
    const b = await evalEpisodes({ ...few, episodes: 4, perturb: 'wind_mps=4,gust_mps=1', workers: 2 });
    expect(b.workers).toBe(2);
    expect(stable(b)).toEqual(stable(a));
  }, 60_000);
});

describe('collisions', () => {
  it('flying straight into a pillar is a collision that ends the episode', () => {
    const sim = pillarWorld();
    const ep = runDroneEpisode(sim, attachDroneTask(sim, constant(2, 0)));
    expect(ep.endReason).toBe('collision');
    expect(ep.collisions).toBe(1);
    expect(ep.success).toBe(false);
    expect(ep.spl).toBe(0);
    // contact when the 6 cm sphere meets the face at x = 5.5 m
    expect(sim.vehicles[0].body.xM).toBeGreaterThan(5.3);
    expect(sim.vehicles[0].body.xM).toBeLessThan(5.5);
    expect(ep.simS).toBeLessThan(5);
  });
  it('the expert flies around the same pillar', () => {
    const sim = pillarWorld();
    const drone = sim.vehicle('drone');
    const ep = runDroneEpisode(sim, attachDroneTask(sim, new DroneExpert(sim.statics, sim.world.target!.positionM, collisionRadiusM(drone), 2)));
    expect(ep.endReason).toBe('target');
    expect(ep.collisions).toBe(0);
    expect(ep.timeToTargetS).toBe(ep.simS);
    expect(ep.spl).toBeGreaterThan(0.9);
    expect(ep.spl).toBeLessThan(1);
  });
  it('descending into the ground is a collision; hovering times out', () => {
    const down = pillarWorld();
    const g = runDroneEpisode(down, attachDroneTask(down, constant(0, -1)));
    expect(g.endReason).toBe('ground');
    expect(g.collisions).toBe(1);
    const hover = pillarWorld();
    const h = runDroneEpisode(hover, attachDroneTask(hover, constant(0, 0)));
    expect(h.endReason).toBe('timeout');
    expect(h.simS).toBe(20);
    expect(h.finalDistM).toBeCloseTo(15, 1);
  });
});

describe('perturbations move drone metrics', () => {
  let base: EvalResult;
  beforeAll(async () => {
    base = await evalEpisodes(few);
  }, 60_000);
  it('denser forests: lower success or a longer time to target, lower SPL', async () => {
    const hit = await evalEpisodes({ ...few, perturb: 'density=8' });
    expect(hit.success_rate < base.success_rate || num(hit, 'mean_time_to_target_s') > num(base, 'mean_time_to_target_s')).toBe(true);
    expect(num(hit, 'spl')).toBeLessThan(num(base, 'spl'));
  }, 60_000);
  it('wind: a longer path or a longer time, and it does not collapse the expert', async () => {
    const hit = await evalEpisodes({ ...few, perturb: 'wind_mps=10,gust_mps=3' });
    expect(num(hit, 'mean_path_length_m') > num(base, 'mean_path_length_m') || num(hit, 'mean_time_to_target_s') > num(base, 'mean_time_to_target_s')).toBe(true);
    expect(hit.success_rate).toBeGreaterThanOrEqual(0.8);
  }, 60_000);
});

describe('policy contract and model policies', () => {
  it('generated worlds get a 32×8 depth camera, a 1 m success radius and a distance-based timeout', () => {
    const w = droneTaskWorld(new EpisodeCache().world('drone', 5));
    const v = w.models.find((m) => m.kind === 'vehicle');
    const depth = v?.kind === 'vehicle' ? v.sensors.find((s) => s.type === 'depth') : undefined;
    expect(depth?.type === 'depth' ? [depth.width, depth.height] : null).toEqual([32, 8]);
    const task = w.task as DroneTaskSpec, t = w.target!.positionM;
    expect(task.successRadiusM).toBe(1);
    expect(task.timeoutS).toBeCloseTo((TIMEOUT_FACTOR * Math.hypot(t[0], t[1], t[2] - 1.5)) / task.cruiseMps + TIMEOUT_MARGIN_S, 9);
  });
  it('state inputs are in the heading frame; outputs scale and clamp', () => {
    const out = new Float64Array(7);
    // facing north (+y) at 3 m/s, target 10 m north and 1 m up
    const body = { xM: 0, yM: 0, zM: 1, yawRad: Math.PI / 2, vxMps: 0, vyMps: 3, vzMps: 0 } as Vehicle['body'];
    writeStateInputs(body, [0, 10, 2], out, 0);
    const d = Math.hypot(10, 1);
    [10 / d, 0, 1 / d, d / 50, 0.75, 0, 0].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
    const cmd = new Float64Array(4);
    outputToCommand([0.5, -2, NaN, 1], cmd);
    expect([...cmd]).toEqual([0.5 * DRONE_CMD_SCALE[0], -DRONE_CMD_SCALE[1], 0, DRONE_CMD_SCALE[3]]);
    const y = new Float64Array(4);
    commandToOutput([2, 1, -0.75, 9], y);
    expect([...y]).toEqual([0.5, 0.5, -0.5, 1]);
  });
  it('the recorder hands out inputs of the model size and labels in [−1, 1]', () => {
    const sim = pillarWorld();
    const drone = sim.vehicle('drone'), depth = sim.sensor('depth'), target = sim.world.target!.positionM;
    const expert = new DroneExpert(sim.statics, target, collisionRadiusM(drone), 2);
    let n = 0, maxLabel = 0;
    const sizes = new Set<number>();
    let finite = true;
    const rec = new RecordingDroneDriver(expert, depth, target, (input, label) => {
      sizes.add(input.length);
      for (const v of input) finite &&= Number.isFinite(v);
      for (const v of label) maxLabel = Math.max(maxLabel, Math.abs(v));
      n++;
    });
    expect(runDroneEpisode(sim, attachDroneTask(sim, rec)).endReason).toBe('target');
    expect([...sizes]).toEqual([droneInputSize(depth.latest.length)]);
    expect(finite).toBe(true);
    expect(n).toBeGreaterThan(100);
    expect(maxLabel).toBeLessThanOrEqual(1);
  });
  it('an untrained CfC-NCP of the contract size runs through eval with finite metrics', async () => {
    const model = loadModel(initWiredCfcDoc(makeAutoNcp(19, 4, 0.5, 1, droneInputSize(32 * 8)), { seed: 1, name: 'drone-untrained' }));
    const r = await evalEpisodes({ task: 'drone', policy: { model, backend: 'f32' }, episodes: 2, seed: 5, durationS: 8 });
    expect(r.backend).toBe('f32');
    expect(r.policy).toBe('drone-untrained');
    expect(r.sim_seconds).toBeGreaterThan(0);
    expect(r.sim_seconds).toBeLessThanOrEqual(16);
    for (const k of ['collisions', 'spl', 'collision_rate', 'mean_path_length_m', 'mean_final_distance_m']) expect(Number.isFinite(r[k])).toBe(true);
    expect(num(r, 'mean_path_length_m')).toBeGreaterThan(0);
  }, 60_000);
  it('a model of the wrong input size is LNN_E_INPUT_WIDTH', async () => {
    const model = loadModel(initWiredCfcDoc(makeAutoNcp(19, 4, 0.5, 1, 32 * 24 + 7), { seed: 1 }));
    await expect(evalEpisodes({ task: 'drone', policy: { model }, episodes: 1 })).rejects.toSatisfy((e: unknown) => e instanceof LnnError && e.code === 'LNN_E_INPUT_WIDTH');
  });
});
