// The simulation: one world, one seed, stepped at a fixed rate in lockstep with its controllers.
// A step is: perturbations in force → plugins' preStep (controllers write commands) → vehicle
// dynamics → tick + 1 → sensors sample and deliver → plugins' postStep. Nothing reads the wall
// clock except the optional pacing in `run`, so the same world and seed give bit-identical
// trajectories here, in a worker thread, or after `reset()`.

import { LnnError } from '../../src/errors.ts';
import { Where } from '../../src/models/json-read.ts';
import { vec3, type Vec3 } from '../core/math.ts';
import { PerturbState, type PerturbEntry, type PerturbKey } from '../perturb/perturb.ts';
import { Scene } from '../physics/raycast.ts';
import { GroundField } from '../sensors/ground-field.ts';
import { makeSensor } from '../sensors/index.ts';
import type { Sensor, SensorWorld } from '../sensors/sensor.ts';
import '../vehicles/index.ts';
import { expandForest } from '../world/forest.ts';
import { Track } from '../world/track.ts';
import type { StaticSpec, VehicleSpec, WorldSpec } from '../world/types.ts';
import { MSG_TYPES, type Twist } from './msgs.ts';
import { pluginFactory, PRIORITY, type SimPlugin } from './plugin.ts';
import { Bus } from './topics.ts';
import { makeVehicle, type Vehicle, type VehicleEnv } from './vehicle.ts';
import './builtin-plugins.ts';
import './wind-plugin.ts';

export interface SimOptions {
  /** run seed (noise streams, generated details); default: the world's `seed` */
  readonly seed?: number;
  /** perturbations added after the world file's own (the CLI's --perturb) */
  readonly perturb?: readonly PerturbEntry[];
}

export interface RunOptions {
  /** sim seconds to run (default: until `until` says stop or the run is aborted) */
  readonly durationS?: number;
  /** 0 = as fast as possible; 1 = real time; 10 = ten times faster than real time */
  readonly realTimeFactor?: number;
  /** checked after every step; true stops the run */
  readonly until?: () => boolean;
  readonly signal?: AbortSignal;
}

interface PluginEntry { plugin: SimPlugin; priority: number; order: number }

export class Simulation implements SensorWorld {
  readonly world: WorldSpec;
  readonly seed: number;
  readonly rateHz: number;
  readonly dtS: number;
  readonly bus = new Bus();
  readonly perturbState: PerturbState;
  readonly track: Track | null;
  /** static bodies: the world's boxes, cylinders and planes, then the expanded forest */
  readonly statics: readonly StaticSpec[];
  readonly scene: Scene;
  readonly ground: GroundField;
  readonly vehicles: readonly Vehicle[];
  /** one command array per vehicle (same order); controllers write it in preStep */
  readonly commands: readonly Float64Array[];
  readonly sensors: readonly Sensor[];
  /** air velocity, world frame; a wind plugin writes it, vehicles read it */
  readonly windMps: Vec3 = vec3();
  /** pacing used by `run` when the caller gives none (the world file's physics.real_time_factor) */
  realTimeFactor: number;
  tick = 0;
  private plugins: PluginEntry[] = [];
  private pluginOrder = 0;
  private pausedFlag = false;
  private resumeWaiters: (() => void)[] = [];
  private readonly env: { timeS: number; gravityMps2: number; perturb: Record<PerturbKey, number>; windMps: Vec3 };

  constructor(world: WorldSpec, opts: SimOptions = {}) {
    this.world = world;
    this.seed = opts.seed ?? world.seed;
    if (!Number.isSafeInteger(this.seed) || this.seed < 0) throw new LnnError('LNN_E_RANGE', `seed must be a non-negative integer, got ${this.seed}`, { field: 'seed' });
    this.rateHz = world.physics.rateHz;
    this.dtS = 1 / this.rateHz;
    this.realTimeFactor = world.physics.realTimeFactor;
    this.perturbState = new PerturbState([...world.perturbations, ...(opts.perturb ?? [])]);
    this.track = world.track === null ? null : new Track(world.track);
    const vehicleSpecs = world.models.filter((m): m is VehicleSpec => m.kind === 'vehicle');
    const clear = vehicleSpecs.map((v) => ({ xM: v.pose.xM, yM: v.pose.yM }));
    if (world.target !== null) clear.push({ xM: world.target.positionM[0], yM: world.target.positionM[1] });
    const explicit = world.models.filter((m): m is StaticSpec => m.kind !== 'vehicle');
    const forest = world.forest === null ? [] : expandForest(world.forest, this.perturbState.value.density, this.seed, clear);
    this.statics = [...explicit, ...forest];
    this.scene = new Scene(this.statics);
    this.ground = new GroundField(this.track, world.appearance, this.seed);
    const where = new Where(world.source, 'models');
    this.vehicles = vehicleSpecs.map((v) => makeVehicle(v, { gravityMps2: world.physics.gravityMps2, where: where.at(world.models.indexOf(v)) }));
    this.commands = this.vehicles.map((v) => {
      const c = new Float64Array(v.commandNames.length);
      v.initialCommand(c);
      return c;
    });
    const maxLatency = this.perturbState.max('latency_ms');
    const sensors: Sensor[] = [];
    vehicleSpecs.forEach((vs, i) => {
      for (const s of vs.sensors) sensors.push(makeSensor(s, this.vehicles[i], this.rateHz, this.seed, maxLatency));
    });
    this.sensors = sensors;
    this.env = { timeS: 0, gravityMps2: world.physics.gravityMps2, perturb: this.perturbState.value, windMps: this.windMps };
    for (const s of sensors) this.bus.advertise(s.topic, s.msgType);
    this.vehicles.forEach((v, i) => {
      const conv = v.twistToCommand;
      if (conv === undefined) return;
      const topic = `${v.name}/cmd_vel`;
      this.bus.advertise(topic, MSG_TYPES.twist);
      this.bus.subscribe<Twist>(topic, (t) => conv.call(v, t, this.commands[i]));
    });
    // every world has wind (zero unless a perturbation or the world asks for it)
    const plugins = world.plugins.some((p) => p.type === 'wind') ? world.plugins : [...world.plugins, { name: 'wind', type: 'wind', params: {} }];
    plugins.forEach((p, i) => {
      const f = pluginFactory(p, i, world.source);
      this.addPlugin(f.make(p, this), f.priority);
    });
    this.sampleSensors();
  }

  get timeS(): number {
    return this.tick / this.rateHz;
  }

  /** The perturbation values in force now. */
  get perturb(): Readonly<Record<PerturbKey, number>> {
    return this.perturbState.value;
  }

  get paused(): boolean {
    return this.pausedFlag;
  }

  vehicle(name: string): Vehicle {
    const v = this.vehicles.find((x) => x.name === name);
    if (v === undefined) throw new LnnError('LNN_E_RANGE', `no vehicle named "${name}" (have: ${this.vehicles.map((x) => x.name).join(', ')})`);
    return v;
  }

  command(vehicleName: string): Float64Array {
    return this.commands[this.vehicles.indexOf(this.vehicle(vehicleName))];
  }

  /** A sensor by "model/sensor" or by its sensor name when that is unique. */
  sensor(name: string): Sensor {
    const hits = this.sensors.filter((s) => `${s.vehicle.name}/${s.name}` === name || s.name === name);
    if (hits.length !== 1) throw new LnnError('LNN_E_RANGE', `${hits.length === 0 ? 'no' : 'more than one'} sensor named "${name}" (have: ${this.sensors.map((s) => `${s.vehicle.name}/${s.name}`).join(', ')})`);
    return hits[0];
  }

  /** Adds a plugin; lower priority runs first (PRIORITY.control for controllers). */
  addPlugin(plugin: SimPlugin, priority: number = PRIORITY.default): void {
    this.plugins.push({ plugin, priority, order: this.pluginOrder++ });
    this.plugins.sort((a, b) => a.priority - b.priority || a.order - b.order);
    plugin.configure?.(this);
  }

  removePlugin(plugin: SimPlugin): void {
    this.plugins = this.plugins.filter((e) => e.plugin !== plugin);
  }

  /** Advances n physics ticks. Works while paused: this is gz's single (multi) step. */
  step(n = 1): void {
    const plugins = this.plugins;
    for (let k = 0; k < n; k++) {
      this.perturbState.update(this.timeS);
      for (let i = 0; i < plugins.length; i++) plugins[i].plugin.preStep?.(this);
      this.env.timeS = this.timeS;
      for (let i = 0; i < this.vehicles.length; i++) this.vehicles[i].step(this.dtS, this.commands[i], this.env);
      this.tick++;
      this.perturbState.update(this.timeS);
      this.sampleSensors();
      for (let i = 0; i < plugins.length; i++) plugins[i].plugin.postStep?.(this);
    }
  }

  private sampleSensors(): void {
    for (let i = 0; i < this.sensors.length; i++) this.sensors[i].update(this, this.tick, this.bus);
  }

  /**
   * Steps as fast as possible for durationS sim seconds or until `until()` is true; returns the
   * number of steps taken. Ignores pause (it never yields); use `run` for a paced, pausable run.
   */
  runFor(durationS: number, until?: () => boolean): number {
    const steps = Math.round(durationS * this.rateHz);
    for (let k = 0; k < steps; k++) {
      this.step(1);
      if (until !== undefined && until()) return k + 1;
    }
    return steps;
  }

  /** Paced run: honours realTimeFactor, pause/resume and abort; yields to the event loop. */
  async run(opts: RunOptions = {}): Promise<{ steps: number; simS: number; wallS: number }> {
    const rtf = opts.realTimeFactor ?? this.realTimeFactor;
    const total = opts.durationS === undefined ? Infinity : Math.round(opts.durationS * this.rateHz);
    // 10 ms of sim per batch: fine enough for pacing, coarse enough to keep overhead low
    const batch = Math.max(1, Math.round(this.rateHz * 0.01));
    let steps = 0, wallMs = 0, simAtStart = 0, wallAtStart = performance.now(), lastYield = wallAtStart;
    while (steps < total && opts.signal?.aborted !== true) {
      if (this.pausedFlag) {
        wallMs += performance.now() - wallAtStart;
        await new Promise<void>((r) => this.resumeWaiters.push(r));
        wallAtStart = performance.now(); lastYield = wallAtStart; simAtStart = steps;
        continue;
      }
      const n = Math.min(batch, total - steps);
      let stop = false;
      for (let k = 0; k < n && !stop; k++) {
        this.step(1);
        steps++;
        stop = opts.until !== undefined && opts.until();
      }
      if (stop) break;
      const now = performance.now();
      if (rtf > 0) {
        const aheadMs = ((steps - simAtStart) * 1000) / this.rateHz / rtf - (now - wallAtStart);
        if (aheadMs > 1) await sleep(aheadMs);
      } else if (now - lastYield > 50) {
        lastYield = now;
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    wallMs += performance.now() - wallAtStart;
    return { steps, simS: steps / this.rateHz, wallS: wallMs / 1000 };
  }

  pause(): void {
    this.pausedFlag = true;
  }

  resume(): void {
    this.pausedFlag = false;
    const w = this.resumeWaiters;
    this.resumeWaiters = [];
    for (const r of w) r();
  }

  /** Back to the full initial state: time, vehicles, commands, sensors and their noise streams, plugins. */
  reset(): void {
    this.tick = 0;
    this.perturbState.reset();
    this.windMps.x = 0; this.windMps.y = 0; this.windMps.z = 0;
    this.vehicles.forEach((v, i) => {
      v.reset();
      v.initialCommand(this.commands[i]);
    });
    for (const s of this.sensors) s.reset();
    this.bus.resetCounters();
    for (const e of this.plugins) e.plugin.reset?.(this);
    this.sampleSensors();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
