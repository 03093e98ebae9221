// ncps `FullyConnected`: every neuron feeds every neuron (optionally not itself), every
// input feeds every neuron. Polarities come from np.random.default_rng(erev_init_seed):
// `rng.choice([-1, 1, 1])`, so P(inhibitory) = 1/3, drawn row-major over (src, dest) for the
// internal synapses and then, continuing the same generator, over (input, dest).

import { defaultRng } from '../rng/pcg64.ts';
import { assembleWiring, range } from './assemble-wiring.ts';
import {
  MAX_UNITS,
  requireBool,
  requireCount,
  requireInputDim,
  requireInt,
  requirePcgSeed,
} from './wiring-args.ts';
import type { Wiring } from './wiring.ts';

const POLARITY_POOL = [-1, 1, 1] as const;

/**
 * @param outputDim motor neurons, ids [0, outputDim); undefined means all units (ncps default)
 * @param inputDim  input features; the sensory polarities continue the same RNG stream
 */
export function makeFullyConnected(
  units: number,
  outputDim: number | undefined,
  erevInitSeed: number = 1111,
  selfConnections: boolean = true,
  inputDim: number,
): Wiring {
  const n = requireCount('units', units, 1, MAX_UNITS);
  const out = requireInt('output_dim', outputDim ?? n, 1, n);
  const seed = requirePcgSeed('erev_init_seed', erevInitSeed);
  const self = requireBool('self_connections', selfConnections);
  const nIn = requireInputDim(inputDim, n);

  const rng = defaultRng(seed);
  const adjacency = new Int8Array(n * n);
  for (let src = 0; src < n; src++) {
    for (let dest = 0; dest < n; dest++) {
      if (src === dest && !self) continue;
      adjacency[src * n + dest] = rng.choice(POLARITY_POOL);
    }
  }
  const sensoryAdjacency = new Int8Array(nIn * n);
  for (let i = 0; i < sensoryAdjacency.length; i++) sensoryAdjacency[i] = rng.choice(POLARITY_POOL);

  return assembleWiring({
    kind: 'fully_connected',
    units: n,
    inputDim: nIn,
    outputDim: out,
    layers: [range(0, n)],
    adjacency,
    sensoryAdjacency,
    config: { kind: 'fully_connected', units: n, outputDim: out, erevInitSeed: seed, selfConnections: self },
  });
}
