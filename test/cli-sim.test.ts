// `lnn eval` and `lnn sim` through the built CLI: the DESIGN.md §8.2 eval JSON, determinism with
// and without worker threads, perturbation errors, and the snapshot PNG.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lnn, lnnJson } from './helpers/cli.ts';

type EvalJson = Record<string, unknown> & { success_rate: number; episodes: number; mean_abs_cte_m: number };

describe('lnn eval', () => {
  it('prints the eval contract for the lane expert, identically with and without workers', () => {
    const base = ['eval', '--task', 'lane', '--policy', 'expert', '--episodes', '3', '--seed', '4242', '--duration', '20', '--json'];
    const a = lnnJson<EvalJson>([...base, '--workers', '0']);
    const b = lnnJson<EvalJson>([...base, '--workers', '2']);
    for (const k of ['task', 'policy', 'episodes', 'seed', 'success_rate', 'sim_seconds', 'wall_seconds', 'real_time_factor',
      'mean_abs_cte_m', 'rms_cte_m', 'departures_per_km', 'autonomy_pct']) expect(a).toHaveProperty(k);
    expect(a.success_rate).toBe(1);
    const strip = (r: EvalJson): unknown => ({ ...r, wall_seconds: 0, real_time_factor: 0, workers: 0 });
    expect(strip(b)).toEqual(strip(a));
  });
  it('a steering bias moves the cross-track error the expected way', () => {
    const base = ['eval', '--task', 'lane', '--policy', 'expert', '--episodes', '2', '--seed', '7', '--duration', '20', '--workers', '0', '--json'];
    const nominal = lnnJson<EvalJson>(base);
    const biased = lnnJson<EvalJson>([...base, '--perturb', 'steer_bias_deg=3']);
    expect(biased.mean_abs_cte_m).toBeGreaterThan(nominal.mean_abs_cte_m);
  });
  it('rejects an unknown perturbation key with a coded error', () => {
    const r = lnn(['eval', '--task', 'lane', '--policy', 'expert', '--episodes', '1', '--perturb', 'gravity=2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LNN_E_UNKNOWN_KEY: perturb\.gravity/);
  });
});

describe('lnn sim', () => {
  it('writes a PNG snapshot and prints the episode metrics', () => {
    const png = join(mkdtempSync(join(tmpdir(), 'lnn-sim-')), 'lane.png');
    const r = lnnJson<Record<string, unknown>>(['sim', 'lane', '--seed', '3', '--duration', '10', '--snapshot', png, '--json']);
    expect(r.success).toBe(true);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  });
});

describe('drone through the CLI', () => {
  it('lnn sim drone and lnn eval --task drone report the drone metrics', () => {
    const one = lnnJson<Record<string, unknown>>(['sim', 'drone', '--seed', '5', '--json']);
    expect(one.success).toBe(true);
    const r = lnnJson<Record<string, unknown>>(['eval', '--task', 'drone', '--policy', 'expert', '--episodes', '2', '--seed', '31', '--workers', '0', '--json']);
    for (const k of ['collisions', 'mean_time_to_target_s', 'spl', 'success_rate']) expect(r).toHaveProperty(k);
    expect(r.collisions).toBe(0);
  });
});

