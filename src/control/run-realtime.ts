// The real-time runner (mqtt, ros2, boards): the loop ticks in a worker thread at a fixed rate;
// the main thread keeps the adapters, copies their samples into shared memory, delivers outputs
// (woken by Atomics.waitAsync on the output sequence: no postMessage per tick), logs status, and
// watches the loop: if its tick count stalls, the actuators go to failsafe from here.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, LnnError, type ErrorCode } from '../errors.ts';
import type { IoAdapter, IoMapping } from '../io/types.ts';
import type { Model } from '../models/types.ts';
import type { BackendName } from '../runtime/policy.ts';
import { makeEpoch, monoS } from './clock.ts';
import { LOOP_WORKER_ROLE, type LoopWorkerData, type LoopWorkerMessage } from './loop-worker.ts';
import { OutputPump, safeFailsafe, startIo, stopIo, type EndReason, type RunSummary } from './run-common.ts';
import { histQuantileUs } from './histogram.ts';
import { TIMING, type LoopMode, type SchedulerTuning } from './scheduler.ts';
import { formatStatus, StatusReader, threadCpuNs } from './status.ts';
import { CTL, InputWriter, makeLoopBus, requestStop, STATUS } from './transport.ts';

export interface RealtimeRunOptions {
  readonly model: Model;
  readonly backend: BackendName;
  readonly mapping: IoMapping;
  readonly io: IoAdapter;
  readonly hz: number;
  readonly mode: LoopMode;
  /** wall seconds; undefined = until a signal */
  readonly durationS?: number;
  /** a status line every this many seconds (default 2) */
  readonly statusEveryS?: number;
  /** failsafe the actuators when no tick happened for this long (default max(0.25 s, 10 periods)) */
  readonly loopWatchdogS?: number;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  readonly workerUrl?: URL;
  /** hybrid margin tuning (defaults: SCHEDULER_PARAMS) */
  readonly tuning?: SchedulerTuning;
}

/**
 * The loop worker's module: dist/loop-worker.mjs beside the CLI bundle if the build made one,
 * else the bundle itself (it contains loop-worker.ts, which starts on its workerData role),
 * else, from sources, the tsx bootstrap.
 */
export function loopWorkerUrl(): URL {
  const here = import.meta.url;
  const beside = new URL('./loop-worker.mjs', here);
  if (beside.protocol === 'file:' && existsSync(fileURLToPath(beside))) return beside;
  if (/\.(mjs|js|cjs)$/.test(here)) return new URL(here);
  return new URL('./loop-worker-tsx.mjs', here);
}

type WaitAsync = (a: Int32Array, i: number, v: number, t: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export async function runRealtime(o: RealtimeRunOptions): Promise<RunSummary> {
  const { mapping: m, io, log } = o;
  const epoch = makeEpoch();
  const bus = makeLoopBus(m);
  const writer = new InputWriter(bus, m, () => monoS(epoch));
  const data: LoopWorkerData = { role: LOOP_WORKER_ROLE, model: o.model, backend: o.backend, mapping: m, sab: bus.sab, hz: o.hz, mode: o.mode, epoch, ...(o.tuning === undefined ? {} : { tuning: o.tuning }) };
  const worker = new Worker(o.workerUrl ?? loopWorkerUrl(), { workerData: data });
  let died: string | null = null;
  const exited = new Promise<void>((resolve) => {
    worker.on('error', (e) => { died = e.message; resolve(); });
    worker.on('exit', () => resolve());
  });
  const ready = await new Promise<Extract<LoopWorkerMessage, { type: 'ready' }>>((resolve, reject) => {
    worker.on('message', (msg: LoopWorkerMessage) => {
      if (msg.type === 'ready') resolve(msg);
      else if (msg.type === 'error') {
        const code = msg.code !== null && msg.code in ERROR_CODES ? (msg.code as ErrorCode) : 'LNN_E_INTERNAL';
        reject(new LnnError(code, `control loop worker: ${msg.detail}`));
      }
    });
    void exited.then(() => reject(new LnnError('LNN_E_INTERNAL', `control loop worker exited before it was ready${died === null ? '' : `: ${died}`}`)));
  });

  const pump = new OutputPump(bus, io.sinks, log);
  const tid = ready.tid;
  const reader = new StatusReader({
    bus, mapping: m, hz: o.hz, inputs: writer.counters, outputs: pump.counters,
    cpuNs: () => (tid > 0 ? threadCpuNs(tid) : null), wallS: () => monoS(epoch),
  });
  const t0 = monoS(epoch);
  let stopping = false;
  try {
    await startIo(io, writer, log);
  } catch (e) {
    requestStop(bus);
    await exited;
    throw e;
  }
  log(`run: ${io.name} up; loop ${o.hz} Hz ${o.mode} in a worker, backend ${ready.backend}`);

  // outputs: wake on every new output sequence (200 ms timeout so a stop is noticed)
  const pumping = (async () => {
    while (!stopping) {
      const r = waitAsync(bus.ctl, CTL.OUT_SEQ, pump.seq, 200);
      if (r.async) await r.value;
      pump.deliver();
    }
  })();

  // status lines, and the loop watchdog (checked 10× per watchdog period)
  const watchdogS = o.loopWatchdogS ?? Math.max(0.25, 10 / o.hz);
  let lastTicks = -1, lastTickWallS = t0, stalled = false;
  const watch = setInterval(() => {
    const ticks = bus.status[STATUS.TICKS], now = monoS(epoch);
    if (ticks !== lastTicks) {
      if (stalled) log('run: control loop ticking again');
      lastTicks = ticks; lastTickWallS = now; stalled = false;
    } else if (!stalled && now - lastTickWallS > watchdogS) {
      stalled = true;
      log(`run: control loop stalled for ${(now - lastTickWallS).toFixed(2)} s: actuators to failsafe`);
      for (const s of io.sinks) safeFailsafe(s, log);
    }
  }, Math.max(10, (watchdogS * 1000) / 10));
  const statusTimer = setInterval(() => {
    const s = reader.read();
    log(formatStatus(s));
    for (const sink of io.sinks) {
      try { sink.status?.(s); } catch (e) { log(`run: ${sink.name}: status failed: ${e instanceof Error ? e.message : String(e)}`); }
    }
  }, (o.statusEveryS ?? 2) * 1000);

  let endReason = 'duration' as EndReason;
  await new Promise<void>((resolve) => {
    const timer = o.durationS === undefined ? undefined : setTimeout(resolve, o.durationS * 1000);
    const onAbort = (): void => { endReason = 'signal'; resolve(); };
    if (o.signal?.aborted === true) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then(() => { if (!stopping) endReason = 'loop_died'; resolve(); });
    void exited.finally(() => clearTimeout(timer));
  });
  // shutdown: stop the loop, then actuators to failsafe and adapters down. The summary is read
  // first: once the worker thread has gone, its /proc CPU entry has too.
  stopping = true;
  clearInterval(watch);
  clearInterval(statusTimer);
  const status = reader.read(true);
  const tm = bus.timing;
  const timing = {
    tickP50Us: histQuantileUs(tm, TIMING.TICK, 0.5), lateP50Us: histQuantileUs(tm, TIMING.LATE, 0.5),
    lateP99Us: histQuantileUs(tm, TIMING.LATE, 0.99), marginUs: tm[TIMING.MARGIN_US],
  };
  requestStop(bus);
  const timeout = setTimeout(() => { void worker.terminate(); }, 1000);
  await exited;
  clearTimeout(timeout);
  await pumping;
  await stopIo(io, log);
  // the counters as they ended (the pump and the sources may have moved after the status read)
  status.inputs = { ...writer.counters };
  status.outputs = { ...pump.counters };
  if (endReason === 'loop_died') log(`run: the control loop worker died${died === null ? '' : `: ${died}`}`);
  return {
    io: io.name, backend: ready.backend, hz: o.hz, mode: o.mode, endReason,
    wallS: monoS(epoch) - t0, status, timing,
  };
}
