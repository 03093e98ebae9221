// The ROS 2 message definitions (ros2msg text, as rosbag2 writes them into MCAP) of the recorder's
// topics, and their CDR writers and readers. `lnn_msgs` is ours; std_msgs/Header and
// builtin_interfaces/Time are the standard ROS 2 ones, inlined as dependencies (`MSG:` blocks) so
// Foxglove and `mcap` need nothing installed to decode them.

import { parse } from '@foxglove/rosmsg';
import { MessageReader, MessageWriter } from '@foxglove/rosmsg2-serialization';

const SEP = '================================================================================';

const HEADER_DEPS = `${SEP}
MSG: std_msgs/Header
# Standard metadata for higher-level stamped data types.
builtin_interfaces/Time stamp
string frame_id
${SEP}
MSG: builtin_interfaces/Time
int32 sec
uint32 nanosec
`;

/** Schema names (ROS 2 style, with `/msg/`). */
export const SCHEMA = {
  input: 'lnn_msgs/msg/PolicyInput',
  output: 'lnn_msgs/msg/PolicyOutput',
  state: 'lnn_msgs/msg/NeuronState',
  status: 'lnn_msgs/msg/LoopStatus',
} as const;

export type StreamKind = keyof typeof SCHEMA;
export const STREAM_KINDS: readonly StreamKind[] = ['input', 'output', 'state', 'status'];

/** Topic names under a prefix (default `/lnn`). */
export function topicsFor(prefix: string): Record<StreamKind, string> {
  const p = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return { input: `${p}/input`, output: `${p}/output`, state: `${p}/state`, status: `${p}/status` };
}

export const DEFINITIONS: Record<StreamKind, string> = {
  input: `# One policy input, exactly as handed to policy.step (normalised model units).
std_msgs/Header header
# index of this step in the recording, from 0
int64 step
# seconds since the previous step, as handed to policy.step (ncps timespans)
float64 dt
# true when the policy state was reset just before this step
bool reset
float64[] x
${HEADER_DEPS}`,
  output: `# One policy output. step: the PolicyInput it answers (-1 before any input).
std_msgs/Header header
int64 step
# control-loop tick number (the ActuatorSink seq)
uint64 seq
# policy output, model units (what policy.step wrote)
float64[] y
# what went to the actuators, physical units (empty when not recorded)
float64[] command
${HEADER_DEPS}`,
  state: `# Recurrent state after a step. step: the PolicyInput it follows (-1: initial state).
std_msgs/Header header
int64 step
# hidden state (stateSize neurons)
float64[] h
# LSTM cell state (cellStateSize; empty without one)
float64[] c
${HEADER_DEPS}`,
  status: `# The control loop's ~1 Hz status (src/io/types.ts LoopStatus).
std_msgs/Header header
string state
string reason
uint64 ticks
float64 t
float64 hz
float64 achieved_hz
float64 period_err_p50_us
float64 period_err_p99_us
float64 period_err_max_us
uint64 deadline_misses
float64 cpu_pct
float64 tick_p99_us
uint64 rejected
uint32 holding
uint64 inputs_received
uint64 inputs_dropped
uint64 inputs_malformed
uint64 outputs_received
uint64 outputs_dropped
uint64 outputs_malformed
${HEADER_DEPS}`,
};

export interface RosTime { sec: number; nanosec: number }
export interface RosHeader { stamp: RosTime; frame_id: string }

export interface InputMsg { header: RosHeader; step: bigint; dt: number; reset: boolean; x: Float64Array }
export interface OutputMsg { header: RosHeader; step: bigint; seq: bigint; y: Float64Array; command: Float64Array }
export interface StateMsg { header: RosHeader; step: bigint; h: Float64Array; c: Float64Array }
export interface StatusMsg {
  header: RosHeader;
  state: string;
  reason: string;
  ticks: bigint;
  t: number;
  hz: number;
  achieved_hz: number;
  period_err_p50_us: number;
  period_err_p99_us: number;
  period_err_max_us: number;
  deadline_misses: bigint;
  cpu_pct: number;
  tick_p99_us: number;
  rejected: bigint;
  holding: number;
  inputs_received: bigint;
  inputs_dropped: bigint;
  inputs_malformed: bigint;
  outputs_received: bigint;
  outputs_dropped: bigint;
  outputs_malformed: bigint;
}

export interface Codec {
  readonly writer: MessageWriter;
  readonly reader: MessageReader;
}

let codecs: Record<StreamKind, Codec> | undefined;

/** CDR writers and readers for the four schemas (built once). */
export function getCodecs(): Record<StreamKind, Codec> {
  if (codecs === undefined) {
    const make = (k: StreamKind): Codec => {
      const defs = parse(DEFINITIONS[k], { ros2: true });
      return { writer: new MessageWriter(defs), reader: new MessageReader(defs) };
    };
    codecs = { input: make('input'), output: make('output'), state: make('state'), status: make('status') };
  }
  return codecs;
}

/** Nanoseconds since the epoch → ROS 2 Time. */
export function nsToTime(ns: bigint): RosTime {
  const sec = ns / 1_000_000_000n;
  return { sec: Number(sec), nanosec: Number(ns - sec * 1_000_000_000n) };
}

export function timeToNs(t: RosTime): bigint {
  return BigInt(t.sec) * 1_000_000_000n + BigInt(t.nanosec);
}
