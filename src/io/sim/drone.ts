// `--io sim:drone`: the simulator's quadrotor in a generated forest as a robot, in lockstep with the
// control loop. Inputs follow the drone policy contract (sim/tasks/drone-obs.ts, sim/docs/drone.md):
// the depth image (depth / 20 m in [0, 1], a new sample only when the camera delivers a frame) and
// the 7 state values (unit vector and distance to the target, velocity; every tick). Outputs are
// the quadrotor's command in physical units: vx, vy, vz (m/s, heading frame) and yaw rate (rad/s);
// the model's [−1, 1] outputs are scaled by the mapping (scale = the contract's limits). The
// episode ends at the target, on a collision or at the task's timeout.

import { LnnError } from '../../errors.ts';
import { Simulation } from '../../../sim/engine/engine.ts';
import { aggregateDrone } from '../../../sim/eval/metrics.ts';
import { parsePerturb } from '../../../sim/perturb/perturb.ts';
import type { DroneDriver } from '../../../sim/tasks/drone-driver.ts';
import { DRONE_CMD_SCALE, DRONE_OUTPUTS, droneInputSize, writeDepthInputs, writeStateInputs } from '../../../sim/tasks/drone-obs.ts';
import { attachDroneTask, droneEpisode, droneTaskWorld } from '../../../sim/tasks/drone-task.ts';
import { generateDroneDoc } from '../../../sim/world/gen-drone.ts';
import { readWorld } from '../../../sim/world/read-world.ts';
import type { ActuatorSink, InputField, IoCounters, IoMapping, OutputField, SampleSink, SensorSource } from '../types.ts';
import type { LockstepIo } from './lockstep.ts';

export interface SimDroneOptions {
  readonly seed: number;
  readonly perturb?: string;
  /** control rate, Hz; default the task's. Must divide the physics rate. */
  readonly hz?: number;
  /** a user mapping with the same fields (depth, goal_dir, goal_dist, velocity; 4 outputs) */
  readonly mapping?: IoMapping;
}

const OUTPUT_NAMES = ['vx_mps', 'vy_mps', 'vz_mps', 'yaw_rate_radps'];

/** The drone's default mapping: contract ranges in, contract limits out, failsafe = hover (0). */
export function droneMapping(depthPixels: number, depthTopic: string, vehicle: string): IoMapping {
  const field = (name: string, offset: number, size: number, min: number, max: number, topic: string): InputField =>
    Object.freeze({ name, topic, size, offset, min, max, mean: 0, std: 1, maxAgeS: 0.1 }); // 3 frames at 30 Hz
  const inputs = [
    field('depth', 0, depthPixels, 0, 1, depthTopic),
    field('goal_dir', depthPixels, 3, -1, 1, `${vehicle}/goal`),
    field('goal_dist', depthPixels + 3, 1, 0, 2, `${vehicle}/goal`),
    field('velocity', depthPixels + 4, 3, -2, 2, `${vehicle}/odom`),
  ];
  const outputs = OUTPUT_NAMES.map((name, k): OutputField => {
    const lim = DRONE_CMD_SCALE[k] as number;
    // full scale in 0.25 s: well above the cascade's own response, a stop to NaN jumps
    return Object.freeze({ name, topic: `${vehicle}/cmd_vel`, size: 1, offset: k, scale: lim, bias: 0, min: -lim, max: lim, ratePerS: 4 * lim, failsafe: 0 });
  });
  return Object.freeze({
    inputs: Object.freeze(inputs), outputs: Object.freeze(outputs),
    inputSize: droneInputSize(depthPixels), outputSize: DRONE_OUTPUTS,
    watchdogS: 0.5, autoArm: true, robotId: vehicle,
  });
}

function counters(): IoCounters {
  return { received: 0, dropped: 0, malformed: 0 };
}

export function makeSimDroneIo(o: SimDroneOptions): LockstepIo {
  const world = droneTaskWorld(readWorld(generateDroneDoc(o.seed), undefined, `drone:${o.seed}`));
  const task = world.task;
  if (task === null || task.type !== 'drone' || world.target === null) throw new LnnError('LNN_E_INTERNAL', 'the generated drone world has no drone task');
  const hz = o.hz ?? task.controlHz;
  const physicsHz = world.physics.rateHz;
  if (!(hz > 0) || !Number.isInteger(physicsHz / hz)) {
    throw new LnnError('LNN_E_RANGE', `sim:drone runs control at a whole number of physics ticks: --hz must divide ${physicsHz}, got ${hz}`, { field: 'hz' });
  }
  const w = { ...world, task: { ...task, controlHz: hz } };
  const sim = new Simulation(w, { seed: o.seed, perturb: parsePerturb(o.perturb ?? '') });
  const drone = sim.vehicle(task.vehicle);
  const depth = sim.sensors.find((s) => s.vehicle === drone && s.spec.type === 'depth');
  if (depth === undefined) throw new LnnError('LNN_E_INTERNAL', 'the drone has no depth camera');
  const pixels = depth.latest.length;
  const mapping = o.mapping ?? droneMapping(pixels, depth.topic, drone.name);
  const names = mapping.inputs.map((f) => `${f.name}(${f.size})`).join(', ');
  if (mapping.inputs.length !== 4 || mapping.inputs[0].size !== pixels || mapping.inputSize !== droneInputSize(pixels) || mapping.outputSize !== DRONE_OUTPUTS) {
    throw new LnnError('LNN_E_INPUT_WIDTH', `sim:drone gives depth(${pixels}), goal_dir(3), goal_dist(1), velocity(3) and takes 4 outputs; the mapping has ${names} → ${mapping.outputSize}`, { field: 'inputs' });
  }
  const target = w.target!.positionM;
  const obs = new Float64Array(droneInputSize(pixels));
  const cmd = new Float64Array(DRONE_OUTPUTS);
  const failsafeCmd = Float64Array.from(mapping.outputs.map((f) => f.failsafe));
  cmd.set(failsafeCmd);
  const inCount = counters(), outCount = counters();
  let sink: SampleSink | null = null;
  let lastDelivered = 0;

  const source: SensorSource = {
    name: `sim:drone/${depth.topic}+state`, counters: inCount,
    async start(s) { sink = s; },
    async stop() { sink = null; },
  };
  const actuator: ActuatorSink = {
    name: `sim:drone/${drone.name}/cmd_vel`, counters: outCount,
    async start() {},
    write(y) { outCount.received++; cmd.set(y); },
    failsafe() { cmd.set(failsafeCmd); },
    async stop() { cmd.set(failsafeCmd); },
  };
  const io: LockstepIo = {
    name: 'sim:drone', hz, mapping, sources: [source], sinks: [actuator], onTick: null,
    get timeS() { return sim.timeS; },
    advance() {
      sim.step(physicsHz / hz);
      return !run.monitor.done;
    },
    summary() {
      const ep = droneEpisode(sim, run);
      const sums = { collisions: ep.collisions, timeToTargetS: ep.timeToTargetS, pathM: ep.pathM, straightM: ep.straightM, spl: ep.spl, finalDistM: ep.finalDistM };
      const m = aggregateDrone([{ index: 0, seed: o.seed, success: ep.success, simS: ep.simS, endReason: ep.endReason, sums }]);
      return { world: w.name, seed: o.seed, end: ep.endReason, sim_seconds: ep.simS, ...m, frames_dropped: depth.dropped };
    },
  };
  // At the control instant: a new depth frame if one arrived, the state every tick, then the tick.
  const driver: DroneDriver = {
    name: 'lnn-run',
    reset() {},
    act(s, vehicle, dtS, out) {
      if (sink !== null) {
        if (depth.delivered !== lastDelivered) {
          lastDelivered = depth.delivered;
          writeDepthInputs(depth.latest, obs);
          inCount.received++;
          sink.push(depth.latestStampS, obs.subarray(0, pixels), 0);
        }
        writeStateInputs(vehicle.body, target, obs, pixels);
        inCount.received += 3;
        sink.push(s.timeS, obs.subarray(pixels, pixels + 3), 1);
        sink.push(s.timeS, obs.subarray(pixels + 3, pixels + 4), 2);
        sink.push(s.timeS, obs.subarray(pixels + 4, pixels + 7), 3);
      }
      io.onTick?.(s.timeS, dtS);
      out.set(cmd);
    },
  };
  const run = attachDroneTask(sim, driver);
  return io;
}
