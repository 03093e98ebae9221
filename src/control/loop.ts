// One control tick, top to bottom (DESIGN.md §2; aesthetics house style rule 8):
//   readSensors → validate → commands → normalise → policy.step → adapt → safetyFilter → actuate
//   → publishStatus
// The loop is thin: validation, safety and scheduling are the pure classes beside it. It runs in
// the loop worker (real time) or on the main thread (lockstep with the simulator), over the same
// shared-memory bus. It allocates nothing per tick.

import type { IoMapping } from '../io/types.ts';
import type { Policy } from '../runtime/policy.ts';
import { boxedGrid } from './boxed.ts';
import { REASON } from './reasons.ts';
import { SafetyFilter } from './safety.ts';
import { CMD, nextCommand, readNewSample, STATUS, writeOutput, type LoopBus } from './transport.ts';
import { denormalise, InputValidator, normalise } from './validate.ts';

/** Parameter table: dt clamp as multiples of the nominal period (house style rule 12). */
export const LOOP_PARAMS = {
  /** dt below a quarter period (a tick right after a late one) is raised to it */
  dtMinPeriods: { default: 0.25, min: 0.01, max: 1, description: 'lower clamp of dt, in periods' },
  /** dt above 10 periods (a long stall) is cut: the policy never sees a jump it was not trained for */
  dtMaxPeriods: { default: 10, min: 1, max: 1000, description: 'upper clamp of dt, in periods' },
  /** the main thread is woken for the newest output at most this often (every tick up to 250 Hz) */
  outputWakeHzMax: { default: 250, min: 1, max: 100_000, description: 'output deliveries per second, at most' },
} as const;

/** dt reaches the policy on a grid of 1 % of the period (error ≤ 0.5 %), pre-boxed: boxed.ts */
const DT_GRID_STEPS_PER_PERIOD = 100;

export class ControlLoop {
  readonly validator: InputValidator;
  readonly safety: SafetyFilter;
  /** [now s, dt s] of the current tick, shared with the validator and the safety filter */
  readonly time = new Float64Array(2);
  /** [ticks, policy steps] since start (cells, not fields: a counter past 2^31 would box) */
  private readonly counts = new Float64Array(2);
  /** (inputSize) normalised model input */
  private readonly x: Float64Array;
  /** (outputSize) model output, then the same de-normalised to physical units */
  private readonly yModel: Float64Array;
  private readonly yRaw: Float64Array;
  /** (outputSize) what goes to the actuators */
  readonly yOut: Float64Array;
  /** per field: [tS, rxS, values] scratch for reading a sample out of shared memory */
  private readonly scratch: Float64Array[];
  private readonly dtMinS: number;
  private readonly dtMaxS: number;
  private readonly periodS: number;
  /** dt values from dtMinS to dtMaxS in 1 % steps of the period, boxed */
  private readonly dtGrid: readonly number[];
  private readonly dtGridFirst: number;
  private lastState = -1;
  /** wake the main thread every this many ticks (outputWakeHzMax) */
  private readonly wakeEvery: number;

  constructor(private readonly policy: Policy, private readonly m: IoMapping, private readonly bus: LoopBus, hz: number) {
    this.validator = new InputValidator(m, this.time);
    this.safety = new SafetyFilter(m, this.time);
    this.x = new Float64Array(m.inputSize);
    this.yModel = new Float64Array(m.outputSize);
    this.yRaw = new Float64Array(m.outputSize);
    this.yOut = new Float64Array(m.outputSize);
    this.scratch = m.inputs.map((f) => new Float64Array(2 + f.size));
    this.periodS = 1 / hz;
    this.dtMinS = LOOP_PARAMS.dtMinPeriods.default / hz;
    this.dtMaxS = LOOP_PARAMS.dtMaxPeriods.default / hz;
    const first = Math.round(LOOP_PARAMS.dtMinPeriods.default * DT_GRID_STEPS_PER_PERIOD);
    const last = Math.round(LOOP_PARAMS.dtMaxPeriods.default * DT_GRID_STEPS_PER_PERIOD);
    this.dtGridFirst = first;
    this.wakeEvery = Math.max(1, Math.ceil(hz / LOOP_PARAMS.outputWakeHzMax.default));
    // (first + i) / 100 periods: exactly one period at i = 100 − first
    this.dtGrid = boxedGrid(last - first + 1, (i) => ((first + i) / DT_GRID_STEPS_PER_PERIOD) * this.periodS);
  }

  get ticks(): number {
    return this.counts[0];
  }

  /** ticks on which the policy stepped (every input ready) */
  get steps(): number {
    return this.counts[1];
  }

  /** One tick at loop time nowS (seconds since start), dtS seconds after the previous one. */
  tickAt(nowS: number, dtS: number): void {
    this.time[0] = nowS;
    this.time[1] = dtS;
    this.tick();
  }

  /** One tick at time[0] (s), time[1] s after the previous one. Allocates nothing. */
  tick(): void {
    const dtS = this.time[1];
    this.time[1] = dtS < this.dtMinS ? this.dtMinS : dtS > this.dtMaxS ? this.dtMaxS : dtS;
    this.readSensors();
    const inputs = this.validator.checkNow();
    this.applyCommands(inputs);
    if (inputs === REASON.NONE) this.stepPolicy();
    this.adapt();
    this.safety.filterNow(inputs, this.validator.badField, this.yRaw, this.yOut);
    if (this.safety.policyResetWanted) {
      this.policy.reset();
      this.safety.policyResetWanted = false;
    }
    this.actuate();
    this.publishStatus();
  }

  private readSensors(): void {
    const n = this.m.inputs.length;
    for (let f = 0; f < n; f++) {
      const s = this.scratch[f];
      if (readNewSample(this.bus, f, s)) this.validator.offerSample(f, s);
    }
  }

  private applyCommands(inputs: number): void {
    for (let code = nextCommand(this.bus.ctl); code !== 0; code = nextCommand(this.bus.ctl)) {
      this.safety.command(code, inputs, this.validator.badField);
      if (code === CMD.RESET) this.policy.reset();
    }
  }

  private stepPolicy(): void {
    normalise(this.m, this.validator.raw, this.x);
    const i = Math.round((this.time[1] / this.periodS) * DT_GRID_STEPS_PER_PERIOD) - this.dtGridFirst;
    this.policy.step(this.x, this.dtGrid[i < 0 ? 0 : i >= this.dtGrid.length ? this.dtGrid.length - 1 : i], this.yModel);
    denormalise(this.m, this.yModel, this.yRaw);
    this.counts[1]++;
  }

  /** On-device adaptation hook: not built yet (frozen; it must stay frozen while disarmed). */
  private adapt(): void {}

  private actuate(): void {
    this.counts[0]++;
    // a state change is delivered at once; otherwise every wakeEvery-th tick (outputWakeHzMax)
    const wake = this.wakeEvery === 1 || this.counts[0] % this.wakeEvery === 0 || this.safety.state !== this.lastState;
    this.lastState = this.safety.state;
    writeOutput(this.bus, this.yOut, this.time, this.counts, wake);
  }

  private publishStatus(): void {
    const st = this.bus.status;
    st[STATUS.STATE] = this.safety.state;
    st[STATUS.REASON] = this.safety.reason;
    st[STATUS.REASON_FIELD] = this.safety.reasonField;
    st[STATUS.TICKS] = this.counts[0];
    st[STATUS.T_S] = this.time[0];
    st[STATUS.REJECTED] = this.validator.rejected;
    st[STATUS.HOLDING] = this.validator.holdingCount();
    st[STATUS.STEPS] = this.counts[1];
  }
}
