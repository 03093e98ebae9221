// ncps `NCP`: the four-layer Neural Circuit Policy (sensory → inter → command → motor) with
// recurrent command synapses, on numpy's legacy RandomState(seed). The draw order below is
// ncps's `build()` step for step (ncps-spec.md §6.4); changing any loop order changes every
// wiring after that point, so the lane-keeping listing (§7) is the regression test.
//
// Neuron ids: motor [0, M), command [M, M+C), inter [M+C, M+C+I). Motor first means the
// outputs are state[0 .. M−1].

import { LnnError } from '../../errors.ts';
import { RandomState } from '../rng/mt19937.ts';
import { assembleWiring, range } from './assemble-wiring.ts';
import {
  MAX_RECURRENT_SYNAPSES,
  MAX_UNITS,
  requireCount,
  requireInputDim,
  requireInt,
  requireMtSeed,
} from './wiring-args.ts';
import type { AutoNcpConfig, NcpConfig, Wiring } from './wiring.ts';

/** The NCP constructor arguments (ncps names, camel-cased); seed defaults to 22222. */
export interface NcpArgs {
  readonly inter: number;
  readonly command: number;
  readonly motor: number;
  readonly sensoryFanout: number;
  readonly interFanout: number;
  readonly recurrentCommandSynapses: number;
  readonly motorFanin: number;
  readonly seed?: number;
}

const SIGNS = [-1, 1] as const;

/** ncps's "parameter is X but there are only Y neurons" check, with the allowed range. */
function requireFan(field: string, value: number, layerSize: number, layerName: string): number {
  const n = requireInt(field, value, 1, Number.MAX_SAFE_INTEGER);
  if (n > layerSize) {
    throw new LnnError(
      'LNN_E_WIRING',
      `${field} is ${n} but there are only ${layerSize} ${layerName} neurons (allowed 1..${layerSize})`,
      { field },
    );
  }
  return n;
}

/** Check NCP arguments in ncps's order and return them normalised (seed filled in). */
export function validateNcpArgs(args: NcpArgs): NcpConfig {
  const inter = requireCount('inter_neurons', args.inter, 1, MAX_UNITS);
  const command = requireCount('command_neurons', args.command, 1, MAX_UNITS);
  const motor = requireCount('motor_neurons', args.motor, 1, MAX_UNITS);
  if (inter + command + motor > MAX_UNITS) {
    throw new LnnError(
      'LNN_E_LIMIT',
      `inter + command + motor neurons is ${inter + command + motor}, beyond the supported maximum of ${MAX_UNITS}`,
      { field: 'inter_neurons' },
    );
  }
  const motorFanin = requireFan('motor_fanin', args.motorFanin, command, 'command');
  const sensoryFanout = requireFan('sensory_fanout', args.sensoryFanout, inter, 'inter');
  const interFanout = requireFan('inter_fanout', args.interFanout, command, 'command');
  const recurrentCommandSynapses = requireCount(
    'recurrent_command_synapses',
    args.recurrentCommandSynapses,
    0,
    MAX_RECURRENT_SYNAPSES,
  );
  const seed = requireMtSeed('seed', args.seed ?? 22222);
  return { kind: 'ncp', inter, command, motor, sensoryFanout, interFanout, recurrentCommandSynapses, motorFanin, seed };
}

/**
 * For each `a` of `each` (in order): draw `k` of `pool` without replacement, then one sign
 * per pick, and record the edge. Returns the pool members that were picked at least once.
 */
function connectEach(
  rng: RandomState,
  each: readonly number[],
  pool: readonly number[],
  k: number,
  setEdge: (a: number, b: number, sign: number) => void,
): Set<number> {
  const picked = new Set<number>();
  for (const a of each) {
    for (const b of rng.choice(pool, k, false)) {
      picked.add(b);
      setEdge(a, b, rng.choice(SIGNS));
    }
  }
  return picked;
}

/** Python `int(a * b / c)` clipped to [1, hi] (true division, truncation toward zero). */
function meanFan(a: number, b: number, c: number, hi: number): number {
  return Math.min(Math.max(Math.trunc((a * b) / c), 1), hi);
}

/** Build from validated counts; `config` is what the wiring records (ncp or autoncp). */
export function buildNcp(c: NcpConfig, inputDim: number, config: NcpConfig | AutoNcpConfig): Wiring {
  const units = c.inter + c.command + c.motor;
  const nIn = requireInputDim(inputDim, units);
  const motor = range(0, c.motor);
  const command = range(c.motor, c.motor + c.command);
  const inter = range(c.motor + c.command, units);
  const sensory = range(0, nIn);
  const adjacency = new Int8Array(units * units);
  const sensoryAdjacency = new Int8Array(nIn * units);
  const setSensory = (src: number, dest: number, s: number): void => {
    sensoryAdjacency[src * units + dest] = s;
  };
  const setInternal = (src: number, dest: number, s: number): void => {
    adjacency[src * units + dest] = s;
  };
  const notIn = (ids: readonly number[], picked: Set<number>): number[] => ids.filter((id) => !picked.has(id));
  const rng = new RandomState(c.seed);

  // 1. sensory → inter, then give every unreached inter neuron `fanin` sensory inputs.
  const reachedInter = connectEach(rng, sensory, inter, c.sensoryFanout, setSensory);
  const interFanin = meanFan(nIn, c.sensoryFanout, c.inter, nIn);
  connectEach(rng, notIn(inter, reachedInter), sensory, interFanin, (dest, src, s) => setSensory(src, dest, s));

  // 2. inter → command, then patch unreached command neurons from `fanin` inter neurons.
  const reachedCommand = connectEach(rng, inter, command, c.interFanout, setInternal);
  // ncps clips to the command count, not the inter count; harmless, as I·f/C <= I for f <= C.
  const commandFanin = meanFan(c.inter, c.interFanout, c.command, c.command);
  connectEach(rng, notIn(command, reachedCommand), inter, commandFanin, (dest, src, s) => setInternal(src, dest, s));

  // 3. recurrent command synapses: duplicates overwrite, self-loops allowed.
  for (let i = 0; i < c.recurrentCommandSynapses; i++) {
    const src = rng.choice(command);
    const dest = rng.choice(command);
    setInternal(src, dest, rng.choice(SIGNS));
  }

  // 4. command → motor (each motor draws its fan-in), then unreached command neurons fan out.
  const feedingMotor = connectEach(rng, motor, command, c.motorFanin, (dest, src, s) => setInternal(src, dest, s));
  const commandFanout = meanFan(c.motor, c.motorFanin, c.command, c.motor);
  connectEach(rng, notIn(command, feedingMotor), motor, commandFanout, setInternal);

  return assembleWiring({
    kind: config.kind,
    units,
    inputDim: nIn,
    outputDim: c.motor,
    layers: [inter, command, motor],
    adjacency,
    sensoryAdjacency,
    config,
  });
}

/** ncps `NCP(...)` built for `inputDim` input features. */
export function makeNcp(args: NcpArgs, inputDim: number): Wiring {
  const config = validateNcpArgs(args);
  return buildNcp(config, inputDim, config);
}
