import { writeFileSync } from 'node:fs';
import { simulate } from '../../sim/eval/simulate.ts';
import { snapshot } from '../../sim/eval/snapshot.ts';
import { taskRunner } from '../../sim/tasks/index.ts';
import { LnnError } from '../errors.ts';
import { getBool, getNumber, getString, usage, type CommandSpec } from './args.ts';
import { printJson, type Command } from './command.ts';
import { policyRef } from './sim-glue.ts';

const spec: CommandSpec = {
  name: 'sim',
  summary: 'run one episode in the simulator, optionally paced, and write a top-down snapshot',
  usage: 'lnn sim <lane|drone|world.json> [--seed S] [--policy <model|expert>] [--duration S]\n' +
    '        [--perturb key=value,...] [--rtf F] [--snapshot out.png] [--json]',
  options: [
    { name: 'seed', kind: 'int', value: 'S', help: 'world seed (episode i of `lnn eval --seed S0` is S0+i)' },
    { name: 'policy', kind: 'string', value: 'policy', help: 'a model file, expert (default), or vision' },
    { name: 'backend', kind: 'string', value: 'name', help: 'backend for a model policy (default auto)' },
    { name: 'duration', kind: 'number', value: 'S', help: 'sim seconds (default: the task\'s)' },
    { name: 'perturb', kind: 'string', value: 'list', help: 'key=value[@start_s],... (see lnn eval --help)' },
    { name: 'rtf', kind: 'number', value: 'F', help: 'real-time factor: 1 = wall-clock pace, 0 = as fast as possible (default 0)' },
    { name: 'snapshot', kind: 'string', value: 'file.png', help: 'write a top-down view with the trajectory and the camera image' },
    { name: 'json', kind: 'bool', help: 'print the episode metrics as one JSON object' },
  ],
};

export const simCommand: Command = {
  spec,
  async run(p, io) {
    if (p.positional.length !== 1) throw usage(spec, 'expected a task: lane, drone or a world file');
    const task = p.positional[0] as string;
    const seed = getNumber(p, 'seed') ?? 0;
    const rtf = getNumber(p, 'rtf') ?? 0;
    if (rtf < 0 || rtf > 10_000) throw usage(spec, '--rtf must be between 0 and 10000');
    const duration = getNumber(p, 'duration');
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once('SIGINT', stop);
    try {
      const { world, result, wallS } = await simulate({
        task, seed, policy: policyRef(getString(p, 'policy') ?? 'expert', getString(p, 'backend')),
        perturb: getString(p, 'perturb') ?? '', realTimeFactor: rtf, signal: ac.signal,
        ...(duration !== undefined ? { durationS: duration } : {}),
      });
      const png = getString(p, 'snapshot');
      if (png !== undefined) {
        try {
          writeFileSync(png, snapshot(world, result.trajectory ?? null, { seed }));
        } catch (e) {
          throw new LnnError('LNN_E_FILE_WRITE', `cannot write (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { file: png });
        }
        io.err(`wrote ${png}\n`);
      }
      const out = {
        task, seed: result.seed, success: result.success, end: result.endReason, sim_seconds: result.simS, wall_seconds: wallS,
        ...taskRunner(world).aggregate([result]),
      };
      if (getBool(p, 'json')) printJson(io, out);
      else for (const [k, v] of Object.entries(out)) io.out(`${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
      return 0;
    } finally {
      process.off('SIGINT', stop);
    }
  },
};
