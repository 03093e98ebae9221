// compile(model, { backend }) → Policy. A backend asked for by name either runs the model or
// fails with a coded error; 'auto' picks the fastest backend that can and the policy says which.

import { LnnError } from '../errors.ts';
import type { Model } from '../models/types.ts';
import { BACKENDS, type BackendName, type Policy } from './policy.ts';
import { compileRef } from './ref/pipeline.ts';

export interface CompileOptions {
  readonly backend?: BackendName;
}

export function parseBackend(name: string): BackendName {
  if (!(BACKENDS as readonly string[]).includes(name)) {
    throw new LnnError('LNN_E_BACKEND_UNKNOWN', `unknown backend "${name}" (expected one of: ${BACKENDS.join(', ')})`);
  }
  return name as BackendName;
}

export function compile(model: Model, opts: CompileOptions = {}): Policy {
  const backend = opts.backend ?? 'auto';
  switch (backend) {
    case 'ref':
    case 'auto':
      return compileRef(model);
    case 'f32':
    case 'fixed':
    case 'wasm':
    case 'ort':
      throw new LnnError('LNN_E_BACKEND_UNAVAILABLE', `backend "${backend}" is not part of this build yet; use "ref" or "auto"`);
  }
}
