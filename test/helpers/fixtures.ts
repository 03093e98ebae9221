// Test fixtures live inside the repo (a user's clone has no ../shared).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface GoldenTensor { shape: number[]; data: number[] }
export interface GoldenCase {
  name: string;
  config: Record<string, unknown>;
  state_dict: Record<string, GoldenTensor>;
  input: GoldenTensor;
  timespans: GoldenTensor | null;
  h0: GoldenTensor | GoldenTensor[] | null;
  output: GoldenTensor;
  final_state: GoldenTensor | GoldenTensor[];
}
export interface GoldenWiring {
  ctor: (string | number)[];
  units: number;
  input_dim: number;
  output_dim: number;
  layers: number[][];
  adjacency_matrix: number[][];
  sensory_adjacency_matrix: number[][];
  synapse_count: number;
  sensory_synapse_count: number;
}
export interface Golden { cases: GoldenCase[]; wirings: Record<string, GoldenWiring> }

let cached: Golden | null = null;
export function golden(): Golden {
  cached ??= JSON.parse(readFileSync(`${FIXTURES}ncps-golden.json`, 'utf8')) as Golden;
  return cached;
}

/** Largest absolute difference between two equally long arrays (Infinity on length mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return Number.isNaN(m) ? Infinity : m;
}
