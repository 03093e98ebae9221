// The control loop at 1 kHz in its worker thread, `spin` then `hybrid`, 10 s each (DESIGN.md §9:
// p99 period error ≤ 100 µs spinning; ≤ 1 ms sleep-then-spin at ≤ 20 % of a core). Runs the real
// path: lane-sized NCP CfC (32 inputs, 19 neurons, wasm), samples pushed from the main thread at
// 100 Hz, outputs delivered to a sink. Not part of the tests. Usage:
//   npx tsx bench/loop.ts [--hz 1000] [--seconds 10] [--modes spin,hybrid] [--backend wasm]
//                         [--margin-quantile Q]   (hybrid margin: quantile of the wait overshoot)
// The machine is shared: read p50/p99 and CPU, and treat max as environmental (deploy.md §2.1).

import { cpus, loadavg } from 'node:os';
import { defaultMapping } from '../src/control/mapping.ts';
import { runRealtime } from '../src/control/run-realtime.ts';
import type { LoopMode } from '../src/control/scheduler.ts';
import type { ActuatorSink, IoAdapter, IoCounters, SampleSink, SensorSource } from '../src/io/types.ts';
import { initWiredCfcDoc } from '../src/models/init.ts';
import { laneNcpWiring } from '../src/models/init-policies.ts';
import { loadModel } from '../src/models/load.ts';
import { parseBackend } from '../src/runtime/compile.ts';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : dflt;
}

const hz = Number(arg('hz', '1000'));
const seconds = Number(arg('seconds', '10'));
const modes = arg('modes', 'spin,hybrid').split(',') as LoopMode[];
const backend = parseBackend(arg('backend', 'wasm'));
const quantile = process.argv.includes('--margin-quantile') ? Number(arg('margin-quantile', '0.99')) : undefined;
const model = loadModel(initWiredCfcDoc(laneNcpWiring(32), { seed: 1, name: 'lane-ncp-bench' }));
const mapping = defaultMapping(model, { autoArm: true });

function counters(): IoCounters {
  return { received: 0, dropped: 0, malformed: 0 };
}

/** A sensor at 100 Hz from a main-thread timer, and a sink that only counts. */
function fakeIo(): IoAdapter & { writes: () => number } {
  let timer: NodeJS.Timeout | undefined;
  let writes = 0;
  const x = new Float64Array(model.inputSize);
  const source: SensorSource = {
    name: 'bench-in', counters: counters(),
    async start(sink: SampleSink) {
      let k = 0;
      timer = setInterval(() => { k++; for (let i = 0; i < x.length; i++) x[i] = Math.sin(k * 0.01 + i); sink.push(k * 0.01, x); }, 10);
    },
    async stop() { clearInterval(timer); },
  };
  const sink: ActuatorSink = {
    name: 'bench-out', counters: counters(),
    async start() {}, write() { writes++; }, failsafe() {}, async stop() {},
  };
  return { name: 'bench', sources: [source], sinks: [sink], writes: () => writes };
}

const rows: string[] = [];
process.stderr.write(`loop bench: ${hz} Hz × ${seconds} s, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}\n`);
for (const mode of modes) {
  const io = fakeIo();
  const s = await runRealtime({
    model, backend, mapping, io, hz, mode, durationS: seconds, statusEveryS: 5, log: (l) => process.stderr.write(`  ${l}\n`),
    ...(quantile === undefined ? {} : { tuning: { marginQuantile: quantile } }),
  });
  const st = s.status;
  const t = s.timing;
  rows.push(`| ${mode} | ${st.achievedHz} | ${st.periodErrP50Us} | ${st.periodErrP99Us} | ${st.periodErrMaxUs} | ${t?.lateP50Us} / ${t?.lateP99Us} | ${st.deadlineMisses} | ${t?.tickP50Us} / ${st.tickP99Us} | ${st.cpuPct} | ${mode === 'hybrid' ? t?.marginUs : '–'} | ${s.backend} | ${io.writes()} |`);
}
process.stdout.write([
  `| mode | achieved Hz | period error p50 µs | p99 µs | max µs | lateness p50 / p99 µs | misses | tick p50 / p99 µs | CPU % of a core (loop thread) | spin margin µs | backend | outputs delivered |`,
  `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |`,
  ...rows,
].join('\n') + '\n');
process.stderr.write(`load after: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (percentiles are bin upper edges: 0.5 µs bins below 2 ms)\n`);
