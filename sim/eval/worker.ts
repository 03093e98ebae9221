// Worker-thread entry of the eval pool (sim/eval/pool.ts). Protocol, one message each way:
//   in:  { type: 'init', policy }   then   { type: 'job', job }   (policy sent once, not per job)
//   out: { type: 'ready' }, { type: 'result', result } or { type: 'error', error }
// It runs episodes exactly as the main thread would (same modules, same code path), so results
// are identical to an in-process eval. The CLI bundles this file as its own esbuild entry.

import { parentPort, workerData } from 'node:worker_threads';
import { isLnnError } from '../../src/errors.ts';
import { runEpisodeJob } from './episode.ts';
import { EpisodeCache, type EpisodeJob, type PolicyRef } from './jobs.ts';

export interface WorkerError {
  readonly code: string | null;
  readonly detail: string;
  readonly where: Record<string, unknown>;
  readonly message: string;
  readonly stack?: string;
}

export function serialiseError(e: unknown): WorkerError {
  if (isLnnError(e)) return { code: e.code, detail: e.detail, where: { ...e.where }, message: e.message, ...(e.stack !== undefined ? { stack: e.stack } : {}) };
  const err = e instanceof Error ? e : new Error(String(e));
  return { code: null, detail: err.message, where: {}, message: err.message, ...(err.stack !== undefined ? { stack: err.stack } : {}) };
}

// only in a thread the eval pool started (a test runner's own worker threads must not answer)
const port = (workerData as { lnnSimWorker?: boolean } | null)?.lnnSimWorker === true ? parentPort : null;
if (port !== null) {
  const cache = new EpisodeCache();
  let policy: PolicyRef = 'expert';
  port.on('message', (m: { type: 'init'; policy: PolicyRef } | { type: 'job'; job: Omit<EpisodeJob, 'policy'> }) => {
    if (m.type === 'init') {
      policy = m.policy;
      return;
    }
    try {
      port.postMessage({ type: 'result', result: runEpisodeJob({ ...m.job, policy }, cache) });
    } catch (e) {
      port.postMessage({ type: 'error', error: serialiseError(e) });
    }
  });
  port.postMessage({ type: 'ready' });
}
