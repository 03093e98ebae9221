// The slice of firmata-io 2.3 that src/io/board uses (firmata-io ships no typings).

declare module 'firmata-io' {
  import type { EventEmitter } from 'node:events';

  /** Anything with write + events: a SerialPort, a Duplex wrapper, a child's stdio. */
  export interface FirmataTransport {
    write(data: Buffer, cb?: (err?: Error | null) => void): unknown;
    on(event: 'open' | 'data' | 'close' | 'error', listener: (...args: any[]) => void): unknown;
  }
  export interface FirmataOptions {
    /** ms to wait for the boot banner before asking for the version (default 5000). */
    reportVersionTimeout?: number;
    samplingInterval?: number;
    skipCapabilities?: boolean;
  }
  export class Firmata extends EventEmitter {
    constructor(transport: FirmataTransport, opts?: FirmataOptions, callback?: (err?: Error) => void);
    readonly isReady: boolean;
    readonly MODES: Readonly<Record<'INPUT' | 'OUTPUT' | 'ANALOG' | 'PWM' | 'SERVO' | 'PULLUP', number>>;
    readonly RESOLUTION: { ADC: number | null; PWM: number | null };
    /** analog channel → pin number. */
    readonly analogPins: number[];
    /** `channel`: the analog channel (0 for A0); `cb` runs on every ANALOG_MESSAGE from the board. */
    analogRead(channel: number, cb: (value: number) => void): void;
    reportAnalogPin(channel: number, on: 0 | 1): void;
    digitalRead(pin: number, cb: (value: number) => void): void;
    reportDigitalPin(pin: number, on: 0 | 1): void;
    pinMode(pin: number, mode: number): void;
    /** enables I2C; `delay` µs between a write and the following read. Must precede any i2c call. */
    i2cConfig(delay: number): this;
    i2cWrite(address: number, register: number, bytes: number[]): this;
    /** continuous read of `count` bytes from `register`, at the sampling interval. */
    i2cRead(address: number, register: number, count: number, cb: (bytes: number[]) => void): this;
    i2cStop(address: number): this;
    pwmWrite(pin: number, value: number): void;
    digitalWrite(pin: number, value: number): void;
  }
  const bind: { Firmata: typeof Firmata };
  export default bind;
}
