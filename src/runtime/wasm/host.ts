// The host's WebAssembly API, typed here: the project compiles against lib ES2022 without the
// DOM, and @types/node does not declare the WebAssembly global. Only what the backend uses.

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

export interface WasmInstance {
  readonly exports: Readonly<Record<string, unknown>>;
}

export interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, unknown>) => WasmInstance;
}

const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

export function hasWebAssembly(): boolean {
  return api !== undefined;
}

export function wasmValidate(bytes: Uint8Array): boolean {
  return api !== undefined && api.validate(bytes);
}

export function wasmCompile(bytes: Uint8Array): WasmModule {
  if (api === undefined) throw new Error('WebAssembly is not available in this runtime');
  return new api.Module(bytes);
}

export function wasmInstantiate(module: WasmModule): WasmInstance {
  if (api === undefined) throw new Error('WebAssembly is not available in this runtime');
  return new api.Instance(module, {});
}
