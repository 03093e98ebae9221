// `--io sim:lane`: the simulator's lane world as a robot, in lockstep with the control loop. The
// car's camera (64×16 grey levels in [0, 1], row-major, top row first) is the sensor source; the
// steering command is the actuator sink. The lane task's own plugins hold the speed and count
// departures; `lnn run` puts the car back on the centre line after a departure (the CfC paper's
// "recover" protocol) so a run lasts its whole duration. Same seed, same run.

import { LnnError } from '../../errors.ts';
import { Simulation } from '../../../sim/engine/engine.ts';
import { aggregateLane } from '../../../sim/eval/metrics.ts';
import { parsePerturb } from '../../../sim/perturb/perturb.ts';
import type { Sensor } from '../../../sim/sensors/sensor.ts';
import type { LaneDriver } from '../../../sim/tasks/lane-driver.ts';
import { attachLaneTask, laneEpisode } from '../../../sim/tasks/lane-task.ts';
import { Car } from '../../../sim/vehicles/car.ts';
import { generateLaneDoc } from '../../../sim/world/gen-lane.ts';
import { readWorld } from '../../../sim/world/read-world.ts';
import type { ActuatorSink, IoCounters, IoMapping, SampleSink, SensorSource } from '../types.ts';
import type { LockstepIo } from './lockstep.ts';

/** What the model's first output means (model.meta.output; sim/tasks/lane-driver.ts). */
export type LaneOutputKind = 'steer_rad' | 'curvature_1pm';

export interface SimLaneOptions {
  readonly seed: number;
  /** `--perturb` text, e.g. "sensor_noise=0.05,dropout=0.1" */
  readonly perturb?: string;
  /** control rate, Hz; default the task's (30). Must divide the physics rate (150 Hz). */
  readonly hz?: number;
  readonly output?: LaneOutputKind;
  /** a user mapping (one input field of 1024 values named "camera", or the only input field) */
  readonly mapping?: IoMapping;
}

/** The lane robot's default mapping: pixel range check, steering clamp ±steer limit, 2 rad/s. */
export function laneMapping(camera: Sensor, car: Car, output: LaneOutputKind): IoMapping {
  const steerMax = car.params.steerMaxRad;
  const curvMax = Math.tan(steerMax) / car.wheelbaseM;
  const size = camera.latest.length;
  const out = output === 'steer_rad'
    // 2 rad/s: faster than any lane manoeuvre at 30 km/h, slower than a NaN-to-full-lock jump
    ? { name: 'steer_rad', min: -steerMax, max: steerMax, ratePerS: 2 }
    : { name: 'curvature_1pm', min: -curvMax, max: curvMax, ratePerS: 2 / car.wheelbaseM };
  return Object.freeze({
    // pixels live in [0, 1]; Gaussian noise can push a few beyond, a broken frame goes far beyond
    inputs: Object.freeze([Object.freeze({ name: 'camera', topic: camera.topic, size, offset: 0, min: -1, max: 2, mean: 0, std: 1, maxAgeS: 0.1 })]),
    outputs: Object.freeze([Object.freeze({ ...out, topic: `${car.name}/cmd_vel`, size: 1, offset: 0, scale: 1, bias: 0, failsafe: 0 })]),
    inputSize: size,
    outputSize: 1,
    watchdogS: 0.5,
    autoArm: true,
    robotId: car.name,
  });
}

function counters(): IoCounters {
  return { received: 0, dropped: 0, malformed: 0 };
}

export function makeSimLaneIo(o: SimLaneOptions): LockstepIo {
  const base = readWorld(generateLaneDoc(o.seed), undefined, `lane:${o.seed}`);
  const task = base.task;
  if (task === null || task.type !== 'lane') throw new LnnError('LNN_E_INTERNAL', 'the generated lane world has no lane task');
  const hz = o.hz ?? task.controlHz;
  const physicsHz = base.physics.rateHz;
  if (!(hz > 0) || !Number.isInteger(physicsHz / hz)) {
    throw new LnnError('LNN_E_RANGE', `sim:lane runs control at a whole number of physics ticks: --hz must divide ${physicsHz}, got ${hz}`, { field: 'hz' });
  }
  const stepsPerTick = physicsHz / hz;
  const world = { ...base, task: { ...task, controlHz: hz, onDeparture: 'recover' as const, durationS: 1e9 } };
  const sim = new Simulation(world, { seed: o.seed, perturb: parsePerturb(o.perturb ?? '') });
  const vehicle = sim.vehicle(task.vehicle);
  if (!(vehicle instanceof Car)) throw new LnnError('LNN_E_INTERNAL', 'the lane vehicle is not a car');
  const camera = sim.sensors.find((s) => s.vehicle === vehicle && s.spec.type === 'camera');
  if (camera === undefined) throw new LnnError('LNN_E_INTERNAL', 'the lane car has no camera');
  const outputKind = o.output ?? 'steer_rad';
  const mapping = o.mapping ?? laneMapping(camera, vehicle, outputKind);
  const camField = mapping.inputs.length === 1 ? 0 : mapping.inputs.findIndex((f) => f.name === 'camera');
  if (camField < 0 || mapping.inputs[camField].size !== camera.latest.length || mapping.inputSize !== camera.latest.length) {
    throw new LnnError('LNN_E_INPUT_WIDTH', `sim:lane gives one input field "camera" of ${camera.latest.length} pixels; the mapping has ${mapping.inputs.map((f) => `${f.name}(${f.size})`).join(', ')}`, { field: 'inputs' });
  }
  const failsafeOut = mapping.outputs[0].failsafe;
  const toSteer = (y: number): number => (outputKind === 'curvature_1pm' ? Math.atan(vehicle.wheelbaseM * y) : y);

  let sink: SampleSink | null = null;
  let lastDelivered = 0;
  let steerRad = toSteer(failsafeOut);
  let lastSeq = 0;

  const inCount = counters(), outCount = counters();
  const source: SensorSource = {
    name: `sim:lane/${camera.topic}`,
    counters: inCount,
    async start(s) { sink = s; },
    async stop() { sink = null; },
  };
  const actuator: ActuatorSink = {
    name: `sim:lane/${vehicle.name}/cmd_vel`,
    counters: outCount,
    async start() {},
    write(y, _tS, seq) {
      outCount.received++;
      if (lastSeq !== 0 && seq > lastSeq + 1) outCount.dropped += seq - lastSeq - 1;
      lastSeq = seq;
      steerRad = toSteer(y[0]);
    },
    failsafe() { steerRad = toSteer(failsafeOut); },
    async stop() { this.failsafe(); },
  };
  const io: LockstepIo = {
    name: 'sim:lane', hz, mapping, sources: [source], sinks: [actuator], onTick: null,
    get timeS() { return sim.timeS; },
    advance() {
      sim.step(stepsPerTick);
      return !run.monitor.done;
    },
    summary() {
      const ep = laneEpisode(sim, run);
      const sums = {
        distanceM: ep.distanceM, departures: ep.departures, sumAbsCteM: ep.sumAbsCteM, sumSqCteM2: ep.sumSqCteM2,
        samples: ep.samples, sumSqSteerRate: ep.sumSqSteerRate, steerSamples: ep.steerSamples,
      };
      const m = aggregateLane([{ index: 0, seed: o.seed, success: ep.success, simS: ep.simS, endReason: ep.endReason, sums }]);
      return { world: world.name, seed: o.seed, sim_seconds: ep.simS, ...m, frames_dropped: camera.dropped };
    },
  };
  // The lane task calls the driver at the control instant, inside the physics step: push the
  // camera frame if a new one arrived, let the loop tick, steer with what it sent.
  const driver: LaneDriver = {
    name: 'lnn-run',
    reset() {},
    act(s, _car, dtS) {
      if (camera.delivered !== lastDelivered && sink !== null) {
        lastDelivered = camera.delivered;
        inCount.received++;
        sink.push(camera.latestStampS, camera.latest, camField);
      }
      io.onTick?.(s.timeS, dtS);
      return steerRad;
    },
  };
  const run = attachLaneTask(sim, driver);
  return io;
}
