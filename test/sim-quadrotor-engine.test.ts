// The quadrotor behind the engine's Vehicle contract (sim/vehicles/quadrotor-engine.ts): world
// file params, body state for sensors, perturbations, cmd_vel, and one run inside Simulation.
import { describe, expect, it } from 'vitest';
import { isLnnError } from '../src/errors.ts';
import { Where, type JsonObject } from '../src/models/json-read.ts';
import { Simulation } from '../sim/engine/engine.ts';
import { registerVehicle, type VehicleEnv } from '../sim/engine/vehicle.ts';
import { PERTURB_KEYS, PERTURB_TABLE, type PerturbKey } from '../sim/perturb/perturb.ts';
import { makeQuadrotor, type Quadrotor } from '../sim/vehicles/quadrotor-engine.ts';
import { WORLD_FORMAT, type VehicleSpec } from '../sim/world/types.ts';
import { readWorld } from '../sim/world/read-world.ts';

const G = 9.81;

function nominal(): Record<PerturbKey, number> {
  const p = {} as Record<PerturbKey, number>;
  for (const k of PERTURB_KEYS) p[k] = PERTURB_TABLE[k].nominal;
  return p;
}

function makeEnv(): VehicleEnv & { perturb: Record<PerturbKey, number>; windMps: { x: number; y: number; z: number } } {
  return { timeS: 0, gravityMps2: G, perturb: nominal(), windMps: { x: 0, y: 0, z: 0 } };
}

function quad(params: JsonObject = {}, pose = { xM: 1, yM: 2, zM: 3, rollRad: 0, pitchRad: 0, yawRad: 0.5 }): Quadrotor {
  const spec: VehicleSpec = { kind: 'vehicle', name: 'drone', type: 'quadrotor', pose, params, sensors: [] };
  return makeQuadrotor(spec, { gravityMps2: G, where: new Where('w.json', 'models[0]') });
}

function fly(q: Quadrotor, cmd: number[], seconds: number, env = makeEnv(), rateHz = 300): void {
  const c = Float64Array.from(cmd);
  for (let i = 0; i < Math.round(seconds * rateHz); i++) q.step(1 / rateHz, c, env);
}

function expectLnnError(f: () => unknown, code: string, field: string): void {
  try {
    f();
  } catch (e) {
    expect(isLnnError(e) && e.code).toBe(code);
    expect(isLnnError(e) && e.where.field).toBe(field);
    return;
  }
  throw new Error('expected an LnnError');
}

describe('quadrotor engine adapter', () => {
  it('starts at the world pose, level, hovering, and an IMU would read +g', () => {
    const q = quad();
    const b = q.body;
    expect([b.xM, b.yM, b.zM]).toEqual([1, 2, 3]);
    expect(b.yawRad).toBeCloseTo(0.5, 12);
    expect(b.azMps2).toBeCloseTo(G, 12);
    const cmd = new Float64Array(4);
    q.initialCommand(cmd);
    fly(q, Array.from(cmd), 3);
    expect(Math.abs(q.body.zM - 3)).toBeLessThan(1e-3);
    expect(q.body.azMps2).toBeCloseTo(G, 2);
    expect(q.commandNames).toEqual(['vx_mps', 'vy_mps', 'vz_mps', 'yaw_rate_radps']);
    expect(Array.from(q.collisionSpheres)).toEqual([0, 0, 0, 0.06]);
  });

  it('flies the commanded heading-frame velocity at a 300 Hz engine tick', () => {
    const q = quad();
    fly(q, [2, 0, 0.5, 0], 4);
    const b = q.body;
    expect(b.vxMps).toBeCloseTo(2 * Math.cos(0.5), 1);
    expect(b.vyMps).toBeCloseTo(2 * Math.sin(0.5), 1);
    expect(b.vzMps).toBeCloseTo(0.5, 2);
    expect(b.pitchRad).toBeGreaterThan(0); // nose down while pushing through rotor drag
  });

  it('maps cmd_vel (body frame) onto the four command slots', () => {
    const q = quad();
    const cmd = new Float64Array(4);
    q.twistToCommand({ linear: { x: 1, y: -2, z: 0.5 }, angular: { x: 0, y: 0, z: 0.3 } }, cmd);
    expect(Array.from(cmd)).toEqual([1, -2, 0.5, 0.3]);
  });

  it('reset() restores the world pose after a flight', () => {
    const q = quad();
    fly(q, [3, 1, 1, 1], 2);
    q.reset();
    expect([q.body.xM, q.body.yM, q.body.zM, q.body.vxMps]).toEqual([1, 2, 3, 0]);
  });

  it('actuator_gain 0.8 (weaker rotors): sinks at first, the velocity loop recovers altitude', () => {
    const q = quad();
    const env = makeEnv();
    env.perturb.actuator_gain = 0.8;
    fly(q, [0, 0, 0, 0], 0.5, env);
    expect(q.body.vzMps).toBeLessThan(-0.1);
    // PX4's I = 2 (m/s²)/m on z: the sink stops within ≈ 9 s (measured: 1.2 m lost)
    fly(q, [0, 0, 0, 0], 11.5, env);
    expect(Math.abs(q.body.vzMps)).toBeLessThan(0.02);
    expect(q.body.zM).toBeGreaterThan(3 - 1.5);
  });

  it('reads env.windMps: uncommanded, it is pushed downwind before the integrator catches up', () => {
    const q = quad();
    const env = makeEnv();
    env.windMps.y = 4;
    fly(q, [0, 0, 0, 0], 2, env);
    expect(q.body.yM).toBeGreaterThan(2.2);
  });

  it('validates world-file params with field paths', () => {
    expect(quad({ preset: 'hummingbird', gains: { MPC_XY_VEL_P_ACC: 2.5 } }).vehicle.params.massKg).toBe(0.5);
    expect(quad({ mass_kg: 0.05 }).vehicle.params.massKg).toBe(0.05);
    expectLnnError(() => quad({ mass: 1 }), 'LNN_E_UNKNOWN_KEY', 'models[0].params.mass');
    expectLnnError(() => quad({ preset: 'x500' }), 'LNN_E_RANGE', 'models[0].params.preset');
    expectLnnError(() => quad({ gains: { MPC_TILTMAX_AIR: 120 } }), 'LNN_E_RANGE', 'models[0].params.gains.MPC_TILTMAX_AIR');
    expectLnnError(() => quad({ gains: { MC_ROLLRATE_P: 0.15 } }), 'LNN_E_UNKNOWN_KEY', 'models[0].params.gains.MC_ROLLRATE_P');
  });

  it('runs inside Simulation from a world document (physics 300 Hz, as gen-drone worlds)', () => {
    registerVehicle('quadrotor', makeQuadrotor); // sim/vehicles/index.ts will do this
    const world = readWorld({
      format: WORLD_FORMAT,
      physics: { rate_hz: 300 },
      models: [{ name: 'drone', type: 'quadrotor', pose: { x_m: 0, y_m: 0, z_m: 1.5, yaw_rad: 0 }, params: {} }],
    });
    const sim = new Simulation(world);
    sim.commands[0].set([1, 0, 0, 0]);
    sim.step(3 * 300);
    const b = sim.vehicles[0].body;
    expect(b.vxMps).toBeCloseTo(1, 1);
    expect(Math.abs(b.zM - 1.5)).toBeLessThan(0.05);
  });
});
