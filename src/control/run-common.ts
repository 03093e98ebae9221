// What both runners share: bringing an adapter's sinks and sources up and down in a safe order,
// delivering the loop's outputs to the sinks, and the run summary.

import type { ActuatorSink, IoAdapter, IoCounters, LoopStatus, SampleSink } from '../io/types.ts';
import { CTL, seqRead, type LoopBus } from './transport.ts';

export type EndReason = 'duration' | 'signal' | 'episode_end' | 'loop_died';

export interface RunSummary {
  readonly io: string;
  /** the backend that ran the policy */
  readonly backend: string;
  readonly hz: number;
  /** 'lockstep' for simulators, else the scheduler mode */
  readonly mode: string;
  readonly endReason: EndReason;
  readonly wallS: number;
  /** the last status, read after the loop stopped */
  readonly status: LoopStatus;
  /** task metrics from a simulated robot */
  readonly task?: Record<string, number | string>;
  /** more of the worker's timing, over the whole run (µs; percentiles are bin upper edges) */
  readonly timing?: { readonly tickP50Us: number; readonly lateP50Us: number; readonly lateP99Us: number; readonly marginUs: number };
}

/** How long one adapter call may take during shutdown before we move on (systemd gives 5 s). */
const STOP_TIMEOUT_MS = 1500;

function withTimeout(p: Promise<void>, what: string, log: (l: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<void>((resolve) => {
    timer = setTimeout(() => { log(`run: ${what} did not finish in ${STOP_TIMEOUT_MS} ms; going on`); resolve(); }, STOP_TIMEOUT_MS);
  });
  return Promise.race([p.catch((e: unknown) => log(`run: ${what} failed: ${e instanceof Error ? e.message : String(e)}`)), t])
    .finally(() => clearTimeout(timer));
}

/** Sinks first (so a failsafe can go out), then sources. On failure stops what started and rethrows. */
export async function startIo(io: IoAdapter, sink: SampleSink, log: (l: string) => void): Promise<void> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    for (const s of io.sinks) { await s.start(); started.push(s); }
    for (const s of io.sources) { await s.start(sink); started.push(s); }
  } catch (e) {
    for (const s of io.sinks) safeFailsafe(s, log);
    for (const s of started.reverse()) await withTimeout(s.stop(), 'stop', log);
    if (io.close !== undefined) await withTimeout(io.close(), `${io.name} close`, log);
    throw e;
  }
}

export function safeFailsafe(s: ActuatorSink, log: (l: string) => void): void {
  try {
    s.failsafe();
  } catch (e) {
    log(`run: ${s.name}: failsafe failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Actuators to failsafe, sources off, sinks off (each fails safe again), then the connection. */
export async function stopIo(io: IoAdapter, log: (l: string) => void): Promise<void> {
  for (const s of io.sinks) safeFailsafe(s, log);
  for (const s of io.sources) await withTimeout(s.stop(), `${s.name} stop`, log);
  for (const s of io.sinks) await withTimeout(s.stop(), `${s.name} stop`, log);
  if (io.close !== undefined) await withTimeout(io.close(), `${io.name} close`, log);
}

/**
 * Reads the loop's newest output from the bus and hands it to every sink. Counts outputs the
 * main thread never saw (tick gaps) as dropped. Returns false when there was nothing new.
 */
export class OutputPump {
  readonly counters: IoCounters = { received: 0, dropped: 0, malformed: 0 };
  private readonly tmp: Float64Array;
  private readonly y: Float64Array;
  private lastSeq: number;
  private lastTick = 0;
  private failures = 0;

  constructor(private readonly bus: LoopBus, private readonly sinks: readonly ActuatorSink[], private readonly log: (l: string) => void) {
    this.tmp = new Float64Array(bus.out.length);
    this.y = new Float64Array(bus.out.length - 2);
    this.lastSeq = Atomics.load(bus.ctl, CTL.OUT_SEQ);
  }

  /** the sequence word the last delivered output had (for Atomics.waitAsync) */
  get seq(): number {
    return this.lastSeq;
  }

  deliver(): boolean {
    const s = seqRead(this.bus.ctl, CTL.OUT_SEQ, this.bus.out, this.tmp);
    if (s < 0 || s === this.lastSeq) return false;
    this.lastSeq = s;
    const tS = this.tmp[0], tick = this.tmp[1];
    if (this.lastTick !== 0 && tick > this.lastTick + 1) this.counters.dropped += tick - this.lastTick - 1;
    this.lastTick = tick;
    this.counters.received++;
    for (let i = 0; i < this.y.length; i++) this.y[i] = this.tmp[2 + i];
    for (const sink of this.sinks) {
      try {
        sink.write(this.y, tS, tick);
      } catch (e) {
        this.counters.malformed++;
        // a throwing sink is a bug in that adapter: say so a few times, never stop the loop for it
        if (++this.failures <= 3) this.log(`run: ${sink.name}: write failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return true;
  }
}
