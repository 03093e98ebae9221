// The ROS 2 adapter (DESIGN.md §6, docs/ros2.md): node `lnn_edge` with parameters, one subscription
// per mapped sensor topic, one publisher per mapped command topic (default `cmd_vel`,
// geometry_msgs/msg/Twist), `~/cmd` for operator commands and `~/status` for the loop status.
//
// `makeRos2Io` checks options only; nothing loads rclnodejs until a part's `start()`. Ownership:
// the parts share one node (node.ts); the last to stop (or `close()`) destroys it and shuts
// rclnodejs down. rclnodejs itself is optional: without it `start()` rejects with LNN_E_INSTALL.

import type { IoAdapter, IoMapping } from '../types.ts';
import { Ros2Session } from './node.ts';
import { resolveRos2Config, type Ros2Config, type Ros2Options } from './options.ts';
import { Ros2CommandSource, Ros2InputSource, Ros2OutputSink } from './parts.ts';

export type { Ros2Options, Ros2Qos, Ros2Config } from './options.ts';
export type { RclModule, RclNode, RclPublisher, RclOptions, MsgTypeName } from './api.ts';
export { loadRclnodejs } from './api.ts';
export { CMD_TOPIC, STATUS_TOPIC, DEFAULT_NODE, isTopicName } from './options.ts';
export { INPUT_CODECS, OUTPUT_CODECS } from './messages.ts';
export { parseCommandText } from './parts.ts';
export type { Ros2InputSource, Ros2CommandSource, Ros2OutputSink } from './parts.ts';

export interface Ros2Io extends IoAdapter {
  readonly config: Ros2Config;
  readonly input: Ros2InputSource;
  readonly commands: Ros2CommandSource;
  readonly output: Ros2OutputSink;
  /** whether the node is up. */
  readonly connected: boolean;
  /** Stops every part and destroys the node. Idempotent. */
  close(): Promise<void>;
}

/** The ROS 2 adapter for `mapping`: `sources` = [inputs, commands], `sinks` = [outputs + status]. */
export function makeRos2Io(mapping: IoMapping, opts: Ros2Options = {}): Ros2Io {
  const cfg = resolveRos2Config(mapping, opts);
  const session = new Ros2Session(cfg, opts.rcl);
  const failsafeY = new Float64Array(mapping.outputSize);
  for (const f of mapping.outputs) failsafeY.fill(f.failsafe, f.offset, f.offset + f.size);
  const input = new Ros2InputSource(session);
  const commands = new Ros2CommandSource(session);
  const output = new Ros2OutputSink(session, failsafeY, { in: input.tally, cmd: commands.tally });
  return {
    name: `ros2:${cfg.namespace}/${cfg.nodeName}`,
    config: cfg,
    input,
    commands,
    output,
    sources: [input, commands],
    sinks: [output],
    get connected() { return session.connected; },
    async close() {
      await Promise.all([input.stop(), commands.stop(), output.stop()]);
      session.closeAll();
    },
  };
}
