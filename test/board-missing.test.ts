// Without johnny-five, starting the board adapter rejects with LNN_E_INSTALL naming the package
// and docs/boards.md; building it does not load anything.

import { describe, expect, it, vi } from 'vitest';
import { loadBoardLibs, makeBoardIo } from '../src/io/board/index.ts';
import type { IoMapping } from '../src/io/types.ts';

vi.mock('johnny-five', () => {
  throw new Error("Cannot find package 'johnny-five'");
});

const MAPPING: IoMapping = {
  inputs: [{ name: 'pot', topic: 'A0', size: 1, offset: 0, min: 0, max: 1023, mean: 0, std: 1, maxAgeS: 0.25 }],
  outputs: [{ name: 'steer', topic: 'servo:9', size: 1, offset: 0, scale: 1, bias: 0, min: 0, max: 180, ratePerS: Infinity, failsafe: 90 }],
  inputSize: 1, outputSize: 1, watchdogS: 1, autoArm: false, robotId: 'robot',
};

describe('board adapter without johnny-five', () => {
  it('start() rejects with a coded error naming the package', async () => {
    const io = makeBoardIo('/dev/ttyACM0', MAPPING);
    const e = await io.output.start().then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ code: 'LNN_E_INSTALL' });
    expect((e as Error).message).toMatch(/"johnny-five".*docs\/boards\.md/);
    await expect(loadBoardLibs()).rejects.toMatchObject({ code: 'LNN_E_INSTALL' });
    await io.close();
  });
});
