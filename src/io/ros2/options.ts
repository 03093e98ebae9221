// Options of the ROS 2 adapter, checked and converted once (house style 12). A mapping field's
// `topic` reads `<topic>[:<type>]`, e.g. `/imu/data:sensor_msgs/msg/Imu` or `scan:sensor_msgs/LaserScan`
// (ROS names never contain `:`). Defaults: an input '' is the topic named after the field,
// `std_msgs/msg/Float32MultiArray`; an output '' is `cmd_vel`, `geometry_msgs/msg/Twist`. Output
// fields naming the same topic are concatenated in mapping order into one message.

import { LnnError } from '../../errors.ts';
import type { IoMapping } from '../types.ts';
import type { MsgTypeName, RclModule } from './api.ts';
import { fullTypeName, INPUT_CODECS, OUTPUT_CODECS, type InputCodec, type OutputCodec } from './messages.ts';

/** A named QoS profile, or KEEP_LAST `depth` with a reliability. */
export type Ros2Qos =
  | 'sensor_data' | 'default' | 'system_default'
  | { readonly reliability: 'reliable' | 'best_effort'; readonly depth: number };

export interface Ros2Options {
  /** default `lnn_edge`. */
  readonly nodeName?: string;
  /** node namespace, default '' (relative topics then resolve under it: `/robot1/cmd_vel`). */
  readonly namespace?: string;
  /** passed to `rclnodejs.init` as argv: `['--ros-args', '-r', 'cmd_vel:=/r1/cmd_vel', '-p', 'cruise_speed:=0.4']`. */
  readonly rosArgs?: readonly string[];
  /** QoS of sensor subscriptions (default `sensor_data`: best effort, depth 5) and of command publishers (default `default`: reliable, depth 10). */
  readonly qos?: { readonly sensors?: Ros2Qos; readonly commands?: Ros2Qos };
  /** defaults of the node parameters `cruise_speed` (m/s), `frame_id`, `status_period` (s). */
  readonly cruiseSpeedMps?: number;
  readonly frameId?: string;
  readonly statusPeriodS?: number;
  /** where rclnodejs comes from: default `loadRclnodejs` (lazy `import('rclnodejs')`); tests inject a fake. */
  readonly rcl?: () => RclModule | Promise<RclModule>;
  /** seconds since the epoch, used when a message carries no header stamp. Default `Date.now() / 1000`. */
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface InputRoute {
  /** index into mapping.inputs (the `field` of SampleSink.push). */
  readonly field: number;
  readonly name: string;
  readonly param: string;
  readonly topic: string;
  readonly type: MsgTypeName;
  readonly size: number;
  readonly codec: InputCodec;
}

export interface OutputRoute {
  readonly param: string;
  readonly topic: string;
  readonly type: MsgTypeName;
  /** (size) indices into the output vector y, in message order. */
  readonly index: Int32Array;
  readonly codec: OutputCodec;
}

export interface Ros2Config {
  readonly nodeName: string;
  readonly namespace: string;
  readonly rosArgs: readonly string[];
  readonly inputs: readonly InputRoute[];
  readonly outputs: readonly OutputRoute[];
  readonly qos: { readonly sensors: Ros2Qos; readonly commands: Ros2Qos };
  readonly robotId: string;
  readonly cruiseSpeedMps: number;
  readonly frameId: string;
  readonly statusPeriodS: number;
  readonly now: () => number;
  readonly log: (line: string) => void;
}

export const DEFAULT_NODE = 'lnn_edge';
export const DEFAULT_OUTPUT = 'cmd_vel:geometry_msgs/msg/Twist';
/** operator commands (`std_msgs/msg/String`: arm, disarm, estop, reset) and the JSON status, private to the node. */
export const CMD_TOPIC = '~/cmd';
export const STATUS_TOPIC = '~/status';

const usage = (field: string, detail: string): LnnError => new LnnError('LNN_E_USAGE', detail, { field: `ros2.${field}` });

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** ROS 2 topic names: `~`, `/` or a letter first; tokens of [A-Za-z0-9_] not starting with a digit. */
export function isTopicName(t: string): boolean {
  const body = t.startsWith('~/') ? t.slice(2) : t.startsWith('/') ? t.slice(1) : t;
  return body !== '' && body.split('/').every((tok) => NAME_RE.test(tok));
}

function parseTopic(text: string, dflt: string, field: string): { topic: string; type: string } {
  const s = text === '' ? dflt : text;
  const i = s.indexOf(':');
  const topic = i < 0 ? s : s.slice(0, i);
  const type = i < 0 ? dflt.slice(dflt.indexOf(':') + 1) : fullTypeName(s.slice(i + 1));
  if (!isTopicName(topic)) throw usage(field, `"${topic}" is not a valid ROS 2 topic name`);
  return { topic, type };
}

function sizeOk(sizes: readonly number[] | null, n: number): boolean {
  return sizes === null || sizes.includes(n);
}

function checkQos(q: Ros2Qos | undefined, dflt: Ros2Qos, field: string): Ros2Qos {
  const v = q ?? dflt;
  if (typeof v === 'string') {
    if (v !== 'sensor_data' && v !== 'default' && v !== 'system_default') throw usage(field, `unknown QoS profile "${String(v)}"`);
    return v;
  }
  if (v.reliability !== 'reliable' && v.reliability !== 'best_effort') throw usage(`${field}.reliability`, 'must be reliable or best_effort');
  if (!Number.isInteger(v.depth) || v.depth < 1 || v.depth > 1000) throw usage(`${field}.depth`, `must be an integer in [1, 1000], got ${v.depth}`);
  return v;
}

export function resolveRos2Config(mapping: IoMapping, opts: Ros2Options): Ros2Config {
  const nodeName = opts.nodeName ?? DEFAULT_NODE;
  if (!NAME_RE.test(nodeName)) throw usage('nodeName', `"${nodeName}" is not a valid ROS 2 node name`);
  const namespace = opts.namespace ?? '';
  if (namespace !== '' && !(namespace.startsWith('/') && isTopicName(namespace))) throw usage('namespace', `"${namespace}" is not a valid namespace (e.g. /robot1)`);

  const taken = new Map<string, string>();
  const claim = (topic: string, type: string, field: string): void => {
    if (taken.has(topic)) throw usage(field, `topic ${topic} is already used by ${taken.get(topic) ?? ''}`);
    taken.set(topic, field);
  };

  const inputs: InputRoute[] = mapping.inputs.map((f, i) => {
    const field = `inputs[${i}].topic`;
    const { topic, type } = parseTopic(f.topic, `${f.name.replace(/[^A-Za-z0-9_]/g, '_')}:std_msgs/msg/Float32MultiArray`, field);
    const codec = INPUT_CODECS[type as MsgTypeName];
    if (codec === undefined) throw usage(field, `message type "${type}" cannot be read (supported: ${Object.keys(INPUT_CODECS).join(', ')})`);
    if (!sizeOk(codec.sizes, f.size)) throw usage(field, `${type} fills fields of size ${codec.sizes?.join(', ')}, but "${f.name}" has size ${f.size}`);
    claim(topic, type, field);
    return { field: i, name: f.name, param: `inputs.${f.name}.topic`, topic, type: type as MsgTypeName, size: f.size, codec };
  });

  // Output fields naming the same topic share one publisher and one message.
  const groups = new Map<string, { type: string; param: string; index: number[]; field: string }>();
  mapping.outputs.forEach((f, i) => {
    const field = `outputs[${i}].topic`;
    const { topic, type } = parseTopic(f.topic, DEFAULT_OUTPUT, field);
    let g = groups.get(topic);
    if (g === undefined) {
      claim(topic, type, field);
      g = { type, param: `outputs.${f.name}.topic`, index: [], field };
      groups.set(topic, g);
    } else if (g.type !== type) {
      throw usage(field, `topic ${topic} is ${g.type} in ${g.field}, not ${type}`);
    }
    for (let k = 0; k < f.size; k++) g.index.push(f.offset + k);
  });
  const outputs: OutputRoute[] = [...groups].map(([topic, g]) => {
    const codec = OUTPUT_CODECS[g.type as MsgTypeName];
    if (codec === undefined) throw usage(g.field, `message type "${g.type}" cannot be written (supported: ${Object.keys(OUTPUT_CODECS).join(', ')})`);
    if (!sizeOk(codec.sizes, g.index.length)) throw usage(g.field, `${g.type} carries ${codec.sizes?.join(', ')} values, but topic ${topic} gets ${g.index.length}`);
    return { param: g.param, topic, type: g.type as MsgTypeName, index: Int32Array.from(g.index), codec };
  });

  const cruiseSpeedMps = opts.cruiseSpeedMps ?? 0;
  if (!Number.isFinite(cruiseSpeedMps)) throw usage('cruiseSpeedMps', 'must be finite');
  const statusPeriodS = opts.statusPeriodS ?? 1;
  if (!(statusPeriodS >= 0.05 && statusPeriodS <= 3600)) throw usage('statusPeriodS', `must be in [0.05, 3600], got ${statusPeriodS}`);
  const q = opts.qos ?? {};
  return {
    nodeName, namespace,
    rosArgs: opts.rosArgs ?? [],
    inputs, outputs,
    qos: { sensors: checkQos(q.sensors, 'sensor_data', 'qos.sensors'), commands: checkQos(q.commands, 'default', 'qos.commands') },
    robotId: mapping.robotId !== '' ? mapping.robotId : 'robot',
    cruiseSpeedMps,
    frameId: opts.frameId ?? 'base_link',
    statusPeriodS,
    now: opts.now ?? ((): number => Date.now() / 1000),
    log: opts.log ?? ((): void => undefined),
  };
}
