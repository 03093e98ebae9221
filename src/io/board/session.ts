// One Firmata board shared by the board adapter's source and sink: the link (serial, child stdio or
// stream), firmata-io over it, johnny-five over that, and the actuators made once the board is
// ready. The first part to start opens it (and waits for the Firmata handshake); the last to stop
// closes the link. A link that goes down (cable pulled, EOF, child exit) makes `connected` false
// and calls every `onLink` listener; there is no reconnection (restart the run).

/// <reference path="../../../types/johnny-five.d.ts" />
/// <reference path="../../../types/firmata-io.d.ts" />
import { LnnError } from '../../errors.ts';
import type { Board, ESC, Servo } from 'johnny-five';
import type { Firmata } from 'firmata-io';
import { execLink, serialLink, streamLink, type BoardLink } from './link.ts';
import { loadBoardLibs, type BoardLibs } from './load.ts';
import type { BoardConfig, BoardOptions, BoardOutputRoute } from './options.ts';
import { SharedSession } from '../shared.ts';

/** One driven pin: how a physical value reaches it. */
export type Actuator = (value: number) => void;

export class BoardSession extends SharedSession {
  private link: BoardLink | null = null;
  private io_: Firmata | null = null;
  private board: Board | null = null;
  private actuators: Actuator[] = [];
  private readonly listeners = new Set<(up: boolean) => void>();
  /** why the link is down ('' while up or never opened). */
  downReason = '';

  constructor(readonly cfg: BoardConfig, private readonly opts: BoardOptions) { super(); }

  get connected(): boolean { return this.link?.connected ?? false; }

  get io(): Firmata {
    if (this.io_ === null) throw new LnnError('LNN_E_INTERNAL', 'board used before start()');
    return this.io_;
  }

  /** Called with false when the link goes down (true once it is up); returns an unsubscribe. */
  onLink(cb: (up: boolean) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Drives output route `k` (same order as cfg.outputs); nothing while the link is down. */
  actuate(k: number, value: number): boolean {
    if (!this.connected) return false;
    this.actuators[k](value);
    return true;
  }

  protected async open(): Promise<void> {
    const { cfg } = this;
    const libs: BoardLibs = await (this.opts.libs ?? loadBoardLibs)();
    const link = this.opts.stream !== undefined ? streamLink(this.opts.stream)
      : cfg.port.startsWith('exec:') ? execLink(cfg.port.slice(5))
      : await serialLink(cfg.port, cfg.baudRate);
    this.link = link;
    const io = new libs.Firmata(link, {
      reportVersionTimeout: cfg.reportVersionTimeoutS * 1000,
      ...(cfg.samplingIntervalMs !== undefined ? { samplingInterval: cfg.samplingIntervalMs } : {}),
    });
    // An `error` with no listener would throw out of an event handler.
    io.on('error', (e: Error) => cfg.log(`board: firmata: ${e.message}`));
    const board = new libs.five.Board({ io, repl: false, debug: false, sigint: false, timeout: cfg.readyTimeoutS * 1000 });
    board.on('error', (e: { message?: string }) => cfg.log(`board: johnny-five: ${e.message ?? String(e)}`));
    try {
      await this.ready(board, link);
    } catch (e) {
      link.close();
      this.link = null;
      throw e;
    }
    this.io_ = io;
    this.board = board;
    this.actuators = cfg.outputs.map((r) => this.makeActuator(libs, board, io, r));
    link.on('down', (why: string) => {
      if (this.link !== link) return; // our own close()
      this.downReason = why;
      cfg.log(`board: ${cfg.port || 'stream'} disconnected (${why})`);
      for (const l of this.listeners) l(false);
    });
    cfg.log(`board: ${cfg.port || 'stream'} ready`);
    for (const l of this.listeners) l(true);
  }

  private ready(board: Board, link: BoardLink): Promise<void> {
    const where = this.cfg.port || 'stream';
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new LnnError('LNN_E_FILE_READ', `no Firmata handshake within ${this.cfg.readyTimeoutS} s (is StandardFirmata flashed, and the baud rate ${this.cfg.baudRate}?); see docs/boards.md`, { file: where, field: 'board.port' }));
      }, this.cfg.readyTimeoutS * 1000);
      board.once('ready', () => { clearTimeout(timer); resolve(); });
      link.once('down', (why: string) => {
        clearTimeout(timer);
        reject(new LnnError('LNN_E_FILE_READ', `the board link went down before the Firmata handshake: ${why}`, { file: where, field: 'board.port' }));
      });
    });
  }

  private makeActuator(libs: BoardLibs, board: Board, io: Firmata, r: BoardOutputRoute): Actuator {
    const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
    switch (r.kind) {
      case 'servo': {
        const s: Servo = new libs.five.Servo({ pin: r.pin, board, pwmRange: [...this.cfg.servoPwmRangeUs], startAt: clamp(r.failsafe, 0, 180) });
        return (deg) => { s.to(clamp(deg, 0, 180)); };
      }
      case 'esc':
      case 'esc-rev': {
        const [lo, hi] = this.cfg.escPwmRangeUs;
        const rev = r.kind === 'esc-rev';
        // johnny-five sends the neutral pulse at once: low for FORWARD (stopped), the middle for FORWARD_REVERSE.
        const e: ESC = new libs.five.ESC({ pin: r.pin, board, pwmRange: [lo, hi], device: rev ? 'FORWARD_REVERSE' : 'FORWARD', ...(rev ? { neutral: (lo + hi) / 2 } : {}) });
        return rev
          ? (t) => { e.throttle(Math.round((lo + hi) / 2 + (clamp(t, -1, 1) * (hi - lo)) / 2)); }
          : (t) => { e.throttle(Math.round(lo + clamp(t, 0, 1) * (hi - lo))); };
      }
      case 'pwm': {
        io.pinMode(r.pin, io.MODES.PWM);
        const max = io.RESOLUTION.PWM ?? 255;
        return (d) => { io.pwmWrite(r.pin, Math.round(clamp(d, 0, 1) * max)); };
      }
      case 'digital':
        io.pinMode(r.pin, io.MODES.OUTPUT);
        return (v) => { io.digitalWrite(r.pin, v >= 0.5 ? 1 : 0); };
    }
  }

  protected close(): void {
    const io = this.io_;
    if (io !== null && this.connected) {
      for (const r of this.cfg.inputs) {
        if (r.kind === 'analog') for (const ch of r.pins) io.reportAnalogPin(ch, 0);
        else if (r.kind === 'mpu6050') io.i2cStop(r.pins[0]);
      }
    }
    const link = this.link;
    this.link = null;
    link?.close();
    this.io_ = null;
    this.board = null;
    this.actuators = [];
  }
}
