// Argument checks shared by the wiring builders. Messages follow ncps's ValueErrors (say
// what was given and what is allowed) and name the ncps argument in `field`, so a user who
// knows ncps recognises the problem. Sizes past the sane limits are LNN_E_LIMIT, not
// LNN_E_WIRING: the arguments are meaningful, we just refuse to allocate that much.

import { LnnError } from '../../errors.ts';

/** Largest neuron count: a 4096² Int8Array adjacency is 16 MiB and 16.8 M RNG draws. */
export const MAX_UNITS = 4096;
/** Largest number of input features (sensory neurons). */
export const MAX_INPUT_DIM = 65536;
/** Largest sensory matrix (inputDim × units entries): 16 MiB as Int8Array. */
export const MAX_SENSORY_ENTRIES = 1 << 24;
/** Largest recurrent_command_synapses: each is three RNG draws, and ncps allows duplicates. */
export const MAX_RECURRENT_SYNAPSES = 1_000_000;

/** A whole number in [min, max]; anything else (NaN, 2.5, -1, a string) is LNN_E_WIRING. */
export function requireInt(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`;
    throw new LnnError('LNN_E_WIRING', `${field} must be ${range} (given ${describe(value)})`, { field });
  }
  return value;
}

/** A whole number >= min whose size is capped by a sanity limit (LNN_E_LIMIT past it). */
export function requireCount(field: string, value: unknown, min: number, limit: number): number {
  const n = requireInt(field, value, min, Number.MAX_SAFE_INTEGER);
  if (n > limit) {
    throw new LnnError('LNN_E_LIMIT', `${field} is ${n}, beyond the supported maximum of ${limit}`, { field });
  }
  return n;
}

/** Seed of numpy's legacy RandomState: [0, 2^32 − 1], like numpy itself requires. */
export function requireMtSeed(field: string, value: unknown): number {
  return requireInt(field, value, 0, 0xffffffff);
}

/** Seed of np.random.default_rng: any non-negative integer (we accept up to 2^53 − 1). */
export function requirePcgSeed(field: string, value: unknown): number {
  return requireInt(field, value, 0, Number.MAX_SAFE_INTEGER);
}

/** A finite number in [min, max] (both inclusive unless maxExclusive). */
export function requireFraction(
  field: string,
  value: unknown,
  min: number,
  max: number,
  maxExclusive: boolean,
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= min &&
    (maxExclusive ? value < max : value <= max);
  if (!ok) {
    const range = maxExclusive ? `[${min}, ${max})` : `[${min}, ${max}]`;
    throw new LnnError('LNN_E_WIRING', `${field} must be a number in ${range} (given ${describe(value)})`, { field });
  }
  return value;
}

export function requireBool(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new LnnError('LNN_E_WIRING', `${field} must be true or false (given ${describe(value)})`, { field });
  }
  return value;
}

/** The input width the wiring is built for, and the sensory matrix size it implies. */
export function requireInputDim(value: unknown, units: number): number {
  const inputDim = requireCount('input_dim', value, 1, MAX_INPUT_DIM);
  if (inputDim * units > MAX_SENSORY_ENTRIES) {
    throw new LnnError(
      'LNN_E_LIMIT',
      `input_dim × units is ${inputDim * units}, beyond the supported maximum of ${MAX_SENSORY_ENTRIES}`,
      { field: 'input_dim' },
    );
  }
  return inputDim;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  return typeof value;
}
