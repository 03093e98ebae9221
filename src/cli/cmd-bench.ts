import { LnnError } from '../errors.ts';
import { initWiredCfcDoc } from '../models/init.ts';
import { laneNcpWiring } from '../models/init-policies.ts';
import { loadModel } from '../models/load.ts';
import type { Model } from '../models/types.ts';
import { BACKEND_TABLE } from '../runtime/backends.ts';
import { benchAsync, benchSync, macsPerStep, timerOverheadNs, type StepStats } from '../runtime/bench.ts';
import { compile, compileAsync, parseBackend } from '../runtime/compile.ts';
import type { ConcreteBackend } from '../runtime/policy.ts';
import { getBool, getNumber, getString, usage, type CommandSpec } from './args.ts';
import { printJson, type Command } from './command.ts';
import { loadAnyModel } from './load-any.ts';

const ALL: readonly ConcreteBackend[] = ['ref', 'f32', 'fixed', 'wasm', 'ort'];

const spec: CommandSpec = {
  name: 'bench',
  summary: 'time one policy step on every backend in the same process (median, p99, p99.9)',
  usage: 'lnn bench [--model <model>] [--backends ref,f32,fixed,wasm,ort] [--steps N] [--json]',
  options: [
    { name: 'model', kind: 'string', value: 'file', help: 'model to time (default: the lane-keeping NCP, 32 inputs, CfC 12/6/1)' },
    { name: 'backends', kind: 'string', value: 'list', help: 'comma-separated backends (default: every one that can run the model)' },
    { name: 'steps', kind: 'int', value: 'N', help: 'timed steps per backend (default 20000; ort 5000)' },
    { name: 'json', kind: 'bool', help: 'print {"model", "macs_per_step", "results": [...], "skipped": [...]}' },
  ],
  notes: 'Numbers come from one run on this machine; compare ratios, not absolute times.',
};

export function defaultBenchModel(): Model {
  return loadModel(initWiredCfcDoc(laneNcpWiring(32), { seed: 1, name: 'lane-ncp-cfc-12-6-1' }));
}

export const benchCommand: Command = {
  spec,
  async run(p, io) {
    if (p.positional.length > 0) throw usage(spec, `unexpected argument "${p.positional[0]}"`);
    const file = getString(p, 'model');
    const model = file === undefined ? defaultBenchModel() : loadAnyModel(file).model;
    const listed = getString(p, 'backends');
    const wanted = listed === undefined ? ALL : listed.split(',').map((b) => {
      const name = parseBackend(b.trim());
      if (name === 'auto') throw usage(spec, '--backends takes concrete backends, not auto');
      return name;
    });
    const steps = getNumber(p, 'steps') ?? 20_000;
    if (steps < 100 || steps > 10_000_000) throw usage(spec, '--steps must be between 100 and 10000000');
    const results: StepStats[] = [];
    const skipped: { backend: ConcreteBackend; reason: string }[] = [];
    const overhead = timerOverheadNs();
    for (const b of wanted) {
      const why = BACKEND_TABLE[b].unsupported(model);
      if (why !== null) {
        if (listed !== undefined) throw new LnnError(why.code, `backend "${b}" cannot run this model: ${why.reason}`);
        skipped.push({ backend: b, reason: why.reason });
        continue;
      }
      if (!getBool(p, 'json')) io.err(`timing ${b}...\n`);
      if (BACKEND_TABLE[b].compile !== undefined) {
        results.push(benchSync(compile(model, { backend: b }), steps, overhead));
      } else {
        const ap = await compileAsync(model, { backend: b });
        results.push(await benchAsync(ap, Math.min(steps, 5_000), overhead));
        await ap.dispose();
      }
    }
    const out = { model: model.name, macs_per_step: macsPerStep(model), timer_overhead_ns: Math.round(overhead), results, skipped };
    if (getBool(p, 'json')) {
      printJson(io, out);
      return 0;
    }
    const fastest = Math.min(...results.map((r) => r.median_ns));
    io.out(`${model.name}: ${out.macs_per_step} MACs per step (timer overhead ${out.timer_overhead_ns} ns, subtracted)\n`);
    io.out(`${'backend'.padEnd(8)} ${'median ns'.padStart(10)} ${'p99 ns'.padStart(10)} ${'p99.9 ns'.padStart(10)} ${'x fastest'.padStart(10)}\n`);
    for (const r of results) {
      io.out(`${r.backend.padEnd(8)} ${r.median_ns.toFixed(0).padStart(10)} ${r.p99_ns.toFixed(0).padStart(10)} ${r.p999_ns.toFixed(0).padStart(10)} ${(r.median_ns / fastest).toFixed(1).padStart(10)}\n`);
    }
    for (const s of skipped) io.out(`${s.backend.padEnd(8)} skipped: ${s.reason}\n`);
    return 0;
  },
};
