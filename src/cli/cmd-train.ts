// lnn train: behaviour cloning in the simulator (DESIGN.md §8.2). The lane task records the
// privileged expert (plus noise-injection recovery data and optional DAgger rounds) and trains a
// camera policy with BPTT; the result is an ordinary lnn-model/1 file every backend runs.

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LnnError } from '../errors.ts';
import { writeJsonFile } from '../models/save.ts';
import { trainLane, type LaneCell } from '../train/bc/lane-train.ts';
import { getNumber, getString, usage, type CommandSpec } from './args.ts';
import type { Command } from './command.ts';

const spec: CommandSpec = {
  name: 'train',
  summary: 'train a policy by behaviour cloning in the simulator (expert demonstrations, noise injection, DAgger)',
  usage: 'lnn train --task <lane|drone> --out <model.lnn.json> [--cell cfc|ltc|lstm] [--wiring ncp] [--epochs N]\n' +
    '          [--episodes N] [--seed S] [--threads N] [--resume ckpt] [--dagger R] [--lr X] [--cache DIR]',
  options: [
    { name: 'task', kind: 'string', value: 'task', help: 'lane (drone: not yet)', required: true },
    { name: 'out', kind: 'string', value: 'file', help: 'the trained model (lnn-model/1); checkpoints go to <file>.ckpt.json', required: true },
    { name: 'cell', kind: 'string', value: 'cell', help: 'cfc (default), ltc, or lstm (a 19-unit LSTM baseline)' },
    { name: 'wiring', kind: 'string', value: 'wiring', help: 'ncp (default; the 12/6/1 lane NCP, 19 neurons)' },
    { name: 'epochs', kind: 'int', value: 'N', help: 'training epochs (default 30)' },
    { name: 'episodes', kind: 'int', value: 'N', help: 'recorded expert episodes (default 48; 1/3 clean, 2/3 noise injection)' },
    { name: 'seed', kind: 'int', value: 'S', help: 'seed of the data, the init and the shuffle (default 0)' },
    { name: 'threads', kind: 'int', value: 'N', help: 'gradient threads (default 2)' },
    { name: 'resume', kind: 'string', value: 'ckpt', help: 'continue from a checkpoint written by an earlier run' },
    { name: 'dagger', kind: 'int', value: 'R', help: 'DAgger rounds: after a training round the learner drives and the expert labels (default 0)' },
    { name: 'dagger-episodes', kind: 'int', value: 'N', help: 'episodes per DAgger round (default 8)' },
    { name: 'round', kind: 'int', value: 'N', help: 'epochs per round: validation, checkpoint, DAgger (default 5)' },
    { name: 'lr', kind: 'number', value: 'X', help: 'peak Adam learning rate, cosine-decayed to a tenth (default 1e-3)' },
    { name: 'batch', kind: 'int', value: 'N', help: 'sequences per batch (default 20)' },
    { name: 'seq-len', kind: 'int', value: 'N', help: 'window length in control steps (default 16)' },
    { name: 'duration', kind: 'number', value: 'S', help: 'recorded episode length, sim seconds (default 20)' },
    { name: 'val-episodes', kind: 'int', value: 'N', help: 'held-out closed-loop episodes per round (default 3, seeds 800000+)' },
    { name: 'cache', kind: 'string', value: 'dir', help: 'dataset cache directory (default <tmpdir>/lnn-bc-cache; "none" disables)' },
  ],
  notes: 'Same options, same data and same model (the shuffle and the init are seeded; gradient shards are summed in order).',
};

function trainWorkerUrl(): URL | undefined {
  const u = new URL('./train-worker.mjs', import.meta.url);
  return u.protocol === 'file:' && existsSync(fileURLToPath(u)) ? u : undefined;
}

export const trainCommand: Command = {
  spec,
  async run(p, io) {
    if (p.positional.length > 0) throw usage(spec, `unexpected argument "${p.positional[0]}"`);
    const task = getString(p, 'task') as string;
    const out = getString(p, 'out') as string;
    if (task === 'drone') throw new LnnError('LNN_E_RANGE', 'lnn train --task drone is not yet implemented (the drone expert recorder exists; its training loop does not)', { field: 'task' });
    if (task !== 'lane') throw usage(spec, `--task must be lane or drone, got "${task}"`);
    const cell = getString(p, 'cell') ?? 'cfc';
    if (cell !== 'cfc' && cell !== 'ltc' && cell !== 'lstm') throw usage(spec, `--cell must be cfc, ltc or lstm, got "${cell}"`);
    const wiring = getString(p, 'wiring') ?? 'ncp';
    if (wiring !== 'ncp') throw usage(spec, `--wiring must be ncp, got "${wiring}"`);
    const pos = (name: string, def: number, min = 1): number => {
      const v = getNumber(p, name) ?? def;
      if (!(v >= min)) throw usage(spec, `--${name} must be at least ${min}, got ${v}`);
      return v;
    };
    const cacheOpt = getString(p, 'cache');
    const url = trainWorkerUrl();
    const r = await trainLane({
      cell: cell as LaneCell,
      epochs: pos('epochs', 30), episodes: pos('episodes', 48, 2), seed: pos('seed', 0, 0), threads: pos('threads', 2),
      lr: pos('lr', 1e-3, 0), batch: pos('batch', 20), seqLen: pos('seq-len', 16), roundEpochs: pos('round', 5),
      durationS: pos('duration', 20), valEpisodes: pos('val-episodes', 3), valSeed: 800000,
      dagger: pos('dagger', 0, 0), daggerEpisodes: pos('dagger-episodes', 8),
      cacheDir: cacheOpt === 'none' ? null : cacheOpt ?? join(tmpdir(), 'lnn-bc-cache'),
      checkpoint: `${out}.ckpt.json`, resume: getString(p, 'resume') ?? null,
      ...(url !== undefined ? { workerUrl: url } : {}),
      log: (s) => io.err(s),
      command: ['lnn train', ...[...p.opts].map(([k, v]) => (v === true ? `--${k}` : `--${k} ${String(v)}`))].join(' '),
    });
    writeJsonFile(out, r.doc);
    const b = r.best;
    io.out(`wrote ${out}: ${r.epochs} epochs in ${(r.seconds / 60).toFixed(1)} min` +
      (b === null ? '\n' : `; kept round ${b.round} (epoch ${b.epoch}): held-out success ${b.valSuccess.toFixed(2)}, mean |cte| ${b.valCte.toFixed(3)} m\n`));
    return 0;
  },
};
