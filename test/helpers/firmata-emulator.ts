// A Firmata device that speaks real Firmata 2.5 bytes (shared/research/firmware.md §1): the boot
// banner (REPORT_VERSION then REPORT_FIRMWARE), the capability and analog-mapping queries firmata-io
// needs before `ready`, SET_PIN_MODE, SERVO_CONFIG, ANALOG_MESSAGE writes (servo µs / PWM duty),
// DIGITAL_MESSAGE, REPORT_ANALOG with periodic ANALOG_MESSAGE reports, REPORT_DIGITAL, SAMPLING_INTERVAL.
// The board is an Uno: pins 0-13 digital (PWM 3 5 6 9 10 11), 14-19 = A0-A5 (channels 0-5).
//
// It talks over a stream: `duplexPair()` gives two crossed in-process streams (host end for the
// adapter, device end for the emulator); run this file with `--stdio` and it is a child-process
// board on its own stdin/stdout.

import { Duplex } from 'node:stream';

export const FIRMATA = {
  ANALOG_MESSAGE: 0xe0, DIGITAL_MESSAGE: 0x90, REPORT_ANALOG: 0xc0, REPORT_DIGITAL: 0xd0,
  START_SYSEX: 0xf0, END_SYSEX: 0xf7, SET_PIN_MODE: 0xf4, SET_DIGITAL_PIN_VALUE: 0xf5,
  REPORT_VERSION: 0xf9, SYSTEM_RESET: 0xff,
  // sysex ids
  SERVO_CONFIG: 0x70, STRING_DATA: 0x71, EXTENDED_ANALOG: 0x6f, PIN_STATE_QUERY: 0x6d, PIN_STATE_RESPONSE: 0x6e,
  CAPABILITY_QUERY: 0x6b, CAPABILITY_RESPONSE: 0x6c, ANALOG_MAPPING_QUERY: 0x69, ANALOG_MAPPING_RESPONSE: 0x6a,
  REPORT_FIRMWARE: 0x79, SAMPLING_INTERVAL: 0x7a,
  I2C_REQUEST: 0x76, I2C_REPLY: 0x77, I2C_CONFIG: 0x78,
} as const;

export const MODE = { INPUT: 0, OUTPUT: 1, ANALOG: 2, PWM: 3, SERVO: 4, I2C: 6, PULLUP: 11 } as const;

const PINS = 20;
const PWM_PINS = new Set([3, 5, 6, 9, 10, 11]);
/** pin → analog channel (127 = none). */
const channelOf = (pin: number): number => (pin >= 14 ? pin - 14 : 127);

/** Two in-process streams, each one's writes the other's reads (Node 20 has no stream.duplexPair). */
export function duplexPair(): [Duplex, Duplex] {
  let a: Duplex | null = null;
  let b: Duplex | null = null;
  const make = (peer: () => Duplex | null): Duplex => new Duplex({
    read() { /* pushed by the peer */ },
    write(chunk: Buffer, _enc, cb) { peer()?.push(Buffer.from(chunk)); cb(); },
    final(cb) { peer()?.push(null); cb(); },
  });
  a = make(() => b);
  b = make(() => a);
  return [a, b];
}

export interface PinWrite { readonly pin: number; readonly value: number; readonly mode: number }

export interface EmulatorOptions {
  /** send the boot banner at once (a board with DTR auto-reset); false: answer queries only. Default true. */
  readonly banner?: boolean;
  readonly firmware?: string;
}

export class FirmataEmulator {
  /** every byte received from the host, for protocol assertions. */
  readonly received: number[] = [];
  /** ANALOG_MESSAGE / EXTENDED_ANALOG writes to servo or PWM pins, in order. */
  readonly writes: PinWrite[] = [];
  readonly modes: number[] = new Array<number>(PINS).fill(MODE.OUTPUT);
  readonly servoRange = new Map<number, [number, number]>();
  readonly digitalOut: number[] = new Array<number>(PINS).fill(0);
  /** (6) raw ADC counts 0..1023 per analog channel. */
  readonly analog: number[] = [0, 0, 0, 0, 0, 0];
  readonly reporting = new Set<number>();
  samplingIntervalMs = 19;
  /** I2C devices: address → 128 registers. */
  readonly i2c = new Map<number, Uint8Array>();
  i2cEnabled = false;
  /** continuous reads: address, register, count. */
  private readonly i2cReads: { address: number; register: number; count: number }[] = [];
  private sysex: number[] | null = null;
  private pending: number[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly io: Duplex, opts: EmulatorOptions = {}) {
    for (let p = 14; p < PINS; p++) this.modes[p] = MODE.ANALOG;
    io.on('data', (d: Buffer) => { for (const b of d) this.onByte(b); });
    io.on('end', () => this.close());
    if (opts.banner ?? true) {
      this.send([FIRMATA.REPORT_VERSION, 2, 5]);
      this.sendFirmware(opts.firmware ?? 'lnnEmu');
    }
    this.restartTimer();
  }

  /** Sets an analog channel (0..1023); reported at the next sampling tick if reporting is on. */
  setAnalog(channel: number, value: number): void {
    this.analog[channel] = Math.max(0, Math.min(1023, Math.round(value)));
  }

  /** An MPU-6050 at `address`, asleep (PWR_MGMT_1 = 0x40) until the host wakes it, as after power-up. */
  addMpu6050(address = 0x68): void {
    const r = new Uint8Array(128);
    r[0x75] = 0x68; // WHO_AM_I
    r[0x6b] = 0x40;
    this.i2c.set(address, r);
  }

  /** Sets the MPU-6050's readings: accel m/s² (±2 g scale), gyro rad/s (±250 °/s scale). */
  setMpu6050(accelMps2: readonly number[], gyroRadS: readonly number[], address = 0x68): void {
    const r = this.i2c.get(address);
    if (r === undefined) throw new Error(`no I2C device at ${address}`);
    const put = (reg: number, v: number): void => {
      const x = Math.max(-32768, Math.min(32767, Math.round(v))) & 0xffff;
      r[reg] = x >> 8; r[reg + 1] = x & 0xff;
    };
    accelMps2.forEach((a, k) => put(0x3b + 2 * k, (a / 9.80665) * 16384));
    gyroRadS.forEach((g, k) => put(0x43 + 2 * k, ((g * 180) / Math.PI) * 131));
  }

  /** Servo writes seen on `pin`, microseconds (johnny-five maps degrees over pwmRange). */
  servoWrites(pin: number): number[] {
    return this.writes.filter((w) => w.pin === pin && w.mode === MODE.SERVO).map((w) => w.value);
  }

  /** Pulls the cable: the stream ends on both sides. */
  disconnect(): void {
    this.close();
    this.io.end();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private restartTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = setInterval(() => this.report(), this.samplingIntervalMs);
    this.timer.unref();
  }

  private report(): void {
    for (const ch of this.reporting) this.sendAnalog(ch);
    for (const q of this.i2cReads) this.i2cReply(q.address, q.register, q.count);
  }

  private i2cReply(address: number, register: number, count: number): void {
    const r = this.i2c.get(address);
    if (r === undefined) return; // no device: real boards send nothing (or an error string)
    const asleep = (r[0x6b] & 0x40) !== 0;
    const out = [FIRMATA.START_SYSEX, FIRMATA.I2C_REPLY, address & 0x7f, address >> 7, register & 0x7f, register >> 7];
    for (let k = 0; k < count; k++) {
      const reg = register + k;
      const v = asleep && reg >= 0x3b && reg < 0x49 ? 0 : (r[reg] ?? 0);
      out.push(v & 0x7f, v >> 7);
    }
    out.push(FIRMATA.END_SYSEX);
    this.send(out);
  }

  private onI2cRequest(d: number[]): void {
    if (!this.i2cEnabled || d.length < 2) return;
    const address = (d[1] & 0x20) !== 0 ? d[0] | ((d[1] & 0x07) << 7) : d[0]; // bit 5: 10-bit address
    const mode = (d[1] >> 3) & 0x03;
    const bytes: number[] = [];
    for (let i = 2; i + 1 < d.length; i += 2) bytes.push(d[i] | (d[i + 1] << 7));
    const r = this.i2c.get(address);
    switch (mode) {
      case 0: // write: register, values...
        if (r !== undefined && bytes.length >= 1) bytes.slice(1).forEach((v, k) => { r[(bytes[0] + k) & 0x7f] = v & 0xff; });
        break;
      case 1: // read once
        if (bytes.length >= 2) this.i2cReply(address, bytes[0], bytes[1]);
        break;
      case 2: // read continuously
        if (bytes.length >= 2) this.i2cReads.push({ address, register: bytes[0], count: bytes[1] });
        break;
      default: // stop reading
        for (let i = this.i2cReads.length - 1; i >= 0; i--) if (this.i2cReads[i].address === address) this.i2cReads.splice(i, 1);
    }
  }

  private sendAnalog(ch: number): void {
    const v = this.analog[ch];
    this.send([FIRMATA.ANALOG_MESSAGE | ch, v & 0x7f, (v >> 7) & 0x7f]);
  }

  private send(bytes: number[]): void {
    if (!this.closed) this.io.write(Buffer.from(bytes));
  }

  private sendFirmware(name: string): void {
    const out = [FIRMATA.START_SYSEX, FIRMATA.REPORT_FIRMWARE, 2, 5];
    for (const c of name) out.push(c.charCodeAt(0) & 0x7f, (c.charCodeAt(0) >> 7) & 0x7f);
    out.push(FIRMATA.END_SYSEX);
    this.send(out);
  }

  private onByte(b: number): void {
    this.received.push(b);
    if (this.sysex !== null) {
      if (b === FIRMATA.END_SYSEX) { const s = this.sysex; this.sysex = null; this.onSysex(s); return; }
      if (b < 0x80) { if (this.sysex.length < 256) this.sysex.push(b); else this.sysex = null; return; }
      this.sysex = null; // a command byte inside a sysex aborts it
    }
    if (b >= 0x80) {
      this.pending = [b];
      if (b === FIRMATA.START_SYSEX) { this.sysex = []; this.pending = []; }
      else if (b === FIRMATA.REPORT_VERSION) { this.pending = []; this.send([FIRMATA.REPORT_VERSION, 2, 5]); }
      else if (b === FIRMATA.SYSTEM_RESET) { this.pending = []; this.reporting.clear(); }
      return;
    }
    if (this.pending.length === 0) return; // data byte with no command: ignored
    this.pending.push(b);
    const cmd = this.pending[0];
    const hi = cmd & 0xf0;
    const need = hi === FIRMATA.REPORT_ANALOG || hi === FIRMATA.REPORT_DIGITAL ? 2 : 3;
    if (this.pending.length < need) return;
    const [c, d1, d2] = this.pending;
    this.pending = [];
    if (hi === FIRMATA.ANALOG_MESSAGE) this.pinWrite(c & 0x0f, d1 | (d2 << 7));
    else if (hi === FIRMATA.DIGITAL_MESSAGE) this.portWrite(c & 0x0f, d1 | (d2 << 7));
    else if (hi === FIRMATA.REPORT_ANALOG) {
      const ch = c & 0x0f;
      if (ch >= this.analog.length) return;
      if (d1 !== 0) { this.reporting.add(ch); this.sendAnalog(ch); } else this.reporting.delete(ch);
    } else if (c === FIRMATA.SET_PIN_MODE) {
      if (d1 < PINS) this.modes[d1] = d2;
    } else if (c === FIRMATA.SET_DIGITAL_PIN_VALUE) {
      if (d1 < PINS) this.digitalOut[d1] = d2 ? 1 : 0;
    }
  }

  private pinWrite(pin: number, value: number): void {
    if (pin >= PINS) return;
    this.writes.push({ pin, value, mode: this.modes[pin] });
  }

  private portWrite(port: number, bits: number): void {
    for (let i = 0; i < 8; i++) {
      const pin = port * 8 + i;
      if (pin < PINS && this.modes[pin] === MODE.OUTPUT) this.digitalOut[pin] = (bits >> i) & 1;
    }
  }

  private onSysex(s: number[]): void {
    const [id, ...d] = s;
    switch (id) {
      case FIRMATA.REPORT_FIRMWARE: this.sendFirmware('lnnEmu'); break;
      case FIRMATA.CAPABILITY_QUERY: {
        const out: number[] = [FIRMATA.START_SYSEX, FIRMATA.CAPABILITY_RESPONSE];
        for (let p = 0; p < PINS; p++) {
          if (p >= 2) out.push(MODE.INPUT, 1, MODE.OUTPUT, 1, MODE.PULLUP, 1);
          if (p >= 14) out.push(MODE.ANALOG, 10);
          if (PWM_PINS.has(p)) out.push(MODE.PWM, 8);
          if (p >= 2 && p < 14) out.push(MODE.SERVO, 14);
          if (p === 18 || p === 19) out.push(MODE.I2C, 1); // A4 SDA, A5 SCL
          out.push(0x7f);
        }
        out.push(FIRMATA.END_SYSEX);
        this.send(out);
        break;
      }
      case FIRMATA.ANALOG_MAPPING_QUERY: {
        const out: number[] = [FIRMATA.START_SYSEX, FIRMATA.ANALOG_MAPPING_RESPONSE];
        for (let p = 0; p < PINS; p++) out.push(channelOf(p));
        out.push(FIRMATA.END_SYSEX);
        this.send(out);
        break;
      }
      case FIRMATA.SERVO_CONFIG:
        if (d.length >= 5 && d[0] < PINS) {
          this.servoRange.set(d[0], [d[1] | (d[2] << 7), d[3] | (d[4] << 7)]);
          this.modes[d[0]] = MODE.SERVO;
        }
        break;
      case FIRMATA.EXTENDED_ANALOG:
        if (d.length >= 2) {
          let v = 0;
          for (let i = 1; i < d.length; i++) v |= d[i] << (7 * (i - 1));
          this.pinWrite(d[0], v);
        }
        break;
      case FIRMATA.I2C_CONFIG: this.i2cEnabled = true; break;
      case FIRMATA.I2C_REQUEST: this.onI2cRequest(d); break;
      case FIRMATA.SAMPLING_INTERVAL:
        if (d.length >= 2) { this.samplingIntervalMs = Math.max(1, d[0] | (d[1] << 7)); this.restartTimer(); }
        break;
      case FIRMATA.PIN_STATE_QUERY:
        if (d.length >= 1 && d[0] < PINS) {
          const p = d[0];
          this.send([FIRMATA.START_SYSEX, FIRMATA.PIN_STATE_RESPONSE, p, this.modes[p], this.digitalOut[p] & 0x7f, FIRMATA.END_SYSEX]);
        }
        break;
      default: break; // unknown sysex: ignored, as StandardFirmata does
    }
  }
}

// `tsx test/helpers/firmata-emulator.ts --stdio [A0=512 ...]`: a board on stdin/stdout, for the
// adapter's child-process transport (`exec:` ports).
if (process.argv.includes('--stdio') && /firmata-emulator\.ts$/.test(process.argv[1] ?? '')) {
  const io = Duplex.from({ readable: process.stdin, writable: process.stdout });
  const emu = new FirmataEmulator(io);
  for (const a of process.argv) {
    const m = /^A(\d)=(\d+)$/.exec(a);
    if (m) emu.setAnalog(Number(m[1]), Number(m[2]));
  }
  process.stdin.on('end', () => process.exit(0));
  setInterval(() => undefined, 1 << 30);
}
