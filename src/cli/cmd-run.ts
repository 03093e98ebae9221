// `lnn run`: deploy a policy on a robot (mqtt, ros2, board) or a simulated one (sim:lane, sim:drone). Thin:
// it reads options, builds the adapter and hands over to src/control's runners. Status lines go to
// stderr every 2 s; the summary goes to stdout (one JSON object with --json). Exit codes:
// 0 ran to --duration, stopped by SIGINT/SIGTERM, or the simulated episode ended; 2 a user error
// (options, model, mapping, an IO kind or package that is not available, no connection at start);
// 3 the control loop died while running (actuators were sent to failsafe); 1 an internal error.

import { readMappingFile, checkMapping, defaultMapping } from '../control/mapping.ts';
import { runLockstep } from '../control/run-lockstep.ts';
import { runRealtime } from '../control/run-realtime.ts';
import type { RunSummary } from '../control/run-common.ts';
import { LOOP_MODES, type LoopMode } from '../control/scheduler.ts';
import { LnnError } from '../errors.ts';
import { makeSimDroneIo } from '../io/sim/drone.ts';
import { makeSimLaneIo, type LaneOutputKind } from '../io/sim/lane.ts';
import type { LockstepIo } from '../io/sim/lockstep.ts';
import type { IoAdapter, IoMapping } from '../io/types.ts';
import type { Model } from '../models/types.ts';
import { compile, parseBackend } from '../runtime/compile.ts';
import { getBool, getNumber, getString, usage, type CommandSpec, type Parsed } from './args.ts';
import { printJson, type CliIo, type Command } from './command.ts';
import { loadAnyModel } from './load-any.ts';

/** Exit code when the control loop died while running. */
export const EXIT_LOOP_DIED = 3;
/** Defaults: the robot loop rate; sim seconds of a lockstep run without --duration. */
const DEFAULT_HZ = 100;
const DEFAULT_SIM_DURATION_S = 60;

const spec: CommandSpec = {
  name: 'run',
  summary: 'run a policy in a fixed-rate control loop against a robot or the simulator',
  usage: 'lnn run --model <model> --io <sim:lane|sim:drone|mqtt[://host:port]|ros2|board:<port>>\n' +
    '        [--backend B] [--hz N] [--duration S] [--mapping file.json] [--mode hybrid|spin]\n' +
    '        [--record <file.mcap>] [--panel=<port>] [--adapt] [--seed S] [--perturb k=v,...] [--json]',
  options: [
    { name: 'model', kind: 'string', value: 'file', help: 'an lnn-model/1 file or an ncps export', required: true },
    { name: 'io', kind: 'string', value: 'kind', help: 'sim:lane, sim:drone, mqtt (embedded broker), mqtt://host:port, ros2, board:<port> (serial port or exec:<cmd>)', required: true },
    { name: 'backend', kind: 'string', value: 'name', help: 'ref, f32, fixed, wasm or auto (default auto)' },
    { name: 'hz', kind: 'number', value: 'N', help: `loop rate (default ${DEFAULT_HZ}; sim:*: the task's control rate)` },
    { name: 'duration', kind: 'number', value: 'S', help: `stop after S seconds (sim seconds for sim:*, default ${DEFAULT_SIM_DURATION_S}; else until SIGINT/SIGTERM)` },
    { name: 'mapping', kind: 'string', value: 'file.json', help: 'lnn-mapping/1 config: fields, ranges, failsafe values (docs/run.md)' },
    { name: 'mode', kind: 'string', value: 'mode', help: 'scheduler: hybrid (sleep, then spin; default) or spin (a whole core)' },
    { name: 'record', kind: 'string', value: 'file.mcap', help: 'record inputs, outputs and state (not built yet)' },
    { name: 'panel', kind: 'string', value: 'port', help: 'telemetry web panel on 127.0.0.1:<port> (not built yet)' },
    { name: 'adapt', kind: 'bool', help: 'on-device adaptation (not built yet)' },
    { name: 'seed', kind: 'int', value: 'S', help: 'sim:* world seed (default 0)' },
    { name: 'perturb', kind: 'string', value: 'list', help: 'sim:* perturbations key=value[@start_s],... (see lnn eval --help)' },
    { name: 'json', kind: 'bool', help: 'print the run summary as one JSON object' },
  ],
  notes: 'Exit codes: 0 done (duration, signal, end of episode); 2 user error; 3 the control loop died; 1 internal error.\n' +
    'Status lines (state, rate, period error p50/p99/max, misses, CPU, counters) go to stderr every 2 s.\n',
};

type IoSpec =
  | { readonly kind: 'sim'; readonly world: string }
  | { readonly kind: 'mqtt'; readonly url: string | null }
  | { readonly kind: 'ros2' }
  | { readonly kind: 'board'; readonly port: string };

function parseIo(text: string): IoSpec {
  if (text.startsWith('sim:')) return { kind: 'sim', world: text.slice(4) };
  if (text === 'mqtt') return { kind: 'mqtt', url: null };
  if (/^(mqtt|mqtts|tcp|tls|ssl|ws|wss):\/\//.test(text)) return { kind: 'mqtt', url: text };
  if (text === 'ros2') return { kind: 'ros2' };
  if (text.startsWith('board:') && text.length > 6) return { kind: 'board', port: text.slice(6) };
  throw usage(spec, `unknown --io "${text}" (expected sim:lane, sim:drone, mqtt, mqtt://host:port, ros2 or board:<port>)`);
}

function notBuilt(what: string): LnnError {
  return new LnnError('LNN_E_USAGE', `${what} is not available in this version of lnn-edge yet`);
}

function readOptions(p: Parsed): { hz: number | undefined; durationS: number | undefined; mode: LoopMode } {
  const hz = getNumber(p, 'hz');
  if (hz !== undefined && !(hz > 0 && hz <= 10_000)) throw usage(spec, `--hz must be in (0, 10000], got ${hz}`);
  const durationS = getNumber(p, 'duration');
  if (durationS !== undefined && !(durationS > 0)) throw usage(spec, `--duration must be positive, got ${durationS}`);
  const mode = getString(p, 'mode') ?? 'hybrid';
  if (!(LOOP_MODES as readonly string[]).includes(mode)) throw usage(spec, `--mode must be one of ${LOOP_MODES.join(', ')}, got "${mode}"`);
  if (getString(p, 'record') !== undefined) throw notBuilt('--record (MCAP recording, src/io/mcap)');
  if (getString(p, 'panel') !== undefined) throw notBuilt('--panel (the telemetry panel)');
  if (getBool(p, 'adapt')) throw notBuilt('--adapt (on-device adaptation)');
  return { hz, durationS, mode: mode as LoopMode };
}

function userMapping(p: Parsed, model: Model): IoMapping | undefined {
  const file = getString(p, 'mapping');
  if (file === undefined) return undefined;
  const m = readMappingFile(file);
  checkMapping(m, model, file);
  return m;
}

async function makeIo(io: IoSpec, mapping: IoMapping, log: (l: string) => void): Promise<IoAdapter> {
  switch (io.kind) {
    // Each adapter imports its optional package (mqtt/aedes, rclnodejs, johnny-five) lazily when it
    // starts, and names the package in an LNN_E_INSTALL error when it is missing.
    case 'mqtt': {
      const mod = await import('../io/mqtt/index.ts');
      return mod.makeMqttIo(io.url, mapping, { log });
    }
    case 'ros2': {
      const mod = await import('../io/ros2/index.ts');
      return mod.makeRos2Io(mapping, { log });
    }
    case 'board': {
      const mod = await import('../io/board/index.ts');
      return mod.makeBoardIo(io.port, mapping, { log });
    }
    case 'sim': throw new LnnError('LNN_E_INTERNAL', 'sim IO is run in lockstep');
  }
}

function printSummary(io: CliIo, s: RunSummary, json: boolean): void {
  const out = {
    io: s.io, backend: s.backend, hz: s.hz, mode: s.mode, end: s.endReason, wall_seconds: Math.round(s.wallS * 1000) / 1000,
    state: s.status.state, reason: s.status.reason, ticks: s.status.ticks, loop_seconds: s.status.tS,
    achieved_hz: s.status.achievedHz, period_err_p50_us: s.status.periodErrP50Us, period_err_p99_us: s.status.periodErrP99Us,
    period_err_max_us: s.status.periodErrMaxUs, deadline_misses: s.status.deadlineMisses, tick_p99_us: s.status.tickP99Us,
    cpu_pct: s.status.cpuPct, rejected: s.status.rejected, inputs: s.status.inputs, outputs: s.status.outputs,
    ...(s.task === undefined ? {} : { task: s.task }),
  };
  if (json) printJson(io, out);
  else for (const [k, v] of Object.entries(out)) io.out(`${k.padEnd(20)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}\n`);
}

export const runCommand: Command = {
  spec,
  async run(p, cli) {
    const io = parseIo(getString(p, 'io') as string);
    const { hz, durationS, mode } = readOptions(p);
    if (io.kind !== 'sim' && (getNumber(p, 'seed') !== undefined || getString(p, 'perturb') !== undefined)) {
      throw usage(spec, '--seed and --perturb apply to --io sim:* only');
    }
    const { model } = loadAnyModel(getString(p, 'model') as string);
    const backend = parseBackend(getString(p, 'backend') ?? 'auto');
    const policy = compile(model, { backend }); // fails early, on this thread, with the backend's own error
    const log = (line: string): void => cli.err(`${line}\n`);
    const ac = new AbortController();
    const onSignal = (sig: string): void => { log(`run: ${sig}: stopping (actuators to failsafe)`); ac.abort(); };
    const onInt = (): void => onSignal('SIGINT'), onTerm = (): void => onSignal('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    try {
      let summary: RunSummary;
      if (io.kind === 'sim') {
        const mapping = userMapping(p, model);
        const common = { seed: getNumber(p, 'seed') ?? 0, perturb: getString(p, 'perturb') ?? '', ...(hz === undefined ? {} : { hz }), ...(mapping === undefined ? {} : { mapping }) };
        let sim: LockstepIo;
        if (io.world === 'lane') {
          const meta = model.meta as Record<string, unknown>;
          const output: LaneOutputKind = meta.output === 'curvature_1pm' ? 'curvature_1pm' : 'steer_rad';
          sim = makeSimLaneIo({ ...common, output });
        } else if (io.world === 'drone') {
          sim = makeSimDroneIo(common);
        } else {
          throw usage(spec, `unknown simulated robot "sim:${io.world}" (expected sim:lane or sim:drone)`);
        }
        checkMapping(sim.mapping, model);
        summary = await runLockstep({ policy, io: sim, durationS: durationS ?? DEFAULT_SIM_DURATION_S, log, signal: ac.signal });
      } else {
        const mapping = userMapping(p, model) ?? defaultMapping(model);
        if (getString(p, 'mapping') === undefined) log('run: no --mapping: one input field x, one output field y, outputs not clamped (see docs/run.md)');
        const adapter = await makeIo(io, mapping, log);
        summary = await runRealtime({
          model, backend, mapping, io: adapter, hz: hz ?? DEFAULT_HZ, mode, log, signal: ac.signal,
          ...(durationS === undefined ? {} : { durationS }),
        });
      }
      printSummary(cli, summary, getBool(p, 'json'));
      return summary.endReason === 'loop_died' ? EXIT_LOOP_DIED : 0;
    } finally {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    }
  },
};
