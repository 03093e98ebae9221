// What an episode needs, as plain data that crosses a worker boundary: the task (a generator
// name or a world file), the episode seed, the perturbations and the policy. Resolving them (a
// world from a seed, a compiled policy from a model) happens where the episode runs, cached.

import { loadModelFile } from '../../src/models/load.ts';
import type { Model } from '../../src/models/types.ts';
import { compile } from '../../src/runtime/compile.ts';
import type { BackendName, Policy } from '../../src/runtime/policy.ts';
import type { PerturbEntry } from '../perturb/perturb.ts';
import { generateDroneDoc } from '../world/gen-drone.ts';
import { generateLaneDoc } from '../world/gen-lane.ts';
import { readWorld, readWorldFile } from '../world/read-world.ts';
import type { WorldSpec } from '../world/types.ts';

/** 'lane' / 'drone': a freshly generated world per episode seed; anything else: a world file path. */
export type TaskRef = string;

/**
 * 'expert' (privileged), 'vision' (a classical camera baseline, lane only), or a model (a file
 * path or a loaded Model) and the backend to run it on.
 */
export type PolicyRef = 'expert' | 'vision' | { readonly model: string | Model; readonly backend?: BackendName };

export interface EpisodeJob {
  readonly task: TaskRef;
  /** episode index within the eval (results are ordered by it) */
  readonly index: number;
  /** episode seed: eval seed + index, so `lnn sim <task> --seed S+i` replays episode i */
  readonly seed: number;
  readonly perturb: readonly PerturbEntry[];
  readonly policy: PolicyRef;
  /** keep a trajectory (every 0.1 s) and the last camera frame, for snapshots */
  readonly record?: boolean;
  /** overrides the task's duration, sim seconds */
  readonly durationS?: number;
}

export interface Trajectory {
  readonly xM: number[];
  readonly yM: number[];
  /** the last camera frame and its size, when the vehicle has a camera */
  readonly camera: { readonly width: number; readonly height: number; readonly data: Float32Array } | null;
}

/** Per-process caches: a world file is read once, a model compiled once per backend. */
export class EpisodeCache {
  private readonly files = new Map<string, WorldSpec>();
  private readonly policies = new Map<string | Model, Map<string, Policy>>();

  world(task: TaskRef, seed: number): WorldSpec {
    if (task === 'lane') return readWorld(generateLaneDoc(seed), undefined, `lane:${seed}`);
    if (task === 'drone') return readWorld(generateDroneDoc(seed), undefined, `drone:${seed}`);
    let w = this.files.get(task);
    if (w === undefined) {
      w = readWorldFile(task);
      this.files.set(task, w);
    }
    return w;
  }

  policy(ref: Exclude<PolicyRef, 'expert' | 'vision'>): Policy {
    let byBackend = this.policies.get(ref.model);
    if (byBackend === undefined) {
      byBackend = new Map();
      this.policies.set(ref.model, byBackend);
    }
    const backend = ref.backend ?? 'auto';
    let p = byBackend.get(backend);
    if (p === undefined) {
      const model = typeof ref.model === 'string' ? loadModelFile(ref.model) : ref.model;
      p = compile(model, { backend });
      byBackend.set(backend, p);
    }
    return p;
  }
}

export function policyLabel(ref: PolicyRef): string {
  if (ref === 'expert' || ref === 'vision') return ref;
  return typeof ref.model === 'string' ? ref.model : ref.model.name;
}
