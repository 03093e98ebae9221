// The safety filter: the arm/disarm/e-stop/failsafe state machine, and the last word on every
// output (clamp, rate limit, failsafe values, non-finite guard). Pure and allocation-free: the
// loop feeds it the inputs' readiness and the policy's physical outputs each tick.
//
//            arm (inputs ready)                 inputs not ready / non-finite output
//  disarmed ───────────────────▶ armed ────────────────────────────────────────▶ failsafe
//     ▲  ◀── disarm ───────────────┘  ◀── inputs ready again, if autoArm; or arm ──┘
//     └──── reset ◀── estop (latched; from any state) ◀── estop
//
// Only `armed` sends policy outputs, rate limited from the previous command (so arming ramps from
// the failsafe value) and clamped. Every other state sends the failsafe values at once, without a
// rate limit: a failsafe must not wait (PX4 does the same for its failsafe setpoints).
// autoArm (mapping) arms whenever the inputs are ready; an explicit disarm or e-stop suspends it
// until the next arm or reset.

import type { IoMapping } from '../io/types.ts';
import { CMD } from './transport.ts';
import { REASON, STATE } from './reasons.ts';

export class SafetyFilter {
  /** STATE.* */
  state: number = STATE.DISARMED;
  /** REASON.* and its field (input field for input reasons, output index for NONFINITE_OUTPUT) */
  reason: number = REASON.NONE;
  reasonField = -1;
  /** (outputSize) the command sent last tick, physical units */
  readonly prev: Float64Array;
  /** (outputSize) per element: clamp, rate (per s), failsafe value */
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly rate: Float64Array;
  private readonly safe: Float64Array;
  /** set when the policy's state must be zeroed (reset command, non-finite output); the loop clears it */
  policyResetWanted = false;
  private autoArm: boolean;
  /** [now s, dt s]: the loop writes the tick's time here (no double crosses a call: boxed.ts) */
  readonly time: Float64Array;

  constructor(private readonly m: IoMapping, time: Float64Array = new Float64Array(2)) {
    this.time = time;
    const n = m.outputSize;
    this.prev = new Float64Array(n);
    this.lo = new Float64Array(n);
    this.hi = new Float64Array(n);
    this.rate = new Float64Array(n);
    this.safe = new Float64Array(n);
    for (const f of m.outputs) {
      for (let i = f.offset; i < f.offset + f.size; i++) {
        this.lo[i] = f.min;
        this.hi[i] = f.max;
        this.rate[i] = f.ratePerS;
        this.safe[i] = f.failsafe;
      }
    }
    this.prev.set(this.safe);
    this.autoArm = m.autoArm;
  }

  private enter(state: number, reason: number, field: number): void {
    this.state = state;
    this.reason = reason;
    this.reasonField = field;
  }

  /** An operator command; `inputs` is the inputs' readiness this tick (REASON.NONE = ready). */
  command(code: number, inputs: number, inputsField: number): void {
    switch (code) {
      case CMD.ARM:
        if (this.state === STATE.ESTOP || this.state === STATE.ARMED) return;
        if (inputs === REASON.NONE) {
          this.enter(STATE.ARMED, REASON.NONE, -1);
          this.autoArm = this.m.autoArm;
        } else {
          this.reason = REASON.ARM_REFUSED;
          this.reasonField = inputsField;
        }
        return;
      case CMD.DISARM:
        if (this.state === STATE.ESTOP) return;
        this.enter(STATE.DISARMED, REASON.DISARMED, -1);
        this.autoArm = false;
        return;
      case CMD.ESTOP:
        this.enter(STATE.ESTOP, REASON.ESTOP, -1);
        this.autoArm = false;
        return;
      case CMD.RESET:
        this.enter(STATE.DISARMED, REASON.NONE, -1);
        this.autoArm = this.m.autoArm;
        this.policyResetWanted = true;
        this.prev.set(this.safe);
        return;
      default:
        return;
    }
  }

  /** One tick of dtS seconds (sets time[1]; see filterNow). */
  filter(dtS: number, inputs: number, inputsField: number, y: Float64Array, out: Float64Array): void {
    this.time[1] = dtS;
    this.filterNow(inputs, inputsField, y, out);
  }

  /**
   * One tick of time[1] seconds. `inputs`/`inputsField`: the validator's verdict. `y`: the policy's
   * outputs in physical units (read only when armed and inputs are ready). Writes the command to `out`.
   */
  filterNow(inputs: number, inputsField: number, y: Float64Array, out: Float64Array): void {
    const dtS = this.time[1];
    const ready = inputs === REASON.NONE;
    if (this.state === STATE.ARMED && !ready) {
      this.enter(STATE.FAILSAFE, inputs, inputsField);
    } else if ((this.state === STATE.FAILSAFE || this.state === STATE.DISARMED) && this.autoArm && ready) {
      this.enter(STATE.ARMED, REASON.NONE, -1);
    } else if (!ready && (this.state === STATE.FAILSAFE || (this.state === STATE.DISARMED && this.autoArm))) {
      // keep the reason current: stale → watchdog as a link stays down
      this.reason = inputs;
      this.reasonField = inputsField;
    }
    const n = out.length;
    if (this.state === STATE.ARMED) {
      for (let i = 0; i < n; i++) {
        const v = y[i];
        if (v - v !== 0) { // NaN or ±Inf (PX4_ISFINITE)
          this.enter(STATE.FAILSAFE, REASON.NONFINITE_OUTPUT, i);
          this.policyResetWanted = true;
          break;
        }
      }
    }
    if (this.state !== STATE.ARMED) {
      for (let i = 0; i < n; i++) out[i] = this.safe[i];
      this.prev.set(out);
      return;
    }
    for (let i = 0; i < n; i++) {
      let v = y[i];
      const r = this.rate[i];
      if (r !== Infinity) {
        const step = r * dtS, p = this.prev[i];
        if (v > p + step) v = p + step;
        else if (v < p - step) v = p - step;
      }
      if (v < this.lo[i]) v = this.lo[i];
      else if (v > this.hi[i]) v = this.hi[i];
      out[i] = v;
      this.prev[i] = v;
    }
  }
}
