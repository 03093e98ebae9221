import type { Backend } from '../policy.ts';

// Placeholder until the fixed kernels land: asking for it explicitly fails with a coded error.
export const fixedBackend: Backend = {
  name: 'fixed',
  unsupported: () => ({ code: 'LNN_E_BACKEND_UNAVAILABLE', reason: 'the fixed backend is not part of this build yet' }),
};
