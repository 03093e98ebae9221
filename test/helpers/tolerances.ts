// Every numeric tolerance of the test suite, in one place (DESIGN.md §4). A backend's outputs
// and states are compared with the ref backend as |got − ref| <= atol + rtol·|ref|.

import type { ConcreteBackend } from '../../src/runtime/policy.ts';

export const TOLERANCES = {
  /** ref (float64) against ncps (torch float32) outputs and states, absolute. ncps-spec §9.5:
   *  a float64 port matched torch to ≤ 3e-7 over 5 steps; 1e-5 leaves room for longer runs. */
  refVsNcps: 1e-5,
} as const;

export interface Tol { readonly atol: number; readonly rtol: number; readonly why: string }

/** Backend against ref on the same model and inputs. */
export const BACKEND_TOLERANCE: Readonly<Record<ConcreteBackend, Tol>> = {
  ref: { atol: 0, rtol: 0, why: 'the reference itself' },
  // float32 weights and state: ~6e-8 relative per rounding, a few hundred roundings per step
  f32: { atol: 1e-5, rtol: 1e-5, why: 'float32 storage of weights and state (DESIGN.md §4: ≤ 1e-5 relative)' },
  wasm: { atol: 1e-5, rtol: 1e-5, why: 'f32x4 arithmetic (DESIGN.md §4: ≤ 1e-5 relative)' },
  ort: { atol: 1e-5, rtol: 1e-5, why: 'onnxruntime float32 CPU kernels' },
  // int8 weights / int16 activations; the bound is derived and documented in docs/fixed-point.md
  fixed: { atol: 2e-2, rtol: 0, why: 'quantisation: worst parity case 7.7e-3 (docs/fixed-point.md §10)' },
};

export function withinTol(got: ArrayLike<number>, ref: ArrayLike<number>, t: Tol): { ok: boolean; worst: number } {
  let worst = 0;
  if (got.length !== ref.length) return { ok: false, worst: Infinity };
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i] as number;
    const d = Math.abs((got[i] as number) - r);
    const excess = d - (t.atol + t.rtol * Math.abs(r));
    if (!(excess <= 0)) return { ok: false, worst: Number.isNaN(d) ? Infinity : d };
    worst = Math.max(worst, d);
  }
  return { ok: true, worst };
}
