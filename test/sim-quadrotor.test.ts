// Quadrotor dynamics, PX4-style cascade, mixer and Dryden wind (sim/vehicles/quadrotor*.ts,
// sim/control/px4-*.ts, sim/physics/wind.ts). Deterministic: fixed seeds, fixed dt, no timing.
import { describe, expect, it } from 'vitest';
import { makePx4Gains, PX4_PARAM_TABLE, px4ParamDefaults } from '../sim/control/px4-params.ts';
import { makeMixerStatus, prepareMixer, stepMixer } from '../sim/control/px4-mixer.ts';
import { makeGaussRng, nextGauss } from '../sim/physics/rng-gauss.ts';
import { makeWindState, prepareWind, stepWind } from '../sim/physics/wind.ts';
import { makeQuadState, stepQuadrotor, type QuadState } from '../sim/vehicles/quadrotor.ts';
import {
  CF2X_PARAMS,
  CRAZYFLIE_PARAMS,
  DEFAULT_QUADROTOR_PARAMS,
  HUMMINGBIRD_PARAMS,
  hoverMotorSpeedRadS,
  makeQuadrotorParams,
  type QuadrotorParams,
} from '../sim/vehicles/quadrotor-params.ts';
import { quatYaw, wrapPi } from '../sim/vehicles/quadrotor-quat.ts';
import { makeQuadrotorVehicle, type QuadrotorVehicle, type VelocityCommand } from '../sim/vehicles/quadrotor-vehicle.ts';

const kDtS = 1 / 240;
const kNoWind = new Float64Array(3);
const P = DEFAULT_QUADROTOR_PARAMS;

function stateAt(zM: number, motorRadS: number): QuadState {
  const s = makeQuadState();
  s.positionM[2] = zM;
  s.motorSpeedRadS.fill(motorRadS);
  return s;
}

function run(p: QuadrotorParams, s: QuadState, cmd: ArrayLike<number>, seconds: number, wind: ArrayLike<number> = kNoWind): void {
  const n = Math.round(seconds / kDtS);
  for (let i = 0; i < n; i++) stepQuadrotor(p, s, cmd, wind, kDtS);
}

function allFinite(v: QuadrotorVehicle): boolean {
  const s = v.state;
  return [s.positionM, s.velocityMps, s.quat, s.bodyRateRadS, s.motorSpeedRadS].every((a) => a.every(Number.isFinite));
}

/** Heading-frame velocity of the vehicle: (forward, left, up), m/s. */
function headingVelocity(v: QuadrotorVehicle): [number, number, number] {
  const yaw = quatYaw(v.pose.quaternionWxyz);
  const l = v.velocity.linearMps;
  return [Math.cos(yaw) * l[0] + Math.sin(yaw) * l[1], -Math.sin(yaw) * l[0] + Math.cos(yaw) * l[1], l[2]];
}

type Axis = 'forward' | 'left' | 'up' | 'yawRate';
const read = (v: QuadrotorVehicle, axis: Axis): number =>
  axis === 'yawRate' ? v.velocity.angularRadS[2] : headingVelocity(v)[['forward', 'left', 'up'].indexOf(axis)];

interface StepResponse {
  overshootFrac: number;
  /** time after which the response stays within the band, s */
  settleS: number;
  final: number;
}

/** Hover 1 s at 30 m, apply the command, record `axis` for `seconds` at 240 Hz. */
function stepResponse(cmd: Partial<VelocityCommand>, axis: Axis, target: number, seconds: number, band = 0.05): StepResponse {
  const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 30] } });
  const zero: VelocityCommand = { vx: 0, vy: 0, vz: 0, yawRate: 0 };
  for (let i = 0; i < 240; i++) v.step(kDtS, zero);
  const c = { ...zero, ...cmd };
  const n = Math.round(seconds / kDtS);
  let peak = 0;
  let lastOut = -1;
  let y = 0;
  for (let i = 0; i < n; i++) {
    v.step(kDtS, c);
    y = read(v, axis);
    if (y / target > peak) peak = y / target;
    if (Math.abs(y - target) > band * Math.abs(target)) lastOut = i;
  }
  return { overshootFrac: peak - 1, settleS: (lastOut + 1) * kDtS, final: y };
}

// ---------------------------------------------------------------------------------------------
describe('quadrotor rigid body', () => {
  it('falls at g with the motors off (z = z0 − ½·g·t² before ground contact)', () => {
    const s = stateAt(100, 0);
    const off = [0, 0, 0, 0];
    for (let i = 1; i <= 480; i++) {
      stepQuadrotor(P, s, off, kNoWind, kDtS);
      const t = i * kDtS;
      // Semi-implicit Euler: v is exact (−g·t), z lags the parabola by ½·g·t·dt.
      expect(s.velocityMps[2]).toBeCloseTo(-P.gravityMps2 * t, 9);
      expect(Math.abs(s.positionM[2] - (100 - 0.5 * P.gravityMps2 * t * t))).toBeLessThanOrEqual(0.5 * P.gravityMps2 * t * kDtS + 1e-9);
    }
    expect(s.onGround).toBe(false);
    expect(Array.from(s.quat)).toEqual([1, 0, 0, 0]);
  });

  it('stops on the floor: no falling through, zero velocity on touchdown, stays down', () => {
    const s = stateAt(2, 0);
    s.velocityMps[0] = 1; // sliding sideways while falling
    run(P, s, [0, 0, 0, 0], 3);
    expect(s.onGround).toBe(true);
    expect(s.positionM[2]).toBe(P.groundZM);
    expect(Array.from(s.velocityMps)).toEqual([0, 0, 0]);
    expect(Array.from(s.bodyRateRadS)).toEqual([0, 0, 0]);
  });

  it.each([CRAZYFLIE_PARAMS, CF2X_PARAMS, HUMMINGBIRD_PARAMS])('hovers at ω = √(m·g / 4kF): $name holds altitude for 5 s', (p) => {
    const wH = hoverMotorSpeedRadS(p);
    const s = stateAt(1, wH);
    run(p, s, [wH, wH, wH, wH], 5);
    expect(Math.abs(s.positionM[2] - 1)).toBeLessThan(1e-6);
    expect(Math.hypot(...s.velocityMps)).toBeLessThan(1e-6);
    expect(Math.abs(s.quat[0] - 1)).toBeLessThan(1e-12);
  });

  it('lifts off the floor when thrust exceeds weight, not before', () => {
    const wH = hoverMotorSpeedRadS(P);
    const s = stateAt(0, 0.99 * wH);
    run(P, s, [0.99 * wH, 0.99 * wH, 0.99 * wH, 0.99 * wH], 1);
    expect(s.positionM[2]).toBe(0);
    run(P, s, [1.05 * wH, 1.05 * wH, 1.05 * wH, 1.05 * wH], 1);
    expect(s.positionM[2]).toBeGreaterThan(0.1);
  });

  it('follows the motor command with the first-order lag τ_m (63 % after τ)', () => {
    const s = stateAt(50, 0);
    const n = Math.round(P.motorTauS / kDtS);
    for (let i = 0; i < n; i++) stepQuadrotor(P, s, [1000, 1000, 1000, 1000], kNoWind, kDtS);
    const expected = 1000 * (1 - Math.exp(-(n * kDtS) / P.motorTauS));
    expect(s.motorSpeedRadS[0]).toBeCloseTo(expected, 6);
  });

  it('rotor layout: left pair faster rolls right-side down (+x rate), rear pair faster pitches nose down and moves forward, CW pair faster yaws left', () => {
    const wH = hoverMotorSpeedRadS(P);
    const probe = (cmd: number[]): QuadState => {
      const s = stateAt(50, wH);
      s.motorSpeedRadS.set(cmd);
      run(P, s, cmd, 0.2);
      return s;
    };
    // indices: 0 front-right CCW, 1 rear-left CCW, 2 front-left CW, 3 rear-right CW
    const roll = probe([wH * 0.99, wH * 1.01, wH * 1.01, wH * 0.99]);
    expect(roll.bodyRateRadS[0]).toBeGreaterThan(0.1);
    expect(Math.abs(roll.bodyRateRadS[1])).toBeLessThan(1e-9);
    const pitch = probe([wH * 0.99, wH * 1.01, wH * 0.99, wH * 1.01]);
    expect(pitch.bodyRateRadS[1]).toBeGreaterThan(0.1);
    run(P, pitch, [wH, wH, wH, wH], 0.5);
    expect(pitch.velocityMps[0]).toBeGreaterThan(0.01); // tilted thrust points forward (+x)
    const yaw = probe([wH * 0.99, wH * 0.99, wH * 1.01, wH * 1.01]);
    expect(yaw.bodyRateRadS[2]).toBeGreaterThan(0.01);
    expect(Math.abs(yaw.bodyRateRadS[0]) + Math.abs(yaw.bodyRateRadS[1])).toBeLessThan(1e-9);
  });

  it('drifts downwind with the motors at hover and no control (drag on air-relative velocity)', () => {
    const wH = hoverMotorSpeedRadS(P);
    const s = stateAt(10, wH);
    run(P, s, [wH, wH, wH, wH], 3, [3, -1, 0]);
    expect(s.velocityMps[0]).toBeGreaterThan(0.3);
    expect(s.velocityMps[1]).toBeLessThan(-0.1);
    expect(s.positionM[0]).toBeGreaterThan(0.3);
    // it never outruns the wind
    expect(s.velocityMps[0]).toBeLessThan(3);
  });

  it('keeps |q| = 1 and stays finite while tumbling at full differential thrust', () => {
    const s = stateAt(1e4, 0);
    run(P, s, [0, P.motorSpeedMaxRadS, P.motorSpeedMaxRadS, 0], 5);
    expect(Math.hypot(...s.quat)).toBeCloseTo(1, 12);
    expect([...s.positionM, ...s.velocityMps, ...s.bodyRateRadS].every(Number.isFinite)).toBe(true);
  });

  it('validates parameter overrides', () => {
    expect(makeQuadrotorParams({ massKg: 0.05 }).massKg).toBe(0.05);
    expect(() => makeQuadrotorParams({ massKg: -1 })).toThrow(RangeError);
    expect(() => makeQuadrotorParams({ motorSpeedMinRadS: 3000 })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
describe('mixer', () => {
  const mx = prepareMixer(P);
  const fMax = mx.rotorThrustMaxN;

  /** Thrust and torques the dynamics produce from motor speeds (same formulas as stepQuadrotor). */
  function wrench(w: Float64Array): [number, number, number, number] {
    const f = Array.from(w, (x) => P.kThrustNPerRadS2 * x * x);
    const d = P.armLengthM * Math.SQRT1_2;
    const c = P.kTorqueNmPerRadS2 / P.kThrustNPerRadS2;
    return [f[0] + f[1] + f[2] + f[3], d * (-f[0] + f[1] + f[2] - f[3]), d * (-f[0] + f[1] - f[2] + f[3]), c * (-f[0] - f[1] + f[2] + f[3])];
  }

  it('reproduces thrust and torques exactly when nothing saturates', () => {
    const st = makeMixerStatus();
    const out = new Float64Array(4);
    const req: [number, number, number, number] = [2 * fMax, 2e-4, -1e-4, 3e-5];
    stepMixer(mx, req, st, out);
    const got = wrench(out);
    for (let i = 0; i < 4; i++) expect(got[i]).toBeCloseTo(req[i], 12);
    expect(Array.from(st.unallocatedNm).every((x) => Math.abs(x) < 1e-15)).toBe(true);
  });

  it('under saturation keeps the roll/pitch direction, drops yaw first, then moves thrust', () => {
    const st = makeMixerStatus();
    const out = new Float64Array(4);
    const d = P.armLengthM * Math.SQRT1_2;
    // roll demand that alone fits at half collective, plus a large yaw demand, at high thrust
    stepMixer(mx, [3.8 * fMax, 0.8 * d * fMax, 0.4 * d * fMax, 1], st, out);
    const [T, tx, ty] = wrench(out);
    expect(tx / ty).toBeCloseTo(2, 9); // direction of the tilt torque preserved
    expect(st.unallocatedNm[2]).toBeGreaterThan(0); // yaw was cut
    expect(T).toBeLessThan(3.8 * fMax); // collective lowered to make room for roll/pitch
    expect(Array.from(out).every((w) => w >= 0 && w <= P.motorSpeedMaxRadS)).toBe(true);
  });

  it('maps non-finite demands to a finite command', () => {
    const st = makeMixerStatus();
    const out = new Float64Array(4);
    stepMixer(mx, [NaN, Infinity, -Infinity, NaN], st, out);
    expect(Array.from(out).every(Number.isFinite)).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
describe('PX4 cascade on the vehicle (240 Hz)', () => {
  it('has one parameter table whose defaults pass their own range check', () => {
    for (const spec of PX4_PARAM_TABLE) {
      expect(spec.default).toBeGreaterThanOrEqual(spec.min);
      expect(spec.default).toBeLessThanOrEqual(spec.max);
      expect(spec.unit.length).toBeGreaterThan(0);
    }
    expect(() => makePx4Gains(px4ParamDefaults())).not.toThrow();
    expect(() => makePx4Gains({ MPC_TILTMAX_AIR: 120 })).toThrow(RangeError);
  });

  it('holds hover with a zero command (altitude and position within 1 mm over 5 s)', () => {
    const v = makeQuadrotorVehicle();
    v.step(5, { vx: 0, vy: 0, vz: 0, yawRate: 0 });
    expect(Math.abs(v.pose.positionM[2] - 1)).toBeLessThan(1e-3);
    expect(Math.hypot(v.pose.positionM[0], v.pose.positionM[1])).toBeLessThan(1e-3);
  });

  // Measured with the defaults (sim/docs/quadrotor.md): vx 2 m/s settles (5 %) in 1.48 s with
  // 0.9 % overshoot, vz +1 / −1 m/s in 0.34 / 0.55 s with 4.8 / 5.2 %, yaw rate 1 rad/s in
  // 0.20 s with 2.7 %.
  it.each([
    { name: 'vx 0 → 2 m/s', cmd: { vx: 2 }, axis: 'forward', target: 2, settleMaxS: 2.5 },
    { name: 'vx 0 → −1 m/s', cmd: { vx: -1 }, axis: 'forward', target: -1, settleMaxS: 2.5 },
    { name: 'vy 0 → 1 m/s', cmd: { vy: 1 }, axis: 'left', target: 1, settleMaxS: 2.5 },
    { name: 'vz 0 → 1 m/s', cmd: { vz: 1 }, axis: 'up', target: 1, settleMaxS: 1 },
    { name: 'vz 0 → −1 m/s', cmd: { vz: -1 }, axis: 'up', target: -1, settleMaxS: 1 },
    { name: 'yaw rate 0 → 1 rad/s', cmd: { yawRate: 1 }, axis: 'yawRate', target: 1, settleMaxS: 0.5 },
  ] as const)('$name settles within 5 percent before $settleMaxS s and stays, overshoot under 10 percent', ({ cmd, axis, target, settleMaxS }) => {
    const r = stepResponse(cmd, axis, target, 8);
    expect(r.settleS).toBeLessThan(settleMaxS);
    expect(r.overshootFrac).toBeLessThan(0.1);
    expect(Math.abs(r.final - target)).toBeLessThan(0.02 * Math.abs(target));
  });

  it('does not couple a forward velocity step into altitude or sideways motion', () => {
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 30] } });
    v.step(6, { vx: 2, vy: 0, vz: 0, yawRate: 0 });
    expect(Math.abs(v.pose.positionM[2] - 30)).toBeLessThan(0.05);
    expect(Math.abs(v.pose.positionM[1])).toBeLessThan(0.01);
  });

  it('tracks a yaw-rate command: heading advances by ∫ψ̇ dt, then holds when the command ends', () => {
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 10] } });
    let unwrapped = 0;
    let prev = 0;
    const track = (cmd: VelocityCommand, seconds: number): void => {
      for (let i = 0; i < Math.round(seconds / kDtS); i++) {
        v.step(kDtS, cmd);
        const y = quatYaw(v.pose.quaternionWxyz);
        unwrapped += wrapPi(y - prev);
        prev = y;
      }
    };
    track({ vx: 0, vy: 0, vz: 0, yawRate: 0.8 }, 5); // 4 rad, more than a half turn
    // lag of the rate loop costs ≈ 0.8 rad/s × ~0.1 s
    expect(unwrapped).toBeGreaterThan(4 - 0.15);
    expect(unwrapped).toBeLessThan(4 + 0.02);
    track({ vx: 0, vy: 0, vz: 0, yawRate: 0 }, 1);
    const held = unwrapped;
    track({ vx: 0, vy: 0, vz: 0, yawRate: 0 }, 3);
    expect(Math.abs(unwrapped - held)).toBeLessThan(0.01);
    // flying "forward" while yawing moves along the current heading
    track({ vx: 1, vy: 0, vz: 0, yawRate: 0 }, 3);
    const [fwd, left] = headingVelocity(v);
    expect(fwd).toBeGreaterThan(0.9);
    expect(Math.abs(left)).toBeLessThan(0.05);
  });

  it('rejects a steady 3 m/s crosswind (velocity integrator), and drifts downwind without it', () => {
    const wind = { windMps: [3, 0, 0] };
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 10] } });
    // PX4's I/P = 0.4/1.8 leaves a slow pole (≈ 0.22 /s): the residual drift halves every ≈ 3 s.
    v.step(20, { vx: 0, vy: 0, vz: 0, yawRate: 0 }, wind);
    expect(Math.hypot(...v.velocity.linearMps)).toBeLessThan(0.01);
    expect(v.pose.positionM[0]).toBeGreaterThan(0.5); // pushed downwind before the I term caught up
    const noI = makeQuadrotorVehicle({ init: { positionM: [0, 0, 10] }, gains: { MPC_XY_VEL_I_ACC: 0 } });
    noI.step(10, { vx: 0, vy: 0, vz: 0, yawRate: 0 }, wind);
    expect(noI.velocity.linearMps[0]).toBeGreaterThan(0.1); // P-only leaves a downwind drift
  });

  it('takes off from the floor with a climb command and lands with a descent command', () => {
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 0] } });
    expect(v.state.onGround).toBe(true);
    v.step(2, { vx: 0, vy: 0, vz: 1, yawRate: 0 });
    expect(v.pose.positionM[2]).toBeGreaterThan(1);
    v.step(6, { vx: 0, vy: 0, vz: -1, yawRate: 0 });
    expect(v.state.onGround).toBe(true);
    expect(v.pose.positionM[2]).toBe(0);
  });

  it('stays finite and within motor limits under extreme and non-finite setpoints', () => {
    const v = makeQuadrotorVehicle({ init: { positionM: [0, 0, 50] } });
    const cmds: VelocityCommand[] = [
      { vx: 1e6, vy: -1e6, vz: 1e6, yawRate: 1e3 },
      { vx: -1e9, vy: 0, vz: -1e9, yawRate: -1e3 },
      { vx: NaN, vy: Infinity, vz: -Infinity, yawRate: NaN },
      { vx: 12, vy: 12, vz: 3, yawRate: 3.5 },
    ];
    for (const cmd of cmds) {
      for (let i = 0; i < 240 * 3; i++) {
        v.step(kDtS, cmd, { windMps: [20 * Math.sin(i * 0.01), -15, 5] });
        expect(allFinite(v)).toBe(true);
      }
      expect(Array.from(v.state.motorSpeedRadS).every((w) => w >= 0 && w <= P.motorSpeedMaxRadS)).toBe(true);
      expect(Math.hypot(...v.pose.quaternionWxyz)).toBeCloseTo(1, 12);
      // tilt stays near the 35° limit even when the setpoint asks for infinite speed
      const q = v.pose.quaternionWxyz;
      expect(Math.acos(1 - 2 * (q[1] ** 2 + q[2] ** 2))).toBeLessThan((50 * Math.PI) / 180);
    }
    // and it recovers: back to hover once the storm is gone (the velocity integrators held up to
    // 3.7 m/s² against the 15 m/s wind and unwind with the slow I pole)
    v.step(20, { vx: 0, vy: 0, vz: 0, yawRate: 0 });
    expect(Math.hypot(...v.velocity.linearMps)).toBeLessThan(0.05);
  });

  it('is stable on the other presets with the same gains (CF2X, Hummingbird)', () => {
    for (const params of [CF2X_PARAMS, HUMMINGBIRD_PARAMS]) {
      const v = makeQuadrotorVehicle({ params, init: { positionM: [0, 0, 30] } });
      // The Hummingbird's rotor drag (0.45 /s across, 0.87 /s along z) is 2–4× the Crazyflie's,
      // so the PX4 I gains need ~10 s to take it out; hence the long run.
      v.step(20, { vx: 2, vy: -1, vz: 0.5, yawRate: 0 });
      const [fwd, left, up] = headingVelocity(v);
      expect(Math.abs(fwd - 2)).toBeLessThan(0.05 * 2);
      expect(Math.abs(left + 1)).toBeLessThan(0.05 * 1);
      expect(Math.abs(up - 0.5)).toBeLessThan(0.05 * 0.5);
      v.step(5, { vx: 0, vy: 0, vz: 0, yawRate: 1 });
      expect(Math.abs(v.velocity.angularRadS[2] - 1)).toBeLessThan(0.05);
    }
  });

  it('substeps a long engine step into equal physics steps (same result as 240 Hz calls)', () => {
    const a = makeQuadrotorVehicle();
    const b = makeQuadrotorVehicle();
    const cmd = { vx: 1, vy: 0.3, vz: 0.2, yawRate: 0.4 };
    for (let i = 0; i < 30; i++) a.step(8 * kDtS, cmd); // 30 Hz policy
    for (let i = 0; i < 240; i++) b.step(kDtS, cmd);
    expect(Array.from(a.pose.positionM)).toEqual(Array.from(b.pose.positionM));
    expect(a.timeS).toBeCloseTo(1, 12);
  });

  it('is bit-for-bit deterministic and reset() restores the initial state', () => {
    const fly = (v: QuadrotorVehicle): number[] => {
      for (let i = 0; i < 480; i++) v.step(kDtS, { vx: Math.sin(i / 50), vy: 0.5, vz: 0.1, yawRate: 0.3 }, { windMps: [1, 2, 0] });
      return [...v.pose.positionM, ...v.pose.quaternionWxyz, ...v.velocity.linearMps];
    };
    const v = makeQuadrotorVehicle();
    const first = fly(v);
    v.reset();
    expect(v.timeS).toBe(0);
    expect(fly(v)).toEqual(first);
    expect(fly(makeQuadrotorVehicle())).toEqual(first);
  });
});

// ---------------------------------------------------------------------------------------------
describe('Dryden wind', () => {
  function sampleSigma(seed: number, gustMps: number, dtS: number, seconds: number): { mean: number[]; sigma: number[] } {
    const m = prepareWind({ meanMps: [4, 0, 0], gustMps, altitudeM: 10, seed });
    const st = makeWindState(m);
    const w = new Float64Array(3);
    const n = Math.round(seconds / dtS);
    const s1 = [0, 0, 0];
    const s2 = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      stepWind(m, st, dtS, w);
      for (let k = 0; k < 3; k++) {
        s1[k] += w[k];
        s2[k] += w[k] * w[k];
      }
    }
    const mean = s1.map((x) => x / n);
    return { mean, sigma: s2.map((x, k) => Math.sqrt(x / n - mean[k] * mean[k])) };
  }

  it('documents the low-altitude length scales and σ_w/σ_u at 10 m', () => {
    const m = prepareWind({ gustMps: 1, altitudeM: 10 });
    expect(m.lengthUM).toBeCloseTo(67.37, 1);
    expect(m.lengthWM).toBeCloseTo(10, 6);
    expect(m.sigmaWMps / m.sigmaUMps).toBeCloseTo(0.53, 2);
  });

  it('has approximately the configured σ on every axis over a long seeded run (mean = steady wind)', () => {
    // 20 000 s at 20 Hz: ≈ 600 correlation times of u (T_u = 67.3 m / 4 m/s = 17 s), so the
    // sample σ is within a few per cent; 10 % tolerance.
    const { mean, sigma } = sampleSigma(7, 1.5, 0.05, 20_000);
    const m = prepareWind({ gustMps: 1.5, altitudeM: 10 });
    expect(sigma[0]).toBeGreaterThan(0.9 * 1.5);
    expect(sigma[0]).toBeLessThan(1.1 * 1.5);
    expect(sigma[1]).toBeGreaterThan(0.9 * 1.5);
    expect(sigma[1]).toBeLessThan(1.1 * 1.5);
    expect(sigma[2]).toBeGreaterThan(0.9 * m.sigmaWMps);
    expect(sigma[2]).toBeLessThan(1.1 * m.sigmaWMps);
    expect(mean[0]).toBeCloseTo(4, 0);
    expect(Math.abs(mean[1])).toBeLessThan(0.15);
    expect(Math.abs(mean[2])).toBeLessThan(0.1);
  });

  it('keeps σ independent of the step size (exact discretisation)', () => {
    const fine = sampleSigma(3, 1, 1 / 240, 4000);
    const coarse = sampleSigma(3, 1, 0.5, 4000);
    for (let k = 0; k < 3; k++) expect(Math.abs(fine.sigma[k] - coarse.sigma[k]) / fine.sigma[k]).toBeLessThan(0.2);
  });

  it('is identical for equal seeds and different for different seeds', () => {
    const trace = (seed: number): number[] => {
      const m = prepareWind({ meanMps: [2, 1, 0], gustMps: 2, seed });
      const st = makeWindState(m);
      const w = new Float64Array(3);
      const out: number[] = [];
      for (let i = 0; i < 2000; i++) {
        stepWind(m, st, kDtS, w);
        out.push(w[0], w[1], w[2]);
      }
      return out;
    };
    expect(trace(42)).toEqual(trace(42));
    expect(trace(42)).not.toEqual(trace(43));
  });

  it('is exactly the mean wind when gustMps is 0', () => {
    const m = prepareWind({ meanMps: [1, -2, 0.5] });
    const st = makeWindState(m);
    const w = new Float64Array(3);
    for (let i = 0; i < 100; i++) stepWind(m, st, kDtS, w);
    expect(Array.from(w)).toEqual([1, -2, 0.5]);
  });

  it('draws standard normals from the seeded generator (mean 0, variance 1)', () => {
    const rng = makeGaussRng(1);
    let s1 = 0;
    let s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const x = nextGauss(rng);
      s1 += x;
      s2 += x * x;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.02);
  });
});
