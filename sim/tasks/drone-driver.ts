// What flies the drone in the drone task: the privileged expert (drone-expert.ts), a depth model
// policy (below), or anything else that maps the simulator's state at the control rate to a
// velocity command. The task calls `act` in the engine's preStep, in lockstep with the physics.

import { LnnError } from '../../src/errors.ts';
import type { FloatArray, Policy } from '../../src/runtime/policy.ts';
import type { Simulation } from '../engine/engine.ts';
import type { Vehicle } from '../engine/vehicle.ts';
import type { Sensor } from '../sensors/sensor.ts';
import { commandToOutput, DRONE_OUTPUTS, droneInputSize, outputToCommand, writeDepthInputs, writeStateInputs } from './drone-obs.ts';

export interface DroneDriver {
  readonly name: string;
  /** back to the initial state (a policy's hidden state to zero) */
  reset(): void;
  /**
   * Writes the command into cmd: vx, vy, vz (m/s, heading frame: forward, left, up) and yaw rate
   * (rad/s, CCW). dtS = time since the previous call. The task clamps it to DRONE_CMD_SCALE.
   */
  act(sim: Simulation, drone: Vehicle, dtS: number, cmd: Float64Array): void;
}

/**
 * A depth model policy (contract: drone-obs.ts, sim/docs/drone.md). Hovers (zero command, policy
 * not stepped) until the depth camera has delivered its first frame, so a latency perturbation
 * never feeds it an empty image.
 */
export class ModelDroneDriver implements DroneDriver {
  readonly name: string;
  private readonly input: FloatArray;
  private readonly out: FloatArray;
  private readonly pixels: number;

  constructor(private readonly policy: Policy, private readonly depth: Sensor, private readonly targetM: readonly number[]) {
    this.name = policy.model.name ?? 'model';
    this.pixels = depth.latest.length;
    const want = droneInputSize(this.pixels);
    if (policy.inputSize !== want) {
      throw new LnnError('LNN_E_INPUT_WIDTH', `the model takes ${policy.inputSize} inputs but the drone task gives ${want} (depth "${depth.name}" ${this.pixels} pixels + 7 state values, sim/docs/drone.md)`);
    }
    if (policy.outputSize < DRONE_OUTPUTS) {
      throw new LnnError('LNN_E_INPUT_WIDTH', `the model has ${policy.outputSize} outputs; the drone task needs ${DRONE_OUTPUTS} (vx, vy, vz, yaw rate)`);
    }
    this.input = new Float64Array(want);
    this.out = new Float64Array(policy.outputSize);
  }

  reset(): void {
    this.policy.reset();
  }

  act(_sim: Simulation, drone: Vehicle, dtS: number, cmd: Float64Array): void {
    if (this.depth.latestStampS < 0) {
      cmd.fill(0);
      return;
    }
    writeDepthInputs(this.depth.latest, this.input);
    writeStateInputs(drone.body, this.targetM, this.input, this.pixels);
    this.policy.step(this.input, dtS, this.out);
    outputToCommand(this.out, cmd);
  }
}

/** One imitation sample: the model input at a control step and the label for the command flown. */
export type DroneSampleSink = (input: Float64Array, label: Float64Array, timeS: number) => void;

/**
 * Wraps a driver (the expert) and hands every control step's (input, label) pair to `sink`: the
 * input exactly as ModelDroneDriver builds it, the label = commandToOutput(command clamped to the
 * contract). Steps before the depth camera's first frame are not recorded (a model hovers there).
 * The arrays are reused: copy what you keep.
 */
export class RecordingDroneDriver implements DroneDriver {
  readonly name: string;
  private readonly input: Float64Array;
  private readonly label = new Float64Array(DRONE_OUTPUTS);
  private readonly pixels: number;

  constructor(private readonly inner: DroneDriver, private readonly depth: Sensor, private readonly targetM: readonly number[], private readonly sink: DroneSampleSink) {
    this.name = inner.name;
    this.pixels = depth.latest.length;
    this.input = new Float64Array(droneInputSize(this.pixels));
  }

  reset(): void {
    this.inner.reset();
  }

  act(sim: Simulation, drone: Vehicle, dtS: number, cmd: Float64Array): void {
    this.inner.act(sim, drone, dtS, cmd);
    if (this.depth.latestStampS < 0) return;
    writeDepthInputs(this.depth.latest, this.input);
    writeStateInputs(drone.body, this.targetM, this.input, this.pixels);
    commandToOutput(cmd, this.label);
    this.sink(this.input, this.label, sim.timeS);
  }
}
