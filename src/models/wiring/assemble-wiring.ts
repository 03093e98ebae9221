// The last step of every builder: count synapses and freeze the result. Kept apart from
// wiring.ts so builders import no values from it (wiring.ts imports the builders).

import type { Wiring, WiringConfig, WiringKind } from './wiring.ts';

export interface WiringParts {
  readonly kind: WiringKind;
  readonly units: number;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly layers: readonly (readonly number[])[];
  /** (units × units) row-major [src, dest], −1/0/+1; ownership passes to the wiring. */
  readonly adjacency: Int8Array;
  /** (inputDim × units) row-major [input, dest], −1/0/+1; ownership passes to the wiring. */
  readonly sensoryAdjacency: Int8Array;
  readonly config: WiringConfig;
}

function countNonzero(a: Int8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) n++;
  return n;
}

/** Freeze the object, its layer lists and config (typed arrays cannot be frozen). */
export function assembleWiring(parts: WiringParts): Wiring {
  const layers = Object.freeze(parts.layers.map((layer) => Object.freeze([...layer])));
  return Object.freeze({
    kind: parts.kind,
    units: parts.units,
    inputDim: parts.inputDim,
    outputDim: parts.outputDim,
    layers,
    adjacency: parts.adjacency,
    sensoryAdjacency: parts.sensoryAdjacency,
    synapseCount: countNonzero(parts.adjacency),
    sensorySynapseCount: countNonzero(parts.sensoryAdjacency),
    config: Object.freeze({ ...parts.config }),
  });
}

/** [start, start + 1, …, end − 1]. */
export function range(start: number, end: number): number[] {
  const out: number[] = [];
  for (let i = start; i < end; i++) out.push(i);
  return out;
}
