// Runs episode jobs on worker threads: each worker takes the next job when it returns a result,
// so fast and slow episodes balance across cores. Results come back in job order (by index),
// so aggregation is identical to running the same jobs in this thread.

import { Worker } from 'node:worker_threads';
import { LnnError, type ErrorCode } from '../../src/errors.ts';
import type { EpisodeResult } from '../tasks/registry.ts';
import type { EpisodeJob, PolicyRef } from './jobs.ts';
import type { WorkerError } from './worker.ts';

/** The TypeScript-source worker (tsx bootstrap); the CLI bundle passes its own. */
export const DEFAULT_WORKER_URL = new URL('./worker-tsx.mjs', import.meta.url);

type Msg = { type: 'ready' } | { type: 'result'; result: EpisodeResult } | { type: 'error'; error: WorkerError };

function rebuild(e: WorkerError): Error {
  if (e.code !== null) {
    const err = new LnnError(e.code as ErrorCode, e.detail, e.where);
    if (e.stack !== undefined) err.stack = e.stack;
    return err;
  }
  const err = new Error(e.message);
  if (e.stack !== undefined) err.stack = e.stack;
  return err;
}

export function runInWorkers(
  jobs: readonly EpisodeJob[], policy: PolicyRef, workers: number, url: URL, onResult: (r: EpisodeResult) => void,
): Promise<EpisodeResult[]> {
  const results: EpisodeResult[] = new Array(jobs.length);
  const n = Math.max(1, Math.min(workers, jobs.length));
  let next = 0, done = 0, failed = false;
  const pool: Worker[] = [];
  return new Promise((resolve, reject) => {
    const stop = (err: Error | null): void => {
      if (failed) return;
      if (err !== null) failed = true;
      for (const w of pool) void w.terminate();
      if (err !== null) reject(err);
      else resolve(results);
    };
    const feed = (w: Worker): void => {
      if (next >= jobs.length) return;
      const { policy: _p, ...job } = jobs[next++];
      w.postMessage({ type: 'job', job });
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(url, { workerData: { lnnSimWorker: true } });
      pool.push(w);
      w.on('message', (m: Msg) => {
        if (failed) return;
        if (m.type === 'ready') {
          w.postMessage({ type: 'init', policy });
          feed(w);
        } else if (m.type === 'result') {
          results[m.result.index - jobs[0].index] = m.result;
          done++;
          onResult(m.result);
          if (done === jobs.length) stop(null);
          else feed(w);
        } else stop(rebuild(m.error));
      });
      w.on('error', (e) => stop(e instanceof Error ? e : new Error(String(e))));
      w.on('exit', (code) => {
        if (!failed && done < jobs.length && code !== 0) stop(new Error(`eval worker exited with code ${code}`));
      });
    }
  });
}
