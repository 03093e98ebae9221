// Without rclnodejs (or without a sourced ROS, where requiring it throws), starting the ROS 2
// adapter rejects with LNN_E_INSTALL naming the package and docs/ros2.md; building it does not.

import { describe, expect, it, vi } from 'vitest';
import { loadRclnodejs, makeRos2Io } from '../src/io/ros2/index.ts';
import type { IoMapping } from '../src/io/types.ts';

vi.mock('rclnodejs', () => {
  throw new Error("Cannot find package 'rclnodejs' imported from src/io/ros2/api.ts");
});

const MAPPING: IoMapping = {
  inputs: [{ name: 'x', topic: '', size: 1, offset: 0, min: -1, max: 1, mean: 0, std: 1, maxAgeS: 0.25 }],
  outputs: [{ name: 'steer', topic: '', size: 1, offset: 0, scale: 1, bias: 0, min: -1, max: 1, ratePerS: Infinity, failsafe: 0 }],
  inputSize: 1, outputSize: 1, watchdogS: 1, autoArm: false, robotId: 'robot',
};

describe('ros2 adapter without rclnodejs', () => {
  it('builds without loading rclnodejs, and start() rejects with a coded error pointing at docs/ros2.md', async () => {
    const io = makeRos2Io(MAPPING);
    expect(io.name).toBe('ros2:/lnn_edge');
    const e = await io.output.start().then(() => null, (x: unknown) => x);
    expect(e).toMatchObject({ code: 'LNN_E_INSTALL' });
    expect((e as Error).message).toMatch(/"rclnodejs".*docs\/ros2\.md/);
    expect(io.connected).toBe(false);
    await io.close();
  });

  it('loadRclnodejs gives the same error', async () => {
    await expect(loadRclnodejs()).rejects.toMatchObject({ code: 'LNN_E_INSTALL' });
  });
});
