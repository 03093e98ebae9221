// compile(model, { backend }) → Policy. A backend asked for by name either runs the model or
// fails with a coded error; 'auto' picks the fastest backend that can, and the policy says which.

import { LnnError } from '../errors.ts';
import type { Model } from '../models/types.ts';
import { AUTO_ORDER, BACKEND_TABLE } from './backends.ts';
import { batchOf } from './batch-of.ts';
import {
  BACKENDS, type AsyncPolicy, type Backend, type BackendName, type BackendOptions, type BatchPolicy,
  type ConcreteBackend, type Policy,
} from './policy.ts';

export interface CompileOptions extends BackendOptions {
  readonly backend?: BackendName;
}

export function parseBackend(name: string): BackendName {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new LnnError('LNN_E_BACKEND_UNKNOWN', `unknown backend "${name}" (expected one of: ${BACKENDS.join(', ')})`);
  }
  return name as BackendName;
}

/** The backend that will run: the one named (checked), or auto's first that can run the model. */
export function resolveBackend(model: Model, name: BackendName, mode: 'sync' | 'async'): Backend {
  if (name === 'auto') {
    for (const n of AUTO_ORDER) {
      const b = BACKEND_TABLE[n];
      if (b.unsupported(model) === null && b.compile !== undefined) return b;
    }
    return BACKEND_TABLE.ref;
  }
  const b = BACKEND_TABLE[name];
  const why = b.unsupported(model);
  if (why !== null) throw new LnnError(why.code, `backend "${name}" cannot run this model: ${why.reason}`);
  if (mode === 'sync' && b.compile === undefined) {
    throw new LnnError('LNN_E_BACKEND_UNSUPPORTED', `backend "${name}" is asynchronous only; use compileAsync (lnn predict does)`);
  }
  return b;
}

export function compile(model: Model, opts: CompileOptions = {}): Policy {
  const b = resolveBackend(model, opts.backend ?? 'auto', 'sync');
  return (b.compile as NonNullable<Backend['compile']>)(model, opts);
}

/** Many agents, one model. Backends without a batched kernel get one policy per agent. */
export function compileBatch(model: Model, agents: number, opts: CompileOptions = {}): BatchPolicy {
  if (!Number.isInteger(agents) || agents < 1) throw new LnnError('LNN_E_RANGE', `agents must be a positive integer, got ${agents}`);
  const b = resolveBackend(model, opts.backend ?? 'auto', 'sync');
  if (b.compileBatch !== undefined) return b.compileBatch(model, agents, opts);
  const one = b.compile as NonNullable<Backend['compile']>;
  return batchOf(() => one(model, opts), agents);
}

/** Every backend, ort included, behind one asynchronous interface. */
export async function compileAsync(model: Model, opts: CompileOptions = {}): Promise<AsyncPolicy> {
  const b = resolveBackend(model, opts.backend ?? 'auto', 'async');
  if (b.compileAsync !== undefined) return b.compileAsync(model, opts);
  return asAsync((b.compile as NonNullable<Backend['compile']>)(model, opts));
}

export function asAsync(p: Policy): AsyncPolicy {
  return {
    backend: p.backend, model: p.model, inputSize: p.inputSize, outputSize: p.outputSize,
    stateSize: p.stateSize, cellStateSize: p.cellStateSize,
    stepAsync: async (x, dt, out) => p.step(x, dt, out),
    reset: () => p.reset(),
    getState: (h, c) => p.getState(h, c),
    setState: (h, c) => p.setState(h, c),
    runSequenceAsync: async (inputs, steps, dt, outputs) => p.runSequence(inputs, steps, dt, outputs),
    dispose: async () => undefined,
  };
}

export type { ConcreteBackend };
