// Why the loop is not sending policy outputs: a small code plus a field index, so the worker
// reports it with two numbers (no strings in the tick) and the main thread words it.

import type { IoMapping, LoopState } from '../io/types.ts';

export const REASON = {
  NONE: 0,
  /** an input field has never had a good value */
  WAITING: 1,
  /** an input field's held value is older than its maxAgeS */
  STALE: 2,
  /** no sample of any kind on an input field for watchdogS */
  WATCHDOG: 3,
  /** the policy produced NaN or ±Inf on an output (its state is reset) */
  NONFINITE_OUTPUT: 4,
  /** operator e-stop (latched until reset) */
  ESTOP: 5,
  /** operator disarm */
  DISARMED: 6,
  /** an arm command arrived while the inputs were not ready */
  ARM_REFUSED: 7,
  /** the loop worker stopped ticking (main-thread loop watchdog) */
  LOOP_STALLED: 8,
} as const;

export const STATE_CODES: readonly LoopState[] = ['disarmed', 'armed', 'failsafe', 'estop'];
export const STATE = { DISARMED: 0, ARMED: 1, FAILSAFE: 2, ESTOP: 3 } as const;

/** One line for a reason code and field index. */
export function reasonText(m: IoMapping, reason: number, field: number): string {
  const inName = m.inputs[field]?.name ?? `#${field}`;
  const outName = m.outputs.find((f) => field >= f.offset && field < f.offset + f.size)?.name ?? `#${field}`;
  switch (reason) {
    case REASON.NONE: return '';
    case REASON.WAITING: return `waiting for input ${inName}`;
    case REASON.STALE: return `stale input ${inName} (older than ${m.inputs[field]?.maxAgeS ?? '?'} s)`;
    case REASON.WATCHDOG: return `sensor watchdog: no samples on ${inName} for ${m.watchdogS} s`;
    case REASON.NONFINITE_OUTPUT: return `non-finite policy output ${outName}`;
    case REASON.ESTOP: return 'e-stop (send reset to clear)';
    case REASON.DISARMED: return 'disarmed by command';
    case REASON.ARM_REFUSED: return `arm refused: input ${inName} not ready`;
    case REASON.LOOP_STALLED: return 'control loop stalled';
    default: return `reason ${reason}`;
  }
}
