// Behaviour-cloning data from the lane simulator. Every control step (30 Hz) the recorder copies
// the camera frame exactly as ModelDriver hands it to a model (sensor.latest: height × width in
// [0, 1], row-major) and labels it with the privileged expert's clean steering command. What the
// car actually executes depends on the mode:
//   - expert:  the expert's command (plain demonstrations)
//   - noise:   the expert's command plus a slowly varying disturbance (an Ornstein–Uhlenbeck
//              process with occasional pulses) so the car drifts off the centre line and the
//              data shows how the expert recovers; the label stays the clean command
//   - dagger:  a learner model drives (mixed with the expert with probability beta per step), the
//              expert labels what it would have done
// Episodes are deterministic for (seed, options): the world, the sensors and the disturbance all
// derive from the seed.

import { Simulation } from '../../../sim/engine/engine.ts';
import { parsePerturb } from '../../../sim/perturb/perturb.ts';
import type { Sensor } from '../../../sim/sensors/sensor.ts';
import { StanleyExpert } from '../../../sim/tasks/lane-expert.ts';
import type { LaneDriver } from '../../../sim/tasks/lane-driver.ts';
import { attachLaneTask, runLaneEpisode } from '../../../sim/tasks/lane-task.ts';
import { generateLaneDoc } from '../../../sim/world/gen-lane.ts';
import { readWorld } from '../../../sim/world/read-world.ts';
import type { Car } from '../../../sim/vehicles/car.ts';
import type { Model } from '../../models/types.ts';
import { compile } from '../../runtime/compile.ts';
import type { Policy } from '../../runtime/policy.ts';

export type RecordMode = 'expert' | 'noise' | 'dagger';

export interface LaneRecordOptions {
  readonly mode: RecordMode;
  /** episode length in sim seconds (default 20) */
  readonly durationS?: number;
  /** OU disturbance std, rad (default 0.08) */
  readonly noiseRad?: number;
  /** OU correlation time, s (default 1.0) */
  readonly noiseTauS?: number;
  /** perturbation list for the simulation (e.g. "sensor_noise=0.1") */
  readonly perturb?: string;
  /** dagger: the learner (an lnn-model/1 Model) */
  readonly learner?: Model;
  /** dagger: probability the expert's command is executed at a step (default 0) */
  readonly beta?: number;
}

/** One recorded episode: frames (steps × pixels) as float32, labels (steps) in radians. */
export interface LaneRecording {
  readonly seed: number;
  readonly mode: RecordMode;
  readonly steps: number;
  readonly pixels: number;
  readonly dtS: number;
  readonly frames: Float32Array;
  readonly labels: Float32Array;
  /** departures during the episode (noise/dagger rollouts may leave the lane; the episode ends there) */
  readonly departures: number;
}

/** A small deterministic PRNG (mulberry32) for the disturbance, independent of the simulator's. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gauss(rnd: () => number): number {
  const u = Math.max(1e-12, rnd());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

class RecordingDriver implements LaneDriver {
  readonly name = 'bc-recorder';
  readonly frames: number[][] = [];
  readonly labels: number[] = [];
  private ou = 0;
  private pulse = 0;
  private pulseLeft = 0;
  private readonly rnd: () => number;
  private readonly out = new Float64Array(1);
  private readonly learnerOutput: 'steer_rad' | 'curvature_1pm';

  constructor(
    private readonly camera: Sensor, private readonly expert: StanleyExpert, private readonly opts: LaneRecordOptions,
    seed: number, private readonly learner: Policy | null,
  ) {
    this.rnd = mulberry32((seed * 2654435761 + 0x9e3779b9) >>> 0);
    const meta = (learner?.model.meta ?? {}) as Record<string, unknown>;
    this.learnerOutput = meta.output === 'curvature_1pm' ? 'curvature_1pm' : 'steer_rad';
  }

  reset(): void {
    this.expert.reset();
    this.learner?.reset();
    this.ou = 0;
    this.pulse = 0;
    this.pulseLeft = 0;
  }

  act(sim: Simulation, car: Car, dtS: number): number {
    const frame = this.camera.latest;
    this.frames.push(Array.from(frame));
    const label = this.expert.act(sim, car, dtS);
    this.labels.push(label);
    const o = this.opts;
    if (o.mode === 'expert') return label;
    if (o.mode === 'noise') {
      const tau = o.noiseTauS ?? 1.0, sd = o.noiseRad ?? 0.08;
      const a = Math.exp(-dtS / tau);
      this.ou = a * this.ou + sd * Math.sqrt(1 - a * a) * gauss(this.rnd);
      // occasional pulses: a short hard swerve, then the expert has to bring the car back
      if (this.pulseLeft > 0) this.pulseLeft--;
      else {
        this.pulse = 0;
        if (this.rnd() < dtS / 3) {
          this.pulse = (this.rnd() < 0.5 ? -1 : 1) * (0.08 + 0.12 * this.rnd());
          this.pulseLeft = Math.round((0.2 + 0.4 * this.rnd()) / dtS);
        }
      }
      return label + this.ou + this.pulse;
    }
    // dagger: the learner steps every frame (its state must follow the frames it sees)
    const l = this.learner!;
    l.step(frame, dtS, this.out);
    let y = this.out[0]!;
    if (!Number.isFinite(y)) y = 0;
    if (this.learnerOutput === 'curvature_1pm') y = Math.atan(car.wheelbaseM * y);
    return this.rnd() < (o.beta ?? 0) ? label : y;
  }
}

/** Records one lane episode on the generated track of `seed`. */
export function recordLaneEpisode(seed: number, opts: LaneRecordOptions): LaneRecording {
  const doc = generateLaneDoc(seed);
  const base = readWorld(doc, undefined, `lane:${seed}`);
  const task = base.task;
  if (task === null || task.type !== 'lane') throw new Error('generated lane world without a lane task');
  const world = { ...base, task: { ...task, durationS: opts.durationS ?? 20 } };
  const sim = new Simulation(world, { seed, perturb: parsePerturb(opts.perturb ?? '') });
  const camera = sim.sensors.find((s) => s.vehicle.name === task.vehicle && s.spec.type === 'camera');
  if (camera === undefined) throw new Error('the lane car has no camera');
  // labels from the true track (privileged, never disturbed by sensor perturbations)
  const expert = new StanleyExpert(null, sim.track!);
  const learner = opts.mode === 'dagger' ? (opts.learner === undefined ? null : compile(opts.learner, { backend: 'ref' })) : null;
  if (opts.mode === 'dagger' && learner === null) throw new Error('dagger recording needs a learner model');
  const driver = new RecordingDriver(camera, expert, opts, seed, learner);
  driver.reset();
  const run = attachLaneTask(sim, driver);
  const ep = runLaneEpisode(sim, run);
  const steps = driver.labels.length;
  const pixels = camera.latest.length;
  const frames = new Float32Array(steps * pixels);
  driver.frames.forEach((f, t) => frames.set(f, t * pixels));
  return {
    seed, mode: opts.mode, steps, pixels, dtS: 1 / task.controlHz, frames, labels: Float32Array.from(driver.labels), departures: ep.departures,
  };
}
