import type { Backend } from '../policy.ts';

// Placeholder until the ONNX export lands: asking for it explicitly fails with a coded error.
export const ortBackend: Backend = {
  name: 'ort',
  unsupported: () => ({ code: 'LNN_E_BACKEND_UNAVAILABLE', reason: 'the ort backend is not part of this build yet' }),
};
