// Shared memory between the main thread (adapters) and the loop worker: one SharedArrayBuffer, no
// postMessage per tick. Samples and outputs travel in seqlock slots (single writer each: the
// main thread writes inputs and commands, the worker writes outputs and status): the writer makes
// the sequence odd, writes, makes it even; a reader copies and retries if the sequence moved.
// Both sides build the same views from (buffer, mapping) with `makeLoopBus`.

import type { IoCounters, IoMapping, LoopCommand, SampleSink } from '../io/types.ts';
import { TIMING_SIZE } from './scheduler.ts';

/** Int32 control words. */
export const CTL = {
  /** non-zero: the worker stops after the current tick */
  STOP: 0,
  /** the worker's Atomics.wait word; set non-zero and notify to end a sleep */
  WAKE: 1,
  CMD_HEAD: 2,
  CMD_TAIL: 3,
  /** 1 once the worker compiled the policy and is about to tick */
  READY: 4,
  /** the worker's Linux thread id (for /proc CPU accounting), 0 when unknown */
  TID: 5,
  OUT_SEQ: 6,
  CMD_RING: 8,
} as const;
const CMD_SLOTS = 16;
const CTL_FIXED = CTL.CMD_RING + CMD_SLOTS;

export const COMMAND_CODES: Record<LoopCommand, number> = { arm: 1, disarm: 2, estop: 3, reset: 4 };
export type CommandCode = 1 | 2 | 3 | 4;
export const CMD = { ARM: 1, DISARM: 2, ESTOP: 3, RESET: 4 } as const;

/** Float64 status words the loop writes every tick. */
export const STATUS = {
  STATE: 0, REASON: 1, REASON_FIELD: 2, TICKS: 3, T_S: 4, REJECTED: 5, HOLDING: 6,
  /** ticks on which the policy stepped (every input ready) */
  STEPS: 7,
  SIZE: 8,
} as const;

/** Views over one SharedArrayBuffer laid out for a mapping. */
export interface LoopBus {
  readonly sab: SharedArrayBuffer;
  readonly ctl: Int32Array;
  /** (STATUS.SIZE) */
  readonly status: Float64Array;
  /** (TIMING_SIZE) scheduler statistics */
  readonly timing: Float64Array;
  /** [tS, tick, y(outputSize)] */
  readonly out: Float64Array;
  /** per input field f: [tS, rxS, values(size)] */
  readonly inputs: readonly Float64Array[];
  /** Int32 index of field f's sequence word; +1 is the sequence the reader consumed last */
  readonly inSeq: readonly number[];
}

export function makeLoopBus(m: IoMapping, sab?: SharedArrayBuffer): LoopBus {
  const ctlWords = CTL_FIXED + 2 * m.inputs.length;
  const ctlBytes = Math.ceil((ctlWords * 4) / 8) * 8;
  const f64Words = STATUS.SIZE + TIMING_SIZE + 2 + m.outputSize + m.inputs.reduce((s, f) => s + 2 + f.size, 0);
  const bytes = ctlBytes + f64Words * 8;
  const buf = sab ?? new SharedArrayBuffer(bytes);
  if (buf.byteLength !== bytes) throw new RangeError(`shared buffer is ${buf.byteLength} bytes, the mapping needs ${bytes}`);
  const ctl = new Int32Array(buf, 0, ctlWords);
  let off = ctlBytes;
  const take = (n: number): Float64Array => { const a = new Float64Array(buf, off, n); off += n * 8; return a; };
  const status = take(STATUS.SIZE);
  const timing = take(TIMING_SIZE);
  const out = take(2 + m.outputSize);
  const inputs = m.inputs.map((f) => take(2 + f.size));
  const inSeq = m.inputs.map((_, i) => CTL_FIXED + 2 * i);
  return { sab: buf, ctl, status, timing, out, inputs, inSeq };
}

// ── seqlock ────────────────────────────────────────────────────────────────────────────────

/** Copies `src` into `dst` under the seqlock at ctl[seqIdx]; returns the even sequence, or -1 (torn 4×). */
export function seqRead(ctl: Int32Array, seqIdx: number, src: Float64Array, dst: Float64Array): number {
  for (let attempt = 0; attempt < 4; attempt++) {
    const s1 = Atomics.load(ctl, seqIdx);
    if ((s1 & 1) !== 0) continue;
    for (let i = 0; i < src.length; i++) dst[i] = src[i];
    if (Atomics.load(ctl, seqIdx) === s1) return s1;
  }
  return -1;
}

// ── main thread: samples and commands in ───────────────────────────────────────────────────

/**
 * The SampleSink adapters push into: copies a sample into its field's slot (no allocation), stamps
 * its arrival on the shared clock, counts, and queues commands for the worker.
 */
export class InputWriter implements SampleSink {
  readonly counters: IoCounters = { received: 0, dropped: 0, malformed: 0 };
  /** commands that did not fit the 16-slot queue */
  commandsDropped = 0;
  /** [tS, rxS] of the sample being written (cells: a double argument would box, boxed.ts) */
  private readonly stamp = new Float64Array(2);

  constructor(private readonly bus: LoopBus, private readonly m: IoMapping, private readonly clockS: () => number) {}

  push(tS: number, values: ArrayLike<number>, field?: number): boolean {
    this.counters.received++;
    this.stamp[0] = tS;
    this.stamp[1] = this.clockS();
    const m = this.m;
    if (field === undefined) {
      if (values.length !== m.inputSize || typeof tS !== 'number') { this.counters.malformed++; return false; }
      for (let f = 0; f < m.inputs.length; f++) this.writeField(f, values, m.inputs[f].offset);
      return true;
    }
    if (!(field >= 0 && field < m.inputs.length && Number.isInteger(field)) || values.length !== m.inputs[field].size || typeof tS !== 'number') {
      this.counters.malformed++;
      return false;
    }
    this.writeField(field, values, 0);
    return true;
  }

  command(cmd: LoopCommand): void {
    const code = COMMAND_CODES[cmd];
    if (code === undefined) { this.counters.malformed++; return; }
    const ctl = this.bus.ctl;
    const head = Atomics.load(ctl, CTL.CMD_HEAD);
    if (head - Atomics.load(ctl, CTL.CMD_TAIL) >= CMD_SLOTS) { this.commandsDropped++; return; }
    Atomics.store(ctl, CTL.CMD_RING + (head % CMD_SLOTS), code);
    Atomics.store(ctl, CTL.CMD_HEAD, head + 1);
  }

  private writeField(f: number, values: ArrayLike<number>, from: number): void {
    const ctl = this.bus.ctl, slot = this.bus.inputs[f], seqIdx = this.bus.inSeq[f];
    const seq = Atomics.load(ctl, seqIdx);
    // the previous sample was never read by the loop: it is overwritten, count it
    if (seq !== 0 && Atomics.load(ctl, seqIdx + 1) !== seq) this.counters.dropped++;
    Atomics.store(ctl, seqIdx, seq + 1); // odd: writing
    slot[0] = this.stamp[0];
    slot[1] = this.stamp[1];
    const n = slot.length - 2;
    for (let i = 0; i < n; i++) slot[2 + i] = +values[from + i];
    Atomics.store(ctl, seqIdx, seq + 2); // even: done
  }
}

// ── worker: samples and commands out ───────────────────────────────────────────────────────

/**
 * Copies field f's newest sample into dst ([tS, rxS, values]) if there is one the loop has not
 * seen; returns true then. Marks it consumed (for the writer's dropped count).
 */
export function readNewSample(bus: LoopBus, f: number, dst: Float64Array): boolean {
  const ctl = bus.ctl, seqIdx = bus.inSeq[f];
  const cur = Atomics.load(ctl, seqIdx);
  if (cur === 0 || cur === Atomics.load(ctl, seqIdx + 1)) return false;
  const s = seqRead(ctl, seqIdx, bus.inputs[f], dst);
  if (s < 0) return false; // being written four times in a row: take it next tick
  Atomics.store(ctl, seqIdx + 1, s);
  return true;
}

/** The next queued command code, or 0 when the queue is empty. */
export function nextCommand(ctl: Int32Array): number {
  const tail = Atomics.load(ctl, CTL.CMD_TAIL);
  if (tail === Atomics.load(ctl, CTL.CMD_HEAD)) return 0;
  const code = Atomics.load(ctl, CTL.CMD_RING + (tail % CMD_SLOTS));
  Atomics.store(ctl, CTL.CMD_TAIL, tail + 1);
  return code;
}

/**
 * Publishes one output under the seqlock and, if `wake`, wakes the main thread waiting on it.
 * Waking costs the writer ~40 µs median, ~120 µs p99 on a 2-vCPU VM (measured, Node 20.20:
 * Atomics.notify with an Atomics.waitAsync waiter; 0.6 µs without one), so the loop wakes at most
 * LOOP_PARAMS.outputWakeHzMax times a second. The loop time (time[0], s) and tick number
 * (counts[0]) come in cells: a double argument would be boxed.
 */
export function writeOutput(bus: LoopBus, y: Float64Array, time: Float64Array, counts: Float64Array, wake: boolean): void {
  const ctl = bus.ctl, out = bus.out;
  const seq = Atomics.load(ctl, CTL.OUT_SEQ);
  Atomics.store(ctl, CTL.OUT_SEQ, seq + 1);
  out[0] = time[0];
  out[1] = counts[0];
  for (let i = 0; i < y.length; i++) out[2 + i] = y[i];
  Atomics.store(ctl, CTL.OUT_SEQ, seq + 2);
  if (wake) Atomics.notify(ctl, CTL.OUT_SEQ);
}

/** Asks the worker to stop and ends any sleep it is in. */
export function requestStop(bus: LoopBus): void {
  Atomics.store(bus.ctl, CTL.STOP, 1);
  Atomics.store(bus.ctl, CTL.WAKE, 1);
  Atomics.notify(bus.ctl, CTL.WAKE);
}
