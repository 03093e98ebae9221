// The Wiring data type: which neuron feeds which, with what sign (ncps `wirings.py`).
// A wiring is frozen data built once from its constructor arguments and a seed; `config`
// keeps exactly those arguments so `wiringFromConfig(w.config, w.inputDim)` rebuilds it bit
// for bit (house style rule 3). Unlike ncps we never store derived neuron lists in config.

import { LnnError } from '../../errors.ts';
import { makeAutoNcp } from './auto-ncp.ts';
import { makeFullyConnected } from './fully-connected.ts';
import { makeNcp } from './ncp.ts';
import { makeRandom } from './random.ts';

export type WiringKind = 'fully_connected' | 'random' | 'ncp' | 'autoncp';

/** ncps `FullyConnected(units, output_dim, erev_init_seed, self_connections)`. */
export interface FullyConnectedConfig {
  readonly kind: 'fully_connected';
  readonly units: number;
  readonly outputDim: number;
  /** Seed of np.random.default_rng (PCG64) drawing the polarities. */
  readonly erevInitSeed: number;
  readonly selfConnections: boolean;
}

/** ncps `Random(units, output_dim, sparsity_level, random_seed)`. */
export interface RandomConfig {
  readonly kind: 'random';
  readonly units: number;
  readonly outputDim: number;
  /** Fraction of absent synapses, [0, 1). */
  readonly sparsityLevel: number;
  /** Seed of np.random.default_rng (PCG64). */
  readonly randomSeed: number;
}

/** ncps `NCP(inter_neurons, command_neurons, motor_neurons, ..., seed)` (counts, not lists). */
export interface NcpConfig {
  readonly kind: 'ncp';
  readonly inter: number;
  readonly command: number;
  readonly motor: number;
  readonly sensoryFanout: number;
  readonly interFanout: number;
  readonly recurrentCommandSynapses: number;
  readonly motorFanin: number;
  /** Seed of numpy's legacy RandomState (MT19937), [0, 2^32). */
  readonly seed: number;
}

/** ncps `AutoNCP(units, output_size, sparsity_level, seed)`. */
export interface AutoNcpConfig {
  readonly kind: 'autoncp';
  readonly units: number;
  readonly outputSize: number;
  /** [0.1, 1.0]; 1 − sparsity is the density used to size the fan-outs. */
  readonly sparsityLevel: number;
  /** Seed of numpy's legacy RandomState (MT19937), [0, 2^32). */
  readonly seed: number;
}

export type WiringConfig = FullyConnectedConfig | RandomConfig | NcpConfig | AutoNcpConfig;

export interface Wiring {
  readonly kind: WiringKind;
  /** Number of neurons (= state size); motor neurons are ids [0, outputDim). */
  readonly units: number;
  /** Number of input features (sensory neurons). */
  readonly inputDim: number;
  /** Number of motor neurons (outputs). */
  readonly outputDim: number;
  /** Neuron ids per layer, ascending. NCP: [inter, command, motor]; others: [all units]. */
  readonly layers: readonly (readonly number[])[];
  /** (units × units) row-major [src, dest]: +1 excitatory, −1 inhibitory, 0 none. */
  readonly adjacency: Int8Array;
  /** (inputDim × units) row-major [input, dest]: +1, −1 or 0. */
  readonly sensoryAdjacency: Int8Array;
  /** Nonzero entries of `adjacency` (ncps `synapse_count`). */
  readonly synapseCount: number;
  /** Nonzero entries of `sensoryAdjacency` (ncps `sensory_synapse_count`). */
  readonly sensorySynapseCount: number;
  /** The constructor arguments, seed included: enough to rebuild the wiring. */
  readonly config: WiringConfig;
}

/** The JSON form, key for key what ncps `Wiring.get_config()` holds (plus `layers`). */
export interface WiringJson {
  units: number;
  input_dim: number;
  output_dim: number;
  layers: number[][];
  adjacency_matrix: number[][];
  sensory_adjacency_matrix: number[][];
}

function toRows(flat: Int8Array, rows: number, cols: number): number[][] {
  const out: number[][] = [];
  for (let r = 0; r < rows; r++) out.push(Array.from(flat.subarray(r * cols, (r + 1) * cols)));
  return out;
}

/** Nested number arrays as ncps's `matrix.tolist()` gives them. */
export function wiringToJson(w: Wiring): WiringJson {
  return {
    units: w.units,
    input_dim: w.inputDim,
    output_dim: w.outputDim,
    layers: w.layers.map((layer) => [...layer]),
    adjacency_matrix: toRows(w.adjacency, w.units, w.units),
    sensory_adjacency_matrix: toRows(w.sensoryAdjacency, w.inputDim, w.units),
  };
}

/** Rebuild a wiring from its constructor arguments (replays the seeded RNG). */
export function wiringFromConfig(config: WiringConfig, inputDim: number): Wiring {
  switch (config.kind) {
    case 'fully_connected':
      return makeFullyConnected(config.units, config.outputDim, config.erevInitSeed, config.selfConnections, inputDim);
    case 'random':
      return makeRandom(config.units, config.outputDim, config.sparsityLevel, config.randomSeed, inputDim);
    case 'ncp':
      return makeNcp(config, inputDim);
    case 'autoncp':
      return makeAutoNcp(config.units, config.outputSize, config.sparsityLevel, config.seed, inputDim);
    default: {
      const kind: unknown = (config as { kind?: unknown }).kind;
      throw new LnnError(
        'LNN_E_WIRING',
        `unknown wiring kind ${JSON.stringify(kind)} (expected fully_connected, random, ncp or autoncp)`,
        { field: 'kind' },
      );
    }
  }
}
