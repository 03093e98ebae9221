// The backend registry, and the order in which `auto` tries them (fastest first). fixed is not
// in the auto list: its point is bit-exactness with the firmware, not speed; ort is the peer.

import type { Backend, ConcreteBackend } from './policy.ts';
import { refBackend } from './ref/backend.ts';
import { f32Backend } from './f32/backend.ts';
import { fixedBackend } from './fixed/backend.ts';
import { wasmBackend } from './wasm/backend.ts';
import { ortBackend } from './ort/backend.ts';

export const BACKEND_TABLE: Readonly<Record<ConcreteBackend, Backend>> = {
  ref: refBackend,
  f32: f32Backend,
  fixed: fixedBackend,
  wasm: wasmBackend,
  ort: ortBackend,
};

export const AUTO_ORDER: readonly ConcreteBackend[] = ['wasm', 'f32', 'ref'];
