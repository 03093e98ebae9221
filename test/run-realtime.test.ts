// The real-time runner with its worker thread, against an in-memory adapter: samples in through
// the SampleSink, outputs out to the sink, commands (arm, e-stop) through the adapter, status to
// the sink, failsafe at shutdown. Nothing here asserts on timing.
import { describe, expect, it } from 'vitest';
import { defaultMapping } from '../src/control/mapping.ts';
import { runRealtime } from '../src/control/run-realtime.ts';
import type { ActuatorSink, IoAdapter, IoCounters, LoopCommand, LoopStatus, SampleSink, SensorSource } from '../src/io/types.ts';
import { laneCfc } from './helpers/models.ts';

const model = laneCfc();

function counters(): IoCounters {
  return { received: 0, dropped: 0, malformed: 0 };
}

/** A sensor at 100 Hz (a timer), commands sent at given sample counts, a sink that records. */
function memoryIo(commands: Record<number, LoopCommand> = {}) {
  let timer: NodeJS.Timeout | undefined;
  const log = { writes: [] as number[], failsafes: 0, statuses: [] as LoopStatus[], stopped: [] as string[], lastSeq: 0 };
  const x = new Float64Array(model.inputSize);
  const source: SensorSource = {
    name: 'memory-in', counters: counters(),
    async start(sink: SampleSink) {
      let k = 0;
      timer = setInterval(() => {
        k++;
        for (let i = 0; i < x.length; i++) x[i] = Math.sin(0.05 * k + i);
        sink.push(k * 0.01, x);
        const c = commands[k];
        if (c !== undefined) sink.command(c);
      }, 10);
    },
    async stop() { clearInterval(timer); log.stopped.push('source'); },
  };
  const sink: ActuatorSink = {
    name: 'memory-out', counters: counters(),
    async start() {},
    write(y, _tS, seq) { log.writes.push(y[0] as number); log.lastSeq = seq; },
    failsafe() { log.failsafes++; },
    status(s) { log.statuses.push(s); },
    async stop() { log.stopped.push('sink'); },
  };
  const io: IoAdapter = { name: 'memory', sources: [source], sinks: [sink], async close() { log.stopped.push('close'); } };
  return { io, log };
}

describe('runRealtime (worker thread)', () => {
  it('ticks in a worker, delivers outputs, publishes status, and fails safe at shutdown', async () => {
    const { io, log } = memoryIo({ 20: 'arm' });
    const lines: string[] = [];
    const s = await runRealtime({
      model, backend: 'f32', mapping: defaultMapping(model), io, hz: 200, mode: 'hybrid',
      durationS: 1.5, statusEveryS: 0.5, log: (l) => lines.push(l),
    });
    expect(s.endReason).toBe('duration');
    expect(s.backend).toBe('f32');
    expect(s.status.ticks).toBeGreaterThan(0);
    expect(s.status.state).toBe('armed');
    expect(log.writes.length).toBeGreaterThan(0);
    expect(log.writes.every((v) => Number.isFinite(v))).toBe(true);
    expect(log.writes.some((v) => v !== 0)).toBe(true); // armed: policy outputs, not only failsafe 0
    expect(log.statuses.length).toBeGreaterThan(0);
    expect(lines.some((l) => /^run: (armed|disarmed)/.test(l))).toBe(true);
    expect(s.status.inputs.received).toBeGreaterThan(10);
    expect(s.status.outputs.received).toBe(log.writes.length);
    expect(log.failsafes).toBeGreaterThanOrEqual(1);
    expect(log.stopped).toEqual(['source', 'sink', 'close']);
  });

  it('an e-stop from the adapter latches; the summary says why', async () => {
    const { io, log } = memoryIo({ 10: 'arm', 40: 'estop', 60: 'arm' });
    const s = await runRealtime({ model, backend: 'f32', mapping: defaultMapping(model), io, hz: 200, mode: 'hybrid', durationS: 1.2, log: () => {} });
    expect(s.status.state).toBe('estop');
    expect(s.status.reason).toMatch(/e-stop/);
    expect(log.writes.at(-1)).toBe(0); // the failsafe value
  });

  it('stops on an abort signal (SIGINT/SIGTERM path)', async () => {
    const { io } = memoryIo();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const s = await runRealtime({ model, backend: 'f32', mapping: defaultMapping(model), io, hz: 100, mode: 'spin', log: () => {}, signal: ac.signal });
    expect(s.endReason).toBe('signal');
    expect(s.status.state).toBe('disarmed'); // never armed: no autoArm in the default mapping
  });

  it('an adapter that cannot start is an error, and the worker is stopped', async () => {
    const { io } = memoryIo();
    const broken: IoAdapter = { ...io, sources: [{ ...io.sources[0]!, async start() { throw new Error('no broker'); } }] };
    await expect(runRealtime({ model, backend: 'f32', mapping: defaultMapping(model), io: broken, hz: 100, mode: 'hybrid', durationS: 5, log: () => {} }))
      .rejects.toThrow('no broker');
  });
});
