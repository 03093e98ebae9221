// Plugins (gz-sim "systems"): code that runs inside the step. `preStep` runs before the physics
// at the current tick (controllers write commands here), `postStep` after the physics and the
// sensors at the new tick (monitors, loggers). Plugins run in ascending priority, ties in the
// order they were added, so a run is deterministic. World files name plugins by registered type.

import { LnnError } from '../../src/errors.ts';
import type { PluginSpec } from '../world/types.ts';
import type { Simulation } from './engine.ts';

export interface SimPlugin {
  readonly name: string;
  /** called once when added */
  configure?(sim: Simulation): void;
  preStep?(sim: Simulation): void;
  postStep?(sim: Simulation): void;
  /** back to the initial state (the engine's reset calls it) */
  reset?(sim: Simulation): void;
}

/** Standard priorities: perturbation switches first, controllers next, monitors last. */
export const PRIORITY = { perturb: -100, control: 0, default: 50, monitor: 100 } as const;

export type PluginFactory = (spec: PluginSpec, sim: Simulation) => SimPlugin;

const FACTORIES = new Map<string, { make: PluginFactory; priority: number }>();

export function registerPlugin(type: string, make: PluginFactory, priority: number = PRIORITY.default): void {
  FACTORIES.set(type, { make, priority });
}

export function pluginFactory(spec: PluginSpec, index: number, file: string | undefined): { make: PluginFactory; priority: number } {
  const f = FACTORIES.get(spec.type);
  if (f === undefined) {
    throw new LnnError('LNN_E_UNKNOWN_KEY', `unknown plugin type "${spec.type}" (available: ${[...FACTORIES.keys()].sort().join(', ')})`, {
      ...(file !== undefined ? { file } : {}), field: `plugins[${index}].type`,
    });
  }
  return f;
}
