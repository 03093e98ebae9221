import type { Backend } from '../policy.ts';

// Placeholder until the wasm kernels land: asking for it explicitly fails with a coded error.
export const wasmBackend: Backend = {
  name: 'wasm',
  unsupported: () => ({ code: 'LNN_E_BACKEND_UNAVAILABLE', reason: 'the wasm backend is not part of this build yet' }),
};
