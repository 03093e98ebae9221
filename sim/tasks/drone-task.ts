// The drone task: fly from the start to the target (3-D distance ≤ success radius) without touching
// an obstacle or the ground, before the timeout. A collision or ground strike ends the episode as
// a failure, so does the timeout. Metrics per episode are raw sums (aggregated in
// sim/eval/metrics.ts): collision, time to target, path length, straight-line distance ℓ to the
// success sphere, SPL term S·ℓ/max(p, ℓ).
//
// Generated worlds (`drone:<seed>`) are normalised to the task contract (sim/docs/drone.md):
// depth camera 32 × 8 (hfov 90°, 20 m kept), success radius 1 m, and a timeout of
// 2.5 × (straight-line distance / cruise speed) + 10 s (30–50 m at 2 m/s: 47.5–72.5 s).
// World files keep what they declare.

import { LnnError } from '../../src/errors.ts';
import { rotationZYX } from '../core/math.ts';
import type { Simulation } from '../engine/engine.ts';
import { PRIORITY, type SimPlugin } from '../engine/plugin.ts';
import type { Vehicle } from '../engine/vehicle.ts';
import { NO_HIT } from '../physics/raycast.ts';
import type { DroneTaskSpec, SensorSpec, WorldSpec } from '../world/types.ts';
import type { DroneDriver } from './drone-driver.ts';
import { DRONE_DEPTH_HEIGHT, DRONE_DEPTH_WIDTH, limitCommand } from './drone-obs.ts';

export type DroneEndReason = 'target' | 'collision' | 'ground' | 'timeout';

/** timeout = TIMEOUT_FACTOR × straight-line time at cruise + TIMEOUT_MARGIN_S (generated worlds) */
export const TIMEOUT_FACTOR = 2.5;
export const TIMEOUT_MARGIN_S = 10;
export const GENERATED_SUCCESS_RADIUS_M = 1;

/** One drone episode, as sums (aggregated by sim/eval/metrics.ts). */
export interface DroneEpisode {
  readonly success: boolean;
  readonly endReason: DroneEndReason;
  readonly simS: number;
  /** 1 when the episode ended on an obstacle or the ground, else 0 */
  readonly collisions: number;
  /** sim time at which the target was reached (0 when it was not), s */
  readonly timeToTargetS: number;
  /** flown 3-D path length, m */
  readonly pathM: number;
  /** ℓ: straight-line 3-D distance from the start to the success sphere (|target − start| − radius), m */
  readonly straightM: number;
  /** S·ℓ / max(p, ℓ) (Anderson et al. 2018) */
  readonly spl: number;
  /** 3-D distance to the target at the end, m */
  readonly finalDistM: number;
}

/** The world the drone task runs: generated worlds get the contract's depth, radius and timeout. */
export function droneTaskWorld(world: WorldSpec, durationS?: number): WorldSpec {
  const task = world.task;
  if (task === null || task.type !== 'drone' || world.target === null) {
    throw new LnnError('LNN_E_MISSING_KEY', `world "${world.name}" has no drone task (it needs "task": {"type": "drone"} and a "target")`, { field: 'task' });
  }
  let w = world;
  if (/^drone:\d+$/.test(world.source)) {
    const v = world.models.find((m) => m.kind === 'vehicle' && m.name === task.vehicle);
    const p = world.target.positionM;
    const straight = v === undefined || v.kind !== 'vehicle' ? 0 : Math.hypot(p[0] - v.pose.xM, p[1] - v.pose.yM, p[2] - v.pose.zM);
    const depth = (s: SensorSpec): SensorSpec => (s.type === 'depth' ? { ...s, width: DRONE_DEPTH_WIDTH, height: DRONE_DEPTH_HEIGHT } : s);
    w = {
      ...world,
      models: world.models.map((m) => (m.kind === 'vehicle' ? { ...m, sensors: m.sensors.map(depth) } : m)),
      task: { ...task, successRadiusM: GENERATED_SUCCESS_RADIUS_M, timeoutS: TIMEOUT_FACTOR * (straight / task.cruiseMps) + TIMEOUT_MARGIN_S },
    };
  }
  if (durationS !== undefined) w = { ...w, task: { ...(w.task as DroneTaskSpec), timeoutS: durationS } };
  return w;
}

/** Controller plugin: at the control rate asks the driver for a command and clamps it. */
export class DroneControl implements SimPlugin {
  readonly name = 'drone_control';
  private readonly periodS: number;

  constructor(private readonly drone: Vehicle, private readonly cmd: Float64Array, private readonly driver: DroneDriver, private readonly task: DroneTaskSpec) {
    this.periodS = 1 / task.controlHz;
    if (cmd.length !== 4) throw new LnnError('LNN_E_RANGE', `the drone task flies a vehicle with 4 command slots (vx, vy, vz, yaw rate); "${drone.name}" has ${cmd.length}`, { field: 'task.vehicle' });
  }

  preStep(sim: Simulation): void {
    const r = this.task.controlHz / sim.rateHz;
    if (sim.tick > 0 && Math.floor(sim.tick * r) === Math.floor((sim.tick - 1) * r)) return;
    this.driver.act(sim, this.drone, this.periodS, this.cmd);
    limitCommand(this.cmd);
  }

  reset(): void {
    this.driver.reset();
  }
}

/** Monitor plugin, every physics tick: path length, collisions (true geometry), target, end. */
export class DroneMonitor implements SimPlugin {
  readonly name = 'drone_monitor';
  pathM = 0;
  done = false;
  endReason: DroneEndReason = 'timeout';
  timeToTargetS = 0;
  private px: number;
  private py: number;
  private pz: number;
  private airborne = false;
  readonly startM: readonly number[];
  private readonly R = new Float64Array(9);

  constructor(private readonly drone: Vehicle, private readonly targetM: readonly number[], private readonly task: DroneTaskSpec) {
    const b = drone.body;
    this.startM = [b.xM, b.yM, b.zM];
    this.px = b.xM; this.py = b.yM; this.pz = b.zM;
  }

  distanceToTargetM(): number {
    const b = this.drone.body, t = this.targetM;
    const dx = t[0] - b.xM, dy = t[1] - b.yM, dz = t[2] - b.zM;
    return Math.sqrt(dx * dx + dy * dy + dz * dz);
  }

  postStep(sim: Simulation): void {
    // the outcome is final: stepping on after the end (a paced run's last batch) changes nothing
    if (this.done) return;
    const b = this.drone.body;
    const dx = b.xM - this.px, dy = b.yM - this.py, dz = b.zM - this.pz;
    this.pathM += Math.sqrt(dx * dx + dy * dy + dz * dz);
    this.px = b.xM; this.py = b.yM; this.pz = b.zM;
    const s = this.drone.collisionSpheres, R = this.R;
    rotationZYX(b.yawRad, b.pitchRad, b.rollRad, R);
    let lowest = Infinity;
    for (let k = 0; k + 3 < s.length; k += 4) {
      const x = b.xM + R[0] * s[k] + R[1] * s[k + 1] + R[2] * s[k + 2];
      const y = b.yM + R[3] * s[k] + R[4] * s[k + 1] + R[5] * s[k + 2];
      const z = b.zM + R[6] * s[k] + R[7] * s[k + 1] + R[8] * s[k + 2];
      lowest = Math.min(lowest, z - s[k + 3]);
      if (sim.scene.overlapSphere(x, y, z, s[k + 3], false) !== NO_HIT) return this.end('collision');
    }
    // the ground counts once the drone has flown (10 cm clear): a world may start it landed
    if (lowest > 0.1) this.airborne = true;
    else if (this.airborne && lowest <= 0) return this.end('ground');
    if (this.distanceToTargetM() <= this.task.successRadiusM) {
      this.timeToTargetS = sim.timeS;
      this.end('target');
    }
  }

  private end(why: DroneEndReason): void {
    this.done = true;
    this.endReason = why;
  }

  reset(): void {
    const b = this.drone.body;
    this.pathM = 0;
    this.done = false;
    this.endReason = 'timeout';
    this.timeToTargetS = 0;
    this.airborne = false;
    this.px = b.xM; this.py = b.yM; this.pz = b.zM;
  }
}

export interface DroneRun {
  readonly drone: Vehicle;
  readonly control: DroneControl;
  readonly monitor: DroneMonitor;
}

/** Attaches the drone task (control + monitor plugins) to a simulation of a drone world. */
export function attachDroneTask(sim: Simulation, driver: DroneDriver): DroneRun {
  const task = sim.world.task;
  if (task === null || task.type !== 'drone' || sim.world.target === null) {
    throw new LnnError('LNN_E_MISSING_KEY', `world "${sim.world.name}" has no drone task (it needs "task": {"type": "drone"} and a "target")`, { field: 'task' });
  }
  const drone = sim.vehicle(task.vehicle);
  const control = new DroneControl(drone, sim.command(drone.name), driver, task);
  const monitor = new DroneMonitor(drone, sim.world.target.positionM, task);
  sim.addPlugin(control, PRIORITY.control);
  sim.addPlugin(monitor, PRIORITY.monitor);
  return { drone, control, monitor };
}

/** Runs one episode from the current state to its end (target, collision, ground or timeout). */
export function runDroneEpisode(sim: Simulation, run: DroneRun, onTick?: (sim: Simulation) => void): DroneEpisode {
  const steps = Math.round((sim.world.task as DroneTaskSpec).timeoutS * sim.rateHz);
  for (let k = sim.tick; k < steps && !run.monitor.done; k++) {
    sim.step(1);
    onTick?.(sim);
  }
  return droneEpisode(sim, run);
}

/** The episode's sums so far (after runDroneEpisode, or after a paced `sim.run`). */
export function droneEpisode(sim: Simulation, run: DroneRun): DroneEpisode {
  const m = run.monitor, t = sim.world.target!.positionM, s = m.startM;
  const success = m.endReason === 'target';
  // ℓ: start → the success sphere's edge (the shortest possible successful flight)
  const straightM = Math.max(0, Math.hypot(t[0] - s[0], t[1] - s[1], t[2] - s[2]) - (sim.world.task as DroneTaskSpec).successRadiusM);
  return {
    success, endReason: m.endReason, simS: sim.timeS,
    collisions: m.endReason === 'collision' || m.endReason === 'ground' ? 1 : 0,
    timeToTargetS: m.timeToTargetS, pathM: m.pathM, straightM,
    spl: success ? (straightM > 0 ? straightM / Math.max(m.pathM, straightM) : 1) : 0,
    finalDistM: m.distanceToTargetM(),
  };
}
