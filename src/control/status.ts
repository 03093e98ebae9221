// The main thread's view of the loop: reads the shared status and timing blocks (no message),
// turns the histograms into window percentiles, measures the loop thread's CPU from /proc, and
// words one log line. Called every few seconds, never from the tick.

import { readFileSync } from 'node:fs';
import type { IoCounters, IoMapping, LoopStatus } from '../io/types.ts';
import { histQuantileUs } from './histogram.ts';
import { reasonText, STATE_CODES } from './reasons.ts';
import { TIMING, TIMING_SIZE } from './scheduler.ts';
import { STATUS, type LoopBus } from './transport.ts';

/**
 * CPU time of one thread of this process, ns, from /proc/self/task/<tid>/schedstat (ns exact),
 * else its stat (utime + stime in 10 ms ticks); null when neither can be read (not Linux).
 */
export function threadCpuNs(tid: number): number | null {
  try {
    return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) * 1e7; // fields 14, 15 of proc(5); USER_HZ = 100
    } catch {
      return null;
    }
  }
}

/** CPU time of the whole process, ns (the lockstep loop runs on the main thread). */
export function processCpuNs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1e3;
}

export interface StatusInputs {
  readonly bus: LoopBus;
  readonly mapping: IoMapping;
  readonly hz: number;
  readonly inputs: Readonly<IoCounters>;
  readonly outputs: Readonly<IoCounters>;
  /** CPU time of the loop's thread, ns; null = unknown */
  cpuNs(): number | null;
  /** a monotonic wall clock, s */
  wallS(): number;
}

export class StatusReader {
  /** timing block at the previous read: percentiles are over the window since */
  private readonly prev = new Float64Array(TIMING_SIZE);
  private prevTicks = 0;
  private prevLoopS = 0;
  private prevCpuNs: number | null;
  private prevWallS: number;
  private readonly startCpuNs: number | null;
  private readonly startWallS: number;

  constructor(private readonly s: StatusInputs) {
    this.prevCpuNs = this.startCpuNs = s.cpuNs();
    this.prevWallS = this.startWallS = s.wallS();
  }

  /** The status over the window since the previous read, or since start (a run's summary). */
  read(sinceStart = false): LoopStatus {
    const { bus, mapping } = this.s;
    const st = bus.status, tm = bus.timing;
    const ticks = st[STATUS.TICKS], loopS = st[STATUS.T_S];
    const wallS = this.s.wallS(), cpuNs = this.s.cpuNs();
    const prev = sinceStart ? undefined : this.prev;
    const q = (base: number, p: number): number => round1(histQuantileUs(tm, base, p, prev, base));
    const dLoopS = sinceStart || this.prevTicks === 0 ? loopS - tm[TIMING.T0_S] : loopS - this.prevLoopS;
    const dTicks = sinceStart ? ticks : ticks - this.prevTicks;
    const dWallS = wallS - (sinceStart ? this.startWallS : this.prevWallS);
    const cpu0 = sinceStart ? this.startCpuNs : this.prevCpuNs;
    const cpuPct = cpuNs !== null && cpu0 !== null && dWallS > 0 ? ((cpuNs - cpu0) / 1e9 / dWallS) * 100 : -1;
    const status: LoopStatus = {
      state: STATE_CODES[st[STATUS.STATE]] ?? 'failsafe',
      reason: reasonText(mapping, st[STATUS.REASON], st[STATUS.REASON_FIELD]),
      ticks,
      tS: round3(loopS),
      hz: this.s.hz,
      achievedHz: dLoopS > 0 ? round1(dTicks / dLoopS) : 0,
      periodErrP50Us: q(TIMING.PERIOD_ERR, 0.5),
      periodErrP99Us: q(TIMING.PERIOD_ERR, 0.99),
      periodErrMaxUs: q(TIMING.PERIOD_ERR, 1),
      deadlineMisses: tm[TIMING.MISSES],
      cpuPct: round1(cpuPct),
      tickP99Us: q(TIMING.TICK, 0.99),
      rejected: st[STATUS.REJECTED],
      holding: st[STATUS.HOLDING],
      inputs: { ...this.s.inputs },
      outputs: { ...this.s.outputs },
    };
    this.prev.set(tm);
    this.prevTicks = ticks;
    this.prevLoopS = loopS;
    this.prevCpuNs = cpuNs;
    this.prevWallS = wallS;
    return status;
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** One log line, e.g. `run: armed t=12.0s 1000.0/1000Hz err p50/p99/max 0.5/212/1400us ...`. */
export function formatStatus(s: LoopStatus): string {
  const cpu = s.cpuPct < 0 ? '?' : `${s.cpuPct}%`;
  return `run: ${s.state}${s.reason === '' ? '' : ` (${s.reason})`} t=${s.tS.toFixed(1)}s ticks=${s.ticks} ` +
    `${s.achievedHz}/${s.hz}Hz period-err p50/p99/max ${s.periodErrP50Us}/${s.periodErrP99Us}/${s.periodErrMaxUs}us ` +
    `misses=${s.deadlineMisses} tick-p99=${s.tickP99Us}us cpu=${cpu} ` +
    `in rx/drop/bad ${s.inputs.received}/${s.inputs.dropped}/${s.inputs.malformed} rejected=${s.rejected} holding=${s.holding} ` +
    `out ${s.outputs.received}/${s.outputs.dropped}/${s.outputs.malformed}`;
}
