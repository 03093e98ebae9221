// The slice of johnny-five 2.x that src/io/board uses (johnny-five ships no typings). Checked by
// test/board.test.ts driving the real package against test/helpers/firmata-emulator.ts.

declare module 'johnny-five' {
  import type { EventEmitter } from 'node:events';

  export interface BoardOptions {
    /** an IO plugin instance: here a firmata-io `Firmata`. */
    io?: unknown;
    id?: string;
    repl?: boolean;
    debug?: boolean;
    /** install a SIGINT handler that exits the process (default true: we pass false). */
    sigint?: boolean;
    /** ms from `connect` to `ready` before the board emits an error (default 10 000). */
    timeout?: number;
  }
  export class Board extends EventEmitter {
    constructor(opts?: BoardOptions);
    readonly isReady: boolean;
    readonly id: string;
  }

  export interface ServoOptions {
    pin: number | string;
    board?: Board;
    /** pulse range, µs (default [600, 2400]). */
    pwmRange?: [number, number];
    /** degrees (default [0, 180]). */
    range?: [number, number];
    startAt?: number;
    invert?: boolean;
  }
  export class Servo extends EventEmitter {
    constructor(opts: ServoOptions);
    /** degrees; writes the pulse mapped over pwmRange. */
    to(degrees: number): this;
    readonly value: number;
  }

  export interface EscOptions {
    pin: number | string;
    board?: Board;
    /** pulse range, µs (default [1000, 2000]). */
    pwmRange?: [number, number];
    device?: 'FORWARD' | 'FORWARD_REVERSE' | 'FORWARD_BRAKE_REVERSE';
    /** neutral pulse: percent (≤ 100) or µs. */
    neutral?: number;
  }
  export class ESC extends EventEmitter {
    constructor(opts: EscOptions);
    /** a pulse in µs (a value in (0, 100] is read as percent, FORWARD only). */
    throttle(value: number): this;
    brake(): this;
    readonly value: number;
  }

  const five: { Board: typeof Board; Servo: typeof Servo; ESC: typeof ESC };
  export default five;
}
