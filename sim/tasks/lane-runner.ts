// The lane task as an eval runner: build the simulation for the episode seed, pick the driver
// (expert or camera model), run to the end, report sums (and a trajectory when asked).

import { LnnError } from '../../src/errors.ts';
import { Simulation } from '../engine/engine.ts';
import type { EpisodeCache, EpisodeJob, PolicyRef, Trajectory } from '../eval/jobs.ts';
import { aggregateLane } from '../eval/metrics.ts';
import type { Sensor } from '../sensors/sensor.ts';
import type { WorldSpec } from '../world/types.ts';
import { ModelDriver, type LaneDriver } from './lane-driver.ts';
import { StanleyExpert } from './lane-expert.ts';
import { VisionDriver } from './lane-vision.ts';
import type { CameraSensor } from '../sensors/camera.ts';
import { attachLaneTask, laneEpisode, runLaneEpisode, type LaneRun } from './lane-task.ts';
import { registerTask, type EpisodeResult } from './registry.ts';

/** the first sensor of a type on the task's car, or null */
function sensorOf(sim: Simulation, vehicle: string, type: string): Sensor | null {
  return sim.sensors.find((s) => s.vehicle.name === vehicle && s.spec.type === type) ?? null;
}

export function makeLaneDriver(sim: Simulation, vehicle: string, policy: PolicyRef, cache: EpisodeCache): LaneDriver {
  if (policy === 'expert') return new StanleyExpert(sensorOf(sim, vehicle, 'lane_features'), sim.track!);
  const camera = sensorOf(sim, vehicle, 'camera');
  if (camera === null) throw new LnnError('LNN_E_MISSING_KEY', `the ${policy === 'vision' ? 'vision' : 'model'} policy needs a camera on "${vehicle}"`, { file: sim.world.source, field: 'models' });
  if (policy === 'vision') return new VisionDriver(camera as CameraSensor, sim.track!.laneWidthM);
  return new ModelDriver(cache.policy(policy), camera);
}

/** Records the car's path every 0.1 s of sim time. */
function recorder(sim: Simulation, vehicle: string): { onTick: (s: Simulation) => void; xM: number[]; yM: number[] } {
  const v = sim.vehicle(vehicle), xM = [v.body.xM], yM = [v.body.yM];
  const every = Math.max(1, Math.round(sim.rateHz / 10));
  return { xM, yM, onTick: (s) => { if (s.tick % every === 0) { xM.push(v.body.xM); yM.push(v.body.yM); } } };
}

export function lastCamera(sim: Simulation, vehicle: string): Trajectory['camera'] {
  const cam = sensorOf(sim, vehicle, 'camera');
  if (cam === null || cam.spec.type !== 'camera') return null;
  return { width: cam.spec.width, height: cam.spec.height, data: Float32Array.from(cam.latest) };
}

/** A lane episode ready to run: the simulation with its driver, monitor and optional recorder. */
export interface LaneSession {
  readonly sim: Simulation;
  readonly run: LaneRun;
  readonly onTick: ((s: Simulation) => void) | undefined;
  /** the episode's result so far */
  result(): EpisodeResult;
}

export function startLaneJob(world: WorldSpec, job: EpisodeJob, cache: EpisodeCache): LaneSession {
  const task = world.task;
  if (task === null || task.type !== 'lane') throw new LnnError('LNN_E_MISSING_KEY', 'not a lane world', { field: 'task' });
  const w: WorldSpec = job.durationS === undefined ? world : { ...world, task: { ...task, durationS: job.durationS } };
  const sim = new Simulation(w, { seed: job.seed, perturb: job.perturb });
  const driver = makeLaneDriver(sim, task.vehicle, job.policy, cache);
  driver.reset();
  const run = attachLaneTask(sim, driver);
  const rec = job.record === true ? recorder(sim, task.vehicle) : null;
  return {
    sim, run, onTick: rec?.onTick,
    result(): EpisodeResult {
      const ep = laneEpisode(sim, run);
      const r: EpisodeResult = {
        index: job.index, seed: job.seed, success: ep.success, simS: ep.simS, endReason: ep.endReason,
        sums: {
          distanceM: ep.distanceM, departures: ep.departures, sumAbsCteM: ep.sumAbsCteM, sumSqCteM2: ep.sumSqCteM2,
          samples: ep.samples, sumSqSteerRate: ep.sumSqSteerRate, steerSamples: ep.steerSamples,
        },
      };
      return rec === null ? r : { ...r, trajectory: { xM: rec.xM, yM: rec.yM, camera: lastCamera(sim, task.vehicle) } };
    },
  };
}

export function runLaneJob(world: WorldSpec, job: EpisodeJob, cache: EpisodeCache): EpisodeResult {
  const session = startLaneJob(world, job, cache);
  runLaneEpisode(session.sim, session.run, session.onTick);
  return session.result();
}

registerTask({ task: 'lane', run: runLaneJob, aggregate: aggregateLane });
