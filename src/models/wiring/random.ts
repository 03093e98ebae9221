// ncps `Random`: a uniformly random subset of all (src, dest) pairs, sized by sparsity, on
// np.random.default_rng(random_seed). Draw order, replayed exactly:
//   1. rng.choice(all units² pairs, size=round(units²·(1 − s)), replace=False)
//   2. one polarity rng.choice([-1, 1, 1]) per chosen pair, in the order chosen
//   3. (build) the same over input_dim × units sensory pairs, but with TWO polarity draws
//      per pair, the second overwriting the first: an ncps quirk that still consumes RNG.

import type { Generator } from '../rng/pcg64.ts';
import { defaultRng } from '../rng/pcg64.ts';
import { assembleWiring, range } from './assemble-wiring.ts';
import {
  MAX_UNITS,
  requireCount,
  requireFraction,
  requireInputDim,
  requireInt,
  requirePcgSeed,
} from './wiring-args.ts';
import type { Wiring } from './wiring.ts';

const POLARITY_POOL = [-1, 1, 1] as const;

/** numpy `np.round` for one float64: ties go to the even neighbour (rint). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const frac = x - f; // exact for doubles
  if (frac < 0.5) return f;
  if (frac > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Choose round(rows·cols·density) cells of a rows × cols matrix and sign them. */
function fillRandom(
  rng: Generator,
  matrix: Int8Array,
  density: number,
  polarityDraws: number,
): void {
  const pairs = matrix.length;
  const count = roundHalfEven(pairs * density);
  const chosen = rng.sampleIndices(pairs, count);
  for (let k = 0; k < chosen.length; k++) {
    let polarity = 0;
    for (let d = 0; d < polarityDraws; d++) polarity = rng.choice(POLARITY_POOL);
    matrix[chosen[k]] = polarity;
  }
}

/**
 * @param outputDim     motor neurons, ids [0, outputDim); undefined means all units
 * @param sparsityLevel fraction of absent synapses, [0, 1) as ncps validates it
 */
export function makeRandom(
  units: number,
  outputDim: number | undefined,
  sparsityLevel: number = 0.0,
  randomSeed: number = 1111,
  inputDim: number,
): Wiring {
  const n = requireCount('units', units, 1, MAX_UNITS);
  const out = requireInt('output_dim', outputDim ?? n, 1, n);
  const sparsity = requireFraction('sparsity_level', sparsityLevel, 0, 1, true);
  const seed = requirePcgSeed('random_seed', randomSeed);
  const nIn = requireInputDim(inputDim, n);

  const rng = defaultRng(seed);
  // ncps evaluates units * units * (1 - sparsity) left to right in float64.
  const density = 1 - sparsity;
  const adjacency = new Int8Array(n * n);
  fillRandom(rng, adjacency, density, 1);
  const sensoryAdjacency = new Int8Array(nIn * n);
  fillRandom(rng, sensoryAdjacency, density, 2);

  return assembleWiring({
    kind: 'random',
    units: n,
    inputDim: nIn,
    outputDim: out,
    layers: [range(0, n)],
    adjacency,
    sensoryAdjacency,
    config: { kind: 'random', units: n, outputDim: out, sparsityLevel: sparsity, randomSeed: seed },
  });
}
