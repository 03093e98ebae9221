// The ROS 2 adapter against an in-process fake of exactly the rclnodejs API slice it uses
// (src/io/ros2/api.ts: init, createNode, shutdown, Parameter, QoS; Node.createSubscription,
// createPublisher, declareParameter, getParameter, spin, destroy). ROS 2 cannot be installed on the
// project's machines (docs/ros2.md), so this fake is typed against rclnodejs's published d.ts.

/// <reference path="../types/rclnodejs-interfaces.d.ts" />
import type * as Rcl from 'rclnodejs';
import { afterEach, describe, expect, it } from 'vitest';
import { isLnnError } from '../src/errors.ts';
import { makeRos2Io, parseCommandText, type RclModule, type RclNode, type RclOptions, type Ros2Io, type Ros2Options } from '../src/io/ros2/index.ts';
import type { InputField, IoMapping, LoopCommand, LoopStatus, OutputField, SampleSink } from '../src/io/types.ts';

// ---------------------------------------------------------------- the fake rclnodejs

class FakeParameter implements Rcl.Parameter {
  static fromParameterMessage(m: Rcl.rcl_interfaces.msg.Parameter): FakeParameter { return new FakeParameter(m.name, m.value.type as Rcl.ParameterType); }
  value: unknown;
  constructor(readonly name: string, readonly type: Rcl.ParameterType, value?: unknown) { this.value = value; }
  validate(): void {
    const ok = this.type === 4 ? typeof this.value === 'string' : this.type === 3 ? typeof this.value === 'number' : true;
    if (!ok) throw new TypeError(`parameter ${this.name}: value ${String(this.value)} does not match type ${this.type}`);
  }
  toParameterMessage(): Rcl.rcl_interfaces.msg.Parameter { return { name: this.name, value: this.toParameterValueMessage() }; }
  toParameterValueMessage(): Rcl.rcl_interfaces.msg.ParameterValue {
    return {
      type: this.type, bool_value: false, integer_value: 0n, double_value: typeof this.value === 'number' ? this.value : 0,
      string_value: typeof this.value === 'string' ? this.value : '', byte_array_value: [], bool_array_value: [],
      integer_array_value: [], double_array_value: [], string_array_value: [],
    };
  }
}

class FakeQoS implements Rcl.QoS {
  durability = 0 as Rcl.QoS.DurabilityPolicy;
  liveliness = 0 as Rcl.QoS.LivelinessPolicy;
  avoidRosNameSpaceConventions = false;
  constructor(public history: number = 1, public depth: number = 10, private readonly rel: Rcl.QoS.ReliabilityPolicy = 1) {}
  reliability(): Rcl.QoS.ReliabilityPolicy { return this.rel; }
}

interface FakeSub { type: string; topic: string; options: RclOptions; callback: (m: never) => void }
interface FakePub { type: string; topic: string; options: RclOptions | undefined; sent: object[]; publish(m: object): void }

class FakeNode implements RclNode {
  readonly subs: FakeSub[] = [];
  readonly pubs: FakePub[] = [];
  readonly params = new Map<string, Rcl.Parameter>();
  spinning = false;
  destroyed = false;
  constructor(readonly name: string, readonly namespace: string, private readonly overrides: Map<string, string>) {}

  createSubscription(type: Rcl.MessageTypeClassName, topic: string, options: RclOptions, callback: (m: never) => void): unknown {
    const s = { type, topic, options, callback };
    this.subs.push(s);
    return s;
  }
  createPublisher(type: Rcl.MessageTypeClassName, topic: string, options?: RclOptions): FakePub {
    const p: FakePub = { type, topic, options, sent: [], publish(m: object) { p.sent.push(structuredClone(m)); } };
    this.pubs.push(p);
    return p;
  }
  declareParameter(p: Rcl.Parameter): Rcl.Parameter {
    if (this.params.has(p.name)) throw new Error(`parameter ${p.name} already declared`);
    const o = this.overrides.get(p.name);
    // rcl parses `-p name:=value` as YAML: a number stays a number, anything else a string.
    if (o !== undefined) p.value = o !== '' && Number.isFinite(Number(o)) ? Number(o) : o;
    p.validate();
    this.params.set(p.name, p);
    return p;
  }
  getParameter(name: string): Rcl.Parameter {
    const p = this.params.get(name);
    if (p === undefined) throw new Error(`parameter ${name} not declared`);
    return p;
  }
  spin(): void {
    if (this.spinning) throw new Error('The node is already spinning');
    this.spinning = true;
  }
  destroy(): void { this.destroyed = true; this.spinning = false; }

  // test side: deliver a message as the executor would
  deliver(topic: string, msg: unknown): void {
    const s = this.subs.find((x) => x.topic === topic);
    if (s === undefined) throw new Error(`no subscription on ${topic}`);
    (s.callback as (m: unknown) => void)(msg);
  }
  pub(topic: string): FakePub {
    const p = this.pubs.find((x) => x.topic === topic);
    if (p === undefined) throw new Error(`no publisher on ${topic}`);
    return p;
  }
}

class FakeRcl implements RclModule {
  readonly nodes: FakeNode[] = [];
  readonly Parameter = FakeParameter;
  readonly QoS = FakeQoS;
  argv: string[] = [];
  inits = 0;
  shutdowns = 0;
  async init(_context?: Rcl.Context, argv: string[] = []): Promise<void> { this.inits++; this.argv = argv; }
  createNode(name: string, namespace = ''): FakeNode {
    const overrides = new Map<string, string>();
    for (let i = 0; i < this.argv.length - 1; i++) {
      if (this.argv[i] !== '-p') continue;
      const [k, v] = this.argv[i + 1].split(':=');
      overrides.set(k, v);
    }
    const n = new FakeNode(name, namespace, overrides);
    this.nodes.push(n);
    return n;
  }
  shutdown(): void { this.shutdowns++; }
  get node(): FakeNode { return this.nodes[this.nodes.length - 1]; }
}

// ---------------------------------------------------------------- helpers

function input(name: string, topic: string, size: number, offset: number): InputField {
  return { name, topic, size, offset, min: -Infinity, max: Infinity, mean: 0, std: 1, maxAgeS: 0.25 };
}
function output(name: string, topic: string, size: number, offset: number, failsafe = 0): OutputField {
  return { name, topic, size, offset, scale: 1, bias: 0, min: -10, max: 10, ratePerS: Infinity, failsafe };
}
function mapping(inputs: InputField[], outputs: OutputField[]): IoMapping {
  return {
    inputs, outputs, watchdogS: 1, autoArm: false, robotId: 'rover',
    inputSize: inputs.reduce((a, f) => a + f.size, 0), outputSize: outputs.reduce((a, f) => a + f.size, 0),
  };
}

class RecordingSink implements SampleSink {
  readonly samples: { tS: number; values: number[]; field: number | undefined }[] = [];
  readonly commands: LoopCommand[] = [];
  push(tS: number, values: ArrayLike<number>, field?: number): boolean {
    this.samples.push({ tS, values: Array.from(values), field });
    return true;
  }
  command(cmd: LoopCommand): void { this.commands.push(cmd); }
}

const LANE = mapping(
  [input('imu', '/imu/data:sensor_msgs/msg/Imu', 6, 0), input('scan', 'scan:sensor_msgs/LaserScan', 4, 6), input('feat', '', 3, 10)],
  [output('steer', '', 1, 0, 0)],
);

let io: Ros2Io | null = null;
afterEach(async () => { await io?.close(); io = null; });

async function started(m: IoMapping, opts: Ros2Options = {}): Promise<{ rcl: FakeRcl; io: Ros2Io; sink: RecordingSink }> {
  const rcl = new FakeRcl();
  io = makeRos2Io(m, { now: () => 1000, ...opts, rcl: () => rcl });
  const sink = new RecordingSink();
  await Promise.all([io.input.start(sink), io.commands.start(sink), io.output.start()]);
  return { rcl, io, sink };
}

const header = (sec: number, nanosec: number): Rcl.std_msgs.msg.Header => ({ stamp: { sec, nanosec }, frame_id: 'imu' });

// ---------------------------------------------------------------- tests

describe('ros2 adapter: node, parameters, QoS', () => {
  it('creates node lnn_edge once, declares its parameters, spins, and tears down on close', async () => {
    const { rcl, io: a } = await started(LANE);
    expect(rcl.nodes).toHaveLength(1);
    const n = rcl.node;
    expect(n.name).toBe('lnn_edge');
    expect(n.spinning).toBe(true);
    expect([...n.params.keys()].sort()).toEqual([
      'cruise_speed', 'frame_id', 'inputs.feat.topic', 'inputs.imu.topic', 'inputs.scan.topic', 'outputs.steer.topic', 'robot_id', 'status_period',
    ]);
    expect(n.getParameter('robot_id').value).toBe('rover');
    expect(n.subs.map((s) => [s.topic, s.type])).toEqual([
      ['/imu/data', 'sensor_msgs/msg/Imu'], ['scan', 'sensor_msgs/msg/LaserScan'], ['feat', 'std_msgs/msg/Float32MultiArray'], ['~/cmd', 'std_msgs/msg/String'],
    ]);
    expect(n.pubs.map((p) => [p.topic, p.type])).toEqual([['cmd_vel', 'geometry_msgs/msg/Twist'], ['~/status', 'std_msgs/msg/String']]);
    expect(a.connected).toBe(true);
    await a.close();
    expect(n.destroyed).toBe(true);
    expect(rcl.shutdowns).toBe(1);
    expect(a.connected).toBe(false);
  });

  it('takes topic remaps and parameter values from --ros-args', async () => {
    const { rcl } = await started(LANE, { rosArgs: ['-p', 'inputs.imu.topic:=/robot1/imu', '-p', 'outputs.steer.topic:=/robot1/cmd_vel', '-p', 'cruise_speed:=0.4'] });
    expect(rcl.argv).toEqual(['--ros-args', '-p', 'inputs.imu.topic:=/robot1/imu', '-p', 'outputs.steer.topic:=/robot1/cmd_vel', '-p', 'cruise_speed:=0.4']);
    expect(rcl.node.subs[0].topic).toBe('/robot1/imu');
    expect(rcl.node.pubs[0].topic).toBe('/robot1/cmd_vel');
    io!.output.write(Float64Array.of(0.25), 0.01, 0);
    expect(rcl.node.pub('/robot1/cmd_vel').sent.at(-1)).toEqual({ linear: { x: 0.4, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0.25 } });
  });

  it('rejects a parameter override of the wrong type with LNN_E_USAGE', async () => {
    const rcl = new FakeRcl();
    io = makeRos2Io(LANE, { rcl: () => rcl, rosArgs: ['-p', 'cruise_speed:=fast'] });
    await expect(io.output.start()).rejects.toMatchObject({ code: 'LNN_E_USAGE' });
    expect(rcl.shutdowns).toBe(1);
  });

  it('uses sensor_data QoS for sensors and default for commands, or an explicit depth and reliability', async () => {
    const a = await started(LANE);
    expect(a.rcl.node.subs[0].options.qos).toBe('qos_profile_sensor_data');
    expect(a.rcl.node.pubs[0].options?.qos).toBe('qos_profile_default');
    await a.io.close();
    const b = await started(LANE, { qos: { sensors: { reliability: 'reliable', depth: 3 }, commands: { reliability: 'best_effort', depth: 1 } } });
    const q = b.rcl.node.subs[0].options.qos as FakeQoS;
    expect([q.history, q.depth, q.reliability()]).toEqual([1, 3, 1]);
    const p = b.rcl.node.pubs[0].options?.qos as FakeQoS;
    expect([p.depth, p.reliability()]).toEqual([1, 2]);
  });

  it('refuses bad topics, unknown types and sizes a type cannot carry', () => {
    const bad = (i: InputField[], o: OutputField[]): string => {
      try { makeRos2Io(mapping(i, o)); } catch (e) { return isLnnError(e) ? `${e.code} ${e.message}` : String(e); }
      return 'no error';
    };
    expect(bad([input('a', '/imu//x', 3, 0)], [output('s', '', 1, 0)])).toMatch(/LNN_E_USAGE.*not a valid ROS 2 topic/);
    expect(bad([input('a', 'x:nav_msgs/msg/Odometry', 3, 0)], [output('s', '', 1, 0)])).toMatch(/cannot be read/);
    expect(bad([input('a', 'imu:sensor_msgs/msg/Imu', 4, 0)], [output('s', '', 1, 0)])).toMatch(/size 3, 6, 10/);
    expect(bad([input('a', '', 1, 0)], [output('s', '', 3, 0)])).toMatch(/carries 1, 2, 4, 6 values/);
    expect(bad([input('a', 'x', 1, 0), input('b', 'x', 1, 1)], [output('s', '', 1, 0)])).toMatch(/already used/);
  });
});

describe('ros2 adapter: sensors in', () => {
  it('reads Imu with the header stamp as the sample time', async () => {
    const { rcl, sink } = await started(LANE);
    rcl.node.deliver('/imu/data', {
      header: header(1700000000, 500_000_000),
      orientation: { x: 0, y: 0, z: 0, w: 1 }, orientation_covariance: [],
      angular_velocity: { x: 0.1, y: 0.2, z: 0.3 }, angular_velocity_covariance: [],
      linear_acceleration: { x: 1, y: 2, z: 9.81 }, linear_acceleration_covariance: [],
    } satisfies Rcl.sensor_msgs.msg.Imu);
    expect(sink.samples).toEqual([{ tS: 1700000000.5, values: [0.1, 0.2, 0.3, 1, 2, 9.81], field: 0 }]);
    expect(io!.input.counters).toEqual({ received: 1, dropped: 0, malformed: 0 });
  });

  it('reduces a LaserScan to its nearest range per sector; no return reads range_max, a zero stamp the local clock', async () => {
    const { rcl, sink } = await started(LANE);
    const scan: Rcl.sensor_msgs.msg.LaserScan = {
      header: header(0, 0), angle_min: -1, angle_max: 1, angle_increment: 0.25, time_increment: 0, scan_time: 0.1,
      range_min: 0.1, range_max: 8, ranges: Float32Array.of(Infinity, 3, NaN, NaN, 0.05, 2, -Infinity, 5), intensities: [],
    };
    rcl.node.deliver('scan', scan);
    expect(sink.samples).toEqual([{ tS: 1000, values: [3, 8, 0.1, 0.1], field: 1 }]);
  });

  it('counts a malformed message and never pushes it', async () => {
    const { rcl, sink } = await started(LANE);
    rcl.node.deliver('feat', { layout: { dim: [], data_offset: 0 }, data: [1, 2] });
    rcl.node.deliver('feat', { data: 'x' });
    rcl.node.deliver('/imu/data', { angular_velocity: { x: 1 } });
    rcl.node.deliver('feat', null);
    expect(sink.samples).toEqual([]);
    expect(io!.input.counters).toEqual({ received: 4, dropped: 0, malformed: 4 });
    expect(io!.input.tally.lastMalformed).toMatch(/feat/);
    rcl.node.deliver('feat', { layout: { dim: [], data_offset: 0 }, data: Float32Array.of(1, 2, 3) });
    expect(sink.samples).toEqual([{ tS: 1000, values: [1, 2, 3], field: 2 }]);
  });

  it('passes operator commands from ~/cmd, plain or as MQTT-style JSON', async () => {
    const { rcl, sink } = await started(LANE);
    for (const data of ['arm', ' estop\n', '{"cmd":"reset"}', 'launch', '{"cmd":1}']) rcl.node.deliver('~/cmd', { data });
    expect(sink.commands).toEqual(['arm', 'estop', 'reset']);
    expect(io!.commands.counters).toEqual({ received: 5, dropped: 0, malformed: 2 });
    expect(parseCommandText(42)).toBeNull();
  });

  it('drops what arrives after stop()', async () => {
    const { rcl, io: a, sink } = await started(LANE);
    await a.input.stop();
    rcl.node.deliver('feat', { data: [1, 2, 3] });
    expect(sink.samples).toEqual([]);
    expect(a.input.counters.dropped).toBe(1);
  });
});

describe('ros2 adapter: commands out', () => {
  const DRONE = mapping([input('goal', '', 3, 0)], [output('vx', '', 1, 0), output('vy', '', 1, 1), output('vz', '', 1, 2), output('yaw_rate', '', 1, 3),
    output('gripper', 'gripper:std_msgs/msg/Float64', 1, 4, 0.5)]);

  it('concatenates output fields that share cmd_vel into one Twist, and counts skipped ticks', async () => {
    const { rcl } = await started(DRONE);
    io!.output.write(Float64Array.of(1, 2, 3, 0.5, 0.9), 0.01, 0);
    io!.output.write(Float64Array.of(1, 2, 3, 0.5, 0.9), 0.04, 3);
    expect(rcl.node.pub('cmd_vel').sent[0]).toEqual({ linear: { x: 1, y: 2, z: 3 }, angular: { x: 0, y: 0, z: 0.5 } });
    expect(rcl.node.pub('gripper').sent[0]).toEqual({ data: 0.9 });
    expect(io!.output.counters).toEqual({ received: 2, dropped: 2, malformed: 0 });
  });

  it('sends nothing for a non-finite value, and the failsafe values on failsafe() and stop()', async () => {
    const { rcl } = await started(DRONE);
    io!.output.write(Float64Array.of(NaN, 0, 0, 0, 0.2), 0.01, 0);
    expect(rcl.node.pub('cmd_vel').sent).toEqual([]);
    expect(rcl.node.pub('gripper').sent).toEqual([{ data: 0.2 }]);
    expect(io!.output.counters.malformed).toBe(1);
    io!.output.failsafe();
    await io!.output.stop();
    const zero = { linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } };
    expect(rcl.node.pub('cmd_vel').sent).toEqual([zero, zero]);
    expect(rcl.node.pub('gripper').sent.slice(1)).toEqual([{ data: 0.5 }, { data: 0.5 }]);
  });

  it('stamps TwistStamped with the clock and the frame_id parameter', async () => {
    const m = mapping([input('x', '', 1, 0)], [output('cmd', 'cmd_vel:geometry_msgs/msg/TwistStamped', 2, 0)]);
    const { rcl } = await started(m, { now: () => 12.25, frameId: 'base_footprint' });
    io!.output.write(Float64Array.of(0.3, -0.1), 0.01, 0);
    expect(rcl.node.pub('cmd_vel').sent[0]).toEqual({
      header: { stamp: { sec: 12, nanosec: 250_000_000 }, frame_id: 'base_footprint' },
      twist: { linear: { x: 0.3, y: 0, z: 0 }, angular: { x: 0, y: 0, z: -0.1 } },
    });
  });

  it('publishes the loop status as JSON on ~/status at once when the state changes', async () => {
    const { rcl } = await started(LANE);
    const statusPub = rcl.node.pub('~/status');
    expect(JSON.parse((statusPub.sent[0] as { data: string }).data)).toMatchObject({ state: 'online', robot: 'rover', ros2: { node: 'lnn_edge', connected: true } });
    const s = { state: 'failsafe', reason: 'stale input imu', ticks: 10 } as LoopStatus;
    io!.output.status(s);
    io!.output.status(s);
    expect(statusPub.sent).toHaveLength(2);
    expect(JSON.parse((statusPub.sent[1] as { data: string }).data)).toMatchObject({ state: 'failsafe', reason: 'stale input imu', ticks: 10 });
  });
});
