// One episode, wherever it runs (this thread or a worker): world for the seed → task runner.
import type { EpisodeResult } from '../tasks/index.ts';
import { taskRunner } from '../tasks/index.ts';
import type { EpisodeCache, EpisodeJob } from './jobs.ts';

export function runEpisodeJob(job: EpisodeJob, cache: EpisodeCache): EpisodeResult {
  const world = cache.world(job.task, job.seed);
  return taskRunner(world).run(world, job, cache);
}
