// `lnn run` end to end, in process (the command object, as src/cli/main.ts runs it): an untrained
// lane NCP drives the simulated car in lockstep for 5 sim seconds and exits 0 with a sensible
// status; IO kinds and options that are not built yet, and bad options, are coded errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.ts';
import { runCommand } from '../src/cli/cmd-run.ts';
import { EXIT_USER_ERROR, isLnnError } from '../src/errors.ts';
import { initWiredCfcDoc } from '../src/models/init.ts';
import { initLanePolicyDoc } from '../src/models/init-policies.ts';
import { makeNcp } from '../src/models/wiring/index.ts';

interface Result { code: number; stdout: string; stderr: string }

/** As main.ts does: parse, run, LnnError → one line on stderr and exit 2. */
async function lnnRun(argv: string[]): Promise<Result> {
  let stdout = '', stderr = '';
  const io = { out: (t: string) => { stdout += t; }, err: (t: string) => { stderr += t; } };
  try {
    const code = await runCommand.run(parseArgs(runCommand.spec, argv), io);
    return { code, stdout, stderr };
  } catch (e) {
    if (!isLnnError(e)) throw e;
    return { code: EXIT_USER_ERROR, stdout, stderr: `${stderr}lnn: ${e.message}\n` };
  }
}

let dir = '';
let model = '';
let droneModel = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lnn-run-'));
  model = join(dir, 'lane.lnn.json');
  writeFileSync(model, JSON.stringify(initLanePolicyDoc({ seed: 3 })));
  // the drone contract: 32×8 depth + 7 state values in, vx, vy, vz, yaw rate out (sim/tasks/drone-obs.ts)
  droneModel = join(dir, 'drone.lnn.json');
  const wiring = makeNcp({ inter: 12, command: 8, motor: 4, sensoryFanout: 6, interFanout: 4, recurrentCommandSynapses: 6, motorFanin: 6, seed: 5 }, 263);
  writeFileSync(droneModel, JSON.stringify(initWiredCfcDoc(wiring, { seed: 2, name: 'drone-untrained' })));
});

describe('lnn run --io sim:lane', () => {
  it('runs an untrained lane NCP for 5 sim seconds in lockstep and exits 0', async () => {
    const r = await lnnRun(['--model', model, '--io', 'sim:lane', '--duration', '5', '--backend', 'f32', '--json']);
    expect(r.stderr).not.toMatch(/LNN_E_/);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown> & { inputs: Record<string, number>; outputs: Record<string, number>; task: Record<string, number> };
    expect(s).toMatchObject({ io: 'sim:lane', backend: 'f32', hz: 30, mode: 'lockstep', end: 'duration', state: 'armed', reason: '' });
    expect(s.ticks).toBe(150); // 5 s × 30 Hz: the sim advanced one control period per tick
    expect(s.loop_seconds).toBeCloseTo(149 / 30, 2); // the first tick is at t = 0
    expect(s.achieved_hz).toBe(30);
    expect(s.inputs.received).toBeGreaterThanOrEqual(148); // a camera frame per period after the first
    expect(s.inputs.malformed).toBe(0);
    expect(s.outputs.received).toBe(150);
    expect(s.rejected).toBe(0);
    expect(s.task.sim_seconds).toBeCloseTo(5, 6);
    expect(s.task.distance_km).toBeGreaterThan(0.03); // 8.33 m/s for 5 s, held by the task
    for (const k of ['mean_abs_cte_m', 'departures', 'rms_steer_rate_rad_s']) expect(Number.isFinite(s.task[k])).toBe(true);
  });

  it('is deterministic: same seed, same run', async () => {
    const args = ['--model', model, '--io', 'sim:lane', '--duration', '3', '--seed', '9', '--backend', 'ref', '--json'];
    const a = JSON.parse((await lnnRun(args)).stdout) as { task: unknown };
    const b = JSON.parse((await lnnRun(args)).stdout) as { task: unknown };
    expect(a.task).toEqual(b.task);
  });

  it('lost camera frames (perturbation) are counted and the run goes on', async () => {
    const r = await lnnRun(['--model', model, '--io', 'sim:lane', '--duration', '10', '--perturb', 'dropout=0.6', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { inputs: { received: number }; task: { frames_dropped: number } };
    expect(s.task.frames_dropped).toBeGreaterThan(100);
    expect(s.inputs.received).toBeLessThan(200);
  });

  it('prints status lines on stderr and a readable summary without --json', async () => {
    const r = await lnnRun(['--model', model, '--io', 'sim:lane', '--duration', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^io +sim:lane$/m);
    expect(r.stdout).toMatch(/^ticks +30$/m);
  });
});

describe('lnn run --io sim:drone', () => {
  it('flies an untrained NCP in lockstep until the episode ends, and exits 0', async () => {
    const r = await lnnRun(['--model', droneModel, '--io', 'sim:drone', '--duration', '20', '--seed', '1', '--json']);
    expect(r.stderr).not.toMatch(/LNN_E_/);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as Record<string, unknown> & { inputs: Record<string, number>; task: Record<string, unknown> };
    expect(s).toMatchObject({ io: 'sim:drone', hz: 30, mode: 'lockstep', rejected: 0 });
    expect(['duration', 'episode_end']).toContain(s.end);
    expect(s.ticks as number).toBeGreaterThan(10);
    expect(s.inputs.malformed).toBe(0);
    expect(['target', 'collision', 'ground', 'timeout']).toContain(s.task.end);
    expect(s.task).toHaveProperty('spl');
  });

  it('a lane model on the drone is LNN_E_INPUT_WIDTH', async () => {
    const r = await lnnRun(['--model', model, '--io', 'sim:drone']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LNN_E_INPUT_WIDTH/);
  });
});

describe('lnn run errors', () => {
  it.each([
    // the board adapter checks the mapping before it opens the port: the default mapping has no pins
    [['--io', 'board:/dev/ttyACM9'], /LNN_E_USAGE: board\.inputs\[0\]\.topic: input "x" needs a pin/],
    [['--io', 'sim:lane', '--record', 'x.mcap'], /LNN_E_USAGE: --record .*not available/],
    [['--io', 'sim:lane', '--panel', '8080'], /LNN_E_USAGE: --panel .*not available/],
    [['--io', 'sim:lane', '--adapt'], /LNN_E_USAGE: --adapt .*not available/],
    [['--io', 'carrier-pigeon'], /LNN_E_USAGE: unknown --io "carrier-pigeon"/],
    [['--io', 'sim:moon'], /LNN_E_USAGE: unknown simulated robot "sim:moon"/],
    [['--io', 'sim:lane', '--hz', '0'], /LNN_E_USAGE: --hz must be in/],
    [['--io', 'sim:lane', '--hz', '40'], /LNN_E_RANGE: hz: .*must divide 150/],
    [['--io', 'sim:lane', '--mode', 'fast'], /LNN_E_USAGE: --mode must be one of hybrid, spin/],
    [['--io', 'sim:lane', '--duration', '-1'], /LNN_E_USAGE: --duration must be positive/],
    [['--io', 'sim:lane', '--backend', 'gpu'], /LNN_E_BACKEND_UNKNOWN/],
    [['--io', 'mqtt://127.0.0.1:1883', '--seed', '2'], /LNN_E_USAGE: --seed and --perturb apply to --io sim:\* only/],
  ])('%j is a coded error, exit 2', async (extra, message) => {
    const r = await lnnRun(['--model', model, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a mapping that does not fit the model names the file', async () => {
    const f = join(dir, 'map.json');
    writeFileSync(f, JSON.stringify({
      format: 'lnn-mapping/1', inputs: [{ name: 'camera', size: 512, min: 0, max: 1 }],
      outputs: [{ name: 'steer_rad', min: -0.5, max: 0.5, failsafe: 0 }],
    }));
    const r = await lnnRun(['--model', model, '--io', 'sim:lane', '--mapping', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LNN_E_INPUT_WIDTH: .*map\.json: inputs: the mapping's inputs add up to 512 values but the model takes 1024/);
  });

  it('a missing model file is LNN_E_FILE_NOT_FOUND', async () => {
    const r = await lnnRun(['--model', join(dir, 'none.json'), '--io', 'sim:lane']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/LNN_E_FILE_NOT_FOUND/);
  });
});
