// The board adapter driving the real johnny-five + firmata-io against a Firmata device emulator
// (test/helpers/firmata-emulator.ts) that speaks real protocol bytes: the handshake, servo and ESC
// pulses, analog reports, a pulled cable, and a board in a child process.

import { afterEach, describe, expect, it } from 'vitest';
import { isLnnError } from '../src/errors.ts';
import { makeBoardIo, type BoardIo, type BoardOptions } from '../src/io/board/index.ts';
import type { InputField, IoMapping, LoopCommand, OutputField, SampleSink } from '../src/io/types.ts';
import { duplexPair, FIRMATA, FirmataEmulator, MODE } from './helpers/firmata-emulator.ts';

function input(name: string, topic: string, size: number, offset: number): InputField {
  return { name, topic, size, offset, min: 0, max: 1023, mean: 512, std: 512, maxAgeS: 0.25 };
}
function output(name: string, topic: string, size: number, offset: number, failsafe: number): OutputField {
  return { name, topic, size, offset, scale: 1, bias: 0, min: -180, max: 180, ratePerS: Infinity, failsafe };
}
function mapping(inputs: InputField[], outputs: OutputField[]): IoMapping {
  return {
    inputs, outputs, watchdogS: 1, autoArm: false, robotId: 'rover',
    inputSize: inputs.reduce((a, f) => a + f.size, 0), outputSize: outputs.reduce((a, f) => a + f.size, 0),
  };
}

class RecordingSink implements SampleSink {
  readonly samples: { tS: number; values: number[]; field: number | undefined }[] = [];
  push(tS: number, values: ArrayLike<number>, field?: number): boolean {
    this.samples.push({ tS, values: Array.from(values), field });
    return true;
  }
  command(_cmd: LoopCommand): void { /* boards send no commands */ }
}

const ROVER = mapping(
  [input('line', 'A0,A1', 2, 0), input('bumper', 'digital:2', 1, 2)],
  [output('steer', 'servo:9', 1, 0, 90), output('throttle', 'esc:10', 1, 1, 0)],
);

const until = async (cond: () => boolean, what: string, ms = 3000): Promise<void> => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

let io: BoardIo | null = null;
let emu: FirmataEmulator | null = null;
afterEach(async () => {
  await io?.close();
  emu?.close();
  io = null;
  emu = null;
});

async function started(m: IoMapping, opts: BoardOptions = {}): Promise<{ io: BoardIo; emu: FirmataEmulator; sink: RecordingSink }> {
  const [host, device] = duplexPair();
  emu = new FirmataEmulator(device);
  io = makeBoardIo('', m, { stream: host, ...opts });
  const sink = new RecordingSink();
  await Promise.all([io.output.start(), io.input.start(sink)]);
  return { io, emu, sink };
}

const has = (bytes: number[], seq: number[]): boolean => bytes.some((_, i) => seq.every((b, k) => bytes[i + k] === b));

describe('board adapter over real Firmata bytes', () => {
  it('completes the handshake johnny-five needs, then puts the actuators at their failsafe', async () => {
    const { io: a, emu: e } = await started(ROVER);
    expect(a.connected).toBe(true);
    expect(has(e.received, [FIRMATA.START_SYSEX, FIRMATA.CAPABILITY_QUERY, FIRMATA.END_SYSEX])).toBe(true);
    expect(has(e.received, [FIRMATA.START_SYSEX, FIRMATA.ANALOG_MAPPING_QUERY, FIRMATA.END_SYSEX])).toBe(true);
    expect(e.modes[9]).toBe(MODE.SERVO);
    expect(e.modes[10]).toBe(MODE.SERVO);
    expect(e.servoRange.get(10)).toEqual([1000, 2000]);
    // 90° over johnny-five's default 600-2400 µs; the ESC stopped at its low pulse.
    expect(e.servoWrites(9).at(-1)).toBe(1500);
    expect(e.servoWrites(10).at(-1)).toBe(1000);
  });

  it('sends a servo position and an ESC throttle as servo pulses', async () => {
    const { io: a, emu: e } = await started(ROVER);
    a.output.write(Float64Array.of(45, 0.5), 0.01, 0);
    a.output.write(Float64Array.of(135, 1), 0.02, 1);
    expect(e.servoWrites(9).slice(-2)).toEqual([1050, 1950]);
    expect(e.servoWrites(10).slice(-2)).toEqual([1500, 2000]);
    expect(a.output.counters).toEqual({ received: 2, dropped: 0, malformed: 0 });
    a.output.write(Float64Array.of(NaN, 0.2), 0.03, 2);
    expect(e.servoWrites(10).at(-1)).toBe(2000);
    expect(a.output.counters.malformed).toBe(1);
  });

  it('reads analog pins from the board\'s ANALOG_MESSAGE reports, per field', async () => {
    const { emu: e, sink } = await started(ROVER);
    expect(has(e.received, [FIRMATA.REPORT_ANALOG | 0, 1])).toBe(true);
    expect(has(e.received, [FIRMATA.REPORT_ANALOG | 1, 1])).toBe(true);
    e.setAnalog(0, 512);
    e.setAnalog(1, 1000);
    await until(() => sink.samples.some((s) => s.field === 0 && s.values[0] === 512 && s.values[1] === 1000), 'A0=512, A1=1000');
    const s = sink.samples.find((x) => x.field === 0 && x.values[0] === 512)!;
    expect(Math.abs(s.tS - Date.now() / 1000)).toBeLessThan(5);
    expect(io!.input.counters.malformed).toBe(0);
  });

  it('reports a pulled cable: connected goes false, listeners hear it, writes are dropped', async () => {
    const { io: a, emu: e } = await started(ROVER);
    const heard: boolean[] = [];
    a.onLink((up) => heard.push(up));
    const before = e.writes.length;
    e.disconnect();
    await until(() => !a.connected, 'disconnect');
    expect(heard).toEqual([false]);
    expect(a.downReason).toMatch(/end of stream|closed/);
    a.output.write(Float64Array.of(10, 0.3), 0.01, 0);
    expect(a.output.counters).toEqual({ received: 1, dropped: 1, malformed: 0 });
    expect(e.writes.length).toBe(before);
    expect(a.output.statusDoc()).toMatchObject({ board: { connected: false } });
  });

  it('returns to the failsafe and stops analog reporting on stop()', async () => {
    const { io: a, emu: e } = await started(ROVER);
    a.output.write(Float64Array.of(30, 0.8), 0.01, 0);
    await a.close();
    expect(e.servoWrites(9).at(-1)).toBe(1500);
    expect(e.servoWrites(10).at(-1)).toBe(1000);
    expect(has(e.received, [FIRMATA.REPORT_ANALOG | 0, 0])).toBe(true);
    expect(a.connected).toBe(false);
  });

  it('rejects start() when nothing answers the handshake', async () => {
    const [host] = duplexPair();
    io = makeBoardIo('', ROVER, { stream: host, readyTimeoutS: 0.3, reportVersionTimeoutS: 0.05 });
    await expect(io.output.start()).rejects.toMatchObject({ code: 'LNN_E_FILE_READ', message: expect.stringMatching(/no Firmata handshake/) });
  });

  it('reads an MPU-6050 over I2C: wakes it, then pushes accel (m/s²) and gyro (rad/s) from each I2C_REPLY', async () => {
    const [host, device] = duplexPair();
    emu = new FirmataEmulator(device);
    emu.addMpu6050(0x68);
    emu.setMpu6050([0, 0.5 * 9.80665, 9.80665], [0, 0, Math.PI / 2]);
    const m = mapping([input('imu', 'mpu6050', 6, 0)], [output('steer', 'servo:9', 1, 0, 90)]);
    io = makeBoardIo('', m, { stream: host });
    const sink = new RecordingSink();
    await Promise.all([io.output.start(), io.input.start(sink)]);
    expect(emu.i2cEnabled).toBe(true);
    expect(emu.i2c.get(0x68)![0x6b]).toBe(0); // woken
    await until(() => sink.samples.length > 0, 'an IMU sample');
    const v = sink.samples.at(-1)!.values;
    expect(v[0]).toBeCloseTo(0, 3);
    expect(v[1]).toBeCloseTo(0.5 * 9.80665, 2);
    expect(v[2]).toBeCloseTo(9.80665, 2);
    expect(v[5]).toBeCloseTo(Math.PI / 2, 2);
    expect(sink.samples.at(-1)!.field).toBe(0);
  });

  it('refuses bad pin specs', () => {
    const bad = (i: InputField[], o: OutputField[]): string => {
      try { makeBoardIo('/dev/null', mapping(i, o)); } catch (e) { return isLnnError(e) ? `${e.code} ${e.message}` : String(e); }
      return 'no error';
    };
    expect(bad([input('a', '', 1, 0)], [])).toMatch(/LNN_E_USAGE.*needs a pin/);
    expect(bad([input('a', 'A0', 2, 0)], [])).toMatch(/1 pin\(s\) for field "a" of size 2/);
    expect(bad([input('a', 'B3', 1, 0)], [])).toMatch(/not an analog pin/);
    expect(bad([], [output('s', '9', 1, 0, 0)])).toMatch(/needs a kind/);
    expect(bad([], [output('s', 'motor:9', 1, 0, 0)])).toMatch(/not an output kind/);
    expect(bad([], [output('s', 'servo:9', 1, 0, 0), output('t', 'esc:9', 1, 1, 0)])).toMatch(/pin 9 is already used/);
    expect(bad([], [output('s', 'servo:9,10', 2, 0, 90)])).toBe('no error');
    expect(bad([input('imu', 'mpu6050:0x99', 6, 0)], [])).toMatch(/not a 7-bit I2C address/);
    expect(bad([input('imu', 'mpu6050', 3, 0)], [])).toMatch(/mpu6050 fills 6 values/);
  });
});

describe('board adapter over a child process', () => {
  it('talks Firmata to a board on a child\'s stdio (exec:), and kills it on close', async () => {
    const m = mapping([input('pot', 'A2', 1, 0)], [output('steer', 'servo:6', 1, 0, 90)]);
    io = makeBoardIo(`exec:${process.execPath} --import tsx test/helpers/firmata-emulator.ts --stdio A2=321`, m, { readyTimeoutS: 20 });
    const sink = new RecordingSink();
    await Promise.all([io.output.start(), io.input.start(sink)]);
    await until(() => sink.samples.some((s) => s.values[0] === 321), 'A2=321 from the child', 10_000);
    expect(io.connected).toBe(true);
    await io.close();
    expect(io.connected).toBe(false);
  });
});
