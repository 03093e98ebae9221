// Options of the board adapter and the pin grammar of mapping `topic`s (docs/boards.md), checked
// and converted once (house style 12).
//
//   inputs:  `A0` | `A0,A1` | `analog:A0,A1`   raw ADC counts (0..1023 on an Uno), one value per pin
//            `digital:2,3`                     0 or 1
//            `mpu6050`, `mpu6050:0x69`         I2C IMU, size 6: accel xyz (m/s²), gyro xyz (rad/s)
//   outputs: `servo:9,10`   degrees (0..180), pulse mapped over servoPwmRangeUs
//            `esc:10`       throttle 0..1 (unidirectional ESC: 0 = stop = low pulse)
//            `esc-rev:10`   throttle −1..1 (bidirectional ESC: 0 = neutral pulse)
//            `pwm:5`        duty 0..1
//            `digital:13`   ≥ 0.5 → HIGH
// A field has one pin per value: its `size` is the number of pins named.

import { LnnError } from '../../errors.ts';
import type { IoMapping } from '../types.ts';
import type { BoardLibs } from './load.ts';

export type InputKind = 'analog' | 'digital' | 'mpu6050';
export type OutputKind = 'servo' | 'esc' | 'esc-rev' | 'pwm' | 'digital';
const OUTPUT_KINDS: readonly OutputKind[] = ['servo', 'esc', 'esc-rev', 'pwm', 'digital'];

export interface BoardInputRoute {
  readonly field: number;
  readonly kind: InputKind;
  /** analog: channels (A0 → 0); digital: pin numbers; mpu6050: [I2C address]. */
  readonly pins: readonly number[];
}

export interface BoardOutputRoute {
  readonly kind: OutputKind;
  readonly pin: number;
  /** index into the output vector y. */
  readonly index: number;
  /** the mapping's failsafe value for this pin, physical units. */
  readonly failsafe: number;
}

export interface BoardOptions {
  /** a stream that speaks Firmata (instead of the port): tests, a TCP socket, a custom link. */
  readonly stream?: import('node:stream').Duplex;
  /** serial baud rate, default 57600 (StandardFirmata). */
  readonly baudRate?: number;
  /** the board must answer the Firmata handshake within this, else `start()` rejects. Default 10. */
  readonly readyTimeoutS?: number;
  /** ask for the version after this if no boot banner came (boards without auto-reset). Default 0.5. */
  readonly reportVersionTimeoutS?: number;
  /** analog sampling interval asked of the board, ms (Firmata default 19). */
  readonly samplingIntervalMs?: number;
  /** servo pulse range, µs; default [600, 2400] (johnny-five's). */
  readonly servoPwmRangeUs?: readonly [number, number];
  /** ESC pulse range, µs; default [1000, 2000]. */
  readonly escPwmRangeUs?: readonly [number, number];
  /** where johnny-five and firmata-io come from; default `loadBoardLibs` (lazy imports). */
  readonly libs?: () => Promise<BoardLibs>;
  readonly log?: (line: string) => void;
}

export interface BoardConfig {
  readonly port: string;
  readonly inputs: readonly BoardInputRoute[];
  readonly outputs: readonly BoardOutputRoute[];
  readonly baudRate: number;
  readonly readyTimeoutS: number;
  readonly reportVersionTimeoutS: number;
  readonly samplingIntervalMs: number | undefined;
  readonly servoPwmRangeUs: readonly [number, number];
  readonly escPwmRangeUs: readonly [number, number];
  readonly log: (line: string) => void;
}

const usage = (field: string, detail: string): LnnError => new LnnError('LNN_E_USAGE', detail, { field: `board.${field}` });

function pinList(text: string, analog: boolean, field: string): number[] {
  return text.split(',').map((p) => {
    const s = p.trim();
    const m = analog ? /^A(\d{1,2})$/i.exec(s) : /^(\d{1,3})$/.exec(s);
    if (m === null) throw usage(field, `"${s}" is not ${analog ? 'an analog pin (A0, A1, ...)' : 'a pin number'}`);
    const n = Number(m[1]);
    if (n > (analog ? 15 : 127)) throw usage(field, `pin ${s} is out of range`);
    return n;
  });
}

function range(v: readonly [number, number] | undefined, dflt: [number, number], field: string): readonly [number, number] {
  const r = v ?? dflt;
  if (!(r[0] >= 400 && r[1] <= 2600 && r[0] < r[1])) throw usage(field, `must be [low, high] µs within [400, 2600], got [${r.join(', ')}]`);
  return r;
}

export function resolveBoardConfig(port: string, mapping: IoMapping, opts: BoardOptions): BoardConfig {
  if (port === '' && opts.stream === undefined) throw usage('port', 'a serial port (/dev/ttyACM0), exec:<command> or a stream is needed');
  const usedPins = new Map<string, string>();
  const claim = (key: string, field: string): void => {
    if (usedPins.has(key)) throw usage(field, `pin ${key} is already used by ${usedPins.get(key) ?? ''}`);
    usedPins.set(key, field);
  };

  const inputs = mapping.inputs.map((f, i): BoardInputRoute => {
    const field = `inputs[${i}].topic`;
    if (f.topic === '') throw usage(field, `input "${f.name}" needs a pin, e.g. "A0" or "digital:2"`);
    if (/^mpu6050(:|$)/.test(f.topic)) {
      const a = f.topic.length > 8 ? f.topic.slice(8) : '0x68';
      const address = /^0x[0-9a-f]{1,2}$/i.test(a) ? parseInt(a, 16) : NaN;
      if (!(address >= 0x08 && address <= 0x77)) throw usage(field, `"${a}" is not a 7-bit I2C address (e.g. 0x68)`);
      if (f.size !== 6) throw usage(field, `mpu6050 fills 6 values (accel xyz, gyro xyz), but "${f.name}" has size ${f.size}`);
      claim(`i2c:${address}`, field);
      return { field: i, kind: 'mpu6050', pins: [address] };
    }
    const [kindText, list] = f.topic.includes(':') ? f.topic.split(':', 2) : ['analog', f.topic];
    if (kindText !== 'analog' && kindText !== 'digital') throw usage(field, `"${kindText}" is not an input kind (analog, digital, mpu6050)`);
    const kind: InputKind = kindText;
    const pins = pinList(list, kind === 'analog', field);
    if (pins.length !== f.size) throw usage(field, `${pins.length} pin(s) for field "${f.name}" of size ${f.size}`);
    for (const p of pins) claim(kind === 'analog' ? `A${p}` : String(p), field);
    return { field: i, kind, pins };
  });

  const outputs: BoardOutputRoute[] = [];
  mapping.outputs.forEach((f, i) => {
    const field = `outputs[${i}].topic`;
    const c = f.topic.indexOf(':');
    if (c < 0) throw usage(field, `output "${f.name}" needs a kind and pins, e.g. "servo:9" or "esc:10"`);
    const kind = f.topic.slice(0, c) as OutputKind;
    if (!OUTPUT_KINDS.includes(kind)) throw usage(field, `"${kind}" is not an output kind (${OUTPUT_KINDS.join(', ')})`);
    const pins = pinList(f.topic.slice(c + 1), false, field);
    if (pins.length !== f.size) throw usage(field, `${pins.length} pin(s) for field "${f.name}" of size ${f.size}`);
    pins.forEach((pin, k) => {
      claim(String(pin), field);
      outputs.push({ kind, pin, index: f.offset + k, failsafe: f.failsafe });
    });
  });

  const num = (v: number | undefined, dflt: number, field: string, lo: number, hi: number): number => {
    const x = v ?? dflt;
    if (!(x >= lo && x <= hi)) throw usage(field, `must be in [${lo}, ${hi}], got ${x}`);
    return x;
  };
  return {
    port, inputs, outputs,
    baudRate: num(opts.baudRate, 57600, 'baudRate', 300, 4_000_000),
    readyTimeoutS: num(opts.readyTimeoutS, 10, 'readyTimeoutS', 0.05, 600),
    reportVersionTimeoutS: num(opts.reportVersionTimeoutS, 0.5, 'reportVersionTimeoutS', 0.01, 60),
    samplingIntervalMs: opts.samplingIntervalMs === undefined ? undefined : num(opts.samplingIntervalMs, 19, 'samplingIntervalMs', 1, 16383),
    servoPwmRangeUs: range(opts.servoPwmRangeUs, [600, 2400], 'servoPwmRangeUs'),
    escPwmRangeUs: range(opts.escPwmRangeUs, [1000, 2000], 'escPwmRangeUs'),
    log: opts.log ?? ((): void => undefined),
  };
}
