// The `ort` backend: the model's step exported as an ONNX graph (src/models/onnx) and run by
// onnxruntime-node, the peer that the benchmark compares against (DESIGN.md §4). It is
// asynchronous only (onnxruntime-node's run() returns a Promise), so it has compileAsync and no
// compile. onnxruntime-node is optional: without it the backend says so, with a coded reason.

import type { Backend } from '../policy.ts';
import { ORT_PACKAGE, packageUnavailable } from './ort-api.ts';
import { compileOrt } from './ort-policy.ts';

export const ortBackend: Backend = {
  name: 'ort',
  // Every stage type has an ONNX form, so only a missing package stops it.
  unsupported: () => packageUnavailable(ORT_PACKAGE),
  compileAsync: (model) => compileOrt(model),
};

export { compileOrt, compileOrtBatch, type AsyncBatchPolicy } from './ort-policy.ts';
export { ORT_PACKAGE, ORT_SESSION_OPTIONS, packageUnavailable } from './ort-api.ts';
