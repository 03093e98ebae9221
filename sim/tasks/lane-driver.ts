// What drives the car in the lane task: the expert, a camera model policy, or anything else that
// maps the simulator's state at the control rate to a steering angle. The task runs `act` in the
// engine's preStep, in lockstep: the physics waits for the driver every control period.

import { LnnError } from '../../src/errors.ts';
import type { Policy } from '../../src/runtime/policy.ts';
import type { Simulation } from '../engine/engine.ts';
import type { Sensor } from '../sensors/sensor.ts';
import type { Car } from '../vehicles/car.ts';

export interface LaneDriver {
  readonly name: string;
  /** back to the initial state (a policy's hidden state to zero) */
  reset(): void;
  /** steering command in radians (road-wheel angle, left > 0); dtS = time since the previous call */
  act(sim: Simulation, car: Car, dtS: number): number;
}

/** What the model's single output means; from model.meta.output (default steer_rad). */
export type LaneOutput = 'steer_rad' | 'curvature_1pm';

/**
 * A camera policy: the latest camera frame (height × width in [0, 1], row-major, top row first)
 * is the model input; output[0] is the steering angle (or the path curvature, converted by the
 * bicycle relation δ = atan(L·κ), as the NCP paper's network did). Non-finite outputs steer straight.
 */
export class ModelDriver implements LaneDriver {
  readonly name: string;
  private readonly out: Float64Array;
  private readonly output: LaneOutput;

  constructor(private readonly policy: Policy, private readonly camera: Sensor) {
    this.name = policy.model.name ?? 'model';
    const n = camera.latest.length;
    if (policy.inputSize !== n) {
      throw new LnnError('LNN_E_INPUT_WIDTH', `the model takes ${policy.inputSize} inputs but the camera "${camera.name}" gives ${n} pixels`);
    }
    this.out = new Float64Array(policy.outputSize);
    const meta = policy.model.meta as Record<string, unknown>;
    this.output = meta.output === 'curvature_1pm' ? 'curvature_1pm' : 'steer_rad';
  }

  reset(): void {
    this.policy.reset();
  }

  act(_sim: Simulation, car: Car, dtS: number): number {
    this.policy.step(this.camera.latest, dtS, this.out);
    const y = this.out[0];
    if (!Number.isFinite(y)) return 0;
    return this.output === 'curvature_1pm' ? Math.atan(car.wheelbaseM * y) : y;
  }
}
