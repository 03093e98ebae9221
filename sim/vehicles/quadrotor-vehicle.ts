// The quadrotor as the simulator engine sees it: dynamics (quadrotor.ts) + PX4-style cascade
// (control/px4-cascade.ts) behind one small interface. The engine calls step() at its own
// rate (e.g. the policy's 10–30 Hz, or the engine's physics tick); the vehicle holds the command
// and splits dtS into n = ⌈dtS·physicsHz⌉ equal substeps, so physics and all control loops run
// at physicsHz or faster (240 Hz default, as gym-pybullet-drones): a 30 Hz step is 8 substeps
// of 1/240 s, a 150 Hz engine tick 2 of 1/300 s. The pose is always exactly at engine time.
//
//   interface SimVehicle<Cmd, Init> {
//     reset(init?)                  back to the initial state, or to a new start pose
//     step(dtS, command, env?)      advance dtS simulated seconds (allocation-free)
//     pose     { positionM (3) world ENU, quaternionWxyz (4) body FLU → world }
//     velocity { linearMps (3) world ENU, angularRadS (3) body FLU }
//     timeS
//   }
//
// Command {vx, vy, vz, yawRate}: heading frame (forward, left, up) m/s and yaw rate rad/s CCW,
// exactly the four outputs of the drone policies (sim-anchors §3.1). env.windMps is the world
// ENU wind at the vehicle, held over the step (the engine owns a Dryden model from
// sim/physics/wind.ts if it wants gusts); env.actuatorGain scales rotor thrust. pose and
// velocity are live views into the state: read or copy them, never write. The engine's own
// Vehicle contract (sim/engine/vehicle.ts) is met by the adapter in quadrotor-engine.ts.

import {
  makePx4CascadeModel,
  makePx4CascadeState,
  resetPx4Cascade,
  stepPx4Cascade,
  type Px4CascadeModel,
  type Px4CascadeState,
  type VelocityCommand,
} from '../control/px4-cascade.ts';
import { makePx4Gains, type Px4Params } from '../control/px4-params.ts';
import { makeQuadState, resetQuadState, stepQuadrotor, type QuadState } from './quadrotor.ts';
import { DEFAULT_QUADROTOR_PARAMS, hoverMotorSpeedRadS, type QuadrotorParams } from './quadrotor-params.ts';
import { quatFromYaw, quatToRotation } from './quadrotor-quat.ts';

export type { VelocityCommand } from '../control/px4-cascade.ts';

export interface VehicleEnv {
  /** (3) wind, world ENU, m/s — pass a Float64Array (see NO_WIND) */
  readonly windMps: ArrayLike<number>;
  /** multiplies every rotor's thrust (worn props, perturbation actuator_gain); 1 = nominal */
  readonly actuatorGain?: number;
}

export interface VehiclePose {
  /** (3) world ENU, m */
  readonly positionM: Float64Array;
  /** (4) [w, x, y, z], body FLU → world ENU */
  readonly quaternionWxyz: Float64Array;
}

export interface VehicleVelocity {
  /** (3) world ENU, m/s */
  readonly linearMps: Float64Array;
  /** (3) body FLU, rad/s */
  readonly angularRadS: Float64Array;
}

export interface SimVehicle<Cmd, Init> {
  reset(init?: Init): void;
  step(dtS: number, command: Readonly<Cmd>, env?: VehicleEnv): void;
  readonly pose: VehiclePose;
  readonly velocity: VehicleVelocity;
  /** simulated time since reset, s */
  readonly timeS: number;
}

export interface QuadInit {
  /** (3) world ENU start position, m; default (0, 0, 1) */
  readonly positionM?: readonly [number, number, number];
  /** heading, rad CCW from East; default 0 */
  readonly yawRad?: number;
  /** start with rotors at hover speed (default: true when above the floor) */
  readonly motorsAtHover?: boolean;
}

export interface QuadrotorVehicleOptions {
  readonly params?: QuadrotorParams;
  readonly gains?: Partial<Px4Params>;
  /** minimum physics and control-loop rate, Hz (default 240; each step is split to reach it) */
  readonly physicsHz?: number;
  readonly init?: QuadInit;
}

export interface QuadrotorVehicle extends SimVehicle<VelocityCommand, QuadInit> {
  readonly params: QuadrotorParams;
  readonly controller: Px4CascadeModel;
  /** full rigid-body + motor state (for sensors: IMU from accelMps2 and bodyRateRadS) */
  readonly state: QuadState;
  /** controller internals (setpoints, integrators), for logging */
  readonly ctl: Px4CascadeState;
  readonly physicsDtS: number;
}

// A Float64Array, not a frozen [0, 0, 0]: V8 boxes every element read at a load site that has
// seen both a typed array and a small-integer JS array, so mixing the two would allocate.
const NO_WIND = new Float64Array(3);

export function makeQuadrotorVehicle(opts: QuadrotorVehicleOptions = {}): QuadrotorVehicle {
  const params = opts.params ?? DEFAULT_QUADROTOR_PARAMS;
  const physicsHz = opts.physicsHz ?? 240;
  if (!(physicsHz >= 50 && physicsHz <= 10_000)) throw new RangeError(`physicsHz ${physicsHz} outside [50, 10000]`);
  const physicsDtS = 1 / physicsHz;
  const controller = makePx4CascadeModel(params, makePx4Gains(opts.gains));
  const state = makeQuadState();
  const ctl = makePx4CascadeState();
  const defaultInit = opts.init ?? {};
  // Substep plan for the last dtS: n equal physics steps of hS ≤ 1/physicsHz, recomputed only
  // when dtS changes. V8 boxes a double passed to a call it does not inline (16 bytes a call)
  // unless the value is already boxed; `hS` starts as a non-number so V8 keeps the field tagged:
  // it then holds one boxed number, allocated when dtS changes and passed as is on every call.
  const sub: { dtInS: number; n: number; hS: number } = { dtInS: -1, n: 1, hS: undefined as unknown as number };
  sub.hS = physicsDtS;
  /** (4) rotor speed commands after the actuator gain, rad/s */
  const delivered = new Float64Array(4);

  const reset = (init: QuadInit = defaultInit): void => {
    resetQuadState(state);
    resetPx4Cascade(ctl);
    const p = init.positionM ?? [0, 0, 1];
    state.positionM[0] = p[0];
    state.positionM[1] = p[1];
    state.positionM[2] = Math.max(p[2], params.groundZM);
    quatFromYaw(init.yawRad ?? 0, state.quat);
    quatToRotation(state.quat, state.rot);
    state.onGround = state.positionM[2] <= params.groundZM;
    if (init.motorsAtHover ?? !state.onGround) state.motorSpeedRadS.fill(hoverMotorSpeedRadS(params));
  };

  const step = (dtS: number, command: Readonly<VelocityCommand>, env?: VehicleEnv): void => {
    if (!(dtS > 0) || !Number.isFinite(dtS)) return;
    const wind = env?.windMps ?? NO_WIND;
    if (dtS !== sub.dtInS) {
      // 1e-9 keeps dtS = k/physicsHz (e.g. 8·(1/240) for a 30 Hz policy) at exactly k steps
      sub.n = Math.max(1, Math.ceil(dtS * physicsHz - 1e-9));
      sub.hS = dtS / sub.n;
      sub.dtInS = dtS;
    }
    // Thrust ∝ ω², so a thrust gain g scales the delivered rotor speed by √g (then the motor
    // limit clamps it); the controller is not told, as with a real worn propeller.
    const gain = env?.actuatorGain ?? 1;
    const k = gain === 1 ? 1 : Math.sqrt(gain > 0 ? gain : 0);
    const n = sub.n;
    for (let i = 0; i < n; i++) {
      stepPx4Cascade(controller, ctl, state, command, sub.hS);
      if (k === 1) {
        stepQuadrotor(params, state, ctl.motorCmdRadS, wind, sub.hS);
      } else {
        for (let m = 0; m < 4; m++) delivered[m] = ctl.motorCmdRadS[m] * k;
        stepQuadrotor(params, state, delivered, wind, sub.hS);
      }
    }
  };

  reset();
  return {
    params,
    controller,
    state,
    ctl,
    physicsDtS,
    reset,
    step,
    pose: { positionM: state.positionM, quaternionWxyz: state.quat },
    velocity: { linearMps: state.velocityMps, angularRadS: state.bodyRateRadS },
    get timeS() {
      return state.timeS;
    },
  };
}
