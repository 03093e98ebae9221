// Task runners by task type ('lane', 'drone'): run one episode of a world, and aggregate many
// episodes into the task's metrics (DESIGN.md §8.2). sim/tasks/index.ts imports every runner so
// that worker threads, which import it too, know the same tasks.

import { LnnError } from '../../src/errors.ts';
import type { EpisodeCache, EpisodeJob, Trajectory } from '../eval/jobs.ts';
import type { WorldSpec } from '../world/types.ts';

/** One episode's outcome: common fields plus the task's own sums (plain data, crosses workers). */
export interface EpisodeResult {
  readonly index: number;
  readonly seed: number;
  readonly success: boolean;
  readonly simS: number;
  readonly sums: Readonly<Record<string, number>>;
  readonly endReason: string;
  readonly trajectory?: Trajectory;
}

export interface TaskRunner {
  readonly task: 'lane' | 'drone';
  run(world: WorldSpec, job: EpisodeJob, cache: EpisodeCache): EpisodeResult;
  /** the task metrics over many episodes (success_rate and sim_seconds are added by the caller) */
  aggregate(results: readonly EpisodeResult[]): Record<string, number>;
}

const RUNNERS = new Map<string, TaskRunner>();

export function registerTask(runner: TaskRunner): void {
  RUNNERS.set(runner.task, runner);
}

export function taskRunner(world: WorldSpec): TaskRunner {
  const type = world.task?.type;
  if (type === undefined) throw new LnnError('LNN_E_MISSING_KEY', `world "${world.name}" has no "task" to evaluate`, { file: world.source, field: 'task' });
  const r = RUNNERS.get(type);
  if (r === undefined) {
    // the drone runner arrives with the quadrotor (sim/vehicles/quadrotor*, sim/control/px4*)
    throw new LnnError('LNN_E_USAGE', `the "${type}" task has no runner in this build (available: ${[...RUNNERS.keys()].join(', ')})`, { file: world.source, field: 'task.type' });
  }
  return r;
}
