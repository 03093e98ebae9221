// The board adapter on a real serial device path: serialport 13 opening a pty. socat links two
// ptys; the emulator (test/helpers/firmata-emulator.ts) sits on one, the adapter opens the other
// exactly as it would /dev/ttyACM0. Skipped where socat is not installed (apt-get install socat).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBoardIo } from '../src/io/board/index.ts';
import type { IoMapping, LoopCommand, SampleSink } from '../src/io/types.ts';
import { FirmataEmulator } from './helpers/firmata-emulator.ts';

const HAVE_SOCAT = spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;

const MAPPING: IoMapping = {
  inputs: [{ name: 'pot', topic: 'A3', size: 1, offset: 0, min: 0, max: 1023, mean: 0, std: 1, maxAgeS: 0.25 }],
  outputs: [{ name: 'steer', topic: 'servo:5', size: 1, offset: 0, scale: 1, bias: 0, min: 0, max: 180, ratePerS: Infinity, failsafe: 90 }],
  inputSize: 1, outputSize: 1, watchdogS: 1, autoArm: false, robotId: 'robot',
};

describe('board adapter on a serial path', () => {
  it('a missing device is LNN_E_FILE_NOT_FOUND naming the path', async () => {
    const io = makeBoardIo('/dev/ttyLNN-no-such-device', MAPPING);
    await expect(io.output.start()).rejects.toMatchObject({ code: 'LNN_E_FILE_NOT_FOUND', message: expect.stringContaining('/dev/ttyLNN-no-such-device') });
    await io.close();
  });

  describe.skipIf(!HAVE_SOCAT)('over a socat pty pair', () => {
    let socat: ChildProcess | null = null;
    let host = '';
    let device = '';
    beforeAll(async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lnn-pty-'));
      host = join(dir, 'ttyHOST');
      device = join(dir, 'ttyDEV');
      socat = spawn('socat', [`pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
      const t0 = Date.now();
      while (!(existsSync(host) && existsSync(device))) {
        if (Date.now() - t0 > 5000) throw new Error('socat did not create the pty pair');
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    afterAll(() => { if (socat?.pid !== undefined && socat.exitCode === null) socat.kill('SIGTERM'); });

    it('servo pulses and analog reports cross a real tty', async () => {
      const devPort = new SerialPort({ path: device, baudRate: 57600 });
      await new Promise<void>((resolve, reject) => devPort.once('open', resolve).once('error', reject));
      const emu = new FirmataEmulator(devPort);
      emu.setAnalog(3, 777);
      const io = makeBoardIo(host, MAPPING, { readyTimeoutS: 10 });
      const got: number[] = [];
      const sink: SampleSink = { push: (_t, v) => { got.push(v[0]); return true; }, command: (_c: LoopCommand) => undefined };
      try {
        await Promise.all([io.output.start(), io.input.start(sink)]);
        io.output.write(Float64Array.of(60), 0.01, 0);
        const t0 = Date.now();
        while (!(got.includes(777) && emu.servoWrites(5).includes(1200))) {
          if (Date.now() - t0 > 5000) throw new Error(`timed out: got ${got.slice(-3).join(',')} servo ${emu.servoWrites(5).join(',')}`);
          await new Promise((r) => setTimeout(r, 10));
        }
        expect(emu.servoWrites(5)).toEqual([1500, 1200]);
      } finally {
        await io.close();
        emu.close();
        await new Promise<void>((r) => { if (devPort.isOpen) devPort.close(() => r()); else r(); });
      }
    });
  });
});
