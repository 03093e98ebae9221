// The byte link to a Firmata board, as firmata-io wants it (write + open/data/close/error events):
// a serial port (`/dev/ttyACM0`, `COM3`; serialport 13, loaded lazily), a child process speaking
// Firmata on its stdio (`exec:<command> <args...>`, e.g. the firmware's host build), or any Duplex
// stream. The link reports `down` once, whichever way it ends (unplugged, EOF, child exit, error).

import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Duplex, Readable, Writable } from 'node:stream';
import { LnnError } from '../../errors.ts';
import { BOARD_DOC } from './load.ts';

/** A Firmata transport over a readable and a writable (a Duplex, or a child's stdout and stdin). */
export class StreamLink extends EventEmitter {
  private up = true;
  /** why the link went down ('' while up). */
  why = '';
  private readonly cleanup: (() => void)[] = [];

  constructor(private readonly rd: Readable, private readonly wr: Writable, private readonly closer: () => void) {
    super();
    const on = (em: EventEmitter, ev: string, fn: (...a: any[]) => void): void => {
      em.on(ev, fn);
      this.cleanup.push(() => em.off(ev, fn));
    };
    on(rd, 'data', (d: Buffer) => this.emit('data', d));
    on(rd, 'end', () => this.down('end of stream'));
    on(rd, 'close', () => this.down('stream closed'));
    on(rd, 'error', (e: Error) => this.down(e.message));
    if ((wr as unknown) !== rd) on(wr, 'error', (e: Error) => this.down(e.message));
    // firmata-io emits `connect` on `open`; the stream is open already.
    process.nextTick(() => { if (this.up) this.emit('open'); });
  }

  get connected(): boolean { return this.up; }

  write(data: Buffer, cb?: (err?: Error | null) => void): boolean {
    if (!this.up || this.wr.writableEnded || this.wr.destroyed) {
      cb?.(new Error('board link is down'));
      return false;
    }
    return this.wr.write(data, cb);
  }

  /** Ends the link from our side (idempotent). */
  close(): void {
    this.down('closed');
    for (const c of this.cleanup.splice(0)) c();
    this.closer();
  }

  /** Marks the link down with a reason (kept in `why`). */
  fail(why: string): void {
    this.down(why);
  }

  private down(why: string): void {
    if (!this.up) return;
    this.up = false;
    this.why = why;
    this.emit('down', why);
    // firmata-io listens for `close`; an `error` with no listener would throw, so it is not re-emitted.
    this.emit('close');
  }
}

export interface BoardLink extends EventEmitter {
  readonly connected: boolean;
  readonly why: string;
  write(data: Buffer, cb?: (err?: Error | null) => void): unknown;
  close(): void;
}

export function streamLink(s: Duplex): StreamLink {
  return new StreamLink(s, s, () => { if (!s.writableEnded) s.end(); });
}

/** `exec:cmd a b`: spawns cmd (no shell) and speaks Firmata on its stdio; closing kills it by PID. */
export function execLink(commandLine: string): StreamLink {
  const argv = commandLine.trim().split(/\s+/);
  if (argv[0] === '') throw new LnnError('LNN_E_USAGE', 'exec: needs a command', { field: 'board.port' });
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
  const link = new StreamLink(child.stdout!, child.stdin!, () => { if (child.exitCode === null) child.kill('SIGTERM'); });
  child.on('error', (e) => link.fail(`cannot run ${argv[0]}: ${e.message}`));
  child.on('exit', () => link.close());
  return link;
}

/** A serial port through serialport 13 (optional peer), opened before it is returned. */
export async function serialLink(path: string, baudRate: number): Promise<BoardLink> {
  let mod: typeof import('serialport');
  try {
    mod = await import('serialport');
  } catch (e) {
    throw new LnnError('LNN_E_INSTALL', `the board adapter needs the optional package "serialport" for ${path}: npm install serialport; see ${BOARD_DOC} (${(e as Error).message.split('\n')[0]})`);
  }
  const port = new mod.SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve()))).catch((err: Error) => {
    const missing = /ENOENT|No such file/.test(err.message);
    throw new LnnError(missing ? 'LNN_E_FILE_NOT_FOUND' : 'LNN_E_FILE_READ', `cannot open serial port: ${err.message}`, { file: path, field: 'board.port' });
  });
  const link = new StreamLink(port, port, () => { if (port.isOpen) port.close(); });
  return link;
}
