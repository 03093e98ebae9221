// ncps `AutoNCP(units, output_size, sparsity_level, seed)`: sizes an NCP from a neuron budget.
// The arithmetic is float64 with Python int() truncation, evaluated in ncps's order, because
// the float results decide the integer sizes: for sparsity 0.9 the density is
// 0.09999999999999998, so int(10 · density) is 0 (then max'ed to 1), not 1.

import { LnnError } from '../../errors.ts';
import { buildNcp, validateNcpArgs } from './ncp.ts';
import { MAX_UNITS, requireCount, requireFraction, requireInt, requireMtSeed } from './wiring-args.ts';
import type { AutoNcpConfig, NcpConfig, Wiring } from './wiring.ts';

/** The NCP counts AutoNCP derives (before the NCP's own validation). */
export interface AutoNcpSizes {
  readonly inter: number;
  readonly command: number;
  readonly motor: number;
  readonly sensoryFanout: number;
  readonly interFanout: number;
  readonly recurrentCommandSynapses: number;
  readonly motorFanin: number;
}

/** Check AutoNCP's arguments (ncps's two checks, plus types) and derive the NCP sizes. */
export function autoNcpSizes(units: number, outputSize: number, sparsityLevel: number): AutoNcpSizes {
  const n = requireCount('units', units, 4, MAX_UNITS);
  const out = requireInt('output_size', outputSize, 1, Number.MAX_SAFE_INTEGER);
  if (out >= n - 2) {
    throw new LnnError(
      'LNN_E_WIRING',
      `output_size must be less than units - 2 (given ${n} units, ${out} output size; allowed 1..${n - 3})`,
      { field: 'output_size' },
    );
  }
  // ncps's message says "0.0 and 0.9" but the check it runs accepts [0.1, 1.0]; we state that.
  const sparsity = requireFraction('sparsity_level', sparsityLevel, 0.1, 1.0, false);
  const density = 1.0 - sparsity;
  const interAndCommand = n - out;
  const command = Math.max(Math.trunc(0.4 * interAndCommand), 1);
  const inter = interAndCommand - command;
  return {
    inter,
    command,
    motor: out,
    sensoryFanout: Math.max(Math.trunc(inter * density), 1),
    interFanout: Math.max(Math.trunc(command * density), 1),
    recurrentCommandSynapses: Math.max(Math.trunc(command * density * 2), 1),
    motorFanin: Math.max(Math.trunc(command * density), 1),
  };
}

/** ncps `AutoNCP(units, outputSize, sparsityLevel, seed)` built for `inputDim` features. */
export function makeAutoNcp(
  units: number,
  outputSize: number,
  sparsityLevel: number = 0.5,
  seed: number = 22222,
  inputDim: number,
): Wiring {
  const sizes = autoNcpSizes(units, outputSize, sparsityLevel);
  const s = requireMtSeed('seed', seed);
  const ncp: NcpConfig = validateNcpArgs({ ...sizes, seed: s });
  const config: AutoNcpConfig = { kind: 'autoncp', units, outputSize, sparsityLevel, seed: s };
  return buildNcp(ncp, inputDim, config);
}
