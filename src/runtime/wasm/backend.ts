// The `wasm` backend: a WebAssembly module generated at load time for the model's shapes and
// sparsity (f32x4 fixed-width SIMD, weights in linear memory), for one agent (`compile`) or
// for many with their states side by side (`compileBatch`, 4 agents per v128 lane group).
// Runs every stage type; needs only a runtime with WebAssembly SIMD (Node ≥ 16.4).

import type { Backend } from '../policy.ts';
import { FunctionBody } from './emit/code.ts';
import { ModuleBuilder } from './emit/module.ts';
import { F32, Simd } from './emit/opcodes.ts';
import { hasWebAssembly, wasmValidate } from './host.ts';
import { compileWasm, compileWasmBatch } from './policy.ts';

export { compileWasm, compileWasmBatch, type WasmBatchPolicy, type WasmPolicy } from './policy.ts';
export type { WasmReadout } from './readout-handle.ts';

let simd: boolean | null = null;

/** Whether this runtime validates a module using v128 (checked once). */
export function simdAvailable(): boolean {
  if (simd === null) {
    if (!hasWebAssembly()) return (simd = false);
    const f = new FunctionBody([], [F32]);
    f.f32x4(1).f32x4(2).simd(Simd.f32x4_add).extractLane(0);
    const m = new ModuleBuilder();
    m.exportFunction('f', m.addFunction(f));
    simd = wasmValidate(m.encode());
  }
  return simd;
}

export const wasmBackend: Backend = {
  name: 'wasm',
  unsupported: () => (simdAvailable()
    ? null
    : { code: 'LNN_E_BACKEND_UNAVAILABLE', reason: 'this runtime has no WebAssembly SIMD (v128); Node >= 16.4 has it' }),
  compile: (model) => compileWasm(model),
  compileBatch: (model, agents) => compileWasmBatch(model, agents),
};
