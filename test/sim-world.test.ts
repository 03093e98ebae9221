// World files: the hand-written examples load, generators give valid worlds deterministically,
// and malformed files fail with a coded error that names the file and the field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LnnError } from '../src/errors.ts';
import { Simulation } from '../sim/engine/engine.ts';
import { parsePerturb } from '../sim/perturb/perturb.ts';
import { generateDroneDoc } from '../sim/world/gen-drone.ts';
import { generateLaneDoc } from '../sim/world/gen-lane.ts';
import { readWorld, readWorldFile } from '../sim/world/read-world.ts';

const WORLDS = join(import.meta.dirname, '..', 'sim', 'worlds');
const dir = mkdtempSync(join(tmpdir(), 'lnn-world-'));

function code(fn: () => unknown): { code: string; field: string | undefined; file: string | undefined } {
  try {
    fn();
  } catch (e) {
    if (e instanceof LnnError) return { code: e.code, field: e.where.field, file: e.where.file };
    throw e;
  }
  throw new Error('expected an LnnError');
}

const base = (): Record<string, unknown> => ({
  format: 'lnn-world/1',
  track: { segments: [{ length_m: 100 }], closed: false },
  models: [{ name: 'car', type: 'car', sensors: [{ name: 'cam', type: 'camera' }] }],
  task: { type: 'lane' },
});

describe('hand-written worlds', () => {
  it('lane-oval and drone-forest load and build', () => {
    const lane = new Simulation(readWorldFile(join(WORLDS, 'lane-oval.world.json')));
    expect(lane.track?.lengthM).toBeCloseTo(451.33, 1);
    expect(lane.sensors.map((s) => s.name)).toEqual(['camera', 'lane', 'imu', 'gps', 'bumper']);
    const drone = readWorldFile(join(WORLDS, 'drone-forest.world.json'));
    expect(drone.target?.positionM).toEqual([40, 5, 2]);
    const sim = new Simulation({ ...drone, models: drone.models.map((m) => (m.kind === 'vehicle' ? { ...m, type: 'point_mass', params: {} } : m)) });
    expect(sim.statics.length).toBeGreaterThan(10);
  });
});

describe('generators', () => {
  it('lane: valid closed and open tracks, the same document for the same seed', () => {
    let closed = 0;
    for (let seed = 0; seed < 30; seed++) {
      const w = readWorld(generateLaneDoc(seed));
      if (w.track!.closed) closed++;
      expect(() => new Simulation(w, { seed })).not.toThrow();
    }
    expect(closed).toBeGreaterThan(5);
    expect(closed).toBeLessThan(25);
    expect(JSON.stringify(generateLaneDoc(42))).toBe(JSON.stringify(generateLaneDoc(42)));
    expect(JSON.stringify(generateLaneDoc(42))).not.toBe(JSON.stringify(generateLaneDoc(43)));
  });
  it('drone: forests scale with the density perturbation and keep the start and target clear', () => {
    const w = readWorld(generateDroneDoc(5));
    const pm = { ...w, models: w.models.map((m) => (m.kind === 'vehicle' ? { ...m, type: 'point_mass', params: {} } : m)) };
    const n1 = new Simulation(pm, { seed: 5 }).statics.length;
    const n2 = new Simulation(pm, { seed: 5, perturb: parsePerturb('density=2') }).statics.length;
    const n0 = new Simulation(pm, { seed: 5, perturb: parsePerturb('density=0') }).statics.length;
    expect(n2).toBeGreaterThan(1.6 * n1);
    expect(n0).toBe(0);
    const sim = new Simulation(pm, { seed: 5, perturb: parsePerturb('density=3') });
    const [tx, ty] = w.target!.positionM;
    for (const s of sim.statics) {
      if (s.kind === 'plane') continue;
      expect(Math.hypot(s.pose.xM, s.pose.yM)).toBeGreaterThan(3);
      expect(Math.hypot(s.pose.xM - tx, s.pose.yM - ty)).toBeGreaterThan(3);
    }
  });
});

describe('malformed world files', () => {
  const file = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  it('bad JSON → LNN_E_JSON naming the file', () => {
    const f = file('bad.world.json', '{"format": "lnn-world/1", "models": [');
    expect(code(() => readWorldFile(f))).toMatchObject({ code: 'LNN_E_JSON', file: f });
  });
  it.each([
    ['missing format', (d: Record<string, unknown>) => { delete d.format; }, 'LNN_E_MISSING_KEY', 'format'],
    ['wrong format', (d: Record<string, unknown>) => { d.format = 'sdf/1.9'; }, 'LNN_E_FORMAT', 'format'],
    ['misspelt key', (d: Record<string, unknown>) => { d.phisics = {}; }, 'LNN_E_UNKNOWN_KEY', 'phisics'],
    ['physics rate as a string', (d: Record<string, unknown>) => { d.physics = { rate_hz: '150' }; }, 'LNN_E_TYPE', 'physics.rate_hz'],
    ['negative lane width', (d: Record<string, unknown>) => { (d.track as Record<string, unknown>).lane_width_m = -3; }, 'LNN_E_RANGE', 'track.lane_width_m'],
    ['huge camera', (d: Record<string, unknown>) => { (d.models as Record<string, unknown>[])[0].sensors = [{ name: 'c', type: 'camera', width: 4000, height: 4000 }]; }, 'LNN_E_LIMIT', 'models[0].sensors[0].width'],
    ['unknown sensor type', (d: Record<string, unknown>) => { (d.models as Record<string, unknown>[])[0].sensors = [{ name: 'c', type: 'sonar' }]; }, 'LNN_E_UNKNOWN_KEY', 'models[0].sensors[0].type'],
    ['sensor faster than physics', (d: Record<string, unknown>) => { (d.models as Record<string, unknown>[])[0].sensors = [{ name: 'c', type: 'imu', rate_hz: 1000 }]; }, 'LNN_E_RANGE', 'models[0].sensors[0].rate_hz'],
    ['missing segment length', (d: Record<string, unknown>) => { (d.track as Record<string, unknown>).segments = [{ curvature_1pm: 0.01 }]; }, 'LNN_E_MISSING_KEY', 'track.segments[0].length_m'],
    ['lane task without a track', (d: Record<string, unknown>) => { delete d.track; }, 'LNN_E_MISSING_KEY', 'task'],
    ['unknown perturbation', (d: Record<string, unknown>) => { d.perturbations = [{ key: 'fog', value: 1 }]; }, 'LNN_E_UNKNOWN_KEY', 'perturbations[0]'],
    ['perturbation out of range', (d: Record<string, unknown>) => { d.perturbations = [{ key: 'dropout', value: 2 }]; }, 'LNN_E_RANGE', 'perturbations[0]'],
    ['tilted box', (d: Record<string, unknown>) => { (d.models as unknown[]).push({ name: 'b', type: 'box', size_m: [1, 1, 1], pose: { roll_deg: 10 } }); }, 'LNN_E_RANGE', 'models[1].pose'],
  ])('%s → coded error at the field', (_name, edit, want, field) => {
    const d = base();
    edit(d);
    const f = file('w.world.json', JSON.stringify(d));
    expect(code(() => readWorldFile(f))).toEqual({ code: want, field, file: f });
  });
  it('unknown vehicle type and a track that does not close fail when the world is built', () => {
    const d = base();
    (d.models as Record<string, unknown>[])[0].type = 'hovercraft';
    delete d.task;
    expect(code(() => new Simulation(readWorld(d, 'x.json')))).toMatchObject({ code: 'LNN_E_UNKNOWN_KEY', field: 'models[0].type' });
    const open = base();
    open.track = { closed: true, segments: [{ length_m: 100, curvature_1pm: 0.01 }] };
    expect(code(() => new Simulation(readWorld(open)))).toMatchObject({ code: 'LNN_E_RANGE', field: 'track.segments' });
  });
  it('perturbation strings: unknown key, bad number, out of range, start times', () => {
    expect(code(() => parsePerturb('fog=1')).code).toBe('LNN_E_UNKNOWN_KEY');
    expect(code(() => parsePerturb('latency_ms=soon')).code).toBe('LNN_E_TYPE');
    expect(code(() => parsePerturb('dropout=1.5')).code).toBe('LNN_E_RANGE');
    expect(code(() => parsePerturb('density=2@5')).code).toBe('LNN_E_RANGE');
    expect(parsePerturb(' steer_bias_deg=2 , latency_ms=50@10 ')).toEqual([
      { key: 'steer_bias_deg', value: 2, startS: 0 }, { key: 'latency_ms', value: 50, startS: 10 },
    ]);
  });
});
