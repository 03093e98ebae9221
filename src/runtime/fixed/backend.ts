// The `fixed` backend: integer kernels bit-exact with the C firmware (docs/fixed-point.md).
// Formats come from the model's `meta.quant` when it has one; else from BackendOptions.calibration
// (calibrated at compile time); else from the data-free default (quantize.ts).

import { LnnError } from '../../errors.ts';
import { readQuantParams, type QuantParams } from '../../models/quantize/params.ts';
import { dataFreeQuantParams, deriveQuantParams } from '../../models/quantize/quantize.ts';
import type { Model } from '../../models/types.ts';
import { batchOf } from '../batch-of.ts';
import type { Backend, BackendOptions, Unsupported } from '../policy.ts';
import { weightMax } from './linear.ts';
import { compileFixed, type FixedPolicy } from './pipeline.ts';

/** The formats a fixed policy of this model uses, by the precedence above. */
export function quantParamsFor(model: Model, opts: BackendOptions = {}): QuantParams {
  return readQuantParams(model) ?? (opts.calibration !== undefined ? deriveQuantParams(model, opts.calibration) : dataFreeQuantParams(model));
}

export function compileFixedPolicy(model: Model, opts: BackendOptions = {}): FixedPolicy {
  return compileFixed(model, quantParamsFor(model, opts));
}

/** Why a model cannot run in integers, checked without compiling it. */
function fixedUnsupported(model: Model): Unsupported | null {
  try {
    readQuantParams(model);
  } catch (e) {
    if (e instanceof LnnError) {
      return { code: 'LNN_E_BACKEND_UNSUPPORTED', reason: `its quantisation parameters are not usable (${e.where.field ?? 'meta.quant'}: ${e.detail})` };
    }
    throw e;
  }
  for (const s of model.stages) {
    // weight × int16 products summed over the fan-in stay below 2^38 (exact in a double): the
    // weight range shrinks with the fan-in (linear.ts weightMax), and below int8 we refuse
    const fanIn = s.type === 'dense' || s.type === 'readout' ? s.inSize
      : s.type === 'conv2d' ? s.inShape[0] * s.kernel[0] * s.kernel[1]
        : s.type === 'lstm' ? s.inSize + s.units
          : s.type === 'cfc' ? Math.max(...s.layers.map((L) => Math.max(L.inSize + L.units, ...L.backbone.map((b) => b.inSize))))
            : 0;
    if (weightMax(8, fanIn) < 127) {
      return { code: 'LNN_E_BACKEND_UNSUPPORTED', reason: `a ${s.type} stage has fan-in ${fanIn}; exact integer accumulators allow at most 65,793 with int8 weights` };
    }
  }
  return null;
}

/** Integers only in the step, the same integers as the firmware; not in auto (its point is exactness, not speed). */
export const fixedBackend: Backend = {
  name: 'fixed',
  unsupported: fixedUnsupported,
  compile: (model, opts) => compileFixedPolicy(model, opts),
  compileBatch: (model, agents, opts) => {
    const q = quantParamsFor(model, opts);
    return batchOf(() => compileFixed(model, q), agents);
  },
};
