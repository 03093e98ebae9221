// MQTT end-to-end latency: sensor publish → broker → MQTT adapter → policy.step → adapter publish →
// broker → actuator. Not a test (DESIGN.md §9): run it by hand and read the table.
//
//   npx tsx bench/mqtt-latency.ts [--n 3000] [--warmup 300] [--broker mosquitto|aedes|all] [--backend auto]
//                                 [--nodelay true|false]   (mosquitto's set_tcp_nodelay)
//
// Three processes on loopback, as on a robot: the broker (mosquitto, or the adapter's embedded
// aedes), the robot (this file with --robot: the adapter and a compiled lane policy, y = policy(x)),
// and the bench (this file: a sensor client and an actuator client on one clock). One message is in
// flight at a time; the latency of message i is the time from publishing {"t": i} on `in` to
// receiving {"t": i} on `out` (the robot passes the sensor's t through, house style 11). The `raw`
// rows replace the robot by a bare mqtt.js echo: the floor that the machine and broker set.

import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startEmbeddedBroker } from '../src/io/mqtt/embedded.ts';
import { makeMqttIo } from '../src/io/mqtt/index.ts';
import type { IoMapping, SampleSink } from '../src/io/types.ts';
import { initWiredCfcDoc } from '../src/models/init.ts';
import { initLanePolicyDoc, laneNcpWiring } from '../src/models/init-policies.ts';
import { loadModel } from '../src/models/load.ts';
import { compile, parseBackend } from '../src/runtime/compile.ts';
import { findMosquitto, startMosquitto } from '../test/helpers/broker.ts';

type ModelKind = 'raw' | 'ncp32' | 'camera';
const MODELS: Record<ModelKind, string> = {
  raw: 'baseline: bare mqtt.js echo, no adapter, no policy, 32 values in',
  ncp32: 'lane NCP 12/6/1 CfC, 32 features in',
  camera: 'lane camera policy (16×64 px → conv → NCP), 1024 values in',
};

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : dflt;
}

function mapping(inputSize: number, outputSize: number): IoMapping {
  return {
    inputs: [{ name: 'x', topic: '', size: inputSize, offset: 0, min: -1e9, max: 1e9, mean: 0, std: 1, maxAgeS: 1 }],
    outputs: [{ name: 'y', topic: '', size: outputSize, offset: 0, scale: 1, bias: 0, min: -1e9, max: 1e9, ratePerS: Infinity, failsafe: 0 }],
    inputSize, outputSize, watchdogS: 1, autoArm: true, robotId: 'bench',
  };
}

const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;

// ---- the robot process: adapter + policy ----

/** The baseline robot: the same hops with a bare mqtt.js client, to tell the adapter's cost from the machine's. */
async function rawEcho(url: string): Promise<void> {
  const broker = url === 'embedded' ? await startEmbeddedBroker('127.0.0.1', 0) : null;
  const { connectAsync } = await import('mqtt');
  const c = await connectAsync(broker?.url ?? url, { clientId: 'bench-raw' });
  (c.stream as Socket).setNoDelay(true);
  c.on('message', (_topic, payload) => {
    const t = (JSON.parse(payload.toString()) as { t: number }).t;
    c.publish('lnn/bench/out', `{"t":${t},"seq":0,"y":[0]}`, { qos: 0 });
  });
  await c.subscribeAsync('lnn/bench/in', { qos: 0 });
  process.stdout.write(`${JSON.stringify({ url: broker?.url ?? url, backend: '–', inputSize: 32 })}\n`);
  process.stdin.resume();
  process.stdin.once('end', () => {
    process.stdout.write(`${JSON.stringify({ stepP50Us: 0, stepP99Us: 0 })}\n`);
    void c.endAsync().then(() => broker?.close()).then(() => process.exit(0));
  });
}

async function robot(url: string, kind: ModelKind): Promise<void> {
  if (kind === 'raw') return rawEcho(url);
  const doc = kind === 'ncp32' ? initWiredCfcDoc(laneNcpWiring(32), { seed: 1 }) : initLanePolicyDoc({ seed: 1 });
  const policy = compile(loadModel(doc), { backend: parseBackend(arg('backend', 'auto')) });
  const x = new Float64Array(policy.inputSize);
  const y = new Float64Array(policy.outputSize);
  const io = makeMqttIo(url === 'embedded' ? null : url, mapping(policy.inputSize, policy.outputSize), { port: 0, robotId: 'bench' });
  const stepNs: number[] = [];
  let seq = 0;
  const sink: SampleSink = {
    push(tS, values) {
      for (let i = 0; i < x.length; i++) x[i] = values[i] as number;
      const t0 = process.hrtime.bigint();
      policy.step(x, 0.05, y);
      stepNs.push(Number(process.hrtime.bigint() - t0));
      io.output.write(y, tS, seq++);
      return true;
    },
    command() {},
  };
  await io.output.start();
  await io.input.start(sink);
  process.stdout.write(`${JSON.stringify({ url: io.url, backend: policy.backend, inputSize: policy.inputSize })}\n`);
  // The bench closes our stdin when it is done: report the step times and leave.
  process.stdin.resume();
  process.stdin.once('end', () => {
    const s = stepNs.slice(Number(arg('warmup', '300'))).sort((a, b) => a - b);
    process.stdout.write(`${JSON.stringify({ stepP50Us: pct(s, 0.5) / 1e3, stepP99Us: pct(s, 0.99) / 1e3, input: io.input.counters, output: io.output.counters })}\n`);
    void io.close().then(() => process.exit(0));
  });
}

// ---- the bench process: sensor + actuator clients ----

interface Row { broker: string; model: ModelKind; backend: string; n: number; p50: number; p99: number; p999: number; max: number; stepP50Us: number; stepP99Us: number }

async function measure(broker: 'mosquitto' | 'aedes', kind: ModelKind, n: number, warmup: number): Promise<Row> {
  const mosq = broker === 'mosquitto' ? await startMosquitto({ nodelay: arg('nodelay', 'true') === 'true' }) : null;
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--robot', mosq?.url ?? 'embedded', kind, '--backend', arg('backend', 'auto'), '--warmup', String(warmup)],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = JSON.parse((await lines.next()).value as string) as { url: string; backend: string; inputSize: number };

  const { connectAsync } = await import('mqtt');
  const sensor = await connectAsync(ready.url, { clientId: 'bench-sensor' });
  const actuator = await connectAsync(ready.url, { clientId: 'bench-actuator' });
  let waiting: { t: number; resolve: () => void } | null = null;
  actuator.on('message', (_topic, payload) => {
    const t = (JSON.parse(payload.toString()) as { t: number }).t;
    if (waiting !== null && t === waiting.t) waiting.resolve();
  });
  for (const c of [sensor, actuator]) (c.stream as Socket).setNoDelay(true);
  await actuator.subscribeAsync('lnn/bench/out', { qos: 0 });

  // Payloads built up front: the sensor's own JSON encoding is not the pipeline's cost.
  const total = warmup + n;
  const payloads: string[] = [];
  for (let i = 0; i < total; i++) payloads.push(JSON.stringify({ t: i, x: Array.from({ length: ready.inputSize }, () => Math.round(Math.random() * 1e4) / 1e4) }));
  const ns: number[] = [];
  for (let i = 0; i < total; i++) {
    const got = new Promise<void>((resolve) => { waiting = { t: i, resolve }; });
    const t0 = process.hrtime.bigint();
    sensor.publish('lnn/bench/in', payloads[i] as string, { qos: 0 });
    await got;
    if (i >= warmup) ns.push(Number(process.hrtime.bigint() - t0));
  }

  child.stdin.end();
  const report = JSON.parse((await lines.next()).value as string) as { stepP50Us: number; stepP99Us: number };
  await Promise.all([sensor.endAsync(), actuator.endAsync()]);
  await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
  await mosq?.stop();
  ns.sort((a, b) => a - b);
  return {
    broker: broker === 'mosquitto' ? 'mosquitto (own process)' : 'aedes (in the robot process)', model: kind, backend: ready.backend, n,
    p50: pct(ns, 0.5) / 1e3, p99: pct(ns, 0.99) / 1e3, p999: pct(ns, 0.999) / 1e3, max: (ns[ns.length - 1] as number) / 1e3, ...report,
  };
}

async function main(): Promise<void> {
  const n = Number(arg('n', '3000'));
  const warmup = Number(arg('warmup', '300'));
  const which = arg('broker', 'all');
  const brokers = (which === 'all' ? ['mosquitto', 'aedes'] : [which]) as ('mosquitto' | 'aedes')[];
  if (brokers.includes('mosquitto') && findMosquitto() === null) throw new Error('mosquitto is not installed: apt-get install -y mosquitto mosquitto-clients');
  const rows: Row[] = [];
  for (const b of brokers) for (const m of Object.keys(MODELS) as ModelKind[]) rows.push(await measure(b, m, n, warmup));
  const f = (v: number): string => v.toFixed(0);
  console.log(`MQTT sensor → policy → actuator, loopback, QoS 0, one message in flight, ${n} timed after ${warmup} warm-up (µs)\n`);
  console.log('| broker | model | backend | p50 | p99 | p99.9 | max | policy.step p50 / p99 |');
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const step = r.model === 'raw' ? '–' : `${r.stepP50Us.toFixed(1)} / ${r.stepP99Us.toFixed(1)}`;
    console.log(`| ${r.broker} | ${MODELS[r.model]} | ${r.backend} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.p999)} | ${f(r.max)} | ${step} |`);
  }
  const worst = Math.max(...rows.filter((r) => r.model !== 'raw').map((r) => r.p99));
  console.log(`\nworst p99 ${(worst / 1e3).toFixed(2)} ms (target ≤ 3 ms): ${worst <= 3000 ? 'met' : 'NOT met'}`);
}

if (process.argv[2] === '--robot') await robot(process.argv[3] as string, process.argv[4] as ModelKind);
else await main();
