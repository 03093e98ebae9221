// What `lnn eval` and `lnn sim` share: reading --policy and --task, and the worker bundle.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { PolicyRef } from '../../sim/eval/jobs.ts';
import { parseBackend } from '../runtime/compile.ts';

/** `expert`, `vision` (the classical camera baseline) or a model file run through the runtime. */
export function policyRef(policy: string, backend: string | undefined): PolicyRef {
  if (policy === 'expert' || policy === 'vision') return policy;
  return { model: policy, backend: parseBackend(backend ?? 'auto') };
}

/**
 * The worker module for episode threads. The bundled CLI ships dist/sim-worker.mjs beside itself;
 * from sources (tests, tsx) the simulator's own tsx bootstrap is used (undefined here).
 */
export function workerUrl(): URL | undefined {
  const u = new URL('./sim-worker.mjs', import.meta.url);
  return u.protocol === 'file:' && existsSync(fileURLToPath(u)) ? u : undefined;
}

/** Default worker threads: one per core, but never more than there are episodes. */
export function defaultWorkers(episodes: number): number {
  const n = Math.min(availableParallelism(), episodes);
  return n <= 1 ? 0 : n;
}
