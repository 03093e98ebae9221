// onnxruntime-node is optional (a lean Pi install leaves it out, DESIGN.md §2): it is found with a
// cheap synchronous resolve, and imported only when an ort policy is compiled. The few parts of
// its API that lnn-edge uses are typed here, structurally, so that type-checking lnn-edge does
// not need the package either.

import { createRequire } from 'node:module';
import { LnnError } from '../../errors.ts';
import type { Unsupported } from '../policy.ts';

export const ORT_PACKAGE = 'onnxruntime-node';

export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, OrtTensor>>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  readonly intraOpNumThreads: number;
  readonly interOpNumThreads: number;
  readonly executionMode: 'sequential' | 'parallel';
  readonly graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
}

export interface OrtModule {
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  readonly InferenceSession: {
    create(model: Uint8Array, options: OrtSessionOptions): Promise<OrtSession>;
  };
}

/**
 * For a ~20-neuron step the cost is fixed overhead, not arithmetic (shared/research/ecosystem.md
 * §1): one intra-op thread (a second gains nothing and competes with the event loop on 2 cores),
 * sequential execution, and every graph optimisation (ORT fuses Gemm + activation itself).
 */
export const ORT_SESSION_OPTIONS: OrtSessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** Why a package cannot be used here, or null when Node can resolve it from this module. */
export function packageUnavailable(pkg: string): Unsupported | null {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return null;
  } catch {
    return {
      code: 'LNN_E_BACKEND_UNAVAILABLE',
      reason: `${pkg} is not installed (npm install ${pkg} with ONNXRUNTIME_NODE_INSTALL=skip)`,
    };
  }
}

let loaded: Promise<OrtModule> | null = null;

/** Imports onnxruntime-node once; a coded error when it is missing or its native part fails. */
export function loadOrt(): Promise<OrtModule> {
  // A failure is not cached: installing the package lets the next attempt succeed.
  loaded ??= importOrt().catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  return loaded;
}

async function importOrt(): Promise<OrtModule> {
  const why = packageUnavailable(ORT_PACKAGE);
  if (why !== null) throw new LnnError(why.code, why.reason);
  // A specifier held in a variable keeps the type checker and bundlers from requiring the package.
  const specifier: string = ORT_PACKAGE;
  try {
    const mod = (await import(specifier)) as Partial<OrtModule> & { default?: OrtModule };
    // A CommonJS package: its exports are the named exports, or else the default one.
    return mod.InferenceSession !== undefined ? (mod as OrtModule) : (mod.default as OrtModule);
  } catch (e) {
    throw new LnnError('LNN_E_BACKEND_UNAVAILABLE', `${ORT_PACKAGE} is installed but could not be loaded: ${(e as Error).message}`);
  }
}
