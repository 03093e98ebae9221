import type { Backend } from '../policy.ts';
import { batchOf } from '../batch-of.ts';
import { compileRef } from './pipeline.ts';

/** float64, plain loops: the definition every other backend is tested against. Runs anything. */
export const refBackend: Backend = {
  name: 'ref',
  unsupported: () => null,
  compile: (model) => compileRef(model),
  compileBatch: (model, agents) => batchOf(() => compileRef(model), agents),
};
