// The board adapter (DESIGN.md §6, docs/boards.md): johnny-five over firmata-io over a serial port,
// a child process's stdio or a stream. Sensors (analog and digital pins) and actuators (servos,
// ESCs, PWM, digital outputs) are mapped to pins by the mapping's `topic` (options.ts).
//
//   pins A0.. / digital:N  --ANALOG_MESSAGE / DIGITAL_MESSAGE-->  BoardInputSource → SampleSink.push
//   servo:N esc:N ...      <--servo µs / PWM / digital writes--  BoardOutputSink.write / failsafe
//
// An MPU-6050 on the board's I2C bus is read the same way (mpu6050.ts).
// Sensor samples are pushed on every report the board sends (not on johnny-five's Sensor timer,
// which repeats the last value even when the board has gone quiet and would hide a dead link from
// the loop's watchdog). The board has no clock: a sample's time is its arrival (Date.now()).
// `makeBoardIo` checks options only; nothing loads johnny-five or opens the port until `start()`.

import type { ActuatorSink, IoAdapter, IoCounters, IoMapping, LoopStatus, SampleSink, SensorSource } from '../types.ts';
import { resolveBoardConfig, type BoardConfig, type BoardInputRoute, type BoardOptions } from './options.ts';
import { startMpu6050 } from './mpu6050.ts';
import { BoardSession } from './session.ts';

export type { BoardOptions, BoardConfig, InputKind, OutputKind } from './options.ts';
export type { BoardLibs } from './load.ts';
export { loadBoardLibs } from './load.ts';

export class BoardInputSource implements SensorSource {
  readonly name: string;
  readonly counters: IoCounters = { received: 0, dropped: 0, malformed: 0 };
  private sink: SampleSink | null = null;
  private started = false;
  /** per route: (size) latest values, and how many pins have reported at least once. */
  private readonly values: Float64Array[];
  private readonly seen: Uint8Array[];

  constructor(private readonly s: BoardSession) {
    this.name = `board:${s.cfg.port || 'stream'}:in`;
    this.values = s.cfg.inputs.map((r) => new Float64Array(r.kind === 'mpu6050' ? 6 : r.pins.length));
    this.seen = s.cfg.inputs.map((r) => new Uint8Array(r.kind === 'mpu6050' ? 6 : r.pins.length));
  }

  get connected(): boolean { return this.s.connected; }

  async start(sink: SampleSink): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.s.acquire();
    this.sink = sink;
    const io = this.s.io;
    this.s.cfg.inputs.forEach((r, i) => {
      if (r.kind === 'mpu6050') {
        const x = this.values[i];
        startMpu6050(io, r.pins[0], (ok) => this.onSample(r, i, ok), x);
        return;
      }
      r.pins.forEach((pin, k) => {
        const cb = (v: number): void => this.onValue(r, i, k, v);
        if (r.kind === 'analog') {
          io.analogRead(pin, cb);
        } else {
          io.pinMode(pin, io.MODES.INPUT);
          io.digitalRead(pin, cb);
        }
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.sink = null;
    await this.s.release();
  }

  private onValue(r: BoardInputRoute, i: number, k: number, v: number): void {
    const c = this.counters;
    c.received++;
    if (this.sink === null) { c.dropped++; return; }
    if (!Number.isFinite(v)) { c.malformed++; return; }
    this.values[i][k] = v;
    const seen = this.seen[i];
    seen[k] = 1;
    // A multi-pin field is pushed once every pin has a value; then on each pin's report.
    for (let j = 0; j < seen.length; j++) if (seen[j] === 0) return;
    this.push(r, i);
  }

  /** An I2C device read: `values[i]` already decoded, or `ok` false for a short reply. */
  private onSample(r: BoardInputRoute, i: number, ok: boolean): void {
    const c = this.counters;
    c.received++;
    if (this.sink === null) { c.dropped++; return; }
    if (!ok) { c.malformed++; return; }
    this.push(r, i);
  }

  private push(r: BoardInputRoute, i: number): void {
    const c = this.counters;
    const sink = this.sink;
    if (sink === null) return;
    try {
      if (!sink.push(Date.now() / 1000, this.values[i], r.field)) c.malformed++;
    } catch {
      c.malformed++;
    }
  }
}

export class BoardOutputSink implements ActuatorSink {
  readonly name: string;
  readonly counters: IoCounters = { received: 0, dropped: 0, malformed: 0 };
  /** (outputSize) physical units from the mapping's failsafe values. */
  private readonly failsafeY: Float64Array;
  private lastSeq = -1;
  private loop: LoopStatus | null = null;
  private started = false;

  constructor(private readonly s: BoardSession, mapping: IoMapping) {
    this.name = `board:${s.cfg.port || 'stream'}:out`;
    this.failsafeY = new Float64Array(mapping.outputSize);
    for (const f of mapping.outputs) this.failsafeY.fill(f.failsafe, f.offset, f.offset + f.size);
  }

  get connected(): boolean { return this.s.connected; }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.s.acquire();
    this.failsafe();
  }

  write(y: Float64Array, _tS: number, seq: number): void {
    const c = this.counters;
    c.received++;
    if (this.lastSeq >= 0 && seq > this.lastSeq + 1) c.dropped += seq - this.lastSeq - 1;
    this.lastSeq = seq;
    const r = this.send(y);
    if (r === 'refused') c.dropped++;
    else if (r === 'nonfinite') c.malformed++;
  }

  failsafe(): void {
    this.send(this.failsafeY);
  }

  /** Kept for `statusDoc()` (the board has nowhere to publish it). */
  status(s: LoopStatus): void {
    this.loop = s;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.failsafe();
    this.started = false;
    await this.s.release();
  }

  statusDoc(): Record<string, unknown> {
    return {
      ...(this.loop ?? {}),
      board: { port: this.s.cfg.port, connected: this.s.connected, reason: this.s.downReason, out: { ...this.counters } },
    };
  }

  /** All pins or none: a non-finite value anywhere sends nothing (the loop's clamps make this rare). */
  private send(y: ArrayLike<number>): 'sent' | 'refused' | 'nonfinite' {
    if (!this.started || !this.s.connected) return 'refused';
    const routes = this.s.cfg.outputs;
    for (const r of routes) if (!Number.isFinite(y[r.index])) return 'nonfinite';
    try {
      for (let k = 0; k < routes.length; k++) this.s.actuate(k, y[routes[k].index]);
    } catch (e) {
      this.s.cfg.log(`board: write failed: ${(e as Error).message}`);
      return 'refused';
    }
    return 'sent';
  }
}

export interface BoardIo extends IoAdapter {
  readonly config: BoardConfig;
  readonly input: BoardInputSource;
  readonly output: BoardOutputSink;
  /** whether the link to the board is up. */
  readonly connected: boolean;
  /** why the link went down ('' while up). */
  readonly downReason: string;
  onLink(cb: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

/**
 * The board adapter for `mapping` on `port`: `/dev/ttyACM0` (serial, 57600 baud), `exec:<command>`
 * (a child process speaking Firmata on stdio), or '' with `opts.stream`.
 */
export function makeBoardIo(port: string, mapping: IoMapping, opts: BoardOptions = {}): BoardIo {
  const cfg = resolveBoardConfig(port, mapping, opts);
  const session = new BoardSession(cfg, opts);
  const input = new BoardInputSource(session);
  const output = new BoardOutputSink(session, mapping);
  return {
    name: `board:${port || 'stream'}`,
    config: cfg,
    input,
    output,
    sources: [input],
    sinks: [output],
    get connected() { return session.connected; },
    get downReason() { return session.downReason; },
    onLink: (cb) => session.onLink(cb),
    async close() {
      await Promise.all([input.stop(), output.stop()]);
      session.closeAll();
    },
  };
}
