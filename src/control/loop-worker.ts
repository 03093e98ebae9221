// The loop worker: compiles the policy in its own isolate (its own heap: the main thread's MQTT,
// JSON and panel garbage never pauses it; deploy.md §2.2), then runs the fixed-rate scheduler over
// ControlLoop.tick until the main thread sets STOP. Everything per tick goes through the shared
// bus; postMessage is used only to say ready, stopped or failed.
//
// This module starts the loop when it is loaded as a worker with workerData.role ===
// 'lnn-control-loop', so it can be its own bundle (dist/loop-worker.mjs) or ride inside the CLI
// bundle (runner.ts picks the URL).

import { readlinkSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isLnnError } from '../errors.ts';
import type { IoMapping } from '../io/types.ts';
import type { Model } from '../models/types.ts';
import { compile } from '../runtime/compile.ts';
import type { BackendName } from '../runtime/policy.ts';
import { HrClock, type Epoch } from './clock.ts';
import { ControlLoop } from './loop.ts';
import { FixedRateScheduler, type LoopMode, type SchedulerTuning } from './scheduler.ts';
import { CTL, makeLoopBus } from './transport.ts';

export const LOOP_WORKER_ROLE = 'lnn-control-loop';

export interface LoopWorkerData {
  readonly role: typeof LOOP_WORKER_ROLE;
  readonly model: Model;
  readonly backend: BackendName;
  readonly mapping: IoMapping;
  readonly sab: SharedArrayBuffer;
  readonly hz: number;
  readonly mode: LoopMode;
  readonly epoch: Epoch;
  /** hybrid margin tuning (SCHEDULER_PARAMS defaults when absent) */
  readonly tuning?: SchedulerTuning;
}

/** Messages the worker posts (never per tick). */
export type LoopWorkerMessage =
  | { readonly type: 'ready'; readonly backend: string; readonly tid: number }
  | { readonly type: 'stopped'; readonly ticks: number }
  | { readonly type: 'error'; readonly code: string | null; readonly detail: string };

/** This thread's Linux TID from /proc/thread-self → "PID/task/TID" (0 elsewhere). */
function threadId(): number {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : 0;
  } catch {
    return 0;
  }
}

export function runLoopWorker(d: LoopWorkerData, post: (m: LoopWorkerMessage) => void): void {
  const bus = makeLoopBus(d.mapping, d.sab);
  let loop: ControlLoop, backend: string;
  try {
    const policy = compile(d.model, { backend: d.backend });
    backend = policy.backend;
    loop = new ControlLoop(policy, d.mapping, bus, d.hz);
  } catch (e) {
    post({ type: 'error', code: isLnnError(e) ? e.code : null, detail: isLnnError(e) ? e.detail : String(e) });
    return;
  }
  const tid = threadId();
  Atomics.store(bus.ctl, CTL.TID, tid);
  const clock = new HrClock(d.epoch, bus.ctl, CTL.WAKE);
  const sched = new FixedRateScheduler({ ...d.tuning, hz: d.hz, mode: d.mode, clock, timing: bus.timing });
  const now = sched.now, time = loop.time;
  const tick = (): void => {
    time[0] = now[0] * 1e-9;
    time[1] = now[1];
    loop.tick();
  };
  Atomics.store(bus.ctl, CTL.READY, 1);
  post({ type: 'ready', backend, tid });
  sched.run(tick, bus.ctl, CTL.STOP);
  post({ type: 'stopped', ticks: loop.ticks });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === LOOP_WORKER_ROLE && parentPort !== null) {
  const port = parentPort;
  runLoopWorker(workerData as LoopWorkerData, (m) => port.postMessage(m));
}
