import type { Backend } from '../policy.ts';
import { batchOf } from '../batch-of.ts';
import { compileF32 } from './pipeline.ts';

/** float32 storage, fused sparse cell kernels, pure JS: runs every model, on any Node. */
export const f32Backend: Backend = {
  name: 'f32',
  unsupported: () => null,
  compile: (model) => compileF32(model),
  compileBatch: (model, agents) => batchOf(() => compileF32(model), agents),
};
