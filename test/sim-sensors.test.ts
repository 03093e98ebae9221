// Sensors: every sensor's noise σ, rate, latency and dropout are what its spec says (seeded,
// statistical, deterministic), and messages carry ROS 2 field names.
import { describe, expect, it } from 'vitest';
import { Simulation } from '../sim/engine/engine.ts';
import type { Contacts, Image, LaserScan, NavSatFix } from '../sim/engine/msgs.ts';
import { stampSeconds } from '../sim/engine/msgs.ts';
import { parsePerturb } from '../sim/perturb/perturb.ts';
import { readWorld } from '../sim/world/read-world.ts';

type Doc = Record<string, unknown>;

/** A straight 400 m road, the car parked (or driving) on it, with the given sensors and bodies. */
function laneSim(sensors: Doc[], opts: { speed?: number; bodies?: Doc[]; seed?: number; perturb?: string } = {}): Simulation {
  const doc = {
    format: 'lnn-world/1', physics: { rate_hz: 150 },
    track: { closed: false, segments: [{ length_m: 400 }] },
    models: [{ name: 'car', type: 'car', params: { initial_speed_mps: opts.speed ?? 0 }, sensors }, ...(opts.bodies ?? [])],
  };
  const sim = new Simulation(readWorld(doc), { seed: opts.seed ?? 11, perturb: parsePerturb(opts.perturb ?? '') });
  sim.command('car')[1] = opts.speed ?? 0;
  return sim;
}

function std(xs: ArrayLike<number>): { mean: number; sd: number } {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return { mean: m, sd: Math.sqrt(v / (xs.length - 1)) };
}

/** Collects `pick(latest)` at every delivery of a sensor for durationS. */
function collect(sim: Simulation, name: string, durationS: number, pick: (l: Float32Array | Float64Array) => number[]): number[][] {
  const s = sim.sensor(name);
  const rows: number[][] = [];
  let seen = s.delivered;
  sim.runFor(durationS, () => {
    if (s.delivered !== seen) { seen = s.delivered; rows.push(pick(s.latest)); }
    return false;
  });
  return rows;
}

describe('camera', () => {
  const cam = (extra: Doc = {}): Doc => ({ name: 'cam', type: 'camera', mount: { x_m: 0.5, z_m: 1.3, pitch_deg: 8 }, ...extra });
  it('adds Gaussian pixel noise of the configured σ, and sensor_noise adds in quadrature', () => {
    for (const [sigma, extra, want] of [[0.1, '', 0.1], [0.05, 'sensor_noise=0.1', Math.hypot(0.05, 0.1)]] as const) {
      const clean = laneSim([cam()], { speed: 5 }), noisy = laneSim([cam({ noise_std: sigma })], { speed: 5, perturb: extra });
      const diffs: number[] = [];
      for (let k = 0; k < 20; k++) {
        clean.step(5); noisy.step(5);
        const a = clean.sensor('cam').latest, b = noisy.sensor('cam').latest;
        for (let i = 0; i < a.length; i++) diffs.push(b[i] - a[i]);
      }
      const s = std(diffs);
      expect(Math.abs(s.mean)).toBeLessThan(0.005);
      expect(s.sd / want).toBeCloseTo(1, 1);
    }
  });
  it('delivers at its rate, also when the rate does not divide the physics rate', () => {
    for (const [rate, want] of [[30, 300], [40, 400], [7, 70]]) {
      const sim = laneSim([cam({ rate_hz: rate })]);
      let n = 0;
      sim.bus.subscribe('car/cam', () => { n++; });
      sim.runFor(10);
      expect(n).toBe(want);
    }
  });
  it('delivers each frame latency_ms after it was taken, and publishes sensor_msgs/Image', () => {
    const sim = laneSim([cam({ latency_ms: 100 })]);
    const lags: number[] = [];
    let last: Image | null = null;
    sim.bus.subscribe<Image>('car/cam', (m) => { lags.push(sim.timeS - stampSeconds(m.header)); last = m; });
    sim.runFor(2);
    expect(lags.every((l) => Math.abs(l - 0.1) < 1e-9)).toBe(true);
    const m = last as unknown as Image;
    expect([m.height, m.width, m.encoding, m.step, m.is_bigendian, m.data.length]).toEqual([16, 64, '32FC1', 256, 0, 4096]);
    expect(m.header.frame_id).toBe('car/cam');
    expect(Number.isInteger(m.header.stamp.sec) && Number.isInteger(m.header.stamp.nanosec)).toBe(true);
  });
  it('loses frames with the dropout probability', () => {
    const sim = laneSim([{ name: 'lane', type: 'lane_features', dropout: 0.3 }]);
    sim.runFor(100);
    const s = sim.sensor('lane');
    const p = s.dropped / (s.dropped + s.sampled);
    expect(Math.abs(p - 0.3)).toBeLessThan(4 * Math.sqrt(0.21 / 3000));
    expect(s.delivered).toBe(s.sampled);
  });
  it('brightness multiplies intensities (and saturates at 1)', () => {
    const a = laneSim([cam()]), b = laneSim([cam()], { perturb: 'brightness=0.5' });
    const ma = std(a.sensor('cam').latest).mean, mb = std(b.sensor('cam').latest).mean;
    expect(mb / ma).toBeCloseTo(0.5, 6);
  });
});

describe('inertial and lane sensors', () => {
  it('IMU: gyro and accelerometer noise σ at rest, gravity on z, its rate', () => {
    const sim = laneSim([{ name: 'imu', type: 'imu', rate_hz: 100, noise_std: 0.05, gyro_noise_std: 0.004 }]);
    const rows = collect(sim, 'imu', 30, (l) => [l[6], l[7], l[9]]);
    expect(rows.length).toBe(3000);
    expect(std(rows.map((r) => r[0])).sd / 0.004).toBeCloseTo(1, 1);
    expect(std(rows.map((r) => r[1])).sd / 0.05).toBeCloseTo(1, 1);
    expect(std(rows.map((r) => r[2])).mean).toBeCloseTo(9.81, 2);
  });
  it('GPS: metres of noise σ on a NavSatFix at 10 Hz', () => {
    const sim = laneSim([{ name: 'gps', type: 'gps', noise_std: 2 }]);
    let fix: NavSatFix | null = null;
    sim.bus.subscribe<NavSatFix>('car/gps', (m) => { fix = m; });
    const rows = collect(sim, 'gps', 100, (l) => [l[0], l[1]]);
    expect(rows.length).toBe(1000);
    const north = rows.map((r) => ((r[0] - 42.3601) * Math.PI) / 180 * 6378137);
    expect(std(north).sd / 2).toBeCloseTo(1, 1);
    expect((fix as unknown as NavSatFix).position_covariance[0]).toBe(4);
  });
  it('lane features: cross-track σ in metres, heading σ/10 in radians', () => {
    const sim = laneSim([{ name: 'lane', type: 'lane_features', noise_std: 0.2, lookahead_m: [0, 10] }]);
    const rows = collect(sim, 'lane', 60, (l) => [l[0], l[1], l[2], l[4]]);
    expect(std(rows.map((r) => r[0])).sd / 0.2).toBeCloseTo(1, 1);
    expect(std(rows.map((r) => r[1])).sd / 0.02).toBeCloseTo(1, 1);
    expect(rows[0][2]).toBe(3.5);
    expect(rows[0][3]).toBe(0);
  });
});

describe('range sensors and contact', () => {
  const wall = { name: 'wall', type: 'box', pose: { x_m: 12, z_m: 1 }, size_m: [1, 40, 2] };
  it('depth image: metres along the optical axis to a wall, with its noise σ', () => {
    const clean = laneSim([{ name: 'depth', type: 'depth', width: 8, height: 6, hfov_deg: 60, mount: { z_m: 1 } }], { bodies: [wall] });
    const d = clean.sensor('depth').latest;
    // rays near the horizon hit the wall face at x = 11.5: depth along the axis is exactly 11.5
    expect(d[2 * 8 + 3]).toBeCloseTo(11.5, 5);
    expect(d[3 * 8 + 4]).toBeCloseTo(11.5, 5);
    const noisy = laneSim([{ name: 'depth', type: 'depth', width: 8, height: 6, hfov_deg: 60, noise_std: 0.1, mount: { z_m: 1 } }], { bodies: [wall] });
    const rows = collect(noisy, 'depth', 20, (l) => [l[3 * 8 + 4]]);
    expect(std(rows.map((r) => r[0])).mean).toBeCloseTo(11.5, 1);
    expect(std(rows.map((r) => r[0])).sd / 0.1).toBeCloseTo(1, 1);
  });
  it('range fan: a LaserScan with analytic ranges and max range for no return', () => {
    const sim = laneSim([{ name: 'scan', type: 'rays', count: 3, fov_deg: 90, max_range_m: 30, mount: { z_m: 1 } }], { bodies: [wall] });
    let scan: LaserScan | null = null;
    sim.bus.subscribe<LaserScan>('car/scan', (m) => { scan = m; });
    sim.runFor(0.2);
    const s = scan as unknown as LaserScan;
    expect(s.angle_min).toBeCloseTo(-Math.PI / 4, 12);
    expect(s.angle_increment).toBeCloseTo(Math.PI / 4, 12);
    expect(s.ranges[1]).toBeCloseTo(11.5, 5);
    expect(s.ranges[0]).toBeCloseTo(11.5 * Math.SQRT2, 4);
    const open = laneSim([{ name: 'scan', type: 'rays', count: 3, max_range_m: 30, mount: { z_m: 1 } }]);
    expect([...open.sensor('scan').latest]).toEqual([30, 30, 30]);
  });
  it('contact: reports the body the car touches', () => {
    const sim = laneSim([{ name: 'bump', type: 'contact' }], { bodies: [{ name: 'post', type: 'cylinder', pose: { x_m: 3, z_m: 1 }, radius_m: 0.3, length_m: 2 }], speed: 3 });
    let msg: Contacts | null = null;
    sim.bus.subscribe<Contacts>('car/bump', (m) => { msg = m; });
    expect(sim.sensor('bump').latest[0]).toBe(0);
    sim.runFor(1.5);
    expect(sim.sensor('bump').latest[0]).toBe(1);
    expect((msg as unknown as Contacts).collision).toBe('post');
  });
});
