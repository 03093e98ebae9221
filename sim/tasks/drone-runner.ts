// The drone task as an eval runner: normalise the world to the task contract, build the
// simulation for the episode seed, pick the driver (privileged expert or depth model policy), fly
// to the end, report sums (and a trajectory when asked).

import { LnnError } from '../../src/errors.ts';
import { Simulation } from '../engine/engine.ts';
import type { Vehicle } from '../engine/vehicle.ts';
import type { EpisodeCache, EpisodeJob, PolicyRef, Trajectory } from '../eval/jobs.ts';
import { aggregateDrone } from '../eval/metrics.ts';
import type { Sensor } from '../sensors/sensor.ts';
import type { WorldSpec } from '../world/types.ts';
import { ModelDroneDriver, type DroneDriver } from './drone-driver.ts';
import { DroneExpert } from './drone-expert.ts';
import { writeDepthInputs } from './drone-obs.ts';
import { attachDroneTask, droneEpisode, droneTaskWorld, runDroneEpisode, type DroneRun } from './drone-task.ts';
import { registerTask, type EpisodeResult } from './registry.ts';

function depthOf(sim: Simulation, vehicle: string): Sensor | null {
  return sim.sensors.find((s) => s.vehicle.name === vehicle && s.spec.type === 'depth') ?? null;
}

/** Radius of a sphere around the body origin that holds every collision sphere, m. */
export function collisionRadiusM(v: Vehicle): number {
  const s = v.collisionSpheres;
  let r = 0;
  for (let k = 0; k + 3 < s.length; k += 4) r = Math.max(r, Math.hypot(s[k], s[k + 1], s[k + 2]) + s[k + 3]);
  return r;
}

export function makeDroneDriver(sim: Simulation, vehicle: string, policy: PolicyRef, cache: EpisodeCache): DroneDriver {
  const task = sim.world.task, target = sim.world.target;
  if (task === null || task.type !== 'drone' || target === null) throw new LnnError('LNN_E_MISSING_KEY', 'not a drone world', { field: 'task' });
  if (policy === 'expert') return new DroneExpert(sim.statics, target.positionM, collisionRadiusM(sim.vehicle(vehicle)), task.cruiseMps);
  if (policy === 'vision') throw new LnnError('LNN_E_USAGE', 'the vision baseline drives the lane task only; the drone task takes expert or a model');
  const depth = depthOf(sim, vehicle);
  if (depth === null) throw new LnnError('LNN_E_MISSING_KEY', `a model policy needs a depth camera on "${vehicle}"`, { file: sim.world.source, field: 'models' });
  return new ModelDroneDriver(cache.policy(policy), depth, target.positionM);
}

/** Records the drone's path every 0.1 s of sim time. */
function recorder(sim: Simulation, vehicle: string): { onTick: (s: Simulation) => void; xM: number[]; yM: number[] } {
  const v = sim.vehicle(vehicle), xM = [v.body.xM], yM = [v.body.yM];
  const every = Math.max(1, Math.round(sim.rateHz / 10));
  return { xM, yM, onTick: (s) => { if (s.tick % every === 0) { xM.push(v.body.xM); yM.push(v.body.yM); } } };
}

/** The last depth frame as the model sees it (depth / 20 m: near dark, far white), for snapshots. */
export function lastDepth(sim: Simulation, vehicle: string): Trajectory['camera'] {
  const d = depthOf(sim, vehicle);
  if (d === null || d.spec.type !== 'depth') return null;
  const data = new Float32Array(d.latest.length);
  writeDepthInputs(d.latest, data);
  return { width: d.spec.width, height: d.spec.height, data };
}

/** A drone episode ready to run: the simulation with its driver, monitor and optional recorder. */
export interface DroneSession {
  readonly sim: Simulation;
  readonly run: DroneRun;
  readonly onTick: ((s: Simulation) => void) | undefined;
  /** the episode's result so far */
  result(): EpisodeResult;
}

export function startDroneJob(world: WorldSpec, job: EpisodeJob, cache: EpisodeCache): DroneSession {
  const w = droneTaskWorld(world, job.durationS);
  const vehicle = (w.task as { vehicle: string }).vehicle;
  const sim = new Simulation(w, { seed: job.seed, perturb: job.perturb });
  const driver = makeDroneDriver(sim, vehicle, job.policy, cache);
  driver.reset();
  const run = attachDroneTask(sim, driver);
  const rec = job.record === true ? recorder(sim, vehicle) : null;
  return {
    sim, run, onTick: rec?.onTick,
    result(): EpisodeResult {
      const ep = droneEpisode(sim, run);
      const r: EpisodeResult = {
        index: job.index, seed: job.seed, success: ep.success, simS: ep.simS, endReason: ep.endReason,
        sums: {
          collisions: ep.collisions, timeToTargetS: ep.timeToTargetS, pathM: ep.pathM, straightM: ep.straightM,
          spl: ep.spl, finalDistM: ep.finalDistM,
        },
      };
      return rec === null ? r : { ...r, trajectory: { xM: rec.xM, yM: rec.yM, camera: lastDepth(sim, vehicle) } };
    },
  };
}

export function runDroneJob(world: WorldSpec, job: EpisodeJob, cache: EpisodeCache): EpisodeResult {
  const session = startDroneJob(world, job, cache);
  runDroneEpisode(session.sim, session.run, session.onTick);
  return session.result();
}

registerTask({ task: 'drone', run: runDroneJob, aggregate: aggregateDrone });
