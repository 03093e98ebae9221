// Public surface of the wiring module: the data type, its JSON form, and one builder per
// ncps wiring class.

export type {
  AutoNcpConfig,
  FullyConnectedConfig,
  NcpConfig,
  RandomConfig,
  Wiring,
  WiringConfig,
  WiringJson,
  WiringKind,
} from './wiring.ts';
export { wiringFromConfig, wiringToJson } from './wiring.ts';
export { makeFullyConnected } from './fully-connected.ts';
export { makeRandom } from './random.ts';
export type { NcpArgs } from './ncp.ts';
export { makeNcp } from './ncp.ts';
export type { AutoNcpSizes } from './auto-ncp.ts';
export { autoNcpSizes, makeAutoNcp } from './auto-ncp.ts';
export { MAX_INPUT_DIM, MAX_RECURRENT_SYNAPSES, MAX_SENSORY_ENTRIES, MAX_UNITS } from './wiring-args.ts';
