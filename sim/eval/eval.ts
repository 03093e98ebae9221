// evalEpisodes: N seeded episodes of a task under a policy → the `lnn eval --json` object
// (DESIGN.md §8.2). Episode i runs with seed `seed + i` (generated tasks build their world from
// it), so `lnn sim <task> --seed <seed+i>` replays it. With workers > 0 the episodes spread over
// worker threads; every field except wall_seconds and real_time_factor is then identical to an
// in-process run (workers: 0).

import { LnnError } from '../../src/errors.ts';
import type { ConcreteBackend } from '../../src/runtime/policy.ts';
import { parsePerturb, perturbJson, type PerturbEntry } from '../perturb/perturb.ts';
import { taskRunner, type EpisodeResult } from '../tasks/index.ts';
import { runEpisodeJob } from './episode.ts';
import { EpisodeCache, policyLabel, type EpisodeJob, type PolicyRef, type TaskRef } from './jobs.ts';
import { DEFAULT_WORKER_URL, runInWorkers } from './pool.ts';

export const MAX_EPISODES = 100000;
export const MAX_WORKERS = 64;

export interface EvalOptions {
  /** 'lane' | 'drone' (generated per episode) or a world file path */
  readonly task: TaskRef;
  readonly policy: PolicyRef;
  /** default 10 */
  readonly episodes?: number;
  /** default 0 */
  readonly seed?: number;
  /** `key=value[@start_s],...` or parsed entries */
  readonly perturb?: string | readonly PerturbEntry[];
  /** 0 (default) = in this thread; N = N worker threads */
  readonly workers?: number;
  /** the worker module (default: the tsx bootstrap beside this file; the CLI bundle passes its own) */
  readonly workerUrl?: URL;
  /** overrides the task's episode duration, sim seconds */
  readonly durationS?: number;
  /** keep each episode's trajectory and last camera frame (for snapshots), given to onProgress */
  readonly record?: boolean;
  readonly onProgress?: (done: number, total: number, result: EpisodeResult) => void;
}

/** The DESIGN.md §8.2 eval object; task metrics are merged in at the top level. */
export interface EvalResult {
  readonly task: string;
  readonly policy: string;
  readonly backend: ConcreteBackend | null;
  readonly episodes: number;
  readonly seed: number;
  readonly perturb: ReturnType<typeof perturbJson>;
  readonly workers: number;
  readonly success_rate: number;
  readonly sim_seconds: number;
  readonly wall_seconds: number;
  readonly real_time_factor: number;
  readonly episode_results: readonly { seed: number; success: boolean; end: string; sim_seconds: number }[];
  readonly [metric: string]: unknown;
}

function checkInt(v: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(v)) throw new LnnError('LNN_E_TYPE', `${name} must be an integer, got ${v}`, { field: name });
  if (v > max && (name === 'episodes' || name === 'workers')) throw new LnnError('LNN_E_LIMIT', `${name} ${v} is beyond the limit ${max}`, { field: name });
  if (v < min || v > max) throw new LnnError('LNN_E_RANGE', `${name} ${v} is out of range (${min} to ${max})`, { field: name });
  return v;
}

export async function evalEpisodes(opts: EvalOptions): Promise<EvalResult> {
  const episodes = checkInt(opts.episodes ?? 10, 'episodes', 1, MAX_EPISODES);
  const seed = checkInt(opts.seed ?? 0, 'seed', 0, Number.MAX_SAFE_INTEGER - episodes);
  const workers = checkInt(opts.workers ?? 0, 'workers', 0, MAX_WORKERS);
  const perturb = typeof opts.perturb === 'string' ? parsePerturb(opts.perturb) : [...(opts.perturb ?? [])];
  const t0 = performance.now();
  // resolve the task and the policy here first: bad files and bad models fail before any worker starts
  const cache = new EpisodeCache();
  const runner = taskRunner(cache.world(opts.task, seed));
  let backend: ConcreteBackend | null = null;
  let policy = opts.policy;
  if (policy !== 'expert' && policy !== 'vision') {
    const p = cache.policy(policy);
    backend = p.backend;
    policy = { model: policy.model, backend };
  }
  const jobs: EpisodeJob[] = Array.from({ length: episodes }, (_, i) => ({
    task: opts.task, index: i, seed: seed + i, perturb, policy,
    ...(opts.record === true ? { record: true } : {}),
    ...(opts.durationS !== undefined ? { durationS: opts.durationS } : {}),
  }));
  let done = 0;
  const progress = (r: EpisodeResult): void => opts.onProgress?.(++done, episodes, r);
  let results: EpisodeResult[];
  if (workers === 0) {
    results = [];
    for (const job of jobs) {
      const r = runEpisodeJob(job, cache);
      results.push(r);
      progress(r);
      // let the event loop breathe between episodes (progress output, signals)
      await new Promise<void>((res) => setImmediate(res));
    }
  } else {
    results = await runInWorkers(jobs, policy, workers, opts.workerUrl ?? DEFAULT_WORKER_URL, progress);
  }
  const wallS = (performance.now() - t0) / 1000;
  const simS = results.reduce((a, r) => a + r.simS, 0);
  return {
    task: opts.task,
    policy: policyLabel(opts.policy),
    backend,
    episodes,
    seed,
    perturb: perturbJson(perturb),
    workers,
    success_rate: results.filter((r) => r.success).length / episodes,
    sim_seconds: simS,
    wall_seconds: wallS,
    real_time_factor: wallS > 0 ? simS / wallS : 0,
    ...runner.aggregate(results),
    episode_results: results.map((r) => ({ seed: r.seed, success: r.success, end: r.endReason, sim_seconds: r.simS, ...r.sums })),
  };
}
