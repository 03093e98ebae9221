// Simulator physics: the car's steady-state turn, steering limits, speed loop; the analytic
// ray caster against brute force and closed-form distances.
import { describe, expect, it } from 'vitest';
import { Rng } from '../sim/core/rng.ts';
import { PerturbState } from '../sim/perturb/perturb.ts';
import { GROUND_ID, makeRayHit, NO_HIT, Scene } from '../sim/physics/raycast.ts';
import { DEFAULT_CAR } from '../sim/vehicles/car-params.ts';
import { Car } from '../sim/vehicles/car.ts';
import type { StaticSpec } from '../sim/world/types.ts';

const POSE = { xM: 0, yM: 0, zM: 0, rollRad: 0, pitchRad: 0, yawRad: 0 };
const env = { timeS: 0, gravityMps2: 9.81, perturb: new PerturbState([]).value, windMps: { x: 0, y: 0, z: 0 } };

/** Drives at a constant steering angle and speed; returns the CG path radius from v / r. */
function steadyRadius(steerRad: number, speedMps: number): number {
  const car = new Car('car', { ...DEFAULT_CAR, initialSpeedMps: speedMps }, POSE);
  const cmd = new Float64Array([steerRad, speedMps]);
  for (let k = 0; k < 150 * 20; k++) car.step(1 / 150, cmd, env);
  return Math.hypot(car.vxMps, car.vyMps) / car.yawRateRadS;
}

describe('dynamic bicycle car', () => {
  const L = DEFAULT_CAR.lfM + DEFAULT_CAR.lrM;
  it.each([0.05, 0.1, 0.2])('turns on radius ≈ L/tan(δ) at low speed (δ = %f rad)', (delta) => {
    // the CG circles at sqrt(lr² + (L/tanδ)²) around the rear-axle centre (kinematic geometry)
    const want = Math.hypot(DEFAULT_CAR.lrM, L / Math.tan(delta));
    expect(steadyRadius(delta, 2) / want).toBeCloseTo(1, 2);
  });
  it('is nearly neutral-steer at 8 m/s (CommonRoad vehicle 2 has C_S front = rear)', () => {
    const want = Math.hypot(DEFAULT_CAR.lrM, L / Math.tan(0.05));
    expect(Math.abs(steadyRadius(0.05, 8) / want - 1)).toBeLessThan(0.03);
  });
  it('honours the steering rate limit and the steering range', () => {
    const car = new Car('car', DEFAULT_CAR, POSE);
    const cmd = new Float64Array([5, 0]);
    for (let k = 0; k < 15; k++) car.step(0.01, cmd, env);
    expect(car.steerRad).toBeLessThanOrEqual(DEFAULT_CAR.steerRateMaxRadS * 0.15 + 1e-12);
    for (let k = 0; k < 1000; k++) car.step(0.01, cmd, env);
    expect(car.steerRad).toBeCloseTo(DEFAULT_CAR.steerMaxRad, 9);
  });
  it('reaches the commanded speed and stays on a straight line with straight wheels', () => {
    const car = new Car('car', DEFAULT_CAR, POSE);
    const cmd = new Float64Array([0, 6]);
    for (let k = 0; k < 150 * 10; k++) car.step(1 / 150, cmd, env);
    expect(car.vxMps).toBeCloseTo(6, 3);
    expect(car.body.yM).toBe(0);
    expect(car.body.azMps2).toBeCloseTo(9.81, 9);
  });
  it('stays stable at any speed and step (implicit lateral step)', () => {
    for (const v of [0.5, 1.5, 3, 20, 40]) {
      const car = new Car('car', { ...DEFAULT_CAR, initialSpeedMps: v }, POSE);
      const cmd = new Float64Array([0.3, v]);
      for (let k = 0; k < 200; k++) car.step(1 / 30, cmd, env);
      expect(Number.isFinite(car.body.xM) && Math.abs(car.vyMps) < 2 * v + 1).toBe(true);
    }
  });
});

function randomScene(seed: number, n: number): { scene: Scene; specs: StaticSpec[] } {
  const rng = new Rng(seed);
  const specs: StaticSpec[] = [];
  for (let i = 0; i < n; i++) {
    const pose = { ...POSE, xM: rng.range(-30, 30), yM: rng.range(-30, 30), zM: rng.range(1, 5), yawRad: rng.range(-3, 3) };
    specs.push(i % 3 === 0
      ? { kind: 'box', name: `b${i}`, pose, sizeM: [rng.range(0.2, 3), rng.range(0.2, 3), rng.range(1, 8)], shade: 0.5 }
      : { kind: 'cylinder', name: `c${i}`, pose: { ...pose, yawRad: 0 }, radiusM: rng.range(0.1, 1), lengthM: rng.range(1, 8), shade: 0.5 });
  }
  return { scene: new Scene(specs), specs };
}

describe('analytic ray casting', () => {
  it('gives closed-form distances to a cylinder, a turned box and the ground', () => {
    const scene = new Scene([
      { kind: 'cylinder', name: 'trunk', pose: { ...POSE, xM: 10, zM: 5 }, radiusM: 0.5, lengthM: 10, shade: 0.3 },
      { kind: 'box', name: 'wall', pose: { ...POSE, yM: 8, zM: 1, yawRad: Math.PI / 2 }, sizeM: [4, 2, 2], shade: 0.3 },
    ]);
    const hit = makeRayHit();
    expect(scene.castRay(0, 0, 1, 1, 0, 0, 100, hit)).toBe(true);
    expect(hit.t).toBeCloseTo(9.5, 12);
    expect(scene.names[hit.id]).toBe('trunk');
    expect(hit.nx).toBeCloseTo(-1, 12);
    // the box turned 90°: its 4 m local x now lies along world y, so the near face is at y = 8 − 2
    scene.castRay(0, 0, 1, 0, 1, 0, 100, hit);
    expect(hit.t).toBeCloseTo(6, 12);
    expect(hit.ny).toBeCloseTo(-1, 12);
    scene.castRay(0, 0, 2, 0, -1, -1, 100, hit);
    expect(hit.id).toBe(GROUND_ID);
    expect(hit.t).toBeCloseTo(2, 12);
    expect(scene.castRay(0, 0, 20, 0, 0, 1, 100, hit)).toBe(false);
    expect(hit.id).toBe(NO_HIT);
  });
  it('the grid walk finds exactly what testing every body finds (1000 random rays, 300 bodies)', () => {
    const { scene, specs } = randomScene(3, 300);
    const rng = new Rng(4);
    const hit = makeRayHit(), one = makeRayHit();
    let hits = 0;
    for (let k = 0; k < 1000; k++) {
      const o = [rng.range(-40, 40), rng.range(-40, 40), rng.range(0.5, 6)];
      const a = rng.range(0, 2 * Math.PI), e = rng.range(-0.3, 0.3);
      const d = [Math.cos(a) * Math.cos(e), Math.sin(a) * Math.cos(e), Math.sin(e)];
      scene.castRay(o[0], o[1], o[2], d[0], d[1], d[2], 60, hit, false);
      let best = 60, bestId = NO_HIT;
      specs.forEach((s, i) => {
        const single = new Scene([s]);
        if (single.castRay(o[0], o[1], o[2], d[0], d[1], d[2], 60, one, false) && one.t < best) { best = one.t; bestId = i; }
      });
      expect(hit.id).toBe(bestId);
      if (bestId !== NO_HIT) { expect(hit.t).toBeCloseTo(best, 9); hits++; }
    }
    expect(hits).toBeGreaterThan(100);
  });
  it('sphere overlap agrees with the geometry', () => {
    const scene = new Scene([{ kind: 'cylinder', name: 't', pose: { ...POSE, zM: 5 }, radiusM: 1, lengthM: 10, shade: 0.3 }]);
    expect(scene.overlapSphere(1.4, 0, 2, 0.5)).toBe(0);
    expect(scene.overlapSphere(1.6, 0, 2, 0.5)).toBe(NO_HIT);
    expect(scene.overlapSphere(0, 0, 10.4, 0.5)).toBe(0);
    expect(scene.overlapSphere(5, 5, 0.2, 0.5, true)).toBe(GROUND_ID);
  });
});
