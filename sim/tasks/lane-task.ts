// The lane task: drive the track at the set speed; leaving the lane (|cross-track error| of the
// car's centre beyond depart_cte_m, default half the lane width) is a departure. On departure
// the episode ends ("end", the default) or the car is put back on the centre line like a safety
// driver would ("recover", the CfC paper's protocol) and the count goes on. Metrics per episode
// are raw sums so that many episodes aggregate exactly (sim/eval/metrics.ts).

import { LnnError } from '../../src/errors.ts';
import { clamp } from '../core/math.ts';
import type { Simulation } from '../engine/engine.ts';
import { PRIORITY, type SimPlugin } from '../engine/plugin.ts';
import { Car } from '../vehicles/car.ts';
import { makeTrackPoint, type Track } from '../world/track.ts';
import type { LaneTaskSpec } from '../world/types.ts';
import type { LaneDriver } from './lane-driver.ts';

export type LaneEndReason = 'duration' | 'departure' | 'track_end';

/** One lane episode, as sums (aggregated by sim/eval/metrics.ts). */
export interface LaneEpisode {
  readonly seed: number;
  readonly success: boolean;
  readonly endReason: LaneEndReason;
  readonly simS: number;
  readonly distanceM: number;
  readonly departures: number;
  /** Σ|cte|, Σcte² over `samples` physics ticks, m and m² */
  readonly sumAbsCteM: number;
  readonly sumSqCteM2: number;
  readonly samples: number;
  /** Σ(steering rate)² over `steerSamples` control periods, (rad/s)² */
  readonly sumSqSteerRate: number;
  readonly steerSamples: number;
}

/** Controller plugin: at the control rate asks the driver for steering, holds the set speed. */
export class LaneControl implements SimPlugin {
  readonly name = 'lane_control';
  private lastSteer = 0;
  sumSqSteerRate = 0;
  steerSamples = 0;
  private readonly periodS: number;

  constructor(private readonly car: Car, private readonly cmd: Float64Array, private readonly driver: LaneDriver, private readonly task: LaneTaskSpec) {
    this.periodS = 1 / task.controlHz;
  }

  preStep(sim: Simulation): void {
    const r = this.task.controlHz / sim.rateHz;
    if (sim.tick > 0 && Math.floor(sim.tick * r) === Math.floor((sim.tick - 1) * r)) return;
    const raw = this.driver.act(sim, this.car, this.periodS);
    const steer = Number.isFinite(raw) ? clamp(raw, -this.car.params.steerMaxRad, this.car.params.steerMaxRad) : 0;
    if (sim.tick > 0) {
      const rate = (steer - this.lastSteer) / this.periodS;
      this.sumSqSteerRate += rate * rate;
      this.steerSamples++;
    }
    this.lastSteer = steer;
    this.cmd[0] = steer;
    this.cmd[1] = this.task.speedMps;
  }

  reset(): void {
    this.lastSteer = 0;
    this.sumSqSteerRate = 0;
    this.steerSamples = 0;
    this.driver.reset();
  }
}

/** Monitor plugin: cross-track statistics, departures, progress, end of episode. */
export class LaneMonitor implements SimPlugin {
  readonly name = 'lane_monitor';
  private readonly tp = makeTrackPoint();
  sumAbs = 0;
  sumSq = 0;
  samples = 0;
  departures = 0;
  done = false;
  endReason: LaneEndReason = 'duration';
  /** called on every departure (after counting it) */
  onDeparture: ((sim: Simulation) => void) | null = null;

  constructor(private readonly car: Car, private readonly track: Track, private readonly task: LaneTaskSpec) {}

  /** the car's current point on the track */
  get point(): Readonly<typeof this.tp> {
    return this.tp;
  }

  postStep(sim: Simulation): void {
    const b = this.car.body;
    this.track.project(b.xM, b.yM, this.tp.index, this.tp);
    const e = this.tp.cteM;
    this.sumAbs += Math.abs(e);
    this.sumSq += e * e;
    this.samples++;
    if (Math.abs(e) > this.task.departCteM) {
      this.departures++;
      this.onDeparture?.(sim);
      if (this.task.onDeparture === 'end') {
        this.done = true;
        this.endReason = 'departure';
        return;
      }
      // recovery: back onto the centre line at the same arc length, heading along the track
      this.car.setPose(b.xM - Math.sin(this.tp.headingRad) * -e, b.yM + Math.cos(this.tp.headingRad) * -e, this.tp.headingRad, this.task.speedMps);
    }
    if (!this.track.closed && this.tp.sM >= this.track.lengthM - 2) {
      this.done = true;
      this.endReason = 'track_end';
    }
  }

  reset(): void {
    this.tp.index = -1;
    this.sumAbs = 0;
    this.sumSq = 0;
    this.samples = 0;
    this.departures = 0;
    this.done = false;
    this.endReason = 'duration';
  }
}

export interface LaneRun {
  readonly car: Car;
  readonly control: LaneControl;
  readonly monitor: LaneMonitor;
}

/** Attaches the lane task (control + monitor plugins) to a simulation of a lane world. */
export function attachLaneTask(sim: Simulation, driver: LaneDriver): LaneRun {
  const task = sim.world.task;
  if (task === null || task.type !== 'lane' || sim.track === null) {
    throw new LnnError('LNN_E_MISSING_KEY', `world "${sim.world.name}" has no lane task (it needs "task": {"type": "lane"} and a "track")`, { field: 'task' });
  }
  const v = sim.vehicle(task.vehicle);
  if (!(v instanceof Car)) throw new LnnError('LNN_E_RANGE', `the lane task drives a car, but "${task.vehicle}" is a ${v.type}`, { field: 'task.vehicle' });
  const control = new LaneControl(v, sim.command(v.name), driver, task);
  const monitor = new LaneMonitor(v, sim.track, task);
  sim.addPlugin(control, PRIORITY.control);
  sim.addPlugin(monitor, PRIORITY.monitor);
  return { car: v, control, monitor };
}

/** Runs one episode from the current state to its end (duration, departure or end of road). */
export function runLaneEpisode(sim: Simulation, run: LaneRun, onTick?: (sim: Simulation) => void): LaneEpisode {
  const task = sim.world.task as LaneTaskSpec;
  const steps = Math.round(task.durationS * sim.rateHz);
  for (let k = sim.tick; k < steps && !run.monitor.done; k++) {
    sim.step(1);
    onTick?.(sim);
  }
  return laneEpisode(sim, run);
}

/** The episode's sums so far (after runLaneEpisode, or after a paced `sim.run`). */
export function laneEpisode(sim: Simulation, run: LaneRun): LaneEpisode {
  const m = run.monitor;
  return {
    seed: sim.seed, success: m.departures === 0, endReason: m.endReason, simS: sim.timeS,
    distanceM: run.car.odometerM, departures: m.departures, sumAbsCteM: m.sumAbs, sumSqCteM2: m.sumSq,
    samples: m.samples, sumSqSteerRate: run.control.sumSqSteerRate, steerSamples: run.control.steerSamples,
  };
}
