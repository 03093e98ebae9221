import { evalEpisodes } from '../../sim/eval/eval.ts';
import { getBool, getNumber, getString, usage, type CommandSpec } from './args.ts';
import { printJson, type Command } from './command.ts';
import { defaultWorkers, policyRef, workerUrl } from './sim-glue.ts';

const spec: CommandSpec = {
  name: 'eval',
  summary: 'run seeded episodes of a task in the simulator and report success and task metrics',
  usage: 'lnn eval --task <lane|drone|world.json> --policy <model|expert> [--episodes N] [--seed S]\n' +
    '         [--perturb key=value,...] [--backend B] [--workers N] [--duration S] [--json]',
  options: [
    { name: 'task', kind: 'string', value: 'task', help: 'lane, drone, or a world file', required: true },
    { name: 'policy', kind: 'string', value: 'policy', help: 'a model file (lnn-model/1 or ncps export), expert, or vision (classical camera baseline)', required: true },
    { name: 'episodes', kind: 'int', value: 'N', help: 'episodes (default 10); episode i uses seed S+i' },
    { name: 'seed', kind: 'int', value: 'S', help: 'first episode seed (default 0)' },
    { name: 'perturb', kind: 'string', value: 'list', help: 'key=value[@start_s],... with keys steer_bias_deg, actuator_gain, sensor_noise, latency_ms, wind_mps, gust_mps, brightness, density, dropout' },
    { name: 'backend', kind: 'string', value: 'name', help: 'backend for a model policy (default auto)' },
    { name: 'workers', kind: 'int', value: 'N', help: 'worker threads (default: one per core; 0 = this thread)' },
    { name: 'duration', kind: 'number', value: 'S', help: 'episode length in sim seconds (default: the task\'s)' },
    { name: 'json', kind: 'bool', help: 'print the result as one JSON object' },
  ],
  notes: 'Same seed, same metrics, with or without workers (wall-clock fields aside).',
};

export const evalCommand: Command = {
  spec,
  async run(p, io) {
    if (p.positional.length > 0) throw usage(spec, `unexpected argument "${p.positional[0]}"`);
    const episodes = getNumber(p, 'episodes') ?? 10;
    const json = getBool(p, 'json');
    const url = workerUrl();
    const duration = getNumber(p, 'duration');
    let lastPct = -1;
    const r = await evalEpisodes({
      task: getString(p, 'task') as string,
      policy: policyRef(getString(p, 'policy') as string, getString(p, 'backend')),
      episodes,
      seed: getNumber(p, 'seed') ?? 0,
      perturb: getString(p, 'perturb') ?? '',
      workers: getNumber(p, 'workers') ?? defaultWorkers(episodes),
      ...(url !== undefined ? { workerUrl: url } : {}),
      ...(duration !== undefined ? { durationS: duration } : {}),
      onProgress: (done, total) => {
        // Progress on stderr, at most every 10 %, so --json stdout stays one object.
        const pct = Math.floor((done / total) * 10);
        if (pct !== lastPct) { lastPct = pct; io.err(`eval: ${done}/${total} episodes\n`); }
      },
    });
    const { episode_results: perEpisode, ...summary } = r;
    if (json) {
      printJson(io, r);
      return 0;
    }
    for (const [k, v] of Object.entries(summary)) io.out(`${k.padEnd(24)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
    const failed = perEpisode.filter((e) => !e.success);
    if (failed.length > 0) io.out(`failed episodes: ${failed.map((e) => `seed ${e.seed} (${e.end})`).join(', ')}\n`);
    return 0;
  },
};
