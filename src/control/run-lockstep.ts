// The lockstep runner (`--io sim:*`): no wall clock and no worker. Each `advance()` moves the
// simulation one control period; inside it the simulator pushes its sensor samples and calls
// onTick, where the same ControlLoop as on a robot ticks over the same shared-memory bus, and its
// output reaches the simulated actuators before the physics goes on. Loop time = sim time.

import type { LockstepIo } from '../io/sim/lockstep.ts';
import type { Policy } from '../runtime/policy.ts';
import { makeEpoch, monoS } from './clock.ts';
import { histAdd } from './histogram.ts';
import { ControlLoop } from './loop.ts';
import { OutputPump, startIo, stopIo, type EndReason, type RunSummary } from './run-common.ts';
import { TIMING } from './scheduler.ts';
import { formatStatus, processCpuNs, StatusReader } from './status.ts';
import { InputWriter, makeLoopBus } from './transport.ts';

export interface LockstepRunOptions {
  readonly policy: Policy;
  readonly io: LockstepIo;
  /** sim seconds to run */
  readonly durationS: number;
  /** a status line every this many wall seconds (default 2) */
  readonly statusEveryS?: number;
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Wall time between yields to the event loop, so SIGINT and timers are seen while stepping. */
const YIELD_EVERY_S = 0.05;

export async function runLockstep(o: LockstepRunOptions): Promise<RunSummary> {
  const { io, policy } = o;
  const m = io.mapping;
  const epoch = makeEpoch();
  const wall0 = monoS(epoch);
  const bus = makeLoopBus(m);
  const writer = new InputWriter(bus, m, () => io.timeS);
  const loop = new ControlLoop(policy, m, bus, io.hz);
  const pump = new OutputPump(bus, io.sinks, o.log);
  const reader = new StatusReader({
    bus, mapping: m, hz: io.hz, inputs: writer.counters, outputs: pump.counters,
    cpuNs: processCpuNs, wallS: () => monoS(epoch),
  });
  const tm = bus.timing;
  tm[TIMING.T0_S] = -1 / io.hz; // the grid starts one period before the first tick (at t = 0), as the scheduler's does
  io.onTick = (tS, dtS) => {
    const t0 = monoS(epoch);
    loop.tickAt(tS, dtS);
    histAdd(tm, TIMING.TICK, (monoS(epoch) - t0) * 1e6);
    tm[TIMING.TICKS]++;
    tm[TIMING.T_S] = tS;
    pump.deliver();
  };
  await startIo(io, writer, o.log);
  const everyS = o.statusEveryS ?? 2;
  let endReason: EndReason = 'duration';
  let lastLogS = wall0, lastYieldS = wall0;
  try {
    while (io.timeS < o.durationS - 1e-9) {
      if (o.signal?.aborted === true) { endReason = 'signal'; break; }
      if (!io.advance()) { endReason = 'episode_end'; break; }
      const now = monoS(epoch);
      if (now - lastYieldS > YIELD_EVERY_S) {
        await new Promise((r) => setImmediate(r));
        lastYieldS = monoS(epoch);
      }
      if (now - lastLogS >= everyS) {
        const s = reader.read();
        o.log(`${formatStatus(s)} rtf=${(io.timeS / (now - wall0)).toFixed(1)}`);
        for (const sink of io.sinks) sink.status?.(s);
        lastLogS = now;
      }
    }
  } finally {
    io.onTick = null;
    await stopIo(io, o.log);
  }
  const status = reader.read(true);
  return {
    io: io.name, backend: policy.backend, hz: io.hz, mode: 'lockstep', endReason,
    wallS: monoS(epoch) - wall0, status, task: io.summary(),
  };
}
