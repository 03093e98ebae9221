// The lane task: the privileged expert drives unseen generated tracks, every perturbation moves
// the lane metrics the expected way where it applies (and is accepted where it does not), and a
// camera model policy runs through the same eval path.
import { beforeAll, describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { initLanePolicyDoc, loadModel } from '../src/index.ts';
import { Simulation } from '../sim/engine/engine.ts';
import { evalEpisodes, type EvalResult } from '../sim/eval/eval.ts';
import { parsePerturb } from '../sim/perturb/perturb.ts';
import { StanleyExpert } from '../sim/tasks/lane-expert.ts';
import { attachLaneTask, runLaneEpisode } from '../sim/tasks/lane-task.ts';
import { generateLaneDoc } from '../sim/world/gen-lane.ts';
import { readWorld } from '../sim/world/read-world.ts';

const short = { task: 'lane', episodes: 4, seed: 3000, durationS: 20 } as const;
const cte = (r: EvalResult): number => r.mean_abs_cte_m as number;

describe('lane expert', () => {
  it('succeeds on ≥ 95 % of unseen seeds (20 tracks, 60 s each, closed and open)', async () => {
    const r = await evalEpisodes({ task: 'lane', policy: 'expert', episodes: 20, seed: 910_000 });
    expect(r.success_rate).toBeGreaterThanOrEqual(0.95);
    expect(r.sim_seconds).toBe(1200);
    expect(r.departures_per_km).toBe(0);
    expect(r.autonomy_pct).toBe(100);
    expect(cte(r)).toBeLessThan(0.05);
    for (const k of ['success_rate', 'sim_seconds', 'wall_seconds', 'real_time_factor', 'mean_abs_cte_m', 'rms_cte_m', 'departures_per_km', 'autonomy_pct']) {
      expect(typeof r[k]).toBe('number');
    }
  }, 60_000);
});

describe('perturbations move lane metrics', () => {
  let expert: EvalResult, vision: EvalResult;
  beforeAll(async () => {
    expert = await evalEpisodes({ ...short, policy: 'expert' });
    vision = await evalEpisodes({ ...short, policy: 'vision' });
  });
  it.each([
    ['steer_bias_deg=3'], ['actuator_gain=0.4'], ['sensor_noise=0.3'], ['latency_ms=150'], ['dropout=0.6'],
  ])('%s raises the expert\'s cross-track error', async (p) => {
    const hit = await evalEpisodes({ ...short, policy: 'expert', perturb: p });
    expect(cte(hit)).toBeGreaterThan(2 * cte(expert));
  });
  it.each([['brightness=0.3'], ['brightness=3'], ['sensor_noise=0.3']])('%s degrades the camera baseline', async (p) => {
    const hit = await evalEpisodes({ ...short, policy: 'vision', perturb: p });
    expect(cte(hit) > cte(vision) || hit.success_rate < vision.success_rate).toBe(true);
  });
  it('wind, gust and density are accepted and leave the lane task unchanged', async () => {
    const drone = await evalEpisodes({ ...short, policy: 'expert', perturb: 'wind_mps=8,gust_mps=3,density=2' });
    expect(cte(drone)).toBe(cte(expert));
    expect(drone.perturb).toEqual({ wind_mps: 8, gust_mps: 3, density: 2 });
  });
  it('a perturbation switches on at its start time, not before', () => {
    const world = readWorld(generateLaneDoc(3100));
    const run = (p: string): number[] => {
      const sim = new Simulation(world, { seed: 1, perturb: parsePerturb(p) });
      const r = attachLaneTask(sim, new StanleyExpert(sim.sensor('lane'), sim.track!));
      const trace: number[] = [];
      runLaneEpisode(sim, r, (s) => { if (s.tick % 15 === 0) trace.push(s.vehicles[0].body.yM); });
      return trace;
    };
    const a = run(''), b = run('steer_bias_deg=6@10');
    const at10 = 10 * 10;
    expect(b.slice(0, at10)).toEqual(a.slice(0, at10));
    expect(b.slice(at10 + 10)).not.toEqual(a.slice(at10 + 10));
  });
  it('recover mode counts every departure and keeps driving (CfC protocol)', async () => {
    const doc = generateLaneDoc(3200) as { task: Record<string, unknown> };
    doc.task.on_departure = 'recover';
    const sim = new Simulation(readWorld(doc), { seed: 1, perturb: parsePerturb('steer_bias_deg=25') });
    const ep = runLaneEpisode(sim, attachLaneTask(sim, new StanleyExpert(sim.sensor('lane'), sim.track!)));
    expect(ep.departures).toBeGreaterThan(1);
    expect(ep.simS).toBe(60);
    expect(ep.success).toBe(false);
  });
});

describe('model policies', () => {
  it('an (untrained) camera NCP runs through eval and reports its backend', async () => {
    const model = loadModel(initLanePolicyDoc({ seed: 1 }));
    const r = await evalEpisodes({ task: 'lane', policy: { model, backend: 'f32' }, episodes: 2, seed: 5, durationS: 5 });
    expect(r.backend).toBe('f32');
    expect(r.policy).toBe(model.name);
    expect(r.sim_seconds).toBeGreaterThan(0);
  });
  it('a model whose input does not match the camera is LNN_E_INPUT_WIDTH', async () => {
    const model = loadModel(initLanePolicyDoc({ seed: 1, camera: [8, 32] }));
    await expect(evalEpisodes({ task: 'lane', policy: { model }, episodes: 1 })).rejects.toSatisfy((e: unknown) => e instanceof LnnError && e.code === 'LNN_E_INPUT_WIDTH');
  });
});
