// `lnn sim`: one episode of a task, optionally paced (real_time_factor), pausable through the
// returned Simulation, with its trajectory and last camera frame for a snapshot. The episode is
// the same one `lnn eval --seed S --episodes 1` runs, so its metrics match.

import { LnnError } from '../../src/errors.ts';
import type { Simulation } from '../engine/engine.ts';
import { parsePerturb, type PerturbEntry } from '../perturb/perturb.ts';
import { startLaneJob } from '../tasks/lane-runner.ts';
import { startDroneJob } from '../tasks/drone-runner.ts';
import { taskRunner, type EpisodeResult } from '../tasks/index.ts';
import type { WorldSpec } from '../world/types.ts';
import { EpisodeCache, type PolicyRef, type TaskRef } from './jobs.ts';

export interface SimulateOptions {
  readonly task: TaskRef;
  /** default: the world's seed (generated tasks: 0) */
  readonly seed?: number;
  readonly policy?: PolicyRef;
  /** sim seconds (default: the task's duration) */
  readonly durationS?: number;
  readonly perturb?: string | readonly PerturbEntry[];
  /** 0 = as fast as possible (default: the world's physics.real_time_factor) */
  readonly realTimeFactor?: number;
  readonly signal?: AbortSignal;
  /** called once the simulation is built and before it runs: subscribe to topics, keep it to pause */
  readonly onStart?: (sim: Simulation) => void;
}

export interface SimulateResult {
  readonly world: WorldSpec;
  readonly result: EpisodeResult;
  readonly wallS: number;
}

export async function simulate(opts: SimulateOptions): Promise<SimulateResult> {
  const cache = new EpisodeCache();
  const seed = opts.seed ?? (opts.task === 'lane' || opts.task === 'drone' ? 0 : undefined);
  const world = cache.world(opts.task, seed ?? 0);
  const runner = taskRunner(world);
  const perturb = typeof opts.perturb === 'string' ? parsePerturb(opts.perturb) : [...(opts.perturb ?? [])];
  const job = {
    task: opts.task, index: 0, seed: seed ?? world.seed, perturb, policy: opts.policy ?? 'expert', record: true,
    ...(opts.durationS !== undefined ? { durationS: opts.durationS } : {}),
  } as const;
  // Both task sessions share one shape: the simulation, the task's monitor, a recorder tick, result().
  const session = runner.task === 'lane' ? startLaneJob(world, job, cache) : startDroneJob(world, job, cache);
  opts.onStart?.(session.sim);
  const task = session.sim.world.task;
  const durationS = task === null ? 60 : task.type === 'lane' ? task.durationS : task.timeoutS;
  const onTick = session.onTick;
  const r = await session.sim.run({
    durationS,
    ...(opts.realTimeFactor !== undefined ? { realTimeFactor: opts.realTimeFactor } : {}),
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
    until: () => {
      onTick?.(session.sim);
      return session.run.monitor.done;
    },
  });
  return { world, result: session.result(), wallS: r.wallS };
}
