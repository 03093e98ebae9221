// The three parts of the ROS 2 adapter over one shared node (node.ts):
//
//   <mapped sensor topics>  Imu, LaserScan, Float32MultiArray, ...  → Ros2InputSource   → SampleSink.push
//   ~/cmd                   std_msgs/msg/String "arm" | ...          → Ros2CommandSource → SampleSink.command
//   <mapped command topics> Twist (default cmd_vel), ...             ← Ros2OutputSink.write / failsafe
//   ~/status                std_msgs/msg/String JSON, ~1 Hz          ← Ros2OutputSink.status
//
// A callback never throws: a bad message is counted malformed and dropped (DESIGN.md §6).

import type { ActuatorSink, IoCounters, LoopCommand, LoopStatus, SampleSink, SensorSource } from '../types.ts';
import type { RclPublisher } from './api.ts';
import type { Ros2Session } from './node.ts';
import { CMD_TOPIC, STATUS_TOPIC, type InputRoute, type OutputRoute } from './options.ts';
import { Tally } from '../shared.ts';

/** Every mapped sensor topic, one subscription each, delivered per field. */
export class Ros2InputSource implements SensorSource {
  readonly name: string;
  readonly tally: Tally;
  private sink: SampleSink | null = null;
  private started = false;
  /** one (size) scratch vector per route: decoding allocates nothing. */
  private readonly scratch: Float64Array[];

  constructor(private readonly s: Ros2Session) {
    this.name = `ros2:${s.cfg.nodeName}:in`;
    this.tally = new Tally('ros2', 'inputs', s.cfg.log);
    this.scratch = s.cfg.inputs.map((r) => new Float64Array(r.size));
  }

  get counters(): Readonly<IoCounters> { return this.tally.counters; }
  get connected(): boolean { return this.s.connected; }

  async start(sink: SampleSink): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.s.acquire();
    this.sink = sink;
    const opts = this.s.options(this.s.cfg.qos.sensors);
    this.s.cfg.inputs.forEach((r, i) => {
      const topic = this.s.params.topics.get(r.param) ?? r.topic;
      this.s.node.createSubscription(r.type, topic, opts, (msg: unknown) => this.onMessage(r, this.scratch[i], msg));
    });
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.sink = null;
    await this.s.release();
  }

  private onMessage(r: InputRoute, x: Float64Array, msg: unknown): void {
    const c = this.tally.counters;
    c.received++;
    const sink = this.sink;
    if (sink === null) { c.dropped++; return; }
    let t: number | string;
    try {
      t = r.codec.decode(msg, x);
    } catch (e) {
      t = `${r.type} could not be read: ${(e as Error).message}`;
    }
    if (typeof t === 'string') { this.tally.malformed(`${r.topic}: ${t}`); return; }
    try {
      if (!sink.push(Number.isNaN(t) ? this.s.cfg.now() : t, x, r.field)) this.tally.malformed(`the loop refused ${r.topic} (length or field)`);
    } catch (e) {
      this.tally.malformed(`the loop threw on ${r.topic}: ${(e as Error).message}`);
    }
  }
}

const COMMANDS: readonly LoopCommand[] = ['arm', 'disarm', 'estop', 'reset'];

/** `data` "arm" | "disarm" | "estop" | "reset" (or the MQTT form `{"cmd": ...}`) → the loop. */
export function parseCommandText(data: unknown): LoopCommand | null {
  if (typeof data !== 'string') return null;
  let s = data.trim();
  if (s.startsWith('{')) {
    try {
      const o = JSON.parse(s) as { cmd?: unknown };
      s = typeof o.cmd === 'string' ? o.cmd : '';
    } catch {
      return null;
    }
  }
  return (COMMANDS as readonly string[]).includes(s) ? (s as LoopCommand) : null;
}

export class Ros2CommandSource implements SensorSource {
  readonly name: string;
  readonly tally: Tally;
  private sink: SampleSink | null = null;
  private started = false;

  constructor(private readonly s: Ros2Session) {
    this.name = `ros2:${s.cfg.nodeName}:cmd`;
    this.tally = new Tally('ros2', 'cmd', s.cfg.log);
  }

  get counters(): Readonly<IoCounters> { return this.tally.counters; }

  async start(sink: SampleSink): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.s.acquire();
    this.sink = sink;
    // Commands must not be lost: reliable, whatever the sensors use.
    this.s.node.createSubscription('std_msgs/msg/String', CMD_TOPIC, this.s.options('default'), (msg: { data?: unknown }) => this.onMessage(msg));
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.sink = null;
    await this.s.release();
  }

  private onMessage(msg: { data?: unknown }): void {
    const c = this.tally.counters;
    c.received++;
    const sink = this.sink;
    if (sink === null) { c.dropped++; return; }
    const cmd = parseCommandText(msg?.data);
    if (cmd === null) { this.tally.malformed(`not a command: ${JSON.stringify(msg?.data ?? null).slice(0, 40)}`); return; }
    try {
      sink.command(cmd);
    } catch (e) {
      this.tally.malformed(`the loop threw on ${cmd}: ${(e as Error).message}`);
    }
  }
}

/** Publishers for the mapped command topics, plus the JSON status on `~/status`. */
export class Ros2OutputSink implements ActuatorSink {
  readonly name: string;
  readonly counters: IoCounters = { received: 0, dropped: 0, malformed: 0 };
  /** (outputSize) physical units: what `failsafe()` publishes, from the mapping. */
  private readonly failsafeY: Float64Array;
  /** one (route size) scratch per route. */
  private readonly scratch: Float64Array[];
  private pubs: RclPublisher[] = [];
  private statusPub: RclPublisher | null = null;
  private loop: LoopStatus | null = null;
  private publishedKey = '';
  private lastSeq = -1;
  private timer: NodeJS.Timeout | null = null;
  private started = false;

  constructor(private readonly s: Ros2Session, failsafeY: Float64Array, private readonly tallies: { in: Tally; cmd: Tally }) {
    this.name = `ros2:${s.cfg.nodeName}:out`;
    this.failsafeY = failsafeY;
    this.scratch = s.cfg.outputs.map((r) => new Float64Array(r.index.length));
  }

  get connected(): boolean { return this.s.connected; }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.s.acquire();
    const { node, params, cfg } = this.s;
    const opts = this.s.options(cfg.qos.commands);
    this.pubs = cfg.outputs.map((r) => node.createPublisher(r.type, params.topics.get(r.param) ?? r.topic, opts));
    this.statusPub = node.createPublisher('std_msgs/msg/String', STATUS_TOPIC, this.s.options('default'));
    this.publishStatus();
    this.timer = setInterval(() => this.publishStatus(), params.statusPeriodS * 1000);
    this.timer.unref();
  }

  write(y: Float64Array, _tS: number, seq: number): void {
    const c = this.counters;
    c.received++;
    if (this.lastSeq >= 0 && seq > this.lastSeq + 1) c.dropped += seq - this.lastSeq - 1;
    this.lastSeq = seq;
    const r = this.send(y);
    if (r === 'refused') c.dropped++;
    else if (r === 'nonfinite') c.malformed++;
  }

  failsafe(): void {
    this.send(this.failsafeY);
  }

  status(s: LoopStatus): void {
    this.loop = s;
    if (`${s.state}:${s.reason}` !== this.publishedKey) this.publishStatus();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.failsafe();
    this.started = false;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.pubs = [];
    this.statusPub = null;
    await this.s.release();
  }

  /** The status document published on `~/status` (also what tests read). */
  statusDoc(): Record<string, unknown> {
    const l = this.loop;
    return {
      ...(l ?? {}),
      state: l?.state ?? 'online',
      reason: l?.reason ?? '',
      robot: this.s.connected ? this.s.params.robotId : this.s.cfg.robotId,
      ros2: {
        node: this.s.cfg.nodeName, connected: this.s.connected,
        in: { ...this.tallies.in.counters }, cmd: { ...this.tallies.cmd.counters }, out: { ...this.counters },
        lastMalformed: this.tallies.in.lastMalformed || this.tallies.cmd.lastMalformed,
      },
    };
  }

  private publishStatus(): void {
    const pub = this.statusPub;
    if (pub === null) return;
    const doc = this.statusDoc();
    try {
      pub.publish({ data: JSON.stringify(doc) });
      this.publishedKey = `${String(doc.state)}:${String(doc.reason)}`;
    } catch (e) {
      this.s.cfg.log(`ros2: status not published: ${(e as Error).message}`);
    }
  }

  /** One message per route. Any non-finite value sends nothing on that route (and counts malformed). */
  private send(y: ArrayLike<number>): 'sent' | 'refused' | 'nonfinite' {
    if (!this.started || this.pubs.length === 0) return 'refused';
    const { cfg, params } = this.s;
    const ctx = { cruiseSpeedMps: params.cruiseSpeedMps, frameId: params.frameId, nowS: cfg.now() };
    let result: 'sent' | 'refused' | 'nonfinite' = 'sent';
    cfg.outputs.forEach((r: OutputRoute, k) => {
      const v = this.scratch[k];
      let finite = true;
      for (let i = 0; i < v.length; i++) {
        v[i] = y[r.index[i]];
        if (!Number.isFinite(v[i])) finite = false;
      }
      if (!finite) { result = 'nonfinite'; return; }
      try {
        this.pubs[k].publish(r.codec.encode(v, ctx));
      } catch (e) {
        if (result === 'sent') result = 'refused';
        cfg.log(`ros2: publish on ${r.topic} failed: ${(e as Error).message}`);
      }
    });
    return result;
  }
}
