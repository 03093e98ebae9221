// A simulated robot driven in lockstep: no wall clock. The runner calls `advance()`; the simulator
// steps its physics one control period and, at the control instant, pushes the sensor samples
// through the source and calls `onTick(tS, dtS)` once, where the control loop ticks and its
// outputs reach the sink before the physics moves on.

import type { IoAdapter, IoMapping } from '../types.ts';

export interface LockstepIo extends IoAdapter {
  /** the control rate the simulation calls onTick at, Hz */
  readonly hz: number;
  /** simulation time, s (the loop's clock in lockstep) */
  readonly timeS: number;
  /** the mapping this simulated robot speaks (its sensors, its actuator limits) */
  readonly mapping: IoMapping;
  /** set by the runner before the first advance */
  onTick: ((tS: number, dtS: number) => void) | null;
  /** One control period of simulation; false once the episode cannot go on. */
  advance(): boolean;
  /** task metrics so far, for the run summary (e.g. lane: mean_abs_cte_m, departures) */
  summary(): Record<string, number | string>;
}
